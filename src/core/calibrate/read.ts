/**
 * Reading one export file: open it (gzip is unpacked on the fly), tell JSON from CSV by its first character, stream
 * its items, detect the format from the first item, and normalise every item with that format's parser.
 *
 * Memory stays bounded whatever the file size: the file is read in 1 MiB chunks, the JSON and CSV readers keep only
 * the item being read, and records are handed to the caller as they come. Any problem — unknown format, bad syntax,
 * a malformed field, a record that does not fit the format of the ones before it — throws a `TelemetryImportError`
 * naming the file, the record, its line and the field; callers import nothing of a file set that fails.
 */
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

import { CsvStreamReader, CsvSyntaxError } from './csvStream';
import { JsonStreamReader, JsonSyntaxError, type PathSeg } from './jsonStream';
import { heliconeFormat } from './formats/helicone';
import { langfuseFormat } from './formats/langfuse';
import { litellmFormat } from './formats/litellm';
import { openaiUsageFormat } from './formats/openaiUsage';
import { otelFormat } from './formats/otel';
import { isObject } from './formats/common';
import { FieldProblem, TelemetryImportError, type NormalizedItem, type RawItem, type RecordRef, type TelemetryFormat, type TelemetryFormatId, type TelemetryRecord } from './types';

/** Every format, in detection order (the most specific shapes first). */
export const TELEMETRY_FORMATS: readonly TelemetryFormat[] = [otelFormat, openaiUsageFormat, litellmFormat, heliconeFormat, langfuseFormat];

export function formatById(id: TelemetryFormatId): TelemetryFormat {
  return TELEMETRY_FORMATS.find((f) => f.id === id)!;
}

/** The format whose shape the item has, or null. */
export function detectFormat(item: RawItem): TelemetryFormat | null {
  return TELEMETRY_FORMATS.find((format) => format.detect(item)) ?? null;
}

/** Arrays streamed element by element: a top-level array, the OTLP span hierarchy, and `data`-like lists of a page. */
const OTLP_ARRAYS = new Set(['resourceSpans', 'scopeSpans', 'instrumentationLibrarySpans', 'spans']);
const PAGE_ARRAYS = new Set(['data', 'rows', 'records', 'items', 'logs', 'observations', 'generations', 'requests']);

export function streamArray(p: readonly PathSeg[]): boolean {
  if (p.length === 0) return true;
  const last = p[p.length - 1];
  if (typeof last !== 'string') return false;
  if (OTLP_ARRAYS.has(last)) return true;
  return PAGE_ARRAYS.has(last) && (p.length === 1 || (p.length === 2 && typeof p[0] === 'number'));
}

/** Keys whose bulky values (prompts, replies, request bodies, span events) are not kept. */
export const SKIPPED_KEYS: ReadonlySet<string> = new Set([
  'messages',
  'response',
  'input',
  'output',
  'request_body',
  'response_body',
  'proxy_server_request',
  'events',
  'links',
  'prompt',
  'completion',
]);

export interface ReadProgress {
  file: string;
  bytesRead: number;
  totalBytes: number;
  records: number;
}

export interface ReadOptions {
  /** The file's name in messages (default: as given). */
  displayName?: string | undefined;
  /** Skip detection and read the file as this format. */
  format?: TelemetryFormatId | undefined;
  onProgress?: ((progress: ReadProgress) => void) | undefined;
  /** `vscode.CancellationToken` fits; a cancelled read throws `TelemetryImportError('cancelled')`. */
  token?: { readonly isCancellationRequested: boolean } | undefined;
}

/** What was read from one file; filled in while reading. */
export interface FileSummary {
  path: string;
  name: string;
  format: TelemetryFormatId | null;
  formatLabel: string | null;
  container: 'json' | 'csv' | null;
  compressed: boolean;
  bytes: number;
  /** Items read (spans, rows, buckets). */
  items: number;
  /** Records produced (calls, or aggregated groups of calls). */
  records: number;
  /** Items that carry no model call, by reason. */
  ignored: Record<string, number>;
}

