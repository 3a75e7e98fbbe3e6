/**
 * Schema of the usage file `costlens.yml`: the TypeScript types of a validated file (`UsageConfig`) and the zod
 * schema that produces them from the YAML data.
 *
 * The schema is strict: every object rejects unknown keys (reported with a "did you mean" suggestion by
 * usageFile.ts), numbers must be finite and non-negative, shares must lie in [0, 1]. Traffic and token figures may be
 * written as a plain number or as a range `{ low, expected, high }`; both are normalised to `Range` so consumers never
 * handle the two forms.
 *
 * The user-facing reference of every field is the README section "The usage file"; keep the two in step.
 */
import * as z from 'zod';

import type { CallContext } from '../types';

/** The only file format version this module reads. */
export const USAGE_FILE_VERSION = 1;

/** The call contexts that may carry their own default traffic under `defaults`. */
export const CALL_CONTEXTS: readonly CallContext[] = ['interactive', 'batch', 'unknown'];

// ---------------------------------------------------------------------------------------------------------------------
// Types of a validated usage file
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A figure with its uncertainty. A plain number `n` in the file becomes `{ low: n, expected: n, high: n }`; a range
 * written without `low` or `high` takes `expected` for the missing bound. Always `low <= expected <= high`.
 */
export interface Range {
  low: number;
  expected: number;
  high: number;
}

/**
 * Request volume. At most one of the two is set (setting both on one entry is a validation error).
 * `requestsPerDay` is turned into a monthly figure with `defaults.daysPerMonth`.
 */
export interface TrafficSpec {
  /** Requests per day; multiplied by `defaults.daysPerMonth` (30 unless set) for monthly figures. */
  requestsPerDay?: Range | undefined;
  /** Requests per calendar month, used as is. */
  requestsPerMonth?: Range | undefined;
}

/** `defaults:` — what applies when no call-site entry, pragma or feature says otherwise. */
export interface UsageDefaults extends TrafficSpec {
  /** Default traffic of call sites detected as interactive (request handlers, UI actions). */
  interactive?: TrafficSpec | undefined;
  /** Default traffic of call sites detected as batch (jobs, scripts, queues, loops over data). */
  batch?: TrafficSpec | undefined;
  /** Default traffic of call sites whose context could not be decided. */
  unknown?: TrafficSpec | undefined;
  /** Tokens assumed for each dynamic prompt part (and for a prompt that cannot be read at all). */
  inputTokens?: Range | undefined;
  /** Output tokens assumed when a call sets no output limit. */
  outputTokens?: Range | undefined;
  /** Days in a month, for turning per-day traffic into monthly traffic. 30 when absent. */
  daysPerMonth?: number | undefined;
}

/** One entry of `callSites:`, keyed by a call-site id or by a glob over ids. */
export interface CallSiteUsage extends TrafficSpec {
  /** Tokens assumed for each dynamic prompt part of the matched sites (overrides `defaults.inputTokens`). */
  inputTokens?: Range | undefined;
  /** Output tokens per request of the matched sites (overrides the call's limit-based assumption). */
  outputTokens?: Range | undefined;
  /** Share (0..1) of input tokens served from the provider's prompt cache. */
  cacheHitRate?: number | undefined;
  /** Share (0..1) of requests sent through a provider Batch API (discounted, asynchronous). */
  batchShare?: number | undefined;
  /** Feature the matched sites belong to (a key of `features`, or a free label). */
  feature?: string | undefined;
  /** Model id to assume when the detector could not resolve the call's model. Ignored when it could. */
  model?: string | undefined;
  /**
   * What production telemetry showed for this call site, written by `costlens calibrate --write` (see README
   * "Calibrating from production telemetry"). Only read on an exact call-site id; separate from the assumptions above,
   * which stay as the person wrote them.
   */
  measured?: MeasuredUsage | undefined;
}

/** Median and 90th percentile (nearest rank) of a per-request token count, with its mean when known. */
export interface TokenDistribution {
  median: number;
  p90: number;
  mean?: number | undefined;
}

