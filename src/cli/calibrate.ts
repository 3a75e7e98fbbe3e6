/**
 * `costlens calibrate FILES...`: import production telemetry (OpenTelemetry GenAI spans, LiteLLM spend logs, Langfuse
 * observations, Helicone requests, OpenAI usage), match it to the workspace's call sites, and show what each site
 * really did against what costlens assumed; with `--write`, save the measurements as `measured` blocks in
 * costlens.yml (comments and the team's own figures kept; the file is replaced atomically under a lock).
 *
 * All or nothing: a malformed export stops the command before anything is written (exit code 5).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { calibrate, type CalibrationResult, type SiteCalibration } from '../core/calibrate/calibrate';
import { measuredBlocksOf } from '../core/calibrate/index';
import { formatErrorPct } from '../core/calibrate/present';
import { TelemetryImportError, type TelemetryFormatId } from '../core/calibrate/types';
import { setMeasuredBlocks } from '../core/calibrate/writeMeasured';
import { CostEngine, type EstimatedCallSite } from '../core/engine/engine';
import { estimateSite, type SiteEstimate } from '../core/estimate/estimate';
import { compactNumber, formatMoneyCompact } from '../core/format';
import { UsageFileEditError } from '../core/usage/editUsageFile';
import { updateFileLocked } from '../core/usage/lockedUpdate';
import type { UsageConfig } from '../core/usage/schema';
import { formatUsageIssue, parseUsageFile } from '../core/usage/usageFile';
import { EXIT, loadWorkspaceConfig, workspaceRoot, type CliIo } from './common';

/** Exit code of `calibrate` when an export is unreadable, malformed or of an unknown format (nothing is written). */
export const EXIT_BAD_EXPORT = EXIT.BAD_EXPORT;

const INPUT_FORMATS: readonly TelemetryFormatId[] = ['otel', 'litellm', 'langfuse', 'helicone', 'openai-usage'];

export const CALIBRATE_HELP = `Usage:
  costlens calibrate <export files...> [options]

Reads production telemetry, matches it to the call sites of the workspace, and compares what each call site really
did (requests/day, tokens, cache hits, models, cost) with the estimate from your assumptions.

Formats (detected): OpenTelemetry GenAI spans (OTLP JSON, JSON lines), LiteLLM spend logs (JSON, CSV),
Langfuse observations (JSON, CSV), Helicone requests (JSON, JSON lines, CSV), OpenAI usage (completions API pages).
Gzipped files are read as they are.

Calibrate options:
  --write                       save the measurements into costlens.yml (measured: blocks; comments kept)
  --format <table|json>         output format (default: table)
  --root <dir>                  workspace root (default: .)
  --usage <file>                usage file (default: costlens.yml at the root)
  --input-format <format>       skip detection: otel, litellm, langfuse, helicone or openai-usage
  --exclude <glob>              skip source files matching a glob when scanning (repeatable)
  --skip-tests                  skip test folders and test files when scanning
  --quiet                       no progress on stderr
  -h, --help                    show this help

Exit codes: 0 success, 1 runtime error, 2 invalid arguments, 3 invalid usage file,
            5 an export is malformed or of an unknown format (nothing was written)
`;

