/**
 * Deciding the traffic (and the per-site token, cache and batch assumptions) of one call site from the usage file,
 * the site's inline pragma and the built-in defaults — with an account of where each figure came from.
 *
 * Traffic precedence, first that applies wins:
 *   1. `callSites."<exact id>"` with requestsPerDay / requestsPerMonth           source 'usage-file'
 *   2. the inline pragma on or above the call (`# costlens: 20000/day`)         source 'pragma'
 *   3. the most specific `callSites` glob with traffic (longest literal prefix,
 *      then most literal characters, then first in the file)                   source 'usage-file'
 *   4. the traffic of the site's feature                                        source 'feature'
 *   5. `defaults.<context>` (interactive | batch | unknown)                     source 'context-default'
 *   6. `defaults` top-level requestsPerDay / requestsPerMonth                   source 'context-default'
 *   7. built-in assumption per context (BUILT_IN_REQUESTS_PER_DAY)              source 'built-in-default'
 *
 * The other per-site fields (inputTokens, outputTokens, cacheHitRate, batchShare, model, feature) are taken field by
 * field from the exact entry, then from the matching globs from most to least specific; inputTokens and outputTokens
 * then fall back to `defaults`. So a glob can set tokens for a whole folder while an exact entry sets one site's
 * traffic. A site's feature is its own `feature:` (exact entry, then globs) or else the feature whose `callSites`
 * pattern matches it most specifically.
 */
import type { CallContext, TrafficPragma } from '../types';
import { bySpecificity, compileCallSitePattern, type CallSitePattern } from './callSitePatterns';
import { parseTrafficPragma } from './pragma';
import { formatUsagePath, type CallSiteUsage, type MeasuredUsage, type Range, type TrafficSpec, type UsageConfig } from './schema';

/**
 * Built-in traffic per day when neither the usage file nor a pragma says anything. These are placeholders, not
 * measurements: every resolution that uses them has source 'built-in-default' so that surfaces can ask for real
 * figures. A modest 1,000 requests/day for request-driven (and undecided) code, 100/day for batch jobs.
 */
export const BUILT_IN_REQUESTS_PER_DAY: Readonly<Record<CallContext, number>> = {
  interactive: 1_000,
  batch: 100,
  unknown: 1_000,
};

/** Days per month when `defaults.daysPerMonth` is not set. */
export const DEFAULT_DAYS_PER_MONTH = 30;

/** Where the traffic of a call site came from. */
export type TrafficSource = 'usage-file' | 'pragma' | 'feature' | 'context-default' | 'built-in-default';

/** What resolveTraffic needs to know about a call site (a `CallSite` fits). */
export interface TrafficSite {
  id: string;
  context: CallContext;
  pragma?: Pick<TrafficPragma, 'requestsPerMonth' | 'text' | 'line'> | undefined;
}

export interface ResolveTrafficOptions {
  /** Name of the usage file in `detail` texts. Default `costlens.yml`. */
  usageFileName?: string | undefined;
}

/** Per-site fields that are looked up field by field. */
type SiteField = 'inputTokens' | 'outputTokens' | 'cacheHitRate' | 'batchShare' | 'model' | 'feature';

export interface TrafficResolution {
  /** Requests per month, low / expected / high (all equal unless the file gave a range). */
  requestsPerMonth: Range;
  source: TrafficSource;
  /** Human-readable origin of the traffic, e.g. `costlens.yml callSites."app/chat.py#*" (glob): 20,000/day`. */
  detail: string;
  /** The feature the site belongs to, or null. */
  feature: string | null;
  /** Tokens per dynamic prompt part (site entry, else defaults.inputTokens); absent: the estimator's own default. */
  inputTokens?: Range;
  /** Output tokens per request (site entry, else defaults.outputTokens); absent: the estimator's own default. */
  outputTokens?: Range;
  cacheHitRate?: number;
  batchShare?: number;
  /** Model to assume when the detector could not resolve the call's model; to be ignored when it could. */
  model?: string;
  /** The days per month used for per-day figures. */
  daysPerMonth: number;
  /** Where each of the optional fields above came from, e.g. `{ inputTokens: 'costlens.yml defaults.inputTokens' }`. */
  origins: Partial<Record<SiteField, string>>;
  /**
   * Measurements from production telemetry (`callSites."<exact id>".measured`, written by `costlens calibrate`).
   * The fields above stay the person's assumptions; the estimator uses these measurements instead where present.
   */
  measured?: MeasuredUsage;
  /** Where `measured` came from, e.g. `costlens.yml callSites."app/chat.py#answer#0".measured`. */
  measuredOrigin?: string;
}

