/**
 * OpenTelemetry spans that follow the GenAI semantic conventions, as exported to JSON:
 *   - OTLP JSON (`{"resourceSpans":[{"resource":…,"scopeSpans":[{"spans":[…]}]}]}`; older `instrumentationLibrarySpans`),
 *     one document or one request per line (the collector's `file` exporter writes JSON lines);
 *   - flat span objects with an `attributes` mapping (Python SDK `ConsoleSpanExporter` / `span.to_json()`), one after
 *     the other or one per line.
 *
 * Attributes read (OpenTelemetry semantic conventions, gen-ai and code registries; checked against
 * opentelemetry.io/docs/specs/semconv/registry/attributes/code and @opentelemetry/semantic-conventions incubating):
 *   gen_ai.response.model, else gen_ai.request.model         model
 *   gen_ai.provider.name, else gen_ai.system (deprecated)      provider
 *   gen_ai.usage.input_tokens (older: gen_ai.usage.prompt_tokens)       input tokens, cached ones included
 *   gen_ai.usage.output_tokens (older: gen_ai.usage.completion_tokens)  output tokens
 *   gen_ai.usage.cache_read.input_tokens (older: gen_ai.usage.cache_read_input_tokens)  cached input tokens
 *   gen_ai.operation.name — invoke_agent / create_agent / execute_tool / invoke_workflow spans are skipped: their
 *     usage, when present, sums the model calls below them, which are counted themselves
 *   code.file.path | code.filepath, code.line.number | code.lineno, code.function.name | code.namespace + code.function
 *   langfuse.trace.name / traceloop.workflow.name           trace name for calibration rules
 *   other scalar attributes (and the resource's service.name) become tags; http.*, url.*, server.*, net.* do not.
 * Timestamps: `startTimeUnixNano` (OTLP, nanoseconds as a decimal string) or `start_time` (ISO 8601).
 */
import { FieldProblem, type NormalizedItem, type RawItem, type RecordRef, type TelemetryFormat } from '../types';
import { absent, addListTags, codeLocation, isObject, text, timestamp, tokenCount, type Json } from './common';

const AGGREGATE_OPERATIONS = new Set(['invoke_agent', 'create_agent', 'execute_tool', 'invoke_workflow']);
const NOT_TAGS = /^(gen_ai\.|code\.|http\.|url\.|server\.|client\.|net\.|network\.|otel\.|telemetry\.|thread\.|error\.|exception\.|llm\.(prompts|completions|request|response|usage)|langfuse\.(observation|trace\.(input|output|metadata)))/;

/** An OTLP `AnyValue` as a plain value. */
function anyValue(value: unknown): unknown {
  if (!isObject(value)) return value;
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return typeof value.intValue === 'string' ? Number(value.intValue) : value.intValue;
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  if ('bytesValue' in value) return value.bytesValue;
  if ('arrayValue' in value) {
    const values = isObject(value.arrayValue) && Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values.map(anyValue);
  }
  if ('kvlistValue' in value) return attributeMap(isObject(value.kvlistValue) ? value.kvlistValue.values : undefined);
  return undefined;
}

/** OTLP `[{key, value}]` or a plain mapping, as a mapping. */
function attributeMap(attributes: unknown): Json {
  if (Array.isArray(attributes)) {
    const out: Json = {};
    for (const entry of attributes) if (isObject(entry) && typeof entry.key === 'string') out[entry.key] = anyValue(entry.value);
    return out;
  }
  return isObject(attributes) ? attributes : {};
}

function firstPresent(attrs: Json, keys: readonly string[]): [string, unknown] {
  for (const key of keys) if (!absent(attrs[key])) return [key, attrs[key]];
  return [keys[0], undefined];
}

function isSpanShaped(value: Json): boolean {
  if (!('attributes' in value)) return false;
  return 'spanId' in value || 'traceId' in value || 'startTimeUnixNano' in value || 'context' in value || 'span_id' in value || 'start_time' in value;
}

