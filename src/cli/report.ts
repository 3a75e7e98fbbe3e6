/**
 * `costlens report`: the workspace cost report (totals with ranges, cost per feature and per model, top call sites,
 * suggestions, assumptions, price sources) as Markdown, self-contained HTML, JSON or CSV — optionally under a what-if
 * scenario, which can be saved into costlens.yml.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CostEngine, type ScanResult } from '../core/engine/engine';
import { formatMoneyCompact } from '../core/format';
import { buildReport } from '../core/report/reportModel';
import { renderReportCsv, renderReportHtml, renderReportJson, renderReportMarkdown } from '../core/report/renderReport';
import { applyScenario, isBaseline, parseScenario, SCENARIO_NAME, SCENARIO_NAME_RULE, scenarioFromSpec, scenarioToSpec, type Scenario } from '../core/report/scenario';
import { saveScenarioToFile } from '../core/report/scenarioFile';
import { UsageFileEditError } from '../core/usage/editUsageFile';
import { EXIT, VERSION, loadWorkspaceConfig, workspaceRoot, type CliIo, type WorkspaceConfig } from './common';

export const REPORT_HELP = `costlens report [paths...] [options] — the workspace cost report

Options:
  --format <markdown|html|json|csv>   output format (default: markdown); html is one self-contained file
  --out <file>                        write the report to a file instead of stdout
  --top <n>                           number of top call sites listed (default: 10)
  --title <text>                      title of the report
  --root, --usage, --exclude, --skip-tests, --max-file-size, --no-gitignore, --quiet   as for scan

What-if (re-estimates every call site; see "What-if scenarios" in the README):
  --scenario <name>                   apply scenarios.<name> from costlens.yml (the options below change it)
  --traffic <multiplier>              traffic multiplier, e.g. 10 or 10x
  --feature-model <feature=model>     use another model for a feature (or a folder such as api/); repeatable
  --cache-hit <rate>                  prompt-cache hit rate for every call site (0.5 or 50%)
  --batch-share <rate>                share of requests of non-interactive call sites through the Batch API
  --routed-share <rate>               share a router sends to a cheaper model where costlens suggests routing
  --save-scenario <name>              save the what-if into costlens.yml as scenarios.<name> (comments kept)

Examples:
  costlens report --format html --out cost-report.html
  costlens report --traffic 10x --feature-model answers=gpt-4o-mini --format markdown
  costlens report --scenario launch --format csv --out launch.csv
`;

/** Options shared by the commands that scan a workspace. */
export const SCAN_OPTIONS = {
  root: { type: 'string' },
  usage: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  'skip-tests': { type: 'boolean', default: false },
  'max-file-size': { type: 'string' },
  'no-gitignore': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ScanFlags {
  exclude?: string[] | undefined;
  'skip-tests'?: boolean | undefined;
  'max-file-size'?: string | undefined;
  'no-gitignore'?: boolean | undefined;
  quiet?: boolean | undefined;
}

/** Parses --max-file-size; an error message for a bad value. */
export function maxFileBytesOf(flags: ScanFlags): number | undefined | string {
  if (flags['max-file-size'] === undefined) return undefined;
  const n = Number(flags['max-file-size']);
  return Number.isFinite(n) && n > 0 ? n : '--max-file-size must be a positive number of bytes';
}

/** Scans `root` with its configuration, with progress on a terminal. The engine is disposed; `tokens` kept on request. */
export async function scanWith(root: string, config: WorkspaceConfig, targets: string[], flags: ScanFlags, io: CliIo, keepEngine = false): Promise<{ result: ScanResult; engine: CostEngine | null }> {
  const maxFileBytes = maxFileBytesOf(flags);
  const engine = await CostEngine.create({
    root,
    usage: config.usage,
    usageFileName: config.usageFileName,
    priceOverrides: config.priceOverrides,
    filters: { exclude: flags.exclude, skipTests: flags['skip-tests'], maxFileBytes: typeof maxFileBytes === 'number' ? maxFileBytes : undefined, respectGitignore: !flags['no-gitignore'] },
  });
  const showProgress = !flags.quiet && (io.stderr as NodeJS.WriteStream).isTTY === true;
  let last = 0;
  const result = await engine.scan(targets, {
    onProgress: (p) => {
      if (!showProgress || Date.now() - last < 100) return;
      last = Date.now();
      io.stderr.write(`\rscanning ${p.done}/${p.total} ${p.file.slice(-60).padEnd(60)}`);
    },
  });
  if (showProgress) io.stderr.write('\r\x1b[K');
  if (!keepEngine) {
    engine.dispose();
    return { result, engine: null };
  }
  return { result, engine };
}

/** `0.3`, `30%` → 0.3; null when not a share. */
export function parseShare(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]) / (m[2] ? 100 : 1);
  return v >= 0 && v <= 1 ? v : null;
}

