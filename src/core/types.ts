/**
 * The data model shared by every part of costlens. Plain data only: no classes, no `vscode`.
 *
 * Positions: `line` is 1-based; `column` is 1-based and counted in UTF-16 code units (what editors
 * and JavaScript strings use). `offset` values are 0-based UTF-16 indexes into the file text.
 */

export type Language = 'python' | 'typescript' | 'javascript';

export type Sdk =
  | 'openai'
  | 'anthropic'
  | 'google'
  | 'vercel-ai'
  | 'langchain'
  | 'litellm'
  | 'mistral'
  | 'cohere'
  | 'bedrock'
  | 'http'
  | 'other';

export type Api = 'chat' | 'responses' | 'completions' | 'embeddings' | 'messages' | 'generate' | 'other';

/** `request`: a direct SDK/HTTP request. `construct`: builds a model object (LangChain) that later calls use. `invoke`: a call on such an object. */
export type Role = 'request' | 'construct' | 'invoke';

export type CallContext = 'interactive' | 'batch' | 'unknown';

export interface SourceRange {
  /** 1-based. */
  startLine: number;
  /** 1-based, UTF-16 code units. */
  startColumn: number;
  /** 1-based. */
  endLine: number;
  /** 1-based, exclusive, UTF-16 code units. */
  endColumn: number;
  /** 0-based UTF-16 offsets into the file text. */
  startOffset: number;
  endOffset: number;
}

/** How the model of a call was found. */
export interface ModelRef {
  /** Source text of the model argument, or null when the call has none. */
  expression: string | null;
  /** The model id as it would be sent (e.g. `gpt-4o-mini`), or null when it cannot be known statically. */
  resolved: string | null;
  /** Human-readable account of the resolution, e.g. `literal`, `constant MODEL (src/config.py:4)`, `env OPENAI_MODEL default`, `unresolved: function parameter model`. */
  resolution: string;
  /** Where the resolved literal lives, when it is a literal in the workspace (used by quick fixes). */
  literal?: { file: string; range: SourceRange } | undefined;
}

/** A piece of the prompt. Static parts carry their text; dynamic parts carry their expression. */
export interface PromptPart {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'input';
  kind: 'static' | 'dynamic';
  /** Text for static parts; for template strings, the static text with `{expr}` placeholders removed. */
  text: string;
  /** Source text of dynamic parts (or of the placeholders inside a template). */
  expression?: string | undefined;
  /** True when this part carries an Anthropic `cache_control` marker. */
  cacheControl?: boolean | undefined;
}

export interface NumberParam {
  /** Resolved value, or null when the expression is dynamic. */
  value: number | null;
  expression: string;
}

export interface CallParams {
  /** max_tokens / max_completion_tokens / max_output_tokens / maxOutputTokens / maxTokens. */
  maxOutputTokens: NumberParam | null;
  /** n / candidateCount: number of completions per request. */
  n: NumberParam | null;
  temperature: NumberParam | null;
  reasoningEffort: string | null;
  /** Number of tool/function definitions, when they are a literal list; null when absent. */
  toolCount: number | null;
  /** Static JSON-ish text of the tool definitions, used for token counting. */
  toolsText: string | null;
  /** True when the tools are given by an expression that could not be read. */
  toolsDynamic: boolean;
  /** `json_object`, `json_schema`, a schema class name, or null. */
  responseFormat: string | null;
  /** True when any prompt part or the request carries `cache_control`. */
  cacheControl: boolean;
  /** Raw keyword/property names present on the call, for advice modules. */
  keys: string[];
}

export interface PromptInfo {
  parts: PromptPart[];
  /** True when the messages/prompt argument is an expression that could not be read at all. */
  opaque: boolean;
  /** Source text of the opaque expression. */
  opaqueExpression?: string | undefined;
}

/** An inline traffic pragma such as `# costlens: 20000/day` found on or just above the call. */
export interface TrafficPragma {
  requestsPerMonth: number;
  text: string;
  line: number;
}

export interface CallSite {
  /** Stable id: `<file>#<enclosing function or <module>>#<ordinal>`; see detect/ids.ts. */
  id: string;
  /** POSIX path relative to the scan root. */
  file: string;
  /** Line of the callee and its opening parenthesis (1-based). */
  line: number;
  /** Column of the start of the call expression (1-based). */
  column: number;
  range: SourceRange;
  language: Language;
  sdk: Sdk;
  api: Api;
  role: Role;
  /** Provider id as used by the price catalogue: openai, anthropic, google, azure, groq, openrouter, deepseek, mistral, cohere, aws-bedrock, ollama ... */
  provider: string;
  /** How the provider was decided, e.g. `base_url https://api.groq.com/openai/v1`. */
  providerReason: string;
  model: ModelRef;
  /** The callee as written, e.g. `self.client.chat.completions.create`. */
  callee: string;
  /** Name of the enclosing function or method (`Class.method`), or null at module level. */
  enclosingFunction: string | null;
  streaming: boolean | null;
  inLoop: boolean;
  context: CallContext;
  /** Why the context was chosen, e.g. `FastAPI route handler @app.post("/chat")`. */
  contextReason: string;
  prompt: PromptInfo;
  params: CallParams;
  /** For `invoke` sites: id of the `construct` site whose model they use. */
  constructId?: string | undefined;
  pragma?: TrafficPragma | undefined;
}

export interface SkippedFile {
  file: string;
  reason: string;
}
