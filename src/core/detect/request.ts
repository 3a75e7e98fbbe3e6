/**
 * Reads what drives a call's cost from its request: the prompt (static text and the shape of dynamic parts) and the
 * parameters (output limit, n, temperature, reasoning effort, tools, response format, cache_control, stream).
 */
import type { CallParams, NumberParam, PromptInfo, PromptPart } from '../types';
import type { Evaluator } from './evaluate';
import type { Node } from './parser';
import type { FileUnit } from './project';
import type { SiteMatch } from './rules';
import { calleeNameNode, calleeOf, callArguments, unwrap } from './syntax';
import { booleanOf, numberOf, stringOf, type Value } from './values';

type Obj = Extract<Value, { kind: 'obj' }>;

export interface RequestInfo {
  prompt: PromptInfo;
  params: CallParams;
  /** `stream` parameter: true/false when literal, null when absent or dynamic. */
  stream: { value: boolean | null; present: boolean };
}

const MAX_TOKEN_KEYS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens', 'maxTokens', 'maxOutputTokens', 'maxCompletionTokens', 'max_new_tokens', 'max_tokens_to_sample', 'maxTokenCount', 'num_predict', 'numPredict'];
const NESTED_CONFIG_KEYS = ['body', 'config', 'generation_config', 'generationConfig', 'inferenceConfig', 'textGenerationConfig', 'model_kwargs', 'modelKwargs', 'options', 'providerOptions', 'extra_body', 'parameters'];

export function readRequest(match: SiteMatch, call: Node, file: FileUnit, ev: Evaluator): RequestInfo {
  const reader = new RequestReader(ev);
  const objects: Obj[] = [];
  if (match.request) objects.push(match.request);
  // Parameters bound at construction (LangChain model kwargs, GenerativeModel generation_config) also apply.
  if (match.bound?.settings && match.bound.settings.kind === 'obj') objects.push(match.bound.settings);
  const keys = new Set<string>();
  for (const o of objects) for (const k of o.props.keys()) keys.add(k);

  const prompt = reader.prompt(match, call, file);
  const params: CallParams = {
    maxOutputTokens: reader.numberParam(objects, MAX_TOKEN_KEYS),
    n: reader.numberParam(objects, ['n', 'candidate_count', 'candidateCount', 'num_generations']),
    temperature: reader.numberParam(objects, ['temperature']),
    reasoningEffort: reader.reasoningEffort(objects),
    toolCount: null,
    toolsText: null,
    toolsDynamic: false,
    responseFormat: reader.responseFormat(objects, match),
    cacheControl: prompt.parts.some((p) => p.cacheControl) || objects.some((o) => o.props.has('cache_control')),
    keys: [...keys],
  };
  const tools = reader.tools(objects);
  params.toolCount = tools.count;
  params.toolsText = tools.text;
  params.toolsDynamic = tools.dynamic;
  const streamFound = reader.find(objects, ['stream', 'streaming']);
  // A flag passed in by callers (`stream=stream`) is decided at run time, whatever its default.
  const fromParameter = streamFound?.node.type === 'identifier' && ev.bindingOf(streamFound.node.text, streamFound.node, streamFound.file)?.kind === 'param';
  const stream = streamFound ? { value: fromParameter ? null : booleanOf(streamFound.value), present: true } : { value: null, present: false };
  return { prompt, params, stream };
}

class RequestReader {
  constructor(private readonly ev: Evaluator) {}

  /** First property among `keys` in the request objects, looking into nested config objects too. */
  find(objects: Obj[], keys: string[], depth = 0): { value: Value; expression: string; node: Node; file: FileUnit } | null {
    for (const o of objects) {
      for (const key of keys) {
        const found = this.ev.objectProp(o, key, 0);
        if (found) return { ...found, file: o.file };
      }
    }
    if (depth > 1) return null;
    for (const o of objects) {
      for (const nestedKey of NESTED_CONFIG_KEYS) {
        const nested = this.ev.objectProp(o, nestedKey, 0);
        if (nested && nested.value.kind === 'obj') {
          const found = this.find([nested.value], keys, depth + 1);
          if (found) return found;
        }
      }
    }
    return null;
  }