/** `callSites.<id>.measured:` — measurements of one call site over a window of production telemetry. */
export interface MeasuredUsage {
  /** Requests per day over the window (requests ÷ window length in days). */
  requestsPerDay: number;
  /** Requests seen in the window. */
  requests?: number | undefined;
  /** The window of the data: ISO 8601 timestamps of its first and last record (or bucket bounds). */
  window?: { from: string; to: string } | undefined;
  /** Input tokens per request (all of them: static, dynamic, tools; cached ones included). */
  inputTokens?: TokenDistribution | undefined;
  /** Output tokens per request. */
  outputTokens?: TokenDistribution | undefined;
  /** Share (0..1) of input tokens served from the provider's prompt cache. */
  cacheHitShare?: number | undefined;
  /** Models the site actually used, with their request counts. */
  models?: Record<string, number> | undefined;
  /** What the site actually cost per month (window cost scaled to daysPerMonth). */
  actualMonthlyCostUsd?: number | undefined;
  /** Actual cost per request, averaged over the window. */
  actualCostPerRequestUsd?: number | undefined;
  /** Where the figures came from, e.g. `OpenTelemetry spans.jsonl (2026-11-20)`. */
  source?: string | undefined;
}

/**
 * One entry of `calibration.match:` — telemetry records that satisfy every condition given (tag, model, traceName)
 * belong to the call sites named by `callSites` (split evenly when there are several).
 */
export interface CalibrationMatchRule {
  /** Tags the record must carry: `key=value` (exact value) or `key` (any value). Keys are case-insensitive. */
  tag?: string[] | undefined;
  /** Model id glob, e.g. `gpt-4o-mini` or `gpt-4o*` (case-insensitive). */
  model?: string | undefined;
  /** Trace name glob (Langfuse `traceName`, `langfuse.trace.name` span attribute). */
  traceName?: string | undefined;
  /** Call-site ids or globs over them. */
  callSites: string[];
}

/** `calibration:` — how `costlens calibrate` maps telemetry to call sites when records carry no code location. */
export interface CalibrationSettings {
  match: CalibrationMatchRule[];
}

/** One entry of `features:` — a named group of call sites, for attribution and shared traffic. */
export interface FeatureUsage extends TrafficSpec {
  /** Free text shown in reports. */
  description?: string | undefined;
  /** Globs (or exact ids) over call-site ids naming the sites of this feature. Empty when absent. */
  callSites: string[];
}

/** One entry of `prices:` — a user price for a model, in USD per million tokens. */
export interface PriceOverride {
  /** Model id as the call sends it, e.g. `llama3:8b`, `gpt-4o-mini`. */
  model: string;
  /** Provider id as used by the price catalogue (`openai`, `ollama`, ...). Absent: any provider. */
  provider?: string | undefined;
  /** USD per million input tokens. */
  inputPerMTok: number;
  /** USD per million output tokens. */
  outputPerMTok: number;
  /** USD per million input tokens read from the prompt cache. Absent: the provider's usual cache discount. */
  cachedInputPerMTok?: number | undefined;
  /** USD per million input tokens written to the prompt cache. Absent: same as `inputPerMTok`. */
  cacheWritePerMTok?: number | undefined;
}

/** `advice:` — how suggestions are made for this repository. */
export interface AdviceSettings {
  /** Suggestions saving less than this many USD per month are not shown (default 10). */
  minMonthlySaving?: number | undefined;
  /** Providers whose models may be suggested when right-sizing, besides the call's own provider. */
  providers?: string[] | undefined;
  /** Capability tier per model id (1 frontier, 2 strong, 3 efficient, 4 small), overriding the built-in table. */
  tiers?: Record<string, number> | undefined;
  /** Share of traffic a router would send to the cheaper model (default 0.6). */
  routedShare?: number | undefined;
  /** Hit rate assumed for response caching and prompt caching suggestions (default 0.3). */
  cacheHitRate?: number | undefined;
  /** Kinds of suggestion not to make: right-size, route, cache, prompt-cache, batch, bound-output, attribute. */
  disabled?: string[] | undefined;
}

