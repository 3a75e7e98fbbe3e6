/**
 * Pricing rules that the price data package (@pydantic/genai-prices) does not carry: batch discounts and prompt
 * caching conditions. Each rule names the provider's own page it comes from and the day it was checked; when a page
 * changes, update the rule and its `checked` date together.
 *
 * Left out on purpose, because the sources disagree:
 * - Groq batch: console.groq.com/docs/batch has stated a 25% discount in one version and no discount in another,
 *   while third-party summaries say 50%.
 * - OpenRouter batch: the discount is set per upstream provider ("generally 50%, sometimes less").
 */

/** The day every rule below was last checked against its source. */
export const RULES_CHECKED = '2026-11-26';

/**
 * Provider ids as callers and SDKs spell them, mapped to the catalogue's ids (those of @pydantic/genai-prices).
 * LiteLLM's `litellm_provider` values are included so price files in that format map onto the same ids.
 */
const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  'azure-openai': 'azure',
  azure_openai: 'azure',
  azure_ai: 'azure',
  'azure-ai': 'azure',
  bedrock: 'aws',
  bedrock_converse: 'aws',
  'aws-bedrock': 'aws',
  'amazon-bedrock': 'aws',
  amazon: 'aws',
  gemini: 'google',
  vertex: 'google',
  vertex_ai: 'google',
  'vertex-ai': 'google',
  'google-vertex': 'google',
  'google-genai': 'google',
  'google-ai': 'google',
  'text-completion-openai': 'openai',
  xai: 'x-ai',
  grok: 'x-ai',
  together_ai: 'together',
  'together-ai': 'together',
  togetherai: 'together',
  fireworks_ai: 'fireworks',
  'fireworks-ai': 'fireworks',
  mistralai: 'mistral',
  codestral: 'mistral',
  cohere_chat: 'cohere',
  'deepseek-ai': 'deepseek',
  moonshot: 'moonshotai',
};

/**
 * Canonical provider id: lower-cased, trimmed, with known aliases resolved. LiteLLM's `vertex_ai-language-models`
 * style ids (`vertex_ai-…`) map to `google`.
 */
export function canonicalProviderId(provider: string): string {
  const id = provider.trim().toLowerCase();
  if (id.startsWith('vertex_ai')) return 'google';
  return PROVIDER_ALIASES[id] ?? id;
}

/**
 * Providers that run models on the user's own hardware. They have no list price; a price override (0, or the cost
 * of the hardware per token) is the only meaningful source.
 */
export const SELF_HOSTED_PROVIDERS: ReadonlySet<string> = new Set([
  'ollama',
  'vllm',
  'lmstudio',
  'lm-studio',
  'llamacpp',
  'llama.cpp',
  'localai',
  'tgi',
  'sglang',
  'local',
  'self-hosted',
]);

export interface BatchRule {
  provider: string;
  /** Models the rule applies to (tested on the lower-cased model id); null for every model of the provider. */
  models: RegExp | null;
  /** Fraction taken off list prices, e.g. 0.5 = 50% off input and output tokens. */
  discount: number;
  /** Whether the batch discount also applies on top of prompt-caching prices; null when the source does not say. */
  stacksWithCaching: boolean | null;
  notes: readonly string[];
  /** The provider's own page stating the rule. */
  source: string;
  checked: string;
}

