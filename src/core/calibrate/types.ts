/**
 * Data model of calibration: telemetry records normalised from every supported export format, the raw items the
 * stream readers hand to the format parsers, and the error that stops an import.
 */

/** The export formats costlens reads. */
export type TelemetryFormatId = 'otel' | 'litellm' | 'langfuse' | 'helicone' | 'openai-usage';

/** Where a record came from, for messages: 1-based record number and the line it starts on. */
export interface RecordRef {
  /** The file as the person named it (relative to the working folder). */
  file: string;
  /** 1-based number of the record in the file (a span, a row, a usage bucket). */
  record: number;
  /** 1-based line on which the record starts. */
  line: number;
}

/** A code location carried by a record (OpenTelemetry `code.*` attributes, or the same keys in metadata). */
export interface RecordLocation {
  /** As recorded: absolute, relative, with backslashes … (matched by path suffix). */
  file?: string | undefined;
  line?: number | undefined;
  /** Function or method name, possibly qualified (`app.api.answers.answer_question`, `ChatService.answer`). */
  function?: string | undefined;
}

/**
 * One LLM call (or, for aggregated exports such as OpenAI's usage API, a group of `requests` calls) in a common shape.
 * Token counts are per record: for an aggregated record they are the group's totals.
 */
export interface TelemetryRecord {
  /** Start of the call (or of the bucket), in milliseconds since the epoch. */
  timestamp: number;
  /** End of the bucket for aggregated records (the window then reaches it). */
  endTimestamp?: number | undefined;
  /** Model id as reported (the response model when the export has one); null when the export does not say. */
  model: string | null;
  /** Provider as reported (`openai`, `anthropic`, `aws.bedrock` …), when the export says. */
  provider?: string | undefined;
  /** Number of calls this record stands for: 1, or the bucket's request count. */
  requests: number;
  /** Input tokens, cached ones included; null when the record carries no usage. */
  inputTokens: number | null;
  outputTokens: number | null;
  /** Input tokens read from the provider's prompt cache, when reported. */
  cachedInputTokens?: number | undefined;
  /** Cost in USD as the export computed it, when it carries one. */
  costUsd?: number | undefined;
  location?: RecordLocation | undefined;
  /** Tags and properties, keys lower-cased: `feature → chat`; a bare tag `beta` is `beta → ''`. */
  tags: Record<string, string>;
  /** Trace name (Langfuse traces, `langfuse.trace.name`), for `calibration.match` rules. */
  traceName?: string | undefined;
  /** The call-site id the record names itself (`costlens.call_site` attribute / metadata / tag), if any. */
  callSiteId?: string | undefined;
  ref: RecordRef;
}

/** One value read from an export file, before format-specific normalisation. */
export interface RawItem {
  /** A JSON value (span, row, bucket …) or, for CSV, an object of header → cell text. */
  value: unknown;
  /** True when `value` is a CSV row (all cells are strings; JSON columns still need parsing). */
  csv: boolean;
  /** 1-based record number in the file. */
  record: number;
  /** 1-based line where the item starts. */
  line: number;
  /** JSON path of the item (`resourceSpans[0].scopeSpans[1].spans[3]`), for OTLP detection and messages. */
  path: readonly (string | number)[];
  /** Partially read enclosing objects, outermost first (OTLP resource and scope), when any. */
  ancestors: readonly unknown[];
}

/** What a format parser makes of one raw item. */
export interface NormalizedItem {
  records: TelemetryRecord[];
  /** The item is real but carries no LLM call (an HTTP span, a failed request …): why, for the summary. */
  ignored?: string | undefined;
  /** Time covered by the item even when it has no record (an empty usage bucket), in ms since the epoch. */
  extent?: { from: number; to: number } | undefined;
}

/**
 * A problem that stops an import: names the file, the record (and its line) and the field, e.g.
 * `spans.jsonl:14: record 14: gen_ai.usage.input_tokens: must be a whole number ≥ 0, got "12k"`.
 */
export class TelemetryImportError extends Error {
  override readonly name = 'TelemetryImportError';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly record: number | null = null,
    readonly line: number | null = null,
    readonly field: string | null = null,
  ) {
    super(
      `${file}${line !== null ? `:${line}` : ''}: ${record !== null ? `record ${record}: ` : ''}${field ? `${field}: ` : ''}${problem}`,
    );
  }
}

/** Thrown by format parsers for a bad field; the reader adds the file and record. */
export class FieldProblem extends Error {
  override readonly name = 'FieldProblem';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A format parser: recognises its items and normalises them. */
export interface TelemetryFormat {
  id: TelemetryFormatId;
  /** Human name, e.g. `OpenTelemetry GenAI spans`. */
  label: string;
  /** True when the raw item has this format's shape (tested on the first item of a file, then on every item). */
  detect(item: RawItem): boolean;
  /** The records of an item. Throws `FieldProblem` for a malformed field. */
  normalize(item: RawItem, ref: RecordRef): NormalizedItem;
}
