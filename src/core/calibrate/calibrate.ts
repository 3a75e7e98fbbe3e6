/**
 * Calibration: read production telemetry exports, match every record to a call site, and measure each site —
 * requests per day over the window of the data, input/output token distributions, cache-hit share, models used and
 * actual cost — as `measured` blocks for costlens.yml, with the estimate-versus-actual error of the assumptions.
 *
 * Everything is read before anything is returned: one malformed record in any file throws a `TelemetryImportError`
 * and nothing is measured (callers write costlens.yml only from a complete result). Memory holds the per-site
 * aggregates (bounded sketches) and bounded tallies of what did not match, not the records.
 */
import * as path from 'node:path';

import { errorPct, requestCostUsd } from '../estimate/estimate';
import type { SiteEstimate } from '../estimate/estimate';
import type { PriceCatalogue } from '../pricing/catalogue';
import { DEFAULT_DAYS_PER_MONTH } from '../usage/resolveTraffic';
import type { MeasuredUsage, UsageConfig } from '../usage/schema';
import { CallSiteMatcher, type MatchableSite } from './match';
import { displayNameOf, readTelemetryFile, type FileSummary, type ReadProgress } from './read';
import { SiteStats, Window, type MatchKind } from './stats';
import { TelemetryImportError, type TelemetryFormatId, type TelemetryRecord } from './types';

/** What calibration needs of a call site (an `EstimatedCallSite` from a scan fits). */
export interface CalibrationSite extends MatchableSite {
  provider: string;
  estimate: SiteEstimate | null;
}

export interface CalibrateOptions {
  /** Export files (absolute, or relative to `cwd`). */
  files: readonly string[];
  /** The call sites of a scan; sites without an estimate (LangChain constructs with invocations) are not matched. */
  sites: readonly CalibrationSite[];
  usage: UsageConfig | undefined;
  prices: PriceCatalogue;
  /** Folder that file names in messages are relative to (default: process.cwd()). */
  cwd?: string | undefined;
  /** Date written in `source` (default: now). */
  now?: Date | undefined;
  /** Read every file as this format instead of detecting it. */
  format?: TelemetryFormatId | undefined;
  onProgress?: ((progress: ReadProgress & { fileIndex: number; fileCount: number }) => void) | undefined;
  token?: { readonly isCancellationRequested: boolean } | undefined;
}

export interface Distribution {
  median: number;
  p90: number;
  mean: number;
  /** False once the values moved into the bounded sketch (quantiles then within 1%). */
  exact: boolean;
}

export interface SiteCalibration {
  id: string;
  file: string;
  line: number;
  /** Requests matched in the window (fractional when records were split between sites). */
  requests: number;
  requestsPerDay: number;
  /** Requests by how they were matched. */
  matchedBy: Record<MatchKind, number>;
  /** Requests shared with other call sites (an ambiguous rule or function). */
  splitRequests: number;
  inputTokens: Distribution | null;
  outputTokens: Distribution | null;
  cacheHitShare: number | null;
  /** Requests per model, most used first. */
  models: Record<string, number>;
  /** Cost over the window (known cost scaled to every request); null when nothing could be priced. */
  actualCostUsd: number | null;
  actualMonthlyCostUsd: number | null;
  actualCostPerRequestUsd: number | null;
  /** Share of requests whose cost was known (from the export, or priced from their tokens). */
  costCoverage: number;
  /** Where known costs came from. */
  costSource: 'export' | 'price catalogue' | 'both' | 'none';
  /** What costlens estimates without measurements (the assumptions) and its error against the actual cost. */
  estimateBeforeUsd: number | null;
  errorPct: number | null;
  /** The block for costlens.yml. */
  measured: MeasuredUsage;
}

export interface Tally {
  key: string;
  requests: number;
}

export interface UnmatchedSummary {
  records: number;
  requests: number;
  byReason: Tally[];
  byModel: Tally[];
  byLocation: Tally[];
  byTag: Tally[];
  byTraceName: Tally[];
  /** Hints such as `add calibration.match: { model: gpt-4o, callSites: "api/answers.py#answer_question#0" }`. */
  suggestions: string[];
  /** Actual cost of the unmatched requests per month, when it could be priced. */
  actualMonthlyCostUsd: number | null;
}