export const otelFormat: TelemetryFormat = {
  id: 'otel',
  label: 'OpenTelemetry GenAI spans',
  detect(item: RawItem): boolean {
    if (item.csv || !isObject(item.value)) return false;
    const parent = item.path[item.path.length - 2];
    return parent === 'spans' || isSpanShaped(item.value);
  },
  normalize(item: RawItem, ref: RecordRef): NormalizedItem {
    const span = item.value as Json;
    const attrs = attributeMap(span.attributes);
    if (!Object.keys(attrs).some((key) => key.startsWith('gen_ai.'))) return { records: [], ignored: 'not a GenAI span (no gen_ai.* attributes)' };
    const operation = typeof attrs['gen_ai.operation.name'] === 'string' ? attrs['gen_ai.operation.name'] : undefined;
    if (operation && AGGREGATE_OPERATIONS.has(operation)) return { records: [], ignored: `gen_ai.operation.name ${operation} (its usage sums the model calls below it)` };

    const [inputKey, inputRaw] = firstPresent(attrs, ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens']);
    const [outputKey, outputRaw] = firstPresent(attrs, ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens']);
    const [cachedKey, cachedRaw] = firstPresent(attrs, ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens']);
    const inputTokens = tokenCount(inputRaw, inputKey);
    const outputTokens = tokenCount(outputRaw, outputKey);
    const cachedInputTokens = tokenCount(cachedRaw, cachedKey);
    const [modelKey, modelRaw] = firstPresent(attrs, ['gen_ai.response.model', 'gen_ai.request.model']);
    const model = text(modelRaw, modelKey);
    const hasUsage = inputTokens !== undefined || outputTokens !== undefined;
    if (!model) {
      if (!hasUsage) return { records: [], ignored: 'GenAI span without a model or token usage' };
      throw new FieldProblem('gen_ai.request.model', 'missing: a span with token usage must name its model (gen_ai.request.model or gen_ai.response.model)');
    }
    const status = isObject(span.status) ? span.status.code : undefined;
    if (!hasUsage && (status === 2 || status === 'STATUS_CODE_ERROR' || status === 'ERROR')) return { records: [], ignored: 'failed call (span status error) without usage' };

    const [timeKey, timeRaw] = firstPresent(span, ['startTimeUnixNano', 'start_time', 'startTime']);
    const time = timestamp(timeRaw, timeKey);
    if (time === undefined) throw new FieldProblem('startTimeUnixNano', 'missing: every span needs its start time');

    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(attrs)) {
      if (NOT_TAGS.test(key)) continue;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') tags[key.toLowerCase().replace(/^traceloop\.association\.properties\./, '')] = String(value);
    }
    addListTags(tags, attrs['langfuse.trace.tags']);
    for (const ancestor of item.ancestors) {
      if (isObject(ancestor) && isObject(ancestor.resource)) {
        const service = attributeMap(ancestor.resource.attributes)['service.name'];
        if (typeof service === 'string') tags['service.name'] = service;
      }
    }
    if (isObject(span.resource)) {
      const service = attributeMap(span.resource.attributes)['service.name'];
      if (typeof service === 'string') tags['service.name'] = service;
    }
    const { location, callSiteId } = codeLocation(attrs);
    const [, providerRaw] = firstPresent(attrs, ['gen_ai.provider.name', 'gen_ai.system']);
    const traceName = text(firstPresent(attrs, ['langfuse.trace.name', 'traceloop.workflow.name'])[1], 'langfuse.trace.name');
    return {
      records: [
        {
          timestamp: time,
          model,
          provider: typeof providerRaw === 'string' ? providerRaw : undefined,
          requests: 1,
          inputTokens: inputTokens ?? (hasUsage ? 0 : null),
          outputTokens: outputTokens ?? (hasUsage ? 0 : null),
          cachedInputTokens,
          location,
          tags,
          traceName,
          callSiteId,
          ref,
        },
      ],
    };
  },
};
