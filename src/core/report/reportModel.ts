/**
 * The cost report as plain data: every figure the report shows (totals with low / expected / high ranges, cost per
 * feature and per model, the top call sites, suggestions ranked by saving with the achievable total, the assumptions
 * with the sites they apply to, price sources and dates, the what-if scenario applied) is computed here, once. The
 * renderers (markdown, HTML, JSON, CSV) and the editor's webview only format it.
 */
import { TIERS_CHECKED } from '../advise/capabilityTiers';
import { figureOrigins, type FigureOrigins } from '../calibrate/present';
import { allSuggestions, type EstimatedCallSite, type ScanResult } from '../engine/engine';
import { PRICE_DATA_DATE, PRICE_DATA_SOURCE } from '../pricing/catalogue';
import { RULES_CHECKED } from '../pricing/providerRules';
import { DEFAULT_DAYS_PER_MONTH } from '../usage/resolveTraffic';
import type { Range, UsageConfig } from '../usage/schema';
import { groupSites, type GroupKind } from './groups';
import { WHAT_IF, type Scenario, type ScenarioOutcome } from './scenario';
import { achievableSaving, modelLabel, sortByMonthlyCost } from './scanOutput';

export const REPORT_SCHEMA_VERSION = 1;

export type MoneyRange = Range;

export interface ReportTotals {
  /** Sum over the priced call sites. */
  monthlyUsd: MoneyRange;
  /** Call sites with a cost of their own (LangChain constructs whose invocations carry the cost are not counted). */
  callSites: number;
  pricedCallSites: number;
  /** Not in `monthlyUsd`: unknown price or unresolved model. */
  unpricedCallSites: number;
  /** Sites whose traffic is a built-in placeholder (or a loop assumption): the figure to challenge first. */
  assumedTrafficCallSites: number;
  /** Sites with measurements from telemetry (`measured` in costlens.yml), fully or in part. */
  measuredCallSites: number;
  requestsPerMonth: number;
  /** If every suggestion were applied (model changes count once per site; see scanOutput.achievableSaving). */
  achievableMonthlySavingUsd: number;
}

export interface ReportGroupRow {
  /** Feature name or folder label (`api/`): the key for `featureModels` in a scenario. */
  key: string;
  kind: GroupKind;
  description: string | null;
  monthlyUsd: MoneyRange;
  /** Share of the total expected monthly cost, 0..1. */
  share: number;
  callSites: number;
  unpricedCallSites: number;
  requestsPerMonth: number;
  models: string[];
  /** With a scenario: the group's expected monthly cost without it. */
  baselineMonthlyUsd?: number | undefined;
}

export interface ReportModelRow {
  model: string;
  provider: string;
  /** Null when the model has no known price. */
  monthlyUsd: MoneyRange | null;
  share: number;
  callSites: number;
  requestsPerMonth: number;
  baselineMonthlyUsd?: number | undefined;
}

export interface ReportSite {
  id: string;
  file: string;
  line: number;
  column: number;
  enclosingFunction: string | null;
  sdk: string;
  api: string;
  role: string;
  provider: string;
  /** The model priced (resolved, assumed from the usage file, or `? expression` when unresolved). */
  model: string;
  modelResolved: boolean;
  context: string;
  inLoop: boolean;
  /** Key of the site's row in `byFeature`. */
  group: string;
  inputTokens: number;
  outputTokens: number;
  requestsPerMonth: number;
  requestsPerMonthRange: Range;
  costPerRequestUsd: number | null;
  monthlyUsd: MoneyRange | null;
  trafficSource: string;
  trafficDetail: string;
  priceSource: string;
  assumedTraffic: boolean;
  /** Whether the figures rest on telemetry (`measured`), partly (`partly measured`: e.g. traffic measured, tokens assumed) or on assumptions only. */
  basis: FigureOrigins['overall'];
  /** For calibrated sites: the assumptions' estimate against the measured actual cost. */
  calibration: ReportSiteCalibration | null;
  cacheHitRate: number;
  batchShare: number;
  suggestions: number;
  baselineMonthlyUsd?: number | null | undefined;
}

