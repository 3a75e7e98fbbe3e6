/**
 * Editor figures in a real editor (code-server + chromium, through test/e2e/harness.ts):
 *
 *  - activation: the extension's own `costlens activated in N ms` log line;
 *  - the full workspace scan the extension starts on activation (its `scanned … in N ms` log line), and the extension
 *    host's longest event-loop stall inside that scan's time window, from an event-loop probe extension installed
 *    next to costlens (bench/probe-extension: a 5 ms drift timer with timestamps, and Node's monitorEventLoopDelay);
 *    baseline: the longest stall in an idle window after the scan;
 *  - open-to-lens: from starting Quick Open on a file with LLM calls to its first `.codelens-decoration`; baseline:
 *    the same Quick Open to the file's editor being visible.
 *
 *   node --import tsx bench/editor.ts --extension DIR --workspace DIR [--json]
 *
 * The workspace should be large (bench/run.mjs links the generated Python tree) and hold a costlens.yml, so the
 * extension activates at startup and scans it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEditor, type Editor } from '../test/e2e/harness';
import { stats, type Stats } from './incremental';

export interface EditorResult {
  codeServerVersion: string | null;
  startup: { serverReadyMs: number; workbenchMs: number; extensionHostReadyMs: number };
  activationMs: number;
  scan: { files: number; parsed: number; callSites: number; durationMs: number };
  stall: {
    maxMs: number;
    /** Longest thread-CPU time between two probe ticks in the window (null: Node without process.threadCpuUsage). */
    maxBusyMs: number | null;
    p99Ms: number | null;
    lateTicks: number;
    ticks: number;
    idleBaselineMaxMs: number;
    idleBaselineMaxBusyMs: number | null;
    idleWindowMs: number;
    nodeHistogram: unknown;
    /** The longest stalls, with when they happened. */
    top: Array<{ msAfterScanStart: number; lagMs: number; threadCpuMs: number | null }>;
    windowMs: number;
    /**
     * Stalls attributed with a CPU profile of the extension host's thread (sampled every 0.5 ms): which extension's
     * code ran during each. Null without a profile.
     */
    profile: {
      /** costlens's longest stall: the most thread CPU time (busy) of a stall during which its code ran most. */
      costlensStallMaxMs: number;
      /** That stall's lag. */
      costlensStallLagMs: number;
      /** The stalls with the most thread CPU time, with the extension whose code ran most during each. */
      longest: Array<{ msAfterScanStart: number; lagMs: number; threadCpuMs: number | null; owner: string }>;
    } | null;
  };
  openToLens: { files: string[]; lensMs: Stats; openMs: Stats };
}

const PROBE_DIR = path.join(__dirname, 'probe-extension');

/**
 * The harness installs one extension (by copying its files into <extensions>/<publisher.name-version>/). The probe is
 * installed next to it at the same moment, by following that copy: a folder is all VS Code needs to find an extension.
 */
function installProbeWithNextExtension(): () => void {
  // The module object itself (an `import * as` namespace is a read-only view of it).
  const nodeFs = require('node:fs') as typeof fs;
  const original = nodeFs.cpSync;
  const patched = ((source: string, destination: string, options?: fs.CopySyncOptions): void => {
    original(source, destination, options);
    if (path.basename(destination) === 'package.json' && /costlens\.costlens-/.test(path.basename(path.dirname(destination)))) {
      const probe = path.join(path.dirname(path.dirname(destination)), 'costlens-bench.eventloop-probe-0.0.1');
      original(PROBE_DIR, probe, { recursive: true });
    }
  }) as typeof fs.cpSync;
  nodeFs.cpSync = patched;
  return () => {
    nodeFs.cpSync = original;
  };
}

