/**
 * The price catalogue: per-token list prices of a (provider, model) pair.
 *
 * Prices come from @pydantic/genai-prices, whose data ships inside the package and is used offline only: this module
 * never calls the package's `updatePrices`/`waitForUpdate` (they fetch). User overrides (costlens.yml, LiteLLM price
 * files) win over the package. Batch discounts come from the sourced rules in providerRules.ts.
 *
 * A model that cannot be priced is reported as `unknown` with the reason, never as a price of 0; only an override
 * can set 0 (self-hosted models).
 */
import { calcPrice, findProvider, type ModelInfo, type ModelPrice as PackagePrices, type Provider } from '@pydantic/genai-prices';
import { batchRuleFor, canonicalProviderId, SELF_HOSTED_PROVIDERS } from './providerRules';

/** Name and version of the price data package; a test checks the version against the installed package. */
export const PRICE_DATA_PACKAGE = '@pydantic/genai-prices';
export const PRICE_DATA_VERSION = '0.1.8';
/**
 * Date of the price data. The package carries no date of its own, so this is the npm publish time of version 0.1.8
 * (`npm view @pydantic/genai-prices time`: 2026-09-23T10:11:04Z). Update together with PRICE_DATA_VERSION.
 */
export const PRICE_DATA_DATE = '2026-09-23';
export const PRICE_DATA_SOURCE = `${PRICE_DATA_PACKAGE} ${PRICE_DATA_VERSION}`;

export interface LongContextPrice {
  /** The higher prices apply to a request whose input exceeds this many tokens (the whole request, not the excess). */
  thresholdTokens: number;
  inputPerMTok: number;
  /** Null when the output price does not change above the threshold. */
  outputPerMTok: number | null;
}

export interface ModelPrice {
  /** Provider whose price data was used (catalogue id, e.g. `aws` for `aws-bedrock`). */
  provider: string;
  /** Canonical model id in the catalogue. */
  model: string;
  /** The model id that was asked for. */
  matchedFrom: string;
  /** USD per million input tokens. */
  inputPerMTok: number;
  /** USD per million output tokens (0 for input-only models such as embeddings, with a note). */
  outputPerMTok: number;
  /** USD per million cached input tokens read, when the provider prices cache hits. */
  cacheReadPerMTok: number | null;
  /** USD per million input tokens written to the cache (5-minute TTL where there is a choice). */
  cacheWritePerMTok: number | null;
  longContext: LongContextPrice | null;
  /** Fraction off list prices for batch requests, e.g. 0.5 = 50% off; null when none is documented. */
  batchDiscount: number | null;
  /** Where the batch discount comes from (URL of the provider's page, or the override's source). */
  batchSource: string | null;
  /** e.g. `@pydantic/genai-prices 0.1.8` or `costlens.yml prices`. */
  source: string;
  /** ISO date (YYYY-MM-DD) of the price data. */
  sourceDate: string;
  /** Caveats a person should see next to figures computed from this price. */
  notes: string[];
}

export type PriceLookup = { status: 'found'; price: ModelPrice } | { status: 'unknown'; reason: string };

/** A user-supplied price. Overrides win over the package and match the model id exactly (with or without a `provider/` prefix). */
export interface PriceOverride {
  /** Restricts the override to one provider (any alias, e.g. `bedrock`); absent = any provider. */
  provider?: string;
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
  batchDiscount?: number;
  longContext?: LongContextPrice;
  /** e.g. `costlens.yml prices` or `prices.json (LiteLLM format)`. */
  source: string;
  /** ISO date of the override's data; defaults to the catalogue's `now`. */
  sourceDate?: string;
  notes?: string[];
}

export interface PriceCatalogueOptions {
  /** Later entries win over earlier ones when several match equally well. */
  overrides?: readonly PriceOverride[];
  /** Date used to pick date-dependent prices; defaults to the time the catalogue is created. */
  now?: Date;
}

