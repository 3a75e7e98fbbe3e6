/**
 * Which tokenizer vocabulary counts the tokens of a given model, and how exact that count is.
 *
 * tiktoken's own `encoding_for_model` only knows the names it shipped with and throws for newer ones (gpt-5.1,
 * gpt-4.1-mini-2025-…, Azure deployment names), so the mapping here works on prefixes of a normalised model id.
 *
 * OpenAI models are counted exactly with their own BPE vocabulary:
 * - `o200k_base`: gpt-4o, chatgpt-4o, gpt-4.1, gpt-4.5, gpt-5 and later, o1/o3/o4, gpt-oss (its `o200k_harmony`
 *   encoding adds only special tokens to o200k_base, so ordinary text counts the same), omni-moderation, gpt-realtime.
 * - `cl100k_base`: gpt-4 (not 4o/4.x), gpt-3.5, text-embedding-3-*, text-embedding-ada-002, davinci-002, babbage-002.
 *
 * Other vendors do not publish their tokenizers in a form we can ship (or use vocabularies close to o200k), so their
 * counts are an o200k_base count times a per-family factor, always flagged `approximate`; see FAMILY_RULES.
 */

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** The encoders costlens can load, in the order they are preferred as a stand-in. */
export const ENCODING_NAMES: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

export type ModelFamily =
  | 'openai'
  | 'claude'
  | 'gemini'
  | 'llama'
  | 'mistral'
  | 'cohere'
  | 'deepseek'
  | 'qwen'
  | 'grok'
  | 'other';

export interface EncodingChoice {
  /** The vocabulary used to count, or null when no encoder is available and counts fall back to chars/4. */
  encoding: EncodingName | null;
  /** False only when the vocabulary is the model's own, so the count is what the provider bills. */
  approximate: boolean;
  /** Human-readable account, e.g. `tiktoken o200k_base` or `approximation: o200k_base count x 1.2 for Claude …`. */
  method: string;
  /** Multiplier applied to the encoder's count (1 for exact counts). */
  factor: number;
  family: ModelFamily;
  /** The normalised id the decision was made on (lower case, provider prefixes and deployment suffixes removed). */
  normalizedModel: string | null;
}

/**
 * Region or vendor prefixes of Amazon Bedrock model ids and cross-region inference profiles:
 * `anthropic.claude-3-5-sonnet-20240620-v1:0`, `us.anthropic.claude-…`, `global.anthropic.claude-…`, `meta.llama3-…`.
 */
const BEDROCK_PREFIX =
  /^(?:(?:us|eu|apac|au|ca|jp|in|us-gov|global)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|moonshot|minimax)\./;

/**
 * Lower-cases a model id and removes what is not part of the model's name:
 * - `arn:aws:bedrock:…:inference-profile/us.anthropic.claude-…` keeps the part after the last `/`;
 * - `ft:gpt-4o-mini-2024-07-18:org::id` (OpenAI fine-tunes) keeps the base model;
 * - `openai/gpt-4o`, `models/gemini-2.5-flash`, `meta-llama/Llama-3.3-70B` keep the last path segment;
 * - Bedrock region/vendor prefixes and `-v1:0` suffixes; Ollama tags such as `llama3.1:8b`.
 */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  if (id.startsWith('arn:')) id = id.slice(id.lastIndexOf('/') + 1);
  if (id.startsWith('ft:')) id = id.slice(3).split(':')[0] ?? id;
  if (id.includes('/')) id = id.slice(id.lastIndexOf('/') + 1);
  if (BEDROCK_PREFIX.test(id)) id = id.replace(BEDROCK_PREFIX, '').replace(/-v\d+(?::\d+)?$/, '');
  const colon = id.indexOf(':');
  if (colon > 0) id = id.slice(0, colon); // Ollama tag, `:free` suffix, remaining `:0`
  return id;
}

interface OpenAiRule {
  pattern: RegExp;
  encoding: EncodingName;
}

/**
 * OpenAI model prefixes, first match wins. The optional dash (`gpt4o`, `gpt35`) accepts Azure deployment names that
 * start with the model they deploy; anything may follow the prefix (dates, `-mini`, `-prod`).
 */
