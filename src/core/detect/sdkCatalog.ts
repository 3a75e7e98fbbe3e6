/**
 * What costlens knows about LLM SDKs and HTTP libraries: module names in both languages, client classes, model
 * classes and provider endpoints. Rules (rules.ts) and the evaluator (evaluate.ts) read this table; adding an SDK
 * starts here.
 */

/** Canonical id of an imported module, or null when it is not a library costlens knows. */
export function canonicalModule(spec: string, language: 'python' | 'js'): string | null {
  if (language === 'python') {
    if (spec === 'openai' || spec.startsWith('openai.')) return 'openai';
    if (spec === 'anthropic' || spec.startsWith('anthropic.')) return 'anthropic';
    if (spec === 'google.genai' || spec.startsWith('google.genai.')) return 'google-genai';
    if (spec === 'google.generativeai' || spec.startsWith('google.generativeai.')) return 'google-generativeai';
    if (spec === 'vertexai.generative_models' || spec === 'vertexai.preview.generative_models') return 'google-generativeai';
    if (spec === 'google') return 'google';
    if (spec === 'litellm' || spec.startsWith('litellm.')) return 'litellm';
    if (spec === 'mistralai' || spec.startsWith('mistralai.')) return 'mistral';
    if (spec === 'cohere' || spec.startsWith('cohere.')) return 'cohere';
    if (spec === 'boto3' || spec === 'aioboto3') return 'boto3';
    if (/^langchain(_[a-z_]+)?(\.|$)/.test(spec) || spec.startsWith('langchain_community')) return 'langchain';
    if (spec === 'requests') return 'requests';
    if (spec === 'httpx') return 'httpx';
    if (spec === 'aiohttp') return 'aiohttp';
    if (spec === 'os') return 'os';
    if (spec === 'pydantic' || spec === 'pydantic_settings' || spec === 'pydantic.fields') return 'pydantic';
    if (spec === 'json') return 'json';
    return null;
  }
  if (spec === 'openai' || spec.startsWith('openai/')) return 'openai';
  if (spec === '@anthropic-ai/sdk' || spec.startsWith('@anthropic-ai/sdk/')) return 'anthropic';
  if (spec === '@anthropic-ai/bedrock-sdk') return 'anthropic-bedrock';
  if (spec === '@anthropic-ai/vertex-sdk') return 'anthropic-vertex';
  if (spec === '@google/genai') return 'google-genai';
  if (spec === '@google/generative-ai') return 'google-generativeai';
  if (spec === '@google-cloud/vertexai') return 'google-generativeai';
  if (spec === 'ai') return 'vercel-ai';
  const aiProvider = AI_SDK_PROVIDER_PACKAGES[spec];
  if (aiProvider) return `ai-provider:${aiProvider}`;
  if (spec.startsWith('@langchain/') || spec === 'langchain' || spec.startsWith('langchain/')) return 'langchain';
  if (spec === '@mistralai/mistralai') return 'mistral';
  if (spec === 'cohere-ai') return 'cohere';
  if (spec === '@aws-sdk/client-bedrock-runtime') return 'bedrock-runtime';
  if (spec === 'axios') return 'axios';
  if (spec === 'node-fetch' || spec === 'undici' || spec === 'cross-fetch' || spec === 'isomorphic-fetch') return 'fetch';
  if (spec === 'ky' || spec === 'got') return spec;
  return null;
}

/** Vercel AI SDK provider packages → provider id. */
export const AI_SDK_PROVIDER_PACKAGES: Record<string, string> = {
  '@ai-sdk/openai': 'openai',
  '@ai-sdk/anthropic': 'anthropic',
  '@ai-sdk/google': 'google',
  '@ai-sdk/google-vertex': 'google',
  '@ai-sdk/mistral': 'mistral',
  '@ai-sdk/groq': 'groq',
  '@ai-sdk/amazon-bedrock': 'aws',
  '@ai-sdk/azure': 'azure',
  '@ai-sdk/deepseek': 'deepseek',
  '@ai-sdk/xai': 'x-ai',
  '@ai-sdk/togetherai': 'together',
  '@ai-sdk/cohere': 'cohere',
  '@ai-sdk/fireworks': 'fireworks',
  '@ai-sdk/perplexity': 'perplexity',
  '@ai-sdk/cerebras': 'cerebras',
  '@ai-sdk/openai-compatible': 'openai-compatible',
  '@ai-sdk/gateway': 'gateway',
  '@openrouter/ai-sdk-provider': 'openrouter',
  'ollama-ai-provider': 'ollama',
  'ollama-ai-provider-v2': 'ollama',
};

