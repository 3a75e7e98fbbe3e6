/**
 * Messages between the extension and the compare webview: a discriminated union on `type` in each direction, with
 * zod schemas. The extension validates every message from the webview with `CompareWebviewMessageSchema` before
 * acting on it (webview content is untrusted); the webview may validate what the host sends with
 * `CompareHostMessageSchema` (its large payloads — events, results, estimates — are checked for shape only).
 *
 * Keys never cross this boundary: the webview asks the host to prompt for one (`setApiKey`) and learns only whether
 * a provider has one (`keyStatus`).
 *
 * Flow: webview `ready` → host `state` (restore: draft, catalogue, providers, recent comparisons) → webview edits
 * (`setPrompt`, `setModels`, `setParams`, `setQuality`, persisted by the host) → `dryRun` → host `dryRunResult` →
 * `run` → host `runStarted`, `event`…, `runFinished` (or `error`) → `cancel` at any time → `useModel` / `export`.
 */
import * as z from 'zod';
import type { DryRunEstimate } from './dryRun';
import type { CompareEvent, ComparisonResult } from './types';
import { COMPARE_LIMITS } from './types';

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------------------------

const id = z.string().min(1).max(200);
const text = (max: number) => z.string().max(max);

export const ChatMessageSchema = z.strictObject({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: text(COMPARE_LIMITS.maxPromptChars),
});

export const PlaceholderSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.\-]*$/).max(80),
  expression: text(2000),
  value: text(COMPARE_LIMITS.maxPromptChars),
});

export const PromptDraftSchema = z.strictObject({
  messages: z.array(ChatMessageSchema).max(200),
  placeholders: z.array(PlaceholderSchema).max(100),
  source: z.enum(['call-site', 'selection', 'typed']),
  siteId: id.optional(),
  notes: z.array(text(500)).max(20).optional(),
});

export const QualityCheckSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('exact'), expected: text(100_000), caseSensitive: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('contains'), expected: text(100_000), caseSensitive: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('regex'), pattern: text(2000), flags: z.string().regex(/^[dimsuv]*$/).max(6).optional() }),
  z.strictObject({ kind: z.literal('json-schema'), schema: z.union([z.boolean(), z.record(z.string(), z.unknown())]) }),
]);

export const QualityDraftSchema = z.strictObject({
  checks: z.array(QualityCheckSchema).max(10),
  expectedAnswer: text(100_000).nullable(),
  /** Judge model as written (resolved like the columns), with its rubric; null for no judge. */
  judge: z.strictObject({ model: text(200).min(1), rubric: text(20_000).min(1) }).nullable(),
  minJudgeScore: z.number().min(1).max(10),
  minPassRate: z.number().min(0).max(1),
});

export const CompareParamsSchema = z.strictObject({
  runs: z.number().int().min(1).max(COMPARE_LIMITS.maxRuns),
  temperature: z.number().min(0).max(2).nullable(),
  maxOutputTokens: z.number().int().min(1).max(COMPARE_LIMITS.maxOutputTokens),
  requestsPerMonth: z.number().min(0).finite().nullable(),
  stream: z.boolean(),
});

/** Everything the panel needs to run a comparison; `draftToRequest` (draft.ts) turns it into a CompareRequest. */
export const CompareDraftSchema = z.strictObject({
  prompt: PromptDraftSchema,
  /** Models as written: catalogue ids, or with a provider prefix (`ollama/llama3.1:8b`). */
  models: z.array(text(200).min(1)).min(COMPARE_LIMITS.minModels).max(COMPARE_LIMITS.maxModels),
  params: CompareParamsSchema,
  quality: QualityDraftSchema.nullable(),
  /** Model the call site uses today (baseline of "change vs current"). */
  currentModel: text(200).nullable(),
  /** The call site's estimated cost per request of the current model (fallback baseline). */
  currentCostPerRequestUsd: z.number().min(0).finite().nullable(),
  siteId: id.nullable(),
});

// ---------------------------------------------------------------------------------------------------------------
// Webview → extension (validated on arrival)
// ---------------------------------------------------------------------------------------------------------------