/** `2026-11-27 01:02:03.456 [info] message` → epoch ms (the log is written in local time). */
function logTime(line: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(line);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, s!, ms!).getTime();
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The extension a frame's code belongs to (`git`, `costlens.costlens-0.1.0`, …), `workbench` for VS Code's own, or null. */
function ownerOf(url: string): string | null {
  const ext = /\/extensions\/([^/]+)\//.exec(url);
  if (ext) return ext[1]!;
  if (/\/out\/vs\//.test(url)) return 'workbench';
  return null;
}

/**
 * Who caused each stall of the window: for every late probe tick (a stall), the CPU-profile samples of the thread during
 * that stall, and the extension whose code is on most of their stacks (`workbench` when only VS Code's own code or the
 * garbage collector ran). costlens's figure is its longest stall: the most thread CPU time (else lag) of a stall it
 * owned, or that no extension's code owned.
 */
function attributeStalls(file: string, profileStartedAt: number, late: Array<[number, number, number | null]>, from: number, to: number): NonNullable<EditorResult['stall']['profile']> {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownersCache = new Map<number, Set<string>>();
  const ownersOf = (id: number): Set<string> => {
    let found = ownersCache.get(id);
    if (found) return found;
    found = new Set();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const o = ownerOf(byId.get(x)!.callFrame.url);
      if (o && o !== 'workbench') found.add(o);
    }
    ownersCache.set(id, found);
    return found;
  };
  // Sample wall times.
  const times: number[] = [];
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    times.push(profileStartedAt + (t - p.startTime) / 1000);
  }
  const stalls = late
    .filter(([at]) => at >= from && at <= to)
    .map(([at, lag, cpu]) => {
      const counts = new Map<string, number>();
      for (let i = 0; i < times.length; i++) {
        if (times[i]! <= at - lag - 5 || times[i]! > at) continue;
        const node = byId.get(p.samples[i]!)!;
        if (node.callFrame.functionName === '(idle)' || node.callFrame.functionName === '(program)') continue;
        for (const o of ownersOf(node.id)) counts.set(o, (counts.get(o) ?? 0) + 1);
      }
      const owner = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'workbench';
      return { msAfterScanStart: Math.round(at - from), lagMs: lag, threadCpuMs: cpu, owner };
    });
  const figure = (s: (typeof stalls)[number]): number => s.threadCpuMs ?? s.lagMs;
  // Conservative: a stall with no extension's code on the stack (VS Code's own work, garbage collection, reading a
  // worker's message) may be costlens's doing, so it counts as costlens's; only stalls in another extension's code are not.
  const ours = stalls.filter((s) => s.owner.startsWith('costlens.costlens-') || s.owner === 'workbench').sort((a, b) => figure(b) - figure(a));
  return {
    costlensStallMaxMs: ours[0] ? figure(ours[0]) : 0,
    costlensStallLagMs: ours[0]?.lagMs ?? 0,
    longest: [...stalls].sort((a, b) => figure(b) - figure(a)).slice(0, 5),
  };
}

async function probeReport(editor: Editor, out: string): Promise<{ late: Array<[number, number, number | null]>; ticks: number; histogram: unknown; profile?: { file: string; startedAt: number } | null }> {
  fs.rmSync(out, { force: true });
  await editor.runCommand('Bench Probe: Write Event Loop Report');
  return waitFor('the probe report', 20_000, async () => (fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : null));
}

