/**
 * Where a model of a comparison is sent: OpenAI-compatible endpoints, one configuration per provider, and the rule
 * that picks the provider of a model. Keys are never read here: a face injects `getKey(providerId)` (the editor's
 * SecretStorage, the CLI's environment) and the runner asks it once per provider.
 *
 * Endpoints, from each provider's documentation of its OpenAI compatibility (checked 2026-11-28):
 * - OpenAI            https://api.openai.com/v1
 * - Azure OpenAI v1   https://{resource}.openai.azure.com/openai/v1/   (learn.microsoft.com … /openai/api-version-lifecycle)
 * - Anthropic         https://api.anthropic.com/v1/                    (platform.claude.com/docs/en/api/openai-sdk)
 * - Google Gemini     https://generativelanguage.googleapis.com/v1beta/openai/   (ai.google.dev/gemini-api/docs/openai)
 * - OpenRouter        https://openrouter.ai/api/v1                     (openrouter.ai/docs/community/openai-sdk)
 * - Ollama            http://localhost:11434/v1  (key required by the SDK but ignored)
 * - LM Studio         http://localhost:1234/v1   (lmstudio.ai/docs/api/openai-api)
 * - vLLM              http://localhost:8000/v1   (`vllm serve`, key only with --api-key)
 * - LiteLLM proxy     http://localhost:4000      (key: the proxy's master or virtual key)
 */
import type { PriceCatalogue } from '../pricing/catalogue';
import type { ModelTarget } from './types';

export interface ProviderConfig {
  id: string;
  label: string;
  /** Default base URL; `{resource}` is filled from a configured base URL (Azure). Empty for `custom`. */
  baseURL: string;
  /** Environment variables the CLI reads the key from, in order. */
  apiKeyEnv: string[];
  /** Hosted APIs need a key; local servers take none. */
  keyRequired: boolean;
  defaultHeaders?: Record<string, string> | undefined;
  /** A model written `<modelPrefix><model>` goes to this provider, prefix removed (`ollama/llama3.1:8b`). */
  modelPrefix?: string | undefined;
  /** Provider id for prices; '' = price at the model maker's list price. */
  priceProvider: string;
  outputLimitParam: 'max_tokens' | 'max_completion_tokens';
  local: boolean;
  /** Where the person finds how to set it up. */
  docs: string;
}

export const PROVIDERS: readonly ProviderConfig[] = [
  {
    id: 'openai',
    label: 'OpenAI',
    baseURL: 'https://api.openai.com/v1',
    apiKeyEnv: ['OPENAI_API_KEY'],
    keyRequired: true,
    modelPrefix: 'openai/',
    priceProvider: 'openai',
    outputLimitParam: 'max_completion_tokens',
    local: false,
    docs: 'https://platform.openai.com/api-keys',
  },
  {
    id: 'azure',
    label: 'Azure OpenAI',
    baseURL: 'https://{resource}.openai.azure.com/openai/v1/',
    apiKeyEnv: ['AZURE_OPENAI_API_KEY'],
    keyRequired: true,
    modelPrefix: 'azure/',
    priceProvider: 'azure',
    outputLimitParam: 'max_completion_tokens',
    local: false,
    docs: 'https://learn.microsoft.com/en-us/azure/ai-foundry/openai/api-version-lifecycle',
  },
  {
    id: 'anthropic',
    label: 'Anthropic',
    baseURL: 'https://api.anthropic.com/v1/',
    apiKeyEnv: ['ANTHROPIC_API_KEY'],
    keyRequired: true,
    modelPrefix: 'anthropic/',
    priceProvider: 'anthropic',
    outputLimitParam: 'max_tokens',
    local: false,
    docs: 'https://platform.claude.com/docs/en/api/openai-sdk',
  },
  {
    id: 'google',
    label: 'Google Gemini',
    baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    keyRequired: true,
    modelPrefix: 'google/',
    priceProvider: 'google',
    outputLimitParam: 'max_tokens',
    local: false,
    docs: 'https://ai.google.dev/gemini-api/docs/openai',
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    baseURL: 'https://openrouter.ai/api/v1',
    apiKeyEnv: ['OPENROUTER_API_KEY'],
    keyRequired: true,
    defaultHeaders: { 'X-Title': 'costlens' },
    modelPrefix: 'openrouter/',
    priceProvider: 'openrouter',
    outputLimitParam: 'max_tokens',
    local: false,
    docs: 'https://openrouter.ai/docs/community/openai-sdk',
  },
  {
    id: 'ollama',
    label: 'Ollama',
    baseURL: 'http://localhost:11434/v1',
    apiKeyEnv: ['OLLAMA_API_KEY'],
    keyRequired: false,
    modelPrefix: 'ollama/',
    priceProvider: 'ollama',
    outputLimitParam: 'max_tokens',
    local: true,
    docs: 'https://docs.ollama.com/api/openai-compatibility',
  },
  {
    id: 'lmstudio',
    label: 'LM Studio',
    baseURL: 'http://localhost:1234/v1',
    apiKeyEnv: ['LM_STUDIO_API_KEY'],
    keyRequired: false,
    modelPrefix: 'lmstudio/',
    priceProvider: 'lmstudio',
    outputLimitParam: 'max_tokens',
    local: true,
    docs: 'https://lmstudio.ai/docs/api/openai-api',
  },
  {
    id: 'vllm',
    label: 'vLLM',
    baseURL: 'http://localhost:8000/v1',
    apiKeyEnv: ['VLLM_API_KEY'],
    keyRequired: false,
    modelPrefix: 'vllm/',
    priceProvider: 'vllm',
    outputLimitParam: 'max_tokens',
    local: true,
    docs: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html',
  },
  {
    id: 'litellm',
    label: 'LiteLLM proxy',
    baseURL: 'http://localhost:4000',
    apiKeyEnv: ['LITELLM_API_KEY'],
    keyRequired: false,
    modelPrefix: 'litellm/',
    priceProvider: '',
    outputLimitParam: 'max_tokens',
    local: true,
    docs: 'https://docs.litellm.ai/docs/proxy/user_keys',
  },
  {
    id: 'custom',
    label: 'Custom endpoint',
    baseURL: '',
    apiKeyEnv: ['COSTLENS_API_KEY'],
    keyRequired: false,
    modelPrefix: 'custom/',
    priceProvider: '',
    outputLimitParam: 'max_tokens',
    local: false,
    docs: 'https://platform.openai.com/docs/api-reference/chat',
  },
];