  numberParam(objects: Obj[], keys: string[]): NumberParam | null {
    const found = this.find(objects, keys);
    if (!found) return null;
    if (found.value.kind === 'none') return null;
    return { value: numberOf(found.value), expression: found.expression };
  }

  reasoningEffort(objects: Obj[]): string | null {
    const direct = this.find(objects, ['reasoning_effort', 'reasoningEffort']);
    if (direct) return stringOf(direct.value) ?? direct.expression;
    const reasoning = this.find(objects, ['reasoning']);
    if (reasoning && reasoning.value.kind === 'obj') {
      const effort = this.ev.objectProp(reasoning.value, 'effort', 0);
      if (effort) return stringOf(effort.value) ?? effort.expression;
    }
    const thinking = this.find(objects, ['thinking', 'thinking_config', 'thinkingConfig']);
    if (thinking && thinking.value.kind === 'obj') {
      const budget = this.ev.objectProp(thinking.value, 'budget_tokens', 0) ?? this.ev.objectProp(thinking.value, 'thinkingBudget', 0) ?? this.ev.objectProp(thinking.value, 'thinking_budget', 0);
      if (budget) return `thinking budget ${budget.expression}`;
    }
    return null;
  }

  responseFormat(objects: Obj[], match: SiteMatch): string | null {
    const rf = this.find(objects, ['response_format', 'responseFormat', 'response_mime_type', 'responseMimeType', 'response_schema', 'responseSchema', 'output_format', 'text_format', 'schema', 'output']);
    if (!rf) return match.bound && /structured/i.test(match.modelExpression ?? '') ? 'structured output' : null;
    if (rf.value.kind === 'obj') {
      const type = this.ev.objectProp(rf.value, 'type', 0);
      return stringOf(type?.value) ?? 'object';
    }
    return stringOf(rf.value) ?? rf.expression;
  }

  tools(objects: Obj[]): { count: number | null; text: string | null; dynamic: boolean } {
    const found = this.find(objects, ['tools', 'functions', 'toolConfig']);
    if (!found || found.value.kind === 'none') return { count: null, text: null, dynamic: false };
    let value: Value = found.value;
    if (value.kind === 'obj' && value.props.has('tools')) {
      const inner = this.ev.objectProp(value, 'tools', 0);
      if (inner) value = inner.value;
    }
    if (value.kind === 'arr') return { count: value.items.length, text: value.node.text, dynamic: false };
    if (value.kind === 'obj') return { count: value.props.size, text: value.node.text, dynamic: false };
    return { count: null, text: null, dynamic: true };
  }

  // ---------------------------------------------------------------- prompt

