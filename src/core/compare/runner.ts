/**
 * Runs one prompt on several models, side by side, with the `openai` SDK against OpenAI-compatible endpoints.
 *
 * Every model × run is a job; jobs run concurrently under a small cap, run-major (every column gets its first run
 * early). Answers are streamed (`stream_options.include_usage` for the server's usage) and reported as events for
 * live columns; each run measures time to first token and total latency, and is costed from the usage the server
 * reports (counted with the tokenizer and marked `estimated` when it reports none).
 *
 * Faults stay in their column: 429 waits for `retry-after` (capped) and retries, 5xx and dropped connections retry with
 * backoff (bounded attempts), a parameter an endpoint rejects (`stream_options`, `max_tokens` vs
 * `max_completion_tokens`, `temperature`) is dropped or swapped once, and every other failure becomes one clear
 * message. A stream is never retried once text has arrived. Cancelling (the AbortSignal) stops every request.
 * Keys are asked of `getKey` once per provider and redacted from everything that comes out.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type { PriceCatalogue } from '../pricing/catalogue';
import type { Tokenizer } from '../tokens/tokenizer';
import { countPromptTokens, lookupPrice, priceInfo, usageCostUsd } from './cost';
import { formatDuration, mapError, rejectedParameter, type MappedError } from './errors';
import { validateMessages } from './prompt';
import { keyHint as envKeyHint, type KeyGetter } from './providers';
import { judgeMessages, parseJudgeScore, runChecks, summariseQuality, validateChecks } from './quality';
import { Redactor } from './redact';
import {
  COMPARE_DEFAULTS,
  COMPARE_LIMITS,
  type ChatMessage,
  type CompareError,
  type CompareEvent,
  type CompareRequest,
  type ComparisonResult,
  type JudgeResult,
  type ModelSummary,
  type ModelTarget,
  type RunQuality,
  type RunResult,
  type TokenUsage,
} from './types';

export interface RunnerOptions {
  /** The key of a provider (SecretStorage in the editor, environment in the CLI); undefined when there is none. */
  getKey: KeyGetter;
  prices: PriceCatalogue;
  tokenizer: Tokenizer;
  /** Aborting stops every request; the comparison then resolves with `cancelled: true`. */
  signal?: AbortSignal | undefined;
  /** Live events for the columns. A listener that throws is ignored. */
  onEvent?: ((event: CompareEvent) => void) | undefined;
  /** The fetch the SDK uses (tests, proxies). */
  fetch?: typeof globalThis.fetch | undefined;
  /** Where a provider's key is set, for messages (`OPENAI_API_KEY`, `costlens: Set API Key…`). Default: its env variables. */
  keyHint?: ((providerId: string) => string) | undefined;
  /** Monotonic milliseconds (tests). */
  now?: (() => number) | undefined;
  /** Wall clock for the result's timestamps (tests). */
  clock?: (() => Date) | undefined;
}

/** Thrown for a request that cannot run at all (checked before anything is sent). */
export class CompareRequestError extends Error {
  constructor(readonly problems: string[]) {
    super(`the comparison cannot run: ${problems.join('; ')}`);
    this.name = 'CompareRequestError';
  }
}