const OPENAI_RULES: readonly OpenAiRule[] = [
  { pattern: /^gpt-?3\.?5/, encoding: 'cl100k_base' }, // gpt-3.5-turbo, Azure's gpt-35-turbo
  { pattern: /^(?:chat)?gpt-?4o/, encoding: 'o200k_base' },
  { pattern: /^gpt-?4[.-][15](?![0-9])/, encoding: 'o200k_base' }, // gpt-4.1, gpt-4.5 (and gpt-4-1 deployments)
  // gpt-5 and later: OpenAI has kept o200k_base for every model since gpt-4o; new generations are assumed to keep it.
  { pattern: /^gpt-?(?:[5-9]|1\d)(?![0-9])/, encoding: 'o200k_base' },
  { pattern: /^o[1-9](?:$|-)/, encoding: 'o200k_base' }, // o1, o3-mini, o4-mini …
  { pattern: /^gpt-oss/, encoding: 'o200k_base' },
  { pattern: /^(?:gpt-realtime|gpt-audio|gpt-image|omni-moderation|codex-mini|computer-use-preview)/, encoding: 'o200k_base' },
  { pattern: /^gpt-?4(?![0-9])/, encoding: 'cl100k_base' }, // gpt-4, gpt-4-turbo, gpt-4-32k, gpt-4-0613 …
  { pattern: /^text-embedding-(?:3-|ada-002)/, encoding: 'cl100k_base' },
  { pattern: /^(?:davinci|babbage)-002/, encoding: 'cl100k_base' },
];

interface FamilyRule {
  family: Exclude<ModelFamily, 'openai' | 'other'>;
  label: string;
  pattern: RegExp;
  providers: readonly string[];
  /** Factor applied to the o200k_base count; see the justification next to each value. */
  factor: number;
  why: string;
}

/**
 * Claude 3 through 4.6: Anthropic has not published its tokenizer. Measurements of the same inputs with Claude 3.5
 * Sonnet and GPT-4o (VentureBeat, "Hidden costs in AI deployment: Why Claude models may be 20-30% more expensive than
 * GPT in enterprise settings", May 2025) found about 16% more tokens for English prose, 21% for maths and 30% for
 * Python code. Prompts in code bases mix instructions and code, so 1.2 sits inside that range.
 */
const CLAUDE_FACTOR = 1.2;
/**
 * Claude Opus 4.7 introduced a new tokenizer that Anthropic says uses roughly 1.0-1.35x as many tokens as before for
 * the same text (https://www.anthropic.com/news/claude-opus-4-7); 1.2 x 1.175 (the middle of that range) = 1.4.
 * The same vocabulary is used by Opus 4.8/4.9 and the Claude 5 generation.
 */
const CLAUDE_NEW_TOKENIZER_FACTOR = 1.4;
const CLAUDE_NEW_TOKENIZER = /claude-(?:opus-4[.-][7-9]|[a-z]+-(?:[5-9]|\d{2,})(?![0-9]))/;