/**
 * One entry of `scenarios:` — a named what-if, applied by the cost report by re-estimating every call site with the
 * changes below (src/core/report/scenario.ts). Every field is optional; an empty scenario is the baseline.
 */
export interface ScenarioSpec {
  /** Free text shown in reports. */
  description?: string | undefined;
  /** Multiplies the traffic of every call site (10 for 10x growth, 0.5 for half). Default 1. */
  trafficMultiplier?: number | undefined;
  /**
   * Model per feature: the chat/generation call sites of the feature (a `features` name, a call site's `feature:`
   * label, or a folder label such as `api/` for sites without a feature) use this model. `provider/model` picks the
   * provider; otherwise it is inferred. Embedding calls keep their model.
   */
  featureModels?: Record<string, string> | undefined;
  /** Share (0..1) of input tokens served from the prompt cache, for every call site but embeddings. */
  cacheHitRate?: number | undefined;
  /** Share (0..1) of requests sent through a provider Batch API, for every call site that is not interactive. */
  batchShare?: number | undefined;
  /** Share (0..1) of requests a router sends to a cheaper model, at the call sites costlens suggests routing for. */
  routedShare?: number | undefined;
}

/** A validated usage file. Sections that are absent from the file are empty here, never undefined. */
export interface UsageConfig {
  version: 1;
  defaults: UsageDefaults;
  /** Entries in file order (ids and globs as written). */
  callSites: Record<string, CallSiteUsage>;
  /** Features in file order. */
  features: Record<string, FeatureUsage>;
  prices: PriceOverride[];
  /** Path of a LiteLLM-format price JSON, relative to the usage file, as written. */
  pricesFile?: string | undefined;
  /** Named what-if scenarios, in file order. */
  scenarios: Record<string, ScenarioSpec>;
  advice: AdviceSettings;
  /** `calibration:` — absent when the file has none. */
  calibration?: CalibrationSettings | undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// zod schema
// ---------------------------------------------------------------------------------------------------------------------

const SHARE_MESSAGE = 'must be a share between 0 and 1 (0.3 means 30%)';

/** A finite number >= 0. (zod 4 already rejects NaN and ±Infinity as `invalid_type`.) */
const nonNegative = z.number().min(0, 'must not be negative');

/** A share in [0, 1]. */
const share = z.number().min(0, SHARE_MESSAGE).max(1, SHARE_MESSAGE);

const nonEmptyString = z.string().trim().min(1, 'must not be empty');

/** Keys of a range object, for "did you mean" suggestions. */
const rangeShape = {
  low: nonNegative.optional(),
  expected: nonNegative,
  high: nonNegative.optional(),
};

const rangeObject = z
  .strictObject(rangeShape)
  .superRefine((r, ctx) => {
    if (r.low !== undefined && r.low > r.expected) {
      ctx.addIssue({ code: 'custom', path: ['low'], message: `low (${r.low}) must not be above expected (${r.expected})` });
    }
    if (r.high !== undefined && r.high < r.expected) {
      ctx.addIssue({ code: 'custom', path: ['high'], message: `high (${r.high}) must not be below expected (${r.expected})` });
    }
  })
  .transform((r): Range => ({ low: r.low ?? r.expected, expected: r.expected, high: r.high ?? r.expected }));

/** A traffic or token figure: a number or a `{ low, expected, high }` range, normalised to `Range`. */
const amount: z.ZodType<Range> = z.union([
  nonNegative.transform((n): Range => ({ low: n, expected: n, high: n })),
  rangeObject,
]);

/** Treats an explicit YAML null (`key:` with nothing after it) as absent. */
function nullAsAbsent<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

const trafficShape = {
  requestsPerDay: amount.optional(),
  requestsPerMonth: amount.optional(),
};

/** Rejects an object that sets both `requestsPerDay` and `requestsPerMonth`, even when other fields are invalid. */
function exclusiveTraffic<T extends z.ZodType<TrafficSpec>>(schema: T) {
  return schema.refine((value) => !(value.requestsPerDay !== undefined && value.requestsPerMonth !== undefined), {
    when: (payload) => {
      const raw = payload.value;
      return typeof raw === 'object' && raw !== null && 'requestsPerDay' in raw && 'requestsPerMonth' in raw;
    },
    path: ['requestsPerMonth'],
    message: 'set either requestsPerDay or requestsPerMonth, not both',
    // The issue is about the key being there, not about its value: usageFile.ts points at the key.
    params: { pointAt: 'key' },
  });
}

const contextDefaultsSchema = exclusiveTraffic(z.strictObject(trafficShape));

const defaultsShape = {
  ...trafficShape,
  interactive: nullAsAbsent(contextDefaultsSchema),
  batch: nullAsAbsent(contextDefaultsSchema),
  unknown: nullAsAbsent(contextDefaultsSchema),
  inputTokens: amount.optional(),
  outputTokens: amount.optional(),
  daysPerMonth: z.number().gt(0, 'must be more than 0').max(31, 'must be at most 31').optional(),
};

const tokenDistributionShape = {
  median: nonNegative,
  p90: nonNegative,
  mean: nonNegative.optional(),
};

const tokenDistribution = z.strictObject(tokenDistributionShape).superRefine((d, ctx) => {
  if (d.p90 < d.median) ctx.addIssue({ code: 'custom', path: ['p90'], message: `p90 (${d.p90}) must not be below the median (${d.median})` });
});

const isoTimestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 timestamp such as 2026-11-20T00:00:00Z');

const windowShape = {
  from: isoTimestamp,
  to: isoTimestamp,
};

const measuredShape = {
  requestsPerDay: nonNegative,
  requests: nonNegative.optional(),
  window: z
    .strictObject(windowShape)
    .refine((w) => Date.parse(w.from) <= Date.parse(w.to), { path: ['to'], message: 'must not be before from' })
    .optional(),
  inputTokens: tokenDistribution.optional(),
  outputTokens: tokenDistribution.optional(),
  cacheHitShare: share.optional(),
  models: z.record(nonEmptyString, nonNegative).optional(),
  actualMonthlyCostUsd: nonNegative.optional(),
  actualCostPerRequestUsd: nonNegative.optional(),
  source: z.string().optional(),
};

const callSiteShape = {
  ...trafficShape,
  inputTokens: amount.optional(),
  outputTokens: amount.optional(),
  cacheHitRate: share.optional(),
  batchShare: share.optional(),
  feature: nonEmptyString.optional(),
  model: nonEmptyString.optional(),
  measured: nullAsAbsent(z.strictObject(measuredShape)),
};

/** One glob or a list of globs (feature and calibration `callSites`). */
const globList = z.union([nonEmptyString.transform((s) => [s]), z.array(nonEmptyString)]);

const matchRuleShape = {
  tag: z.union([nonEmptyString.transform((s) => [s]), z.array(nonEmptyString)]).optional(),
  model: nonEmptyString.optional(),
  traceName: nonEmptyString.optional(),
  callSites: globList,
};

const matchRule = z
  .strictObject(matchRuleShape)
  .refine((rule) => rule.tag !== undefined || rule.model !== undefined || rule.traceName !== undefined, {
    message: 'a match rule needs at least one condition: tag, model or traceName',
  });

const calibrationShape = {
  match: nullAsAbsent(z.array(matchRule)),
};

const featureShape = {
  description: z.string().optional(),
  /** One glob or a list of globs. */
  callSites: globList.optional(),
  ...trafficShape,
};

const priceShape = {
  model: nonEmptyString,
  provider: nonEmptyString.optional(),
  inputPerMTok: nonNegative,
  outputPerMTok: nonNegative,
  cachedInputPerMTok: nonNegative.optional(),
  cacheWritePerMTok: nonNegative.optional(),
};

/** The largest traffic multiplier accepted (a typo such as 10000 for 10 is more likely than 100,000x growth). */
export const MAX_TRAFFIC_MULTIPLIER = 10_000;

const scenarioShape = {
  description: z.string().optional(),
  trafficMultiplier: z
    .number()
    .gt(0, 'must be more than 0 (1 keeps today\'s traffic, 10 is 10x growth)')
    .max(MAX_TRAFFIC_MULTIPLIER, `must be at most ${MAX_TRAFFIC_MULTIPLIER}`)
    .optional(),
  featureModels: nullAsAbsent(z.record(nonEmptyString, nonEmptyString)),
  cacheHitRate: share.optional(),
  batchShare: share.optional(),
  routedShare: share.optional(),
};

/** One `scenarios` entry; exported so hosts can validate a scenario sent by a webview the same way. */
export const scenarioSpecSchema: z.ZodType<ScenarioSpec> = z.preprocess((value) => value ?? {}, z.strictObject(scenarioShape));

export const ADVICE_KINDS = ['right-size', 'route', 'cache', 'prompt-cache', 'batch', 'bound-output', 'attribute'] as const;

const adviceShape = {
  minMonthlySaving: nonNegative.optional(),
  providers: z.array(nonEmptyString).optional(),
  tiers: z.record(nonEmptyString, z.number().int('must be a whole number from 1 to 4').min(1, 'must be from 1 (frontier) to 4 (small)').max(4, 'must be from 1 (frontier) to 4 (small)')).optional(),
  routedShare: share.optional(),
  cacheHitRate: share.optional(),
  disabled: z.array(z.enum(ADVICE_KINDS, { error: `must be one of ${ADVICE_KINDS.join(', ')}` })).optional(),
};

const topShape = {
  version: z
    .literal(USAGE_FILE_VERSION, { error: (issue) => `unsupported version ${JSON.stringify(issue.input)}: this costlens reads version ${USAGE_FILE_VERSION}` })
    .optional(),
  defaults: nullAsAbsent(exclusiveTraffic(z.strictObject(defaultsShape))),
  callSites: nullAsAbsent(
    z.record(
      nonEmptyString,
      // An entry written as `"id":` with nothing below it is an empty entry.
      z.preprocess((value) => value ?? {}, exclusiveTraffic(z.strictObject(callSiteShape))),
    ),
  ),
  features: nullAsAbsent(
    z.record(
      nonEmptyString,
      z.preprocess((value) => value ?? {}, exclusiveTraffic(z.strictObject(featureShape))),
    ),
  ),
  prices: nullAsAbsent(z.array(z.strictObject(priceShape))),
  pricesFile: nonEmptyString.optional(),
  scenarios: nullAsAbsent(z.record(nonEmptyString, scenarioSpecSchema)),
  advice: nullAsAbsent(z.strictObject(adviceShape)),
  calibration: nullAsAbsent(z.strictObject(calibrationShape)),
};

/** The whole usage file (the YAML document converted to plain data; an empty document is `{}`). */
export const usageConfigSchema: z.ZodType<UsageConfig> = z.strictObject(topShape).transform(
  (file): UsageConfig =>
    withoutUndefined({
      version: USAGE_FILE_VERSION,
      defaults: file.defaults ?? {},
      callSites: file.callSites ?? {},
      features: Object.fromEntries(
        Object.entries(file.features ?? {}).map(([name, feature]) => [name, { ...feature, callSites: feature.callSites ?? [] }]),
      ),
      prices: file.prices ?? [],
      pricesFile: file.pricesFile,
      scenarios: file.scenarios ?? {},
      advice: file.advice ?? {},
      calibration: file.calibration ? { match: file.calibration.match ?? [] } : undefined,
    }),
);

/** A copy without `key: undefined` properties (left by empty YAML values), so configs compare and print cleanly. */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .map(([key, inner]) => [key, withoutUndefined(inner)]),
  ) as T;
}

