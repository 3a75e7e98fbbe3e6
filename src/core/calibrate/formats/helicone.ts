/**
 * Helicone request exports: `npx @helicone/export` (JSON, JSON lines or CSV; Helicone/helicone
 * examples/export/typescript) and the `POST /v1/request/query-clickhouse` API rows (`HeliconeRequest`).
 *
 * Fields read (`HeliconeRequest` in Helicone's packages; CSV header of the export tool: response_id,
 * response_created_at, response_status, request_created_at, request_body, request_properties, request_user_id, model,
 * prompt_tokens, completion_tokens, latency, cost):
 *   request_created_at                      timestamp
 *   model (else response_model, request_model, model_override)   model;  provider  provider
 *   prompt_tokens, completion_tokens; prompt_cache_read_tokens (cached input), prompt_cache_write_tokens
 *     For provider ANTHROPIC, whose API counts cache reads and writes apart from input_tokens, they are added to the
 *     input so that input always includes cached tokens.
 *   costUSD (API) or cost (export CSV)      cost (USD)
 *   properties / request_properties         custom properties (`Helicone-Property-Feature: chat` → feature=chat)
 *   response_status outside 200–299         skipped (failed requests)
 */
import { FieldProblem, type NormalizedItem, type RawItem, type RecordRef, type TelemetryFormat } from '../types';
import { absent, addObjectTags, codeLocation, isObject, jsonCell, nonNegativeNumber, normalizeTagKeys, text, timestamp, tokenCount, type Json } from './common';

export const heliconeFormat: TelemetryFormat = {
  id: 'helicone',
  label: 'Helicone requests',
  detect(item: RawItem): boolean {
    const v = item.value;
    return isObject(v) && 'request_created_at' in v && ('prompt_tokens' in v || 'model' in v || 'response_status' in v);
  },
  normalize(item: RawItem, ref: RecordRef): NormalizedItem {
    const v = item.value as Json;
    if (!absent(v.response_status)) {
      const status = Number(v.response_status);
      if (!Number.isFinite(status)) throw new FieldProblem('response_status', `must be an HTTP status, got ${JSON.stringify(v.response_status)}`);
      if (status < 200 || status > 299) return { records: [], ignored: `failed request (response_status ${status})` };
    }
    const time = timestamp(v.request_created_at, 'request_created_at');
    if (time === undefined) throw new FieldProblem('request_created_at', 'missing: every request has its creation time');
    const model = text(v.model, 'model') || text(v.response_model, 'response_model') || text(v.request_model, 'request_model') || text(v.model_override, 'model_override');
    let inputTokens = tokenCount(v.prompt_tokens, 'prompt_tokens');
    const outputTokens = tokenCount(v.completion_tokens, 'completion_tokens');
    const cacheRead = tokenCount(v.prompt_cache_read_tokens, 'prompt_cache_read_tokens');
    const cacheWrite = tokenCount(v.prompt_cache_write_tokens, 'prompt_cache_write_tokens');
    const provider = text(v.provider, 'provider') || undefined;
    const hasUsage = inputTokens !== undefined || outputTokens !== undefined;
    if (!model) {
      if (!hasUsage) return { records: [], ignored: 'request without a model or token usage' };
      throw new FieldProblem('model', 'missing: a request with token usage must name its model');
    }
    if (provider?.toUpperCase() === 'ANTHROPIC' && inputTokens !== undefined) inputTokens += (cacheRead ?? 0) + (cacheWrite ?? 0);
    const costUsd = nonNegativeNumber(v.costUSD, 'costUSD') ?? nonNegativeNumber(v.cost, 'cost') ?? nonNegativeNumber(v.cost_usd, 'cost_usd');

    const properties = jsonCell(v.properties ?? v.request_properties, v.properties !== undefined ? 'properties' : 'request_properties');
    const raw: Record<string, string> = {};
    addObjectTags(raw, properties);
    const tags = normalizeTagKeys(raw, ['helicone-property-']);
    const { location, callSiteId } = codeLocation(isObject(properties) ? normalizeTagKeys(Object.fromEntries(Object.entries(properties).map(([k, x]) => [k, String(x)])), ['helicone-property-']) : undefined, 'properties.');
    return {
      records: [
        {
          timestamp: time,
          model,
          provider,
          requests: 1,
          inputTokens: inputTokens ?? (hasUsage ? 0 : null),
          outputTokens: outputTokens ?? (hasUsage ? 0 : null),
          cachedInputTokens: cacheRead,
          costUsd,
          location,
          tags,
          callSiteId,
          ref,
        },
      ],
    };
  },
};
