/**
 * Token counting with tiktoken's WebAssembly "lite" build.
 *
 * `createTokenizer()` instantiates the wasm module (a few milliseconds). Encoder vocabularies are loaded lazily, the
 * first time a count needs one (each costs ~200-300 ms: the JSON is read and parsed synchronously), or up front with
 * `ensureLoaded()`. After that, counting is synchronous.
 *
 * Counting never returns 0 for a non-empty text because something failed: if the wasm module or an encoder cannot be
 * loaded, counts fall back to `ceil(characters / 4)`, OpenAI's rule of thumb of about 4 characters of English text per
 * token (https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them), marked approximate.
 *
 * Pathological inputs are guarded (see `segmentLongRuns` and SAMPLE_ABOVE_CHARS): tiktoken's byte-pair merge is
 * quadratic in the length of one pre-tokenizer piece, so 100,000 repeated letters take ~5 s and a million spaces
 * crash the wasm module, while ordinary text runs at ~5 MB/s.
 */
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import { init, Tiktoken } from 'tiktoken/lite/init';
import { locateAsset, type AssetName } from '../assets';
import { ENCODING_NAMES, encodingForModel, type EncodingChoice, type EncodingName } from './encodingForModel';

export type { EncodingChoice, EncodingName } from './encodingForModel';

export interface TokenCount {
  tokens: number;
  /** True when the count is not what the provider's own tokenizer would report. */
  approximate: boolean;
  /** How the count was made, e.g. `tiktoken o200k_base` or `approximation: chars/4 (…)`. */
  method: string;
}

export interface ChatMessageText {
  role: string;
  text: string;
}

export type EncoderState = 'not-loaded' | 'loaded' | 'failed';

export interface Tokenizer {
  /** The vocabulary and method `count` will use for this model right now (reflects encoders that failed to load). */
  encodingFor(model: string | null, provider: string): EncodingChoice;
  /** Tokens of a plain text. Loads the needed encoder synchronously on first use. Empty text is 0 tokens. */
  count(text: string, model: string | null, provider: string): TokenCount;
  /**
   * Prompt tokens of a chat request: OpenAI's documented formula for chat models ("How to count tokens with tiktoken",
   * OpenAI cookbook): every message costs its content and role tokens plus 3 (`<|start|>{role}<|message|>…<|end|>`),
   * and every reply is primed with 3 more (`<|start|>assistant<|message|>`). Other vendors' templates differ; their
   * counts are approximate anyway and use the same formula.
   */
  countChat(messages: readonly ChatMessageText[], model: string | null, provider: string): TokenCount;
  /**
   * Prompt tokens added by tool (function) definitions given as JSON or as a JS/Python literal. Always approximate:
   * parseable definitions use the formula of OpenAI's cookbook (`num_tokens_for_tools`, which reproduces the API's
   * prompt_tokens for its examples); anything else is counted as written.
   */
  countTools(toolsJsonText: string, model: string | null, provider: string): TokenCount;
  /** Loads encoders now (all of them by default) so later counts do not pay for it. Never rejects. */
  ensureLoaded(encodings?: readonly EncodingName[]): Promise<void>;
  /** Load state of each encoder, for diagnostics. */
  state(): Record<EncodingName, EncoderState>;
  /** Frees the wasm memory held by loaded encoders; the tokenizer reloads them if used again. */
  dispose(): void;
}

export interface TokenizerOptions {
  /** Where runtime assets live; defaults to `locateAsset` (the bundle directory, or the tiktoken package). */
  locate?: (name: AssetName) => string;
  /** Encoders to load before the promise resolves; default none (lazy). */
  preload?: readonly EncodingName[];
}

/** Per-message and reply-priming overhead of OpenAI chat models (OpenAI cookbook, "How to count tokens with tiktoken"). */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_REPLY_PRIMING = 3;