/** The date the report says it was generated: SOURCE_DATE_EPOCH (reproducible builds) or now. */
export function generatedAtOf(env: NodeJS.ProcessEnv | undefined): Date {
  const epoch = env?.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date();
}

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...SCAN_OPTIONS,
        format: { type: 'string', default: 'markdown' },
        out: { type: 'string' },
        top: { type: 'string' },
        title: { type: 'string' },
        scenario: { type: 'string' },
        traffic: { type: 'string' },
        'feature-model': { type: 'string', multiple: true },
        'cache-hit': { type: 'string' },
        'batch-share': { type: 'string' },
        'routed-share': { type: 'string' },
        'save-scenario': { type: 'string' },
      },
    });
  } catch (err) {
    io.stderr.write(`costlens report: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(REPORT_HELP);
    return EXIT.OK;
  }
  const fail = (message: string): number => {
    io.stderr.write(`costlens report: ${message}\n`);
    return EXIT.USAGE;
  };
  const format = values.format!;
  if (!['markdown', 'md', 'html', 'json', 'csv'].includes(format)) return fail(`--format must be markdown, html, json or csv (got '${format}')`);
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top < 0) return fail('--top must be a whole number');
  const maxBytes = maxFileBytesOf(values);
  if (typeof maxBytes === 'string') return fail(maxBytes);
  const root = workspaceRoot('report', io, values.root);
  if (root === null) return EXIT.USAGE;

  const config = await loadWorkspaceConfig(root, values.usage, io);
  if (!config) return EXIT.CONFIG;

  // ---- the what-if, if any: a saved scenario changed by the flags
  let scenario: Scenario | null = null;
  if (values.scenario !== undefined) {
    const spec = config.usage?.scenarios[values.scenario];
    if (!spec) {
      const known = Object.keys(config.usage?.scenarios ?? {});
      return fail(`no scenario '${values.scenario}' in ${config.usageFileName}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    }
    scenario = scenarioFromSpec(values.scenario, spec);
  }
  const adHoc: Record<string, unknown> = {};
  if (values.traffic !== undefined) {
    const k = Number(values.traffic.replace(/x$/i, ''));
    if (!Number.isFinite(k) || k <= 0) return fail(`--traffic must be a multiplier above 0 such as 10 or 10x (got '${values.traffic}')`);
    adHoc.trafficMultiplier = k;
  }
  for (const [flag, key] of [['cache-hit', 'cacheHitRate'], ['batch-share', 'batchShare'], ['routed-share', 'routedShare']] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const v = parseShare(text);
    if (v === null) return fail(`--${flag} must be a share between 0 and 1 or a percentage (0.3 or 30%), got '${text}'`);
    adHoc[key] = v;
  }
  const featureModels: Record<string, string> = {};
  for (const fm of values['feature-model'] ?? []) {
    const eq = fm.indexOf('=');
    if (eq <= 0 || eq === fm.length - 1) return fail(`--feature-model takes feature=model (got '${fm}')`);
    featureModels[fm.slice(0, eq).trim()] = fm.slice(eq + 1).trim();
  }
  if (Object.keys(featureModels).length) adHoc.featureModels = featureModels;
  if (Object.keys(adHoc).length) {
    const base = scenario ? scenarioToSpec(scenario) : {};
    const checked = parseScenario({ ...base, ...adHoc, featureModels: { ...(base.featureModels ?? {}), ...featureModels } });
    if (!checked.ok) return fail(checked.errors.join('; '));
    scenario = checked.scenario;
  }
  if (values['save-scenario'] !== undefined && !SCENARIO_NAME.test(values['save-scenario'])) return fail(`--save-scenario: ${SCENARIO_NAME_RULE}`);
  if (values['save-scenario'] !== undefined && (!scenario || isBaseline(scenario))) {
    return fail('--save-scenario needs a what-if to save (--traffic, --feature-model, --cache-hit, --batch-share, --routed-share or --scenario)');
  }
  if (scenario) scenario.name = values['save-scenario'] ?? values.scenario;

  const { result, engine } = await scanWith(root, config, positionals, values, io, scenario !== null);
  let output: string;
  try {
    const outcome = scenario && engine ? applyScenario(result, scenario, { tokenizer: engine.tokenizer, prices: engine.prices, usage: config.usage, usageFileName: config.usageFileName }) : undefined;
    for (const n of outcome?.notes ?? []) io.stderr.write(`costlens report: warning: ${n}\n`);
    const report = buildReport(result, config.usage, {
      generatedAt: generatedAtOf(io.env ?? process.env),
      workspace: path.basename(root),
      toolVersion: VERSION,
      topSites: top,
      title: values.title,
      scenario: outcome,
    });
    output =
      format === 'html' ? renderReportHtml(report) : format === 'json' ? renderReportJson(report) : format === 'csv' ? renderReportCsv(report) : renderReportMarkdown(report);

    if (values['save-scenario'] !== undefined && scenario) {
      const file = config.usagePath ?? path.join(root, 'costlens.yml');
      try {
        const saved = await saveScenarioToFile(file, values['save-scenario'], scenario);
        if (!values.quiet) io.stderr.write(`costlens: ${saved.created ? 'created' : 'updated'} ${path.relative(io.cwd, file) || file} with scenarios.${values['save-scenario']}\n`);
      } catch (err) {
        io.stderr.write(`costlens report: cannot save the scenario: ${(err as Error).message}\n`);
        return err instanceof UsageFileEditError ? EXIT.CONFIG : EXIT.ERROR;
      }
    }
    if (values.out) {
      try {
        fs.writeFileSync(path.resolve(io.cwd, values.out), output);
      } catch (err) {
        io.stderr.write(`costlens report: cannot write ${values.out}: ${(err as Error).message}\n`);
        return EXIT.ERROR;
      }
      if (!values.quiet) io.stderr.write(`costlens: wrote ${values.out} (${report.totals.callSites} call sites, ${formatMoneyCompact(report.totals.monthlyUsd.expected)}/mo${report.scenario ? ' with the what-if' : ''})\n`);
    } else io.stdout.write(output);
  } finally {
    engine?.dispose();
  }
  return EXIT.OK;
}