export interface ClientClass {
  family: 'openai' | 'anthropic' | 'google-genai' | 'mistral' | 'cohere' | 'bedrock';
  provider: string;
}

/** SDK client classes by canonical module and exported name. */
export const CLIENT_CLASSES: Record<string, Record<string, ClientClass>> = {
  openai: {
    OpenAI: { family: 'openai', provider: 'openai' },
    AsyncOpenAI: { family: 'openai', provider: 'openai' },
    AzureOpenAI: { family: 'openai', provider: 'azure' },
    AsyncAzureOpenAI: { family: 'openai', provider: 'azure' },
    default: { family: 'openai', provider: 'openai' },
  },
  anthropic: {
    Anthropic: { family: 'anthropic', provider: 'anthropic' },
    AsyncAnthropic: { family: 'anthropic', provider: 'anthropic' },
    AnthropicBedrock: { family: 'anthropic', provider: 'aws' },
    AsyncAnthropicBedrock: { family: 'anthropic', provider: 'aws' },
    AnthropicVertex: { family: 'anthropic', provider: 'anthropic' },
    AsyncAnthropicVertex: { family: 'anthropic', provider: 'anthropic' },
    default: { family: 'anthropic', provider: 'anthropic' },
  },
  'anthropic-bedrock': {
    AnthropicBedrock: { family: 'anthropic', provider: 'aws' },
    default: { family: 'anthropic', provider: 'aws' },
  },
  'anthropic-vertex': {
    AnthropicVertex: { family: 'anthropic', provider: 'anthropic' },
    default: { family: 'anthropic', provider: 'anthropic' },
  },
  'google-genai': {
    Client: { family: 'google-genai', provider: 'google' },
    GoogleGenAI: { family: 'google-genai', provider: 'google' },
  },
  mistral: {
    Mistral: { family: 'mistral', provider: 'mistral' },
    MistralClient: { family: 'mistral', provider: 'mistral' },
    MistralAsyncClient: { family: 'mistral', provider: 'mistral' },
    default: { family: 'mistral', provider: 'mistral' },
  },
  cohere: {
    Client: { family: 'cohere', provider: 'cohere' },
    ClientV2: { family: 'cohere', provider: 'cohere' },
    AsyncClient: { family: 'cohere', provider: 'cohere' },
    AsyncClientV2: { family: 'cohere', provider: 'cohere' },
    CohereClient: { family: 'cohere', provider: 'cohere' },
    CohereClientV2: { family: 'cohere', provider: 'cohere' },
  },
  'bedrock-runtime': {
    BedrockRuntimeClient: { family: 'bedrock', provider: 'aws' },
    BedrockRuntime: { family: 'bedrock', provider: 'aws' },
  },
};

export interface LangChainClass {
  provider: string;
  api: 'chat' | 'embeddings' | 'completions';
  /** Keyword names that carry the model, in order of preference. */
  modelKeys: string[];
}

const LC_MODEL_KEYS = ['model', 'model_name', 'modelName', 'model_id', 'modelId', 'deployment_name', 'azure_deployment', 'azureOpenAIApiDeploymentName', 'deploymentName', 'repo_id'];