/**
 * Longest run of characters of one class (letters, whitespace, or punctuation/symbols) handed to tiktoken in one
 * piece. tiktoken's pre-tokenizer turns such a run into a single piece whose byte-pair merge is quadratic in its
 * length, so longer runs (a long word of repeated letters, a page of spaces, a row of dashes) are cut into slices of
 * this many UTF-16 units. Each cut can change the count by about one token; ordinary prose, code, minified code and
 * base64 never contain such runs (case changes, digits and punctuation already break them up) and are counted exactly.
 */
export const MAX_RUN_CHARS = 256;
/**
 * Above this many characters (about 2M tokens, more than any model's context window) the count is extrapolated from
 * SAMPLE_WINDOWS evenly spaced windows of SAMPLE_WINDOW_CHARS characters and marked approximate.
 */
export const SAMPLE_ABOVE_CHARS = 8_000_000;
const SAMPLE_WINDOWS = 64;
const SAMPLE_WINDOW_CHARS = 32_768;

/**
 * Constants of OpenAI's cookbook function `num_tokens_for_tools` (gpt-4o/gpt-4o-mini; gpt-4 and gpt-3.5 use 10 for
 * FUNC_INIT). They were fitted by OpenAI against the API's `prompt_tokens` for function definitions, which the API
 * renders into a hidden TypeScript-like namespace in the system message.
 */
const TOOL_COST = {
  funcInitO200k: 7,
  funcInitCl100k: 10,
  propInit: 3,
  propKey: 3,
  enumInit: -3,
  enumItem: 3,
  funcEnd: 12,
} as const;

/** chars/4 stand-in, used only when an encoder cannot be loaded (or a wasm call fails). */
function charsOver4(text: string): number {
  return Math.ceil(text.length / 4);
}

function isWhitespaceCode(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

enum RunClass {
  Space,
  Letter,
  Digit,
  Symbol,
}

const NON_ASCII_LETTER = /^[\p{L}\p{M}]/u;

/** Character classes that tiktoken's pre-tokenizer patterns (cl100k_base and o200k_base) keep together in a piece. */
function runClass(text: string, i: number, code: number): RunClass {
  if (code < 0x80) {
    if (code >= 0x30 && code <= 0x39) return RunClass.Digit;
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return RunClass.Letter;
    return isWhitespaceCode(code) ? RunClass.Space : RunClass.Symbol;
  }
  if (isWhitespaceCode(code)) return RunClass.Space;
  // Low surrogates continue the class of their high surrogate, which tested the whole code point.
  return NON_ASCII_LETTER.test(text.slice(i, i + 2)) ? RunClass.Letter : RunClass.Symbol;
}

/**
 * Splits `text` so that no segment contains a run of more than `maxRun` consecutive characters of one class
 * (digits never form long pieces: the patterns take them three at a time). Segments are cut only inside such runs
 * and never between the halves of a surrogate pair. Text without such runs comes back as one segment. Linear time.
 */
export function segmentLongRuns(text: string, maxRun: number = MAX_RUN_CHARS): string[] {
  const segments: string[] = [];
  let segmentStart = 0;
  let runLength = 0;
  let runKind = RunClass.Digit;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff && runLength > 0) {
      runLength++; // second half of a surrogate pair: same character, never a cut point
      continue;
    }
    const kind = runClass(text, i, code);
    if (kind === RunClass.Digit) {
      runLength = 0;
      continue;
    }
    if (runLength > 0 && kind === runKind) {
      runLength++;
    } else {
      runKind = kind;
      runLength = 1;
    }
    if (runLength > maxRun) {
      segments.push(text.slice(segmentStart, i));
      segmentStart = i;
      runLength = 1;
    }
  }
  segments.push(text.slice(segmentStart));
  return segments;
}

interface ToolDefinition {
  name: string;
  description: string;
  properties: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Parses tool definitions written as JSON or as a source-code literal. YAML's flow syntax accepts most JavaScript and
 * Python object literals (unquoted keys, single quotes, trailing commas, Python's True/False).
 */
function parseToolsText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return YAML.parse(text, { logLevel: 'error' }) as unknown;
    } catch {
      return undefined;
    }
  }
}