/** The generic key variable: the key of whatever endpoint `--base-url` / `--provider` names. */
export const GENERIC_KEY_ENV = 'COSTLENS_API_KEY';

export function providerById(id: string, providers: readonly ProviderConfig[] = PROVIDERS): ProviderConfig | undefined {
  const wanted = id.trim().toLowerCase();
  const alias: Record<string, string> = { gemini: 'google', 'azure-openai': 'azure', 'lm-studio': 'lmstudio', 'lm_studio': 'lmstudio', openai_compatible: 'custom' };
  return providers.find((p) => p.id === (alias[wanted] ?? wanted));
}

/** Injected key source: the editor's SecretStorage, the CLI's environment. */
export type KeyGetter = (providerId: string) => Promise<string | undefined>;

/**
 * Keys from environment variables: the provider's own variables, then COSTLENS_API_KEY for the `custom` provider and
 * for the provider named in `explicitProvider` (the endpoint the person pointed costlens at). Empty values count as unset.
 */
export function envKeyGetter(env: Record<string, string | undefined>, options: { explicitProvider?: string | undefined; providers?: readonly ProviderConfig[] } = {}): KeyGetter {
  return async (providerId) => {
    const provider = providerById(providerId, options.providers);
    const names = [...(provider?.apiKeyEnv ?? [])];
    if (providerId === 'custom' || providerId === options.explicitProvider) names.unshift(GENERIC_KEY_ENV);
    for (const name of names) {
      const value = env[name]?.trim();
      if (value) return value;
    }
    return undefined;
  };
}

/** Where the key of a provider comes from, for messages: `OPENAI_API_KEY`. */
export function keyHint(providerId: string, providers: readonly ProviderConfig[] = PROVIDERS): string {
  const p = providerById(providerId, providers);
  return p?.apiKeyEnv.join(' or ') || GENERIC_KEY_ENV;
}

export interface TargetOptions {
  providers?: readonly ProviderConfig[] | undefined;
  /** Sends every model to this provider as written (the CLI's --provider, or `custom` with --base-url). */
  provider?: string | undefined;
  /** Base URL for `provider` (or, alone, a `custom` endpoint). */
  baseURL?: string | undefined;
  /** Configured base URLs per provider id (editor settings): an Azure resource, a remote Ollama … */
  baseURLs?: Readonly<Record<string, string>> | undefined;
  /** Finds the maker of a model written without a prefix (`claude-…` → anthropic). */
  prices?: PriceCatalogue | undefined;
}