export async function runEditor(extensionDir: string, workspaceDir: string, lensFiles: string[], log: (m: string) => void = () => {}): Promise<EditorResult> {
  const probeOut = path.join(path.dirname(workspaceDir), 'probe-report.json');
  process.env.COSTLENS_BENCH_PROBE_OUT = probeOut;
  // The probe profiles the extension host's thread, so that a stall can be attributed to the code that caused it.
  process.env.COSTLENS_BENCH_PROFILE = '1';
  const restore = installProbeWithNextExtension();
  let editor: Editor;
  try {
    editor = await startEditor({ workspaceDir, extensionDevDir: extensionDir, startupTimeoutMs: 240_000, logLevel: 'info' });
  } finally {
    restore();
  }
  try {
    log(`editor up: workbench ${editor.timings.workbenchMs} ms, extension host ${editor.timings.extensionHostReadyMs} ms`);
    const activationLine = await waitFor('costlens activation', 120_000, async () => /costlens activated in (\d+) ms/.exec(await editor.extensionHostLog()));
    const activationMs = Number(activationLine[1]);
    log(`costlens activated in ${activationMs} ms; waiting for its workspace scan`);
    const scannedLine = await waitFor('the workspace scan', 15 * 60_000, async () => {
      const m = /^.*\[info\] scanned [^:]+: (\d+) files \((\d+) parsed, \d+ from cache\), (\d+) call sites in (\d+) ms.*$/m.exec(await editor.extensionHostLog());
      return m;
    });
    const scanEnd = logTime(scannedLine[0]);
    const scan = { files: Number(scannedLine[1]), parsed: Number(scannedLine[2]), callSites: Number(scannedLine[3]), durationMs: Number(scannedLine[4]) };
    log(`scan: ${scan.files} files, ${scan.parsed} parsed, ${scan.callSites} call sites in ${scan.durationMs} ms`);
    if (scanEnd === null) throw new Error(`no timestamp on the log line: ${scannedLine[0]}`);
    const during = await probeReport(editor, probeOut);
    const scanStart = scanEnd - scan.durationMs;
    // The window: from the scan's start to 2 s after its log line (the host publishes the results to every surface
    // right after logging it).
    const windowEnd = scanEnd + 2000;
    const window = during.late.filter(([t]) => t >= scanStart && t <= windowEnd);
    const inScan = window.map(([, lag]) => lag);
    // The longest the loop ran code between two ticks (thread CPU time): a stall that the extension host's own work
    // caused, as opposed to the thread waiting for a CPU on a loaded machine.
    const busy = window.map(([, , cpu]) => cpu).filter((c): c is number => c !== null);
    const topStalls = during.late
      .filter(([t]) => t >= scanStart && t <= windowEnd)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([t, lag, cpu]) => ({ msAfterScanStart: t - scanStart, lagMs: lag, threadCpuMs: cpu }));
    const ticksInScan = Math.round((windowEnd - scanStart) / 5);

    // Open-to-lens, after the scan (the analysis worker is idle).
    const lens: number[] = [];
    const open: number[] = [];
    for (const file of lensFiles) {
      const t0 = Date.now();
      await editor.openFile(file);
      open.push(Date.now() - t0);
      await editor.page.locator('.editor-group-container.active .codelens-decoration').first().waitFor({ state: 'visible', timeout: 60_000 });
      lens.push(Date.now() - t0);
      log(`${file}: editor ${open.at(-1)} ms, lens ${lens.at(-1)} ms after Quick Open`);
    }
    await editor.screenshot('bench-open-to-lens');

    // Idle baseline: the same probe over a quiet window.
    const idleStart = Date.now();
    const idleWindowMs = Math.min(scan.durationMs, 15_000);
    await new Promise((r) => setTimeout(r, idleWindowMs));
    const idle = await probeReport(editor, probeOut);
    const idleWindow = idle.late.filter(([t]) => t >= idleStart && t <= idleStart + idleWindowMs);
    const inIdle = idleWindow.map(([, lag]) => lag);
    const idleBusy = idleWindow.map(([, , cpu]) => cpu).filter((c): c is number => c !== null);

    let codeServerVersion: string | null = null;
    try {
      codeServerVersion = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.cache', 'e2e-tools', 'node_modules', 'code-server', 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not installed where expected
    }
    const sortedScan = [...inScan].sort((a, b) => a - b);
    return {
      codeServerVersion,
      startup: editor.timings,
      activationMs,
      scan,
      stall: {
        maxMs: sortedScan.at(-1) ?? 0,
        maxBusyMs: busy.length ? Math.max(...busy) : null,
        // Percentile over all ticks of the window (on-time ticks have lag < 2 ms and are not stored).
        p99Ms: sortedScan.length >= ticksInScan * 0.01 ? sortedScan[Math.max(0, sortedScan.length - Math.ceil(ticksInScan * 0.01))] ?? null : 0,
        lateTicks: inScan.length,
        ticks: ticksInScan,
        idleBaselineMaxMs: Math.max(0, ...inIdle),
        idleBaselineMaxBusyMs: idleBusy.length ? Math.max(...idleBusy) : null,
        idleWindowMs,
        nodeHistogram: during.histogram,
        top: topStalls,
        windowMs: windowEnd - scanStart,
        profile: during.profile ? attributeStalls(during.profile.file, during.profile.startedAt, during.late, scanStart, windowEnd) : null,
      },
      openToLens: { files: lensFiles, lensMs: stats(lens), openMs: stats(open) },
    };
  } finally {
    await editor.stop();
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const extension = opt('extension');
  const workspace = opt('workspace');
  const files = (opt('lens-files') ?? '').split(',').filter(Boolean);
  if (!extension || !workspace || files.length === 0) {
    console.error('usage: node --import tsx bench/editor.ts --extension DIR --workspace DIR --lens-files a.py,b.py [--json]');
    process.exit(2);
  }
  runEditor(path.resolve(extension), path.resolve(workspace), files, (m) => console.error(`[bench:editor] ${m}`)).then(
    (r) => {
      if (args.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
      else console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
