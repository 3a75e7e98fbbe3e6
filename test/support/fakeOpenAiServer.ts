/**
 * A local OpenAI-compatible server for tests (unit tests and real-editor tests): POST /v1/chat/completions, streaming
 * (SSE `data:` chunks, a final usage chunk when `stream_options.include_usage` is set, `data: [DONE]`) and
 * non-streaming (JSON with usage), and GET /v1/models. It listens on 127.0.0.1 only and never makes a request itself.
 *
 * Replies are deterministic: `<model> says: <last user message>`, cut to `max_tokens` words (finish reason `length`),
 * streamed one word per chunk. Per model, behaviours inject delays and faults: a status (401/403/404/429 with
 * retry-after/500/503) for the first N requests or always, a stream cut mid-way, a malformed chunk, no usage, a slow
 * trickle, a hang, parameters the "server" rejects. Every request is recorded.
 *
 *   const server = await startFakeOpenAiServer({ behaviours: { 'gpt-4o-mini': { usage: { prompt_tokens: 1000, completion_tokens: 500 } } } });
 *   // … point a client at server.baseURL (http://127.0.0.1:<port>/v1) …
 *   await server.close();
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeFailure {
  status: number;
  /** Fail only the first N requests of this model, then behave normally. Default: every request. */
  times?: number;
  /** `retry-after` header value (seconds, or an HTTP date). */
  retryAfter?: string | number;
  /** `retry-after-ms` header value. */
  retryAfterMs?: number;
  /** Error message in the OpenAI error body; `{key}` is replaced with the key the request sent (to test redaction). */
  message?: string;
  /** Raw body instead of the OpenAI error JSON. */
  rawBody?: string;
}

export interface FakeBehaviour {
  /** The reply text, or a function of the request body. Default: `<model> says: <last user message>`. */
  reply?: string | ((body: ChatRequestBody) => string);
  /** Milliseconds before the response headers. */
  delayMs?: number;
  /** Milliseconds between the headers and the first content chunk (streaming). */
  firstTokenDelayMs?: number;
  /** Milliseconds between chunks (a slow trickle). */
  chunkDelayMs?: number;
  /** Fail with a status (see FakeFailure). */
  fail?: FakeFailure;
  /** Destroy the connection after this many content chunks (a cut stream). */
  cutAfterChunks?: number;
  /** End the response cleanly after this many content chunks, without finish reason, usage or [DONE]. */
  endEarlyAfterChunks?: number;
  /** Send a chunk that is not JSON after this many content chunks. */
  malformedAfterChunks?: number;
  /** Send `data: {"error": …}` after this many content chunks. */
  errorAfterChunks?: number;
  /** Never report usage (neither in the stream nor in the JSON). */
  noUsage?: boolean;
  /** Usage to report; default: words of the prompt (+3 per message) and of the reply. */
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number; reasoning_tokens?: number };
  /** Answer 400 when the request has any of these parameters (e.g. `stream_options`, `max_tokens`, `temperature`). */
  rejectParams?: string[];
  /** Answer 400 to streaming requests. */
  rejectStream?: boolean;
  /** Never answer (until the client gives up or the server closes). */
  hang?: boolean;
  /** Finish reason of a complete reply (default `stop`, or `length` when cut to max_tokens). */
  finishReason?: string;
}