export interface CalibrationResult {
  files: FileSummary[];
  /** ISO timestamps of the first and last record (bucket bounds included), and the length used for rates. */
  window: { from: string; to: string; days: number } | null;
  daysPerMonth: number;
  /** `source` written into each measured block. */
  source: string;
  /** Call sites with matched records, most expensive (actual) first. */
  sites: SiteCalibration[];
  unmatched: UnmatchedSummary;
  totals: { records: number; requests: number; matchedRequests: number; actualMonthlyCostUsd: number | null };
  /** Requests matched by each `calibration.match` rule. */
  ruleRequests: number[];
  /** Call sites with measured blocks in costlens.yml that this import did not touch. */
  untouchedMeasured: string[];
  warnings: string[];
}

/** Tallies of at most `limit` keys; the rest under `(other)`. */
class BoundedTally {
  private readonly map = new Map<string, number>();
  constructor(private readonly limit = 1000) {}
  add(key: string, n: number): void {
    const k = this.map.has(key) || this.map.size < this.limit ? key : '(other)';
    this.map.set(k, (this.map.get(k) ?? 0) + n);
  }
  top(n: number): Tally[] {
    return [...this.map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([key, requests]) => ({ key, requests }));
  }
  get size(): number {
    return this.map.size;
  }
}

/** Catalogue provider id of a provider as exports spell it (`aws.bedrock`, `gcp.vertex_ai`, `OPENAI` …). */
export function catalogueProvider(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const id = name.trim().toLowerCase();
  if (id === 'aws.bedrock') return 'aws';
  if (id.startsWith('azure.') || id.startsWith('az.')) return 'azure';
  if (id.startsWith('gcp.') || id === 'vertex_ai' || id === 'vertexai') return 'google';
  if (id === 'x_ai') return 'x-ai';
  if (id === 'mistral_ai') return 'mistral';
  return id;
}

