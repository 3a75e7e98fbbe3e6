/**
 * Abstract values: what the evaluator knows about an expression without running the program.
 */
import type { Node } from './parser';
import type { FileUnit } from './project';

/** Where a string literal lives, so a quick fix can edit it in place. */
export interface Origin {
  file: FileUnit;
  node: Node;
}

export type Value =
  | { kind: 'str'; value: string; origin: Origin | null; via: string[] }
  | { kind: 'num'; value: number; via: string[] }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  /** An interpolated string: static text plus the source of each dynamic hole. */
  | { kind: 'template'; text: string; holes: string[]; segments: TemplateSegment[]; via: string[] }
  /** A dict / object literal; properties are evaluated on demand. */
  | { kind: 'obj'; props: Map<string, Node>; file: FileUnit; node: Node; spreads: Node[] }
  | { kind: 'arr'; items: Node[]; file: FileUnit; node: Node }
  /** A reference into an SDK or library module: `sdk('openai', ['OpenAI'])`, `sdk('ai', ['generateText'])`. */
  | { kind: 'sdk'; module: string; path: string[] }
  /** An SDK client instance (or a member path on it): `client.chat.completions`. */
  | { kind: 'client'; client: ClientInfo; path: string[] }
  /** A model object bound at construction: LangChain chat/embedding models and runnables built from them, Google GenerativeModel and chat sessions, Vercel AI SDK model handles. */
  | { kind: 'model'; model: BoundModel; path: string[] }
  /** A Vercel AI SDK provider instance (`openai`, `createOpenAI({...})`), callable to get a model handle. */
  | { kind: 'aiProvider'; provider: string; providerReason: string; path: string[] }
  | { kind: 'function'; node: Node; file: FileUnit }
  | { kind: 'class'; node: Node; file: FileUnit }
  | { kind: 'instance'; cls: Node; file: FileUnit }
  /** A workspace module namespace (`from app import config`, `import * as cfg from './config'`). */
  | { kind: 'module'; file: FileUnit }
  /** An environment variable read, with the default given in code when there is one. */
  | { kind: 'env'; name: string; fallback: Value | null }
  /** A LangChain prompt template built from static messages (`ChatPromptTemplate.from_messages([...])`). */
  | { kind: 'promptTemplate'; messages: Node; file: FileUnit }
  /** An AWS SDK v3 command object (`new ConverseCommand({...})`) and its input. */
  | { kind: 'command'; name: string; input: Node | null; file: FileUnit }
  | { kind: 'unknown'; expression: string; reason: string };

/** A template in order: static text and the unknown expressions between (known ones are folded into the text). */
export type TemplateSegment = { kind: 'text'; text: string } | { kind: 'hole'; expression: string };

/** Builds a template value from ordered segments (merging adjacent text). */
export function templateOf(segments: TemplateSegment[]): Extract<Value, { kind: 'template' }> {
  const merged: TemplateSegment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if (s.kind === 'text' && last?.kind === 'text') merged[merged.length - 1] = { kind: 'text', text: last.text + s.text };
    else if (s.kind === 'text' && s.text === '') continue;
    else merged.push(s);
  }
  return {
    kind: 'template',
    text: merged.map((s) => (s.kind === 'text' ? s.text : '')).join(''),
    holes: merged.flatMap((s) => (s.kind === 'hole' ? [s.expression] : [])),
    segments: merged,
    via: [],
  };
}

export interface ClientInfo {
  /** SDK family: openai, anthropic, google-genai, mistral, cohere, bedrock, http. */
  family: string;
  /** Provider id for pricing (openai, azure, groq, aws, ...). */
  provider: string;
  providerReason: string;
  /** Azure deployment bound at client construction, when given. */
  deployment?: string | undefined;
  /** Base URL for HTTP clients (`axios.create({ baseURL })`, `httpx.Client(base_url=...)`). */
  baseUrl?: string | undefined;
}

export interface BoundModel {
  /** Family of the model object: langchain, google-generativeai, google-genai-chat, vercel-ai. */
  family: string;
  provider: string;
  providerReason: string;
  /** The model as resolved at construction. */
  model: Value | null;
  /** Source of the model expression at construction. */
  modelExpression: string | null;
  /** Chat (default) or embeddings. */
  api: 'chat' | 'embeddings' | 'generate' | 'completions';
  /** The construction call (LangChain construct site, GenerativeModel(...)). */
  construct: { file: FileUnit; node: Node } | null;
  /** Parameters set at construction (max_tokens, temperature, streaming...), as an object value. */
  settings: Value | null;
  /** Static prompt messages carried by a chain (`ChatPromptTemplate.from_messages([...]) | llm`). */
  promptTemplate?: Node | undefined;
  promptTemplateFile?: FileUnit | undefined;
}

export const unknown = (expression: string, reason: string): Value => ({ kind: 'unknown', expression, reason });

export function isStr(v: Value | null | undefined): v is Extract<Value, { kind: 'str' }> {
  return !!v && v.kind === 'str';
}

/** The string a value stands for, following env defaults; null when not statically known. */
export function stringOf(v: Value | null | undefined): string | null {
  if (!v) return null;
  if (v.kind === 'str') return v.value;
  if (v.kind === 'env' && v.fallback) return stringOf(v.fallback);
  return null;
}

export function numberOf(v: Value | null | undefined): number | null {
  if (!v) return null;
  if (v.kind === 'num') return v.value;
  if (v.kind === 'env' && v.fallback) return numberOf(v.fallback);
  if (v.kind === 'str' && /^\d+(\.\d+)?$/.test(v.value)) return Number(v.value);
  return null;
}

export function booleanOf(v: Value | null | undefined): boolean | null {
  if (!v) return null;
  if (v.kind === 'bool') return v.value;
  return null;
}

/** A short account of how a value was obtained, for `model.resolution`. */
export function describeVia(v: Value): string {
  switch (v.kind) {
    case 'str':
      return v.via.length ? v.via.join(' → ') : 'literal';
    case 'env': {
      const steps = v.fallback?.kind === 'str' ? v.fallback.via : [];
      const env = v.fallback ? `env ${v.name} unset → default in code` : `unresolved: env ${v.name} (no default in code)`;
      return steps.length ? `${steps.join(' → ')} → ${env}` : env;
    }
    case 'unknown':
      return `unresolved: ${v.reason}`;
    case 'template':
      return `unresolved: interpolated string ${v.holes.length ? `(${v.holes.join(', ')})` : ''}`.trim();
    default:
      return `unresolved: ${v.kind} value`;
  }
}

export function withVia<T extends Value>(v: T, step: string): T {
  if (v.kind === 'str' || v.kind === 'num' || v.kind === 'template') {
    return { ...v, via: [step, ...v.via] } as T;
  }
  if (v.kind === 'env' && v.fallback) return { ...v, fallback: withVia(v.fallback, step) } as T;
  return v;
}