/**
 * Extracts tool definitions from the shapes the SDKs accept: OpenAI chat (`{type:'function', function:{…}}`),
 * OpenAI Responses / flat (`{name, description, parameters}`), Anthropic (`input_schema`), Gemini
 * (`function_declarations` / `functionDeclarations`), or an object with a `tools` list. Returns null when the value
 * is not recognisably a tool list.
 */
function extractTools(value: unknown): ToolDefinition[] | null {
  let list: unknown[] = [];
  if (Array.isArray(value)) list = value;
  else if (isRecord(value)) list = Array.isArray(value.tools) ? value.tools : [value];
  const tools: ToolDefinition[] = [];
  for (const item of list) {
    if (!isRecord(item)) return null;
    const declarations = item.function_declarations ?? item.functionDeclarations;
    if (Array.isArray(declarations)) {
      const nested = extractTools(declarations);
      if (nested === null) return null;
      tools.push(...nested);
      continue;
    }
    const fn = isRecord(item.function) ? item.function : item;
    const name = asString(fn.name);
    if (name === '') return null;
    const schema = fn.parameters ?? fn.input_schema ?? fn.inputSchema;
    const properties = isRecord(schema) && isRecord(schema.properties) ? schema.properties : {};
    tools.push({ name, description: asString(fn.description), properties });
  }
  return tools.length > 0 ? tools : null;
}

function stripFinalPeriod(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/** The part of Node's WebAssembly global used here (the project's `lib` setting, ES2022 without DOM, omits it). */
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<unknown>;
}