export async function calibrateCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        write: { type: 'boolean', default: false },
        format: { type: 'string', default: 'table' },
        root: { type: 'string' },
        usage: { type: 'string' },
        'input-format': { type: 'string' },
        exclude: { type: 'string', multiple: true },
        'skip-tests': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr.write(`costlens calibrate: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(CALIBRATE_HELP);
    return EXIT.OK;
  }
  const format = values.format!;
  if (format !== 'table' && format !== 'json') {
    io.stderr.write(`costlens calibrate: --format must be table or json (got '${format}')\n`);
    return EXIT.USAGE;
  }
  const inputFormat = values['input-format'] as TelemetryFormatId | undefined;
  if (inputFormat !== undefined && !INPUT_FORMATS.includes(inputFormat)) {
    io.stderr.write(`costlens calibrate: --input-format must be one of ${INPUT_FORMATS.join(', ')} (got '${inputFormat}')\n`);
    return EXIT.USAGE;
  }
  if (positionals.length === 0) {
    io.stderr.write(`costlens calibrate: name at least one export file\n\n${CALIBRATE_HELP}`);
    return EXIT.USAGE;
  }
  const root = workspaceRoot('calibrate', io, values.root);
  if (root === null) return EXIT.USAGE;

  const config = await loadWorkspaceConfig(root, values.usage, io);
  if (!config) return EXIT.CONFIG;
  const engine = await CostEngine.create({
    root,
    usage: config.usage,
    usageFileName: config.usageFileName,
    priceOverrides: config.priceOverrides,
    filters: { exclude: values.exclude, skipTests: values['skip-tests'] },
  });
  const showProgress = !values.quiet && (io.stderr as NodeJS.WriteStream).isTTY === true;
  try {
    const scan = await engine.scan([]);
    let result: CalibrationResult;
    try {
      result = await calibrate({
        files: positionals.map((f) => path.resolve(io.cwd, f)),
        sites: scan.callSites,
        usage: config.usage,
        prices: engine.prices,
        cwd: io.cwd,
        format: inputFormat,
        onProgress: showProgress
          ? (p) => io.stderr.write(`\rreading ${p.file.slice(-50)} ${p.totalBytes ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 0}% (${compactNumber(p.records)} records)\x1b[K`)
          : undefined,
      });
    } catch (error) {
      if (showProgress) io.stderr.write('\r\x1b[K');
      if (error instanceof TelemetryImportError) {
        io.stderr.write(`${error.message}\ncostlens calibrate: nothing was imported${values.write ? `; ${config.usageFileName} is unchanged` : ''}\n`);
        return EXIT_BAD_EXPORT;
      }
      throw error;
    }
    if (showProgress) io.stderr.write('\r\x1b[K');

    // The measured blocks, applied to the usage file's text and read back: the estimate with measurements, and a
    // check that what --write would save is a valid usage file.
    const usagePath = config.usagePath ?? path.join(root, 'costlens.yml');
    const blocks = measuredBlocksOf(result);
    const currentText = fs.existsSync(usagePath) ? fs.readFileSync(usagePath, 'utf8') : '';
    let calibratedUsage: UsageConfig;
    try {
      calibratedUsage = validatedUsage(setMeasuredBlocks(currentText, blocks), config.usageFileName);
    } catch (error) {
      io.stderr.write(`costlens calibrate: cannot add the measurements to ${config.usageFileName}: ${(error as Error).message}\n`);
      return EXIT.ERROR;
    }
    const sitesById = new Map(scan.callSites.map((s) => [s.id, s]));
    const ctx = { tokenizer: engine.tokenizer, prices: engine.prices, usage: calibratedUsage, usageFileName: config.usageFileName };
    const calibrated = new Map<string, SiteEstimate>();
    for (const s of result.sites) {
      const site = sitesById.get(s.id);
      if (site) calibrated.set(s.id, estimateSite(site, ctx));
    }

    let written: string | null = null;
    if (values.write && blocks.length > 0) {
      try {
        await updateFileLocked(usagePath, (text) => {
          const next = setMeasuredBlocks(text, blocks);
          validatedUsage(next, config.usageFileName);
          return next;
        });
        written = usagePath;
      } catch (error) {
        const reason = error instanceof UsageFileEditError ? error.message : `${(error as Error).message}`;
        io.stderr.write(`costlens calibrate: ${config.usageFileName} was not changed: ${reason}\n`);
        return EXIT.ERROR;
      }
    }

    const out = format === 'json' ? `${JSON.stringify(calibrationJson(result, scan.callSites, calibrated, written, root), null, 2)}\n` : renderCalibrationTable(result, scan.callSites, calibrated, { written: written ? path.relative(io.cwd, written) || written : null, write: values.write === true, usageFileName: config.usageFileName });
    io.stdout.write(out);
    return EXIT.OK;
  } finally {
    engine.dispose();
  }
}

/** Parses usage-file text that calibration produced; throws with the first problem when it is not valid. */
function validatedUsage(text: string, fileName: string): UsageConfig {
  const parsed = parseUsageFile(text, fileName);
  if (!parsed.ok) throw new Error(parsed.issues.filter((i) => i.severity === 'error').map(formatUsageIssue).join('; '));
  return parsed.config;
}

// ---------------------------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------------------------

const count = (n: number): string => (Number.isInteger(n) || n >= 100 ? compactNumber(Math.round(n)) : n.toFixed(n < 10 ? 2 : 1));
const pctText = (x: number): string => `${Math.round(x * 100)}%`;

function durationText(days: number): string {
  const [n, unit] = days >= 1 ? [Number(days.toFixed(1)), 'day'] : [Number((days * 24).toFixed(1)), 'hour'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function matchedByText(s: SiteCalibration): string {
  const parts = (Object.entries(s.matchedBy) as [string, number][]).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${count(n)}`);
  return parts.join(', ') + (s.splitRequests > 0 ? ' (split)' : '');
}

