/**
 * The feature calculator: what a feature that is not written yet would cost, per request and per month, on the
 * given model and on same-tier or cheaper candidates side by side, each with its Batch API and prompt-caching
 * variants. Token counts are given (nothing to count yet); prices, batch discounts and caching rules are the same the
 * estimator uses. An unknown price is shown as unknown, never as $0.
 *
 *   standard      = (input × input price + output × output price) / 1e6      (long-context prices above the threshold)
 *   batch         = standard × (1 − batch discount)                           (providerRules.ts BATCH_RULES)
 *   cached        = (input × (1 − hit) × input price + input × hit × cache-read price + output × output price) / 1e6
 *                   when the prompt reaches the provider's minimum cacheable prefix (CACHING_RULES), else standard
 *   batch+cached  = cached × (1 − batch discount), only where the provider says the two stack
 *   per month     = per request × requests per day × days per month
 */
import { ADVICE_DEFAULTS } from '../advise/context';
import { CANDIDATES, tierOf } from '../advise/capabilityTiers';
import type { ModelPrice, PriceCatalogue } from '../pricing/catalogue';
import { batchRuleFor, cachingRuleFor } from '../pricing/providerRules';
import { DEFAULT_DAYS_PER_MONTH } from '../usage/resolveTraffic';
import { resolveModelChoice } from './modelChoice';

export interface FeatureSpec {
  /** The model in mind (`gpt-4o`, or `provider/model`). */
  model: string;
  /** Provider of `model` when it is not obvious (e.g. `azure`). */
  provider?: string | undefined;
  inputTokens: number;
  outputTokens: number;
  requestsPerDay: number;
  /** Default 30. */
  daysPerMonth?: number | undefined;
  /** `interactive` (someone waits: the Batch API does not apply) or `batch`. Default interactive. */
  mode?: 'interactive' | 'batch' | undefined;
  /** Share of input tokens read from the prompt cache for the caching variant. Default 0.3 (an assumption). */
  cacheHitRate?: number | undefined;
  /** Compare exactly these models (besides `model`) instead of the automatic candidates; `[]`: the given model only. */
  models?: string[] | undefined;
  /** Capability tier overrides (costlens.yml advice.tiers). */
  tiers?: Record<string, number> | undefined;
}

export type Variant = 'standard' | 'batch' | 'cached' | 'batch+cached';

export interface VariantCost {
  perRequestUsd: number;
  perMonthUsd: number;
}

export interface CalculatorRow {
  model: string;
  provider: string;
  /** True for the model the spec names. */
  given: boolean;
  tier: number | null;
  price: { inputPerMTok: number; outputPerMTok: number; cacheReadPerMTok: number | null; source: string; sourceDate: string; longContext: boolean } | null;
  /** Why the price is unknown (the row then has no costs). */
  priceUnknownReason: string | null;
  standard: VariantCost | null;
  /** Null when no batch discount is documented for the provider (or the price is unknown). */
  batch: (VariantCost & { discount: number; source: string | null; applicable: boolean }) | null;
  /** Null when no cache-read price is known. `eligible` false: the prompt is below the minimum cacheable prefix. */
  cached: (VariantCost & { hitRate: number; cacheReadPerMTok: number; minPrefixTokens: number | null; eligible: boolean; source: string | null }) | null;
  /** Null unless the provider documents that batch and caching discounts stack. */
  batchCached: (VariantCost & { applicable: boolean }) | null;
  /** The cheapest variant that applies in the spec's mode. */
  best: ({ variant: Variant } & VariantCost) | null;
  notes: string[];
}

export interface CalculatorResult {
  spec: Required<Pick<FeatureSpec, 'inputTokens' | 'outputTokens' | 'requestsPerDay' | 'daysPerMonth' | 'mode' | 'cacheHitRate'>> & { model: string; provider: string };
  requestsPerMonth: number;
  /** The given model first, then candidates from cheapest (expected standard cost) to dearest, unknown prices last. */
  rows: CalculatorRow[];
  assumptions: string[];
}

export class CalculatorInputError extends Error {
  override readonly name = 'CalculatorInputError';
}

