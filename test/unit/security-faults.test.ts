/**
 * Faults from the comparison endpoint that test/unit/compare*.test.ts do not inject yet. Already covered there: a
 * server that never answers (HTTP hang), a trickle past the timeout, 401/403, 404, 429 with retry-after (waited, and
 * refused when too long), 500 retried then failed, 503 once, a stream cut (closed) mid-way, a stream closed cleanly
 * without a finish reason, a malformed chunk, an error object inside the stream, connection refused, a provider
 * without a key, parameters an endpoint rejects, cancellation.
 *
 * Injected here, each in its own column beside a healthy one that must still answer in full:
 *   TCP  — a reset (RST) before any response; a reset in the middle of a stream; a TCP server that accepts the
 *          connection and never reads or answers.
 *   HTTP — 429 without retry-after (backoff, then success; and always: a clear failure); 502 with a proxy's HTML page
 *          (once, then success); 503 and 504 always; 200 with an HTML page instead of a stream (a captive portal).
 *   Stream — headers and a first chunk, then silence; an endless fast stream that never finishes.
 *   Body (whole answers) — a JSON body cut short by the connection closing; invalid JSON with status 200; an empty 200.
 *
 * Every fault must give its column one clear error (kind + a sentence a person can act on) within the timeout and
 * its retries, never an exception, a hang or a wrong answer; the count of faults injected is printed for the note.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { resolveTargets } from '../../src/core/compare/providers';
import { runComparison } from '../../src/core/compare/runner';
import type { CompareEvent, CompareRequest, ComparisonResult, ModelSummary } from '../../src/core/compare/types';
import { createPriceCatalogue } from '../../src/core/pricing/catalogue';
import { createTokenizer, type Tokenizer } from '../../src/core/tokens/tokenizer';

const PRICES = createPriceCatalogue({ overrides: [{ model: 'healthy', inputPerMTok: 1, outputPerMTok: 2, source: 'test prices' }] });
const TIMEOUT_MS = 400;
const HEALTHY_REPLY = 'All good here.';

/** Faults injected (one per faulty column and attempt that met a fault), for the closing note. */
const injected = { kinds: new Set<string>(), requests: 0 };

let tokenizer: Tokenizer;
before(async () => {
  tokenizer = await createTokenizer();
  await tokenizer.ensureLoaded();
});
after(() => {
  tokenizer.dispose();
  console.log(`[faults] ${injected.kinds.size} kinds of fault injected over ${injected.requests} faulted requests; every one stayed in its column`);
});

interface FaultServer {
  baseURL: string;
  /** Requests received per model. */
  count(model: string): number;
  close(): Promise<void>;
}

/** An OpenAI-compatible endpoint whose models misbehave by name (127.0.0.1 only, nothing forwarded). */
async function startFaultServer(): Promise<FaultServer> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const sse = (res: http.ServerResponse, model: string, content: string | null, finish: string | null = null): void => {
    if (!res.destroyed) res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`);
  };
  const healthy = (res: http.ServerResponse, model: string, stream: boolean): void => {
    if (!stream) {
      const text = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: HEALTHY_REPLY }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 4 } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const word of HEALTHY_REPLY.split(/(?<= )/)) sse(res, model, word);
    sse(res, model, null, 'stop');
    res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: 4 } })}\n\n`);
    res.end('data: [DONE]\n\n');
  };
  const error = (res: http.ServerResponse, status: number, body: string, type = 'application/json'): void => {
    res.writeHead(status, { 'content-type': type }).end(body);
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      let body: { model?: string; stream?: boolean } = {};
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        // not JSON: answered as an unknown model below
      }
      const model = body.model ?? '';
      const n = (counts.get(model) ?? 0) + 1;
      counts.set(model, n);
      const stream = body.stream === true;
      switch (model) {
        case 'healthy':
          return healthy(res, model, stream);
        case 'rst-before-response':
          return req.socket.resetAndDestroy();
        case 'rst-mid-stream':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          sse(res, model, 'Half of ');
          sse(res, model, 'an answer');
          return void setTimeout(() => req.socket.resetAndDestroy(), 30);
        case '429-no-retry-after-once':
          if (n === 1) return error(res, 429, JSON.stringify({ error: { message: 'Too many requests.', type: 'rate_limit_exceeded' } }));
          return healthy(res, model, stream);
        case '429-no-retry-after-always':
          return error(res, 429, JSON.stringify({ error: { message: 'Too many requests.', type: 'rate_limit_exceeded' } }));
        case '502-html-once':
          if (n === 1) return error(res, 502, '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>', 'text/html');
          return healthy(res, model, stream);
        case '503-always':
          return error(res, 503, JSON.stringify({ error: { message: 'The engine is currently overloaded.', type: 'server_error' } }));
        case '504-always':
          return error(res, 504, '<html><body><h1>504 Gateway Time-out</h1>The server didn\'t respond in time.</body></html>', 'text/html');
        case 'html-200':
          return error(res, 200, '<!DOCTYPE html><html><body><form action="/login"><input name="user"><button>Sign in to the Wi-Fi</button></form></body></html>', 'text/html');
        case 'headers-then-silence':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          sse(res, model, '');
          return; // nothing more, until the client gives up
        case 'endless-stream': {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const timer = setInterval(() => sse(res, model, 'more '), 2);
          res.on('close', () => clearInterval(timer));
          return;
        }
        case 'truncated-json': {
          const text = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: 'This answer will never arrive in full.' }, finish_reason: 'stop' }] });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.write(text.slice(0, 40));
          return void setTimeout(() => res.destroy(), 20);
        }
        case 'invalid-json-200':
          return error(res, 200, '{"id": "c", "choices": [ {"message": ');
        case 'empty-200':
          return error(res, 200, '');
        default:
          return error(res, 404, JSON.stringify({ error: { message: `The model \`${model}\` does not exist.`, type: 'invalid_request_error' } }));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    count: (model) => counts.get(model) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that accepts connections and then neither reads nor writes. */