export interface ReportSiteCalibration {
  origins: FigureOrigins;
  measuredRequestsPerDay: number;
  /** Monthly cost from the assumptions alone (what the estimate said before measurements). */
  assumedMonthlyUsd: number | null;
  /** Monthly cost the telemetry showed (null when the export had no cost or usage to price). */
  actualMonthlyUsd: number | null;
  /** (assumed − actual) ÷ actual × 100: how good the guess was. */
  errorPct: number | null;
  /** The estimate with the measurements, against the actual cost. */
  calibratedErrorPct: number | null;
  source: string | null;
  window: { from: string; to: string } | null;
}

/** How good the assumptions were, over the calibrated call sites. */
export interface ReportCalibration {
  /** Call sites with measurements. */
  callSites: number;
  /** Of those, the ones with both an assumed and an actual cost: the sums below are over these. */
  comparedCallSites: number;
  assumedMonthlyUsd: number;
  actualMonthlyUsd: number;
  /** (Σ assumed − Σ actual) ÷ Σ actual × 100; null without a compared site. */
  errorPct: number | null;
  /** The median of the sites' absolute errors, in percent (a typical miss, whatever its sign). */
  medianAbsErrorPct: number | null;
  /** Calibrated sites, largest miss first (absolute error; sites without an error last). */
  sites: Array<{ id: string; file: string; line: number; model: string; basis: FigureOrigins['overall'] } & ReportSiteCalibration>;
}

export interface ReportSuggestion {
  rank: number;
  id: string;
  siteId: string;
  file: string;
  line: number;
  kind: string;
  message: string;
  monthlySavingUsd: number | null;
  atStake: { label: string; usd: number } | null;
  confidence: string;
  rationale: string;
  /** Title of the quick fix the editor offers, if any. */
  quickFix: string | null;
  assumptions: string[];
}

export type AssumptionCategory = 'traffic' | 'tokens' | 'model' | 'pricing' | 'scenario' | 'general';

export interface ReportAssumption {
  category: AssumptionCategory;
  text: string;
  /** The call sites it applies to (empty for workspace-wide assumptions). */
  siteIds: string[];
}

export interface ReportPriceSource {
  model: string;
  provider: string;
  source: string;
  sourceDate: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number | null;
  batchDiscount: number | null;
  batchSource: string | null;
  siteIds: string[];
}

export interface ReportUnknownPrice {
  model: string | null;
  provider: string;
  reason: string;
  siteIds: string[];
}

export interface ReportScenario {
  name: string | null;
  description: string | null;
  settings: Scenario;
  /** The scenario in words (one line per control). */
  summary: string[];
  notes: string[];
  baselineMonthlyUsd: MoneyRange;
  /** Scenario minus baseline, expected monthly USD. */
  deltaMonthlyUsd: number;
  changedCallSites: number;
}

export interface Report {
  schemaVersion: 1;
  title: string;
  /** ISO timestamp; injectable for reproducible output. */
  generatedAt: string;
  toolVersion: string | null;
  /** Display name of the workspace (its folder name), or null. */
  workspace: string | null;
  /** `feature`: every site has a feature; `folder`: none has; `mixed`: features, with folders for the rest. */
  groupedBy: 'feature' | 'folder' | 'mixed';
  daysPerMonth: number;
  totals: ReportTotals;
  byFeature: ReportGroupRow[];
  byModel: ReportModelRow[];
  /** The most expensive call sites (options.topSites, default 10). */
  topSites: ReportSite[];
  /** Every call site with a cost of its own, most expensive first. */
  sites: ReportSite[];
  /** Estimates vs actual cost for the call sites calibrated from telemetry; null when none is. */
  calibration: ReportCalibration | null;
  suggestions: ReportSuggestion[];
  /** Set when suggestions were computed for another state than the figures (a scenario is applied). */
  suggestionsNote: string | null;
  assumptions: ReportAssumption[];
  priceSources: ReportPriceSource[];
  unknownPrices: ReportUnknownPrice[];
  /** Where the rules beyond list prices come from (batch discounts, caching rules, capability tiers) and when they were checked. */
  ruleSources: Array<{ what: string; checked: string; where: string }>;
  skipped: Array<{ file: string; reason: string }>;
  scenario: ReportScenario | null;
  /** Names under `scenarios:` in costlens.yml. */
  savedScenarios: string[];
}