/** Normalised items of a file, with a summary that is complete once the iteration ends. */
export interface TelemetryFileRead {
  summary: FileSummary;
  items: AsyncGenerator<NormalizedItem>;
}

export function readTelemetryFile(filePath: string, options: ReadOptions = {}): TelemetryFileRead {
  const name = options.displayName ?? filePath;
  const summary: FileSummary = { path: filePath, name, format: null, formatLabel: null, container: null, compressed: false, bytes: 0, items: 0, records: 0, ignored: {} };
  return { summary, items: readItems(filePath, name, options, summary) };
}

/** Every record of a file, one by one (a convenience over `readTelemetryFile`). */
export async function* readTelemetryRecords(filePath: string, options: ReadOptions = {}): AsyncGenerator<TelemetryRecord> {
  for await (const item of readTelemetryFile(filePath, options).items) yield* item.records;
}

async function* readItems(filePath: string, name: string, options: ReadOptions, summary: FileSummary): AsyncGenerator<NormalizedItem> {
  let stat;
  try {
    stat = await fs.stat(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TelemetryImportError(name, code === 'ENOENT' ? 'file not found' : `cannot read the file: ${(error as Error).message}`);
  }
  if (!stat.isFile()) throw new TelemetryImportError(name, 'not a file');
  summary.bytes = stat.size;
  if (stat.size === 0) throw new TelemetryImportError(name, 'the file is empty');

  const head = Buffer.alloc(4);
  const handle = await fs.open(filePath, 'r');
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) throw new TelemetryImportError(name, 'a zip archive: unzip it and import the files inside');
  summary.compressed = head[0] === 0x1f && head[1] === 0x8b;

  const raw = createReadStream(filePath, { highWaterMark: 1 << 20 });
  const source: AsyncIterable<Buffer> = summary.compressed ? raw.pipe(createGunzip()) : raw;
  if (summary.compressed) raw.on('error', () => undefined); // surfaced through the gunzip stream

  const decoder = new StringDecoder('utf8');
  let json: JsonStreamReader | null = null;
  let csv: CsvStreamReader | null = null;
  let format: TelemetryFormat | null = options.format ? formatById(options.format) : null;
  if (format) {
    summary.format = format.id;
    summary.formatLabel = format.label;
  }
  let pending: RawItem[] = [];
  let lastReport = 0;

  const take = (raw: RawItem): NormalizedItem => {
    const ref: RecordRef = { file: name, record: raw.record, line: raw.line };
    if (!format) {
      format = detectFormat(raw);
      if (!format) throw new TelemetryImportError(name, unknownFormatMessage(raw), raw.record, raw.line);
      summary.format = format.id;
      summary.formatLabel = format.label;
    } else if (!format.detect(raw)) {
      throw new TelemetryImportError(name, `not a ${format.label} record like the ones before it (${describeShape(raw)})`, raw.record, raw.line);
    }
    try {
      const out = format.normalize(raw, ref);
      for (const record of out.records) {
        // Exports write 0 where usage is missing (Langfuse, LiteLLM); no model call uses 0 input and 0 output tokens.
        if (record.inputTokens === 0 && record.outputTokens === 0) {
          record.inputTokens = null;
          record.outputTokens = null;
          record.cachedInputTokens = undefined;
        }
      }
      summary.records += out.records.length;
      if (out.ignored) summary.ignored[out.ignored] = (summary.ignored[out.ignored] ?? 0) + 1;
      return out;
    } catch (error) {
      if (error instanceof FieldProblem) throw new TelemetryImportError(name, error.problem, raw.record, raw.line, error.field);
      throw error;
    }
  };

  try {
    for await (const buffer of source) {
      if (options.token?.isCancellationRequested) throw new TelemetryImportError(name, 'cancelled');
      let text = decoder.write(buffer);
      if (!json && !csv) {
        if (text.includes('\u0000')) throw new TelemetryImportError(name, 'not a text file (it contains NUL bytes); exports are JSON, JSON lines or CSV');
        const firstChar = /[^\s\uFEFF]/.exec(text)?.[0];
        if (firstChar === undefined) continue; // leading whitespace only so far
        if (firstChar === '{' || firstChar === '[') {
          summary.container = 'json';
          json = new JsonStreamReader({ streamArray, skipKeys: SKIPPED_KEYS });
        } else {
          summary.container = 'csv';
          csv = new CsvStreamReader(SKIPPED_KEYS);
        }
      }
      pending = collect(json, csv, text, summary);
      text = '';
      for (const raw of pending) yield take(raw);
      const now = Date.now();
      if (options.onProgress && now - lastReport > 200) {
        lastReport = now;
        options.onProgress({ file: name, bytesRead: raw.bytesRead, totalBytes: stat.size, records: summary.records });
      }
    }
    const rest = decoder.end();
    if (!json && !csv) throw new TelemetryImportError(name, 'the file holds only whitespace');
    pending = [...collect(json, csv, rest, summary), ...finish(json, csv, summary)];
    for (const raw of pending) yield take(raw);
  } catch (error) {
    if (error instanceof TelemetryImportError) throw error;
    if (error instanceof JsonSyntaxError) {
      const record = summary.items + (json?.pendingItems ?? 0) + 1;
      throw new TelemetryImportError(name, `invalid JSON: ${error.problem}${error.line === 1 && error.offset > 200 ? ` (at character ${error.offset + 1})` : ''}`, record, error.line);
    }
    if (error instanceof CsvSyntaxError) throw new TelemetryImportError(name, `invalid CSV: ${error.problem}`, summary.items + (csv?.pendingRows ?? 0) + 1, error.line);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') throw new TelemetryImportError(name, `the gzip data is damaged or incomplete (${(error as Error).message})`);
    throw new TelemetryImportError(name, `cannot read the file: ${(error as Error).message}`);
  } finally {
    raw.destroy();
  }
  options.onProgress?.({ file: name, bytesRead: stat.size, totalBytes: stat.size, records: summary.records });
}

