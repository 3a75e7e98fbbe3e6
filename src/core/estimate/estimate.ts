/**
 * Per-request and monthly cost of a call site, with every input and assumption that produced the figure.
 *
 *   cost/request = uncached input tokens × input price + cached input tokens × cache-read price
 *                + output tokens × n × output price,   then the Batch API discount on the batched share
 *   cost/month   = cost/request × requests per month
 *
 * Static prompt text is counted with the model's tokenizer; each dynamic part (an interpolated variable, a history
 * list) is an assumption, as is the output of a call without a limit. An unknown price gives null costs, never 0.
 *
 * A call site with measurements (`callSites."<id>".measured`, written by `costlens calibrate`) is estimated from them
 * instead: measured requests/day, the measured input and output token medians (p90 as the high end of the range) and
 * the measured cache-hit share; each such figure is marked `measured`. The estimate the assumptions alone would give
 * is kept in `calibration`, with its error against the measured actual cost, so people see how good their guesses were.
 */
import type { CallSite } from '../types';
import type { Tokenizer } from '../tokens/tokenizer';
import type { PriceCatalogue, ModelPrice } from '../pricing/catalogue';
import { batchRuleFor } from '../pricing/providerRules';
import { resolveTraffic, type TrafficResolution } from '../usage/resolveTraffic';
import type { MeasuredUsage, Range, UsageConfig } from '../usage/schema';

/** Built-in assumptions, used when neither the call nor the usage file says. Shown in every explanation. */
export const ESTIMATE_DEFAULTS = {
  /** Tokens assumed for each dynamic prompt part (a user message, a variable interpolated into a template). */
  tokensPerDynamicPart: 250,
  /** Tokens assumed for a prompt that cannot be read at all (messages built elsewhere). */
  tokensForOpaquePrompt: 1000,
  /** Output tokens assumed when a chat/generation call sets no limit. */
  outputTokens: 400,
  /** Calls per trigger assumed for a call inside a loop when the traffic is not stated for the site itself. */
  loopIterations: 10,
} as const;

/** The largest `n` any provider accepts (OpenAI: 128). */
const MAX_COMPLETIONS = 128;
/** Output limits above this are not real token counts (the largest model outputs are in the hundreds of thousands). */
const MAX_OUTPUT_LIMIT = 10_000_000;

export type OutputSource = 'limit' | 'usage-file' | 'assumed' | 'none (embeddings)' | 'measured';

/** `estimated`: static text counted plus assumed dynamic parts; `measured`: the median from production telemetry. */
export type InputSource = 'estimated' | 'measured';

/** Estimate-versus-actual of a calibrated call site (one whose usage entry has a `measured` block). */
export interface EstimateCalibration {
  /** Monthly cost costlens estimates from the assumptions alone (without the measured block); null when unpriced. */
  estimateBeforeUsd: number | null;
  /** The monthly cost the telemetry showed; null when the import could not price it. */
  actualMonthlyCostUsd: number | null;
  /** (estimateBefore − actual) ÷ actual × 100: +25 means the assumptions overestimated by 25%. Null when unknown or actual is 0. */
  errorPct: number | null;
  /** The same error for the calibrated estimate (measured traffic and token medians). */
  calibratedErrorPct: number | null;
  /** The assumption-based figures that the measurements replaced. */
  before: { requestsPerMonth: number; inputTokens: number; outputTokens: number; costPerRequestUsd: number | null; trafficSource: SiteEstimate['trafficSource'] };
  /** Measured requests per day. */
  measuredRequestsPerDay: number;
  /** Where the measurements came from (the block's `source`), and their window. */
  source: string | null;
  window: { from: string; to: string } | null;
}

export interface SiteEstimate {
  /** Expected input tokens per request (static counted + dynamic assumed + tools). */
  inputTokens: number;
  staticInputTokens: number;
  dynamicInputTokens: number;
  toolTokens: number;
  dynamicParts: number;
  /** Expected output tokens per request (× n). */
  outputTokens: number;
  outputSource: OutputSource;
  inputSource: InputSource;
  tokenMethod: string;
  tokensApproximate: boolean;
  price: ModelPrice | null;
  /** Why the price is unknown, when it is. */
  priceUnknownReason: string | null;
  /** Model priced (resolved by the detector, or assumed from the usage file). */
  pricedModel: string | null;
  costPerRequestUsd: number | null;
  /** Cost split, per request, for explanations. */
  breakdown: { inputUsd: number; cachedInputUsd: number; outputUsd: number; batchSavingUsd: number } | null;
  requestsPerMonth: number;
  requestsPerMonthRange: Range;
  trafficSource: TrafficResolution['source'] | 'loop' | 'measured';
  trafficDetail: string;
  monthlyCostUsd: number | null;
  monthlyCostRange: Range | null;
  cacheHitRate: number;
  batchShare: number;
  feature: string | null;
  priceSource: string;
  /** Every assumption used, in words, for hovers, reports and `--format json`. */
  assumptions: string[];
  /** Present when the site has measurements: the assumption-only estimate and the errors against the actual cost. */
  calibration?: EstimateCalibration | undefined;
}