export interface ReportOptions {
  /** Date or ISO string; default now. Fix it for goldens. */
  generatedAt?: Date | string | undefined;
  title?: string | undefined;
  workspace?: string | undefined;
  toolVersion?: string | undefined;
  /** Number of `topSites` (default 10). */
  topSites?: number | undefined;
  /** A scenario applied to `scan` (from `applyScenario(scan, ...)`): the figures are the scenario's. */
  scenario?: ScenarioOutcome | undefined;
}

export function buildReport(scan: ScanResult, usage: UsageConfig | undefined, options: ReportOptions = {}): Report {
  const outcome = options.scenario;
  const current: EstimatedCallSite[] = outcome ? outcome.sites : scan.callSites;
  const baselineById = new Map(scan.callSites.map((s) => [s.id, s]));
  const groups = groupSites(current, usage);
  const costed = current.filter((s) => s.estimate !== null);
  const sorted = sortByMonthlyCost(costed);

  // ---- sites
  const sites = sorted.map((s): ReportSite => {
    const e = s.estimate!;
    const base = outcome ? baselineById.get(s.id)?.estimate : undefined;
    return {
      id: s.id,
      file: s.file,
      line: s.line,
      column: s.column,
      enclosingFunction: s.enclosingFunction,
      sdk: s.sdk,
      api: s.api,
      role: s.role,
      provider: s.provider,
      model: modelLabel(s),
      modelResolved: s.model.resolved !== null,
      context: s.context,
      inLoop: s.inLoop,
      group: groups.get(s.id)!.key,
      inputTokens: e.inputTokens,
      outputTokens: e.outputTokens,
      requestsPerMonth: e.requestsPerMonth,
      requestsPerMonthRange: e.requestsPerMonthRange,
      costPerRequestUsd: e.costPerRequestUsd,
      monthlyUsd: e.monthlyCostRange,
      trafficSource: e.trafficSource,
      trafficDetail: e.trafficDetail,
      priceSource: e.priceSource,
      assumedTraffic: e.trafficSource === 'built-in-default' || e.trafficSource === 'loop',
      basis: figureOrigins(e).overall,
      calibration: siteCalibration(s),
      cacheHitRate: e.cacheHitRate,
      batchShare: e.batchShare,
      suggestions: s.suggestions?.length ?? 0,
      ...(outcome ? { baselineMonthlyUsd: base ? base.monthlyCostUsd : null } : {}),
    };
  });

  // ---- totals
  const monthly = zero();
  let requests = 0;
  for (const s of sites) {
    requests += s.requestsPerMonth;
    if (s.monthlyUsd) addTo(monthly, s.monthlyUsd);
  }
  const baselineSites = scan.callSites;
  const totals: ReportTotals = {
    monthlyUsd: monthly,
    callSites: sites.length,
    pricedCallSites: sites.filter((s) => s.monthlyUsd).length,
    unpricedCallSites: sites.filter((s) => !s.monthlyUsd).length,
    assumedTrafficCallSites: sites.filter((s) => s.assumedTraffic).length,
    measuredCallSites: sites.filter((s) => s.basis !== 'assumed').length,
    requestsPerMonth: requests,
    achievableMonthlySavingUsd: achievableSaving(baselineSites),
  };

  // ---- by feature / folder
  const byGroup = new Map<string, ReportGroupRow>();
  for (const s of sites) {
    const g = groups.get(s.id)!;
    const row = byGroup.get(g.key) ?? { key: g.key, kind: g.kind, description: g.description, monthlyUsd: zero(), share: 0, callSites: 0, unpricedCallSites: 0, requestsPerMonth: 0, models: [], ...(outcome ? { baselineMonthlyUsd: 0 } : {}) };
    row.callSites++;
    row.requestsPerMonth += s.requestsPerMonth;
    if (s.monthlyUsd) addTo(row.monthlyUsd, s.monthlyUsd);
    else row.unpricedCallSites++;
    if (!row.models.includes(s.model)) row.models.push(s.model);
    if (outcome && s.baselineMonthlyUsd) row.baselineMonthlyUsd! += s.baselineMonthlyUsd;
    byGroup.set(g.key, row);
  }
  // Declared features without call sites are worth seeing (a pattern that matches nothing).
  for (const [name, f] of Object.entries(usage?.features ?? {})) {
    if (!byGroup.has(name)) byGroup.set(name, { key: name, kind: 'feature', description: f.description ?? null, monthlyUsd: zero(), share: 0, callSites: 0, unpricedCallSites: 0, requestsPerMonth: 0, models: [], ...(outcome ? { baselineMonthlyUsd: 0 } : {}) });
  }
  const byFeature = rank([...byGroup.values()], monthly.expected, (r) => r.monthlyUsd.expected, (r) => r.key);
  const kinds = new Set(byFeature.filter((r) => r.callSites > 0).map((r) => r.kind));
  const groupedBy = kinds.size === 2 ? 'mixed' : kinds.has('feature') ? 'feature' : 'folder';

  // ---- by model
  const byModelMap = new Map<string, ReportModelRow>();
  const baseByModel = new Map<string, number>();
  for (const s of sites) {
    const key = `${s.provider}\u0000${s.model}`;
    const row = byModelMap.get(key) ?? { model: s.model, provider: s.provider, monthlyUsd: s.monthlyUsd ? zero() : null, share: 0, callSites: 0, requestsPerMonth: 0 };
    row.callSites++;
    row.requestsPerMonth += s.requestsPerMonth;
    if (s.monthlyUsd) addTo((row.monthlyUsd ??= zero()), s.monthlyUsd);
    byModelMap.set(key, row);
  }
  if (outcome) {
    for (const b of baselineSites) {
      if (b.estimate?.monthlyCostUsd == null) continue;
      const key = `${b.provider}\u0000${modelLabel(b)}`;
      baseByModel.set(key, (baseByModel.get(key) ?? 0) + b.estimate.monthlyCostUsd);
    }
    for (const [key, row] of byModelMap) row.baselineMonthlyUsd = baseByModel.get(key) ?? 0;
    // Models the scenario moved every call away from: shown at $0 with their baseline.
    for (const [key, usd] of baseByModel) {
      if (byModelMap.has(key)) continue;
      const [provider, model] = key.split('\u0000') as [string, string];
      byModelMap.set(key, { model, provider, monthlyUsd: zero(), share: 0, callSites: 0, requestsPerMonth: 0, baselineMonthlyUsd: usd });
    }
  }
  const byModel = rank([...byModelMap.values()], monthly.expected, (r) => r.monthlyUsd?.expected ?? -1, (r) => `${r.model} ${r.provider}`);

  // ---- suggestions (of the baseline: advice is computed by the engine on the scanned code)
  const suggestions = allSuggestions(baselineSites).map((s, i): ReportSuggestion => ({
    rank: i + 1,
    id: s.id,
    siteId: s.siteId,
    file: s.file,
    line: s.line,
    kind: s.kind,
    message: s.message,
    monthlySavingUsd: s.monthlySavingUsd,
    atStake: s.atStake ? { label: s.atStake.label, usd: s.atStake.usd } : null,
    confidence: s.confidence,
    rationale: s.rationale,
    quickFix: s.edit?.title ?? null,
    assumptions: s.assumptions,
  }));

  // ---- assumptions, deduplicated with the sites they apply to
  const assumptions = new Map<string, ReportAssumption>();
  const note = (category: AssumptionCategory, text: string, siteId?: string): void => {
    const a = assumptions.get(text) ?? { category, text, siteIds: [] };
    if (siteId && !a.siteIds.includes(siteId)) a.siteIds.push(siteId);
    assumptions.set(text, a);
  };
  const daysPerMonth = usage?.defaults.daysPerMonth ?? DEFAULT_DAYS_PER_MONTH;
  for (const s of sorted) {
    const e = s.estimate!;
    note('traffic', `traffic: ${e.trafficDetail}`, s.id);
    // The estimator states default traffic as `traffic: <detail>`: the line above already says it (with any what-if).
    for (const a of e.assumptions) if (!a.startsWith('traffic: ')) note(categorize(a), a, s.id);
  }
  note('general', `${daysPerMonth} days per month turn per-day traffic into monthly figures (${usage?.defaults.daysPerMonth !== undefined ? 'costlens.yml defaults.daysPerMonth' : 'built-in default'})`);
  note('pricing', `list prices from ${PRICE_DATA_SOURCE} (${PRICE_DATA_DATE}) unless costlens.yml overrides them; unknown prices are left out of totals, never counted as $0`);
  if (outcome) {
    for (const line of outcome.summary) note('scenario', `${WHAT_IF} ${line}`);
    note('scenario', 'suggestions and their savings are those of the code as scanned, not of the scenario');
  }
  const order: AssumptionCategory[] = ['traffic', 'tokens', 'model', 'pricing', 'scenario', 'general'];
  const assumptionList = [...assumptions.values()].sort(
    (a, b) => order.indexOf(a.category) - order.indexOf(b.category) || b.siteIds.length - a.siteIds.length || a.text.localeCompare(b.text),
  );

  // ---- price sources
  const prices = new Map<string, ReportPriceSource>();
  const unknown = new Map<string, ReportUnknownPrice>();
  for (const s of sorted) {
    const e = s.estimate!;
    if (e.price) {
      const p = e.price;
      const key = `${p.provider}\u0000${p.model}\u0000${p.source}`;
      const row = prices.get(key) ?? { model: p.model, provider: p.provider, source: p.source, sourceDate: p.sourceDate, inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok, cacheReadPerMTok: p.cacheReadPerMTok, batchDiscount: p.batchDiscount, batchSource: p.batchSource, siteIds: [] };
      row.siteIds.push(s.id);
      prices.set(key, row);
    } else {
      const reason = e.priceUnknownReason ?? e.priceSource;
      const key = `${s.provider}\u0000${e.pricedModel}\u0000${reason}`;
      const row = unknown.get(key) ?? { model: e.pricedModel, provider: s.provider, reason, siteIds: [] };
      row.siteIds.push(s.id);
      unknown.set(key, row);
    }
  }

  // ---- scenario
  let scenario: ReportScenario | null = null;
  if (outcome) {
    const base = zero();
    for (const b of baselineSites) if (b.estimate?.monthlyCostRange) addTo(base, b.estimate.monthlyCostRange);
    scenario = {
      name: outcome.scenario.name ?? null,
      description: outcome.scenario.description ?? null,
      settings: outcome.scenario,
      summary: outcome.summary,
      notes: outcome.notes,
      baselineMonthlyUsd: base,
      deltaMonthlyUsd: monthly.expected - base.expected,
      changedCallSites: outcome.changes.filter((c) => c.monthlyUsd !== c.baselineMonthlyUsd).length,
    };
  }

  const top = Math.max(0, options.topSites ?? 10);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    title: options.title ?? (outcome ? `LLM cost report — what-if${outcome.scenario.name ? `: ${outcome.scenario.name}` : ''}` : 'LLM cost report'),
    generatedAt: isoOf(options.generatedAt),
    toolVersion: options.toolVersion ?? null,
    workspace: options.workspace ?? null,
    groupedBy,
    daysPerMonth,
    totals,
    byFeature,
    byModel,
    topSites: sites.slice(0, top),
    sites,
    // Of the code as scanned: a what-if changes the estimate, not what the assumptions said or what was measured.
    calibration: calibrationSummary(scan.callSites),
    suggestions,
    suggestionsNote: outcome ? 'Suggestions and savings are computed on the code as scanned (without the scenario).' : null,
    assumptions: assumptionList,
    priceSources: [...prices.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model)),
    unknownPrices: [...unknown.values()],
    ruleSources: [
      { what: 'Batch API discounts and prompt-caching rules', checked: RULES_CHECKED, where: 'src/core/pricing/providerRules.ts (one provider page per rule)' },
      { what: 'Capability tiers used for cheaper-model candidates', checked: TIERS_CHECKED, where: 'src/core/advise/capabilityTiers.ts (provider model overviews)' },
    ],
    skipped: scan.skipped.map((s) => ({ file: s.file, reason: s.reason })),
    scenario,
    savedScenarios: Object.keys(usage?.scenarios ?? {}),
  };
}