export const CompareWebviewMessageSchema = z.discriminatedUnion('type', [
  /** Handshake: the webview is listening; the host answers with `state`. */
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('setPrompt'), prompt: PromptDraftSchema }),
  z.strictObject({ type: z.literal('setModels'), models: z.array(text(200).min(1)).max(COMPARE_LIMITS.maxModels) }),
  z.strictObject({ type: z.literal('setParams'), params: CompareParamsSchema }),
  z.strictObject({ type: z.literal('setQuality'), quality: QualityDraftSchema.nullable() }),
  /** Tokens and cost of the whole comparison, before anything is sent. */
  z.strictObject({ type: z.literal('dryRun'), requestId: id, draft: CompareDraftSchema }),
  z.strictObject({ type: z.literal('run'), requestId: id, draft: CompareDraftSchema }),
  z.strictObject({ type: z.literal('cancel'), runId: id }),
  /** Apply the right-size style edit: the call site's model literal becomes this column's model. */
  z.strictObject({ type: z.literal('useModel'), runId: id, model: text(200).min(1) }),
  /** Write the comparison as Markdown. */
  z.strictObject({ type: z.literal('export'), runId: id }),
  z.strictObject({ type: z.literal('openRecent'), comparisonId: id }),
  z.strictObject({ type: z.literal('deleteRecent'), comparisonId: id }),
  /** Ask the host to prompt for a provider's key (the key never enters the webview). */
  z.strictObject({ type: z.literal('setApiKey'), providerId: z.string().regex(/^[a-z][a-z0-9-]*$/).max(40) }),
]);

export type CompareWebviewMessage = z.infer<typeof CompareWebviewMessageSchema>;
export type CompareDraft = z.infer<typeof CompareDraftSchema>;
export type PromptDraft = z.infer<typeof PromptDraftSchema>;
export type QualityDraft = z.infer<typeof QualityDraftSchema>;
export type CompareParams = z.infer<typeof CompareParamsSchema>;

/** Validates a message from the webview; never throws. */
export function parseWebviewMessage(raw: unknown): { ok: true; message: CompareWebviewMessage } | { ok: false; error: string } {
  const parsed = CompareWebviewMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ').slice(0, 500) };
}

// ---------------------------------------------------------------------------------------------------------------
// Extension → webview
// ---------------------------------------------------------------------------------------------------------------

/** A model the panel offers, from the price catalogue (prices per million tokens; null when unknown). */
export const ModelChoiceSchema = z.strictObject({
  model: z.string(),
  providerId: z.string(),
  label: z.string(),
  inputPerMTok: z.number().nullable(),
  outputPerMTok: z.number().nullable(),
  /** Why it is offered: `current`, `suggested` (right-size), `catalogue`. */
  reason: z.enum(['current', 'suggested', 'catalogue']),
});

export const ProviderStatusSchema = z.strictObject({
  id: z.string(),
  label: z.string(),
  baseURL: z.string(),
  local: z.boolean(),
  keyRequired: z.boolean(),
  /** Whether a key is stored (never the key). */
  hasKey: z.boolean(),
  docs: z.string(),
});

export const RecentComparisonSchema = z.strictObject({
  id: z.string(),
  startedAt: z.string(),
  siteId: z.string().nullable(),
  models: z.array(z.string()),
  cheapestGoodEnough: z.string().nullable(),
  totalCostUsd: z.number(),
});

export const ComparePanelStateSchema = z.strictObject({
  draft: CompareDraftSchema,
  /** The call site the panel was opened from. */
  site: z.strictObject({ id: z.string(), file: z.string(), line: z.number(), model: z.string().nullable(), canUseModel: z.boolean() }).nullable(),
  modelChoices: z.array(ModelChoiceSchema),
  providers: z.array(ProviderStatusSchema),
  recent: z.array(RecentComparisonSchema),
  /** The last result shown, to restore the columns. */
  lastResult: z.custom<ComparisonResult>(isPlainObject).nullable(),
  /** False in an untrusted workspace: nothing can be sent. */
  canRun: z.boolean(),
});

const eventSchema = z.custom<CompareEvent>((v) => isPlainObject(v) && typeof v.type === 'string' && typeof v.model === 'string' && typeof v.run === 'number');
const resultSchema = z.custom<ComparisonResult>((v) => isPlainObject(v) && typeof v.id === 'string' && Array.isArray(v.models));
const estimateSchema = z.custom<DryRunEstimate>((v) => isPlainObject(v) && Array.isArray(v.lines));

