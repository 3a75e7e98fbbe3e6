/** Field readers shared by the format parsers: numbers, timestamps, JSON cells and tags, with precise problems. */
import { FieldProblem, type RecordLocation } from '../types';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short rendering of a bad value for messages. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object';
  return String(value);
}

/** True for absent values: undefined, null and (CSV) empty cells. */
export function absent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * A token count: a whole number ≥ 0, given as a number or as text (CSV cells, OTLP `intValue` strings).
 * Undefined when absent.
 */
export function tokenCount(value: unknown, field: string): number | undefined {
  if (absent(value)) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.0+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0 || !Number.isInteger(n)) throw new FieldProblem(field, `must be a whole number of tokens ≥ 0, got ${show(value)}`);
  return n;
}

/** A number ≥ 0 (costs, request counts); undefined when absent. */
export function nonNegativeNumber(value: unknown, field: string): number | undefined {
  if (absent(value)) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new FieldProblem(field, `must be a number ≥ 0, got ${show(value)}`);
  return n;
}

/** A line number (positive whole number); undefined when absent. */
export function lineNumber(value: unknown, field: string): number | undefined {
  const n = tokenCount(value, field);
  if (n === 0) throw new FieldProblem(field, 'must be a line number ≥ 1, got 0');
  return n;
}

export function text(value: unknown, field: string): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new FieldProblem(field, `must be text, got ${show(value)}`);
}

const NAIVE_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * A point in time, in ms since the epoch. Accepts ISO 8601 (`2026-11-20T10:00:00.123Z`, `+02:00` offsets), SQL-style
 * `2026-11-20 10:00:00.123` (no zone: UTC, as LiteLLM and Postgres exports write it), and epoch numbers in seconds,
 * milliseconds, microseconds or nanoseconds (told apart by size; OTLP's `…UnixNano` strings are nanoseconds).
 */
export function timestamp(value: unknown, field: string): number | undefined {
  if (absent(value)) return undefined;
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value))) {
    const raw = typeof value === 'number' ? value : Number(value);
    const digits = typeof value === 'string' ? value.trim().split('.')[0].replace(/^0+/, '') : '';
    if (digits.length > 15) {
      // Micro- and nanoseconds do not fit a double exactly: drop the sub-millisecond digits as text.
      const ms = Number(digits.slice(0, digits.length - (digits.length >= 18 ? 6 : 3)));
      return epochMs(ms, field, value);
    }
    return epochMs(raw, field, value);
  }
  if (typeof value !== 'string') throw new FieldProblem(field, `must be a timestamp, got ${show(value)}`);
  const trimmed = value.trim();
  const naive = NAIVE_DATE_TIME.exec(trimmed);
  const parsed = Date.parse(naive ? `${naive[1]}T${naive[2]}Z` : trimmed);
  if (Number.isNaN(parsed)) throw new FieldProblem(field, `must be a timestamp (ISO 8601, e.g. 2026-11-20T10:00:00Z), got ${show(value)}`);
  return parsed;
}

function epochMs(raw: number, field: string, original: unknown): number {
  if (!Number.isFinite(raw) || raw <= 0) throw new FieldProblem(field, `must be a timestamp, got ${show(original)}`);
  if (raw < 1e11) return raw * 1000; // seconds
  if (raw < 1e14) return raw; // milliseconds
  if (raw < 1e17) return raw / 1000; // microseconds
  return raw / 1e6; // nanoseconds
}

/** A JSON value that CSV exports store as text (metadata, tags, properties); objects and lists pass through. */
export function jsonCell(value: unknown, field: string): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'null') return undefined;
  if (!/^[[{"]/.test(trimmed)) return value;
  try {
    return JSON.parse(trimmed);
  } catch (error) {
    throw new FieldProblem(field, `is not valid JSON (${(error as Error).message})`);
  }
}

/** Adds `key → value` tags from an object's scalar values (nested objects and lists are left out), keys lower-cased. */
export function addObjectTags(tags: Record<string, string>, object: unknown, prefix = ''): void {
  if (!isObject(object)) return;
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') tags[(prefix + key).toLowerCase()] = String(value);
  }
}

/**
 * Adds tags written as text: `feature:chat` or `feature=chat` become `feature → chat`, a bare `beta` becomes
 * `beta → ''` (LiteLLM request tags, Langfuse trace tags).
 */
export function addListTags(tags: Record<string, string>, list: unknown): void {
  const items = Array.isArray(list) ? list : typeof list === 'string' && list.trim() !== '' ? [list] : [];
  for (const item of items) {
    if (typeof item !== 'string' || item.trim() === '') continue;
    const match = /^([^:=]+)[:=](.*)$/.exec(item.trim());
    if (match) tags[match[1].trim().toLowerCase()] = match[2].trim();
    else tags[item.trim().toLowerCase()] = '';
  }
}

/** Names of the attributes or metadata keys that carry a code location or a call-site id, newest first. */
export const CODE_KEYS = {
  file: ['code.file.path', 'code.filepath', 'code_filepath', 'code_file_path'],
  line: ['code.line.number', 'code.lineno', 'code_lineno', 'code_line_number'],
  function: ['code.function.name', 'code.function', 'code_function'],
  namespace: ['code.namespace'],
  callSite: ['costlens.call_site', 'costlens.callsite', 'costlens_call_site', 'costlens-call-site'],
} as const;

function first(source: Json, keys: readonly string[]): [string, unknown] | undefined {
  for (const key of keys) if (!absent(source[key])) return [key, source[key]];
  return undefined;
}

/** The code location and call-site id in a flat attribute/metadata object, if any. */
export function codeLocation(source: unknown, fieldPrefix = ''): { location?: RecordLocation; callSiteId?: string } {
  if (!isObject(source)) return {};
  const file = first(source, CODE_KEYS.file);
  const line = first(source, CODE_KEYS.line);
  const fn = first(source, CODE_KEYS.function);
  const ns = first(source, CODE_KEYS.namespace);
  const site = first(source, CODE_KEYS.callSite);
  const out: { location?: RecordLocation; callSiteId?: string } = {};
  if (file || line || fn) {
    const fnName = fn ? text(fn[1], fieldPrefix + fn[0]) : undefined;
    const nsName = ns ? text(ns[1], fieldPrefix + ns[0]) : undefined;
    out.location = {
      file: file ? text(file[1], fieldPrefix + file[0]) : undefined,
      line: line ? lineNumber(line[1], fieldPrefix + line[0]) : undefined,
      // The deprecated code.namespace + code.function pair is the qualified name the new code.function.name holds.
      function: fnName && nsName && !fnName.includes('.') ? `${nsName}.${fnName}` : fnName,
    };
  }
  if (site) out.callSiteId = text(site[1], fieldPrefix + site[0]);
  return out;
}

/** Lower-cased keys with the given prefixes removed (`Helicone-Property-Feature` → `feature`). */
export function normalizeTagKeys(tags: Record<string, string>, prefixes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    let k = key.toLowerCase();
    for (const prefix of prefixes) if (k.startsWith(prefix)) k = k.slice(prefix.length);
    out[k] = value;
  }
  return out;
}
