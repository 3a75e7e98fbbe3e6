/**
 * What-if scenarios: traffic growth, another model for a feature, a prompt-cache hit rate, a share moved to the Batch
 * API, a share routed to a cheaper model. A scenario is applied by RE-ESTIMATING each affected call site with the
 * estimator (`estimateSite`) on a changed site (another model and provider) and a derived usage configuration (the
 * scenario's cache hit rate and batch share as exact `callSites` entries), so token counts, long-context prices,
 * cache-read prices and batch discounts are those of the new model — never by scaling totals.
 *
 * Only traffic is scaled after estimation (cost is linear in requests, and traffic comes from pragmas, loops and
 * built-in defaults that a usage file cannot express as a multiple).
 *
 * Pure and synchronous once the tokenizer has its encoders loaded: the webview recomputes it on every control change
 * (see `applyScenario`'s timing in `elapsedMs`).
 */
import { CANDIDATES, tierOf } from '../advise/capabilityTiers';
import { totalsOf, type EstimatedCallSite, type ScanResult, type ScanTotals } from '../engine/engine';
import { estimateSite, type EstimateContext, type SiteEstimate } from '../estimate/estimate';
import { formatCostPerRequest } from '../format';
import { createPriceCatalogue, type PriceOverride } from '../pricing/catalogue';
import { createTokenizer } from '../tokens/tokenizer';
import { formatUsagePath, scenarioSpecSchema, type CallSiteUsage, type Range, type ScenarioSpec, type UsageConfig } from '../usage/schema';
import { groupSites, type SiteGroup } from './groups';
import { resolveModelChoice } from './modelChoice';

/** A what-if, as the report and the webview hold it. `featureModels` keys are report group keys (see groups.ts). */
export interface Scenario {
  /** Name under `scenarios:` in costlens.yml, when saved or loaded. */
  name?: string | undefined;
  description?: string | undefined;
  /** 1 = today's traffic; 10 = 10x growth. */
  trafficMultiplier: number;
  /** Group key (feature name or folder label) → model (`gpt-4o-mini` or `provider/model`). */
  featureModels: Record<string, string>;
  /** Prompt-cache hit rate (0..1) for every call site but embeddings; undefined keeps each site's own. */
  cacheHitRate?: number | undefined;
  /** Batch API share (0..1) for every non-interactive call site; undefined keeps each site's own. */
  batchShare?: number | undefined;
  /** Router share (0..1) at the call sites with a `route` suggestion; undefined or 0: no router. */
  routedShare?: number | undefined;
}

export const BASELINE_SCENARIO: Scenario = Object.freeze({ trafficMultiplier: 1, featureModels: Object.freeze({}) as Record<string, string> });

/** A scenario from its costlens.yml entry. */
export function scenarioFromSpec(name: string | undefined, spec: ScenarioSpec): Scenario {
  return withoutUndefined({
    name,
    description: spec.description,
    trafficMultiplier: spec.trafficMultiplier ?? 1,
    featureModels: { ...(spec.featureModels ?? {}) },
    cacheHitRate: spec.cacheHitRate,
    batchShare: spec.batchShare,
    routedShare: spec.routedShare,
  });
}

/** The costlens.yml entry of a scenario (its name is the key, not a field). */
export function scenarioToSpec(s: Scenario): ScenarioSpec {
  return withoutUndefined({
    description: s.description || undefined,
    trafficMultiplier: s.trafficMultiplier,
    featureModels: Object.keys(s.featureModels).length ? { ...s.featureModels } : undefined,
    cacheHitRate: s.cacheHitRate,
    batchShare: s.batchShare,
    routedShare: s.routedShare,
  });
}

/**
 * Validates a scenario from outside (a webview message, a CLI flag set) with the same rules as costlens.yml.
 * Accepts the `Scenario` shape (with `name`) or a bare `ScenarioSpec`.
 */