function collect(json: JsonStreamReader | null, csv: CsvStreamReader | null, text: string, summary: FileSummary): RawItem[] {
  if (text === '') return [];
  if (json) {
    return json.write(text).map((item) => ({ value: item.value, csv: false, record: ++summary.items, line: item.line, path: item.path, ancestors: item.ancestors }));
  }
  return csv!.write(text).map((row) => ({ value: row.cells, csv: true, record: ++summary.items, line: row.line, path: [], ancestors: [] }));
}

function finish(json: JsonStreamReader | null, csv: CsvStreamReader | null, summary: FileSummary): RawItem[] {
  if (json) {
    const items = json.end().map((item): RawItem => ({ value: item.value, csv: false, record: ++summary.items, line: item.line, path: item.path, ancestors: item.ancestors }));
    return items;
  }
  const rows = csv!.end().map((row): RawItem => ({ value: row.cells, csv: true, record: ++summary.items, line: row.line, path: [], ancestors: [] }));
  if (summary.items === 0 && csv!.columns === null) throw new TelemetryImportError(summary.name, 'no CSV header');
  return rows;
}

function describeShape(raw: RawItem): string {
  if (!isObject(raw.value)) return `it is ${Array.isArray(raw.value) ? 'a list' : typeof raw.value === 'string' ? 'text' : String(raw.value)}, not an object`;
  const keys = Object.keys(raw.value);
  const shown = keys.slice(0, 8).join(', ') + (keys.length > 8 ? `, … (${keys.length} in all)` : '');
  return `${raw.csv ? 'columns' : 'keys'}: ${shown || 'none'}`;
}

function unknownFormatMessage(raw: RawItem): string {
  return (
    `unknown export format (${describeShape(raw)}); costlens reads OpenTelemetry GenAI spans (OTLP JSON, JSON lines), ` +
    'LiteLLM spend logs, Langfuse observations, Helicone requests and OpenAI usage (completions) exports — see README "Calibrating from production telemetry"'
  );
}

/** The file name shown in messages: relative to `cwd` when inside it. */
export function displayNameOf(filePath: string, cwd: string): string {
  const rel = path.relative(cwd, filePath);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : filePath;
}
