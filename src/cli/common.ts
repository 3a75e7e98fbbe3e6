/** What every `costlens` command shares: exit codes, I/O, and loading the workspace's usage file and prices. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPriceOverrides } from '../core/engine/loadConfig';
import type { PriceOverride } from '../core/pricing/catalogue';
import type { UsageConfig } from '../core/usage/schema';
import { formatUsageIssue, loadUsageFile } from '../core/usage/usageFile';
import packageJson from '../../package.json';

export const VERSION: string = packageJson.version;

export const EXIT = {
  OK: 0,
  /** The command ran but something failed (unreadable output path, internal error). */
  ERROR: 1,
  /** Wrong command-line arguments. */
  USAGE: 2,
  /** The usage file (costlens.yml) or a price file is invalid. */
  CONFIG: 3,
  /** `diff --fail-above`: the cost increase passes the budget. */
  BUDGET: 4,
  /** `calibrate`: a telemetry export is malformed or of an unknown format (nothing was imported). */
  BAD_EXPORT: 5,
} as const;

/**
 * Text from a workspace or a model endpoint (file names, model names, answers, server errors) as it may be printed to
 * a terminal: control characters — escape sequences that recolour, move the cursor, rewrite the clipboard (OSC 52) or
 * make links (OSC 8), carriage returns that overwrite a line — are shown as `\xNN` instead of acting. Tabs and line
 * breaks stay.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The `--root` folder, absolute; null (with the message on stderr) when it is not an existing folder. */
export function workspaceRoot(command: string, io: CliIo, value: string | undefined): string | null {
  const root = path.resolve(io.cwd, value ?? '.');
  if (fs.existsSync(root) && fs.statSync(root).isDirectory()) return root;
  io.stderr.write(`costlens ${command}: root folder ${root} does not exist\n`);
  return null;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  /** Environment (API keys for `compare`); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface WorkspaceConfig {
  usage: UsageConfig | undefined;
  usageFileName: string;
  /** Absolute path of the usage file, when there is one. */
  usagePath: string | null;
  priceOverrides: PriceOverride[];
}

/**
 * Loads the usage file (the given one, or costlens.yml at the root) and the price overrides it names. Problems are
 * written to stderr with file:line:column; the result is null when the command must stop (exit code CONFIG).
 */
export async function loadWorkspaceConfig(root: string, explicitUsage: string | undefined, io: CliIo): Promise<WorkspaceConfig | null> {
  const usageLoad = await loadUsageFile(root, explicitUsage);
  let usage: UsageConfig | undefined;
  let usageFileName = 'costlens.yml';
  let usagePath: string | null = null;
  let pricesFilePath: string | null = null;
  if (usageLoad.status === 'unreadable') {
    io.stderr.write(`${formatUsageIssue(usageLoad.issue)}\n`);
    return null;
  }
  if (usageLoad.status === 'loaded') {
    usagePath = usageLoad.path;
    usageFileName = path.relative(root, usageLoad.path) || path.basename(usageLoad.path);
    if (!usageLoad.result.ok) {
      for (const issue of usageLoad.result.issues) io.stderr.write(`${formatUsageIssue({ ...issue, file: path.relative(io.cwd, issue.file) || issue.file })}\n`);
      io.stderr.write(`costlens: the usage file is invalid; fix it and run again\n`);
      return null;
    }
    for (const w of usageLoad.result.warnings) io.stderr.write(`${formatUsageIssue(w)}\n`);
    usage = usageLoad.result.config;
    pricesFilePath = usageLoad.pricesFilePath;
  }
  const overrides = loadPriceOverrides(usage, pricesFilePath, usageFileName);
  if (!overrides.ok) {
    for (const e of overrides.errors) io.stderr.write(`${e}\n`);
    return null;
  }
  return { usage, usageFileName, usagePath, priceOverrides: overrides.overrides };
}

export const HELP = `costlens ${VERSION} — find the LLM calls in a codebase and what they cost

Usage:
  costlens <command> [options]        (costlens <command> --help for each command's options)

Commands:
  scan       find the LLM call sites of a workspace and what they cost (default table; json, markdown, sarif)
  report     the cost report: per feature and model, ranges, suggestions, assumptions (html, markdown, json, csv)
  estimate   what a feature would cost before it is built, on several models, with batch and caching variants
  diff       the cost change between two git revisions or two scan files, for pull requests
  compare    run one prompt on several models: real usage, cost, latency, quality
  calibrate  import production telemetry and replace assumptions with measured traffic and tokens

costlens scan [paths...] [options]:
  --format <table|json|markdown|sarif>   output format (default: table)
  --out <file>                           write the output to a file instead of stdout
  --root <dir>                           workspace root; call-site paths are relative to it (default: .)
  --usage <file>                         usage file with traffic assumptions (default: costlens.yml at the root)
  --exclude <glob>                       skip files matching a glob (repeatable)
  --skip-tests                           skip test folders and test files
  --max-file-size <bytes>                skip larger files (default: 1000000)
  --no-gitignore                         scan files that .gitignore excludes
  --cache <file>                         keep detection per file in <file>; the next scan re-reads only what changed
  --jobs <n>                             worker threads for the scan (default: one per CPU; 1: no workers)
  --quiet                                no progress on stderr
  -h, --help                             show this help
  -v, --version                          show the version

Exit codes:
  0  success
  1  runtime error (e.g. the output file cannot be written)
  2  invalid command-line arguments
  3  invalid usage file or price file (the errors are printed with file, line and field)
  4  diff --fail-above: the cost increase is above the budget
  5  calibrate: a telemetry export is malformed or of an unknown format (nothing is imported)

Examples:
  costlens scan
  costlens scan src --format markdown --out cost.md
  costlens scan --format json | jq '.totals'
`;