const FAMILY_RULES: readonly FamilyRule[] = [
  {
    family: 'claude',
    label: 'Claude',
    pattern: /claude/,
    providers: ['anthropic'],
    factor: CLAUDE_FACTOR,
    why: 'Anthropic tokenizer not public',
  },
  {
    // Google documents about 4 characters per Gemini token (https://ai.google.dev/gemini-api/docs/tokens), the same
    // rule of thumb OpenAI gives for its tokenizers, so the o200k count is used unscaled. Gemma shares the vocabulary.
    family: 'gemini',
    label: 'Gemini',
    pattern: /^(?:gemini|gemma)/,
    providers: ['google', 'gemini', 'vertex', 'vertex_ai', 'google-vertex'],
    factor: 1,
    why: 'SentencePiece tokenizer; Google documents ~4 chars/token like o200k',
  },
  {
    // Llama 3 and 4 use a 128k tiktoken-style BPE vocabulary that contains cl100k_base's 100k tokens; counts track
    // o200k closely for English and code.
    family: 'llama',
    label: 'Llama',
    pattern: /^(?:llama|meta-llama|codellama)|llama-?[234]/,
    providers: ['meta'],
    factor: 1,
    why: 'Llama 3/4 128k BPE vocabulary is close to o200k',
  },
  {
    // Mistral's current models use the "Tekken" tiktoken-based vocabulary (131k); no published ratio, unscaled.
    family: 'mistral',
    label: 'Mistral',
    pattern: /^(?:mistral|mixtral|ministral|magistral|codestral|devstral|pixtral|voxtral|open-mistral|open-mixtral)/,
    providers: ['mistral', 'mistralai'],
    factor: 1,
    why: 'Tekken BPE vocabulary; no published ratio to o200k',
  },
  {
    family: 'cohere',
    label: 'Cohere',
    pattern: /^(?:command|c4ai|aya|embed-(?:english|multilingual|v4))/,
    providers: ['cohere'],
    factor: 1,
    why: 'Cohere tokenizer not supported offline; no published ratio to o200k',
  },
  {
    family: 'deepseek',
    label: 'DeepSeek',
    pattern: /^deepseek/,
    providers: ['deepseek'],
    factor: 1,
    why: '128k BPE vocabulary; no published ratio to o200k',
  },
  {
    family: 'qwen',
    label: 'Qwen',
    pattern: /^(?:qwen|qwq)/,
    providers: ['qwen', 'dashscope', 'alibaba'],
    factor: 1,
    why: '151k BPE vocabulary; no published ratio to o200k',
  },
  {
    family: 'grok',
    label: 'Grok',
    pattern: /^grok/,
    providers: ['x-ai', 'xai'],
    factor: 1,
    why: 'xAI tokenizer not public; no published ratio to o200k',
  },
];

function exact(encoding: EncodingName, normalizedModel: string): EncodingChoice {
  return { encoding, approximate: false, method: `tiktoken ${encoding}`, factor: 1, family: 'openai', normalizedModel };
}

function approximate(
  family: ModelFamily,
  factor: number,
  label: string,
  why: string,
  normalizedModel: string | null,
): EncodingChoice {
  const scaled = factor === 1 ? 'o200k_base count' : `o200k_base count x ${factor}`;
  return {
    encoding: 'o200k_base',
    approximate: true,
    method: `approximation: ${scaled} for ${label} (${why})`,
    factor,
    family,
    normalizedModel,
  };
}

function familyChoice(rule: FamilyRule, normalizedModel: string | null): EncodingChoice {
  if (rule.family === 'claude' && normalizedModel !== null && CLAUDE_NEW_TOKENIZER.test(normalizedModel)) {
    return approximate(
      'claude',
      CLAUDE_NEW_TOKENIZER_FACTOR,
      'Claude',
      'Anthropic tokenizer not public; Opus 4.7+ tokenizer uses up to 1.35x more tokens',
      normalizedModel,
    );
  }
  return approximate(rule.family, rule.factor, rule.label, rule.why, normalizedModel);
}

const OPENAI_PROVIDERS = new Set(['openai', 'azure', 'azure-openai', 'azure_openai']);

/**
 * Decides how to count tokens for `model` served by `provider` (the catalogue's provider id). A model id is decisive
 * when it is recognised; the provider only breaks ties for unrecognised or unknown (`null`) models.
 */
export function encodingForModel(model: string | null, provider: string): EncodingChoice {
  const providerId = provider.trim().toLowerCase();
  const normalized = model === null || model.trim() === '' ? null : normalizeModelId(model);

  if (normalized !== null) {
    for (const rule of OPENAI_RULES) {
      if (rule.pattern.test(normalized)) return exact(rule.encoding, normalized);
    }
    for (const rule of FAMILY_RULES) {
      if (rule.pattern.test(normalized)) return familyChoice(rule, normalized);
    }
  }

  for (const rule of FAMILY_RULES) {
    if (rule.providers.includes(providerId)) return familyChoice(rule, normalized);
  }
  if (OPENAI_PROVIDERS.has(providerId)) {
    const what = normalized === null ? 'model unknown' : `unrecognised model ${normalized}`;
    return approximate('openai', 1, 'OpenAI', `${what}; assuming a current OpenAI model`, normalized);
  }
  const what = normalized === null ? 'model unknown' : 'tokenizer unknown';
  return approximate('other', 1, normalized ?? `provider ${providerId || 'unknown'}`, what, normalized);
}