/** A `callSites` entry that applies to a site, with how it was matched. */
interface MatchedEntry {
  key: string;
  entry: CallSiteUsage;
  glob: boolean;
}

/** Patterns compiled once per configuration. */
interface CompiledConfig {
  /** Glob keys of `callSites`, most specific first. */
  siteGlobs: { pattern: CallSitePattern; entry: CallSiteUsage }[];
  /** Every pattern of every feature, most specific first. */
  featurePatterns: { pattern: CallSitePattern; feature: string }[];
}

const compiledConfigs = new WeakMap<UsageConfig, CompiledConfig>();

function compile(config: UsageConfig): CompiledConfig {
  let compiled = compiledConfigs.get(config);
  if (!compiled) {
    const siteGlobs = Object.entries(config.callSites)
      .map(([key, entry]) => ({ pattern: compileCallSitePattern(key), entry }))
      .filter(({ pattern }) => pattern.isGlob)
      .sort((a, b) => bySpecificity(a.pattern, b.pattern));
    const featurePatterns = Object.entries(config.features)
      .flatMap(([feature, { callSites }]) => callSites.map((glob) => ({ pattern: compileCallSitePattern(glob), feature })))
      .sort((a, b) => bySpecificity(a.pattern, b.pattern));
    compiled = { siteGlobs, featurePatterns };
    compiledConfigs.set(config, compiled);
  }
  return compiled;
}

/** The `callSites` entries that apply to `id`: the exact entry first, then matching globs, most specific first. */
export function matchCallSiteEntries(config: UsageConfig, id: string): MatchedEntry[] {
  const matches: MatchedEntry[] = [];
  if (Object.hasOwn(config.callSites, id)) matches.push({ key: id, entry: config.callSites[id], glob: false });
  for (const { pattern, entry } of compile(config).siteGlobs) {
    if (pattern.pattern !== id && pattern.matches(id)) matches.push({ key: pattern.pattern, entry, glob: true });
  }
  return matches;
}

/**
 * The traffic and per-site assumptions of one call site. `config` undefined means there is no usage file (or it is
 * invalid): the pragma or the built-in defaults apply.
 */
export function resolveTraffic(config: UsageConfig | undefined, site: TrafficSite, options: ResolveTrafficOptions = {}): TrafficResolution {
  const fileName = options.usageFileName ?? 'costlens.yml';
  const daysPerMonth = config?.defaults.daysPerMonth ?? DEFAULT_DAYS_PER_MONTH;
  const entries = config ? matchCallSiteEntries(config, site.id) : [];
  const origins: Partial<Record<SiteField, string>> = {};
  const entryPath = (match: MatchedEntry, field?: string) =>
    `${fileName} ${formatUsagePath(field ? ['callSites', match.key, field] : ['callSites', match.key])}${match.glob ? ' (glob)' : ''}`;

  // Per-site fields: the first entry (exact, then globs by specificity) that sets the field wins.
  const pick = <K extends SiteField>(field: K): CallSiteUsage[K] | undefined => {
    for (const match of entries) {
      const value = match.entry[field];
      if (value !== undefined) {
        origins[field] = entryPath(match, field);
        return value;
      }
    }
    return undefined;
  };
  const fromDefaults = (field: 'inputTokens' | 'outputTokens'): Range | undefined => {
    const value = config?.defaults[field];
    if (value !== undefined) origins[field] = `${fileName} defaults.${field}`;
    return value;
  };
  const inputTokens = pick('inputTokens') ?? fromDefaults('inputTokens');
  const outputTokens = pick('outputTokens') ?? fromDefaults('outputTokens');
  const cacheHitRate = pick('cacheHitRate');
  const batchShare = pick('batchShare');
  const model = pick('model');
  const feature = pick('feature') ?? featureByPattern(config, site.id, origins, fileName);

  const traffic = decideTraffic(config, site, entries, feature, { fileName, daysPerMonth, entryPath });
  // Measurements belong to one call site: only the exact entry's count (usageFile.ts warns about globs).
  const exactEntry = entries.find((match) => !match.glob);
  const measured = exactEntry?.entry.measured;

  return {
    ...traffic,
    feature: feature ?? null,
    ...(inputTokens !== undefined && { inputTokens }),
    ...(outputTokens !== undefined && { outputTokens }),
    ...(cacheHitRate !== undefined && { cacheHitRate }),
    ...(batchShare !== undefined && { batchShare }),
    ...(model !== undefined && { model }),
    daysPerMonth,
    origins,
    ...(measured !== undefined && exactEntry && { measured, measuredOrigin: entryPath(exactEntry, 'measured') }),
  };
}