export async function calibrate(options: CalibrateOptions): Promise<CalibrationResult> {
  const cwd = options.cwd ?? process.cwd();
  const daysPerMonth = options.usage?.defaults.daysPerMonth ?? DEFAULT_DAYS_PER_MONTH;
  const sites = options.sites.filter((s) => s.estimate !== null);
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const matcher = new CallSiteMatcher(sites, options.usage?.calibration?.match ?? []);
  const stats = new Map<string, SiteStats>();
  const window = new Window();
  const unmatched = {
    records: 0,
    requests: 0,
    costUsd: 0,
    requestsWithCost: 0,
    byReason: new BoundedTally(),
    byModel: new BoundedTally(),
    byLocation: new BoundedTally(),
    byTag: new BoundedTally(2000),
    byTraceName: new BoundedTally(),
    // model → requests, for rule suggestions
  };
  const files: FileSummary[] = [];
  let records = 0;
  let requests = 0;

  const costOf = (record: TelemetryRecord, site: CalibrationSite | undefined): { cost: number | null; fromExport: boolean } => {
    if (record.costUsd !== undefined) return { cost: record.costUsd, fromExport: true };
    if (record.inputTokens === null && record.outputTokens === null) return { cost: null, fromExport: false };
    const model = record.model ?? site?.estimate?.pricedModel ?? null;
    if (!model) return { cost: null, fromExport: false };
    const providers = [catalogueProvider(record.provider), site?.provider, ''].filter((p): p is string => p !== undefined);
    for (const provider of providers) {
      const lookup = options.prices.lookup(provider, model);
      if (lookup.status === 'found') {
        const n = record.requests;
        const perRequest = requestCostUsd(lookup.price, (record.inputTokens ?? 0) / n, (record.cachedInputTokens ?? 0) / n, (record.outputTokens ?? 0) / n);
        return { cost: perRequest * n, fromExport: false };
      }
    }
    return { cost: null, fromExport: false };
  };

  for (const [index, file] of options.files.entries()) {
    const absolute = path.resolve(cwd, file);
    const read = readTelemetryFile(absolute, {
      displayName: displayNameOf(absolute, cwd),
      format: options.format,
      token: options.token,
      onProgress: options.onProgress ? (p) => options.onProgress!({ ...p, fileIndex: index, fileCount: options.files.length }) : undefined,
    });
    files.push(read.summary);
    for await (const item of read.items) {
      if (item.extent) window.add(item.extent.from, item.extent.to);
      for (const record of item.records) {
        records++;
        requests += record.requests;
        window.add(record.timestamp, record.endTimestamp ?? record.timestamp);
        const result = matcher.match(record);
        if (result.kind === 'unmatched') {
          unmatched.records++;
          unmatched.requests += record.requests;
          unmatched.byReason.add(result.reason, record.requests);
          unmatched.byModel.add(record.model ?? '(no model)', record.requests);
          if (record.location?.file || record.location?.function) {
            const loc = record.location;
            unmatched.byLocation.add(`${loc.file ?? ''}${loc.line !== undefined ? `:${loc.line}` : ''}${loc.function ? ` (${loc.function})` : ''}`.trim(), record.requests);
          }
          for (const [key, value] of Object.entries(record.tags)) unmatched.byTag.add(value === '' ? key : `${key}=${value}`, record.requests);
          if (record.traceName) unmatched.byTraceName.add(record.traceName, record.requests);
          const { cost } = costOf(record, undefined);
          if (cost !== null) {
            unmatched.costUsd += cost;
            unmatched.requestsWithCost += record.requests;
          }
          continue;
        }
        const weight = 1 / result.sites.length;
        for (const site of result.sites) {
          let s = stats.get(site.id);
          if (!s) {
            s = new SiteStats();
            stats.set(site.id, s);
          }
          const { cost, fromExport } = costOf(record, siteById.get(site.id));
          s.add(record, weight, cost, fromExport, result.kind);
        }
      }
    }
  }

  const days = window.days;
  const now = options.now ?? new Date();
  const source = sourceLabel(files, now);
  const windowIso = window.empty ? null : { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), days };
  const perMonth = (windowCost: number): number => (days > 0 ? (windowCost / days) * daysPerMonth : 0);

  const siteResults: SiteCalibration[] = [];
  for (const [id, s] of stats) {
    const site = siteById.get(id)!;
    const requestsPerDay = days > 0 ? s.requests / days : 0;
    const dist = (sketch: SiteStats['input']): Distribution | null => {
      const median = sketch.quantile(0.5);
      const p90 = sketch.quantile(0.9);
      const mean = sketch.mean;
      return median === null || p90 === null || mean === null ? null : { median, p90, mean, exact: sketch.isExact };
    };
    const inputTokens = s.requestsWithUsage > 0 ? dist(s.input) : null;
    const outputTokens = s.requestsWithUsage > 0 ? dist(s.output) : null;
    const windowCost = s.estimatedTotalCostUsd;
    const actualMonthly = windowCost === null ? null : perMonth(windowCost);
    const models = Object.fromEntries([...s.models].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    const before = site.estimate?.calibration ? site.estimate.calibration.estimateBeforeUsd : (site.estimate?.monthlyCostUsd ?? null);
    const measured: MeasuredUsage = {
      requestsPerDay: roundRate(requestsPerDay),
      requests: roundCount(s.requests),
      ...(windowIso && { window: { from: windowIso.from, to: windowIso.to } }),
      ...(inputTokens && { inputTokens: roundDistribution(inputTokens) }),
      ...(outputTokens && { outputTokens: roundDistribution(outputTokens) }),
      ...(s.cacheHitShare !== null && { cacheHitShare: Math.round(s.cacheHitShare * 1000) / 1000 }),
      ...(Object.keys(models).length > 0 && { models: Object.fromEntries(Object.entries(models).map(([m, n]) => [m, roundCount(n)])) }),
      ...(actualMonthly !== null && { actualMonthlyCostUsd: roundMoney(actualMonthly) }),
      ...(windowCost !== null && s.requests > 0 && { actualCostPerRequestUsd: roundMoney(windowCost / s.requests) }),
      source,
    };
    siteResults.push({
      id,
      file: site.file,
      line: site.line,
      requests: s.requests,
      requestsPerDay,
      matchedBy: { ...s.matchedBy },
      splitRequests: s.splitRequests,
      inputTokens,
      outputTokens,
      cacheHitShare: s.cacheHitShare,
      models,
      actualCostUsd: windowCost,
      actualMonthlyCostUsd: actualMonthly,
      actualCostPerRequestUsd: windowCost !== null && s.requests > 0 ? windowCost / s.requests : null,
      costCoverage: s.requests > 0 ? s.requestsWithCost / s.requests : 0,
      costSource: s.requestsWithCost === 0 ? 'none' : s.requestsCostFromExport === 0 ? 'price catalogue' : s.requestsCostFromExport >= s.requestsWithCost - 1e-9 ? 'export' : 'both',
      estimateBeforeUsd: before,
      errorPct: errorPct(before, actualMonthly),
      measured,
    });
  }
  siteResults.sort((a, b) => (b.actualMonthlyCostUsd ?? -1) - (a.actualMonthlyCostUsd ?? -1) || a.id.localeCompare(b.id));

  const warnings: string[] = [];
  for (const rule of matcher.emptyRules) warnings.push(`calibration.match rule ${rule.index + 1} (${rule.text}): its callSites match no call site of the scan`);
  if (records === 0) warnings.push('the files hold no model calls: nothing to measure');
  for (const s of siteResults) {
    if (s.costCoverage < 1 && s.costSource !== 'none') warnings.push(`${s.id}: the cost of ${Math.round((1 - s.costCoverage) * 100)}% of its requests is unknown (no usage or no price); the actual cost is scaled up from the rest`);
    if (s.costSource === 'none') warnings.push(`${s.id}: no request could be priced (unknown model price or no token usage); no actual cost`);
  }

  const unmatchedMonthly = unmatched.requestsWithCost > 0 ? perMonth(unmatched.costUsd * (unmatched.requests / unmatched.requestsWithCost)) : null;
  const matchedMonthly = siteResults.reduce<number | null>((sum, s) => (s.actualMonthlyCostUsd === null ? sum : (sum ?? 0) + s.actualMonthlyCostUsd), null);
  const untouched = Object.entries(options.usage?.callSites ?? {})
    .filter(([id, entry]) => entry.measured !== undefined && !stats.has(id))
    .map(([id]) => id);
  return {
    files,
    window: windowIso,
    daysPerMonth,
    source,
    sites: siteResults,
    unmatched: {
      records: unmatched.records,
      requests: unmatched.requests,
      byReason: unmatched.byReason.top(10),
      byModel: unmatched.byModel.top(10),
      byLocation: unmatched.byLocation.top(10),
      byTag: unmatched.byTag.top(10),
      byTraceName: unmatched.byTraceName.top(10),
      suggestions: suggestRules(unmatched.byModel.top(5), sites),
      actualMonthlyCostUsd: unmatchedMonthly,
    },
    totals: {
      records,
      requests,
      matchedRequests: requests - unmatched.requests,
      actualMonthlyCostUsd: matchedMonthly === null && unmatchedMonthly === null ? null : (matchedMonthly ?? 0) + (unmatchedMonthly ?? 0),
    },
    ruleRequests: [...matcher.ruleRequests],
    untouchedMeasured: untouched,
    warnings,
  };
}