function siteCalibration(s: EstimatedCallSite): ReportSiteCalibration | null {
  const e = s.estimate;
  const c = e?.calibration;
  if (!e || !c) return null;
  return {
    origins: figureOrigins(e),
    measuredRequestsPerDay: c.measuredRequestsPerDay,
    assumedMonthlyUsd: c.estimateBeforeUsd,
    actualMonthlyUsd: c.actualMonthlyCostUsd,
    errorPct: c.errorPct,
    calibratedErrorPct: c.calibratedErrorPct,
    source: c.source,
    window: c.window,
  };
}

function calibrationSummary(sites: EstimatedCallSite[]): ReportCalibration | null {
  const rows: ReportCalibration['sites'] = [];
  for (const s of sites) {
    const c = siteCalibration(s);
    if (c) rows.push({ id: s.id, file: s.file, line: s.line, model: modelLabel(s), basis: c.origins.overall, ...c });
  }
  if (rows.length === 0) return null;
  const compared = rows.filter((r) => r.assumedMonthlyUsd !== null && r.actualMonthlyUsd !== null);
  const assumed = compared.reduce((sum, r) => sum + r.assumedMonthlyUsd!, 0);
  const actual = compared.reduce((sum, r) => sum + r.actualMonthlyUsd!, 0);
  const errors = rows.filter((r) => r.errorPct !== null).map((r) => Math.abs(r.errorPct!)).sort((a, b) => a - b);
  const mid = errors.length >> 1;
  rows.sort((a, b) => (b.errorPct === null ? -1 : Math.abs(b.errorPct)) - (a.errorPct === null ? -1 : Math.abs(a.errorPct)) || a.id.localeCompare(b.id));
  return {
    callSites: rows.length,
    comparedCallSites: compared.length,
    assumedMonthlyUsd: assumed,
    actualMonthlyUsd: actual,
    errorPct: compared.length && actual > 0 ? ((assumed - actual) / actual) * 100 : null,
    medianAbsErrorPct: errors.length === 0 ? null : errors.length % 2 ? errors[mid]! : (errors[mid - 1]! + errors[mid]!) / 2,
    sites: rows,
  };
}