/** The feature whose `callSites` patterns match `id` most specifically. */
function featureByPattern(config: UsageConfig | undefined, id: string, origins: Partial<Record<SiteField, string>>, fileName: string): string | undefined {
  if (!config) return undefined;
  for (const { pattern, feature } of compile(config).featurePatterns) {
    if (pattern.matches(id)) {
      origins.feature = `${fileName} ${formatUsagePath(['features', feature, 'callSites'])} ${JSON.stringify(pattern.pattern)}`;
      return feature;
    }
  }
  return undefined;
}

interface DecidedTraffic {
  requestsPerMonth: Range;
  source: TrafficSource;
  detail: string;
}

/** Walks the precedence order documented at the top of this file. */
function decideTraffic(
  config: UsageConfig | undefined,
  site: TrafficSite,
  entries: MatchedEntry[],
  feature: string | undefined,
  { fileName, daysPerMonth, entryPath }: { fileName: string; daysPerMonth: number; entryPath: (match: MatchedEntry) => string },
): DecidedTraffic {
  const fromSpec = (spec: TrafficSpec | undefined, source: TrafficSource, where: string): DecidedTraffic | undefined => {
    const monthly = monthlyTraffic(spec, daysPerMonth);
    return monthly && spec ? { requestsPerMonth: monthly, source, detail: `${where}: ${describeTraffic(spec)}` } : undefined;
  };

  // 1. The exact entry.
  const exact = entries.find((match) => !match.glob);
  const fromExact = exact && fromSpec(exact.entry, 'usage-file', entryPath(exact));
  if (fromExact) return fromExact;

  // 2. The inline pragma. Its text is read again so that per-day rates follow the file's daysPerMonth.
  if (site.pragma) {
    const reparsed = parseTrafficPragma(site.pragma.text, { daysPerMonth });
    const perMonth = reparsed?.requestsPerMonth ?? site.pragma.requestsPerMonth;
    return {
      requestsPerMonth: { low: perMonth, expected: perMonth, high: perMonth },
      source: 'pragma',
      detail: `inline pragma ${JSON.stringify(site.pragma.text)} (line ${site.pragma.line})`,
    };
  }

  // 3. Globs, most specific first.
  for (const match of entries) {
    if (!match.glob) continue;
    const fromGlob = fromSpec(match.entry, 'usage-file', entryPath(match));
    if (fromGlob) return fromGlob;
  }

  // 4. The feature.
  if (config && feature !== undefined && Object.hasOwn(config.features, feature)) {
    const fromFeature = fromSpec(config.features[feature], 'feature', `${fileName} ${formatUsagePath(['features', feature])}`);
    if (fromFeature) return fromFeature;
  }

  // 5 and 6. Defaults of the file.
  if (config) {
    const fromContext = fromSpec(config.defaults[site.context], 'context-default', `${fileName} defaults.${site.context}`);
    if (fromContext) return fromContext;
    const fromDefaults = fromSpec(config.defaults, 'context-default', `${fileName} defaults`);
    if (fromDefaults) return fromDefaults;
  }

  // 7. Built-in assumption.
  const perDay = BUILT_IN_REQUESTS_PER_DAY[site.context];
  const perMonth = perDay * daysPerMonth;
  const which = site.context === 'unknown' ? 'calls of unknown context' : `${site.context} calls`;
  return {
    requestsPerMonth: { low: perMonth, expected: perMonth, high: perMonth },
    source: 'built-in-default',
    detail: `built-in default for ${which}: ${formatCount(perDay)}/day — set it in ${fileName}`,
  };
}

/** Monthly requests of a traffic spec, or undefined when it sets none. */
export function monthlyTraffic(spec: TrafficSpec | undefined, daysPerMonth: number): Range | undefined {
  if (spec?.requestsPerMonth) return spec.requestsPerMonth;
  if (spec?.requestsPerDay) {
    const { low, expected, high } = spec.requestsPerDay;
    return { low: low * daysPerMonth, expected: expected * daysPerMonth, high: high * daysPerMonth };
  }
  return undefined;
}

/** `20,000/day`, `600,000/month`, `500–5,000/day (expected 1,000)`. */
export function describeTraffic(spec: TrafficSpec): string {
  const [range, unit] = spec.requestsPerMonth ? [spec.requestsPerMonth, 'month'] : spec.requestsPerDay ? [spec.requestsPerDay, 'day'] : [undefined, ''];
  if (!range) return 'no traffic';
  return `${formatRange(range)}/${unit}${range.low === range.high ? '' : ` (expected ${formatCount(range.expected)})`}`;
}

function formatRange(range: Range): string {
  return range.low === range.high ? formatCount(range.expected) : `${formatCount(range.low)}–${formatCount(range.high)}`;
}

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function formatCount(value: number): string {
  return countFormat.format(value);
}
