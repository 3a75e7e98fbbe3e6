/**
 * Reads price files in LiteLLM's `model_prices_and_context_window.json` format, the de-facto exchange format for
 * model prices, into catalogue overrides.
 *
 * The format is an object keyed by model id (often `provider/model`); prices are USD per token:
 * `input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`, `cache_creation_input_token_cost`,
 * `input_cost_per_token_batches`, `output_cost_per_token_batches`, `input_cost_per_token_above_200k_tokens` (and other
 * `_above_<N>k_tokens` thresholds), plus `litellm_provider`, `mode`, context sizes and capability flags, which are
 * ignored here. The `sample_spec` entry documents the format and is skipped.
 */
import * as z from 'zod';
import type { LongContextPrice, PriceOverride } from './catalogue';
import { canonicalProviderId } from './providerRules';

const price = z.number().nonnegative();

/** The fields read from one entry; anything else in the entry is allowed and ignored. */
const entrySchema = z.looseObject({
  litellm_provider: z.string().optional(),
  mode: z.string().optional(),
  input_cost_per_token: price.optional(),
  output_cost_per_token: price.optional(),
  cache_read_input_token_cost: price.optional(),
  cache_creation_input_token_cost: price.optional(),
  input_cost_per_token_batches: price.optional(),
  output_cost_per_token_batches: price.optional(),
});

type Entry = z.infer<typeof entrySchema>;

const LONG_CONTEXT_FIELD = /^(input|output)_cost_per_token_above_(\d+)k_tokens$/;

export interface LiteLlmIssue {
  /** The model key of the entry (e.g. `gpt-4o` or `azure/gpt-4o`). */
  model: string;
  /** The offending field, or null when the entry itself is malformed. */
  field: string | null;
  message: string;
}

/** Thrown when a price file has invalid entries; `issues` lists every problem, each naming its model key and field. */
export class LiteLlmFormatError extends Error {
  readonly issues: readonly LiteLlmIssue[];

  constructor(source: string, issues: readonly LiteLlmIssue[]) {
    const lines = issues.map((issue) => `  ${issue.model}${issue.field ? ` › ${issue.field}` : ''}: ${issue.message}`);
    super(`${source}: ${issues.length} invalid price entr${issues.length === 1 ? 'y' : 'ies'} (LiteLLM format)\n${lines.join('\n')}`);
    this.name = 'LiteLlmFormatError';
    this.issues = issues;
  }
}

export interface LiteLlmParseResult {
  overrides: PriceOverride[];
  /** Entries without per-token prices (image, audio, per-request models) with the reason they were left out. */
  skipped: { model: string; reason: string }[];
}

/** USD per token → USD per million tokens, without binary noise (1.5e-7 → 0.15, not 0.15000000000000002). */
export function perTokenToPerMTok(perToken: number): number {
  return Math.round(perToken * 1e6 * 1e9) / 1e9;
}

function describeReceived(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}

/** Validates the `*_above_<N>k_tokens` fields and returns the first (lowest) long-context threshold. */
function longContextOf(model: string, entry: Record<string, unknown>, issues: LiteLlmIssue[]): LongContextPrice | undefined {
  const thresholds = new Map<number, { input?: number; output?: number }>();
  for (const [field, value] of Object.entries(entry)) {
    const match = LONG_CONTEXT_FIELD.exec(field);
    if (!match) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      issues.push({ model, field, message: `expected a non-negative number (USD per token), received ${describeReceived(value)}` });
      continue;
    }
    const threshold = Number(match[2]) * 1000;
    const slot = thresholds.get(threshold) ?? {};
    slot[match[1] === 'input' ? 'input' : 'output'] = perTokenToPerMTok(value);
    thresholds.set(threshold, slot);
  }
  const lowest = [...thresholds.keys()].sort((a, b) => a - b)[0];
  if (lowest === undefined) return undefined;
  const slot = thresholds.get(lowest) ?? {};
  const inputPerMTok = slot.input ?? (typeof entry.input_cost_per_token === 'number' ? perTokenToPerMTok(entry.input_cost_per_token) : undefined);
  if (inputPerMTok === undefined) return undefined;
  return { thresholdTokens: lowest, inputPerMTok, outputPerMTok: slot.output ?? null };
}

function batchDiscountOf(entry: Entry): number | undefined {
  const pairs: [number | undefined, number | undefined][] = [
    [entry.input_cost_per_token, entry.input_cost_per_token_batches],
    [entry.output_cost_per_token, entry.output_cost_per_token_batches],
  ];
  for (const [list, batch] of pairs) {
    if (list !== undefined && batch !== undefined && list > 0) return Math.round((1 - batch / list) * 1e6) / 1e6;
  }
  return undefined;
}

/**
 * Parses a LiteLLM price file (the JSON already parsed) into overrides. `source` names the file in errors and in the
 * overrides' `source`. Throws LiteLlmFormatError listing every invalid entry; entries that are valid but carry no
 * per-token input price are returned in `skipped`.
 */
export function parseLiteLlmPrices(data: unknown, source: string): LiteLlmParseResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new LiteLlmFormatError(source, [
      { model: '(file)', field: null, message: `expected an object keyed by model id, received ${describeReceived(data)}` },
    ]);
  }
  const overrides: PriceOverride[] = [];
  const skipped: LiteLlmParseResult['skipped'] = [];
  const issues: LiteLlmIssue[] = [];

  for (const [model, raw] of Object.entries(data as Record<string, unknown>)) {
    if (model === 'sample_spec') continue;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      issues.push({ model, field: null, message: `expected an object of prices, received ${describeReceived(raw)}` });
      continue;
    }
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.map(String).join('.') || null;
        const received = field === null ? raw : (raw as Record<string, unknown>)[field];
        const expected = field !== null && field !== 'litellm_provider' && field !== 'mode' ? 'a non-negative number (USD per token)' : 'a string';
        issues.push({ model, field, message: `expected ${expected}, received ${describeReceived(received)}` });
      }
      continue;
    }
    const entry = parsed.data;
    const longContext = longContextOf(model, raw as Record<string, unknown>, issues);
    if (entry.input_cost_per_token === undefined) {
      skipped.push({ model, reason: `no input_cost_per_token${entry.mode ? ` (mode ${entry.mode})` : ''}` });
      continue;
    }
    const notes: string[] = [];
    if (entry.output_cost_per_token === undefined) notes.push('No output_cost_per_token in the price file; output priced at 0.');
    const override: PriceOverride = {
      model,
      inputPerMTok: perTokenToPerMTok(entry.input_cost_per_token),
      outputPerMTok: perTokenToPerMTok(entry.output_cost_per_token ?? 0),
      source: `${source} (LiteLLM format)`,
    };
    if (entry.litellm_provider !== undefined) override.provider = canonicalProviderId(entry.litellm_provider);
    if (entry.cache_read_input_token_cost !== undefined) override.cacheReadPerMTok = perTokenToPerMTok(entry.cache_read_input_token_cost);
    if (entry.cache_creation_input_token_cost !== undefined) override.cacheWritePerMTok = perTokenToPerMTok(entry.cache_creation_input_token_cost);
    const batchDiscount = batchDiscountOf(entry);
    if (batchDiscount !== undefined) override.batchDiscount = batchDiscount;
    if (longContext !== undefined) override.longContext = longContext;
    if (notes.length > 0) override.notes = notes;
    overrides.push(override);
  }

  if (issues.length > 0) throw new LiteLlmFormatError(source, issues);
  return { overrides, skipped };
}