async function startBlackHole(): Promise<{ baseURL: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.pause();
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let server: FaultServer;
let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
before(async () => {
  server = await startFaultServer();
  blackHole = await startBlackHole();
});
after(async () => {
  await server.close();
  await blackHole.close();
});

async function compare(models: string[], extra: Partial<CompareRequest> = {}, baseURLs: Record<string, string> = {}): Promise<{ result: ComparisonResult; events: CompareEvent[]; ms: number }> {
  const targets = models.map((m) => {
    const r = resolveTargets([m], { baseURL: baseURLs[m] ?? server.baseURL, prices: PRICES });
    assert.deepEqual(r.errors, []);
    return r.targets[0]!;
  });
  const events: CompareEvent[] = [];
  const t0 = Date.now();
  const result = await runComparison(
    { messages: [{ role: 'user', content: 'Are you there?' }], targets, runs: 1, maxOutputTokens: 32, timeoutMs: TIMEOUT_MS, concurrency: 6, retry: { maxAttempts: 3, baseDelayMs: 10 }, ...extra },
    { getKey: async () => undefined, prices: PRICES, tokenizer, onEvent: (e) => events.push(e) },
  );
  return { result, events, ms: Date.now() - t0 };
}

function column(result: ComparisonResult, model: string): ModelSummary {
  const s = result.models.find((m) => m.model === model);
  assert.ok(s, `no column ${model}`);
  return s;
}

/** The healthy column answered in full, whatever its neighbours did. */
function assertHealthy(result: ComparisonResult): void {
  const s = column(result, 'healthy');
  assert.equal(s.status, 'ok', JSON.stringify(s.error));
  assert.equal(s.runs[0]!.output, HEALTHY_REPLY);
  assert.equal(s.runs[0]!.usage!.source, 'reported');
}

/** A faulty column failed with one clear message of the expected kind; every event of it was well-formed. */
function assertFault(result: ComparisonResult, events: CompareEvent[], model: string, kind: string, message: RegExp, requests: number): void {
  const s = column(result, model);
  assert.equal(s.status, 'failed', `${model}: ${s.status}`);
  assert.equal(s.error?.kind, kind, `${model}: ${JSON.stringify(s.error)}`);
  assert.match(s.error!.message, message, model);
  assert.doesNotMatch(s.error!.message, /<\/?[a-z][^>]*>/i, `${model}: no markup in the message`);
  assert.ok(s.error!.message.length < 600 && !/\bat .+:\d+:\d+\)?$/m.test(s.error!.message), `${model}: the message is a sentence, not a stack trace`);
  assert.ok(events.some((e) => e.type === 'error' && e.model === model), `${model}: the column was told`);
  assert.equal(s.runs[0]!.output, '', `${model}: no partial answer is passed off as the answer`);
  injected.kinds.add(model);
  injected.requests += requests;
}