/** LangChain model classes (Python and JS share names). */
export const LANGCHAIN_CLASSES: Record<string, LangChainClass> = Object.fromEntries(
  (
    [
      ['ChatOpenAI', 'openai', 'chat'],
      ['AzureChatOpenAI', 'azure', 'chat'],
      ['OpenAI', 'openai', 'completions'],
      ['AzureOpenAI', 'azure', 'completions'],
      ['ChatAnthropic', 'anthropic', 'chat'],
      ['ChatAnthropicMessages', 'anthropic', 'chat'],
      ['ChatGoogleGenerativeAI', 'google', 'chat'],
      ['ChatVertexAI', 'google', 'chat'],
      ['ChatMistralAI', 'mistral', 'chat'],
      ['ChatGroq', 'groq', 'chat'],
      ['ChatBedrock', 'aws', 'chat'],
      ['ChatBedrockConverse', 'aws', 'chat'],
      ['BedrockChat', 'aws', 'chat'],
      ['ChatCohere', 'cohere', 'chat'],
      ['ChatOllama', 'ollama', 'chat'],
      ['ChatDeepSeek', 'deepseek', 'chat'],
      ['ChatTogether', 'together', 'chat'],
      ['ChatFireworks', 'fireworks', 'chat'],
      ['ChatXAI', 'x-ai', 'chat'],
      ['ChatPerplexity', 'perplexity', 'chat'],
      ['ChatCerebras', 'cerebras', 'chat'],
      ['ChatLiteLLM', 'litellm', 'chat'],
      ['OpenAIEmbeddings', 'openai', 'embeddings'],
      ['AzureOpenAIEmbeddings', 'azure', 'embeddings'],
      ['GoogleGenerativeAIEmbeddings', 'google', 'embeddings'],
      ['VertexAIEmbeddings', 'google', 'embeddings'],
      ['MistralAIEmbeddings', 'mistral', 'embeddings'],
      ['CohereEmbeddings', 'cohere', 'embeddings'],
      ['BedrockEmbeddings', 'aws', 'embeddings'],
      ['OllamaEmbeddings', 'ollama', 'embeddings'],
    ] as const
  ).map(([name, provider, api]) => [name, { provider, api, modelKeys: LC_MODEL_KEYS }]),
);

/** Methods that run a LangChain model or runnable. */
export const LANGCHAIN_INVOKE_METHODS = new Set([
  'invoke',
  'ainvoke',
  'stream',
  'astream',
  'batch',
  'abatch',
  'stream_events',
  'astream_events',
  'streamEvents',
  'batch_as_completed',
  'abatch_as_completed',
  'predict',
  'apredict',
  'generate',
  'agenerate',
  'embed_query',
  'aembed_query',
  'embed_documents',
  'aembed_documents',
  'embedQuery',
  'embedDocuments',
]);

/** Methods that return a runnable wrapping the same model. */
export const LANGCHAIN_WRAPPERS = new Set([
  'with_structured_output',
  'withStructuredOutput',
  'bind_tools',
  'bindTools',
  'bind',
  'with_config',
  'withConfig',
  'with_retry',
  'withRetry',
  'with_fallbacks',
  'withFallbacks',
  'with_listeners',
  'pipe',
  'configurable_fields',
  'configurable_alternatives',
]);

/** Provider endpoints reachable over plain HTTP, with the API each inference path serves. */
export interface Endpoint {
  provider: string;
  api: 'chat' | 'responses' | 'completions' | 'embeddings' | 'messages' | 'generate';
  sdk: 'http';
}

const HOSTS: Array<[RegExp, string]> = [
  [/^https?:\/\/api\.openai\.com\b/i, 'openai'],
  [/^https?:\/\/[^/]*\.openai\.azure\.com\b/i, 'azure'],
  [/^https?:\/\/api\.anthropic\.com\b/i, 'anthropic'],
  [/^https?:\/\/generativelanguage\.googleapis\.com\b/i, 'google'],
  [/^https?:\/\/[^/]*aiplatform\.googleapis\.com\b/i, 'google'],
  [/^https?:\/\/(api\.)?openrouter\.ai\b/i, 'openrouter'],
  [/^https?:\/\/api\.groq\.com\b/i, 'groq'],
  [/^https?:\/\/api\.mistral\.ai\b/i, 'mistral'],
  [/^https?:\/\/api\.deepseek\.com\b/i, 'deepseek'],
  [/^https?:\/\/api\.together\.(xyz|ai)\b/i, 'together'],
  [/^https?:\/\/api\.fireworks\.ai\b/i, 'fireworks'],
  [/^https?:\/\/api\.x\.ai\b/i, 'x-ai'],
  [/^https?:\/\/api\.perplexity\.ai\b/i, 'perplexity'],
  [/^https?:\/\/api\.cerebras\.ai\b/i, 'cerebras'],
  [/^https?:\/\/api\.cohere\.(ai|com)\b/i, 'cohere'],
  [/^https?:\/\/bedrock-runtime\.[a-z0-9-]+\.amazonaws\.com\b/i, 'aws'],
  [/^https?:\/\/(localhost|127\.0\.0\.1|0\.0\.0\.0|host\.docker\.internal):11434\b/i, 'ollama'],
];