export interface ChatRequestBody {
  model?: string;
  messages?: Array<{ role: string; content: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  body: ChatRequestBody | null;
  /** The Authorization header as sent (tests check the key arrives, and is never echoed elsewhere). */
  authorization: string | null;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export interface FakeServerOptions {
  /** 0 (default): any free port. */
  port?: number;
  behaviours?: Record<string, FakeBehaviour>;
  /** Behaviour of models not in `behaviours`; without it they get 404 model_not_found. */
  defaultBehaviour?: FakeBehaviour;
  /** When set, requests whose bearer token differs get 401 (with the key they sent echoed in the message). */
  requireKey?: string;
}

export interface FakeOpenAiServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/v1 — the base URL for OpenAI clients. */
  baseURL: string;
  port: number;
  requests: RecordedRequest[];
  /** Chat completion requests (of one model, if given). */
  requestCount(model?: string): number;
  /** Most chat completion requests that were in flight at once. */
  readonly maxInFlight: number;
  /** Chat completion requests in flight now. */
  readonly inFlight: number;
  setBehaviour(model: string, behaviour: FakeBehaviour): void;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return '';
}

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

export function defaultReply(body: ChatRequestBody): string {
  const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  return `${body.model ?? 'model'} says: ${contentText(lastUser?.content ?? '')}`;
}

export async function startFakeOpenAiServer(options: FakeServerOptions = {}): Promise<FakeOpenAiServer> {
  const behaviours = new Map(Object.entries(options.behaviours ?? {}));
  const served = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let closing = false;
  let inFlight = 0;
  let maxInFlight = 0;

  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const sendError = (res: http.ServerResponse, status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): void =>
    sendJson(res, status, { error: { message, type, param: null, code } }, headers);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0]!;
    let body: ChatRequestBody | null = null;
    if (raw) {
      try {
        body = JSON.parse(raw) as ChatRequestBody;
      } catch {
        body = null;
      }
    }
    const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : null;
    const record: RecordedRequest = { method: req.method ?? 'GET', path, model: typeof body?.model === 'string' ? body.model : null, stream: body?.stream === true, body, authorization, headers: req.headers, at: Date.now() };
    requests.push(record);

    if (options.requireKey !== undefined) {
      const sent = authorization?.replace(/^Bearer\s+/i, '') ?? '';
      if (sent !== options.requireKey) return sendError(res, 401, `Incorrect API key provided: ${sent}. You can find your API key at https://example.invalid/keys.`, 'invalid_request_error', 'invalid_api_key');
    }

    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return sendJson(res, 200, { object: 'list', data: [...behaviours.keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })) });
    }
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/chat/completions')) {
      return sendError(res, 404, `Unknown path ${req.method} ${path}`, 'invalid_request_error', 'unknown_url');
    }
    if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      return sendError(res, 400, 'The request body must be JSON with model and messages.', 'invalid_request_error', null);
    }
    const model = body.model;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const behaviour = behaviours.get(model) ?? options.defaultBehaviour;
    if (!behaviour) return sendError(res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    const n = (served.get(model) ?? 0) + 1;
    served.set(model, n);

    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (behaviour.hang) {
      await new Promise<void>((resolve) => {
        req.on('close', resolve);
        res.on('close', resolve);
      });
      return;
    }
    const fail = behaviour.fail;
    if (fail && (fail.times === undefined || n <= fail.times)) {
      const headers: Record<string, string> = {};
      if (fail.retryAfter !== undefined) headers['retry-after'] = String(fail.retryAfter);
      if (fail.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fail.retryAfterMs);
      if (fail.rawBody !== undefined) {
        res.writeHead(fail.status, { 'content-type': 'text/plain', ...headers });
        res.end(fail.rawBody);
        return;
      }
      const sentKey = authorization?.replace(/^Bearer\s+/i, '') ?? '';
      const message = (fail.message ?? defaultFailureMessage(fail.status, model)).replace(/\{key\}/g, sentKey);
      const type = fail.status === 429 ? 'rate_limit_exceeded' : fail.status >= 500 ? 'server_error' : 'invalid_request_error';
      return sendError(res, fail.status, message, type, null, headers);
    }
    for (const param of behaviour.rejectParams ?? []) {
      if (param in body) return sendError(res, 400, `Unsupported parameter: '${param}' is not supported with this model.`, 'invalid_request_error', 'unsupported_parameter');
    }
    if (behaviour.rejectStream && body.stream) return sendError(res, 400, 'Streaming is not supported by this server.', 'invalid_request_error', null);

    const limit = body.max_completion_tokens ?? body.max_tokens;
    let reply = typeof behaviour.reply === 'function' ? behaviour.reply(body) : (behaviour.reply ?? defaultReply(body));
    let finish = behaviour.finishReason ?? 'stop';
    const replyWords = words(reply);
    if (typeof limit === 'number' && limit > 0 && replyWords.length > limit) {
      reply = replyWords.slice(0, limit).join(' ');
      finish = 'length';
    }
    const pieces = reply.split(/(?<=\s)/).filter((p) => p.length > 0);
    const promptText = body.messages.map((m) => contentText(m.content)).join(' ');
    const usage = behaviour.usage ?? { prompt_tokens: words(promptText).length + 3 * body.messages.length, completion_tokens: words(reply).length };
    const usageJson = {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
      prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
      completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
    };
    const id = `chatcmpl-fake-${requests.length}`;
    const created = 1_700_000_000;

    if (!body.stream) {
      const out: Record<string, unknown> = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply, refusal: null }, finish_reason: finish, logprobs: null }],
      };
      if (!behaviour.noUsage) out.usage = usageJson;
      return sendJson(res, 200, out);
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const write = (data: string): void => {
      if (!res.destroyed) res.write(`data: ${data}\n\n`);
    };
    const chunk = (delta: Record<string, unknown>, finishReason: string | null): string =>
      JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] });
    write(chunk({ role: 'assistant', content: '' }, null));
    if (behaviour.firstTokenDelayMs) await sleep(behaviour.firstTokenDelayMs);
    for (const [i, piece] of pieces.entries()) {
      if (closing || res.destroyed) return;
      if (behaviour.cutAfterChunks !== undefined && i === behaviour.cutAfterChunks) {
        // Let what was written reach the client, then drop the connection mid-answer.
        await new Promise<void>((r) => res.write('', () => r()));
        await sleep(20);
        res.destroy();
        return;
      }
      if (behaviour.endEarlyAfterChunks !== undefined && i === behaviour.endEarlyAfterChunks) {
        res.end();
        return;
      }
      if (behaviour.malformedAfterChunks !== undefined && i === behaviour.malformedAfterChunks) {
        write('{"id": "broken", "choices": [ {"delta": ');
        res.end();
        return;
      }
      if (behaviour.errorAfterChunks !== undefined && i === behaviour.errorAfterChunks) {
        write(JSON.stringify({ error: { message: 'The model crashed while generating.', type: 'server_error', code: null } }));
        res.end();
        return;
      }
      if (i > 0 && behaviour.chunkDelayMs) await sleep(behaviour.chunkDelayMs);
      write(chunk({ content: piece }, null));
    }
    write(chunk({}, finish));
    if (body.stream_options?.include_usage && !behaviour.noUsage) {
      write(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageJson }));
    }
    write('[DONE]');
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    baseURL: `${url}/v1`,
    port,
    requests,
    requestCount(model) {
      return requests.filter((r) => r.path.endsWith('/chat/completions') && (model === undefined || r.model === model)).length;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    setBehaviour(model, behaviour) {
      behaviours.set(model, behaviour);
    },
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
    },
  };
}

