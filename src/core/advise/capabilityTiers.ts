/**
 * Capability tiers: a coarse, dated ranking of models within and across providers, used only to decide which
 * cheaper models are *candidates* for a task. A model with no tier is never recommended, and a call whose model has
 * no tier gets no right-size suggestion. Users override or extend the table in costlens.yml (`advice.tiers`).
 *
 *   1 frontier   the provider's most capable general models
 *   2 strong     general-purpose production models one step below
 *   3 efficient  "mini" / "flash" / "haiku" class: most classification, extraction, summarisation, short answers
 *   4 small      "nano" / "lite" / 8B class: routing, tagging, yes/no, very short outputs
 *
 * Tiers follow each provider's own positioning of its models on its model overview page (checked on the date below)
 * — OpenAI "flagship / mini / nano", Anthropic "Opus / Sonnet / Haiku", Google "Pro / Flash / Flash-Lite", Mistral
 * "Large / Medium / Small / Ministral" — not a benchmark score. They say which model is a plausible cheaper stand-in,
 * never that it is good enough: that is what `costlens compare` measures.
 */

export const TIERS_CHECKED = '2026-11-26';

export const TIER_SOURCES = [
  'https://platform.openai.com/docs/models',
  'https://docs.anthropic.com/en/docs/about-claude/models/overview',
  'https://ai.google.dev/gemini-api/docs/models',
  'https://docs.mistral.ai/getting-started/models/models_overview/',
];

/** Patterns are tested against the lower-cased model id without provider prefix; the first match wins. */
const TABLE: Array<[RegExp, number, 'chat' | 'embeddings']> = [
  // OpenAI
  [/^gpt-5(\.\d+)?-nano\b/, 4, 'chat'],
  [/^gpt-5(\.\d+)?-mini\b/, 3, 'chat'],
  [/^gpt-5(\.\d+)?(-chat)?(-latest)?(-\d{4}-\d{2}-\d{2})?$/, 1, 'chat'],
  [/^gpt-4\.1-nano\b/, 4, 'chat'],
  [/^gpt-4\.1-mini\b/, 3, 'chat'],
  [/^gpt-4\.1(-\d{4}-\d{2}-\d{2})?$/, 2, 'chat'],
  [/^gpt-4\.5/, 1, 'chat'],
  [/^gpt-4o-mini\b/, 3, 'chat'],
  [/^(gpt-4o|chatgpt-4o)(-latest)?(-\d{4}-\d{2}-\d{2})?$/, 2, 'chat'],
  [/^gpt-4-turbo|^gpt-4(-\d{4})?$|^gpt-4-0613$/, 2, 'chat'],
  [/^gpt-3\.5-turbo/, 4, 'chat'],
  [/^o[134](-pro)?(-\d{4}-\d{2}-\d{2})?$/, 1, 'chat'],
  [/^o[34]-mini\b|^o1-mini\b/, 2, 'chat'],
  [/^text-embedding-3-large/, 2, 'embeddings'],
  [/^text-embedding-3-small|^text-embedding-ada-002/, 3, 'embeddings'],
  // Anthropic
  [/^claude-(opus-4|4-opus|3-opus)/, 1, 'chat'],
  [/^claude-(sonnet-4|4-sonnet|3-7-sonnet|3-5-sonnet)/, 2, 'chat'],
  [/^claude-(haiku-4|3-5-haiku)/, 3, 'chat'],
  [/^claude-3-haiku/, 4, 'chat'],
  // Google
  [/^gemini-(\d+(\.\d+)?)-pro/, 1, 'chat'],
  [/^gemini-(\d+(\.\d+)?)-flash-lite|^gemini-1\.5-flash-8b/, 4, 'chat'],
  [/^gemini-(\d+(\.\d+)?)-flash/, 3, 'chat'],
  [/^gemini-embedding|^text-embedding-004/, 3, 'embeddings'],
  // Mistral
  [/^mistral-large/, 2, 'chat'],
  [/^mistral-medium/, 2, 'chat'],
  [/^mistral-small|^open-mistral-nemo/, 3, 'chat'],
  [/^(ministral-(3b|8b)|open-mistral-7b|mistral-tiny)/, 4, 'chat'],
  // Others with a clear public positioning
  [/^deepseek-(chat|v3)/, 2, 'chat'],
  [/^deepseek-reasoner|^deepseek-r1/, 1, 'chat'],
  [/^command-r-plus|^command-a/, 2, 'chat'],
  [/^command-r7b/, 4, 'chat'],
  [/^command-r\b/, 3, 'chat'],
  [/^grok-4(?!-fast)/, 1, 'chat'],
  [/^grok-3-mini|^grok-4-fast/, 3, 'chat'],
  [/llama-?3\.[13]-?405b|llama-?4-maverick/, 2, 'chat'],
  [/llama-?3\.[123]-?70b|llama-?4-scout/, 3, 'chat'],
  [/llama-?3\.[12]-?(8b|3b|1b)|llama3-8b/, 4, 'chat'],
];

export interface TierInfo {
  tier: number;
  kind: 'chat' | 'embeddings';
  source: 'built-in' | 'costlens.yml';
}

/** Strips `provider/`, Bedrock vendor/region prefixes and version suffixes for matching. */
export function tierKey(model: string): string {
  let m = model.trim().toLowerCase();
  const slash = m.lastIndexOf('/');
  if (slash >= 0) m = m.slice(slash + 1);
  m = m.replace(/^(us|eu|apac|global)\./, '').replace(/^(anthropic|meta|mistral|cohere|amazon)\./, '');
  m = m.replace(/-v\d+(:\d+)?$/, '').replace(/@\d{8}$/, '');
  return m;
}

export function tierOf(model: string, overrides: Record<string, number> = {}): TierInfo | null {
  const key = tierKey(model);
  for (const [name, tier] of Object.entries(overrides)) {
    if (name.toLowerCase() === model.toLowerCase() || tierKey(name) === key) return { tier, kind: /embed/i.test(name) ? 'embeddings' : 'chat', source: 'costlens.yml' };
  }
  for (const [re, tier, kind] of TABLE) if (re.test(key)) return { tier, kind, source: 'built-in' };
  return null;
}

/** Candidate replacement models per provider, cheapest-tier last; the catalogue supplies their prices. */
export const CANDIDATES: Record<string, string[]> = {
  openai: ['gpt-4.1', 'gpt-4o', 'gpt-5-mini', 'gpt-4.1-mini', 'gpt-4o-mini', 'gpt-5-nano', 'gpt-4.1-nano', 'text-embedding-3-small'],
  azure: ['gpt-4.1', 'gpt-4o', 'gpt-4.1-mini', 'gpt-4o-mini', 'gpt-4.1-nano', 'text-embedding-3-small'],
  anthropic: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-3-5-haiku-latest', 'claude-3-haiku-20240307'],
  google: ['gemini-2.5-flash', 'gemini-2.0-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash-lite'],
  mistral: ['mistral-medium-latest', 'mistral-small-latest', 'ministral-8b-latest'],
  groq: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant'],
  deepseek: ['deepseek-chat'],
  'x-ai': ['grok-3-mini'],
};