/** Problems that stop a comparison before anything is sent. */
export function validateCompareRequest(request: CompareRequest): string[] {
  const problems: string[] = [];
  const n = request.targets?.length ?? 0;
  if (n < COMPARE_LIMITS.minModels || n > COMPARE_LIMITS.maxModels) problems.push(`choose ${COMPARE_LIMITS.minModels}–${COMPARE_LIMITS.maxModels} models (got ${n})`);
  const ids = new Set<string>();
  for (const t of request.targets ?? []) {
    if (ids.has(t.id)) problems.push(`model ${t.id} is listed twice`);
    ids.add(t.id);
  }
  if (!Number.isInteger(request.runs) || request.runs < 1 || request.runs > COMPARE_LIMITS.maxRuns) problems.push(`runs must be a whole number from 1 to ${COMPARE_LIMITS.maxRuns}`);
  if (!Number.isInteger(request.maxOutputTokens) || request.maxOutputTokens < 1 || request.maxOutputTokens > COMPARE_LIMITS.maxOutputTokens) {
    problems.push(`the output limit must be a whole number of tokens from 1 to ${COMPARE_LIMITS.maxOutputTokens.toLocaleString('en-US')}`);
  }
  const t = request.temperature;
  if (t !== null && t !== undefined && (!Number.isFinite(t) || t < 0 || t > 2)) problems.push('temperature must be between 0 and 2');
  const timeout = request.timeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 1 || timeout > COMPARE_LIMITS.maxTimeoutMs)) problems.push(`the timeout must be between 1 ms and ${formatDuration(COMPARE_LIMITS.maxTimeoutMs)}`);
  const c = request.concurrency;
  if (c !== undefined && (!Number.isInteger(c) || c < 1 || c > COMPARE_LIMITS.maxConcurrency)) problems.push(`concurrency must be from 1 to ${COMPARE_LIMITS.maxConcurrency}`);
  const rpm = request.requestsPerMonth;
  if (rpm !== null && rpm !== undefined && (!Number.isFinite(rpm) || rpm < 0)) problems.push('requests per month must be a number ≥ 0');
  problems.push(...validateMessages(request.messages ?? []));
  if (request.quality?.checks) problems.push(...validateChecks(request.quality.checks));
  const minScore = request.quality?.minJudgeScore;
  if (minScore !== undefined && (!Number.isFinite(minScore) || minScore < 1 || minScore > 10)) problems.push('the minimum judge score must be from 1 to 10');
  const minPass = request.quality?.minPassRate;
  if (minPass !== undefined && (!Number.isFinite(minPass) || minPass < 0 || minPass > 1)) problems.push('the minimum pass rate must be from 0 to 1');
  return problems;
}

const SILENT_LOGGER = { error() {}, warn() {}, info() {}, debug() {} };

/** What one column has learnt about its endpoint during the comparison (shared by its runs). */
interface EndpointState {
  stream: boolean;
  streamOptions: boolean;
  limitParam: 'max_tokens' | 'max_completion_tokens';
  temperature: boolean;
  notes: string[];
}

interface CallParams {
  maxOutputTokens: number;
  temperature: number | null;
  stream: boolean;
}

interface CallHooks {
  onStart?(attempt: number): void;
  onRetry?(attempt: number, delayMs: number, reason: string): void;
  onDelta?(text: string): void;
}

interface RawUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

type CallOutcome =
  | {
      status: 'ok';
      output: string;
      finishReason: string | null;
      streamed: boolean;
      ttftMs: number | null;
      latencyMs: number;
      usage: RawUsage | null;
      attempts: number;
      waitedMs: number;
      notes: string[];
    }
  | { status: 'error' | 'cancelled'; error: CompareError; attempts: number; waitedMs: number; notes: string[] };