  prompt(match: SiteMatch, call: Node, file: FileUnit): PromptInfo {
    const parts: PromptPart[] = [];
    const objects = match.request ? [match.request] : [];
    let opaque: string | null = null;
    const addSystem = (key: string[], role: PromptPart['role'] = 'system'): void => {
      const found = this.find(objects, key);
      if (found) parts.push(...this.contentParts(found.value, role, found.expression));
    };
    const addMessages = (keys: string[]): boolean => {
      const found = this.find(objects, keys);
      if (!found) return false;
      const before = parts.length;
      const ok = this.messages(found.value, parts, found.expression);
      if (!ok) opaque = found.expression;
      return parts.length > before || ok;
    };
    switch (match.style) {
      case 'openai-chat':
        addMessages(['messages']);
        break;
      case 'anthropic':
        addSystem(['system']);
        addMessages(['messages']);
        break;
      case 'openai-responses':
        addSystem(['instructions']);
        if (!addMessages(['input'])) addSystem(['input'], 'user');
        break;
      case 'openai-completions':
        addSystem(['prompt', 'suffix'], 'user');
        break;
      case 'embeddings': {
        const found = this.find(objects, ['input', 'texts', 'contents', 'content', 'value', 'values', 'inputs']) ?? this.positionalValue(match, call, file);
        if (found) this.embeddingInput(found.value, parts, found.expression);
        break;
      }
      case 'google': {
        addSystem(['system_instruction', 'systemInstruction']);
        if (match.bound?.settings && match.bound.settings.kind === 'obj') {
          const sys = this.find([match.bound.settings], ['system_instruction', 'systemInstruction']);
          if (sys) parts.push(...this.contentParts(sys.value, 'system', sys.expression));
        }
        const found = this.find(objects, ['contents', 'message']) ?? this.positionalValue(match, call, file);
        if (found) {
          if (!this.messages(found.value, parts, found.expression)) parts.push(...this.contentParts(found.value, 'user', found.expression));
        }
        break;
      }
      case 'vercel':
        addSystem(['system']);
        addSystem(['prompt'], 'user');
        addMessages(['messages']);
        break;
      case 'cohere':
        addSystem(['preamble']);
        addSystem(['message', 'prompt'], 'user');
        addMessages(['messages', 'chat_history']);
        break;
      case 'bedrock-converse':
        addSystem(['system']);
        addMessages(['messages']);
        break;
      case 'bedrock-invoke': {
        const body = this.find(objects, ['body']);
        if (body && body.value.kind === 'obj') {
          const inner = [body.value];
          const sys = this.find(inner, ['system']);
          if (sys) parts.push(...this.contentParts(sys.value, 'system', sys.expression));
          const msgs = this.find(inner, ['messages']);
          if (msgs) this.messages(msgs.value, parts, msgs.expression);
          const prompt = this.find(inner, ['prompt', 'inputText']);
          if (prompt) parts.push(...this.contentParts(prompt.value, 'user', prompt.expression));
          if (!sys && !msgs && !prompt) opaque = body.expression;
        } else if (body) opaque = body.expression;
        break;
      }
      case 'langchain': {
        if (match.bound?.promptTemplate && match.bound.promptTemplateFile) {
          const tmpl = this.ev.eval(match.bound.promptTemplate, match.bound.promptTemplateFile);
          if (!this.messages(tmpl, parts, match.bound.promptTemplate.text)) parts.push(...this.contentParts(tmpl, 'system', match.bound.promptTemplate.text));
        }
        if (match.role === 'invoke') {
          const input = match.promptArgs[0];
          if (input) {
            const v = this.ev.eval(input, file);
            if (v.kind === 'obj' && match.bound?.promptTemplate) {
              // template variables: each value fills a placeholder
              for (const [key, node] of v.props) parts.push(...this.contentParts(this.ev.eval(node, v.file), 'user', key));
            } else if (!this.messages(v, parts, input.text)) parts.push(...this.contentParts(v, 'user', input.text));
          }
        }
        break;
      }
      case 'http':
        addMessages(['messages']);
        break;
    }
    return { parts, opaque: opaque !== null && parts.length === 0, opaqueExpression: opaque ?? undefined };
  }

  private positionalValue(match: SiteMatch, call: Node, file: FileUnit): { value: Value; expression: string } | null {
    const node = match.promptArgs[0] ?? null;
    if (node) return { value: this.ev.eval(node, file), expression: node.text };
    void call;
    return null;
  }

  private embeddingInput(value: Value, parts: PromptPart[], expression: string): void {
    if (value.kind === 'arr') {
      for (const item of value.items) parts.push(...this.contentParts(this.ev.eval(item, value.file), 'input', item.text));
      return;
    }
    parts.push(...this.contentParts(value, 'input', expression));
  }