/** Rows with their share of `total`, most expensive first (ties by name). */
function rank<T extends { share: number }>(rows: T[], total: number, cost: (r: T) => number, name: (r: T) => string): T[] {
  for (const r of rows) r.share = total > 0 ? Math.max(0, cost(r)) / total : 0;
  return rows.sort((a, b) => cost(b) - cost(a) || name(a).localeCompare(name(b)));
}

function categorize(a: string): AssumptionCategory {
  if (a.startsWith(WHAT_IF)) return 'scenario';
  if (/^traffic|loop|iterations/.test(a)) return 'traffic';
  if (/^model .* assumed/.test(a)) return 'model';
  if (/prompt cache|Batch API|batch share|cache hit|long-context|price/.test(a)) return 'pricing';
  if (/token|prompt|output|tool|completions/.test(a)) return 'tokens';
  return 'general';
}

const zero = (): MoneyRange => ({ low: 0, expected: 0, high: 0 });
function addTo(acc: MoneyRange, r: MoneyRange): void {
  acc.low += r.low;
  acc.expected += r.expected;
  acc.high += r.high;
}

function isoOf(d: Date | string | undefined): string {
  if (d === undefined) return new Date().toISOString();
  return typeof d === 'string' ? new Date(d).toISOString() : d.toISOString();
}