export const BATCH_RULES: readonly BatchRule[] = [
  {
    provider: 'openai',
    models: null,
    discount: 0.5,
    stacksWithCaching: null,
    notes: ['Batch API: results within 24 hours; not every model supports it (see the model pages).'],
    source: 'https://platform.openai.com/docs/guides/batch',
    checked: RULES_CHECKED,
  },
  {
    provider: 'azure',
    models: null,
    discount: 0.5,
    stacksWithCaching: null,
    notes: ['Requires a Global Batch (or Data Zone Batch) deployment; 50% less than Global Standard.'],
    source: 'https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/batch',
    checked: RULES_CHECKED,
  },
  {
    provider: 'anthropic',
    models: null,
    discount: 0.5,
    stacksWithCaching: true,
    notes: ['Message Batches API: 50% off all usage, including cache writes and cache reads; most batches finish within 1 hour, at most 24.'],
    source: 'https://platform.claude.com/docs/en/build-with-claude/batch-processing',
    checked: RULES_CHECKED,
  },
  {
    provider: 'google',
    models: /gemini/,
    discount: 0.5,
    stacksWithCaching: false,
    notes: ['Gemini API Batch Mode: 50% of the standard rate, results within 24 hours; the cache-hit discount takes precedence over the batch discount (they do not stack).'],
    source: 'https://ai.google.dev/gemini-api/docs/batch-mode',
    checked: RULES_CHECKED,
  },
  {
    provider: 'mistral',
    models: null,
    discount: 0.5,
    stacksWithCaching: null,
    notes: ['Batch processing: asynchronous jobs at a 50% discount.'],
    source: 'https://docs.mistral.ai/studio-api/batch-processing',
    checked: RULES_CHECKED,
  },
  {
    provider: 'aws',
    models: null,
    discount: 0.5,
    stacksWithCaching: null,
    notes: ['Bedrock batch inference: 50% below on-demand for the models that support it (check the model in your region); 24-hour window.'],
    source: 'https://docs.aws.amazon.com/bedrock/latest/userguide/capacity-limits-cost-optimization.html',
    checked: RULES_CHECKED,
  },
  {
    provider: 'together',
    models: null,
    discount: 0.5,
    stacksWithCaching: null,
    notes: ['Batch API announced at introductory pricing of half the real-time cost; best-effort 24-hour window.'],
    source: 'https://www.together.ai/blog/batch-api',
    checked: RULES_CHECKED,
  },
];

export type CachingMode = 'automatic' | 'explicit';

export interface CachingRule {
  provider: string;
  /** Models the rule applies to (tested on the lower-cased model id); null for every model of the provider. */
  models: RegExp | null;
  /** `automatic`: the provider caches repeated prefixes by itself; `explicit`: the request must mark them (cache_control). */
  mode: CachingMode;
  /** Shortest prompt prefix, in tokens, that can be cached. */
  minPrefixTokens: number;
  /** Cache hits grow in steps of this many tokens, when documented. */
  incrementTokens: number | null;
  /** Price of writing the cache (5-minute TTL where there is a choice) as a multiple of the input price; null if free. */
  writeMultiplier: number | null;
  /** Price of a one-hour cache write as a multiple of the input price, where offered. */
  writeMultiplier1h: number | null;
  /** Typical read price as a multiple of the input price; the catalogue's per-model cache-read price is authoritative. */
  readMultiplier: number | null;
  notes: readonly string[];
  source: string;
  checked: string;
}

const ANTHROPIC_CACHING_SOURCE = 'https://platform.claude.com/docs/en/build-with-claude/prompt-caching';

function anthropicCaching(models: RegExp, minPrefixTokens: number, notes: readonly string[] = []): CachingRule {
  return {
    provider: 'anthropic',
    models,
    mode: 'explicit',
    minPrefixTokens,
    incrementTokens: null,
    writeMultiplier: 1.25,
    writeMultiplier1h: 2,
    readMultiplier: 0.1,
    notes: ['Mark the prefix with cache_control (or set it at the top level for automatic breakpoints); 5-minute TTL by default, 1 hour optional.', ...notes],
    source: ANTHROPIC_CACHING_SOURCE,
    checked: RULES_CHECKED,
  };
}

/**
 * Claude minimum cacheable prefixes by model (first match wins). Model ids are matched with `-` or `.` between the
 * version digits (`claude-opus-4-5`, `claude-opus-4.5`, Bedrock `anthropic.claude-opus-4-5-…`).
 */
const CLAUDE_CACHING: readonly CachingRule[] = [
  anthropicCaching(/claude-(?:opus-4[.-][56]|haiku-4[.-]5)(?![0-9])/, 4096),
  // Opus 4.7 is listed at 4,096 in some copies of the documentation and 2,048 in others; the larger value is used so
  // caching advice is not given for prefixes that would not be cached.
  anthropicCaching(/claude-opus-4[.-]7(?![0-9])/, 4096, ['Sources disagree (2,048 or 4,096); 4,096 assumed.']),
  anthropicCaching(/claude-(?:3[.-]5-haiku|3-haiku|haiku-3)/, 2048),
  anthropicCaching(
    /claude-(?:opus-4[.-][18]|opus-4(?![.-]?[0-9])|sonnet-4[.-][56]|sonnet-4(?![.-]?[0-9])|3[.-]7-sonnet|3[.-]5-sonnet|3-opus|3-sonnet)/,
    1024,
  ),
  // Models not listed above (newer generations): the largest documented minimum, so advice stays conservative.
  anthropicCaching(/claude/, 4096, ['Model not in the documented list; the largest documented minimum (4,096) is assumed.']),
];