export interface EstimateContext {
  tokenizer: Tokenizer;
  prices: PriceCatalogue;
  usage: UsageConfig | undefined;
  usageFileName?: string | undefined;
}

export function estimateSite(site: CallSite, ctx: EstimateContext): SiteEstimate {
  const traffic = resolveTraffic(ctx.usage, site, { usageFileName: ctx.usageFileName });
  const measured = traffic.measured;
  if (!measured) return estimateFrom(site, ctx, traffic, undefined);
  const before = estimateFrom(site, ctx, traffic, undefined);
  const after = estimateFrom(site, ctx, traffic, measured);
  const actual = measured.actualMonthlyCostUsd ?? null;
  return {
    ...after,
    calibration: {
      estimateBeforeUsd: before.monthlyCostUsd,
      actualMonthlyCostUsd: actual,
      errorPct: errorPct(before.monthlyCostUsd, actual),
      calibratedErrorPct: errorPct(after.monthlyCostUsd, actual),
      before: {
        requestsPerMonth: before.requestsPerMonth,
        inputTokens: before.inputTokens,
        outputTokens: before.outputTokens,
        costPerRequestUsd: before.costPerRequestUsd,
        trafficSource: before.trafficSource,
      },
      measuredRequestsPerDay: measured.requestsPerDay,
      source: measured.source ?? null,
      window: measured.window ?? null,
    },
  };
}

/** (estimate − actual) ÷ actual in percent; null when either is unknown or the actual cost is 0. */
export function errorPct(estimate: number | null, actual: number | null): number | null {
  if (estimate === null || actual === null || !(actual > 0)) return null;
  return ((estimate - actual) / actual) * 100;
}

/** The most used model of a measured block (ties: the first written). */
function topMeasuredModel(measured: MeasuredUsage | undefined): string | null {
  let best: string | null = null;
  let bestCount = -1;
  for (const [model, count] of Object.entries(measured?.models ?? {})) {
    if (count > bestCount) {
      best = model;
      bestCount = count;
    }
  }
  return best;
}

