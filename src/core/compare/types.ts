/**
 * The data of a model comparison: what is asked (one prompt, several models, parameters, quality checks), what comes
 * back per run and per model, and the live events a face shows while the comparison runs. Plain data only.
 *
 * Runs are numbered from 1. A "column" is one `ModelTarget`; its `id` is what events and summaries call `model`.
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** One column of a comparison: a model at an OpenAI-compatible endpoint. Built by `resolveTarget` (providers.ts). */
export interface ModelTarget {
  /** Column id, unique within a comparison: the model as the person wrote it (`gpt-4o-mini`, `ollama/llama3.1:8b`). */
  id: string;
  /** Model id sent to the endpoint. */
  model: string;
  /** Provider configuration id (`openai`, `anthropic`, `ollama`, `custom` …). */
  providerId: string;
  providerLabel: string;
  /** Base URL of the OpenAI-compatible API (…/v1). */
  baseURL: string;
  defaultHeaders?: Record<string, string> | undefined;
  /** Provider id used to price the model in the catalogue; '' prices it at its maker's list price. */
  priceProvider: string;
  /** True when requests without a key are pointless (hosted APIs). Local servers take none. */
  keyRequired: boolean;
  /** Name of the output limit parameter the endpoint expects first (the other is tried if it is rejected). */
  outputLimitParam: 'max_tokens' | 'max_completion_tokens';
}

export type QualityCheck =
  | { kind: 'exact'; expected: string; caseSensitive?: boolean | undefined }
  | { kind: 'contains'; expected: string; caseSensitive?: boolean | undefined }
  | { kind: 'regex'; pattern: string; flags?: string | undefined }
  | { kind: 'json-schema'; schema: Record<string, unknown> | boolean };

export interface JudgeSpec {
  target: ModelTarget;
  /** Shown to the person and sent to the judge verbatim. */
  rubric: string;
}

export interface QualitySpec {
  checks?: QualityCheck[] | undefined;
  /** Expected answer shown to the judge (also used by checks when given). */
  expectedAnswer?: string | undefined;
  judge?: JudgeSpec | undefined;
  /** A model is "good enough" when its mean judge score reaches this (1–10). Default 7. */
  minJudgeScore?: number | undefined;
  /** … and this share of its runs pass every check (0–1). Default 1. */
  minPassRate?: number | undefined;
}

export interface RetryPolicy {
  /** Attempts per request, including the first (429, 5xx, dropped connections). Default 3. */
  maxAttempts?: number | undefined;
  /** First backoff delay; doubled at each attempt. Default 500 ms. */
  baseDelayMs?: number | undefined;
  /** The longest `retry-after` honoured; a server asking for more fails the run with that message. Default 30 s. */
  maxRetryAfterMs?: number | undefined;
}

export interface CompareRequest {
  /** The prompt, placeholders already filled in (prompt.ts `renderPrompt`). */
  messages: ChatMessage[];
  targets: ModelTarget[];
  /** Runs per model (to see variance). 1–10. */
  runs: number;
  /** Null or undefined: the endpoint's default. */
  temperature?: number | null | undefined;
  maxOutputTokens: number;
  /** Column id or model id of the model the code uses today: the baseline of "change vs current". */
  currentModel?: string | null | undefined;
  /** The call site's estimated cost per request for the current model, used as baseline when it is not measured here. */
  currentCostPerRequestUsd?: number | null | undefined;
  /** The call site's traffic, for the monthly projection. */
  requestsPerMonth?: number | null | undefined;
  /** Stream the answers (default true); streaming falls back to a plain request where it is not supported. */
  stream?: boolean | undefined;
  quality?: QualitySpec | undefined;
  /** Per-request limit for the whole answer, stream included. Default 60 s. */
  timeoutMs?: number | undefined;
  /** Requests in flight at once, over all columns. Default 4. */
  concurrency?: number | undefined;
  retry?: RetryPolicy | undefined;
  /** The call site the comparison was opened from, if any (kept with the result). */
  siteId?: string | null | undefined;
}

export type CompareErrorKind =
  | 'auth'
  | 'not-found'
  | 'rate-limit'
  | 'server'
  | 'timeout'
  | 'connection'
  | 'stream'
  | 'bad-request'
  | 'config'
  | 'cancelled'
  | 'unknown';

/** A failure of one request, in words a person can act on. Never carries a key. */
export interface CompareError {
  kind: CompareErrorKind;
  /** HTTP status, when the server answered with one. */
  status?: number | undefined;
  /** One or two sentences: what happened and what to do. */
  message: string;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Reasoning tokens (included in outputTokens), when the server reports them. */
  reasoningTokens: number | null;
  /** `reported`: the server's usage; `estimated`: counted here with the tokenizer because the server sent none. */
  source: 'reported' | 'estimated';
  /** How estimated counts were made. */
  method?: string | undefined;
}

export interface CheckResult {
  kind: QualityCheck['kind'];
  /** e.g. `contains "Paris"`. */
  label: string;
  passed: boolean;
  /** Why it failed (or a short confirmation). */
  detail: string;
}

export interface JudgeResult {
  /** Judge column id. */
  model: string;
  /** 1–10, or null when the judge gave none or failed. */
  score: number | null;
  /** The judge's justification, or why there is no score. */
  reason: string;
  /** The judge's reply (redacted), for the person to read. */
  reply: string;
  costUsd: number | null;
  error?: CompareError | undefined;
}

