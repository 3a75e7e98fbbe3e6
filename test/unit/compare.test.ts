/**
 * The comparison runner against a local OpenAI-compatible server (test/support/fakeOpenAiServer.ts, 127.0.0.1 only):
 * streaming and non-streaming, usage → cost arithmetic with pinned prices, time to first token and latency, every
 * fault in its own column, retries, parameter fallbacks, cancellation, the concurrency cap and key redaction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { renderComparisonMarkdown } from '../../src/core/compare/exportMarkdown';
import { resolveTargets, type TargetOptions } from '../../src/core/compare/providers';
import { CompareRequestError, runComparison, type RunnerOptions } from '../../src/core/compare/runner';
import type { CompareEvent, CompareRequest, ComparisonResult, ModelTarget } from '../../src/core/compare/types';
import { createPriceCatalogue, type PriceCatalogue } from '../../src/core/pricing/catalogue';
import { createTokenizer, type Tokenizer } from '../../src/core/tokens/tokenizer';
import { startFakeOpenAiServer, type FakeBehaviour, type FakeOpenAiServer } from '../support/fakeOpenAiServer';

/** Pinned prices (USD per million tokens), so the arithmetic below does not depend on the price data. */
const PRICES = createPriceCatalogue({
  overrides: [
    { model: 'gpt-4o-mini', inputPerMTok: 0.15, outputPerMTok: 0.6, cacheReadPerMTok: 0.075, source: 'test prices', sourceDate: '2026-01-01' },
    { model: 'gpt-4o', inputPerMTok: 2.5, outputPerMTok: 10, source: 'test prices', sourceDate: '2026-01-01' },
  ],
});

let tokenizer: Tokenizer;
before(async () => {
  tokenizer = await createTokenizer();
  await tokenizer.ensureLoaded();
});
after(() => tokenizer.dispose());

const PROMPT = [{ role: 'user' as const, content: 'What is the capital of France?' }];