export const CompareHostMessageSchema = z.discriminatedUnion('type', [
  /** Answer to `ready`, and after any change the host makes (a key stored, a recent comparison deleted). */
  z.strictObject({ type: z.literal('state'), state: ComparePanelStateSchema }),
  z.strictObject({ type: z.literal('dryRunResult'), requestId: z.string(), estimate: estimateSchema.nullable(), problems: z.array(z.string()), warnings: z.array(z.string()) }),
  z.strictObject({
    type: z.literal('runStarted'),
    requestId: z.string(),
    runId: z.string(),
    columns: z.array(z.strictObject({ model: z.string(), modelId: z.string(), providerLabel: z.string(), baseURL: z.string(), isCurrent: z.boolean() })),
    runs: z.number(),
  }),
  z.strictObject({ type: z.literal('event'), runId: z.string(), event: eventSchema }),
  z.strictObject({ type: z.literal('runFinished'), runId: z.string(), result: resultSchema }),
  z.strictObject({ type: z.literal('useModelResult'), ok: z.boolean(), message: z.string() }),
  z.strictObject({ type: z.literal('exported'), path: z.string() }),
  z.strictObject({ type: z.literal('keyStatus'), providers: z.record(z.string(), z.boolean()) }),
  /** A failure that belongs to no column (invalid draft, the run could not start); `requestId` when it answers one. */
  z.strictObject({ type: z.literal('error'), message: z.string(), requestId: z.string().optional(), problems: z.array(z.string()).optional() }),
]);

export type CompareHostMessage = z.infer<typeof CompareHostMessageSchema>;
export type ComparePanelState = z.infer<typeof ComparePanelStateSchema>;
export type ModelChoice = z.infer<typeof ModelChoiceSchema>;
export type ProviderStatus = z.infer<typeof ProviderStatusSchema>;
export type RecentComparison = z.infer<typeof RecentComparisonSchema>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Recent comparisons (workspace storage)
// ---------------------------------------------------------------------------------------------------------------

export const STORED_COMPARISONS_VERSION = 1;

export const StoredComparisonsSchema = z.object({
  version: z.literal(STORED_COMPARISONS_VERSION),
  items: z.array(z.object({ summary: RecentComparisonSchema, result: resultSchema })),
});
export type StoredComparisons = z.infer<typeof StoredComparisonsSchema>;

export function recentOf(result: ComparisonResult): RecentComparison {
  return {
    id: result.id,
    startedAt: result.startedAt,
    siteId: result.siteId,
    models: result.models.map((m) => m.model),
    cheapestGoodEnough: result.cheapestGoodEnough,
    totalCostUsd: result.totalCostUsd,
  };
}

/**
 * Adds a comparison to the stored list (newest first, at most `max`), trimming each answer to `maxAnswerChars` so
 * workspace storage stays small. Unreadable stored data (another version, corruption) starts a new list.
 */
export function addRecentComparison(stored: unknown, result: ComparisonResult, options: { max?: number; maxAnswerChars?: number } = {}): StoredComparisons {
  const max = options.max ?? 10;
  const maxChars = options.maxAnswerChars ?? 8000;
  const parsed = StoredComparisonsSchema.safeParse(stored);
  const items = parsed.success ? parsed.data.items.filter((i) => i.summary.id !== result.id) : [];
  const trimmed: ComparisonResult = {
    ...result,
    models: result.models.map((m) => ({ ...m, runs: m.runs.map((r) => (r.output.length > maxChars ? { ...r, output: `${r.output.slice(0, maxChars)}…`, notes: [...r.notes, 'answer trimmed for storage'] } : r)) })),
  };
  return { version: STORED_COMPARISONS_VERSION, items: [{ summary: recentOf(trimmed), result: trimmed }, ...items].slice(0, max) };
}

/** Reads the stored list; anything unreadable is an empty list. */
export function readRecentComparisons(stored: unknown): StoredComparisons {
  const parsed = StoredComparisonsSchema.safeParse(stored);
  return parsed.success ? parsed.data : { version: STORED_COMPARISONS_VERSION, items: [] };
}