export function estimateFeature(spec: FeatureSpec, prices: PriceCatalogue): CalculatorResult {
  const check = (name: string, v: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isFinite(v) || v < 0 || v > max) throw new CalculatorInputError(`${name} must be a number from 0 to ${max.toLocaleString('en-US')}, got ${v}`);
  };
  check('input tokens', spec.inputTokens, 100_000_000);
  check('output tokens', spec.outputTokens, 100_000_000);
  check('requests per day', spec.requestsPerDay, 1e12);
  const daysPerMonth = spec.daysPerMonth ?? DEFAULT_DAYS_PER_MONTH;
  if (!(daysPerMonth > 0 && daysPerMonth <= 31)) throw new CalculatorInputError(`days per month must be more than 0 and at most 31, got ${daysPerMonth}`);
  const hit = spec.cacheHitRate ?? ADVICE_DEFAULTS.cacheHitRate;
  if (!(hit >= 0 && hit <= 1)) throw new CalculatorInputError(`cache hit rate must be a share between 0 and 1 (0.3 means 30%), got ${hit}`);
  if (!spec.model.trim()) throw new CalculatorInputError('a model is required');
  const mode = spec.mode ?? 'interactive';
  const requestsPerMonth = spec.requestsPerDay * daysPerMonth;

  const given = resolveModelChoice(spec.provider ? `${spec.provider}/${spec.model.replace(/^.*\//, '')}` : spec.model, spec.provider ?? null, prices);
  const tiers = spec.tiers ?? {};
  const givenTier = tierOf(given.model, tiers);

  const pairs: Array<{ model: string; provider: string }> = [{ model: given.model, provider: given.provider }];
  if (spec.models) {
    for (const m of spec.models) {
      const c = resolveModelChoice(m, given.provider, prices);
      if (!pairs.some((p) => p.model === c.model && p.provider === c.provider)) pairs.push({ model: c.model, provider: c.provider });
    }
  } else {
    const givenStandard = standardOf(prices.lookup(given.provider, given.model), spec);
    for (const candidate of CANDIDATES[given.provider] ?? []) {
      if (candidate === given.model) continue;
      const t = tierOf(candidate, tiers);
      if (givenTier) {
        if (!t || t.kind !== givenTier.kind || t.tier < givenTier.tier) continue;
      } else {
        // No tier for the given model: cheaper candidates only.
        const s = standardOf(prices.lookup(given.provider, candidate), spec);
        if (s === null || givenStandard === null || s > givenStandard) continue;
      }
      pairs.push({ model: candidate, provider: given.provider });
    }
  }

  const rows = pairs.map((p, i) => row(p.model, p.provider, i === 0, prices, spec, { mode, hit, requestsPerMonth, tiers }));
  const [first, ...rest] = rows;
  rest.sort((a, b) => (a.standard?.perMonthUsd ?? Infinity) - (b.standard?.perMonthUsd ?? Infinity) || a.model.localeCompare(b.model));

  const assumptions = [
    `${spec.inputTokens.toLocaleString('en-US')} input and ${spec.outputTokens.toLocaleString('en-US')} output tokens per request, as given`,
    `${spec.requestsPerDay.toLocaleString('en-US')} requests/day × ${daysPerMonth} days = ${requestsPerMonth.toLocaleString('en-US')} requests/month`,
    `caching variant: ${Math.round(hit * 100)}% of input tokens read from the prompt cache (${spec.cacheHitRate === undefined ? 'assumed; set --cache-hit' : 'as given'}); cache writes are not priced`,
    mode === 'interactive'
      ? 'interactive: someone waits for the reply, so Batch API variants are shown for reference but not chosen as best'
      : 'batch: nobody waits for the reply, so Batch API variants apply (results within hours, at most 24 h)',
    spec.models ? 'candidates as given' : givenTier ? `candidates: ${given.provider} models of capability tier ${givenTier.tier} (like ${given.model}) or a less capable, cheaper tier` : `candidates: models of ${given.provider} cheaper than ${given.model} (it has no capability tier)`,
  ];
  return {
    spec: { model: given.model, provider: given.provider, inputTokens: spec.inputTokens, outputTokens: spec.outputTokens, requestsPerDay: spec.requestsPerDay, daysPerMonth, mode, cacheHitRate: hit },
    requestsPerMonth,
    rows: [first!, ...rest],
    assumptions,
  };
}

function standardOf(lookup: ReturnType<PriceCatalogue['lookup']>, spec: FeatureSpec): number | null {
  if (lookup.status !== 'found') return null;
  const { inPrice, outPrice } = pricesFor(lookup.price, spec.inputTokens);
  return (spec.inputTokens * inPrice + spec.outputTokens * outPrice) / 1e6;
}