export interface PriceCatalogue {
  /** Memoized per (provider, model): asking twice returns the same object. Never throws. */
  lookup(provider: string, model: string): PriceLookup;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Rounds away binary noise (0.15000000000000002) without touching real prices (at most 9 decimals of a dollar). */
function tidy(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

function money(value: number): string {
  return `$${tidy(value)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Overrides
// ---------------------------------------------------------------------------------------------------------------

/** `a/b/c` → [`a/b/c`, `b/c`, `c`], lower-cased: the id with and without its provider prefixes. */
function idVariants(model: string): string[] {
  const id = model.trim().toLowerCase();
  const variants = [id];
  for (let slash = id.indexOf('/'); slash >= 0; slash = id.indexOf('/', slash + 1)) variants.push(id.slice(slash + 1));
  return variants.filter((variant) => variant !== '');
}

function findOverride(overrides: readonly PriceOverride[], provider: string, model: string): PriceOverride | null {
  const wanted = idVariants(model);
  let best: PriceOverride | null = null;
  let bestScore = -1;
  for (const override of overrides) {
    if (override.provider !== undefined && canonicalProviderId(override.provider) !== provider) continue;
    const variants = idVariants(override.model);
    const full = variants[0] === wanted[0];
    if (!full && !variants.some((variant) => wanted.includes(variant))) continue;
    // A provider-specific override beats a generic one; an exact id beats a prefix-stripped one; later wins ties.
    const score = (override.provider !== undefined ? 2 : 0) + (full ? 1 : 0);
    if (score >= bestScore) {
      best = override;
      bestScore = score;
    }
  }
  return best;
}

function priceFromOverride(override: PriceOverride, provider: string, model: string, now: Date): ModelPrice {
  const rule = override.batchDiscount === undefined ? batchRuleFor(provider, model) : null;
  const notes = [...(override.notes ?? [])];
  if (override.inputPerMTok === 0 && override.outputPerMTok === 0) notes.push('Priced at 0 by override (self-hosted or free).');
  return {
    provider,
    model: override.model,
    matchedFrom: model,
    inputPerMTok: override.inputPerMTok,
    outputPerMTok: override.outputPerMTok,
    cacheReadPerMTok: override.cacheReadPerMTok ?? null,
    cacheWritePerMTok: override.cacheWritePerMTok ?? null,
    longContext: override.longContext ?? null,
    batchDiscount: override.batchDiscount ?? rule?.discount ?? null,
    batchSource: override.batchDiscount !== undefined ? override.source : (rule?.source ?? null),
    source: override.source,
    sourceDate: override.sourceDate ?? isoDate(now),
    notes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Package data
// ---------------------------------------------------------------------------------------------------------------

interface PackageMatch {
  provider: Provider;
  info: ModelInfo;
  notes: string[];
}

/** Runs the package's matcher (provider resolution, model `match` rules, date normalisation, fallback providers). */
function packageMatch(providerId: string, model: string, now: Date): PackageMatch | null {
  let result: ReturnType<typeof calcPrice>;
  try {
    result = calcPrice({}, model, { providerId, timestamp: now });
  } catch {
    return null; // malformed data for this model; treated as not found
  }
  if (!result) return null;
  const notes: string[] = [];
  let provider = result.provider;
  if (!provider.models.includes(result.model)) {
    // Found through the provider's fallback list (e.g. azure → openai): report whose list price it is.
    const owner = (provider.fallback_model_providers ?? [])
      .map((id) => findProvider({ providerId: id }))
      .find((candidate) => candidate?.models.includes(result.model));
    if (owner) {
      notes.push(`${provider.id} has no price of its own for this model; ${owner.id}'s list price is used.`);
      provider = owner;
    }
  }
  return { provider, info: result.model, notes };
}

/** A trailing snapshot date or version: `-2024-08-06`, `-20240806`, `-0613`, `-001`, `-latest`, `-preview`. */
const SNAPSHOT_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|latest|preview)$/;

interface Attempt {
  providerId: string;
  model: string;
  note: string | null;
}

/** Model ids to try, most specific first, for the requested provider. */
function attemptsFor(providerId: string, model: string): Attempt[] {
  const id = model.trim();
  const attempts: Attempt[] = [{ providerId, model: id, note: null }];
  const lastSegment = id.includes('/') ? id.slice(id.lastIndexOf('/') + 1) : null;
  if (lastSegment) attempts.push({ providerId, model: lastSegment, note: null });
  const base = lastSegment ?? id;

  if (providerId === 'azure') {
    // Azure deployments have user-chosen names; those that start with the model they deploy (`gpt-4o-mini-prod`)
    // are matched by dropping trailing `-parts`. Azure also spells gpt-3.5 as gpt-35.
    const parts = base.replace(/^gpt-35/i, 'gpt-3.5').split('-');
    for (let n = parts.length; n >= 2; n--) {
      const prefix = parts.slice(0, n).join('-');
      if (prefix !== base) attempts.push({ providerId, model: prefix, note: `Azure deployment name matched by prefix as ${prefix}.` });
    }
  } else {
    let trimmed = base;
    while (SNAPSHOT_SUFFIX.test(trimmed)) {
      trimmed = trimmed.replace(SNAPSHOT_SUFFIX, '');
      attempts.push({ providerId, model: trimmed, note: `No price for this snapshot; priced as ${trimmed}.` });
    }
  }
  return attempts;
}

