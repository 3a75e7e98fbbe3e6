/**
 * `costlens diff BASE [HEAD]`: what a change does to the estimated LLM cost. BASE and HEAD are git revisions (each
 * scanned with its own code and costlens.yml in a temporary folder) or scan JSON files; HEAD defaults to the working
 * tree. Markdown for a pull-request comment, JSON, or SARIF; `--fail-above USD` exits with 4 when the monthly increase
 * is above the budget.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { diffScans, diffSideFromJson, diffSideFromScan, diffSummaryLine, DiffInputError, renderDiffJson, renderDiffMarkdown, renderDiffSarif, type DiffSide } from '../core/report/diff';
import { gitTopLevel, GitRevisionError, materializeRevision } from '../core/report/gitRevision';
import { EXIT, VERSION, loadWorkspaceConfig, workspaceRoot, type CliIo } from './common';
import { maxFileBytesOf, scanWith, SCAN_OPTIONS, type ScanFlags } from './report';

export const DIFF_HELP = `costlens diff BASE [HEAD] [options] — the cost change between two revisions

BASE and HEAD are git revisions (origin/main, HEAD~1, a tag or a commit) or files written by
\`costlens scan --format json\`. Without HEAD, BASE is compared with the working tree.

Options:
  --format <markdown|json|sarif>   output format (default: markdown, for a pull-request comment)
  --out <file>                     write the output to a file instead of stdout
  --fail-above <usd>               exit with code 4 when the monthly increase is above this many USD
  --root <dir>                     the folder to scan in each revision (default: .)
  --usage <file>                   usage file, relative to the root (default: costlens.yml of each revision)
  --exclude, --skip-tests, --max-file-size, --no-gitignore, --quiet   as for scan

Exit codes: 0 done, 1 runtime error, 2 bad arguments or unknown revision, 3 invalid usage file, 4 over budget.

Examples:
  costlens diff origin/main HEAD --format markdown --out cost-diff.md --fail-above 500
  costlens diff base.json head.json --format json
`;

export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { ...SCAN_OPTIONS, format: { type: 'string', default: 'markdown' }, out: { type: 'string' }, 'fail-above': { type: 'string' } },
    });
  } catch (err) {
    io.stderr.write(`costlens diff: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(DIFF_HELP);
    return EXIT.OK;
  }
  const fail = (message: string, code: number = EXIT.USAGE): number => {
    io.stderr.write(`costlens diff: ${message}\n`);
    return code;
  };
  if (positionals.length < 1 || positionals.length > 2) return fail('give BASE and optionally HEAD (git revisions or scan JSON files)');
  const format = values.format!;
  if (!['markdown', 'md', 'json', 'sarif'].includes(format)) return fail(`--format must be markdown, json or sarif (got '${format}')`);
  let budget: number | undefined;
  if (values['fail-above'] !== undefined) {
    budget = Number(values['fail-above'].replace(/^\$/, ''));
    if (!Number.isFinite(budget) || budget < 0) return fail(`--fail-above must be an amount of USD per month such as 500 (got '${values['fail-above']}')`);
  }
  const maxBytes = maxFileBytesOf(values);
  if (typeof maxBytes === 'string') return fail(maxBytes);
  const root = workspaceRoot('diff', io, values.root);
  if (root === null) return EXIT.USAGE;

  const [baseArg, headArg] = positionals as [string, string | undefined];
  let base: DiffSide;
  let head: DiffSide;
  try {
    const b = await loadSide(baseArg, root, values.usage, values, io);
    if (typeof b === 'number') return b;
    base = b;
    const h = headArg === undefined ? await scanWorkingTree(root, values.usage, values, io) : await loadSide(headArg, root, values.usage, values, io);
    if (typeof h === 'number') return h;
    head = h;
  } catch (err) {
    if (err instanceof GitRevisionError || err instanceof DiffInputError) return fail(err.message);
    throw err;
  }

  const d = diffScans(base, head);
  if (budget !== undefined) d.budget = { limitUsd: budget, exceeded: d.totalDeltaUsd > budget };
  let top: string | null = null;
  try {
    top = gitTopLevel(root);
  } catch {
    top = null; // no git: paths stay relative to the root
  }
  const uriPrefix = top ? path.relative(fs.realpathSync(top), fs.realpathSync(root)).split(path.sep).join('/') : '';
  const output = format === 'json' ? renderDiffJson(d) : format === 'sarif' ? renderDiffSarif(d, VERSION, uriPrefix ? `${uriPrefix}/` : '') : renderDiffMarkdown(d);
  if (values.out) {
    try {
      fs.writeFileSync(path.resolve(io.cwd, values.out), output);
    } catch (err) {
      return fail(`cannot write ${values.out}: ${(err as Error).message}`, EXIT.ERROR);
    }
    if (!values.quiet) io.stderr.write(`${diffSummaryLine(d)}\ncostlens: wrote ${values.out}\n`);
  } else io.stdout.write(output);
  if (d.budget?.exceeded) {
    io.stderr.write(`costlens diff: the monthly increase (${d.totalDeltaUsd.toFixed(2)} USD) is above --fail-above ${budget} USD\n`);
    return EXIT.BUDGET;
  }
  return EXIT.OK;
}

type SideResult = DiffSide | number;

/** A scan JSON file, or a git revision of the root folder. */
async function loadSide(arg: string, root: string, usage: string | undefined, flags: ScanFlags, io: CliIo): Promise<SideResult> {
  const asFile = path.resolve(io.cwd, arg);
  if (fs.existsSync(asFile) && fs.statSync(asFile).isFile()) {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(asFile, 'utf8'));
    } catch (err) {
      throw new DiffInputError(`${arg}: not a JSON file (${(err as Error).message}); give a git revision or the output of costlens scan --format json`);
    }
    return diffSideFromJson(arg, data);
  }
  const rev = await materializeRevision(root, arg);
  try {
    if (!rev.existed) return { label: arg, commit: rev.commit, sites: [], suggestions: [] };
    const config = await loadWorkspaceConfig(rev.root, usage, { ...io, cwd: rev.root });
    if (!config) {
      io.stderr.write(`costlens diff: the usage file of revision ${arg} is invalid\n`);
      return EXIT.CONFIG;
    }
    const { result } = await scanWith(rev.root, config, [], flags, io);
    return diffSideFromScan(arg, result, rev.commit);
  } finally {
    rev.cleanup();
  }
}

async function scanWorkingTree(root: string, usage: string | undefined, flags: ScanFlags, io: CliIo): Promise<SideResult> {
  const config = await loadWorkspaceConfig(root, usage, io);
  if (!config) return EXIT.CONFIG;
  const { result } = await scanWith(root, config, [], flags, io);
  return diffSideFromScan('working tree', result);
}