// ---------------------------------------------------------------------------------------------------------------------
// Key tables, for unknown-key suggestions
// ---------------------------------------------------------------------------------------------------------------------

/** Keys allowed in each kind of object of the file. */
export const KNOWN_KEYS = {
  top: Object.keys(topShape),
  defaults: Object.keys(defaultsShape),
  contextDefaults: Object.keys(trafficShape),
  callSite: Object.keys(callSiteShape),
  feature: Object.keys(featureShape),
  price: Object.keys(priceShape),
  range: Object.keys(rangeShape),
  advice: Object.keys(adviceShape),
  scenario: Object.keys(scenarioShape),
  measured: Object.keys(measuredShape),
  tokenDistribution: Object.keys(tokenDistributionShape),
  window: Object.keys(windowShape),
  calibration: Object.keys(calibrationShape),
  matchRule: Object.keys(matchRuleShape),
} as const;

// Scenario fields repeat callSites fields (cacheHitRate, batchShare): a misplaced `cacheHitRate` belongs in a callSites
// entry, not in a what-if. Keeping `scenario` out of enumeration keeps it out of "it belongs in ..." hints, while
// "did you mean" inside a scenarios entry still uses it.
Object.defineProperty(KNOWN_KEYS, 'scenario', { enumerable: false });