/** Provider of a base URL given to an OpenAI-compatible client, or null when unknown. */
export function providerOfBaseUrl(url: string): string | null {
  for (const [re, provider] of HOSTS) if (re.test(url)) return provider;
  if (/^https?:\/\/(localhost|127\.0\.0\.1|0\.0\.0\.0)(:\d+)?\b/i.test(url)) return 'self-hosted';
  return null;
}

/** Classifies a full request URL: provider and API, or null when it is not an inference endpoint. */
export function classifyEndpoint(url: string): Endpoint | null {
  const provider = providerOfBaseUrl(url);
  if (!provider) return null;
  const path = url.replace(/^https?:\/\/[^/]+/i, '').split('?')[0] ?? '';
  const api = ((): Endpoint['api'] | null => {
    if (/\/chat\/completions\/?$/.test(path) || /\/api\/chat\/?$/.test(path) || /\/v2\/chat\/?$|\/v1\/chat\/?$/.test(path)) return 'chat';
    if (/\/responses\/?$/.test(path)) return 'responses';
    if (/\/v1\/messages\/?$/.test(path)) return 'messages';
    if (/:(stream)?generateContent\b/i.test(path) || /\/api\/generate\/?$/.test(path) || /\/v1\/generate\/?$/.test(path)) return 'generate';
    if (/\/embeddings\/?$/.test(path) || /:(batchE|e)mbedContents?\b/i.test(path) || /\/api\/embed(dings)?\/?$/.test(path) || /\/v[12]\/embed\/?$/.test(path)) return 'embeddings';
    if (/\/completions\/?$/.test(path)) return 'completions';
    if (/\/model\/[^/]+\/(invoke|converse)(-with-response-stream|-stream)?\/?$/.test(path)) return 'chat';
    return null;
  })();
  if (!api) return null;
  return { provider, api, sdk: 'http' };
}

/** Provider id implied by a model id prefix (`anthropic/claude-…`, `groq/llama…`, `claude-…`). */
export function providerOfModelId(model: string): { provider: string; model: string } | null {
  const slash = model.indexOf('/');
  if (slash > 0) {
    const prefix = model.slice(0, slash).toLowerCase();
    const rest = model.slice(slash + 1);
    const map: Record<string, string> = {
      openai: 'openai',
      azure: 'azure',
      azure_ai: 'azure',
      anthropic: 'anthropic',
      gemini: 'google',
      google: 'google',
      vertex_ai: 'google',
      'vertex-ai': 'google',
      groq: 'groq',
      openrouter: 'openrouter',
      mistral: 'mistral',
      mistralai: 'mistral',
      deepseek: 'deepseek',
      together_ai: 'together',
      together: 'together',
      togetherai: 'together',
      fireworks_ai: 'fireworks',
      fireworks: 'fireworks',
      xai: 'x-ai',
      'x-ai': 'x-ai',
      perplexity: 'perplexity',
      cohere: 'cohere',
      cohere_chat: 'cohere',
      bedrock: 'aws',
      'amazon-bedrock': 'aws',
      ollama: 'ollama',
      ollama_chat: 'ollama',
      cerebras: 'cerebras',
    };
    const provider = map[prefix];
    if (provider) return { provider, model: rest };
  }
  return providerOfBareModel(model);
}

/** Provider implied by a bare model name. */
export function providerOfBareModel(model: string): { provider: string; model: string } | null {
  const m = model.toLowerCase();
  // Bedrock model ids and cross-region inference profiles: `anthropic.claude-…`, `us.meta.llama3-…`
  if (/^(anthropic|amazon|meta|mistral|cohere|ai21|us|eu|apac|global)\.[a-z]/.test(m)) return { provider: 'aws', model };
  if (/^(gpt-|o\d|chatgpt-|text-embedding-|davinci|babbage|text-davinci|omni-moderation)/.test(m)) return { provider: 'openai', model };
  if (m.startsWith('claude')) return { provider: 'anthropic', model };
  if (m.startsWith('gemini') || m.startsWith('text-embedding-004') || m.startsWith('gemma')) return { provider: 'google', model };
  if (/^(mistral|open-mistral|codestral|pixtral|ministral|magistral|open-mixtral)/.test(m)) return { provider: 'mistral', model };
  if (/^command|^embed-(english|multilingual)|^rerank/.test(m)) return { provider: 'cohere', model };
  if (m.startsWith('deepseek')) return { provider: 'deepseek', model };
  if (m.startsWith('grok')) return { provider: 'x-ai', model };
  return null;
}