function defaultFailureMessage(status: number, model: string): string {
  switch (status) {
    case 401:
      return 'Incorrect API key provided.';
    case 403:
      return 'You are not allowed to use this model.';
    case 404:
      return `The model \`${model}\` does not exist or you do not have access to it.`;
    case 429:
      return 'Rate limit reached for requests.';
    default:
      return status >= 500 ? 'The server had an error while processing your request.' : `Error ${status}.`;
  }
}

/**
 * Standalone, for harnesses that run the editor in another process:
 *   node --import tsx test/support/fakeOpenAiServer.ts [--port N] [--behaviours file.json] [--any-model] [--require-key KEY]
 * prints one JSON line `{"url": …, "baseURL": …, "port": …}` and serves until SIGTERM/SIGINT. Behaviour files hold
 * `{ "<model>": FakeBehaviour }` (replies as strings).
 */
if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const file = value('--behaviours');
  const behaviours = file ? (JSON.parse(require('node:fs').readFileSync(file, 'utf8')) as Record<string, FakeBehaviour>) : {};
  void startFakeOpenAiServer({
    port: Number(value('--port') ?? 0),
    behaviours,
    defaultBehaviour: args.includes('--any-model') ? {} : undefined,
    requireKey: value('--require-key'),
  }).then((server) => {
    process.stdout.write(`${JSON.stringify({ url: server.url, baseURL: server.baseURL, port: server.port })}\n`);
    const stop = (): void => void server.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