describe('faults from the endpoint stay in their column', () => {
  test('TCP: reset before the response, reset mid-stream, a server that accepts and never answers', async () => {
    const { result, events, ms } = await compare(['healthy', 'rst-before-response', 'rst-mid-stream', 'black-hole'], {}, { 'black-hole': blackHole.baseURL });
    assertHealthy(result);
    // A reset before any answer is a dropped connection: retried, then reported with the endpoint.
    assert.equal(server.count('rst-before-response'), 3, 'retried up to maxAttempts');
    assertFault(result, events, 'rst-before-response', 'connection', /connection to http:\/\/127\.0\.0\.1:\d+\/v1 was closed before an answer came.*Gave up after 3 attempts/, 3);
    // A reset after text arrived is never retried (the answer would be stitched from two attempts).
    assert.equal(server.count('rst-mid-stream'), 1);
    assert.ok(events.some((e) => e.type === 'delta' && e.model === 'rst-mid-stream'), 'text arrived before the reset');
    assertFault(result, events, 'rst-mid-stream', 'stream', /stream ended early: the connection closed before the answer was complete/, 1);
    assertFault(result, events, 'black-hole', 'timeout', new RegExp(`No complete answer within ${TIMEOUT_MS} ms \\(timeout\\)`), 1);
    assert.equal(blackHole.connections(), 1, 'a timeout is not retried');
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  test('HTTP: 429 without retry-after, 502 with an HTML page, 503 and 504 always, 200 with an HTML page', async () => {
    const models = ['healthy', '429-no-retry-after-once', '429-no-retry-after-always', '502-html-once', '503-always', '504-always'];
    const { result, events, ms } = await compare(models);
    assertHealthy(result);
    // 429 without retry-after: the runner's own backoff, then the answer.
    const once = column(result, '429-no-retry-after-once');
    assert.equal(once.status, 'ok');
    assert.equal(once.runs[0]!.attempts, 2);
    assert.equal(once.runs[0]!.output, HEALTHY_REPLY);
    const retry = events.find((e): e is Extract<CompareEvent, { type: 'retry' }> => e.type === 'retry' && e.model === '429-no-retry-after-once');
    assert.equal(retry?.delayMs, 10, 'backoff from baseDelayMs when the server says nothing');
    injected.kinds.add('429-no-retry-after-once');
    injected.requests += 1;
    assertFault(result, events, '429-no-retry-after-always', 'rate-limit', /429: rate limited by Custom endpoint\. Server said: Too many requests\. Gave up after 3 attempts\./, 3);
    // 502 from a proxy (an HTML page): retried, then the answer; the page is not shown as the answer.
    const bad = column(result, '502-html-once');
    assert.equal(bad.status, 'ok');
    assert.equal(bad.runs[0]!.output, HEALTHY_REPLY);
    const reason = events.find((e): e is Extract<CompareEvent, { type: 'retry' }> => e.type === 'retry' && e.model === '502-html-once')!.reason;
    assert.equal(reason, '502: Custom endpoint had a server error. Server said: 502 Bad Gateway nginx', 'the words of the page, not its markup');
    injected.kinds.add('502-html-once');
    injected.requests += 1;
    assertFault(result, events, '503-always', 'server', /503: Custom endpoint had a server error\. Server said: The engine is currently overloaded\. Gave up after 3 attempts\./, 3);
    assertFault(result, events, '504-always', 'server', /^504: Custom endpoint had a server error\. Server said: 504 Gateway Time-out The server didn't respond in time\. Gave up after 3 attempts\.$/, 3);
    assert.equal(server.count('503-always'), 3);
    assert.ok(ms < 3000, `took ${ms} ms`);

    const portal = await compare(['healthy', 'html-200']);
    assertHealthy(portal.result);
    assertFault(portal.result, portal.events, 'html-200', 'stream', /The answer was not a stream of chat completion chunks: is http:\/\/127\.0\.0\.1:\d+\/v1 an OpenAI-compatible endpoint\?/, 1);
  });

  test('streams: headers then silence, an endless stream that never finishes', async () => {
    const { result, events, ms } = await compare(['healthy', 'headers-then-silence', 'endless-stream'], { maxOutputTokens: 8 });
    assertHealthy(result);
    assertFault(result, events, 'headers-then-silence', 'timeout', new RegExp(`No complete answer within ${TIMEOUT_MS} ms`), 1);
    // The server ignores the output limit and never finishes: the timeout ends it, and the text so far is not kept
    // as an answer.
    assertFault(result, events, 'endless-stream', 'timeout', /timeout/, 1);
    assert.ok(events.filter((e) => e.type === 'delta' && e.model === 'endless-stream').length > 5, 'it was streaming');
    assert.equal(server.count('endless-stream'), 1, 'a stream that sent text is not retried');
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  test('whole answers: a body cut short, invalid JSON with 200, an empty 200', async () => {
    const { result, events, ms } = await compare(['healthy', 'truncated-json', 'invalid-json-200', 'empty-200'], { stream: false });
    assertHealthy(result);
    assertFault(result, events, 'truncated-json', 'stream', /stream ended early|not valid JSON|closed before/, server.count('truncated-json'));
    assertFault(result, events, 'invalid-json-200', 'stream', /The answer was not valid JSON\./, 1);
    assertFault(result, events, 'empty-200', 'stream', /not a chat completion|not valid JSON/, 1);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  test('after every fault the endpoint state is clean: nothing left in flight, a new comparison answers', async () => {
    const { result } = await compare(['healthy']);
    assertHealthy(result);
  });
});