export type ObjectKind = keyof typeof KNOWN_KEYS;

/** Where in the file each kind of object lives, for messages such as "inputTokens belongs under callSites entries". */
export const OBJECT_KIND_LABEL: Record<ObjectKind, string> = {
  top: 'the top level',
  defaults: 'defaults',
  contextDefaults: 'defaults.interactive / batch / unknown',
  callSite: 'a callSites entry',
  feature: 'a features entry',
  price: 'a prices entry',
  range: 'a { low, expected, high } range',
  advice: 'advice',
  scenario: 'a scenarios entry',
  measured: 'a measured block',
  tokenDistribution: 'a measured { median, p90 } token figure',
  window: 'a measured window',
  calibration: 'calibration',
  matchRule: 'a calibration.match rule',
};

/** Fields that hold a number-or-range (`amount`). */
const AMOUNT_KEYS = new Set(['requestsPerDay', 'requestsPerMonth', 'inputTokens', 'outputTokens']);

/**
 * The kind of object found at a data path of the file (the path of the object itself, as zod reports it for
 * unknown keys), or undefined when the path is not an object of the schema.
 */
export function objectKindAt(path: readonly PropertyKey[]): ObjectKind | undefined {
  const [head, second] = path;
  if (path.length === 0) return 'top';
  if (head === 'defaults' && path.length === 1) return 'defaults';
  if (head === 'defaults' && path.length === 2 && CALL_CONTEXTS.includes(second as CallContext)) return 'contextDefaults';
  if (head === 'callSites' && path.length === 2) return 'callSite';
  if (head === 'features' && path.length === 2) return 'feature';
  if (head === 'prices' && path.length === 2) return 'price';
  if (head === 'advice' && path.length === 1) return 'advice';
  if (head === 'scenarios' && path.length === 2) return 'scenario';
  if (head === 'callSites' && path[2] === 'measured') {
    if (path.length === 3) return 'measured';
    if (path.length === 4 && (path[3] === 'inputTokens' || path[3] === 'outputTokens')) return 'tokenDistribution';
    if (path.length === 4 && path[3] === 'window') return 'window';
    return undefined;
  }
  if (head === 'calibration' && path.length === 1) return 'calibration';
  if (head === 'calibration' && second === 'match' && path.length === 3) return 'matchRule';
  const last = path[path.length - 1];
  if (typeof last === 'string' && AMOUNT_KEYS.has(last)) return 'range';
  return undefined;
}

/** Renders a data path as `callSites."app/chat.py#x#0".requestsPerDay` / `prices[0].model`. */
export function formatUsagePath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const name = String(segment);
      const part = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
      out += out === '' ? part : `.${part}`;
    }
  }
  return out;
}
