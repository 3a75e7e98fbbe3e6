/**
 * OpenAI organization usage: the Completions Usage API (`GET /v1/organization/usage/completions`, with
 * `group_by=model` and optionally project_id, api_key_id …), saved page by page (one page, a JSON array of pages or
 * buckets, or JSON lines), or as CSV rows with the same field names.
 *
 * Fields read (OpenAI API reference, `UsageCompletionsResult`; an example page is
 * `{"object":"page","data":[{"object":"bucket","start_time":…,"end_time":…,"results":[{"object":
 * "organization.usage.completions.result","input_tokens":…,"output_tokens":…,"input_cached_tokens":…,
 * "num_model_requests":…,"project_id":…,"user_id":…,"api_key_id":…,"model":…,"batch":…}]}]}`):
 *   bucket start_time / end_time (Unix seconds)   the window (empty buckets count: they are days without calls)
 *   num_model_requests                            requests the result stands for
 *   input_tokens (cached included), output_tokens, input_cached_tokens   totals of the group
 *   model, project_id, user_id, api_key_id, batch, service_tier           model and tags
 * The data is aggregated and has no code location: it is matched to call sites by `calibration.match` rules only, and
 * its token "distribution" is that of the per-bucket means.
 */
import { FieldProblem, type NormalizedItem, type RawItem, type RecordRef, type TelemetryFormat, type TelemetryRecord } from '../types';
import { absent, isObject, nonNegativeNumber, text, timestamp, tokenCount, type Json } from './common';

const TAG_FIELDS = ['project_id', 'user_id', 'api_key_id', 'batch', 'service_tier', 'api_source'] as const;

function result(r: Json, prefix: string, from: number, to: number, ref: RecordRef): TelemetryRecord | null {
  const requests = nonNegativeNumber(r.num_model_requests, `${prefix}num_model_requests`);
  if (requests === undefined) throw new FieldProblem(`${prefix}num_model_requests`, 'missing: every usage result counts its requests');
  if (requests === 0) return null;
  const inputTokens = tokenCount(r.input_tokens, `${prefix}input_tokens`);
  const outputTokens = tokenCount(r.output_tokens, `${prefix}output_tokens`);
  const hasUsage = inputTokens !== undefined || outputTokens !== undefined;
  const tags: Record<string, string> = {};
  for (const field of TAG_FIELDS) if (!absent(r[field])) tags[field] = String(r[field]);
  return {
    timestamp: from,
    endTimestamp: to,
    model: text(r.model, `${prefix}model`) || null,
    provider: 'openai',
    requests,
    inputTokens: inputTokens ?? (hasUsage ? 0 : null),
    outputTokens: outputTokens ?? (hasUsage ? 0 : null),
    cachedInputTokens: tokenCount(r.input_cached_tokens, `${prefix}input_cached_tokens`),
    tags,
    ref,
  };
}

export const openaiUsageFormat: TelemetryFormat = {
  id: 'openai-usage',
  label: 'OpenAI usage (completions)',
  detect(item: RawItem): boolean {
    const v = item.value;
    if (!isObject(v)) return false;
    if (item.csv) return 'num_model_requests' in v && 'start_time' in v;
    return v.object === 'bucket' || (Array.isArray(v.results) && 'start_time' in v && 'end_time' in v);
  },
  normalize(item: RawItem, ref: RecordRef): NormalizedItem {
    const v = item.value as Json;
    const from = timestamp(v.start_time, 'start_time');
    const to = timestamp(v.end_time, 'end_time');
    if (from === undefined) throw new FieldProblem('start_time', 'missing: every usage bucket has its start time');
    if (to === undefined) throw new FieldProblem('end_time', 'missing: every usage bucket has its end time');
    if (to < from) throw new FieldProblem('end_time', 'is before start_time');
    if (item.csv) {
      const record = result(v, '', from, to, ref);
      return { records: record ? [record] : [], extent: { from, to } };
    }
    if (!Array.isArray(v.results)) throw new FieldProblem('results', 'must be a list of usage results');
    const records: TelemetryRecord[] = [];
    v.results.forEach((r, index) => {
      if (!isObject(r)) throw new FieldProblem(`results[${index}]`, 'must be an object');
      const record = result(r, `results[${index}].`, from, to, ref);
      if (record) records.push(record);
    });
    return { records, extent: { from, to } };
  },
};
