#!/usr/bin/env node
// `npm run bench`: measures costlens against baselines measured in the same run, and writes bench/results.md.
//
//   npm run bench                         # everything (several minutes)
//   npm run bench -- --only cold,warm     # sections: cold, warm, incremental, editor, bundle
//   npm run bench -- --runs 3             # timed runs per command (default 5)
//   npm run bench -- --py-files 5000 --copies 1   # a smaller tree
//   npm run bench -- --report-only        # rewrite bench/results.md from the last run's raw data
//
// bench/results.md holds the sections of the last run (with --only, only those).
//
// Sections (each figure with its baseline and the ratio):
//   cold         `costlens scan` of a large tree (node_modules x3, hard-linked, + a generated Python tree) against
//                `rg -l` with the same SDK markers over the same files: wall time (median) and peak RSS.
//   warm         the same scan with `--cache`, nothing changed since the last one, against the cold scan.
//   incremental  re-analysing one edited 2,000-line file (bench/incremental.ts) against a full tree-sitter parse.
//   editor       code-server + chromium (bench/editor.ts): activation, open-to-lens, event-loop stalls during a scan.
//   bundle       dist/ of a production build and the .vsix built with @vscode/vsce.
//
// Tools: ripgrep (Debian's `ripgrep`; installed with apt-get when missing and possible), GNU time (/usr/bin/time -v),
// hyperfine (optional: the results list hyperfine commands that reproduce the timings), and for the editor section the
// e2e tools of scripts/e2e/setup.sh. Work files go to .cache/bench/ (gitignored).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareTrees, RENAMED_DIRS } from './prepare-trees.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const WORK = path.join(ROOT, '.cache', 'bench');
const SECTIONS = ['cold', 'warm', 'incremental', 'editor', 'bundle'];

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const only = new Set((opt('only', SECTIONS.join(','))).split(',').map((s) => s.trim()).filter(Boolean));
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s} (sections: ${SECTIONS.join(', ')})`);
let RUNS = Math.max(1, Number(opt('runs', 5)));
let PY_FILES = Number(opt('py-files', 24000));
let COPIES = Number(opt('copies', 3));

const t0 = Date.now();
const log = (m) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}`);

// ------------------------------------------------------------------------------------------------ helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const round = (x, d = 0) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(a / b < 0.2 ? 3 : 2)}×` : 'n/a');
const which = (cmd) => {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};
const version = (cmd, args = ['--version']) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return null;
  }
};
const dirSize = (dir) => {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  return total;
};
/** Runs a TypeScript helper of bench/ through tsx and returns its JSON output. */
const tsxJson = (script, args, env = {}) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
};

const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/**
 * Runs a command with stdout to `outFile` and measures it: wall time (hrtime around the process), and with GNU time
 * the peak RSS and CPU time. Throws on a non-zero exit.
 */