async function withServer<T>(behaviours: Record<string, FakeBehaviour>, fn: (server: FakeOpenAiServer) => Promise<T>, extra: { requireKey?: string } = {}): Promise<T> {
  const server = await startFakeOpenAiServer({ behaviours, ...extra });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

function targetsAt(server: FakeOpenAiServer, models: string[], options: TargetOptions = {}): ModelTarget[] {
  const r = resolveTargets(models, { baseURL: server.baseURL, prices: PRICES, ...options });
  assert.deepEqual(r.errors, []);
  return r.targets;
}

async function compare(
  server: FakeOpenAiServer,
  models: string[],
  request: Partial<CompareRequest> = {},
  options: Partial<RunnerOptions> & { targetOptions?: TargetOptions } = {},
): Promise<{ result: ComparisonResult; events: CompareEvent[] }> {
  const events: CompareEvent[] = [];
  const result = await runComparison(
    { messages: PROMPT, targets: targetsAt(server, models, options.targetOptions), runs: 1, maxOutputTokens: 64, timeoutMs: 5000, retry: { baseDelayMs: 20 }, ...request },
    { getKey: async () => 'sk-test-key-0123456789', prices: PRICES, tokenizer, onEvent: (e) => events.push(e), ...options },
  );
  return { result, events };
}

const summary = (result: ComparisonResult, model: string) => {
  const s = result.models.find((m) => m.model === model);
  assert.ok(s, `no column ${model}`);
  return s;
};

describe('compare: answers, usage and cost', () => {
  test('streams every model, reports usage and costs it from the usage (pinned prices)', async () => {
    await withServer(
      {
        'gpt-4o-mini': { usage: { prompt_tokens: 1000, completion_tokens: 500 } },
        'gpt-4o': { usage: { prompt_tokens: 1000, completion_tokens: 500 } },
      },
      async (server) => {
        const { result, events } = await compare(server, ['gpt-4o', 'gpt-4o-mini'], { currentModel: 'gpt-4o', requestsPerMonth: 100_000 });
        const mini = summary(result, 'gpt-4o-mini');
        const big = summary(result, 'gpt-4o');
        assert.equal(mini.status, 'ok');
        assert.equal(mini.runs[0]!.output, 'gpt-4o-mini says: What is the capital of France?');
        assert.equal(mini.runs[0]!.streamed, true);
        assert.equal(mini.runs[0]!.finishReason, 'stop');
        assert.deepEqual(mini.runs[0]!.usage, { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 0, reasoningTokens: 0, source: 'reported' });
        // 1,000 × $0.15/M + 500 × $0.60/M = $0.00015 + $0.00030
        assert.ok(Math.abs(mini.costPerRequestUsd! - 0.00045) < 1e-12, String(mini.costPerRequestUsd));
        // 1,000 × $2.50/M + 500 × $10/M = $0.0025 + $0.005
        assert.ok(Math.abs(big.costPerRequestUsd! - 0.0075) < 1e-12);
        assert.ok(Math.abs(mini.monthlyCostUsd! - 45) < 1e-9);
        assert.ok(Math.abs(big.monthlyCostUsd! - 750) < 1e-9);
        assert.equal(big.isCurrent, true);
        assert.equal(big.changeVsCurrent!.perRequestUsd, 0);
        assert.equal(mini.changeVsCurrent!.baseline, 'measured');
        assert.ok(Math.abs(mini.changeVsCurrent!.perRequestUsd - -0.00705) < 1e-12);
        assert.ok(Math.abs(mini.changeVsCurrent!.monthlyUsd! - -705) < 1e-9);
        assert.ok(Math.abs(mini.changeVsCurrent!.pct! - -94) < 1e-9);
        assert.ok(Math.abs(result.totalCostUsd - 0.00795) < 1e-12);
        // the stream was asked with usage, the SDK's retries off
        const req = server.requests.find((r) => r.model === 'gpt-4o-mini')!;
        assert.equal(req.body!.stream, true);
        assert.deepEqual(req.body!.stream_options, { include_usage: true });
        assert.equal(req.body!.max_tokens, 64);
        assert.equal(req.authorization, 'Bearer sk-test-key-0123456789');
        // live events: start, deltas that add up to the answer, usage, done
        const own = events.filter((e) => e.model === 'gpt-4o-mini');
        assert.equal(own[0]!.type, 'start');
        const text = own.filter((e): e is Extract<CompareEvent, { type: 'delta' }> => e.type === 'delta').map((e) => e.text).join('');
        assert.equal(text, mini.runs[0]!.output);
        assert.ok(own.filter((e) => e.type === 'delta').length > 3, 'streamed in several deltas');
        const usage = own.find((e): e is Extract<CompareEvent, { type: 'usage' }> => e.type === 'usage')!;
        assert.ok(Math.abs(usage.costUsd! - 0.00045) < 1e-12);
        assert.equal(own[own.length - 1]!.type, 'done');
      },
    );
  });

  test('cached input tokens are priced at the cache-read price', async () => {
    await withServer({ 'gpt-4o-mini': { usage: { prompt_tokens: 1000, completion_tokens: 500, cached_tokens: 200 } } }, async (server) => {
      const { result } = await compare(server, ['gpt-4o-mini']);
      // 800 × $0.15/M + 200 × $0.075/M + 500 × $0.60/M = $0.000435
      assert.ok(Math.abs(summary(result, 'gpt-4o-mini').costPerRequestUsd! - 0.000435) < 1e-12);
      assert.equal(summary(result, 'gpt-4o-mini').runs[0]!.usage!.cachedInputTokens, 200);
    });
  });

  test('non-streaming: the whole answer, its usage, latency but no time to first token', async () => {
    await withServer({ 'gpt-4o-mini': { usage: { prompt_tokens: 40, completion_tokens: 10 }, delayMs: 60 } }, async (server) => {
      const { result, events } = await compare(server, ['gpt-4o-mini'], { stream: false });
      const run = summary(result, 'gpt-4o-mini').runs[0]!;
      assert.equal(run.status, 'ok');
      assert.equal(run.streamed, false);
      assert.equal(run.ttftMs, null);
      assert.ok(run.latencyMs! >= 55, `latency ${run.latencyMs}`);
      assert.equal(run.usage!.source, 'reported');
      assert.ok(Math.abs(run.costUsd! - (40 * 0.15 + 10 * 0.6) / 1e6) < 1e-15);
      assert.equal(server.requests[0]!.body!.stream, undefined);
      assert.equal(events.filter((e) => e.type === 'delta').length, 1, 'the whole answer as one delta');
    });
  });

  test('time to first token and total latency are measured', async () => {
    await withServer({ 'gpt-4o-mini': { delayMs: 30, firstTokenDelayMs: 150, chunkDelayMs: 40 } }, async (server) => {
      const { result } = await compare(server, ['gpt-4o-mini']);
      const s = summary(result, 'gpt-4o-mini');
      const run = s.runs[0]!;
      // headers after 30 ms, first token after 150 more, then 6 more words 40 ms apart
      assert.ok(run.ttftMs! >= 170, `ttft ${run.ttftMs}`);
      assert.ok(run.latencyMs! >= run.ttftMs! + 200, `latency ${run.latencyMs} vs ttft ${run.ttftMs}`);
      assert.ok(run.latencyMs! < 3000);
      assert.equal(s.meanTtftMs, run.ttftMs);
      assert.equal(s.meanLatencyMs, run.latencyMs);
    });
  });

  test('no usage reported: tokens counted with the tokenizer and marked estimated', async () => {
    await withServer({ 'gpt-4o-mini': { noUsage: true } }, async (server) => {
      const { result } = await compare(server, ['gpt-4o-mini']);
      const s = summary(result, 'gpt-4o-mini');
      const run = s.runs[0]!;
      assert.equal(run.usage!.source, 'estimated');
      assert.match(run.usage!.method!, /no usage/);
      // o200k_base: "What is the capital of France?" 7 tokens + "user" 1 + 3 per message + 3 reply priming
      assert.equal(run.usage!.inputTokens, 14);
      assert.ok(run.usage!.outputTokens > 5);
      assert.ok(run.costUsd! > 0);
      assert.equal(s.usageEstimated, true);
      assert.ok(result.notes.some((n) => /reported no usage/.test(n)));
    });
  });

  test('several runs per model: every run is kept, the cost is their mean', async () => {
    let n = 0;
    await withServer({ 'gpt-4o-mini': { reply: () => `answer ${++n}`, usage: { prompt_tokens: 100, completion_tokens: 100 } } }, async (server) => {
      const { result } = await compare(server, ['gpt-4o-mini'], { runs: 3 });
      const s = summary(result, 'gpt-4o-mini');
      assert.equal(s.runs.length, 3);
      assert.deepEqual(s.runs.map((r) => r.run), [1, 2, 3]);
      assert.deepEqual(new Set(s.runs.map((r) => r.output)), new Set(['answer 1', 'answer 2', 'answer 3']));
      assert.ok(Math.abs(s.costPerRequestUsd! - 0.000075) < 1e-12);
      assert.equal(server.requestCount(), 3);
    });
  });

  test('a price the catalogue does not know is unknown, never $0, and left out of the total', async () => {
    await withServer({ 'my-finetune': {}, 'gpt-4o-mini': { usage: { prompt_tokens: 10, completion_tokens: 10 } } }, async (server) => {
      const { result } = await compare(server, ['my-finetune', 'gpt-4o-mini']);
      const s = summary(result, 'my-finetune');
      assert.equal(s.status, 'ok');
      assert.equal(s.costPerRequestUsd, null);
      assert.equal(s.price, null);
      assert.match(s.priceUnknownReason!, /not in the price data/);
      assert.equal(result.unpricedRequests, 1);
      assert.ok(Math.abs(result.totalCostUsd - (10 * 0.15 + 10 * 0.6) / 1e6) < 1e-15);
    });
  });

  test('at most `concurrency` requests are in flight', async () => {
    await withServer({ a: { delayMs: 80 }, b: { delayMs: 80 }, c: { delayMs: 80 } }, async (server) => {
      const { result } = await compare(server, ['a', 'b', 'c'], { runs: 2, concurrency: 2 });
      assert.equal(server.requestCount(), 6);
      assert.equal(server.maxInFlight, 2);
      assert.ok(result.models.every((m) => m.okRuns === 2));
    });
  });
});

describe('compare: faults stay in their column', () => {
  test('timeout: a server that never answers', async () => {
    await withServer({ slow: { hang: true }, 'gpt-4o-mini': {} }, async (server) => {
      const started = Date.now();
      const { result } = await compare(server, ['slow', 'gpt-4o-mini'], { timeoutMs: 300 });
      assert.ok(Date.now() - started < 3000);
      const s = summary(result, 'slow');
      assert.equal(s.status, 'failed');
      assert.equal(s.error!.kind, 'timeout');
      assert.match(s.error!.message, /No complete answer within 300 ms \(timeout\)/);
      assert.equal(summary(result, 'gpt-4o-mini').status, 'ok');
    });
  });

  test('timeout covers the whole stream, not just the headers', async () => {
    await withServer({ trickle: { chunkDelayMs: 150 } }, async (server) => {
      const { result } = await compare(server, ['trickle'], { timeoutMs: 400 });
      assert.equal(summary(result, 'trickle').error!.kind, 'timeout');
      assert.equal(server.requestCount(), 1, 'a stream that already sent text is not retried');
    });
  });

  test('401 and 403: "check the API key" for the provider, no retry', async () => {
    await withServer({ 'gpt-4o': { fail: { status: 401 } }, 'gpt-4o-mini': { fail: { status: 403 } } }, async (server) => {
      const { result } = await compare(server, ['gpt-4o', 'gpt-4o-mini'], {}, { targetOptions: { provider: 'openai', baseURL: server.baseURL } });
      const a = summary(result, 'gpt-4o').error!;
      assert.equal(a.kind, 'auth');
      assert.equal(a.status, 401);
      assert.match(a.message, /check the API key for OpenAI \(OPENAI_API_KEY\)/);
      const b = summary(result, 'gpt-4o-mini').error!;
      assert.equal(b.status, 403);
      assert.match(b.message, /check the API key for OpenAI/);
      assert.equal(server.requestCount(), 2);
    });
  });

  test('404: model not found at the base URL', async () => {
    await withServer({ 'gpt-4o-mini': {} }, async (server) => {
      const { result } = await compare(server, ['no-such-model', 'gpt-4o-mini']);
      const e = summary(result, 'no-such-model').error!;
      assert.equal(e.kind, 'not-found');
      assert.ok(e.message.includes(`model no-such-model not found at ${server.baseURL}`), e.message);
      assert.equal(summary(result, 'gpt-4o-mini').status, 'ok');
    });
  });

  test('429 with retry-after: waits as asked, then succeeds', async () => {
    await withServer({ 'gpt-4o-mini': { fail: { status: 429, times: 1, retryAfter: 1 } } }, async (server) => {
      const { result, events } = await compare(server, ['gpt-4o-mini']);
      const run = summary(result, 'gpt-4o-mini').runs[0]!;
      assert.equal(run.status, 'ok');
      assert.equal(run.attempts, 2);
      assert.equal(run.waitedMs, 1000);
      const retry = events.find((e): e is Extract<CompareEvent, { type: 'retry' }> => e.type === 'retry')!;
      assert.equal(retry.delayMs, 1000);
      assert.match(retry.reason, /429: rate limited/);
      const [first, second] = server.requests;
      assert.ok(second!.at - first!.at >= 950, `retried after ${second!.at - first!.at} ms`);
    });
  });

  test('429 asking to wait longer than the cap fails at once with the wait in the message', async () => {
    await withServer({ 'gpt-4o-mini': { fail: { status: 429, retryAfter: 120 } } }, async (server) => {
      const { result } = await compare(server, ['gpt-4o-mini'], { retry: { maxRetryAfterMs: 5000 } });
      const e = summary(result, 'gpt-4o-mini').error!;
      assert.equal(e.kind, 'rate-limit');
      assert.match(e.message, /asks to wait 120 s .* more than the 5 s costlens waits/);
      assert.equal(server.requestCount(), 1);
    });
  });

  test('500: retried with backoff, then a clear failure', async () => {
    await withServer({ 'gpt-4o-mini': { fail: { status: 500 } } }, async (server) => {
      const { result, events } = await compare(server, ['gpt-4o-mini'], { retry: { maxAttempts: 3, baseDelayMs: 20 } });
      const e = summary(result, 'gpt-4o-mini').error!;
      assert.equal(e.kind, 'server');
      assert.equal(e.status, 500);
      assert.match(e.message, /500: Custom endpoint had a server error\. Server said: The server had an error.* Gave up after 3 attempts\./);
      assert.equal(server.requestCount(), 3);
      assert.deepEqual(events.filter((x) => x.type === 'retry').map((x) => (x as { delayMs: number }).delayMs), [20, 40]);
    });
  });

  test('503 once, then an answer', async () => {
    await withServer({ 'gpt-4o-mini': { fail: { status: 503, times: 1 } } }, async (server) => {
      const { result } = await compare(server, ['gpt-4o-mini']);
      assert.equal(summary(result, 'gpt-4o-mini').status, 'ok');
      assert.equal(server.requestCount(), 2);
    });
  });

  test('a stream cut mid-way: "the stream ended early", not retried', async () => {
    await withServer({ cut: { cutAfterChunks: 3 } }, async (server) => {
      const { result, events } = await compare(server, ['cut']);
      const s = summary(result, 'cut');
      assert.equal(s.error!.kind, 'stream');
      assert.match(s.error!.message, /stream ended early/);
      assert.ok(events.some((e) => e.type === 'delta'), 'some text arrived before the cut');
      assert.equal(server.requestCount(), 1);
    });
  });

  test('a stream that closes cleanly without finishing is reported as ended early', async () => {
    await withServer({ early: { endEarlyAfterChunks: 2 } }, async (server) => {
      const { result } = await compare(server, ['early']);
      assert.match(summary(result, 'early').error!.message, /stream ended early.*no finish reason/);
    });
  });

  test('a malformed chunk: "the stream was not valid"', async () => {
    await withServer({ bad: { malformedAfterChunks: 2 } }, async (server) => {
      const { result } = await compare(server, ['bad']);
      const e = summary(result, 'bad').error!;
      assert.equal(e.kind, 'stream');
      assert.match(e.message, /stream was not valid/);
    });
  });

  test('an error sent inside the stream', async () => {
    await withServer({ crash: { errorAfterChunks: 1 } }, async (server) => {
      const { result } = await compare(server, ['crash']);
      const e = summary(result, 'crash').error!;
      assert.equal(e.kind, 'server');
      assert.match(e.message, /error in the middle of the answer.*model crashed/);
    });
  });

  test('connection refused: "is the server running?"', async () => {
    const server = await startFakeOpenAiServer({ behaviours: {} });
    const baseURL = server.baseURL;
    await server.close();
    const targets = resolveTargets(['gpt-4o-mini'], { provider: 'ollama', baseURL }).targets;
    const result = await runComparison({ messages: PROMPT, targets, runs: 1, maxOutputTokens: 16, retry: { baseDelayMs: 10 } }, { getKey: async () => undefined, prices: PRICES, tokenizer });
    const e = result.models[0]!.error!;
    assert.equal(e.kind, 'connection');
    assert.equal(e.message, `Could not connect to ${baseURL} (connection refused): is the server running?`);
  });

  test('one provider failing while the others succeed', async () => {
    await withServer({ 'gpt-4o-mini': {}, 'gpt-4o': { fail: { status: 401 } }, 'local-llama': { cutAfterChunks: 1 } }, async (server) => {
      const { result } = await compare(server, ['gpt-4o', 'gpt-4o-mini', 'local-llama'], { currentModel: 'gpt-4o', runs: 2 });
      assert.deepEqual(result.models.map((m) => m.status), ['failed', 'ok', 'failed']);
      assert.equal(summary(result, 'gpt-4o-mini').okRuns, 2);
      assert.equal(summary(result, 'gpt-4o-mini').changeVsCurrent, null, 'no baseline: the current model failed');
      assert.equal(result.cancelled, false);
    });
  });

  test('a hosted provider without a key fails its column before any request', async () => {
    await withServer({ 'gpt-4o-mini': {} }, async (server) => {
      const targets = targetsAt(server, ['gpt-4o-mini'], { provider: 'openai', baseURL: server.baseURL });
      const result = await runComparison({ messages: PROMPT, targets, runs: 1, maxOutputTokens: 16 }, { getKey: async () => undefined, prices: PRICES, tokenizer, keyHint: () => 'costlens: Set API Key…' });
      assert.equal(result.models[0]!.error!.kind, 'config');
      assert.equal(result.models[0]!.error!.message, 'No API key for OpenAI: set costlens: Set API Key….');
      assert.equal(server.requestCount(), 0);
    });
  });
});

describe('compare: parameters an endpoint rejects', () => {
  test('stream_options rejected: retried without it, usage then counted here', async () => {
    await withServer({ m: { rejectParams: ['stream_options'] } }, async (server) => {
      const { result } = await compare(server, ['m'], { runs: 2, concurrency: 1 });
      const s = summary(result, 'm');
      assert.equal(s.status, 'ok');
      assert.equal(s.runs[0]!.usage!.source, 'estimated');
      assert.ok(s.runs[0]!.notes.some((n) => /does not take stream_options/.test(n)));
      // the second run already knows: 2 requests for run 1, 1 for run 2
      assert.equal(server.requestCount(), 3);
      assert.equal(server.requests[2]!.body!.stream_options, undefined);
    });
  });

  test('max_tokens rejected: max_completion_tokens instead; temperature rejected: sent without it', async () => {
    await withServer({ 'o4-mini': { rejectParams: ['max_tokens', 'temperature'] } }, async (server) => {
      const { result } = await compare(server, ['o4-mini'], { temperature: 0.3 });
      const run = summary(result, 'o4-mini').runs[0]!;
      assert.equal(run.status, 'ok', JSON.stringify(run.error));
      const last = server.requests[server.requests.length - 1]!.body!;
      assert.equal(last.max_completion_tokens, 64);
      assert.equal(last.max_tokens, undefined);
      assert.equal(last.temperature, undefined);
      assert.ok(run.notes.some((n) => /takes max_completion_tokens/.test(n)));
      assert.ok(run.notes.some((n) => /does not take a temperature/.test(n)));
    });
  });

  test('a server that does not stream: answers arrive whole', async () => {
    await withServer({ m: { rejectStream: true } }, async (server) => {
      const { result } = await compare(server, ['m']);
      const run = summary(result, 'm').runs[0]!;
      assert.equal(run.status, 'ok');
      assert.equal(run.streamed, false);
      assert.equal(run.usage!.source, 'reported');
    });
  });
});

describe('compare: cancellation', () => {
  test('aborting stops every request at once; the result says cancelled', async () => {
    const long = 'word '.repeat(200);
    await withServer({ a: { reply: long, chunkDelayMs: 50 }, b: { reply: long, chunkDelayMs: 50 }, c: { hang: true } }, async (server) => {
      const controller = new AbortController();
      const started = Date.now();
      const events: CompareEvent[] = [];
      const { result } = await compare(server, ['a', 'b', 'c'], { runs: 2, concurrency: 3, maxOutputTokens: 500 }, {
        signal: controller.signal,
        onEvent(e) {
          events.push(e);
          if (e.type === 'delta' && events.filter((x) => x.type === 'delta').length === 3) controller.abort();
        },
      });
      assert.ok(Date.now() - started < 2000, 'stopped promptly');
      assert.equal(result.cancelled, true);
      assert.ok(result.models.every((m) => m.status === 'cancelled'), JSON.stringify(result.models.map((m) => m.status)));
      assert.ok(result.models.flatMap((m) => m.runs).every((r) => r.status === 'cancelled' && r.error?.kind === 'cancelled'));
      assert.ok(events.filter((e) => e.type === 'error').length === 6, 'every run reports its cancellation');
      assert.equal(server.requestCount(), 3, 'the second runs never started');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(server.inFlight, 0, 'no request left open');
    });
  });

  test('an already aborted signal sends nothing', async () => {
    await withServer({ a: {} }, async (server) => {
      const { result } = await compare(server, ['a'], {}, { signal: AbortSignal.abort() });
      assert.equal(result.cancelled, true);
      assert.equal(server.requestCount(), 0);
    });
  });
});

describe('compare: keys never come out', () => {
  const KEY = 'sk-live-PLANTED-key-9f8e7d6c5b4a';

  test('a key echoed by the server (errors and answers) appears nowhere in results, events or the export', async () => {
    await withServer(
      {
        'gpt-4o-mini': { reply: `Sure. By the way your key is ${KEY}.` },
        'gpt-4o': { fail: { status: 401, message: 'Incorrect API key provided: {key}' } },
        'gpt-4.1': { fail: { status: 500, message: 'upstream failed for key {key}' } },
      },
      async (server) => {
        const { result, events } = await compare(server, ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1'], { retry: { maxAttempts: 1 } }, { getKey: async () => KEY });
        assert.equal(server.requests[0]!.authorization, `Bearer ${KEY}`, 'the key was sent to the server');
        const everything = JSON.stringify(result) + JSON.stringify(events) + renderComparisonMarkdown(result);
        assert.ok(!everything.includes(KEY), 'the key leaked');
        assert.ok(!everything.includes('PLANTED'), 'part of the key leaked');
        assert.match(summary(result, 'gpt-4o').error!.message, /Incorrect API key provided: \[redacted\]/);
        assert.match(summary(result, 'gpt-4o-mini').runs[0]!.output, /your key is \[redacted\]/);
      },
    );
  });

  test('a key that does not look like one is still redacted', async () => {
    const odd = 'plain-secret-value-42';
    await withServer({ m: { fail: { status: 403, message: 'key {key} has no access' } } }, async (server) => {
      const { result, events } = await compare(server, ['m'], {}, { getKey: async () => odd });
      assert.ok(!(JSON.stringify(result) + JSON.stringify(events)).includes(odd));
    });
  });
});

describe('compare: requests that cannot run', () => {
  test('invalid requests are refused before anything is sent', async () => {
    await withServer({ a: {} }, async (server) => {
      const targets = targetsAt(server, ['a']);
      const base = { messages: PROMPT, targets, runs: 1, maxOutputTokens: 16 };
      const opts = { getKey: async () => undefined, prices: PRICES, tokenizer };
      for (const bad of [
        { ...base, runs: 0 },
        { ...base, runs: 11 },
        { ...base, maxOutputTokens: 0 },
        { ...base, temperature: 3 },
        { ...base, targets: [] },
        { ...base, targets: [...targets, ...targets] },
        { ...base, messages: [] },
        { ...base, messages: [{ role: 'system' as const, content: 'only a system prompt' }] },
        { ...base, quality: { checks: [{ kind: 'regex' as const, pattern: '(' }] } },
      ]) {
        await assert.rejects(runComparison(bad, opts), CompareRequestError);
      }
      assert.equal(server.requestCount(), 0);
    });
  });
});