/** The estimate from the resolved traffic and assumptions, with measured figures replacing them when given. */
function estimateFrom(site: CallSite, ctx: EstimateContext, traffic: TrafficResolution, measured: MeasuredUsage | undefined): SiteEstimate {
  const assumptions: string[] = [];
  const measuredOrigin = traffic.measuredOrigin ?? 'the usage file';
  const measuredModel = measured ? topMeasuredModel(measured) : null;
  const model = site.model.resolved ?? traffic.model ?? measuredModel ?? null;
  if (!site.model.resolved && traffic.model) assumptions.push(`model ${traffic.model} assumed from ${traffic.origins.model ?? 'the usage file'} (the code's model could not be resolved)`);
  else if (!site.model.resolved && measuredModel) assumptions.push(`model ${measuredModel} measured (${measuredOrigin}; the code's model could not be resolved)`);

  // ---- input tokens
  const staticParts = site.prompt.parts.filter((p) => p.kind === 'static' && p.text.length > 0);
  const dynamicParts = site.prompt.parts.filter((p) => p.kind === 'dynamic');
  const isChat = site.api !== 'embeddings' && site.api !== 'completions';
  const counted = isChat
    ? ctx.tokenizer.countChat(mergeByRole(staticParts), model, site.provider)
    : ctx.tokenizer.count(staticParts.map((p) => p.text).join('\n'), model, site.provider);
  const staticInputTokens = staticParts.length || isChat ? counted.tokens : 0;
  const assumptionsBeforeInput = assumptions.length;
  const perDynamic = traffic.inputTokens ?? point(ESTIMATE_DEFAULTS.tokensPerDynamicPart);
  const perDynamicOrigin = traffic.origins.inputTokens ?? 'built-in default';
  let dynamicCount = dynamicParts.length;
  let dynamicRange: Range;
  if (site.prompt.opaque || (site.prompt.parts.length === 0 && site.role !== 'construct')) {
    const opaque = traffic.inputTokens ?? point(ESTIMATE_DEFAULTS.tokensForOpaquePrompt);
    dynamicRange = opaque;
    dynamicCount = Math.max(1, dynamicCount);
    assumptions.push(
      `prompt ${site.prompt.opaqueExpression ? `\`${short(site.prompt.opaqueExpression)}\` ` : ''}could not be read: ${fmtRange(opaque)} input tokens assumed (${traffic.inputTokens ? perDynamicOrigin : 'built-in default'})`,
    );
  } else {
    dynamicRange = scale(perDynamic, dynamicCount);
    if (dynamicCount > 0) {
      const names = dynamicParts.map((p) => `\`${short(p.expression ?? '?')}\``).slice(0, 4).join(', ');
      assumptions.push(`${dynamicCount} dynamic prompt part${dynamicCount === 1 ? '' : 's'} (${names}${dynamicCount > 4 ? ', …' : ''}) at ${fmtRange(perDynamic)} tokens each (${perDynamicOrigin})`);
    }
  }
  let toolTokens = 0;
  if (site.params.toolsText) toolTokens = ctx.tokenizer.countTools(site.params.toolsText, model, site.provider).tokens;
  else if (site.params.toolsDynamic) assumptions.push('tool definitions are built at runtime and not counted');
  let inputRange = add(add(point(staticInputTokens), dynamicRange), point(toolTokens));
  let inputSource: InputSource = 'estimated';
  if (measured?.inputTokens) {
    const m = measured.inputTokens;
    // Measured input covers the whole request (static text, dynamic parts, tools): it replaces the assumptions above.
    assumptions.length = assumptionsBeforeInput;
    inputRange = { low: m.median, expected: m.median, high: Math.max(m.median, m.p90) };
    dynamicRange = point(Math.max(0, m.median - staticInputTokens - toolTokens));
    inputSource = 'measured';
    assumptions.push(`input measured: median ${fmtRange(point(m.median))}, p90 ${fmtRange(point(m.p90))} tokens per request (${measuredOrigin})`);
  } else if (counted.approximate) assumptions.push(`token counts are approximate (${counted.method})`);

  // ---- output tokens
  // Parameters read from code are checked before use: a value no API accepts is ignored and said so.
  const nValue = site.params.n?.value ?? null;
  const n = nValue !== null && Number.isInteger(nValue) && nValue > 1 && nValue <= MAX_COMPLETIONS ? nValue : 1;
  if (nValue !== null && n === 1 && nValue !== 1) assumptions.push(`n = ${site.params.n!.expression} is not a valid number of completions (1–${MAX_COMPLETIONS}): 1 assumed`);
  const limitValue = site.params.maxOutputTokens?.value ?? null;
  const limit = limitValue !== null && Number.isFinite(limitValue) && limitValue > 0 && limitValue <= MAX_OUTPUT_LIMIT ? Math.floor(limitValue) : null;
  if (limitValue !== null && limit === null) assumptions.push(`output limit ${site.params.maxOutputTokens!.expression} is not a valid token count: ignored`);
  let outputRange: Range;
  let outputSource: OutputSource;
  if (site.api === 'embeddings') {
    outputRange = point(0);
    outputSource = 'none (embeddings)';
  } else if (measured?.outputTokens) {
    const m = measured.outputTokens;
    outputRange = { low: m.median, expected: m.median, high: Math.max(m.median, m.p90) };
    outputSource = 'measured';
    assumptions.push(`output measured: median ${fmtRange(point(m.median))}, p90 ${fmtRange(point(m.p90))} tokens per request (${measuredOrigin})`);
  } else if (traffic.outputTokens && traffic.origins.outputTokens && !/defaults/.test(traffic.origins.outputTokens)) {
    outputRange = traffic.outputTokens;
    outputSource = 'usage-file';
    assumptions.push(`${fmtRange(outputRange)} output tokens per request (${traffic.origins.outputTokens})`);
  } else if (limit !== null) {
    outputRange = point(limit);
    outputSource = 'limit';
    assumptions.push(`output at its limit of ${limit} tokens (an upper bound; real replies are often shorter)`);
  } else {
    outputRange = traffic.outputTokens ?? point(ESTIMATE_DEFAULTS.outputTokens);
    outputSource = 'assumed';
    const limitNote = site.params.maxOutputTokens ? `limit \`${short(site.params.maxOutputTokens.expression)}\` is not a constant; ` : 'no output limit; ';
    assumptions.push(`${limitNote}${fmtRange(outputRange)} output tokens assumed (${traffic.origins.outputTokens ?? 'built-in default'})`);
  }
  if (n > 1 && outputSource !== 'measured') {
    outputRange = scale(outputRange, n);
    assumptions.push(`n = ${n} completions per request multiply the output`);
  }
  if (site.params.reasoningEffort) assumptions.push(`reasoning (${site.params.reasoningEffort}) adds billed reasoning tokens not counted here`);

  // ---- traffic
  let requests = traffic.requestsPerMonth;
  let trafficSource: SiteEstimate['trafficSource'] = traffic.source;
  let trafficDetail = traffic.detail;
  if (measured) {
    // Measured calls of this very site: no loop multiplier, no context default.
    const perMonth = measured.requestsPerDay * traffic.daysPerMonth;
    requests = point(perMonth);
    trafficSource = 'measured';
    const window = measured.window ? ` over ${measured.window.from.slice(0, 10)} → ${measured.window.to.slice(0, 10)}` : '';
    trafficDetail = `measured: ${fmtCount(measured.requestsPerDay)}/day${window}${measured.source ? ` (${measured.source})` : ''}`;
    assumptions.push(`traffic ${trafficDetail}; ${measuredOrigin}`);
  } else if (site.inLoop && (traffic.source === 'context-default' || traffic.source === 'built-in-default' || traffic.source === 'feature')) {
    requests = scale(requests, ESTIMATE_DEFAULTS.loopIterations);
    trafficSource = 'loop';
    trafficDetail = `${traffic.detail}; × ${ESTIMATE_DEFAULTS.loopIterations} assumed iterations (the call is inside a loop)`;
    assumptions.push(`the call runs inside a loop: ${ESTIMATE_DEFAULTS.loopIterations} iterations per trigger assumed (state the site's own traffic in the usage file to replace this)`);
  }
  if (!measured && (traffic.source === 'built-in-default' || traffic.source === 'context-default')) assumptions.push(`traffic: ${traffic.detail}`);

  const measuredCache = measured?.cacheHitShare;
  const cacheHitRate = clamp01(measuredCache ?? traffic.cacheHitRate ?? 0);
  const cacheOrigin = measuredCache !== undefined ? `measured, ${measuredOrigin}` : (traffic.origins.cacheHitRate ?? 'usage file');
  const batchShare = clamp01(traffic.batchShare ?? 0);

  const finalInput = inputRange;
  // ---- prices
  if (!model) {
    return finish(null, `model not resolved (${site.model.resolution})`);
  }
  const lookup = ctx.prices.lookup(site.provider, model);
  if (lookup.status !== 'found') return finish(null, lookup.reason);
  return finish(lookup.price, null);

  function finish(price: ModelPrice | null, unknownReason: string | null): SiteEstimate {
    const inputRange = finalInput;
    let perRequest: Range | null = null;
    let breakdown: SiteEstimate['breakdown'] = null;
    if (price) {
      const cost = (inTok: number, outTok: number): { total: number; inputUsd: number; cachedInputUsd: number; outputUsd: number; batchSavingUsd: number } => {
        const long = price.longContext && inTok > price.longContext.thresholdTokens ? price.longContext : null;
        const inPrice = long ? long.inputPerMTok : price.inputPerMTok;
        const outPrice = long?.outputPerMTok ?? price.outputPerMTok;
        const cachedTokens = inTok * cacheHitRate;
        const readPrice = price.cacheReadPerMTok ?? inPrice;
        const inputUsd = ((inTok - cachedTokens) * inPrice) / 1e6;
        const cachedInputUsd = (cachedTokens * readPrice) / 1e6;
        const outputUsd = (outTok * outPrice) / 1e6;
        const full = inputUsd + cachedInputUsd + outputUsd;
        const discount = batchShare > 0 ? batchDiscountOf(price, site.provider, model!) : 0;
        const batchSavingUsd = full * batchShare * discount;
        return { total: full - batchSavingUsd, inputUsd, cachedInputUsd, outputUsd, batchSavingUsd };
      };
      const expected = cost(inputRange.expected, outputRange.expected);
      perRequest = { low: cost(inputRange.low, outputRange.low).total, expected: expected.total, high: cost(inputRange.high, outputRange.high).total };
      breakdown = { inputUsd: expected.inputUsd, cachedInputUsd: expected.cachedInputUsd, outputUsd: expected.outputUsd, batchSavingUsd: expected.batchSavingUsd };
      if (price.longContext && inputRange.expected > price.longContext.thresholdTokens) assumptions.push(`long-context prices apply above ${price.longContext.thresholdTokens.toLocaleString('en-US')} input tokens`);
      if (cacheHitRate > 0) {
        assumptions.push(
          price.cacheReadPerMTok != null
            ? `${pct(cacheHitRate)} of input tokens read from the prompt cache at $${price.cacheReadPerMTok}/MTok (${cacheOrigin})`
            : `cache hit rate ${pct(cacheHitRate)} given but no cache-read price is known for this model: cached tokens priced as input`,
        );
      }
      if (batchShare > 0) {
        const d = batchDiscountOf(price, site.provider, model!);
        assumptions.push(d > 0 ? `${pct(batchShare)} of requests through the Batch API at ${pct(d)} off (${traffic.origins.batchShare ?? 'usage file'})` : `batch share ${pct(batchShare)} given but no batch discount is known for ${site.provider}`);
      }
    }
    const monthly = perRequest ? { low: perRequest.low * requests.low, expected: perRequest.expected * requests.expected, high: perRequest.high * requests.high } : null;
    return {
      inputTokens: Math.round(inputRange.expected),
      staticInputTokens,
      dynamicInputTokens: Math.round(dynamicRange.expected),
      toolTokens,
      dynamicParts: dynamicCount,
      outputTokens: Math.round(outputRange.expected),
      outputSource,
      inputSource,
      tokenMethod: counted.method,
      tokensApproximate: counted.approximate,
      price,
      priceUnknownReason: unknownReason,
      pricedModel: model,
      costPerRequestUsd: perRequest ? perRequest.expected : null,
      breakdown,
      requestsPerMonth: requests.expected,
      requestsPerMonthRange: requests,
      trafficSource,
      trafficDetail,
      monthlyCostUsd: monthly ? monthly.expected : null,
      monthlyCostRange: monthly,
      cacheHitRate,
      batchShare,
      feature: traffic.feature,
      priceSource: price ? `${price.source} (${price.sourceDate})` : `price unknown: ${unknownReason}`,
      assumptions,
    };
  }
}