function measure(cmd, args, { outFile, cwd = ROOT } = {}) {
  const out = fs.openSync(outFile ?? '/dev/null', 'w');
  const timeFile = path.join(WORK, 'time.txt');
  const full = GNU_TIME ? [GNU_TIME, ['-v', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { cwd, stdio: ['ignore', out, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  fs.closeSync(out);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr?.slice(-2000)}`);
  const result = { wallMs, rssKb: null, cpuMs: null };
  if (GNU_TIME) {
    const t = fs.readFileSync(timeFile, 'utf8');
    const num = (re) => Number(re.exec(t)?.[1]);
    result.rssKb = num(/Maximum resident set size \(kbytes\): (\d+)/);
    result.cpuMs = (num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/)) * 1000;
  }
  return result;
}

const summarize = (runs) => ({
  runs: runs.length,
  wallMs: round(median(runs.map((r) => r.wallMs))),
  wallMinMs: round(Math.min(...runs.map((r) => r.wallMs))),
  wallMaxMs: round(Math.max(...runs.map((r) => r.wallMs))),
  cpuMs: runs[0].cpuMs === null ? null : round(median(runs.map((r) => r.cpuMs))),
  rssMb: runs[0].rssKb === null ? null : round(median(runs.map((r) => r.rssKb)) / 1024, 1),
});

// ------------------------------------------------------------------------------------------------ machine

function describeMachine() {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const rel = fs.readFileSync('/etc/os-release', 'utf8');
    osName = `${/PRETTY_NAME="([^"]+)"/.exec(rel)?.[1] ?? osName}, kernel ${os.release()}`;
  } catch {
    // not Linux
  }
  let virt = null;
  try {
    virt = /Hypervisor vendor:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1] ?? null;
  } catch {
    // no lscpu
  }
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}${virt ? ` (virtualised: ${virt})` : ''}`,
    availableParallelism: os.availableParallelism(),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: osName,
    node: process.version,
    ripgrep: null,
    hyperfine: version('hyperfine'),
    gnuTime: GNU_TIME ? `GNU time (${GNU_TIME} -v)` : null,
    date: new Date().toISOString(),
  };
}

/** ripgrep: Debian's package (installed when missing, if apt-get can), else @vscode/ripgrep if it is installed. */
function findRipgrep() {
  let rg = which('rg');
  if (!rg && which('apt-get') && process.getuid?.() === 0) {
    log('ripgrep not found: apt-get install -y ripgrep hyperfine');
    spawnSync('apt-get', ['install', '-y', 'ripgrep', 'hyperfine'], { stdio: 'inherit' });
    rg = which('rg');
  }
  const vscodeRg = path.join(ROOT, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  if (!rg && fs.existsSync(vscodeRg)) rg = vscodeRg;
  if (!rg) throw new Error('ripgrep is needed for the cold-scan baseline: apt-get install ripgrep (or npm install @vscode/ripgrep)');
  return rg;
}

// ------------------------------------------------------------------------------------------------ build + package

/** A production build (minified, no sourcemaps) and the .vsix, in .cache/bench/ext (dist/ is left alone). */
function stageExtension() {
  const ext = path.join(WORK, 'ext');
  fs.rmSync(ext, { recursive: true, force: true });
  fs.mkdirSync(ext, { recursive: true });
  for (const f of ['README.md', 'LICENSE', '.vscodeignore']) if (fs.existsSync(path.join(ROOT, f))) fs.copyFileSync(path.join(ROOT, f), path.join(ext, f));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  delete pkg.scripts; // nothing to run at packaging time: the build below is the prepublish step
  fs.writeFileSync(path.join(ext, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.cpSync(path.join(ROOT, 'media'), path.join(ext, 'media'), { recursive: true, filter: (src) => !src.includes(`${path.sep}build`) });
  const started = Date.now();
  execFileSync(process.execPath, ['esbuild.js', '--production', `--outdir=${path.join(ext, 'dist')}`], { cwd: ROOT, stdio: 'inherit' });
  log(`production build in ${Date.now() - started} ms`);
  const vsix = path.join(ext, `${pkg.name}-${pkg.version}.vsix`);
  const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  let vsceError = null;
  try {
    execFileSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: ext, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    vsceError = String(err.stderr || err.message).trim().split('\n').slice(-3).join(' ');
    log(`vsce package failed: ${vsceError}`);
  }
  return { dir: ext, dist: path.join(ext, 'dist'), cli: path.join(ext, 'dist', 'cli.js'), vsix: fs.existsSync(vsix) ? vsix : null, vsceError };
}

// ------------------------------------------------------------------------------------------------ sections

function ripgrepArgs(info, tree) {
  const args = ['-l', '--hidden', '--no-require-git', '--no-ignore-parent', '--no-ignore-dot', '--no-ignore-global', '--no-ignore-exclude', '--max-filesize', String(info.maxFileBytes)];
  // One ordered list of -g globs (ripgrep applies --iglob globs after all -g ones, so an --iglob include would win over
  // the excludes). Extensions are matched case-sensitively here, where costlens lower-cases them: the tree has no
  // upper-case extensions.
  args.push('-g', `*.{${info.extensions.join(',')}}`);
  // costlens's skips by name (files.ts): type declarations, minified and bundle files, protobuf stubs.
  for (const g of ['*.d.ts', '*.min.{js,cjs,mjs}', '*[.-]bundle.{js,cjs,mjs}', '*_pb2.py', '*_pb2_grpc.py']) args.push('-g', `!${g}`);
  for (const d of info.excludedDirs) args.push('-g', `!${d}/`);
  args.push('-e', info.ripgrepMarker, tree);
  return args;
}

const shellQuote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function runCold(ctx) {
  const { tree, rg, cli, info } = ctx;
  const rgArgs = ripgrepArgs(info, tree);
  const rgOut = path.join(WORK, 'rg-files.txt');
  const clOut = path.join(WORK, 'scan-cold.json');
  const costlens = [cli, 'scan', '--root', tree, '--format', 'json', '--quiet'];
  log('cold scan: warm-up (fills the page cache for both tools)');
  measure(rg, rgArgs, { outFile: rgOut });
  measure(process.execPath, costlens, { outFile: clOut });
  const rgRuns = [];
  const clRuns = [];
  for (let i = 0; i < RUNS; i++) {
    rgRuns.push(measure(rg, rgArgs, { outFile: rgOut }));
    clRuns.push(measure(process.execPath, costlens, { outFile: clOut }));
    log(`cold scan run ${i + 1}/${RUNS}: rg ${round(rgRuns.at(-1).wallMs)} ms, costlens ${round(clRuns.at(-1).wallMs)} ms (${round(clRuns.at(-1).rssKb / 1024)} MB)`);
  }
  const single = [];
  for (let i = 0; i < Math.min(2, RUNS); i++) {
    single.push(measure(process.execPath, [...costlens, '--jobs', '1'], { outFile: path.join(WORK, 'scan-cold-1job.json') }));
    log(`cold scan, one thread (--jobs 1), run ${i + 1}: ${round(single.at(-1).wallMs)} ms`);
  }
  // Same files on both sides? ripgrep's list against the files costlens parses (and those it skips for their content).
  const rgFiles = new Set(fs.readFileSync(rgOut, 'utf8').split('\n').filter(Boolean).map((f) => path.relative(tree, path.resolve(ROOT, f)).split(path.sep).join('/')));
  const candidates = new Set(info.candidates);
  const skippedForContent = new Set(info.skippedForContent);
  const rgOnly = [...rgFiles].filter((f) => !candidates.has(f));
  const costlensOnly = [...candidates].filter((f) => !rgFiles.has(f));
  const scan = JSON.parse(fs.readFileSync(clOut, 'utf8'));
  const singleOut = JSON.parse(fs.readFileSync(path.join(WORK, 'scan-cold-1job.json'), 'utf8'));
  return {
    rg: summarize(rgRuns),
    costlens: summarize(clRuns),
    singleThread: summarize(single),
    parallelEqualsSingle: JSON.stringify(scan) === JSON.stringify(singleOut),
    files: {
      listed: info.listed,
      rgListed: rgFiles.size,
      costlensParses: candidates.size,
      parsed: info.parsed?.length ?? null,
      weak: info.weak ?? null,
      sdkPackages: info.sdkPackages ?? [],
      rgInSdkPackages: [...rgFiles].filter((f) => (info.sdkPackages ?? []).some((d) => f.startsWith(`${d}/`))).length,
      rgOnlySkippedForContent: rgOnly.filter((f) => skippedForContent.has(f)).length,
      rgOnlyOther: rgOnly.filter((f) => !skippedForContent.has(f)),
      costlensOnly,
    },
    callSites: scan.totals.callSites,
    commands: {
      marker: info.ripgrepMarker,
      rg: `rg ${rgArgs.slice(0, -3).map(shellQuote).join(' ')} -e "$MARKER" ${shellQuote(path.relative(ROOT, tree))} > rg-files.txt`,
      costlens: `node ${costlens.map((a) => shellQuote(path.relative(ROOT, a) || a)).join(' ')} > scan.json`,
    },
  };
}

function runWarm(ctx, cold) {
  const { tree, cli } = ctx;
  const cacheFile = path.join(WORK, 'scan-cache.json');
  fs.rmSync(cacheFile, { force: true });
  const base = [cli, 'scan', '--root', tree, '--format', 'json', '--quiet', '--cache', cacheFile];
  log('warm scan: a cold scan that writes the cache');
  const filling = measure(process.execPath, base, { outFile: path.join(WORK, 'scan-fill.json') });
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(measure(process.execPath, base, { outFile: path.join(WORK, 'scan-warm.json') }));
    log(`warm scan run ${i + 1}/${RUNS}: ${round(runs.at(-1).wallMs)} ms`);
  }
  const same = fs.readFileSync(path.join(WORK, 'scan-warm.json'), 'utf8') === fs.readFileSync(path.join(WORK, 'scan-cold.json'), 'utf8');
  return {
    fillWallMs: round(filling.wallMs),
    warm: summarize(runs),
    cold: cold?.costlens ?? null,
    cacheBytes: fs.statSync(cacheFile).size,
    sameOutputAsCold: same,
    command: `node ${base.map((a) => shellQuote(path.relative(ROOT, a) || a)).join(' ')}`,
  };
}

function runEditorSection(ctx) {
  const tools = path.join(ROOT, '.cache', 'e2e-tools');
  if (!fs.existsSync(path.join(tools, 'node_modules', 'code-server'))) {
    log('editor: installing the e2e tools (bash scripts/e2e/setup.sh)');
    const r = spawnSync('bash', ['scripts/e2e/setup.sh'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) return { skipped: 'scripts/e2e/setup.sh failed: the editor figures need code-server and chromium' };
  }
  const wsRoot = path.join(WORK, 'editor-ws');
  const ws = path.join(wsRoot, 'ws');
  fs.rmSync(wsRoot, { recursive: true, force: true });
  fs.mkdirSync(wsRoot, { recursive: true });
  // The generated Python tree, hard-linked, plus a usage file so the extension activates (and scans) at startup.
  execFileSync('cp', ['-al', path.join(ctx.tree, 'py'), ws]);
  fs.writeFileSync(path.join(ws, 'costlens.yml'), 'version: 1\n');
  const lensFiles = [];
  for (const e of fs.readdirSync(ws, { recursive: true, withFileTypes: true }).sort((a, b) => path.join(a.parentPath, a.name).localeCompare(path.join(b.parentPath, b.name)))) {
    if (lensFiles.length >= 5) break;
    const abs = path.join(e.parentPath, e.name);
    if (e.isFile() && e.name.endsWith('.py') && fs.readFileSync(abs, 'utf8').includes('chat.completions.create(')) lensFiles.push(path.relative(ws, abs).split(path.sep).join('/'));
  }
  log(`editor: code-server on ${ws} (${PY_FILES} Python files), lens files ${lensFiles.join(', ')}`);
  const loadBefore = os.loadavg();
  const result = tsxJson('editor.ts', ['--extension', ctx.ext.dir, '--workspace', ws, '--lens-files', lensFiles.join(','), '--json']);
  return { ...result, loadBefore, loadAfter: os.loadavg() };
}

function runBundle(ext) {
  const devDist = path.join(ROOT, 'dist');
  const files = fs.readdirSync(ext.dist).map((f) => ({ file: f, bytes: fs.statSync(path.join(ext.dist, f)).size })).sort((a, b) => b.bytes - a.bytes);
  const entries = [];
  if (ext.vsix) {
    try {
      const listing = execFileSync('unzip', ['-v', ext.vsix], { encoding: 'utf8' });
      for (const line of listing.split('\n')) {
        const m = /^\s*(\d+)\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+\S+\s+(extension\/\S+)$/.exec(line);
        if (m) entries.push({ file: m[3], bytes: Number(m[1]), compressed: Number(m[2]) });
      }
    } catch {
      // no unzip: sizes of the entries are not listed
    }
  }
  return {
    distBytes: dirSize(ext.dist),
    distFiles: files,
    devDistBytes: fs.existsSync(devDist) ? dirSize(devDist) : null,
    vsixBytes: ext.vsix ? fs.statSync(ext.vsix).size : null,
    vsixEntries: entries.sort((a, b) => b.compressed - a.compressed),
    vsceError: ext.vsceError,
    vsceVersion: version(path.join(ROOT, 'node_modules', '.bin', 'vsce'), ['--version']),
  };
}

// ------------------------------------------------------------------------------------------------ report

function report(machine, r, load) {
  const L = [];
  const row = (...cells) => L.push(`| ${cells.join(' | ')} |`);
  const met = (ok) => (ok === null || ok === undefined ? '—' : ok ? '**met**' : '**missed**');
  L.push('# costlens benchmark results', '');
  L.push(`Generated by \`npm run bench\` (bench/run.mjs) on ${machine.date}. Every ratio is against a baseline measured in the same run. Raw data: \`.cache/bench/results.json\`.`, '');
  L.push('## Machine', '');
  L.push(`- CPU: ${machine.cpu}; \`os.availableParallelism()\` = ${machine.availableParallelism}`);
  L.push(`- Memory: ${machine.memory}; OS: ${machine.os}`);
  L.push(`- Node ${machine.node}; ${machine.ripgrep ?? 'ripgrep: not used'}; ${machine.gnuTime ?? 'no GNU time'}; ${machine.hyperfine ?? 'no hyperfine'}`);
  L.push(`- Load average (1/5/15 min) at the start: ${load.start.map((x) => x.toFixed(2)).join(' / ')}; at the end: ${load.end.map((x) => x.toFixed(2)).join(' / ')}. The machine is shared: a load above the core count means other processes competed for the CPUs during the run, which inflates wall times (CPU times are given alongside).`);
  L.push('');
  L.push('## Headline', '');
  row('Figure', 'costlens', 'Baseline', 'Ratio', 'Target', '');
  row('---', '---', '---', '---', '---', '---');
  if (r.cold) {
    const c = r.cold;
    row('Cold scan, wall (median)', `${c.costlens.wallMs} ms`, `\`rg -l\`: ${c.rg.wallMs} ms`, ratio(c.costlens.wallMs, c.rg.wallMs), '≤ 2×', met(c.costlens.wallMs <= 2 * c.rg.wallMs));
    row('Cold scan, peak RSS', `${c.costlens.rssMb} MB`, `\`rg -l\`: ${c.rg.rssMb} MB`, ratio(c.costlens.rssMb, c.rg.rssMb), '—', '');
    row('Cold scan, CPU time', `${c.costlens.cpuMs} ms`, `\`rg -l\`: ${c.rg.cpuMs} ms`, ratio(c.costlens.cpuMs, c.rg.cpuMs), '—', '');
  }
  if (r.warm) {
    const w = r.warm;
    const cold = w.cold?.wallMs;
    row('Warm scan, wall (median)', `${w.warm.wallMs} ms`, `cold scan: ${cold ?? '?'} ms`, cold ? ratio(w.warm.wallMs, cold) : 'n/a', '< 0.10×', met(cold ? w.warm.wallMs < 0.1 * cold : null));
  }
  if (r.incremental) {
    const i = r.incremental;
    row(`Re-analyse an edited ${i.file.lines}-line file, median`, `${i.analyze.median} ms`, `full parse: ${i.parse.median} ms`, ratio(i.analyze.median, i.parse.median), '—', '');
    row(`Re-analyse an edited ${i.file.lines}-line file, p95`, `${i.analyze.p95} ms`, `full parse: ${i.parse.p95} ms`, ratio(i.analyze.p95, i.parse.p95), '< 20 ms', met(i.analyze.p95 < 20));
  }
  if (r.editor && !r.editor.skipped) {
    const e = r.editor;
    row('Activation', `${e.activationMs} ms`, '—', '—', '—', '');
    row('Open to lens (median)', `${e.openToLens.lensMs.median} ms`, `open to editor: ${e.openToLens.openMs.median} ms`, ratio(e.openToLens.lensMs.median, e.openToLens.openMs.median), '—', '');
    const pr = e.stall.profile;
    if (pr) {
      // The target is about costlens: its own longest run of code on the extension host's thread; the longest stall
      // of the thread (any extension) is the context.
      const worst = pr.longest[0];
      row('Longest event-loop stall caused by costlens during a full scan', `${pr.costlensStallMaxMs} ms busy (${pr.costlensStallLagMs} ms late)`, `longest stall of any extension: ${e.stall.maxMs} ms late${worst ? `; most busy: ${worst.threadCpuMs ?? '?'} ms, ${worst.owner}` : ''}`, '—', '< 50 ms', met(pr.costlensStallMaxMs < 50));
    } else {
      row('Longest event-loop stall during a full scan', `${e.stall.maxMs} ms (of which busy: ${e.stall.maxBusyMs ?? '?'} ms)`, `idle window: ${e.stall.idleBaselineMaxMs} ms (busy ${e.stall.idleBaselineMaxBusyMs ?? '?'} ms)`, ratio(e.stall.maxMs, e.stall.idleBaselineMaxMs), '< 50 ms', met(e.stall.maxBusyMs !== null ? e.stall.maxBusyMs < 50 : e.stall.maxMs < 50));
    }
  }
  if (r.bundle) {
    const b = r.bundle;
    row('Packaged .vsix', b.vsixBytes ? mb(b.vsixBytes) : `not built (${b.vsceError})`, `dist/ (production): ${mb(b.distBytes)}`, b.vsixBytes ? ratio(b.vsixBytes, b.distBytes) : 'n/a', '< 5 MB', met(b.vsixBytes ? b.vsixBytes < 5e6 : null));
  }
  L.push('');

  if (r.cold) {
    const c = r.cold;
    L.push('## 1. Cold workspace scan', '');
    L.push(`Tree: \`${path.relative(ROOT, r.tree.out)}\` — ${c.files.listed} source files listed by costlens: ${COPIES} hard-linked copies of the project's \`node_modules\` (${r.tree.jsFilesAnyKind} files of any kind; folders both tools skip by default, such as \`node_modules\`, \`dist\`, \`build\`, got a \`_\` suffix so that all their files are part of the tree) and ${r.tree.pyFiles} generated Python files (\`bench/generate-python-tree.mjs\`, seed 42; ${r.tree.pyLlmFiles} with LLM calls). "Cold" means no costlens cache; the OS page cache is warm for both tools (one warm-up run each, then ${RUNS} interleaved runs).`, '');
    row('Run', 'Wall median (min–max)', 'CPU (user+sys)', 'Peak RSS');
    row('---', '---', '---', '---');
    row('`rg -l` (baseline)', `${c.rg.wallMs} ms (${c.rg.wallMinMs}–${c.rg.wallMaxMs})`, `${c.rg.cpuMs} ms`, `${c.rg.rssMb} MB`);
    row(`costlens scan, ${machine.availableParallelism} worker threads`, `${c.costlens.wallMs} ms (${c.costlens.wallMinMs}–${c.costlens.wallMaxMs})`, `${c.costlens.cpuMs} ms`, `${c.costlens.rssMb} MB`);
    row('costlens scan `--jobs 1` (for reference)', `${c.singleThread.wallMs} ms (${c.singleThread.wallMinMs}–${c.singleThread.wallMaxMs})`, `${c.singleThread.cpuMs} ms`, `${c.singleThread.rssMb} MB`);
    L.push('');
    const inSdk = c.files.rgInSdkPackages ?? 0;
    L.push(`- What each side does: ripgrep lists the ${c.files.rgListed} files that mention a marker. costlens reads the same tree, skips ${c.files.sdkPackages?.length ?? 0} folders that are copies of an LLM SDK package (${inSdk} of ripgrep's files are in them: ${(c.files.sdkPackages ?? []).join(', ') || 'none'}), and of the ${c.files.costlensParses} listed files with a marker parses ${c.files.parsed ?? c.files.costlensParses}: those with a strong marker, and of the ${c.files.weak ?? '?'} whose only markers are generic method names (\`.invoke(\`, \`.stream(\` …), those that import an LLM module (src/core/engine/relevance.ts). Other differences: ${c.files.rgOnlySkippedForContent} files that costlens skips for their content before the marker test (minified, generated, binary), ${c.files.rgOnlyOther.length - inSdk} other files only ripgrep lists${c.files.rgOnlyOther.length - inSdk ? ` (${c.files.rgOnlyOther.filter((f) => !(c.files.sdkPackages ?? []).some((d) => f.startsWith(`${d}/`))).slice(0, 5).join(', ')})` : ''}, ${c.files.costlensOnly.length} files only costlens considers${c.files.costlensOnly.length ? ` (${c.files.costlensOnly.slice(0, 5).join(', ')})` : ''}.`);
    L.push(`- The scan found ${c.callSites} call sites. The parallel scan's JSON output is ${c.parallelEqualsSingle ? 'byte-identical to' : '**different from**'} the single-threaded scan's.`);
    L.push(`- The marker regex is \`SDK_MARKER\` of src/core/engine/files.ts, translated for ripgrep by \`markerForRipgrep\` (bench/scanInfo.ts: \`\\/\` becomes \`/\`, which Rust's regex does not accept escaped; anything else would be rejected, not rewritten).`);
    L.push('');
    L.push('Commands (from the repository root, after `npm run bench` built `.cache/bench/`): both write their output to a file, as in the timed runs.', '');
    L.push('```sh');
    L.push(`MARKER=${shellQuote(c.commands.marker)}`);
    L.push(c.commands.rg);
    L.push(c.commands.costlens);
    L.push('/usr/bin/time -v <either command>     # wall clock, CPU time, "Maximum resident set size"');
    L.push(`hyperfine -w 1 -r ${RUNS} 'rg … > rg-files.txt' 'node … > scan.json'   # the two commands above, in single quotes (MARKER exported)`);
    L.push('```', '');
  }
  if (r.warm) {
    const w = r.warm;
    L.push('## 2. Warm scan', '');
    L.push(`The same scan with \`--cache\` after a scan that wrote it (nothing changed in between): ${w.warm.wallMs} ms median (${w.warm.wallMinMs}–${w.warm.wallMaxMs}), CPU ${w.warm.cpuMs} ms, peak RSS ${w.warm.rssMb} MB; the cold scan that wrote the ${mb(w.cacheBytes)} cache took ${w.fillWallMs} ms. The warm output is ${w.sameOutputAsCold ? 'byte-identical to' : '**different from**'} the cold scan's.`, '');
    L.push('```sh', w.command, '```', '');
  }
  if (r.incremental) {
    const i = r.incremental;
    L.push('## 3. Incremental analysis', '');
    L.push(`One generated ${i.file.lines}-line Python module (${mb(i.file.bytes)}, ${i.file.callSites} LLM calls), edited ${i.analyze.n} times (a line added, extended, removed, a number changed, each at another place), each version re-analysed with \`CostEngine.analyzeText\` as the editor's analysis worker does (detection, estimates, advice). In-process timings (\`performance.now()\`), after 40 warm-up edits.`, '');
    row('', 'median', 'p95', 'p99', 'max');
    row('---', '---', '---', '---', '---');
    row('`analyzeText` after an edit', i.analyze.median, i.analyze.p95, i.analyze.p99, i.analyze.max);
    row('`analyzeText` from scratch (no kept tree)', i.analyzeFullParse.median, i.analyzeFullParse.p95, i.analyzeFullParse.p99, i.analyzeFullParse.max);
    row('baseline: tree-sitter full parse', i.parse.median, i.parse.p95, i.parse.p99, i.parse.max);
    L.push('', `Milliseconds. Parser throughput on this file: ${i.parseMBps} MB/s. CPU time per re-analysis: ${i.cpuMsPerAnalyze} ms. Command: \`node --import tsx bench/incremental.ts\`.`, '');
  }
  if (r.editor) {
    const e = r.editor;
    L.push('## 4. Editor', '');
    if (e.skipped) L.push(`Skipped: ${e.skipped}`, '');
    else {
      L.push(`code-server ${e.codeServerVersion} (VS Code in chromium, extension host on Node 24) through test/e2e/harness.ts, with the production build of the extension. Workspace: the generated Python tree (${e.scan.files} files) plus a \`costlens.yml\`, so costlens activates at startup and scans it in its analysis worker (${e.scan.parsed} files parsed, ${e.scan.callSites} call sites, ${e.scan.durationMs} ms). Load average before/after: ${e.loadBefore.map((x) => x.toFixed(1)).join('/')} → ${e.loadAfter.map((x) => x.toFixed(1)).join('/')}.`, '');
      L.push(`- **Activation**: ${e.activationMs} ms (the extension's \`costlens activated in N ms\` log line; the scan runs after activation, in the background).`);
      L.push(`- **Open to lens**: Quick Open of ${e.openToLens.files.length} files with LLM calls, after the scan: first \`.codelens-decoration\` after ${e.openToLens.lensMs.median} ms median (max ${e.openToLens.lensMs.max}); baseline, the same Quick Open until the file's editor is visible: ${e.openToLens.openMs.median} ms median. Ratio ${ratio(e.openToLens.lensMs.median, e.openToLens.openMs.median)}.`);
      L.push(`- **Event loop during the full scan**: longest stall ${e.stall.maxMs} ms; longest stretch of the extension host's own work between two probe ticks ${e.stall.maxBusyMs ?? '?'} ms (target < 50 ms); p99 lag ${e.stall.p99Ms} ms over ${e.stall.windowMs} ms (the scan plus 2 s after it, when the host publishes the results). Idle baseline (${e.stall.idleWindowMs} ms without a scan, same editor): longest stall ${e.stall.idleBaselineMaxMs} ms, busy ${e.stall.idleBaselineMaxBusyMs ?? '?'} ms. Longest stalls: ${e.stall.top.map((s) => `${s.lagMs} ms at +${s.msAfterScanStart} ms (thread busy ${s.threadCpuMs ?? '?'} ms)`).join('; ')}.`);
      if (e.stall.profile) {
        L.push(`- **Who caused the stalls** (a CPU profile of the extension host's thread, sampled every 0.5 ms, read for the duration of each stall): costlens's longest stall — counting as costlens's every stall during which no other extension's code ran (VS Code's own work, garbage collection and reading worker messages included) — kept the thread busy **${e.stall.profile.costlensStallMaxMs} ms** (${e.stall.profile.costlensStallLagMs} ms late; target < 50 ms). The stalls with the most thread time: ${e.stall.profile.longest.map((r) => `${r.threadCpuMs ?? '?'} ms busy (${r.lagMs} ms late) at +${r.msAfterScanStart} ms, ${r.owner}`).join('; ')}. The profiler adds a little overhead to every figure of this section.`);
      }
      L.push('');
      L.push('Method: `bench/probe-extension`, a separate 40-line extension installed next to costlens in the editor\'s extensions folder, activates at startup and runs a 5 ms `setInterval`; each tick records how late it fired (the event-loop lag) with its wall-clock time and the CPU time its thread used since the previous tick (`process.threadCpuUsage`, Node 24). `bench/editor.ts` takes the scan\'s time window from costlens\'s `scanned … in N ms` log line, and reads the ticks in it. A stall with little thread CPU time is the thread waiting for a CPU (the machine is busy: the scan worker, other processes), not code blocking the loop; the target applies to the busy part. Node\'s `monitorEventLoopDelay` histogram over the session is in the raw data.', '');
      L.push('```sh', `node --import tsx bench/editor.ts --extension .cache/bench/ext --workspace .cache/bench/editor-ws/ws --lens-files ${e.openToLens.files.join(',')}`, '```', '');
    }
  }
  if (r.bundle) {
    const b = r.bundle;
    L.push('## 5. Bundle', '');
    L.push(`Production build (\`node esbuild.js --production\`: minified, no sourcemaps) packaged with \`vsce package --no-dependencies\` (${b.vsceVersion ?? '@vscode/vsce'}); \`.vscodeignore\` keeps package.json, README, LICENSE, \`dist/\` (without cli.js and sourcemaps) and \`media/\` icons and webview builds. .vsix: **${b.vsixBytes ? mb(b.vsixBytes) : 'not built'}**; production \`dist/\`: ${mb(b.distBytes)}${b.devDistBytes ? `; the development \`dist/\` (\`npm run build\`, with sourcemaps): ${mb(b.devDistBytes)}` : ''}.`, '');
    if (b.vsixEntries.length) {
      row('In the .vsix', 'size', 'compressed');
      row('---', '---', '---');
      for (const e of b.vsixEntries.slice(0, 14)) row(`\`${e.file.replace(/^extension\//, '')}\``, mb(e.bytes), mb(e.compressed));
      L.push('');
    }
    L.push('```sh', 'node esbuild.js --production --outdir=.cache/bench/ext/dist   # bench/run.mjs stages package.json, README, LICENSE, media/ there', 'cd .cache/bench/ext && npx vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links', '```', '');
  }
  const notes = path.join(here, 'notes.md');
  if (fs.existsSync(notes)) L.push(fs.readFileSync(notes, 'utf8').trim(), '');
  return `${L.join('\n')}\n`;
}