export function parseScenario(input: unknown): { ok: true; scenario: Scenario } | { ok: false; errors: string[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, errors: ['a scenario must be an object'] };
  const { name, ...rest } = input as Record<string, unknown>;
  if (name !== undefined && (typeof name !== 'string' || !SCENARIO_NAME.test(name))) return { ok: false, errors: [`name: ${SCENARIO_NAME_RULE}`] };
  const parsed = scenarioSpecSchema.safeParse(rest);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${formatUsagePath(i.path as PropertyKey[]) || 'scenario'}: ${i.message}`) };
  return { ok: true, scenario: scenarioFromSpec(name as string | undefined, parsed.data) };
}

/** Names that make a readable YAML key and a file name: letters, digits, `-`, `_`, `.`, spaces inside. */
export const SCENARIO_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_. -]{0,62}[\p{L}\p{N}_]$|^[\p{L}\p{N}_]$/u;
export const SCENARIO_NAME_RULE = 'a scenario name is 1 to 64 letters, digits, spaces, "-", "_" or "." (not at either end)';

export function isBaseline(s: Scenario): boolean {
  return (
    s.trafficMultiplier === 1 &&
    Object.keys(s.featureModels).length === 0 &&
    s.cacheHitRate === undefined &&
    s.batchShare === undefined &&
    !s.routedShare
  );
}

/** What changed at one call site. Money is USD per month (expected). */
export interface ScenarioSiteChange {
  id: string;
  baselineMonthlyUsd: number | null;
  monthlyUsd: number | null;
  model?: { from: string | null; to: string; provider: string } | undefined;
  routed?: { model: string; share: number } | undefined;
  cacheHitRate?: { from: number; to: number } | undefined;
  batchShare?: { from: number; to: number } | undefined;
  trafficMultiplier: number;
}

export interface ScenarioOutcome {
  scenario: Scenario;
  /** The sites with the scenario's estimates, in the order of the baseline scan (suggestions are the baseline's). */
  sites: EstimatedCallSite[];
  totals: ScanTotals;
  baselineTotals: ScanTotals;
  /** Sites whose estimate changed. */
  changes: ScenarioSiteChange[];
  /** The scenario in words, one line per control that is not at its baseline, with the number of sites it touches. */
  summary: string[];
  /** Problems: a feature with no call sites, a model without a price. */
  notes: string[];
  /** Time taken, for the webview to decide whether to debounce. */
  elapsedMs: number;
}

/** Prefix of every assumption a scenario adds, so reports can list them apart. */
export const WHAT_IF = 'what-if:';

/**
 * Applies a scenario to a scan. `ctx` must hold the usage configuration the scan was estimated with (its usage and
 * usageFileName) and a tokenizer and catalogue with the same price overrides (see `createEstimateContext`).
 */
export function applyScenario(scan: Pick<ScanResult, 'callSites' | 'totals'>, scenario: Scenario, ctx: EstimateContext): ScenarioOutcome {
  const started = performance.now();
  const k = Number.isFinite(scenario.trafficMultiplier) && scenario.trafficMultiplier > 0 ? scenario.trafficMultiplier : 1;
  const groups = groupSites(scan.callSites, ctx.usage);
  const notes: string[] = [];
  const summary: string[] = [];
  const usedKeys = new Set<string>();
  for (const g of groups.values()) usedKeys.add(g.key);
  for (const key of Object.keys(scenario.featureModels)) {
    if (!usedKeys.has(key)) notes.push(`no feature or folder "${key}" has call sites (known: ${[...usedKeys].sort().join(', ')})`);
  }

  // Which sites each control touches.
  const plans = new Map<string, Plan>();
  const counts = { model: new Map<string, number>(), cache: 0, batch: 0, route: 0 };
  for (const site of scan.callSites) {
    const e = site.estimate;
    if (!e) continue;
    const plan: Plan = {};
    const group = groups.get(site.id)!;
    const wanted = scenario.featureModels[group.key];
    const current = site.model.resolved ?? e.pricedModel;
    if (wanted && site.api !== 'embeddings') {
      const choice = resolveModelChoice(wanted, site.provider, ctx.prices);
      if (choice.model !== current || choice.provider !== site.provider) {
        plan.model = { from: current, to: choice.model, provider: choice.provider };
        counts.model.set(group.key, (counts.model.get(group.key) ?? 0) + 1);
      }
    }
    if (scenario.cacheHitRate !== undefined && site.api !== 'embeddings' && scenario.cacheHitRate !== e.cacheHitRate) {
      plan.cacheHitRate = { from: e.cacheHitRate, to: scenario.cacheHitRate };
      counts.cache++;
    }
    if (scenario.batchShare !== undefined && site.context !== 'interactive' && scenario.batchShare !== e.batchShare) {
      plan.batchShare = { from: e.batchShare, to: scenario.batchShare };
      counts.batch++;
    }
    if (scenario.routedShare && scenario.routedShare > 0 && site.suggestions?.some((s) => s.kind === 'route')) {
      plan.route = scenario.routedShare;
    }
    if (plan.model || plan.cacheHitRate || plan.batchShare || plan.route || k !== 1) plans.set(site.id, plan);
  }

  const derived = derivedContext(ctx, scan.callSites, plans);
  const changes: ScenarioSiteChange[] = [];
  const unpricedTargets = new Map<string, number>();
  const sites = scan.callSites.map((site): EstimatedCallSite => {
    const plan = plans.get(site.id);
    if (!plan || !site.estimate) return site;
    let estimate: SiteEstimate = site.estimate;
    let changedSite: EstimatedCallSite = site;
    if (plan.model) changedSite = { ...site, provider: plan.model.provider, model: { ...site.model, resolved: plan.model.to, resolution: `what-if scenario (was ${site.model.resolved ?? 'unresolved'})` } };
    if (plan.model || plan.cacheHitRate || plan.batchShare) {
      estimate = relabel(estimateSite(changedSite, derived), site.id, ctx.usageFileName);
      if (plan.model) {
        estimate = { ...estimate, assumptions: [`${WHAT_IF} model ${plan.model.to} (${plan.model.provider}) instead of ${plan.model.from ?? 'the unresolved model'}`, ...estimate.assumptions] };
        if (estimate.costPerRequestUsd === null) unpricedTargets.set(plan.model.to, (unpricedTargets.get(plan.model.to) ?? 0) + 1);
      }
    }
    let routed: ScenarioSiteChange['routed'];
    if (plan.route) {
      const r = routeTo(changedSite, estimate, derived, ctx);
      if (r) {
        estimate = blend(estimate, r.estimate, plan.route, r.model);
        routed = { model: r.model, share: plan.route };
        counts.route++;
      }
    }
    if (k !== 1) estimate = scaleTraffic(estimate, k);
    if (!plan.model && !plan.cacheHitRate && !plan.batchShare && !routed && k === 1) return site;
    changes.push({
      id: site.id,
      baselineMonthlyUsd: site.estimate.monthlyCostUsd,
      monthlyUsd: estimate.monthlyCostUsd,
      model: plan.model,
      routed,
      cacheHitRate: plan.cacheHitRate,
      batchShare: plan.batchShare,
      trafficMultiplier: k,
    });
    return { ...changedSite, estimate };
  });

  if (k !== 1) summary.push(`traffic × ${fmtNumber(k)} on every call site`);
  for (const [key, model] of Object.entries(scenario.featureModels)) {
    const n = counts.model.get(key) ?? 0;
    summary.push(`${key}: ${model}${n ? ` (${plural(n, 'call site')})` : ' (no call site changes)'}`);
  }
  if (scenario.cacheHitRate !== undefined) summary.push(`prompt-cache hit rate ${pct(scenario.cacheHitRate)} of input tokens (${plural(counts.cache, 'call site')} changed)`);
  if (scenario.batchShare !== undefined) summary.push(`${pct(scenario.batchShare)} of requests through the Batch API at non-interactive call sites (${plural(counts.batch, 'call site')} changed)`);
  if (scenario.routedShare) summary.push(`a router sends ${pct(scenario.routedShare)} of requests to a cheaper model where costlens suggests routing (${plural(counts.route, 'call site')})`);
  for (const [model, n] of unpricedTargets) notes.push(`${model} has no known price: the ${plural(n, 'call site')} switched to it are left out of the total`);
  const totals = totalsOf(sites);
  return { scenario, sites, totals, baselineTotals: scan.totals, changes, summary, notes, elapsedMs: performance.now() - started };
}

interface Plan {
  model?: { from: string | null; to: string; provider: string };
  cacheHitRate?: { from: number; to: number };
  batchShare?: { from: number; to: number };
  route?: number;
}

const EMPTY_USAGE: UsageConfig = { version: 1, defaults: {}, callSites: {}, features: {}, prices: [], scenarios: {}, advice: {} };

/** The estimate context with the scenario's cache and batch shares as exact `callSites` entries of the usage file. */
function derivedContext(ctx: EstimateContext, sites: readonly EstimatedCallSite[], plans: Map<string, Plan>): EstimateContext {
  const base = ctx.usage ?? EMPTY_USAGE;
  let callSites: Record<string, CallSiteUsage> | null = null;
  for (const site of sites) {
    const plan = plans.get(site.id);
    if (!plan || (!plan.cacheHitRate && !plan.batchShare)) continue;
    callSites ??= { ...base.callSites };
    const entry: CallSiteUsage = { ...(base.callSites[site.id] ?? {}) };
    if (plan.cacheHitRate) entry.cacheHitRate = plan.cacheHitRate.to;
    if (plan.batchShare) entry.batchShare = plan.batchShare.to;
    callSites[site.id] = entry;
  }
  return callSites ? { ...ctx, usage: { ...base, callSites } } : ctx;
}

/** The derived entries name themselves in assumptions (`costlens.yml callSites."x".cacheHitRate`): say "what-if" instead. */
function relabel(e: SiteEstimate, id: string, usageFileName: string | undefined): SiteEstimate {
  const file = usageFileName ?? 'costlens.yml';
  const from = [`${file} ${formatUsagePath(['callSites', id, 'cacheHitRate'])}`, `${file} ${formatUsagePath(['callSites', id, 'batchShare'])}`];
  if (!e.assumptions.some((a) => from.some((f) => a.includes(f)))) return e;
  return { ...e, assumptions: e.assumptions.map((a) => from.reduce((text, f) => text.split(f).join('what-if scenario'), a)) };
}

/** The cheaper model a router would use (same provider, tier 3, cheapest), as route advice picks it. */
function routeTo(site: EstimatedCallSite, e: SiteEstimate, derived: EstimateContext, ctx: EstimateContext): { model: string; estimate: SiteEstimate } | null {
  const model = site.model.resolved ?? e.pricedModel;
  if (!model || e.costPerRequestUsd === null) return null;
  const tiers = ctx.usage?.advice.tiers ?? {};
  const tier = tierOf(model, tiers);
  if (!tier || tier.tier > 2) return null;
  let best: { model: string; estimate: SiteEstimate } | null = null;
  for (const candidate of CANDIDATES[site.provider] ?? []) {
    const t = tierOf(candidate, tiers);
    if (!t || t.tier !== 3 || t.kind !== 'chat') continue;
    const alt = relabel(estimateSite({ ...site, model: { ...site.model, resolved: candidate } }, derived), site.id, ctx.usageFileName);
    if (alt.costPerRequestUsd === null) continue;
    if (!best || alt.costPerRequestUsd < best.estimate.costPerRequestUsd!) best = { model: candidate, estimate: alt };
  }
  return best && best.estimate.costPerRequestUsd! < e.costPerRequestUsd ? best : null;
}

/** (1 − share) of the requests at `main`'s cost, `share` at `cheap`'s. */
function blend(main: SiteEstimate, cheap: SiteEstimate, share: number, cheapModel: string): SiteEstimate {
  const mix = (a: number, b: number): number => (1 - share) * a + share * b;
  const mixRange = (a: Range | null, b: Range | null): Range | null => (a && b ? { low: mix(a.low, b.low), expected: mix(a.expected, b.expected), high: mix(a.high, b.high) } : null);
  const b = main.breakdown && cheap.breakdown
    ? {
        inputUsd: mix(main.breakdown.inputUsd, cheap.breakdown.inputUsd),
        cachedInputUsd: mix(main.breakdown.cachedInputUsd, cheap.breakdown.cachedInputUsd),
        outputUsd: mix(main.breakdown.outputUsd, cheap.breakdown.outputUsd),
        batchSavingUsd: mix(main.breakdown.batchSavingUsd, cheap.breakdown.batchSavingUsd),
      }
    : null;
  const monthly = mixRange(main.monthlyCostRange, cheap.monthlyCostRange);
  return {
    ...main,
    costPerRequestUsd: main.costPerRequestUsd !== null && cheap.costPerRequestUsd !== null ? mix(main.costPerRequestUsd, cheap.costPerRequestUsd) : null,
    breakdown: b,
    monthlyCostRange: monthly,
    monthlyCostUsd: monthly ? monthly.expected : null,
    assumptions: [
      ...main.assumptions,
      `${WHAT_IF} a router sends ${pct(share)} of requests to ${cheapModel} (${formatCostPerRequest(cheap.costPerRequestUsd)}/req) and the rest to ${main.pricedModel ?? 'the model'} (${formatCostPerRequest(main.costPerRequestUsd)}/req)`,
    ],
  };
}

function scaleTraffic(e: SiteEstimate, k: number): SiteEstimate {
  const scale = (r: Range): Range => ({ low: r.low * k, expected: r.expected * k, high: r.high * k });
  return {
    ...e,
    requestsPerMonth: e.requestsPerMonth * k,
    requestsPerMonthRange: scale(e.requestsPerMonthRange),
    trafficDetail: `${e.trafficDetail}; × ${fmtNumber(k)} (what-if scenario)`,
    monthlyCostUsd: e.monthlyCostUsd === null ? null : e.monthlyCostUsd * k,
    monthlyCostRange: e.monthlyCostRange ? scale(e.monthlyCostRange) : null,
    assumptions: [...e.assumptions, `${WHAT_IF} traffic × ${fmtNumber(k)}`],
  };
}

/** The groups a scenario's `featureModels` can name, with their current models, for the webview's controls. */
export function scenarioTargets(scan: Pick<ScanResult, 'callSites'>, usage: UsageConfig | undefined): Array<SiteGroup & { models: string[]; callSites: number }> {
  const groups = groupSites(scan.callSites, usage);
  const out = new Map<string, SiteGroup & { models: string[]; callSites: number }>();
  for (const site of scan.callSites) {
    if (!site.estimate) continue;
    const g = groups.get(site.id)!;
    const row = out.get(g.key) ?? { ...g, models: [], callSites: 0 };
    row.callSites++;
    const m = site.model.resolved ?? site.estimate.pricedModel;
    if (m && site.api !== 'embeddings' && !row.models.includes(m)) row.models.push(m);
    out.set(g.key, row);
  }
  return [...out.values()];
}

/** Models a person can pick in the webview: the candidate lists of every provider, with the workspace's own models first. */
export function modelOptions(scan: Pick<ScanResult, 'callSites'>): string[] {
  const own = scan.callSites.filter((s) => s.estimate && s.api !== 'embeddings').map((s) => s.model.resolved ?? s.estimate!.pricedModel).filter((m): m is string => !!m);
  const all = [...own, ...Object.values(CANDIDATES).flat().filter((m) => !/embed/.test(m))];
  return [...new Set(all)];
}

export interface EstimateContextHandle {
  ctx: EstimateContext;
  dispose(): void;
}

/**
 * A tokenizer and price catalogue for applying scenarios outside the engine (the editor's host holds scan results
 * from the worker but no engine). Loads the encoders up front so that `applyScenario` is synchronous and fast.
 */
export async function createEstimateContext(options: { usage: UsageConfig | undefined; usageFileName?: string | undefined; priceOverrides?: readonly PriceOverride[] | undefined }): Promise<EstimateContextHandle> {
  const tokenizer = await createTokenizer();
  await tokenizer.ensureLoaded();
  const prices = createPriceCatalogue({ overrides: options.priceOverrides ?? [] });
  return { ctx: { tokenizer, prices, usage: options.usage, usageFileName: options.usageFileName }, dispose: () => tokenizer.dispose() };
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const fmtNumber = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(Math.round(n * 1000) / 1000));

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