/** The price entry in force at `now`, plus notes about time-of-day windows and scheduled changes. */
function pricesAt(info: ModelInfo, now: Date): { prices: PackagePrices; notes: string[] } {
  if (!Array.isArray(info.prices)) return { prices: info.prices, notes: [] };
  const notes: string[] = [];
  let current: PackagePrices | undefined;
  let currentStart = -Infinity;
  const windows: { startTime: string; endTime: string; prices: PackagePrices }[] = [];
  for (const entry of info.prices) {
    const constraint = entry.constraint;
    if (constraint === undefined) {
      current ??= entry.prices;
    } else if (constraint.type === 'start_date') {
      const start = new Date(`${constraint.start_date}T00:00:00Z`).getTime();
      if (start <= now.getTime()) {
        if (start >= currentStart) {
          current = entry.prices;
          currentStart = start;
        }
      } else {
        notes.push(`Scheduled price change on ${constraint.start_date}: ${describeBase(entry.prices)}.`);
      }
    } else {
      windows.push({ startTime: constraint.start_time, endTime: constraint.end_time, prices: entry.prices });
    }
  }
  let prices = current ?? info.prices[0]?.prices ?? {};
  if (windows.length > 0) {
    // Time-of-day pricing (e.g. DeepSeek peak/off-peak). An estimate must not depend on the hour it is computed,
    // so the higher price is used and the other one is reported.
    const highest = windows.reduce((a, b) => (baseOf(b.prices.input_mtok) > baseOf(a.prices.input_mtok) ? b : a));
    const spans = windows.map((w) => `${w.startTime.replace(/:00Z$/, '')}-${w.endTime.replace(/:00Z$/, '')} UTC`).join(', ');
    if (baseOf(highest.prices.input_mtok) > baseOf(prices.input_mtok)) {
      notes.push(`Peak-hour price (${spans}) used; ${describeBase(prices)} applies at other hours.`);
      prices = highest.prices;
    } else {
      notes.push(`Discounted price ${describeBase(highest.prices)} applies during ${spans}.`);
    }
  }
  return { prices, notes };
}

function baseOf(value: PackagePrices[string]): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.base;
}

function describeBase(prices: PackagePrices): string {
  const input = prices.input_mtok;
  const output = prices.output_mtok;
  if (input === undefined) return 'no per-token price';
  return `${money(baseOf(input))} input / ${money(baseOf(output))} output per MTok`;
}

function priceFromPackage(match: PackageMatch, requestedProvider: string, model: string, now: Date, extraNotes: string[]): PriceLookup {
  const { info, provider } = match;
  const { prices, notes: dateNotes } = pricesAt(info, now);
  const input = prices.input_mtok;
  if (input === undefined) {
    const keys = Object.keys(prices);
    const what = keys.length === 0 ? 'lists no price for it (free tier or subscription)' : `prices it per ${keys.join(', ')}, not per token`;
    return { status: 'unknown', reason: `${PRICE_DATA_SOURCE} matches ${model} to ${provider.id}/${info.id} but ${what}; add a price override.` };
  }
  const output = prices.output_mtok;
  const notes = [...match.notes, ...extraNotes, ...dateNotes];
  if (output === undefined) notes.push('No output price listed (input-only model such as embeddings); output priced at 0.');
  if (info.deprecated) notes.push('Marked deprecated in the price data.');
  if (info.price_comments) notes.push(info.price_comments.trim());

  let longContext: LongContextPrice | null = null;
  const inputTier = typeof input === 'object' ? input.tiers[0] : undefined;
  const outputTier = typeof output === 'object' ? output.tiers[0] : undefined;
  const tier = inputTier ?? outputTier;
  if (tier) {
    longContext = {
      thresholdTokens: tier.start,
      inputPerMTok: tidy(inputTier?.price ?? baseOf(input)),
      outputPerMTok: outputTier ? tidy(outputTier.price) : null,
    };
    const tierCount = Math.max(typeof input === 'object' ? input.tiers.length : 0, typeof output === 'object' ? output.tiers.length : 0);
    if (tierCount > 1) notes.push(`Only the first of ${tierCount} long-context tiers is represented.`);
  }
  const cacheRead = prices.cache_read_mtok;
  const cacheWrite = prices.cache_write_mtok;
  // Batch rules belong to the provider the request goes to (azure's Global Batch, not openai's Batch API).
  const rule = batchRuleFor(requestedProvider, info.id);
  return {
    status: 'found',
    price: {
      provider: provider.id,
      model: info.id,
      matchedFrom: model,
      inputPerMTok: tidy(baseOf(input)),
      outputPerMTok: tidy(baseOf(output)),
      cacheReadPerMTok: cacheRead === undefined ? null : tidy(baseOf(cacheRead)),
      cacheWritePerMTok: cacheWrite === undefined ? null : tidy(baseOf(cacheWrite)),
      longContext,
      batchDiscount: rule?.discount ?? null,
      batchSource: rule?.source ?? null,
      source: PRICE_DATA_SOURCE,
      sourceDate: PRICE_DATA_DATE,
      notes,
    },
  };
}