type AttemptResult =
  | { ok: true; output: string; finishReason: string | null; streamed: boolean; ttftMs: number | null; latencyMs: number; usage: RawUsage | null }
  | { ok: false; error: MappedError; emittedDelta: boolean };

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `worker` over `items` with at most `limit` in flight; results in item order. */
async function pool<T, R>(items: readonly T[], limit: number, worker: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

const CANCELLED: CompareError = { kind: 'cancelled', message: 'Cancelled.' };

export async function runComparison(request: CompareRequest, options: RunnerOptions): Promise<ComparisonResult> {
  const problems = validateCompareRequest(request);
  if (problems.length) throw new CompareRequestError(problems);

  const now = options.now ?? (() => performance.now());
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const t0 = now();
  const redactor = new Redactor();
  const emit = (event: CompareEvent): void => {
    if (!options.onEvent) return;
    try {
      options.onEvent(redactor.deep(event));
    } catch {
      // a failing listener must not break the comparison
    }
  };

  const all = new AbortController();
  const onOuterAbort = (): void => all.abort();
  if (options.signal?.aborted) all.abort();
  else options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const timeoutMs = Math.ceil(request.timeoutMs ?? COMPARE_DEFAULTS.timeoutMs);
  const maxAttempts = Math.max(1, Math.floor(request.retry?.maxAttempts ?? COMPARE_DEFAULTS.maxAttempts));
  const baseDelayMs = Math.max(0, request.retry?.baseDelayMs ?? COMPARE_DEFAULTS.baseDelayMs);
  const maxRetryAfterMs = Math.max(0, request.retry?.maxRetryAfterMs ?? COMPARE_DEFAULTS.maxRetryAfterMs);
  const stream = request.stream !== false;
  const temperature = request.temperature ?? null;
  const hintFor = (providerId: string): string => options.keyHint?.(providerId) ?? envKeyHint(providerId);

  // ---- keys: asked once per provider, remembered for redaction
  const keys = new Map<string, Promise<{ key: string | undefined; error?: string }>>();
  const keyFor = (target: ModelTarget): Promise<{ key: string | undefined; error?: string }> => {
    let p = keys.get(target.providerId);
    if (!p) {
      p = options.getKey(target.providerId).then(
        (key) => {
          redactor.add(key);
          return { key: key?.trim() || undefined };
        },
        (err: unknown) => ({ key: undefined, error: `could not read the API key for ${target.providerLabel}: ${(err as Error)?.message ?? String(err)}` }),
      );
      keys.set(target.providerId, p);
    }
    return p;
  };

  const states = new Map<string, EndpointState>();
  const stateFor = (target: ModelTarget): EndpointState => {
    const id = `${target.baseURL}\u0000${target.model}`;
    let s = states.get(id);
    if (!s) {
      s = { stream: true, streamOptions: true, limitParam: target.outputLimitParam, temperature: true, notes: [] };
      states.set(id, s);
    }
    return s;
  };

  const clients = new Map<string, OpenAI>();
  const clientFor = (target: ModelTarget, key: string | undefined): OpenAI => {
    const id = `${target.providerId}\u0000${target.baseURL}\u0000${JSON.stringify(target.defaultHeaders ?? {})}`;
    let client = clients.get(id);
    if (!client) {
      client = new OpenAI({
        // Local servers take no key, but the SDK requires one: a placeholder, as their docs advise.
        apiKey: key ?? 'no-key',
        adminAPIKey: null,
        organization: null,
        project: null,
        webhookSecret: null,
        baseURL: target.baseURL,
        defaultHeaders: target.defaultHeaders,
        fetch: options.fetch,
        maxRetries: 0,
        timeout: timeoutMs,
        logLevel: 'off',
        logger: SILENT_LOGGER,
      });
      clients.set(id, client);
    }
    return client;
  };

  /** One HTTP request (streamed or not), under the per-request timeout and the comparison's signal. */
  async function attemptOnce(target: ModelTarget, key: string | undefined, messages: readonly ChatMessage[], params: CallParams, state: EndpointState, hooks: CallHooks): Promise<AttemptResult> {
    const ctrl = new AbortController();
    const onAbort = (): void => ctrl.abort();
    all.signal.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, timeoutMs);
    const useStream = params.stream && state.stream;
    const openAiLike = target.providerId === 'openai' || target.providerId === 'azure';
    const body: Record<string, unknown> = {
      model: target.model,
      messages: messages.map((m) => ({ role: m.role === 'developer' && !openAiLike ? 'system' : m.role, content: m.content })),
      [state.limitParam]: params.maxOutputTokens,
    };
    if (params.temperature !== null && state.temperature) body.temperature = params.temperature;
    if (useStream) {
      body.stream = true;
      if (state.streamOptions) body.stream_options = { include_usage: true };
    }
    const ctx = { target, timeoutMs, keyHint: hintFor(target.providerId) };
    let emittedDelta = false;
    const start = now();
    try {
      const client = clientFor(target, key);
      const reqOptions = { signal: ctrl.signal, timeout: timeoutMs, maxRetries: 0 };
      let output = '';
      let finishReason: string | null = null;
      let usage: RawUsage | null = null;
      let ttftMs: number | null = null;
      if (useStream) {
        const chunks = (await client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming, reqOptions)) as AsyncIterable<OpenAI.Chat.ChatCompletionChunk>;
        let received = 0;
        for await (const chunk of chunks) {
          received++;
          if (chunk?.usage) usage = chunk.usage as RawUsage;
          for (const choice of chunk?.choices ?? []) {
            if ((choice.index ?? 0) !== 0) continue;
            const text = choice.delta?.content;
            if (typeof text === 'string' && text.length > 0) {
              if (ttftMs === null) ttftMs = now() - start;
              output += text;
              emittedDelta = true;
              hooks.onDelta?.(text);
            }
            if (choice.finish_reason) finishReason = choice.finish_reason;
          }
        }
        // The SDK ends a stream quietly when it is aborted.
        if (ctrl.signal.aborted) throw new AbortedError();
        if (finishReason === null) {
          // Nothing at all: the server answered 200 with something else than a stream (a proxy's or portal's page).
          const message = received === 0
            ? `The answer was not a stream of chat completion chunks: is ${target.baseURL} an OpenAI-compatible endpoint?`
            : 'The stream ended early: it closed before the model finished its answer (no finish reason).';
          return { ok: false, emittedDelta, error: { kind: 'stream', message, retryable: false } };
        }
      } else {
        const completion = (await client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, reqOptions)) as OpenAI.Chat.ChatCompletion;
        if (!completion || typeof completion !== 'object' || !Array.isArray(completion.choices)) {
          return { ok: false, emittedDelta, error: { kind: 'stream', message: 'The answer was not a chat completion (no choices).', retryable: false } };
        }
        const choice = completion.choices.find((c) => (c.index ?? 0) === 0) ?? completion.choices[0];
        output = choice?.message?.content ?? '';
        finishReason = choice?.finish_reason ?? null;
        usage = (completion.usage as RawUsage | undefined) ?? null;
        if (output) hooks.onDelta?.(output);
      }
      return { ok: true, output, finishReason, streamed: useStream, ttftMs, latencyMs: now() - start, usage };
    } catch (err) {
      if (timedOut) return { ok: false, emittedDelta, error: { kind: 'timeout', message: `No complete answer within ${formatDuration(timeoutMs)} (timeout).`, retryable: false } };
      if (all.signal.aborted || err instanceof AbortedError) return { ok: false, emittedDelta, error: { ...CANCELLED, retryable: false } };
      const mapped = mapError(err, ctx);
      if (!useStream && mapped.kind === 'stream' && err instanceof SyntaxError) mapped.message = 'The answer was not valid JSON.';
      return { ok: false, emittedDelta, error: mapped };
    } finally {
      clearTimeout(timer);
      all.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Switches a parameter the endpoint rejected; false when there is nothing left to switch. */
  function adapt(state: EndpointState, target: ModelTarget, param: ReturnType<typeof rejectedParameter>, streamed: boolean): string | null {
    const note = (text: string): string => {
      if (!state.notes.includes(text)) state.notes.push(text);
      return text;
    };
    switch (param) {
      case 'stream_options':
        if (!streamed || !state.streamOptions) return null;
        state.streamOptions = false;
        return note(`${target.baseURL} does not take stream_options: usage comes only if the server sends it anyway`);
      case 'stream':
        if (!streamed || !state.stream) return null;
        state.stream = false;
        return note(`${target.baseURL} does not stream: answers arrive whole (no time to first token)`);
      case 'max_tokens':
        if (state.limitParam !== 'max_tokens') return null;
        state.limitParam = 'max_completion_tokens';
        return note(`${target.model} takes max_completion_tokens instead of max_tokens`);
      case 'max_completion_tokens':
        if (state.limitParam !== 'max_completion_tokens') return null;
        state.limitParam = 'max_tokens';
        return note(`${target.baseURL} takes max_tokens instead of max_completion_tokens`);
      case 'temperature':
        if (!state.temperature) return null;
        state.temperature = false;
        return note(`${target.model} does not take a temperature: sent without it`);
      default:
        return null;
    }
  }

  /** A request with its retries and parameter fallbacks. */
  async function callModel(target: ModelTarget, key: string | undefined, messages: readonly ChatMessage[], params: CallParams, hooks: CallHooks): Promise<CallOutcome> {
    const state = stateFor(target);
    let attempts = 0;
    let retries = 0;
    let adaptations = 0;
    let waitedMs = 0;
    const notesNow = (): string[] => [...state.notes];
    for (;;) {
      if (all.signal.aborted) return { status: 'cancelled', error: CANCELLED, attempts, waitedMs, notes: notesNow() };
      attempts++;
      hooks.onStart?.(attempts);
      const streamed = params.stream && state.stream;
      const r = await attemptOnce(target, key, messages, params, state, hooks);
      if (r.ok) return { status: 'ok', ...r, attempts, waitedMs, notes: notesNow() };
      const err = r.error;
      if (err.kind === 'cancelled' || all.signal.aborted) return { status: 'cancelled', error: CANCELLED, attempts, waitedMs, notes: notesNow() };
      if (!r.emittedDelta && adaptations < 4) {
        const adapted = adapt(state, target, rejectedParameter(err), streamed);
        if (adapted) {
          adaptations++;
          hooks.onRetry?.(attempts + 1, 0, adapted);
          continue;
        }
      }
      if (err.retryable && !r.emittedDelta && retries + 1 < maxAttempts) {
        let delay = Math.min(baseDelayMs * 2 ** retries, Math.max(baseDelayMs, maxRetryAfterMs));
        if (err.retryAfterMs !== undefined) {
          if (err.retryAfterMs > maxRetryAfterMs) {
            const e = strip(err);
            e.message = `${e.message} The server asks to wait ${formatDuration(err.retryAfterMs)} before retrying, more than the ${formatDuration(maxRetryAfterMs)} costlens waits; try again later.`;
            return { status: 'error', error: e, attempts, waitedMs, notes: notesNow() };
          }
          delay = err.retryAfterMs;
        }
        retries++;
        hooks.onRetry?.(attempts + 1, delay, err.message);
        if (delay > 0) {
          const slept = await sleep(delay, all.signal);
          waitedMs += delay;
          if (!slept) return { status: 'cancelled', error: CANCELLED, attempts, waitedMs, notes: notesNow() };
        }
        continue;
      }
      const e = strip(err);
      if (retries > 0) e.message = `${e.message} Gave up after ${attempts} attempts.`;
      return { status: 'error', error: e, attempts, waitedMs, notes: notesNow() };
    }
  }

  function usageOf(raw: RawUsage | null, target: ModelTarget, messages: readonly ChatMessage[], output: string): TokenUsage {
    if (raw && typeof raw.prompt_tokens === 'number' && typeof raw.completion_tokens === 'number') {
      return {
        inputTokens: raw.prompt_tokens,
        outputTokens: raw.completion_tokens,
        cachedInputTokens: raw.prompt_tokens_details?.cached_tokens ?? 0,
        reasoningTokens: raw.completion_tokens_details?.reasoning_tokens ?? null,
        source: 'reported',
      };
    }
    const input = countPromptTokens(messages, target, options.tokenizer);
    const out = options.tokenizer.count(output, target.model, target.priceProvider || target.providerId);
    return {
      inputTokens: input.tokens,
      outputTokens: out.tokens,
      cachedInputTokens: 0,
      reasoningTokens: null,
      source: 'estimated',
      method: `the server reported no usage: counted here (${input.method})`,
    };
  }

  const priceCache = new Map<string, ReturnType<typeof lookupPrice>>();
  const priceOf = (target: ModelTarget): ReturnType<typeof lookupPrice> => {
    let p = priceCache.get(target.id);
    if (!p) {
      p = lookupPrice(target, options.prices);
      priceCache.set(target.id, p);
    }
    return p;
  };

  const quality = request.quality;
  const checks = quality?.checks ?? [];

  async function judge(messages: readonly ChatMessage[], output: string): Promise<JudgeResult | undefined> {
    const spec = quality?.judge;
    if (!spec) return undefined;
    const target = spec.target;
    const base = { model: target.id, score: null, reply: '', costUsd: null };
    const { key, error } = await keyFor(target);
    if (error) return { ...base, reason: error, error: { kind: 'config', message: error } };
    if (target.keyRequired && !key) {
      const message = `No API key for ${target.providerLabel} (the judge): set ${hintFor(target.providerId)}.`;
      return { ...base, reason: message, error: { kind: 'config', message } };
    }
    const judgeMsgs = judgeMessages(spec.rubric, messages, output, quality?.expectedAnswer);
    const outcome = await callModel(target, key, judgeMsgs, { maxOutputTokens: COMPARE_DEFAULTS.judgeMaxOutputTokens, temperature: 0, stream: false }, {});
    if (outcome.status !== 'ok') return { ...base, reason: `the judge failed: ${outcome.error.message}`, error: outcome.error };
    const usage = usageOf(outcome.usage, target, judgeMsgs, outcome.output);
    const parsed = parseJudgeScore(outcome.output);
    return { model: target.id, score: parsed.score, reason: parsed.reason, reply: outcome.output, costUsd: usageCostUsd(priceOf(target).price, usage) };
  }

  async function runJob(job: { target: ModelTarget; run: number }): Promise<RunResult> {
    const { target, run } = job;
    const base: RunResult = {
      model: target.id,
      run,
      status: 'error',
      output: '',
      finishReason: null,
      streamed: false,
      ttftMs: null,
      latencyMs: null,
      attempts: 0,
      waitedMs: 0,
      usage: null,
      costUsd: null,
      notes: [],
    };
    const failed = (error: CompareError, status: 'error' | 'cancelled' = 'error', extra: Partial<RunResult> = {}): RunResult => {
      emit({ type: 'error', model: target.id, run, error });
      return { ...base, ...extra, status, error };
    };
    if (all.signal.aborted) return failed(CANCELLED, 'cancelled');
    const { key, error: keyError } = await keyFor(target);
    if (keyError) return failed({ kind: 'config', message: keyError });
    if (target.keyRequired && !key) return failed({ kind: 'config', message: `No API key for ${target.providerLabel}: set ${hintFor(target.providerId)}.` });
    if (all.signal.aborted) return failed(CANCELLED, 'cancelled');

    // Live text goes through a redacting stream: a key split over chunks is held back until it can be redacted whole.
    const live = redactor.stream((text) => emit({ type: 'delta', model: target.id, run, text }));
    const outcome = await callModel(target, key, request.messages, { maxOutputTokens: request.maxOutputTokens, temperature, stream }, {
      onStart: (attempt) => emit({ type: 'start', model: target.id, run, attempt }),
      onRetry: (attempt, delayMs, reason) => emit({ type: 'retry', model: target.id, run, attempt, delayMs, reason }),
      onDelta: (text) => live.push(text),
    });
    live.flush();
    if (outcome.status !== 'ok') {
      return failed(outcome.error, outcome.status, { attempts: outcome.attempts, waitedMs: outcome.waitedMs, notes: outcome.notes });
    }
    const usage = usageOf(outcome.usage, target, request.messages, outcome.output);
    const costUsd = usageCostUsd(priceOf(target).price, usage);
    emit({ type: 'usage', model: target.id, run, usage, costUsd });
    const notes = [...outcome.notes];
    if (outcome.finishReason === 'length') notes.push(`the answer stopped at the output limit (${request.maxOutputTokens} tokens)`);
    let runQuality: RunQuality | undefined;
    if (checks.length || quality?.judge) {
      const results = runChecks(outcome.output, checks);
      runQuality = { checks: results, passed: results.length ? results.every((c) => c.passed) : null };
    }
    const result: RunResult = {
      ...base,
      status: 'ok',
      output: outcome.output,
      finishReason: outcome.finishReason,
      streamed: outcome.streamed,
      ttftMs: outcome.ttftMs,
      latencyMs: outcome.latencyMs,
      attempts: outcome.attempts,
      waitedMs: outcome.waitedMs,
      usage,
      costUsd,
      notes,
      quality: runQuality,
    };
    emit({ type: 'done', model: target.id, run, result });
    if (quality?.judge && runQuality) {
      runQuality.judge = await judge(request.messages, outcome.output);
      emit({ type: 'quality', model: target.id, run, quality: runQuality });
    } else if (runQuality) emit({ type: 'quality', model: target.id, run, quality: runQuality });
    return result;
  }

  // Encoders load synchronously (a few hundred ms): load them before the first request, not in the middle of
  // other columns' streams, where the pause would be measured as their latency.
  await options.tokenizer.ensureLoaded();
  for (const target of request.targets) priceOf(target);
  if (quality?.judge) priceOf(quality.judge.target);

  const jobs: Array<{ target: ModelTarget; run: number }> = [];
  for (let run = 1; run <= request.runs; run++) for (const target of request.targets) jobs.push({ target, run });
  let runs: RunResult[];
  try {
    runs = await pool(jobs, Math.min(request.concurrency ?? COMPARE_DEFAULTS.concurrency, COMPARE_LIMITS.maxConcurrency), runJob);
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }

  const result = summariseComparison(request, runs, {
    id: randomUUID(),
    startedAt: startedAt.toISOString(),
    finishedAt: clock().toISOString(),
    durationMs: now() - t0,
    cancelled: all.signal.aborted,
    prices: options.prices,
  });
  return redactor.deep(result);
}