const OPENAI_CACHING: Omit<CachingRule, 'provider' | 'source'> = {
  models: null,
  mode: 'automatic',
  minPrefixTokens: 1024,
  incrementTokens: 128,
  writeMultiplier: null,
  writeMultiplier1h: null,
  readMultiplier: null,
  notes: ['Automatic for prompts of 1,024 tokens or more (gpt-4o and newer), in 128-token steps; no write fee; the cached-input price depends on the model.'],
  checked: RULES_CHECKED,
};

const GEMINI_IMPLICIT_SOURCE = 'https://ai.google.dev/gemini-api/docs/caching';

export const CACHING_RULES: readonly CachingRule[] = [
  ...CLAUDE_CACHING,
  { ...OPENAI_CACHING, provider: 'openai', source: 'https://platform.openai.com/docs/guides/prompt-caching' },
  {
    ...OPENAI_CACHING,
    provider: 'azure',
    source: 'https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/prompt-caching',
    notes: ['Automatic for prompts of 1,024 tokens or more on gpt-4o and newer deployments; caches are not shared between subscriptions.'],
  },
  {
    provider: 'google',
    models: /gemini-2[.-]5/,
    mode: 'automatic',
    minPrefixTokens: 2048,
    incrementTokens: null,
    writeMultiplier: null,
    writeMultiplier1h: null,
    readMultiplier: 0.1,
    notes: ['Implicit caching, on by default for Gemini 2.5 and newer; the documented minimum is 2,048 tokens for 2.5 Flash and 2.5 Pro (2.5 Flash-Lite is not listed).'],
    source: GEMINI_IMPLICIT_SOURCE,
    checked: RULES_CHECKED,
  },
  {
    provider: 'google',
    models: /gemini-(?:[3-9]|\d{2,})/,
    mode: 'automatic',
    minPrefixTokens: 4096,
    incrementTokens: null,
    writeMultiplier: null,
    writeMultiplier1h: null,
    readMultiplier: 0.1,
    notes: ['Implicit caching, on by default; Gemini 3 and later models are documented with a 4,096-token minimum.'],
    source: GEMINI_IMPLICIT_SOURCE,
    checked: RULES_CHECKED,
  },
];

function ruleMatches(rule: { provider: string; models: RegExp | null }, provider: string, model: string): boolean {
  return rule.provider === provider && (rule.models === null || rule.models.test(model));
}

/**
 * The batch rule for a model, or null when the provider offers no documented batch discount. `provider` may be any
 * alias (`aws-bedrock`, `vertex_ai` …).
 */
export function batchRuleFor(provider: string, model: string): BatchRule | null {
  const id = canonicalProviderId(provider);
  const modelId = model.trim().toLowerCase();
  return BATCH_RULES.find((rule) => ruleMatches(rule, id, modelId)) ?? null;
}

/**
 * The prompt-caching rule for a model, or null when none is documented here. Claude models carry Anthropic's rule on
 * every platform that serves them (Anthropic, Bedrock, Vertex AI, Azure): the minimum prefix is a property of the model.
 */
export function cachingRuleFor(provider: string, model: string): CachingRule | null {
  const id = canonicalProviderId(provider);
  // Snapshot dates (`-20250514`, Vertex's `@20250514`) do not change the rule and would confuse the version patterns.
  const modelId = model.trim().toLowerCase().replace(/[-@]\d{8}/g, '');
  if (modelId.includes('claude')) return CLAUDE_CACHING.find((rule) => rule.models?.test(modelId)) ?? null;
  return CACHING_RULES.find((rule) => ruleMatches(rule, id, modelId)) ?? null;
}