  /** Reads a list of chat messages; false when the value is not a readable list. */
  messages(value: Value, parts: PromptPart[], expression: string): boolean {
    if (value.kind !== 'arr') return false;
    for (const item of value.items) {
      const node = unwrap(item);
      if (node.type === 'spread_element' || node.type === 'list_splat') {
        parts.push({ role: 'user', kind: 'dynamic', text: '', expression: node.text });
        continue;
      }
      // LangChain message classes: SystemMessage("..."), HumanMessage(content=...)
      if (node.type === 'call' || node.type === 'call_expression' || node.type === 'new_expression') {
        const name = calleeNameNode(calleeOf(node)!).text;
        const role = LANGCHAIN_MESSAGE_ROLES[name];
        if (role) {
          const args = callArguments(node);
          const content = args.keywords.get('content') ?? args.positional[0];
          if (content) {
            const v = this.ev.eval(content, value.file);
            const contentValue = v.kind === 'obj' ? this.ev.objectProp(v, 'content', 0)?.value ?? v : v;
            parts.push(...this.contentParts(contentValue, role, content.text));
          }
          continue;
        }
      }
      const v = this.ev.eval(item, value.file);
      if (v.kind === 'obj') {
        const roleProp = this.ev.objectProp(v, 'role', 0);
        const role = normalizeRole(stringOf(roleProp?.value) ?? 'user');
        const content = this.ev.objectProp(v, 'content', 0) ?? this.ev.objectProp(v, 'parts', 0) ?? this.ev.objectProp(v, 'text', 0);
        const cache = v.props.has('cache_control');
        if (content) {
          const ps = this.contentParts(content.value, role, content.expression);
          if (cache) for (const p of ps) p.cacheControl = true;
          parts.push(...ps);
        } else parts.push({ role, kind: 'dynamic', text: '', expression: item.text });
      } else if (v.kind === 'arr' && v.items.length === 2) {
        // ("system", "...") tuples in LangChain
        const roleValue = stringOf(this.ev.eval(v.items[0]!, v.file));
        const role = normalizeRole(roleValue ?? 'user');
        parts.push(...this.contentParts(this.ev.eval(v.items[1]!, v.file), role, v.items[1]!.text));
      } else if (v.kind === 'str' || v.kind === 'template') {
        parts.push(...this.contentParts(v, 'user', item.text));
      } else {
        parts.push({ role: 'user', kind: 'dynamic', text: '', expression: item.text });
      }
    }
    void expression;
    return true;
  }

  /** Parts of one message content: a string, a template, or a list of content blocks. */
  contentParts(value: Value, role: PromptPart['role'], expression: string): PromptPart[] {
    switch (value.kind) {
      case 'str':
        return [{ role, kind: 'static', text: value.value }];
      case 'env':
        return value.fallback ? this.contentParts(value.fallback, role, expression) : [{ role, kind: 'dynamic', text: '', expression }];
      case 'template':
        return value.segments.map((s): PromptPart => (s.kind === 'text' ? { role, kind: 'static', text: s.text } : { role, kind: 'dynamic', text: '', expression: s.expression }));
      case 'arr': {
        const out: PromptPart[] = [];
        for (const item of value.items) {
          const v = this.ev.eval(item, value.file);
          if (v.kind === 'obj') {
            const text = this.ev.objectProp(v, 'text', 0);
            const cache = v.props.has('cache_control');
            if (text) {
              const ps = this.contentParts(text.value, role, text.expression);
              if (cache) for (const p of ps) p.cacheControl = true;
              out.push(...ps);
            } else out.push({ role, kind: 'dynamic', text: '', expression: item.text, cacheControl: cache || undefined });
          } else out.push(...this.contentParts(v, role, item.text));
        }
        return out;
      }
      case 'obj': {
        const text = this.ev.objectProp(value, 'text', 0) ?? this.ev.objectProp(value, 'content', 0);
        if (text) return this.contentParts(text.value, role, text.expression);
        return [{ role, kind: 'dynamic', text: '', expression }];
      }
      case 'none':
        return [];
      default:
        return [{ role, kind: 'dynamic', text: '', expression }];
    }
  }
}

const LANGCHAIN_MESSAGE_ROLES: Record<string, PromptPart['role']> = {
  SystemMessage: 'system',
  HumanMessage: 'user',
  AIMessage: 'assistant',
  ToolMessage: 'tool',
  SystemMessagePromptTemplate: 'system',
  HumanMessagePromptTemplate: 'user',
  Content: 'user',
  Part: 'user',
};

function normalizeRole(role: string): PromptPart['role'] {
  switch (role.toLowerCase()) {
    case 'system':
      return 'system';
    case 'developer':
      return 'developer';
    case 'assistant':
    case 'ai':
    case 'model':
    case 'chatbot':
      return 'assistant';
    case 'tool':
    case 'function':
      return 'tool';
    default:
      return 'user';
  }
}