export type TargetResolution = { ok: true; target: ModelTarget } | { ok: false; error: string };

/** The maker of a model by its name, when the price catalogue does not know it. */
function makerByName(model: string): string | null {
  const m = model.toLowerCase();
  if (/^(gpt-|o\d|chatgpt-|text-embedding-|davinci|babbage|computer-use)/.test(m)) return 'openai';
  if (/^claude/.test(m)) return 'anthropic';
  if (/^(gemini|gemma|learnlm)/.test(m)) return 'google';
  return null;
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The column for a model as the person wrote it:
 * 1. an explicit provider (or base URL) takes every model as written — a LiteLLM proxy's `ollama/llama3` stays whole;
 * 2. a provider prefix (`ollama/`, `openrouter/`, `anthropic/` …) picks the provider and is removed;
 * 3. otherwise the model's maker, from the price catalogue or the model name (`gpt-…` → OpenAI, `claude-…` → Anthropic,
 *    `gemini-…` → Google).
 */
export function resolveTarget(spec: string, options: TargetOptions = {}): TargetResolution {
  const providers = options.providers ?? PROVIDERS;
  const written = spec.trim();
  if (written === '') return { ok: false, error: 'empty model name' };
  let provider: ProviderConfig | undefined;
  let model = written;
  if (options.provider || options.baseURL) {
    provider = providerById(options.provider ?? 'custom', providers);
    if (!provider) return { ok: false, error: `unknown provider '${options.provider}' (known: ${providers.map((p) => p.id).join(', ')})` };
  } else {
    const prefixed = providers.find((p) => p.modelPrefix && written.toLowerCase().startsWith(p.modelPrefix) && written.length > p.modelPrefix.length);
    if (prefixed) {
      provider = prefixed;
      model = written.slice(prefixed.modelPrefix!.length);
    } else if (written.toLowerCase().startsWith('gemini/')) {
      provider = providerById('google', providers);
      model = written.slice('gemini/'.length);
    } else {
      let maker: string | null = null;
      const found = options.prices?.lookup('', written);
      if (found?.status === 'found') maker = found.price.provider;
      maker = (maker && providerById(maker, providers) ? maker : null) ?? makerByName(written);
      provider = maker ? providerById(maker, providers) : undefined;
      if (!provider) {
        return {
          ok: false,
          error: `no endpoint is known for ${written}: write it with a provider prefix (${providers
            .filter((p) => p.modelPrefix)
            .map((p) => p.modelPrefix)
            .join(', ')}) or give a base URL`,
        };
      }
    }
  }
  if (!provider) return { ok: false, error: `no provider for ${written}` };
  const baseURL = (options.baseURL && (options.provider === undefined || options.provider === provider.id) ? options.baseURL : undefined) ?? options.baseURLs?.[provider.id] ?? provider.baseURL;
  if (baseURL === '') return { ok: false, error: `${provider.label} needs a base URL (costlens.compare.providers.${provider.id}.baseURL in your user settings, or --base-url)` };
  if (baseURL.includes('{resource}')) return { ok: false, error: `${provider.label} needs your resource's base URL (${provider.baseURL})` };
  if (!isHttpUrl(baseURL)) return { ok: false, error: `base URL '${baseURL}' is not an http(s) URL` };
  return {
    ok: true,
    target: {
      id: written,
      model,
      providerId: provider.id,
      providerLabel: provider.label,
      baseURL,
      defaultHeaders: provider.defaultHeaders ? { ...provider.defaultHeaders } : undefined,
      priceProvider: provider.priceProvider,
      keyRequired: provider.keyRequired,
      outputLimitParam: provider.outputLimitParam,
    },
  };
}

/** Resolves several models; column ids are made unique (`gpt-4o`, `gpt-4o #2`). */
export function resolveTargets(specs: readonly string[], options: TargetOptions = {}): { targets: ModelTarget[]; errors: Array<{ spec: string; error: string }> } {
  const targets: ModelTarget[] = [];
  const errors: Array<{ spec: string; error: string }> = [];
  const seen = new Map<string, number>();
  for (const spec of specs) {
    const r = resolveTarget(spec, options);
    if (!r.ok) {
      errors.push({ spec, error: r.error });
      continue;
    }
    const n = (seen.get(r.target.id) ?? 0) + 1;
    seen.set(r.target.id, n);
    targets.push(n === 1 ? r.target : { ...r.target, id: `${r.target.id} #${n}` });
  }
  return { targets, errors };
}