function pricesFor(price: ModelPrice, inputTokens: number): { inPrice: number; outPrice: number; long: boolean } {
  const long = price.longContext && inputTokens > price.longContext.thresholdTokens ? price.longContext : null;
  return { inPrice: long ? long.inputPerMTok : price.inputPerMTok, outPrice: long?.outputPerMTok ?? price.outputPerMTok, long: long !== null };
}

function row(model: string, provider: string, given: boolean, prices: PriceCatalogue, spec: FeatureSpec, o: { mode: 'interactive' | 'batch'; hit: number; requestsPerMonth: number; tiers: Record<string, number> }): CalculatorRow {
  const tier = tierOf(model, o.tiers)?.tier ?? null;
  const lookup = prices.lookup(provider, model);
  const notes: string[] = [];
  if (lookup.status !== 'found') {
    return { model, provider, given, tier, price: null, priceUnknownReason: lookup.reason, standard: null, batch: null, cached: null, batchCached: null, best: null, notes };
  }
  const p = lookup.price;
  const { inPrice, outPrice, long } = pricesFor(p, spec.inputTokens);
  if (long) notes.push(`long-context prices apply above ${p.longContext!.thresholdTokens.toLocaleString('en-US')} input tokens`);
  const month = (perRequestUsd: number): VariantCost => ({ perRequestUsd, perMonthUsd: perRequestUsd * o.requestsPerMonth });
  const standard = month((spec.inputTokens * inPrice + spec.outputTokens * outPrice) / 1e6);

  const rule = batchRuleFor(provider, model);
  const discount = p.batchDiscount ?? rule?.discount ?? null;
  const batch = discount ? { ...month(standard.perRequestUsd * (1 - discount)), discount, source: p.batchSource ?? rule?.source ?? null, applicable: o.mode === 'batch' } : null;
  if (!batch) notes.push(`no Batch API discount is documented for ${provider}`);

  let cached: CalculatorRow['cached'] = null;
  const caching = cachingRuleFor(provider, model);
  if (p.cacheReadPerMTok !== null) {
    const min = caching?.minPrefixTokens ?? null;
    const eligible = min === null || spec.inputTokens >= min;
    const perRequest = eligible ? (spec.inputTokens * (1 - o.hit) * inPrice + spec.inputTokens * o.hit * p.cacheReadPerMTok + spec.outputTokens * outPrice) / 1e6 : standard.perRequestUsd;
    cached = { ...month(perRequest), hitRate: o.hit, cacheReadPerMTok: p.cacheReadPerMTok, minPrefixTokens: min, eligible, source: caching?.source ?? null };
    if (!eligible) notes.push(`prompt caching needs at least ${min!.toLocaleString('en-US')} input tokens for ${model}: no cache hits at ${spec.inputTokens.toLocaleString('en-US')}`);
    if (caching?.mode === 'explicit') notes.push('caching must be requested (cache_control); cache writes cost extra and are not priced here');
  } else {
    notes.push('no cache-read price is known for this model');
  }
  const stacks = rule?.stacksWithCaching === true;
  const batchCached = batch && cached && stacks ? { ...month(cached.perRequestUsd * (1 - batch.discount)), applicable: o.mode === 'batch' } : null;

  const options: Array<{ variant: Variant } & VariantCost> = [{ variant: 'standard', ...standard }];
  if (cached?.eligible) options.push({ variant: 'cached', perRequestUsd: cached.perRequestUsd, perMonthUsd: cached.perMonthUsd });
  if (batch?.applicable) options.push({ variant: 'batch', perRequestUsd: batch.perRequestUsd, perMonthUsd: batch.perMonthUsd });
  if (batchCached?.applicable && cached?.eligible) options.push({ variant: 'batch+cached', perRequestUsd: batchCached.perRequestUsd, perMonthUsd: batchCached.perMonthUsd });
  const best = options.reduce((a, b) => (b.perRequestUsd < a.perRequestUsd - 1e-15 ? b : a));
  return {
    model,
    provider,
    given,
    tier,
    price: { inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok, cacheReadPerMTok: p.cacheReadPerMTok, source: p.source, sourceDate: p.sourceDate, longContext: long },
    priceUnknownReason: null,
    standard,
    batch,
    cached,
    batchCached,
    best,
    notes,
  };
}