// ------------------------------------------------------------------------------------------------ main

async function main() {
  if (argv.includes('--report-only')) {
    // Rewrites bench/results.md from the last run's raw data (after editing bench/notes.md, say).
    const last = JSON.parse(fs.readFileSync(path.join(WORK, 'results.json'), 'utf8'));
    ({ runs: RUNS, pyFiles: PY_FILES, copies: COPIES } = last.settings);
    fs.writeFileSync(path.join(here, 'results.md'), report(last.machine, last.results, last.load));
    log('rewrote bench/results.md from .cache/bench/results.json');
    return;
  }
  fs.mkdirSync(WORK, { recursive: true });
  const machine = describeMachine();
  const load = { start: os.loadavg(), end: null };
  log(`sections: ${[...only].join(', ')}; ${RUNS} runs per timed command; ${machine.cpu}, load ${load.start.map((x) => x.toFixed(1)).join('/')}`);
  const results = {};
  const ext = stageExtension();
  const ctx = { ext, cli: ext.cli };

  if (only.has('cold') || only.has('warm') || only.has('editor')) {
    const tree = prepareTrees({ out: path.join(WORK, 'tree'), copies: COPIES, pyFiles: PY_FILES, log });
    results.tree = tree;
    ctx.tree = tree.out;
  }
  if (only.has('cold') || only.has('warm')) {
    const info = tsxJson('scanInfo.ts', [ctx.tree]);
    for (const d of info.excludedDirs) if (!RENAMED_DIRS.has(d)) throw new Error(`bench/prepare-trees.mjs does not rename ${d}: update RENAMED_DIRS`);
    ctx.info = info;
    ctx.rg = findRipgrep();
    machine.ripgrep = version(ctx.rg);
  }
  if (only.has('cold')) results.cold = runCold(ctx);
  if (only.has('warm')) results.warm = runWarm(ctx, results.cold);
  if (only.has('incremental')) {
    log('incremental: 2,000-line file, 400 edits');
    results.incremental = tsxJson('incremental.ts', ['--iterations', '400', '--json']);
  }
  if (only.has('editor')) results.editor = runEditorSection(ctx);
  if (only.has('bundle')) results.bundle = runBundle(ext);
  load.end = os.loadavg();

  fs.writeFileSync(path.join(WORK, 'results.json'), `${JSON.stringify({ machine, load, settings: { runs: RUNS, pyFiles: PY_FILES, copies: COPIES }, results }, null, 2)}\n`);
  const md = report(machine, results, load);
  fs.writeFileSync(path.join(here, 'results.md'), md);
  const headline = md.slice(md.indexOf('## Headline'), md.indexOf('\n## ', md.indexOf('## Headline') + 5));
  console.log(`\n${headline.trim()}\n`);
  log(`wrote bench/results.md (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