class AbortedError extends Error {}

function strip(err: MappedError): CompareError {
  return { kind: err.kind, ...(err.status !== undefined ? { status: err.status } : {}), message: err.message };
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * Per-model figures from the runs: mean cost per request from real usage, the monthly projection, the change vs the
 * current model (measured here when it is a column that answered, else the call site's estimate), latency, quality.
 */
export function summariseComparison(
  request: CompareRequest,
  runs: readonly RunResult[],
  meta: { id: string; startedAt: string; finishedAt: string; durationMs: number; cancelled: boolean; prices: PriceCatalogue },
): ComparisonResult {
  const rpm = request.requestsPerMonth ?? null;
  const quality = request.quality;
  const current = request.currentModel ? (request.targets.find((t) => t.id === request.currentModel) ?? request.targets.find((t) => t.model === request.currentModel)) : undefined;

  const summaries: ModelSummary[] = request.targets.map((target) => {
    const own = runs.filter((r) => r.model === target.id).sort((a, b) => a.run - b.run);
    const ok = own.filter((r) => r.status === 'ok');
    const { price, unknownReason } = lookupPrice(target, meta.prices);
    const costs = ok.map((r) => r.costUsd).filter((c): c is number => c !== null);
    const costPerRequestUsd = price && costs.length === ok.length && ok.length > 0 ? mean(costs) : null;
    const latencies = ok.map((r) => r.latencyMs).filter((x): x is number => x !== null);
    const ttfts = ok.map((r) => r.ttftMs).filter((x): x is number => x !== null);
    const cancelled = own.length > 0 && own.every((r) => r.status === 'cancelled');
    const status: ModelSummary['status'] = ok.length === own.length && own.length > 0 ? 'ok' : ok.length > 0 ? 'partial' : cancelled ? 'cancelled' : 'failed';
    const firstError = own.find((r) => r.status === 'error')?.error ?? own.find((r) => r.error)?.error ?? null;
    return {
      model: target.id,
      modelId: target.model,
      providerId: target.providerId,
      providerLabel: target.providerLabel,
      baseURL: target.baseURL,
      runs: own,
      okRuns: ok.length,
      failedRuns: own.length - ok.length,
      status,
      error: firstError,
      price: price ? priceInfo(price) : null,
      priceUnknownReason: unknownReason,
      meanInputTokens: mean(ok.map((r) => r.usage!.inputTokens)),
      meanOutputTokens: mean(ok.map((r) => r.usage!.outputTokens)),
      usageEstimated: ok.some((r) => r.usage?.source === 'estimated'),
      costPerRequestUsd,
      monthlyCostUsd: costPerRequestUsd !== null && rpm !== null ? costPerRequestUsd * rpm : null,
      isCurrent: current?.id === target.id,
      changeVsCurrent: null,
      meanTtftMs: mean(ttfts),
      meanLatencyMs: mean(latencies),
      minLatencyMs: latencies.length ? Math.min(...latencies) : null,
      maxLatencyMs: latencies.length ? Math.max(...latencies) : null,
      quality: summariseQuality(own, { minJudgeScore: quality?.minJudgeScore, minPassRate: quality?.minPassRate }),
    };
  });

  // Baseline of "change vs current": the current model measured here, else the call site's estimate.
  const currentSummary = current ? summaries.find((s) => s.model === current.id) : undefined;
  let baseline: { usd: number; kind: 'measured' | 'estimate' } | null = null;
  if (currentSummary?.costPerRequestUsd != null) baseline = { usd: currentSummary.costPerRequestUsd, kind: 'measured' };
  else if (request.currentModel && request.currentCostPerRequestUsd != null && Number.isFinite(request.currentCostPerRequestUsd)) baseline = { usd: request.currentCostPerRequestUsd, kind: 'estimate' };
  if (baseline) {
    for (const s of summaries) {
      if (s.costPerRequestUsd === null) continue;
      const perRequestUsd = s.costPerRequestUsd - baseline.usd;
      s.changeVsCurrent = {
        perRequestUsd,
        monthlyUsd: rpm !== null ? perRequestUsd * rpm : null,
        pct: baseline.usd > 0 ? (perRequestUsd / baseline.usd) * 100 : null,
        baseline: baseline.kind,
      };
    }
  }

  const good = summaries.filter((s) => s.quality.goodEnough === true && s.costPerRequestUsd !== null);
  const cheapestGoodEnough = good.length ? good.reduce((a, b) => (b.costPerRequestUsd! < a.costPerRequestUsd! ? b : a)).model : null;

  let totalCostUsd = 0;
  let unpricedRequests = 0;
  let judgeCost = 0;
  let judgeUnpriced = false;
  for (const r of runs) {
    if (r.status === 'ok') {
      if (r.costUsd === null) unpricedRequests++;
      else totalCostUsd += r.costUsd;
    }
    const j = r.quality?.judge;
    if (j && !j.error) {
      if (j.costUsd === null) {
        unpricedRequests++;
        judgeUnpriced = true;
      } else {
        totalCostUsd += j.costUsd;
        judgeCost += j.costUsd;
      }
    }
  }

  const notes: string[] = [];
  for (const s of summaries) {
    if (s.usageEstimated) notes.push(`${s.model}: the server reported no usage; tokens were counted here and the cost is an estimate`);
    if (s.okRuns > 0 && !s.price) notes.push(`${s.model}: price unknown (${s.priceUnknownReason ?? 'not in the catalogue'}); its cost is not shown or totalled`);
  }
  if (baseline?.kind === 'estimate') notes.push(`change vs current is measured against the call site's estimate for ${request.currentModel} (it was not measured in this comparison)`);
  if (rpm === null) notes.push('no traffic given: monthly cost is not projected');

  return {
    id: meta.id,
    startedAt: meta.startedAt,
    finishedAt: meta.finishedAt,
    durationMs: meta.durationMs,
    cancelled: meta.cancelled,
    siteId: request.siteId ?? null,
    messages: request.messages.map((m) => ({ ...m })),
    params: {
      runs: request.runs,
      temperature: request.temperature ?? null,
      maxOutputTokens: request.maxOutputTokens,
      stream: request.stream !== false,
      requestsPerMonth: rpm,
      timeoutMs: request.timeoutMs ?? COMPARE_DEFAULTS.timeoutMs,
    },
    currentModel: current?.id ?? request.currentModel ?? null,
    models: summaries,
    quality: quality && (quality.checks?.length || quality.judge)
      ? {
          checks: quality.checks ?? [],
          expectedAnswer: quality.expectedAnswer ?? null,
          judge: quality.judge ? { model: quality.judge.target.id, rubric: quality.judge.rubric, costUsd: judgeUnpriced ? null : judgeCost } : null,
          minJudgeScore: quality.minJudgeScore ?? COMPARE_DEFAULTS.minJudgeScore,
          minPassRate: quality.minPassRate ?? COMPARE_DEFAULTS.minPassRate,
        }
      : null,
    totalCostUsd,
    unpricedRequests,
    cheapestGoodEnough,
    notes,
  };
}
