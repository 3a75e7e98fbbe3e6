/** `costlens scan`: find the LLM call sites of a workspace and print what they cost. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CostEngine, allSuggestions, type ScanResult } from '../core/engine/engine';
import { parallelScan } from '../core/engine/parallelScan';
import { ScanCache } from '../core/engine/scanCache';
import { formatMoneyCompact, formatTokens } from '../core/format';
import { achievableSaving, costCells, modelLabel, renderScanMarkdown, renderScanSarif, sortByMonthlyCost, toScanJson } from '../core/report/scanOutput';
import { EXIT, HELP, VERSION, loadWorkspaceConfig, workspaceRoot, terminalSafe, type CliIo } from './common';

export async function scanCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'table' },
        out: { type: 'string' },
        root: { type: 'string' },
        usage: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        'skip-tests': { type: 'boolean', default: false },
        'max-file-size': { type: 'string' },
        'no-gitignore': { type: 'boolean', default: false },
        cache: { type: 'string' },
        jobs: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr.write(`costlens scan: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const format = values.format!;
  if (!['table', 'json', 'markdown', 'sarif'].includes(format)) {
    io.stderr.write(`costlens scan: --format must be table, json, markdown or sarif (got '${format}')\n`);
    return EXIT.USAGE;
  }
  let maxFileBytes: number | undefined;
  if (values['max-file-size'] !== undefined) {
    maxFileBytes = Number(values['max-file-size']);
    if (!Number.isFinite(maxFileBytes) || maxFileBytes <= 0) {
      io.stderr.write(`costlens scan: --max-file-size must be a positive number of bytes\n`);
      return EXIT.USAGE;
    }
  }
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) {
      io.stderr.write(`costlens scan: --jobs must be a whole number of at least 1\n`);
      return EXIT.USAGE;
    }
  }
  const root = workspaceRoot('scan', io, values.root);
  if (root === null) return EXIT.USAGE;

  // Usage file: errors stop the scan (a wrong number presented as right is worse than none).
  const config = await loadWorkspaceConfig(root, values.usage, io);
  if (!config) return EXIT.CONFIG;
  const engine = await CostEngine.create({
    root,
    usage: config.usage,
    usageFileName: config.usageFileName,
    priceOverrides: config.priceOverrides,
    filters: { exclude: values.exclude, skipTests: values['skip-tests'], maxFileBytes, respectGitignore: !values['no-gitignore'] },
  });
  const showProgress = !values.quiet && (io.stderr as NodeJS.WriteStream).isTTY === true;
  let lastProgress = 0;
  // The scan cache holds detection only: estimates are always recomputed with today's prices and usage file.
  const cacheFile = values.cache !== undefined ? path.resolve(io.cwd, values.cache) : null;
  const cache = cacheFile ? ScanCache.load(cacheFile) : undefined;
  const result = await parallelScan(engine, positionals, {
    workers: jobs,
    cache,
    onProgress: (p) => {
      if (!showProgress) return;
      const now = Date.now();
      if (now - lastProgress < 100) return;
      lastProgress = now;
      io.stderr.write(`\rscanning ${p.done}/${p.total} ${p.file.slice(-60).padEnd(60)}`);
    },
  });
  if (showProgress) io.stderr.write('\r\x1b[K');
  engine.dispose();
  if (cache && cacheFile) {
    try {
      cache.save(cacheFile);
    } catch (err) {
      io.stderr.write(`costlens scan: cannot write the cache ${values.cache}: ${(err as Error).message}\n`);
    }
  }

  let output: string;
  switch (format) {
    case 'json':
      output = `${JSON.stringify(toScanJson(result), null, 2)}\n`;
      break;
    case 'markdown':
      output = renderScanMarkdown(result);
      break;
    case 'sarif':
      output = `${renderScanSarif(result, VERSION)}\n`;
      break;
    default:
      output = renderTable(result, useColor(io.stdout) && !values.out);
  }
  if (values.out) {
    try {
      fs.writeFileSync(path.resolve(io.cwd, values.out), output);
    } catch (err) {
      io.stderr.write(`costlens scan: cannot write ${values.out}: ${(err as Error).message}\n`);
      return EXIT.ERROR;
    }
    if (!values.quiet) io.stderr.write(`costlens: wrote ${values.out} (${result.totals.callSites} call sites, ${formatMoneyCompact(result.totals.monthlyCostUsd)}/mo)\n`);
  } else io.stdout.write(format === 'markdown' ? terminalSafe(output) : output);
  return EXIT.OK;
}

function useColor(stream: NodeJS.WritableStream): boolean {
  return (stream as NodeJS.WriteStream).isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** The default terminal table: one row per call site, most expensive first, then the totals and what was skipped. */
