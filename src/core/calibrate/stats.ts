/**
 * Statistics of the records matched to one call site, in bounded memory.
 *
 * Token distributions: quantiles use the nearest-rank definition on weighted samples — the q-quantile is the smallest
 * value whose cumulative weight reaches q × total weight (numpy's `inverted_cdf`; the median of 1, 2, 3, 4 is 2). Up to
 * `EXACT_LIMIT` distinct values they are exact. Beyond that the values move into a logarithmic histogram (the
 * DDSketch scheme: bucket i holds values in (γ^(i-1), γ^i] with γ = (1 + α) / (1 − α)), whose quantiles are within
 * α = 1% of the exact nearest-rank value, relative. Memory: at most EXACT_LIMIT entries, then one entry per occupied
 * bucket (about 230 buckets per factor of 10 in token counts), whatever the number of records. Deterministic: the same
 * input gives the same figures, so re-running an import does not churn costlens.yml.
 *
 * Weights: a record split between k call sites adds 1/k of a request to each; an aggregated record (a usage bucket of
 * n requests) adds its per-request mean with weight n.
 */

/** Distinct values kept exactly before switching to the histogram. */
export const EXACT_LIMIT = 2048;
/** Relative accuracy of quantiles once the histogram is used. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);

export class QuantileSketch {
  /** Exact mode: value → weight. Sketch mode: bucket index → weight (values ≤ 0 under ZERO). */
  private counts = new Map<number, number>();
  private exact = true;
  private totalWeight = 0;
  private weightedSum = 0;
  private zeroWeight = 0;

  get count(): number {
    return this.totalWeight;
  }

  get isExact(): boolean {
    return this.exact;
  }

  /** Weighted mean of the values added; null when empty. */
  get mean(): number | null {
    return this.totalWeight > 0 ? this.weightedSum / this.totalWeight : null;
  }

  add(value: number, weight = 1): void {
    if (!(weight > 0) || !Number.isFinite(value)) return;
    this.totalWeight += weight;
    this.weightedSum += value * weight;
    if (this.exact) {
      this.counts.set(value, (this.counts.get(value) ?? 0) + weight);
      if (this.counts.size > EXACT_LIMIT) this.toSketch();
      return;
    }
    this.addToBucket(value, weight);
  }

  private addToBucket(value: number, weight: number): void {
    if (value <= 0) {
      this.zeroWeight += weight;
      return;
    }
    const index = Math.ceil(Math.log(value) / LOG_GAMMA);
    this.counts.set(index, (this.counts.get(index) ?? 0) + weight);
  }

  private toSketch(): void {
    const values = this.counts;
    this.counts = new Map();
    this.exact = false;
    for (const [value, weight] of values) this.addToBucket(value, weight);
  }

  /** The nearest-rank q-quantile (0 < q ≤ 1); null when empty. */
  quantile(q: number): number | null {
    if (this.totalWeight <= 0) return null;
    const target = q * this.totalWeight * (1 - 1e-12);
    if (this.exact) {
      const keys = [...this.counts.keys()].sort((a, b) => a - b);
      let cumulative = 0;
      for (const key of keys) {
        cumulative += this.counts.get(key)!;
        if (cumulative >= target) return key;
      }
      return keys[keys.length - 1];
    }
    let cumulative = this.zeroWeight;
    if (cumulative >= target && this.zeroWeight > 0) return 0;
    const indexes = [...this.counts.keys()].sort((a, b) => a - b);
    for (const index of indexes) {
      cumulative += this.counts.get(index)!;
      // The value that represents bucket i with relative error at most α: 2γ^i / (γ + 1).
      if (cumulative >= target) return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
    }
    return (2 * Math.pow(GAMMA, indexes[indexes.length - 1])) / (GAMMA + 1);
  }
}

/** How a record reached its call site. */
export type MatchKind = 'id' | 'location' | 'rule' | 'function';