function batchDiscountOf(price: ModelPrice, provider: string, model: string): number {
  if (price.batchDiscount != null) return price.batchDiscount;
  return batchRuleFor(provider, model)?.discount ?? 0;
}

/** Consecutive static parts of the same role become one message for counting. */
function mergeByRole(parts: Array<{ role: string; text: string }>): Array<{ role: string; text: string }> {
  const out: Array<{ role: string; text: string }> = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last && last.role === p.role) last.text += p.text;
    else out.push({ role: p.role, text: p.text });
  }
  return out;
}

const point = (n: number): Range => ({ low: n, expected: n, high: n });
const add = (a: Range, b: Range): Range => ({ low: a.low + b.low, expected: a.expected + b.expected, high: a.high + b.high });
const scale = (a: Range, k: number): Range => ({ low: a.low * k, expected: a.expected * k, high: a.high * k });
const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const pct = (x: number): string => `${Math.round(x * 100)}%`;
const fmtCount = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : x < 100 ? 1 : 0 });

/**
 * List-price cost of one request with `inputTokens` input tokens (of which `cachedInputTokens` read from the prompt
 * cache) and `outputTokens` output tokens; long-context prices apply above their threshold. No Batch API discount.
 */
export function requestCostUsd(price: ModelPrice, inputTokens: number, cachedInputTokens: number, outputTokens: number): number {
  const long = price.longContext && inputTokens > price.longContext.thresholdTokens ? price.longContext : null;
  const inPrice = long ? long.inputPerMTok : price.inputPerMTok;
  const outPrice = long?.outputPerMTok ?? price.outputPerMTok;
  const cached = Math.min(Math.max(0, cachedInputTokens), inputTokens);
  const readPrice = price.cacheReadPerMTok ?? inPrice;
  return ((inputTokens - cached) * inPrice + cached * readPrice + outputTokens * outPrice) / 1e6;
}

function fmtRange(r: Range): string {
  const f = (n: number): string => Math.round(n).toLocaleString('en-US');
  return r.low === r.high ? f(r.expected) : `${f(r.low)}–${f(r.high)} (expected ${f(r.expected)})`;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 39)}…` : one;
}