export function renderTable(result: ScanResult, color: boolean): string {
  const c = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sites = sortByMonthlyCost(result.callSites);
  const header = ['$/month', '$/req', 'requests', 'tokens in/out', 'model', 'sdk', 'context', 'location'];
  const rows = sites.map((s) => {
    const cells = costCells(s);
    const e = s.estimate;
    return [
      cells.monthly,
      cells.perRequest,
      cells.traffic,
      e ? `${formatTokens(e.inputTokens)}/${formatTokens(e.outputTokens)}` : '—',
      // File and model names come from the workspace: no escape sequence of theirs reaches the terminal.
      terminalSafe(modelLabel(s)),
      `${s.sdk} ${s.role === 'request' ? s.api : s.role}`,
      `${s.context}${s.inLoop ? ' loop' : ''}`,
      terminalSafe(`${s.file}:${s.line}`),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const rightAligned = new Set([0, 1, 2, 3]);
  const fmtRow = (r: string[]): string => r.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const out: string[] = [];
  if (rows.length === 0) out.push('No LLM call sites found.');
  else {
    out.push(c('1', fmtRow(header)));
    for (const [i, r] of rows.entries()) {
      const line = fmtRow(r);
      const unknown = sites[i]!.estimate?.costPerRequestUsd === null;
      out.push(unknown ? c('33', line) : line);
    }
  }
  const t = result.totals;
  out.push('');
  const range = t.monthlyCostRangeUsd.low !== t.monthlyCostRangeUsd.high ? ` (range ${formatMoneyCompact(t.monthlyCostRangeUsd.low)}–${formatMoneyCompact(t.monthlyCostRangeUsd.high)})` : '';
  out.push(c('1', `Total: ${formatMoneyCompact(t.monthlyCostUsd)}/mo${range} across ${t.callSites} call site${t.callSites === 1 ? '' : 's'}`));
  if (t.unpricedCallSites) out.push(c('33', t.unpricedCallSites === 1 ? '1 call site has no known price and is not in the total (see --format json for why).' : `${t.unpricedCallSites} call sites have no known price and are not in the total (see --format json for why).`));
  const assumed = sites.filter((s) => s.estimate && (s.estimate.trafficSource === 'built-in-default' || s.estimate.trafficSource === 'loop')).length;
  if (assumed) out.push(c('2', `${assumed} call site${assumed === 1 ? ' uses' : 's use'} assumed traffic; state real traffic in costlens.yml or with a '# costlens: N/day' comment.`));
  const suggestions = allSuggestions(sites);
  if (suggestions.length) {
    out.push('');
    out.push(c('1', `Suggestions (up to ${formatMoneyCompact(achievableSaving(sites))}/mo achievable):`));
    for (const s of suggestions.slice(0, 8)) {
      const figure = s.monthlySavingUsd !== null && s.monthlySavingUsd > 0 ? `-${formatMoneyCompact(s.monthlySavingUsd)}/mo` : '';
      out.push(`  ${figure.padStart(11)}  ${s.kind.padEnd(12)}  ${terminalSafe(`${s.file}:${s.line}  ${s.message}`)}`);
    }
    if (suggestions.length > 8) out.push(c('2', `  … and ${suggestions.length - 8} more (--format markdown or json lists them all)`));
  }
  if (result.skipped.length) {
    out.push(c('2', `Skipped ${result.skipped.length} file${result.skipped.length === 1 ? '' : 's'}:`));
    for (const s of result.skipped.slice(0, 10)) out.push(c('2', terminalSafe(`  ${s.file}: ${s.reason}`)));
    if (result.skipped.length > 10) out.push(c('2', `  … and ${result.skipped.length - 10} more (--format json lists them all)`));
  }
  return `${out.join('\n')}\n`;
}