/** The terminal report: files, per-site measured vs assumed, what did not match, warnings, and what was written. */
export function renderCalibrationTable(
  result: CalibrationResult,
  sites: readonly EstimatedCallSite[],
  calibrated: ReadonlyMap<string, SiteEstimate>,
  options: { written: string | null; write: boolean; usageFileName: string },
): string {
  const out: string[] = [];
  const byId = new Map(sites.map((s) => [s.id, s]));
  const w = result.window;
  const ignored = result.files.reduce((n, f) => n + Object.values(f.ignored).reduce((a, b) => a + b, 0), 0);
  out.push(
    `Imported ${result.files.length} file${result.files.length === 1 ? '' : 's'}: ${count(result.totals.records)} record${result.totals.records === 1 ? '' : 's'}, ${count(result.totals.requests)} requests` +
      (ignored ? `, ${count(ignored)} item${ignored === 1 ? '' : 's'} ignored` : '') +
      (w ? `; window ${w.from.slice(0, 16).replace('T', ' ')} → ${w.to.slice(0, 16).replace('T', ' ')} UTC (${durationText(w.days)})` : ''),
  );
  for (const f of result.files) {
    const ign = Object.entries(f.ignored).map(([reason, n]) => `${n} × ${reason}`).join('; ');
    out.push(`  ${f.name}: ${f.formatLabel ?? 'unknown'}${f.compressed ? ' (gzip)' : ''}, ${count(f.items)} items → ${count(f.records)} records${ign ? ` (ignored: ${ign})` : ''}`);
  }
  out.push('');
  if (result.sites.length === 0) out.push('No record matched a call site.');
  else {
    const header = ['call site', 'matched by', 'req/day', 'assumed', 'in med/p90', 'out med/p90', 'cache', 'models', 'actual/mo', 'assumed/mo', 'error', 'calibrated/mo'];
    const rows = result.sites.map((s) => {
      const site = byId.get(s.id);
      const assumedPerDay = site?.estimate ? (site.estimate.calibration ? site.estimate.calibration.before.requestsPerMonth : site.estimate.requestsPerMonth) / result.daysPerMonth : null;
      const after = calibrated.get(s.id);
      const models = Object.keys(s.models);
      return [
        `${s.file}:${s.line}${site?.enclosingFunction ? ` ${site.enclosingFunction}` : ''}`,
        matchedByText(s),
        count(s.requestsPerDay),
        assumedPerDay === null ? '—' : count(assumedPerDay),
        s.inputTokens ? `${Math.round(s.inputTokens.median)}/${Math.round(s.inputTokens.p90)}` : '—',
        s.outputTokens ? `${Math.round(s.outputTokens.median)}/${Math.round(s.outputTokens.p90)}` : '—',
        s.cacheHitShare === null ? '—' : pctText(s.cacheHitShare),
        models.length === 0 ? '—' : models.length === 1 ? models[0] : `${models[0]} +${models.length - 1}`,
        s.actualMonthlyCostUsd === null ? 'unknown' : formatMoneyCompact(s.actualMonthlyCostUsd),
        s.estimateBeforeUsd === null ? 'unpriced' : formatMoneyCompact(s.estimateBeforeUsd),
        formatErrorPct(s.errorPct),
        after?.monthlyCostUsd == null ? '—' : formatMoneyCompact(after.monthlyCostUsd),
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const right = new Set([2, 3, 8, 9, 10, 11]);
    const fmt = (r: string[]): string => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
    out.push(fmt(header));
    for (const r of rows) out.push(fmt(r));
    out.push('');
    out.push('error = (assumed − actual) ÷ actual: how far the estimate from your assumptions was from what the site really cost.');
    out.push('calibrated = the estimate with the measured traffic and token medians.');
  }
  const u = result.unmatched;
  if (u.requests > 0) {
    out.push('');
    out.push(`Not matched to a call site: ${count(u.requests)} requests (${pctText(u.requests / Math.max(1, result.totals.requests))})${u.actualMonthlyCostUsd !== null ? `, ${formatMoneyCompact(u.actualMonthlyCostUsd)}/mo` : ''}`);
    const list = (title: string, tallies: { key: string; requests: number }[]): void => {
      if (tallies.length) out.push(`  ${title}: ${tallies.map((t) => `${t.key} (${count(t.requests)})`).join(', ')}`);
    };
    list('why', u.byReason);
    list('models', u.byModel);
    list('locations', u.byLocation);
    list('tags', u.byTag);
    list('trace names', u.byTraceName);
    for (const s of u.suggestions) out.push(`  hint: to map them, add to ${options.usageFileName}: ${s}`);
  }
  if (result.warnings.length) {
    out.push('');
    for (const warning of result.warnings) out.push(`warning: ${warning}`);
  }
  if (result.untouchedMeasured.length) {
    out.push('');
    out.push(`${result.untouchedMeasured.length} call site${result.untouchedMeasured.length === 1 ? ' keeps its' : 's keep their'} measured figures from an earlier import: ${result.untouchedMeasured.join(', ')}`);
  }
  out.push('');
  if (options.written) out.push(`Wrote measured figures for ${result.sites.length} call site${result.sites.length === 1 ? '' : 's'} to ${options.written}.`);
  else if (result.sites.length > 0) out.push(options.write ? 'Nothing to write.' : `Run again with --write to save these measurements in ${options.usageFileName}.`);
  return `${out.join('\n')}\n`;
}

/** `--format json`: the calibration result with the assumed, calibrated and actual monthly costs of each site. */
export function calibrationJson(result: CalibrationResult, sites: readonly EstimatedCallSite[], calibrated: ReadonlyMap<string, SiteEstimate>, written: string | null, root: string) {
  const byId = new Map(sites.map((s) => [s.id, s]));
  return {
    schemaVersion: 1,
    window: result.window,
    source: result.source,
    files: result.files.map((f) => ({ file: f.name, format: f.format, formatLabel: f.formatLabel, container: f.container, compressed: f.compressed, items: f.items, records: f.records, ignored: f.ignored })),
    callSites: result.sites.map((s) => {
      const site = byId.get(s.id);
      const after = calibrated.get(s.id);
      return {
        id: s.id,
        file: s.file,
        line: s.line,
        enclosingFunction: site?.enclosingFunction ?? null,
        matchedBy: s.matchedBy,
        splitRequests: s.splitRequests,
        requests: s.requests,
        requestsPerDay: s.requestsPerDay,
        inputTokens: s.inputTokens,
        outputTokens: s.outputTokens,
        cacheHitShare: s.cacheHitShare,
        models: s.models,
        actualMonthlyCostUsd: s.actualMonthlyCostUsd,
        actualCostPerRequestUsd: s.actualCostPerRequestUsd,
        costCoverage: s.costCoverage,
        costSource: s.costSource,
        assumedMonthlyCostUsd: s.estimateBeforeUsd,
        errorPct: s.errorPct,
        calibratedMonthlyCostUsd: after?.monthlyCostUsd ?? null,
        calibratedErrorPct: after?.calibration?.calibratedErrorPct ?? null,
        measured: s.measured,
      };
    }),
    unmatched: result.unmatched,
    totals: result.totals,
    ruleRequests: result.ruleRequests,
    untouchedMeasured: result.untouchedMeasured,
    warnings: result.warnings,
    written: written ? path.relative(root, written) || written : null,
  };
}
