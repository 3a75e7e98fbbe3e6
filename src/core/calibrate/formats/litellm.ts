/**
 * LiteLLM proxy spend logs: rows of the `LiteLLM_SpendLogs` table, as the proxy's `GET /spend/logs` returns them (a
 * JSON array; JSON lines work too) or as a CSV copy of the table (`\copy (SELECT …) TO 'spend.csv' CSV HEADER`).
 *
 * Columns read (litellm `schema.prisma`, model LiteLLM_SpendLogs; `SpendLogsMetadata` in litellm/proxy/_types.py):
 *   startTime                       timestamp (no zone: UTC, as the proxy stores it)
 *   model (else model_group)        model;  custom_llm_provider  provider
 *   prompt_tokens, completion_tokens, spend (USD)
 *   request_tags                    JSON list: `feature:chat` / `feature=chat` become tags, a bare tag `beta` too
 *   metadata.spend_logs_metadata    the request's `spend_logs_metadata` key/values become tags (and may carry
 *                                   code.filepath / code.lineno / code.function or costlens.call_site)
 *   metadata.additional_usage_values.prompt_tokens_details.cached_tokens (or .cache_read_input_tokens)  cached input
 *   metadata.user_api_key_alias / user_api_key_team_alias   tags api_key_alias, team;  call_type  tag call_type
 *   status = failure                rows skipped (counted as ignored)
 */
import { FieldProblem, type NormalizedItem, type RawItem, type RecordRef, type TelemetryFormat } from '../types';
import { addListTags, addObjectTags, codeLocation, isObject, jsonCell, nonNegativeNumber, text, timestamp, tokenCount, type Json } from './common';

export const litellmFormat: TelemetryFormat = {
  id: 'litellm',
  label: 'LiteLLM spend logs',
  detect(item: RawItem): boolean {
    const v = item.value;
    return isObject(v) && 'spend' in v && 'startTime' in v && ('prompt_tokens' in v || 'completion_tokens' in v || 'total_tokens' in v);
  },
  normalize(item: RawItem, ref: RecordRef): NormalizedItem {
    const v = item.value as Json;
    const status = text(v.status, 'status');
    if (status && status.toLowerCase() === 'failure') return { records: [], ignored: 'failed request (status failure)' };
    const time = timestamp(v.startTime, 'startTime');
    if (time === undefined) throw new FieldProblem('startTime', 'missing: every spend log row has its start time');
    const model = text(v.model, 'model') || text(v.model_group, 'model_group');
    if (!model) throw new FieldProblem('model', 'missing: every spend log row names its model');
    const inputTokens = tokenCount(v.prompt_tokens, 'prompt_tokens');
    const outputTokens = tokenCount(v.completion_tokens, 'completion_tokens');
    const costUsd = nonNegativeNumber(v.spend, 'spend');
    const metadata = jsonCell(v.metadata, 'metadata');
    const meta: Json = isObject(metadata) ? metadata : {};
    const usageValues = isObject(meta.additional_usage_values) ? meta.additional_usage_values : {};
    const details = isObject(usageValues.prompt_tokens_details) ? usageValues.prompt_tokens_details : {};
    const cachedInputTokens =
      tokenCount(details.cached_tokens, 'metadata.additional_usage_values.prompt_tokens_details.cached_tokens') ??
      tokenCount(usageValues.cache_read_input_tokens, 'metadata.additional_usage_values.cache_read_input_tokens');

    const tags: Record<string, string> = {};
    addListTags(tags, jsonCell(v.request_tags, 'request_tags'));
    const spendMeta = isObject(meta.spend_logs_metadata) ? meta.spend_logs_metadata : undefined;
    addObjectTags(tags, spendMeta);
    const callType = text(v.call_type, 'call_type');
    if (callType) tags.call_type = callType;
    const keyAlias = text(meta.user_api_key_alias, 'metadata.user_api_key_alias');
    if (keyAlias) tags.api_key_alias = keyAlias;
    const team = text(meta.user_api_key_team_alias, 'metadata.user_api_key_team_alias');
    if (team) tags.team = team;
    const fromSpendMeta = codeLocation(spendMeta, 'metadata.spend_logs_metadata.');
    const { location, callSiteId } = fromSpendMeta.location || fromSpendMeta.callSiteId ? fromSpendMeta : codeLocation(meta, 'metadata.');
    const hasUsage = inputTokens !== undefined || outputTokens !== undefined;
    return {
      records: [
        {
          timestamp: time,
          model,
          provider: text(v.custom_llm_provider, 'custom_llm_provider') || undefined,
          requests: 1,
          inputTokens: inputTokens ?? (hasUsage ? 0 : null),
          outputTokens: outputTokens ?? (hasUsage ? 0 : null),
          cachedInputTokens,
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