export interface RunQuality {
  checks: CheckResult[];
  /** True when every check passed; null without checks. */
  passed: boolean | null;
  judge?: JudgeResult | undefined;
}

export interface RunResult {
  /** Column id. */
  model: string;
  /** 1-based. */
  run: number;
  status: 'ok' | 'error' | 'cancelled';
  output: string;
  finishReason: string | null;
  /** True when the answer was streamed. */
  streamed: boolean;
  /** Time to first token, from the start of the attempt that answered; null when not streamed or nothing came. */
  ttftMs: number | null;
  /** From the start of the attempt that answered to its end. */
  latencyMs: number | null;
  /** Requests made (retries and parameter fallbacks included). */
  attempts: number;
  /** Time spent waiting between attempts. */
  waitedMs: number;
  usage: TokenUsage | null;
  /** Cost of this request from its usage; null when the price is unknown or the request failed. */
  costUsd: number | null;
  error?: CompareError | undefined;
  /** Adaptations and caveats, e.g. `temperature is not supported by this model: sent without it`. */
  notes: string[];
  quality?: RunQuality | undefined;
}

export interface PriceInfo {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number | null;
  /** e.g. `@pydantic/genai-prices 0.1.8 (2026-09-23)`. */
  source: string;
  notes: string[];
}

export interface ModelSummary {
  /** Column id. */
  model: string;
  /** Model id sent. */
  modelId: string;
  providerId: string;
  providerLabel: string;
  baseURL: string;
  /** Every run, in run order. */
  runs: RunResult[];
  okRuns: number;
  failedRuns: number;
  status: 'ok' | 'partial' | 'failed' | 'cancelled';
  /** The error to show in the column when no run succeeded (or the first one when some did). */
  error: CompareError | null;
  price: PriceInfo | null;
  priceUnknownReason: string | null;
  meanInputTokens: number | null;
  meanOutputTokens: number | null;
  /** True when at least one run's usage was counted here rather than reported by the server. */
  usageEstimated: boolean;
  /** Mean over the successful runs, from their usage. */
  costPerRequestUsd: number | null;
  /** costPerRequestUsd × requests per month. */
  monthlyCostUsd: number | null;
  isCurrent: boolean;
  changeVsCurrent: {
    perRequestUsd: number;
    monthlyUsd: number | null;
    /** Null when the baseline costs 0. */
    pct: number | null;
    /** `measured`: the current model's cost in this comparison; `estimate`: the call site's estimate. */
    baseline: 'measured' | 'estimate';
  } | null;
  meanTtftMs: number | null;
  meanLatencyMs: number | null;
  minLatencyMs: number | null;
  maxLatencyMs: number | null;
  quality: {
    /** Share of successful runs that passed every check; null without checks. */
    passRate: number | null;
    checkedRuns: number;
    meanJudgeScore: number | null;
    judgedRuns: number;
    /** Null without any quality signal. */
    goodEnough: boolean | null;
  };
}

export interface ComparisonResult {
  id: string;
  /** ISO time. */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  cancelled: boolean;
  siteId: string | null;
  messages: ChatMessage[];
  params: {
    runs: number;
    temperature: number | null;
    maxOutputTokens: number;
    stream: boolean;
    requestsPerMonth: number | null;
    timeoutMs: number;
  };
  /** Column id of the current model, if it is one of the columns; else the model id given. */
  currentModel: string | null;
  models: ModelSummary[];
  quality: {
    checks: QualityCheck[];
    expectedAnswer: string | null;
    judge: { model: string; rubric: string; costUsd: number | null } | null;
    minJudgeScore: number;
    minPassRate: number;
  } | null;
  /** Sum of the known costs of every request made (judge included). */
  totalCostUsd: number;
  /** Successful requests whose cost is unknown (no price). */
  unpricedRequests: number;
  /** Column id of the cheapest model that is good enough; null without a quality signal or when none is. */
  cheapestGoodEnough: string | null;
  notes: string[];
}

/** Live events for the columns. `model` is the column id. */
export type CompareEvent =
  | { type: 'start'; model: string; run: number; attempt: number }
  | { type: 'retry'; model: string; run: number; attempt: number; delayMs: number; reason: string }
  | { type: 'delta'; model: string; run: number; text: string }
  | { type: 'usage'; model: string; run: number; usage: TokenUsage; costUsd: number | null }
  | { type: 'done'; model: string; run: number; result: RunResult }
  | { type: 'error'; model: string; run: number; error: CompareError }
  | { type: 'quality'; model: string; run: number; quality: RunQuality };

export const COMPARE_LIMITS = {
  minModels: 1,
  maxModels: 6,
  maxRuns: 10,
  maxOutputTokens: 128_000,
  maxPromptChars: 1_000_000,
  maxTimeoutMs: 30 * 60_000,
  maxConcurrency: 16,
} as const;

export const COMPARE_DEFAULTS = {
  runs: 1,
  maxOutputTokens: 512,
  timeoutMs: 60_000,
  concurrency: 4,
  maxAttempts: 3,
  baseDelayMs: 500,
  maxRetryAfterMs: 30_000,
  minJudgeScore: 7,
  minPassRate: 1,
  /** Output limit of a judge's reply. */
  judgeMaxOutputTokens: 300,
} as const;