function webAssembly(): WebAssemblyApi {
  return (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
}

interface LoadedEncoders {
  encoders: Map<EncodingName, Tiktoken>;
  states: Map<EncodingName, EncoderState>;
  errors: Map<EncodingName, string>;
}

/**
 * Creates a tokenizer. Resolves even when the wasm module cannot be instantiated: counts then use the chars/4
 * approximation and say so in their `method`.
 */
export async function createTokenizer(options: TokenizerOptions = {}): Promise<Tokenizer> {
  const locate = options.locate ?? locateAsset;
  let wasmError: string | null = null;
  try {
    const wasm = fs.readFileSync(locate('tiktoken_bg.wasm'));
    await init((imports) => webAssembly().instantiate(wasm, imports) as ReturnType<Parameters<typeof init>[0]>);
  } catch (error) {
    wasmError = error instanceof Error ? error.message : String(error);
  }

  const loaded: LoadedEncoders = {
    encoders: new Map(),
    states: new Map(ENCODING_NAMES.map((name) => [name, wasmError === null ? 'not-loaded' : 'failed'])),
    errors: new Map(wasmError === null ? [] : ENCODING_NAMES.map((name) => [name, `tiktoken wasm unavailable: ${wasmError}`])),
  };

  /** Returns the encoder, loading it on first use; null (with the reason recorded) if it cannot be loaded. */
  function encoder(name: EncodingName): Tiktoken | null {
    const ready = loaded.encoders.get(name);
    if (ready) return ready;
    if (loaded.states.get(name) === 'failed') return null;
    try {
      const data = JSON.parse(fs.readFileSync(locate(name === 'o200k_base' ? 'o200k_base.json' : 'cl100k_base.json'), 'utf8')) as {
        bpe_ranks: string;
        special_tokens: Record<string, number>;
        pat_str: string;
      };
      const instance = new Tiktoken(data.bpe_ranks, data.special_tokens, data.pat_str);
      loaded.encoders.set(name, instance);
      loaded.states.set(name, 'loaded');
      return instance;
    } catch (error) {
      loaded.states.set(name, 'failed');
      loaded.errors.set(name, error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  function fallbackChoice(choice: EncodingChoice, name: EncodingName): EncodingChoice {
    return {
      ...choice,
      encoding: null,
      approximate: true,
      factor: 1,
      method: `approximation: chars/4 (${name} could not be loaded: ${loaded.errors.get(name) ?? 'unknown error'})`,
    };
  }

  /** Raw token count of `text` with one encoder, or null when the encoder is unavailable or fails on this text. */
  function encodeCount(enc: Tiktoken, text: string): number | null {
    try {
      // encode_ordinary treats `<|endoftext|>` and other special-token strings as plain text, as the APIs do.
      const segments = segmentLongRuns(text);
      if (segments.length === 1) return enc.encode_ordinary(text).length;
      // Cut texts are usually repetitive (the same slice many times over): count each distinct slice once.
      const seen = new Map<string, number>();
      let total = 0;
      for (const segment of segments) {
        let tokens = seen.get(segment);
        if (tokens === undefined) {
          tokens = enc.encode_ordinary(segment).length;
          seen.set(segment, tokens);
        }
        total += tokens;
      }
      return total;
    } catch {
      return null;
    }
  }

  interface RawCount {
    tokens: number;
    /** Set when the text was sampled rather than counted in full. */
    sampled: boolean;
    /** Set when the encoder failed and chars/4 was used. */
    failed: boolean;
  }

  function rawCount(enc: Tiktoken | null, text: string): RawCount {
    if (text.length === 0) return { tokens: 0, sampled: false, failed: false };
    if (enc === null) return { tokens: charsOver4(text), sampled: false, failed: true };
    if (text.length > SAMPLE_ABOVE_CHARS) {
      const stride = Math.floor(text.length / SAMPLE_WINDOWS);
      let sampleTokens = 0;
      let sampleChars = 0;
      for (let w = 0; w < SAMPLE_WINDOWS; w++) {
        const window = text.slice(w * stride, w * stride + SAMPLE_WINDOW_CHARS);
        const counted = encodeCount(enc, window);
        if (counted === null) return { tokens: charsOver4(text), sampled: false, failed: true };
        sampleTokens += counted;
        sampleChars += window.length;
      }
      return { tokens: Math.round((sampleTokens * text.length) / sampleChars), sampled: true, failed: false };
    }
    const counted = encodeCount(enc, text);
    return counted === null ? { tokens: charsOver4(text), sampled: false, failed: true } : { tokens: counted, sampled: false, failed: false };
  }

  function effectiveChoice(model: string | null, provider: string): EncodingChoice {
    const choice = encodingForModel(model, provider);
    const name = choice.encoding;
    if (name !== null && loaded.states.get(name) === 'failed') return fallbackChoice(choice, name);
    return choice;
  }

  /** Resolves the encoder for a choice, downgrading the choice to chars/4 if loading fails now. */
  function resolve(model: string | null, provider: string): { choice: EncodingChoice; enc: Tiktoken | null } {
    const choice = encodingForModel(model, provider);
    if (choice.encoding === null) return { choice, enc: null };
    const enc = encoder(choice.encoding);
    return enc === null ? { choice: fallbackChoice(choice, choice.encoding), enc: null } : { choice, enc };
  }

  function describe(choice: EncodingChoice, raw: RawCount, suffix = ''): TokenCount {
    if (raw.failed && choice.encoding !== null) {
      // The encoder is loaded but threw on this text: chars/4, without the family factor (it scales BPE counts).
      const method = `approximation: chars/4 (tiktoken ${choice.encoding} failed on this text)${suffix}`;
      return { tokens: raw.tokens, approximate: true, method };
    }
    const tokens = Math.ceil(raw.tokens * choice.factor);
    if (raw.sampled) {
      return {
        tokens,
        approximate: true,
        method: `${choice.method}, extrapolated from ${SAMPLE_WINDOWS} samples (text over ${SAMPLE_ABOVE_CHARS.toLocaleString('en-US')} chars)${suffix}`,
      };
    }
    return { tokens, approximate: choice.approximate, method: `${choice.method}${suffix}` };
  }

  const tokenizer: Tokenizer = {
    encodingFor: effectiveChoice,

    count(text, model, provider) {
      const { choice, enc } = resolve(model, provider);
      return describe(choice, rawCount(enc, text));
    },

    countChat(messages, model, provider) {
      const { choice, enc } = resolve(model, provider);
      let content = 0;
      let sampled = false;
      let failed = false;
      for (const message of messages) {
        for (const part of [message.role, message.text]) {
          const raw = rawCount(enc, part);
          content += raw.tokens;
          sampled ||= raw.sampled;
          failed ||= raw.failed;
        }
      }
      const overhead = messages.length * TOKENS_PER_MESSAGE + TOKENS_REPLY_PRIMING;
      const counted = describe(choice, { tokens: content, sampled, failed }, ` + ${overhead} chat format tokens (3 per message + 3 reply priming)`);
      return { ...counted, tokens: counted.tokens + overhead };
    },

    countTools(toolsJsonText, model, provider) {
      const { choice, enc } = resolve(model, provider);
      if (toolsJsonText.trim() === '') return { tokens: 0, approximate: choice.approximate, method: choice.method };
      const tools = extractTools(parseToolsText(toolsJsonText));
      if (tools === null) {
        // Unreadable definitions: the raw text is a fair proxy (the rendered schema is of the same order of size).
        const collapsed = toolsJsonText.replace(/\s+/g, ' ').trim();
        const counted = describe(choice, rawCount(enc, collapsed), '; tool definitions counted as written (not parseable)');
        return { ...counted, approximate: true };
      }
      // OpenAI cookbook `num_tokens_for_tools`: per function FUNC_INIT + tokens of "name:description"; per property
      // PROP_KEY + tokens of "key:type:description" (+ ENUM_INIT and ENUM_ITEM + item tokens for enums); PROP_INIT
      // once per function with properties; FUNC_END once. Nested object/array schemas are not in the cookbook: their
      // JSON is counted as text. Provider-added tool-use system prompts (Anthropic documents a few hundred tokens per
      // request, model-dependent) are not included.
      const funcInit = choice.encoding === 'cl100k_base' ? TOOL_COST.funcInitCl100k : TOOL_COST.funcInitO200k;
      let structural = TOOL_COST.funcEnd;
      let text = 0;
      let failed = false;
      const add = (value: string): void => {
        const raw = rawCount(enc, value);
        text += raw.tokens;
        failed ||= raw.failed;
      };
      for (const tool of tools) {
        structural += funcInit;
        add(`${tool.name}:${stripFinalPeriod(tool.description)}`);
        const keys = Object.keys(tool.properties);
        if (keys.length > 0) structural += TOOL_COST.propInit;
        for (const key of keys) {
          structural += TOOL_COST.propKey;
          const property = isRecord(tool.properties[key]) ? tool.properties[key] : {};
          const type = typeof property.type === 'string' ? property.type : Array.isArray(property.type) ? property.type.join('|') : 'any';
          if (Array.isArray(property.enum)) {
            structural += TOOL_COST.enumInit;
            for (const item of property.enum) {
              structural += TOOL_COST.enumItem;
              add(String(item));
            }
          }
          add(`${key}:${type}:${stripFinalPeriod(asString(property.description))}`);
          for (const nestedKey of ['properties', 'items', 'anyOf', 'oneOf'] as const) {
            if (property[nestedKey] !== undefined) add(JSON.stringify(property[nestedKey]));
          }
        }
      }
      const counted = describe(
        choice,
        { tokens: text, sampled: false, failed },
        `; ${tools.length} tool definition(s), OpenAI cookbook num_tokens_for_tools formula (+${structural} format tokens)`,
      );
      return { tokens: counted.tokens + structural, approximate: true, method: counted.method };
    },

    async ensureLoaded(encodings = ENCODING_NAMES) {
      for (const name of encodings) {
        // Each load blocks for a few hundred milliseconds; let other work run between them.
        await new Promise<void>((resolve) => setImmediate(resolve));
        encoder(name);
      }
    },

    state() {
      const result = {} as Record<EncodingName, EncoderState>;
      for (const name of ENCODING_NAMES) result[name] = loaded.states.get(name) ?? 'not-loaded';
      return result;
    },

    dispose() {
      for (const [name, enc] of loaded.encoders) {
        enc.free();
        loaded.states.set(name, 'not-loaded');
      }
      loaded.encoders.clear();
    },
  };

  if (options.preload) await tokenizer.ensureLoaded(options.preload);
  return tokenizer;
}