/** Accumulates what is measured for one call site. */
export class SiteStats {
  /** Weighted requests. */
  requests = 0;
  /** Requests whose records carried token usage. */
  requestsWithUsage = 0;
  readonly input = new QuantileSketch();
  readonly output = new QuantileSketch();
  inputTokens = 0;
  cachedInputTokens = 0;
  /** Requests whose records reported cached tokens (0 included). */
  requestsWithCacheInfo = 0;
  readonly models = new Map<string, number>();
  /** Cost of the requests whose cost is known (from the export, or priced). */
  costUsd = 0;
  requestsWithCost = 0;
  /** Requests whose cost came from the export itself rather than from the price catalogue. */
  requestsCostFromExport = 0;
  readonly matchedBy: Record<MatchKind, number> = { id: 0, location: 0, rule: 0, function: 0 };
  /** Requests that were split with other call sites (ambiguous matches). */
  splitRequests = 0;
  firstTimestamp = Infinity;
  lastTimestamp = -Infinity;

  /**
   * Adds a record's share. `weight` is the share of the record that belongs here (1, or 1/k when split); `cost` the
   * record's whole cost when known.
   */
  add(
    record: { requests: number; inputTokens: number | null; outputTokens: number | null; cachedInputTokens?: number | undefined; model: string | null; timestamp: number; endTimestamp?: number | undefined },
    weight: number,
    cost: number | null,
    costFromExport: boolean,
    kind: MatchKind,
  ): void {
    const requests = record.requests * weight;
    this.requests += requests;
    this.matchedBy[kind] += requests;
    if (weight < 1) this.splitRequests += requests;
    if (record.inputTokens !== null || record.outputTokens !== null) {
      this.requestsWithUsage += requests;
      const input = record.inputTokens ?? 0;
      const output = record.outputTokens ?? 0;
      this.input.add(input / record.requests, requests);
      this.output.add(output / record.requests, requests);
      this.inputTokens += input * weight;
      if (record.cachedInputTokens !== undefined) {
        this.cachedInputTokens += Math.min(record.cachedInputTokens, input) * weight;
        this.requestsWithCacheInfo += requests;
      }
    }
    if (record.model) this.models.set(record.model, (this.models.get(record.model) ?? 0) + requests);
    if (cost !== null) {
      this.costUsd += cost * weight;
      this.requestsWithCost += requests;
      if (costFromExport) this.requestsCostFromExport += requests;
    }
    this.firstTimestamp = Math.min(this.firstTimestamp, record.timestamp);
    this.lastTimestamp = Math.max(this.lastTimestamp, record.endTimestamp ?? record.timestamp);
  }

  /**
   * The cost of all requests: the known cost scaled up to the requests whose cost is unknown (records without usage,
   * or models without a price). Null when no request's cost is known.
   */
  get estimatedTotalCostUsd(): number | null {
    if (this.requestsWithCost <= 0) return null;
    return this.costUsd * (this.requests / this.requestsWithCost);
  }

  /**
   * Share of input tokens read from the prompt cache; null when no record reported cached tokens. Records that do
   * not report them count as uncached (instrumentations usually leave the attribute out when it is 0).
   */
  get cacheHitShare(): number | null {
    return this.requestsWithCacheInfo > 0 && this.inputTokens > 0 ? this.cachedInputTokens / this.inputTokens : null;
  }
}

/** The window of the data: first and last timestamps (bucket bounds included). */
export class Window {
  from = Infinity;
  to = -Infinity;

  add(from: number, to = from): void {
    if (from < this.from) this.from = from;
    if (to > this.to) this.to = to;
  }

  get empty(): boolean {
    return this.from === Infinity;
  }

  /** Length in days, at least one hour (a handful of records seconds apart must not give absurd daily rates). */
  get days(): number {
    if (this.empty) return 0;
    return Math.max(this.to - this.from, MIN_WINDOW_MS) / DAY_MS;
  }
}

export const DAY_MS = 86_400_000;
export const MIN_WINDOW_MS = 3_600_000;
