/**
 * Turning a model a person typed (`gpt-4o-mini`, `claude-haiku-4-5`, `anthropic/claude-haiku-4-5`) into the
 * (provider, model) pair the price catalogue and the tokenizer need. Used by what-if scenarios (switch a feature to
 * another model) and by the feature calculator.
 */
import { CANDIDATES } from '../advise/capabilityTiers';
import type { PriceCatalogue } from '../pricing/catalogue';
import { BATCH_RULES, canonicalProviderId } from '../pricing/providerRules';

/** Provider ids accepted as a `provider/` prefix. */
const KNOWN_PROVIDERS = new Set<string>([
  ...Object.keys(CANDIDATES),
  ...BATCH_RULES.map((r) => r.provider),
  'cohere',
  'fireworks',
  'openrouter',
  'ollama',
  'aws',
  'x-ai',
]);

/** Providers by model family, for a model typed without a provider. */
const FAMILIES: Array<[RegExp, string]> = [
  [/^(gpt-|o\d|chatgpt-|text-embedding-3|text-embedding-ada|davinci|babbage|omni-moderation)/, 'openai'],
  [/^claude/, 'anthropic'],
  [/^(gemini|text-embedding-004|gemma)/, 'google'],
  [/^(mistral|ministral|codestral|magistral|open-mistral|pixtral|devstral)/, 'mistral'],
  [/^(command|embed-)/, 'cohere'],
  [/^deepseek/, 'deepseek'],
  [/^grok/, 'x-ai'],
  [/^(anthropic|meta|amazon|cohere|mistral)\./, 'aws'],
];

export interface ModelChoice {
  provider: string;
  model: string;
  /** How the provider was chosen, for explanations. */
  providerReason: string;
}

/**
 * The provider of `input` (a model id, optionally `provider/model`). Order: an explicit known provider prefix; the
 * call's own provider when it prices the model (so Azure stays Azure); a provider whose candidate list names the
 * model; the provider of the model family; the call's own provider.
 */
export function resolveModelChoice(input: string, fallbackProvider: string | null, prices: PriceCatalogue): ModelChoice {
  const text = input.trim();
  const slash = text.indexOf('/');
  if (slash > 0) {
    const provider = canonicalProviderId(text.slice(0, slash));
    if (KNOWN_PROVIDERS.has(provider)) return { provider, model: text.slice(slash + 1), providerReason: `given as ${text.slice(0, slash)}/` };
  }
  const fallback = fallbackProvider ? canonicalProviderId(fallbackProvider) : null;
  if (fallbackProvider && fallback && prices.lookup(fallbackProvider, text).status === 'found' && familyOf(text, fallback) === fallback) {
    return { provider: fallbackProvider, model: text, providerReason: `the call's provider (${fallbackProvider})` };
  }
  const listed = Object.entries(CANDIDATES).find(([, models]) => models.includes(text));
  if (listed) return { provider: listed[0], model: text, providerReason: `${listed[0]} model` };
  const family = FAMILIES.find(([re]) => re.test(text.toLowerCase()));
  if (family) return { provider: family[1], model: text, providerReason: `${family[1]} model family` };
  return { provider: fallbackProvider ?? 'openai', model: text, providerReason: fallbackProvider ? `the call's provider (${fallbackProvider})` : 'assumed openai' };
}

/**
 * The provider a model id belongs to by its family, or `provider` when the family is unknown or the provider serves
 * the family under its own name (Azure and OpenAI-compatible gateways serve gpt-*, Bedrock serves claude, ...).
 */
function familyOf(model: string, provider: string): string {
  const family = FAMILIES.find(([re]) => re.test(model.toLowerCase()))?.[1];
  if (!family) return provider;
  const resellers: Record<string, string[]> = {
    openai: ['azure', 'openrouter', 'together', 'groq'],
    anthropic: ['aws', 'google', 'openrouter'],
    mistral: ['aws', 'azure', 'openrouter'],
    google: ['openrouter'],
  };
  return family === provider || resellers[family]?.includes(provider) ? provider : family;
}