/** For unmatched models used by exactly the call sites whose model is the same: a rule to add. */
function suggestRules(models: Tally[], sites: readonly CalibrationSite[]): string[] {
  const out: string[] = [];
  for (const { key: model } of models) {
    if (model === '(no model)' || model === '(other)') continue;
    const same = sites.filter((s) => {
      const priced = s.estimate?.pricedModel;
      return priced !== null && priced !== undefined && withoutSnapshot(model) === withoutSnapshot(priced);
    });
    if (same.length === 0) continue;
    const callSites = same.length === 1 ? JSON.stringify(same[0].id) : `[${same.map((s) => JSON.stringify(s.id)).join(', ')}]`;
    out.push(`calibration: { match: [ { model: ${JSON.stringify(model)}, callSites: ${callSites} } ] }`);
  }
  return out;
}

/** A model id without its snapshot date: `gpt-4o-2024-08-06` → `gpt-4o`, `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`. */
function withoutSnapshot(model: string): string {
  return model.toLowerCase().replace(/[-@](\d{4}-\d{2}-\d{2}|\d{8})$/, '');
}

/** `OpenTelemetry GenAI spans spans.jsonl + LiteLLM spend logs spend.csv (2026-11-20)`. */
function sourceLabel(files: FileSummary[], now: Date): string {
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const label = f.formatLabel ?? 'unknown';
    groups.set(label, [...(groups.get(label) ?? []), path.basename(f.path)]);
  }
  const parts = [...groups].map(([label, names]) => `${label} ${names.join(', ')}`);
  return `${parts.join(' + ')} (${now.toISOString().slice(0, 10)})`;
}

/** Requests per day: whole numbers from 100, one decimal from 10, else two. */
export function roundRate(x: number): number {
  const digits = x >= 100 ? 0 : x >= 10 ? 1 : 2;
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

/** Counts: whole when they are (up to float noise), else two decimals (records split between sites). */
export function roundCount(x: number): number {
  return Math.abs(x - Math.round(x)) < 1e-6 ? Math.round(x) : Math.round(x * 100) / 100;
}

/** Money: cents from $1, else four significant digits. */
export function roundMoney(x: number): number {
  if (x >= 1) return Math.round(x * 100) / 100;
  if (x === 0) return 0;
  return Number(x.toPrecision(4));
}

function roundDistribution(d: Distribution): { median: number; p90: number; mean: number } {
  return { median: Math.round(d.median), p90: Math.round(d.p90), mean: Math.round(d.mean * 10) / 10 };
}

export { TelemetryImportError };
