/**
 * Failures of a request in words a person can act on, one per column. Every message is redacted by the caller.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { formatDuration } from '../format';
import type { CompareError, ModelTarget } from './types';

export { formatDuration };

export interface ErrorContext {
  target: Pick<ModelTarget, 'providerLabel' | 'baseURL' | 'model' | 'providerId'>;
  timeoutMs: number;
  /** Where the key comes from, for "check the key" messages (e.g. `OPENAI_API_KEY`, or a command name). */
  keyHint?: string | undefined;
}

/** A mapped failure, with what the retry logic needs. */
export interface MappedError extends CompareError {
  retryable: boolean;
  /** From `retry-after-ms` / `retry-after` (seconds or an HTTP date). */
  retryAfterMs?: number | undefined;
  /** The server's own words (redact before showing). */
  detail?: string | undefined;
}


/** Milliseconds to wait from response headers, or undefined. */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

function codeOf(err: unknown): string | undefined {
  for (const e of causeChain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (e instanceof AggregateError) for (const inner of e.errors) {
      const c = (inner as { code?: unknown }).code;
      if (typeof c === 'string') return c;
    }
  }
  return undefined;
}

/**
 * At most `max` characters, never ending inside a word: a key the server echoed and that the cut split in two could
 * not be redacted whole (its first half would stay readable).
 */
function clip(text: string, max = 240): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${/^\S/.test(text.slice(max)) ? cut.replace(/\S+$/, '') : cut}`.trimEnd() + '…';
}

/** The words of an HTML error page (a proxy's 502/504), not its markup. */
function pageText(text: string): string {
  if (!/<(html|body|head|h1|title|center|p|div)\b[^>]*>/i.test(text)) return text;
  return text.replace(/<(head|script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
}

function serverDetail(err: APIError): string | undefined {
  const body = err.error as { message?: unknown } | undefined;
  const msg = typeof body?.message === 'string' ? body.message : typeof err.error === 'string' ? pageText(err.error) : undefined;
  if (msg) return clip(msg.replace(/\s+/g, ' ').trim());
  const raw = pageText(err.message.replace(/^\d{3}\s*/, '')).trim();
  return raw && raw !== 'status code (no body)' ? clip(raw) : undefined;
}

function withDetail(message: string, detail: string | undefined): string {
  return detail ? `${message} Server said: ${detail}` : message;
}

/** Maps an error thrown by the openai SDK, fetch or a stream to a per-column message. */
export function mapError(err: unknown, ctx: ErrorContext): MappedError {
  const { target } = ctx;
  const where = target.baseURL;
  if (err instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', message: `No complete answer within ${formatDuration(ctx.timeoutMs)} (timeout).`, retryable: false };
  }
  if (err instanceof APIUserAbortError) return { kind: 'cancelled', message: 'Cancelled.', retryable: false };
  if (err instanceof APIConnectionError) return connectionError(err, where);
  if (err instanceof APIError) {
    const status = err.status;
    const detail = serverDetail(err);
    if (status === undefined) {
      // An error object sent inside the stream.
      return { kind: 'server', message: withDetail(`${target.providerLabel} reported an error in the middle of the answer.`, detail), retryable: false, detail };
    }
    if (status === 401 || status === 403) {
      const hint = ctx.keyHint ? ` (${ctx.keyHint})` : '';
      const what = status === 401 ? 'refused the API key' : 'refused access';
      return { kind: 'auth', status, message: withDetail(`${status}: ${target.providerLabel} ${what}: check the API key for ${target.providerLabel}${hint}.`, detail), retryable: false, detail };
    }
    if (status === 404) {
      return { kind: 'not-found', status, message: withDetail(`404: model ${target.model} not found at ${where}: check the model name (and the base URL).`, detail), retryable: false, detail };
    }
    if (status === 429) {
      return { kind: 'rate-limit', status, message: withDetail(`429: rate limited by ${target.providerLabel}.`, detail), retryable: true, retryAfterMs: retryAfterMs(err.headers), detail };
    }
    if (status === 408 || status === 409 || status >= 500) {
      return { kind: 'server', status, message: withDetail(`${status}: ${target.providerLabel} had a server error.`, detail), retryable: true, retryAfterMs: retryAfterMs(err.headers), detail };
    }
    return { kind: 'bad-request', status, message: withDetail(`${status}: ${target.providerLabel} rejected the request.`, detail), retryable: false, detail };
  }
  if (err instanceof SyntaxError) {
    return { kind: 'stream', message: 'The stream was not valid: a chunk of the answer was not valid JSON.', retryable: false };
  }
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'UND_ERR_ABORTED' || /terminated|other side closed|premature close/i.test(message)) {
    return { kind: 'stream', message: 'The stream ended early: the connection closed before the answer was complete.', retryable: false };
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return connectionError(err, where);
  return { kind: 'unknown', message: `Unexpected failure: ${clip(message)}`, retryable: false };
}

function connectionError(err: unknown, where: string): MappedError {
  const code = codeOf(err);
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'connection', message: `Could not connect to ${where} (connection refused): is the server running?`, retryable: false };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'connection', message: `Could not connect to ${where}: the host name was not found.`, retryable: false };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { kind: 'connection', message: `The connection to ${where} was closed before an answer came.`, retryable: true };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { kind: 'timeout', message: `Could not connect to ${where} in time.`, retryable: true };
    default:
      if (code && /CERT|SSL|TLS/i.test(code)) return { kind: 'connection', message: `Could not connect to ${where}: TLS certificate problem (${code}).`, retryable: false };
      return { kind: 'connection', message: `Could not connect to ${where}${code ? ` (${code})` : ''}.`, retryable: true };
  }
}

/** The request was rejected because of a parameter this endpoint does not take; which one, if recognisable. */
export function rejectedParameter(err: MappedError): 'stream_options' | 'stream' | 'max_tokens' | 'max_completion_tokens' | 'temperature' | null {
  if (err.kind !== 'bad-request' || !err.detail) return null;
  const d = err.detail.toLowerCase();
  if (d.includes('stream_options') || d.includes('include_usage')) return 'stream_options';
  if (/max_completion_tokens/.test(d) && /(unsupported|not supported|unrecognized|unknown|extra|not permitted|invalid)/.test(d) && !/use 'max_completion_tokens'|use "max_completion_tokens"|use max_completion_tokens/.test(d)) {
    return 'max_completion_tokens';
  }
  if (/max_tokens/.test(d) && /(unsupported|not supported|unrecognized|unknown|extra|not permitted|use 'max_completion_tokens'|use "max_completion_tokens"|use max_completion_tokens)/.test(d)) return 'max_tokens';
  if (/temperature/.test(d) && /(unsupported|not supported|only the default|does not support|unknown|unrecognized)/.test(d)) return 'temperature';
  if (/\bstream(ing)?\b/.test(d) && /(unsupported|not supported|does not support)/.test(d)) return 'stream';
  return null;
}
