/**
 * Langfuse observations: the generations table's export (UI "Export" / batch export, JSON, JSON lines or CSV) and the
 * public API (`GET /api/public/observations`: `{"data":[…],"meta":{…}}`).
 *
 * Fields read (Langfuse `ObservationsView` in the public API, and the rows of the batch export,
 * worker/src/features/batchExport in langfuse/langfuse):
 *   type                    only GENERATION (and EMBEDDING) observations are calls; SPAN, EVENT … are skipped
 *   startTime               timestamp;  model  model
 *   usageDetails            `input`, `output` and detail keys: every `input*` / `cache*` key adds to the input
 *                           (Langfuse's OpenAI integration counts cached tokens as `input_cached_tokens` apart from
 *                           `input`), keys with `cache_read` / `cached` are the cached input, `output*` keys the output;
 *                           else usage.input / usage.output, else promptTokens / completionTokens
 *   costDetails.total, else calculatedTotalCost, else totalCost   cost (USD)
 *   traceName               for calibration rules;  traceTags / tags   tags (`feature:chat` → feature=chat)
 *   metadata                scalar values become tags; may carry code.filepath / code.lineno / code.function
 * CSV cells holding objects (usageDetails, metadata, traceTags …) are JSON text.
 */
import { FieldProblem, type NormalizedItem, type RawItem, type RecordRef, type TelemetryFormat } from '../types';
import { absent, addListTags, addObjectTags, codeLocation, isObject, jsonCell, nonNegativeNumber, text, timestamp, tokenCount, type Json } from './common';

const CALL_TYPES = new Set(['GENERATION', 'EMBEDDING']);

/** Input, output and cached tokens from a usage-details mapping. */
function fromUsageDetails(details: Json, field: string): { input?: number; output?: number; cached?: number } {
  let input: number | undefined;
  let output: number | undefined;
  let cached: number | undefined;
  for (const [key, raw] of Object.entries(details)) {
    const k = key.toLowerCase();
    if (k === 'total' || k === 'unit') continue;
    const n = tokenCount(raw, `${field}.${key}`);
    if (n === undefined) continue;
    if (k.startsWith('output') || k.startsWith('completion')) output = (output ?? 0) + n;
    else if (k.startsWith('input') || k.startsWith('prompt') || k.includes('cache')) {
      input = (input ?? 0) + n;
      if (k.includes('cache_read') || k.includes('cached') || k.includes('cache-read')) cached = (cached ?? 0) + n;
    }
  }
  return { input, output, cached };
}

export const langfuseFormat: TelemetryFormat = {
  id: 'langfuse',
  label: 'Langfuse observations',
  detect(item: RawItem): boolean {
    const v = item.value;
    return (
      isObject(v) &&
      typeof v.type === 'string' &&
      'startTime' in v &&
      ('traceId' in v || 'usageDetails' in v || 'usage' in v || 'promptTokens' in v || 'traceName' in v)
    );
  },
  normalize(item: RawItem, ref: RecordRef): NormalizedItem {
    const v = item.value as Json;
    const type = String(v.type).trim().toUpperCase();
    if (!CALL_TYPES.has(type)) return { records: [], ignored: `observation of type ${type} (not a model call)` };
    const time = timestamp(v.startTime, 'startTime');
    if (time === undefined) throw new FieldProblem('startTime', 'missing: every observation has its start time');

    let tokens: { input?: number; output?: number; cached?: number } = {};
    const details = jsonCell(v.usageDetails, 'usageDetails');
    const usage = jsonCell(v.usage, 'usage');
    if (isObject(details) && Object.keys(details).length > 0) tokens = fromUsageDetails(details, 'usageDetails');
    else if (isObject(usage) && (!absent(usage.input) || !absent(usage.output))) {
      tokens = { input: tokenCount(usage.input, 'usage.input'), output: tokenCount(usage.output, 'usage.output') };
    } else {
      tokens = { input: tokenCount(v.promptTokens, 'promptTokens'), output: tokenCount(v.completionTokens, 'completionTokens') };
    }
    const hasUsage = tokens.input !== undefined || tokens.output !== undefined;
    const model = text(v.model, 'model');
    if (!model) {
      if (!hasUsage) return { records: [], ignored: 'generation without a model or token usage' };
      throw new FieldProblem('model', 'missing: a generation with token usage must name its model');
    }

    const costDetails = jsonCell(v.costDetails, 'costDetails');
    let costUsd = isObject(costDetails) ? nonNegativeNumber(costDetails.total, 'costDetails.total') : undefined;
    costUsd ??= nonNegativeNumber(v.calculatedTotalCost, 'calculatedTotalCost') ?? nonNegativeNumber(v.totalCost, 'totalCost');
    if (costUsd === undefined) {
      const inCost = nonNegativeNumber(v.calculatedInputCost, 'calculatedInputCost');
      const outCost = nonNegativeNumber(v.calculatedOutputCost, 'calculatedOutputCost');
      if (inCost !== undefined || outCost !== undefined) costUsd = (inCost ?? 0) + (outCost ?? 0);
    }

    const tags: Record<string, string> = {};
    const metadata = jsonCell(v.metadata, 'metadata');
    addObjectTags(tags, metadata);
    addListTags(tags, jsonCell(v.traceTags, 'traceTags'));
    addListTags(tags, jsonCell(v.tags, 'tags'));
    const environment = text(v.environment, 'environment');
    if (environment) tags.environment = environment;
    const { location, callSiteId } = codeLocation(metadata, 'metadata.');
    return {
      records: [
        {
          timestamp: time,
          model,
          requests: 1,
          inputTokens: tokens.input ?? (hasUsage ? 0 : null),
          outputTokens: tokens.output ?? (hasUsage ? 0 : null),
          cachedInputTokens: tokens.cached,
          costUsd,
          location,
          tags,
          traceName: text(v.traceName, 'traceName') || undefined,
          callSiteId,
          ref,
        },
      ],
    };
  },
};