/** Resolves a provider id (any alias) to the package's provider, if it has one. */
function packageProvider(providerId: string): Provider | undefined {
  return providerId === '' ? undefined : findProvider({ providerId });
}

function lookupInPackage(requestedProvider: string, model: string, now: Date): PriceLookup {
  const provider = packageProvider(requestedProvider);
  const tried: string[] = [];
  const tryAttempts = (attempts: Attempt[], extra: string | null): PriceLookup | null => {
    for (const attempt of attempts) {
      tried.push(`${attempt.providerId}/${attempt.model}`);
      const match = packageMatch(attempt.providerId, attempt.model, now);
      if (match) {
        const notes = [extra, attempt.note].filter((note): note is string => note !== null);
        return priceFromPackage(match, requestedProvider, model, now, notes);
      }
    }
    return null;
  };

  // 1. The requested provider's own data (with its fallback providers), then snapshot/deployment variants.
  if (provider) {
    const found = tryAttempts(attemptsFor(provider.id, model), null);
    if (found) return found;
  }

  // 2. A `maker/model` id whose prefix names another provider (`anthropic/claude-3-5-sonnet` through a gateway).
  const slash = model.indexOf('/');
  if (slash > 0) {
    const prefixProvider = packageProvider(canonicalProviderId(model.slice(0, slash)));
    if (prefixProvider && prefixProvider.id !== provider?.id) {
      const note = provider
        ? `Not in ${provider.id}'s price data; ${prefixProvider.id}'s list price is used (the price through ${requestedProvider} may differ).`
        : `Priced with ${prefixProvider.id}'s list price (from the model id's prefix).`;
      const found = tryAttempts(attemptsFor(prefixProvider.id, model.slice(slash + 1)), note);
      if (found) return found;
    }
  }

  // 3. The model's maker, recognised by name (claude → anthropic, gemini → google …).
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const maker = findProvider({ modelId: bare.trim().toLowerCase() });
  if (maker && maker.id !== provider?.id) {
    const note = provider
      ? `Not in ${provider.id}'s price data; ${maker.id}'s list price is used (the price through ${requestedProvider} may differ).`
      : `Provider ${requestedProvider || '(none)'} is not in the price data; ${maker.id}'s list price is used.`;
    const found = tryAttempts(attemptsFor(maker.id, bare), note);
    if (found) return found;
  }

  const where = provider ? `${provider.id}'s price data` : `the price data (provider ${requestedProvider || '(none)'} is not in it)`;
  return {
    status: 'unknown',
    reason: `${model} is not in ${where} (${PRICE_DATA_SOURCE}; tried ${tried.length > 0 ? tried.join(', ') : 'no provider'}); add a price override.`,
  };
}

/**
 * Creates a catalogue. Lookups are memoized per (provider, model); create a new catalogue to change overrides or `now`.
 */
export function createPriceCatalogue(options: PriceCatalogueOptions = {}): PriceCatalogue {
  const overrides = options.overrides ?? [];
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw new RangeError('createPriceCatalogue: `now` is an invalid date');
  const memo = new Map<string, PriceLookup>();

  function compute(provider: string, model: string): PriceLookup {
    if (model.trim() === '') return { status: 'unknown', reason: 'No model id.' };
    const override = findOverride(overrides, provider, model);
    if (override) return { status: 'found', price: priceFromOverride(override, provider, model, now) };
    if (SELF_HOSTED_PROVIDERS.has(provider)) {
      return {
        status: 'unknown',
        reason: `${provider} runs models on your own hardware and has no list price; add a price override for ${model} (0 to treat it as free).`,
      };
    }
    return lookupInPackage(provider, model, now);
  }

  return {
    lookup(provider, model) {
      const canonical = canonicalProviderId(provider);
      const key = `${canonical}\u0000${model}`;
      let result = memo.get(key);
      if (result === undefined) {
        result = compute(canonical, model);
        memo.set(key, result);
      }
      return result;
    },
  };
}
