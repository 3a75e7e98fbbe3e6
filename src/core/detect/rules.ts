/**
 * SDK rules: given a call and what its callee evaluates to, decide whether it is an LLM call site and of which kind.
 * One function per SDK family; `matchCall` tries them in turn. Rules only classify; reading the prompt and the
 * cost parameters is request.ts's job.
 */
import type { Api, Role, Sdk } from '../types';
import type { Evaluator } from './evaluate';
import type { Node } from './parser';
import type { FileUnit } from './project';
import { LANGCHAIN_CLASSES, LANGCHAIN_INVOKE_METHODS, classifyEndpoint, providerOfModelId } from './sdkCatalog';
import { callArguments, calleeNameNode, calleeOf, memberPath } from './syntax';
import { stringOf, type BoundModel, type Value } from './values';

/** Shape of the request, which tells request.ts where the prompt and parameters are. */
export type RequestStyle =
  | 'openai-chat'
  | 'openai-responses'
  | 'openai-completions'
  | 'embeddings'
  | 'anthropic'
  | 'google'
  | 'vercel'
  | 'langchain'
  | 'bedrock-converse'
  | 'bedrock-invoke'
  | 'cohere'
  | 'http';

export interface SiteMatch {
  sdk: Sdk;
  api: Api;
  role: Role;
  provider: string;
  providerReason: string;
  /** Model value and its source text; null when the call has no model argument. */
  model: Value | null;
  modelExpression: string | null;
  /** Streaming known from the API itself (`.stream`, `streamText`); null: read the `stream` parameter. */
  streamingByApi: boolean | null;
  style: RequestStyle;
  /** The object holding the request parameters (keywords / first object argument / JSON body). */
  request: Extract<Value, { kind: 'obj' }> | null;
  /** Positional arguments that carry the prompt (LangChain invoke input, google generate_content contents). */
  promptArgs: Node[];
  /** For model objects: the model bound at construction (settings such as max_tokens live there). */
  bound: BoundModel | null;
  /** Azure deployment bound to the client, used when the call's model is absent. */
  deployment?: string | undefined;
}

/** Names of built-ins that are called often and can never be an LLM call (`fetch` and `require` are not here). */
const PYTHON_BUILTINS: ReadonlySet<string> = new Set([
  'abs', 'all', 'any', 'bool', 'bytes', 'callable', 'chr', 'dict', 'dir', 'divmod', 'enumerate', 'filter', 'float', 'format', 'frozenset',
  'getattr', 'hasattr', 'hash', 'hex', 'id', 'int', 'isinstance', 'issubclass', 'iter', 'len', 'list', 'map', 'max', 'min', 'next', 'object',
  'oct', 'ord', 'pow', 'print', 'range', 'repr', 'reversed', 'round', 'set', 'setattr', 'slice', 'sorted', 'str', 'sum', 'super', 'tuple',
  'type', 'vars', 'zip', 'Exception', 'ValueError', 'TypeError', 'KeyError', 'IndexError', 'RuntimeError', 'AttributeError',
  'NotImplementedError', 'AssertionError', 'LookupError', 'OSError', 'IOError', 'StopIteration', 'TimeoutError', 'PermissionError',
]);
const JS_BUILTINS: ReadonlySet<string> = new Set([
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'String', 'Number', 'Boolean', 'Array', 'Object', 'Symbol', 'BigInt', 'Date', 'RegExp',
  'Error', 'TypeError', 'RangeError', 'SyntaxError', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate',
  'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI', 'structuredClone', 'queueMicrotask',
]);
const BUILTINS: Record<FileUnit['language'], ReadonlySet<string>> = { python: PYTHON_BUILTINS, typescript: JS_BUILTINS, javascript: JS_BUILTINS };

/** Callee names worth evaluating; everything else is rejected before any evaluation (fast path). */
const INTERESTING = new Set([
  'create', 'parse', 'stream', 'acreate', 'complete', 'complete_async', 'stream_async', 'chat', 'chat_stream', 'chatStream',
  'completion', 'acompletion', 'embedding', 'aembedding', 'text_completion', 'atext_completion', 'responses', 'aresponses',
  'generate_content', 'generate_content_async', 'generate_content_stream', 'generateContent', 'generateContentStream',
  'send_message', 'send_message_async', 'send_message_stream', 'sendMessage', 'sendMessageStream', 'embed_content', 'embedContent', 'batchEmbedContents',
  'generateText', 'streamText', 'generateObject', 'streamObject', 'embed', 'embedMany', 'generate',
  'invoke_model', 'invoke_model_with_response_stream', 'converse', 'converse_stream', 'send',
  'post', 'fetch', 'request', 'axios', 'ofetch', '$fetch',
  ...LANGCHAIN_INVOKE_METHODS,
  ...Object.keys(LANGCHAIN_CLASSES),
  'init_chat_model', 'initChatModel',
]);

export function matchCall(call: Node, file: FileUnit, ev: Evaluator): SiteMatch | null {
  const calleeNode = calleeOf(call);
  if (!calleeNode) return null;
  // Plain names are always followed (aliases such as `from litellm import completion as llm` or a bound method
  // `create = client.chat.completions.create`); member calls only when the method name can be an LLM call.
  const plainName = calleeNode.type === 'identifier';
  if (!plainName && !INTERESTING.has(calleeNameNode(calleeNode).text)) return null;
  // Built-in functions and exception classes (`len(`, `sorted(`, `ValueError(`, `parseInt(`) are never LLM calls: not
  // following them spares looking them up through every enclosing scope.
  if (plainName && BUILTINS[file.language].has(calleeNode.text)) return null;
  const callee = ev.eval(calleeNode, file);
  switch (callee.kind) {
    case 'client':
      return clientRule(callee, call, file, ev);
    case 'sdk':
      return sdkRule(callee, call, file, ev);
    case 'model':
      return modelRule(callee, call, file, ev);
    case 'unknown':
      return untracedClientRule(calleeNode, call, file, ev);
    default:
      return null;
  }
}

// ---------------------------------------------------------------- SDK clients

function clientRule(callee: Extract<Value, { kind: 'client' }>, call: Node, file: FileUnit, ev: Evaluator): SiteMatch | null {
  const path = callee.path.filter((p) => p !== 'with_raw_response' && p !== 'with_streaming_response' && p !== 'aio');
  const { client } = callee;
  const request = ev.argObject(call, file, 0);
  const base = {
    provider: client.provider,
    providerReason: client.providerReason,
    request,
    promptArgs: [] as Node[],
    bound: null,
    deployment: client.deployment,
  };
  const model = (keys: string[], position = -1): Pick<SiteMatch, 'model' | 'modelExpression'> => {
    const found = ev.argValue(call, file, 0, keys, position);
    return { model: found?.value ?? null, modelExpression: found?.expression ?? null };
  };
  const joined = path.join('.');
  switch (client.family) {
    case 'openai': {
      const api = openaiApi(joined);
      if (!api) return null;
      return { ...base, sdk: 'openai', ...api, role: 'request', ...model(['model']) };
    }
    case 'anthropic': {
      const p = joined.replace(/^beta\./, '');
      if (p === 'messages.create' || p === 'messages.stream' || p === 'messages.parse') {
        return { ...base, sdk: 'anthropic', api: 'messages', role: 'request', style: 'anthropic', streamingByApi: p.endsWith('stream') ? true : null, ...model(['model']) };
      }
      if (p === 'completions.create') return { ...base, sdk: 'anthropic', api: 'completions', role: 'request', style: 'openai-completions', streamingByApi: null, ...model(['model']) };
      return null;
    }
    case 'google-genai': {
      const p = joined;
      const m = p.match(/^models\.(generate_content|generate_content_stream|generateContent|generateContentStream|embed_content|embedContent)$/);
      if (!m) return null;
      return { ...base, ...googleRequest(m[1]!, false), ...model(['model']) };
    }
    case 'google-generativeai':
      return null;
    case 'mistral': {
      const p = joined;
      if (/^chat\.(complete|complete_async|stream|stream_async|parse|parse_async)$/.test(p) || p === 'chat' || p === 'chat_stream' || p === 'chatStream') {
        return { ...base, sdk: 'mistral', api: 'chat', role: 'request', style: 'openai-chat', streamingByApi: /stream/i.test(p) ? true : false, ...model(['model']) };
      }
      if (/^embeddings(\.create(_async)?)?$/.test(p)) return { ...base, sdk: 'mistral', api: 'embeddings', role: 'request', style: 'embeddings', streamingByApi: false, ...model(['model']) };
      if (/^fim\.(complete|stream)(_async)?$/.test(p)) return { ...base, sdk: 'mistral', api: 'completions', role: 'request', style: 'openai-completions', streamingByApi: /stream/.test(p), ...model(['model']) };
      return null;
    }
    case 'cohere': {
      const p = joined.replace(/^v2\./, '');
      if (p === 'chat' || p === 'chat_stream' || p === 'chatStream') return { ...base, sdk: 'cohere', api: 'chat', role: 'request', style: 'cohere', streamingByApi: p !== 'chat', ...model(['model']) };
      if (p === 'generate' || p === 'generate_stream' || p === 'generateStream') return { ...base, sdk: 'cohere', api: 'generate', role: 'request', style: 'cohere', streamingByApi: p !== 'generate', ...model(['model']) };
      if (p === 'embed') return { ...base, sdk: 'cohere', api: 'embeddings', role: 'request', style: 'embeddings', streamingByApi: false, ...model(['model']) };
      return null;
    }
    case 'bedrock':
      return bedrockRule(path, call, file, ev, base);
    case 'litellm-router': {
      const p = joined;
      if (/^a?completion$|^a?embedding$|^a?text_completion$/.test(p)) {
        const isEmbed = p.includes('embedding');
        return { ...base, provider: 'unknown', providerReason: 'LiteLLM Router model group', sdk: 'litellm', api: isEmbed ? 'embeddings' : 'chat', role: 'request', style: isEmbed ? 'embeddings' : 'openai-chat', streamingByApi: null, ...model(['model'], 0) };
      }
      return null;
    }
    case 'http':
      if (joined === 'post' || joined === 'request') return httpRule(call, file, ev, client.baseUrl ?? null, joined === 'request');
      return null;
    default:
      return null;
  }
}

function openaiApi(path: string): Pick<SiteMatch, 'api' | 'style' | 'streamingByApi'> | null {
  const p = path.replace(/^beta\./, '');
  let m = p.match(/^chat\.completions\.(create|parse|stream|runTools|run_tools)$/);
  if (m) return { api: 'chat', style: 'openai-chat', streamingByApi: m[1] === 'stream' ? true : null };
  m = p.match(/^responses\.(create|stream|parse)$/);
  if (m) return { api: 'responses', style: 'openai-responses', streamingByApi: m[1] === 'stream' ? true : null };
  if (p === 'completions.create') return { api: 'completions', style: 'openai-completions', streamingByApi: null };
  if (p === 'embeddings.create') return { api: 'embeddings', style: 'embeddings', streamingByApi: false };
  // Legacy (openai<1.0): openai.ChatCompletion.create
  m = p.match(/^(ChatCompletion|Completion|Embedding)\.(create|acreate)$/);
  if (m) {
    if (m[1] === 'ChatCompletion') return { api: 'chat', style: 'openai-chat', streamingByApi: null };
    if (m[1] === 'Completion') return { api: 'completions', style: 'openai-completions', streamingByApi: null };
    return { api: 'embeddings', style: 'embeddings', streamingByApi: false };
  }
  return null;
}

function bedrockRule(path: string[], call: Node, file: FileUnit, ev: Evaluator, base: Omit<SiteMatch, 'sdk' | 'api' | 'role' | 'style' | 'streamingByApi' | 'model' | 'modelExpression'>): SiteMatch | null {
  const method = path.join('.');
  let request = base.request;
  let kind: string | null = null;
  if (['invoke_model', 'invoke_model_with_response_stream', 'converse', 'converse_stream'].includes(method)) kind = method;
  else if (method === 'send') {
    const first = callArguments(call).positional[0];
    const cmd = first ? ev.eval(first, file, 0) : null;
    if (!cmd || cmd.kind !== 'command') return null;
    const map: Record<string, string> = {
      ConverseCommand: 'converse',
      ConverseStreamCommand: 'converse_stream',
      InvokeModelCommand: 'invoke_model',
      InvokeModelWithResponseStreamCommand: 'invoke_model_with_response_stream',
    };
    kind = map[cmd.name] ?? null;
    const input = cmd.input ? ev.eval(cmd.input, cmd.file, 0) : null;
    request = input && input.kind === 'obj' ? input : null;
  }
  if (!kind) return null;
  const modelFound = request ? ev.objectProp(request, 'modelId', 0) : null;
  const isConverse = kind.startsWith('converse');
  let api: Api = 'chat';
  let style: RequestStyle = isConverse ? 'bedrock-converse' : 'bedrock-invoke';
  if (!isConverse) {
    const id = stringOf(modelFound?.value) ?? '';
    if (/anthropic\./.test(id)) api = 'messages';
    else if (/embed/i.test(id)) {
      api = 'embeddings';
      style = 'bedrock-invoke';
    }
  }
  return {
    ...base,
    request,
    sdk: 'bedrock',
    api,
    role: 'request',
    style,
    streamingByApi: kind.includes('stream'),
    model: modelFound?.value ?? null,
    modelExpression: modelFound?.expression ?? null,
  };
}

// ---------------------------------------------------------------- module-level functions

function sdkRule(callee: Extract<Value, { kind: 'sdk' }>, call: Node, file: FileUnit, ev: Evaluator): SiteMatch | null {
  const { module, path } = callee;
  const last = path[path.length - 1] ?? '';
  const request = ev.argObject(call, file, 0);
  const model = (keys: string[], position = -1): Pick<SiteMatch, 'model' | 'modelExpression'> => {
    const found = ev.argValue(call, file, 0, keys, position);
    return { model: found?.value ?? null, modelExpression: found?.expression ?? null };
  };
  switch (module) {
    case 'openai': {
      // Module-level client (openai>=1: `openai.chat.completions.create`) and legacy `openai.ChatCompletion.create`.
      const api = openaiApi(path.join('.'));
      if (!api) return null;
      return { sdk: 'openai', ...api, role: 'request', provider: 'openai', providerReason: 'openai module client', request, promptArgs: [], bound: null, ...model(['model', 'engine', 'deployment_id']) };
    }
    case 'litellm': {
      if (path.length !== 1) return null;
      const m = last.match(/^a?(completion|embedding|text_completion|responses)$/);
      if (!m) return null;
      const found = ev.argValue(call, file, 0, ['model'], 0);
      const s = stringOf(found?.value);
      const split = s ? providerOfModelId(s) : null;
      const api: Api = m[1] === 'embedding' ? 'embeddings' : m[1] === 'text_completion' ? 'completions' : m[1] === 'responses' ? 'responses' : 'chat';
      // The model stays as sent (`groq/llama-3.1-8b-instant`); the price lookup strips the provider prefix.
      const model: Value | null = found?.value ?? null;
      return {
        sdk: 'litellm',
        api,
        role: 'request',
        provider: split?.provider ?? 'unknown',
        providerReason: split ? (s!.includes('/') ? `LiteLLM model prefix ${s!.slice(0, s!.indexOf('/'))}/` : 'LiteLLM infers the provider from the model name') : 'LiteLLM provider not known',
        model,
        modelExpression: found?.expression ?? null,
        streamingByApi: api === 'embeddings' ? false : null,
        style: api === 'embeddings' ? 'embeddings' : api === 'completions' ? 'openai-completions' : api === 'responses' ? 'openai-responses' : 'openai-chat',
        request,
        promptArgs: [],
        bound: null,
      };
    }
    case 'vercel-ai': {
      if (!/^(generateText|streamText|generateObject|streamObject|embed|embedMany)$/.test(last) || path.length !== 1) return null;
      const found = ev.argValue(call, file, 0, ['model'], -1);
      let bound: BoundModel | null = null;
      if (found) {
        const v = found.value;
        if (v.kind === 'model') bound = v.model;
        else if (v.kind === 'str' || v.kind === 'env') {
          const gw = ev.vercelGatewayModel(v, found.expression, file, call);
          if (gw.kind === 'model') bound = gw.model;
        }
      }
      const isEmbed = last.startsWith('embed');
      return {
        sdk: 'vercel-ai',
        api: isEmbed ? 'embeddings' : 'chat',
        role: 'request',
        provider: bound?.provider ?? 'unknown',
        providerReason: bound?.providerReason ?? 'model not resolved',
        model: bound ? bound.model : found?.value ?? null,
        modelExpression: bound?.modelExpression ?? found?.expression ?? null,
        streamingByApi: last.startsWith('stream'),
        style: isEmbed ? 'embeddings' : 'vercel',
        request,
        promptArgs: [],
        bound,
      };
    }
    case 'langchain': {
      const lc = LANGCHAIN_CLASSES[last];
      if (!lc && last !== 'init_chat_model' && last !== 'initChatModel') return null;
      const v = ev.eval(call, file, 0);
      if (v.kind !== 'model') return null;
      return {
        sdk: 'langchain',
        api: v.model.api === 'embeddings' ? 'embeddings' : v.model.api === 'completions' ? 'completions' : 'chat',
        role: 'construct',
        provider: v.model.provider,
        providerReason: v.model.providerReason,
        model: v.model.model,
        modelExpression: v.model.modelExpression,
        streamingByApi: null,
        style: 'langchain',
        request: v.model.settings?.kind === 'obj' ? v.model.settings : null,
        promptArgs: [],
        bound: v.model,
      };
    }
    case 'google-generativeai': {
      if (last === 'embed_content' || last === 'embedContent') {
        return { sdk: 'google', api: 'embeddings', role: 'request', provider: 'google', providerReason: 'google.generativeai', style: 'embeddings', streamingByApi: false, request, promptArgs: [], bound: null, ...model(['model'], -1) };
      }
      return null;
    }
    case 'requests':
    case 'httpx':
    case 'aiohttp':
      if (last === 'post' || last === 'request') return httpRule(call, file, ev, null, last === 'request');
      return null;
    case 'axios':
      if (last === 'post' || last === 'request' || path.length === 0 || (path.length === 1 && path[0] === 'default')) return httpRule(call, file, ev, null, last !== 'post');
      return null;
    case 'fetch':
      if (path.length === 0 || (path.length === 1 && path[0] === 'default')) return httpRule(call, file, ev, null, true);
      return null;
    default:
      return null;
  }
}

// ---------------------------------------------------------------- model objects

function modelRule(callee: Extract<Value, { kind: 'model' }>, call: Node, file: FileUnit, ev: Evaluator): SiteMatch | null {
  const method = callee.path.join('.');
  const m = callee.model;
  const args = callArguments(call);
  const base = {
    provider: m.provider,
    providerReason: m.providerReason,
    model: m.model,
    modelExpression: m.modelExpression,
    bound: m,
    request: ev.argObject(call, file, 0),
  };
  if (m.family === 'langchain') {
    if (!LANGCHAIN_INVOKE_METHODS.has(method)) return null;
    const isEmbed = m.api === 'embeddings' || /embed/i.test(method);
    return {
      ...base,
      sdk: 'langchain',
      api: isEmbed ? 'embeddings' : m.api === 'completions' ? 'completions' : 'chat',
      role: 'invoke',
      style: isEmbed ? 'embeddings' : 'langchain',
      streamingByApi: /stream/i.test(method) ? true : isEmbed ? false : null,
      promptArgs: args.positional.slice(0, 1),
    };
  }
  if (m.family === 'google-generativeai' || m.family === 'google-genai-chat') {
    if (!/^(generate_content(_async)?|generateContent(Stream)?|send_message(_async|_stream)?|sendMessage(Stream)?|embed_content|embedContent|count_tokens|countTokens)$/.test(method)) return null;
    if (/count_?tokens/i.test(method)) return null;
    return { ...base, ...googleRequest(method, null), promptArgs: args.positional.slice(0, 1) };
  }
  return null;
}

/** The shape of a Google generate / embed request; `streaming` is what a non-stream method means (false or read from params). */
function googleRequest(method: string, nonStreaming: boolean | null): Pick<SiteMatch, 'sdk' | 'api' | 'role' | 'style' | 'streamingByApi'> {
  const isEmbed = /embed/i.test(method);
  return {
    sdk: 'google',
    api: isEmbed ? 'embeddings' : 'generate',
    role: 'request',
    style: isEmbed ? 'embeddings' : 'google',
    streamingByApi: /stream/i.test(method) ? true : isEmbed ? false : nonStreaming,
  };
}

// ---------------------------------------------------------------- untraced clients

/**
 * A call whose receiver could not be traced (a client passed in without a type, created by an unknown factory) but
 * whose member path is specific to one SDK — `x.chat.completions.create(model=...)`. Reported with the provider
 * assumed from the API shape and said so; requires a model or messages argument, so mocks are not reported.
 */
function untracedClientRule(calleeNode: Node, call: Node, file: FileUnit, ev: Evaluator): SiteMatch | null {
  const path = memberPath(calleeNode);
  if (!path || path.length < 3) return null;
  const tail = path.slice(1).filter((p) => p !== 'with_raw_response' && p !== 'with_streaming_response' && p !== 'beta' && p !== 'aio');
  const joined = tail.join('.');
  const root = path[0]!;
  if (/^(mock|fake|stub|m)_?|Mock$/i.test(root) || /mock/i.test(path.join('.'))) return null;
  // The client expression is what precedes the SDK-specific tail (`chat.completions.create`). When it is built from
  // the project's own classes (a facade, a fake client), it is not an SDK client.
  const clientNode = clientExpression(calleeNode);
  if (!clientNode) return null;
  const receiver = ev.eval(clientNode, file, 0);
  if (receiver.kind !== 'unknown') return null;
  const request = ev.argObject(call, file, 0);
  const hasModel = ev.argValue(call, file, 0, ['model'], -1);
  const hasMessages = ev.argValue(call, file, 0, ['messages', 'input'], -1);
  if (!hasModel && !hasMessages) return null;
  const common = {
    request,
    promptArgs: [] as Node[],
    bound: null,
    model: hasModel?.value ?? null,
    modelExpression: hasModel?.expression ?? null,
    role: 'request' as const,
  };
  const openai = openaiApi(joined);
  if (openai && !/^(ChatCompletion|Completion|Embedding)\./.test(joined)) {
    const s = stringOf(hasModel?.value);
    const provider = (s && providerOfModelId(s)?.provider) || 'openai';
    return { ...common, ...openai, sdk: 'openai', provider, providerReason: `client ${root} not traced; OpenAI-style API ${joined}${s ? ', provider from the model name' : ''}` };
  }
  if (/^messages\.(create|stream)$/.test(joined)) {
    return { ...common, sdk: 'anthropic', api: 'messages', style: 'anthropic', streamingByApi: joined.endsWith('stream') ? true : null, provider: 'anthropic', providerReason: `client ${root} not traced; Anthropic-style API ${joined}` };
  }
  return null;
}

const TAIL_START = new Set(['chat', 'responses', 'messages', 'completions', 'embeddings', 'beta', 'with_raw_response', 'with_streaming_response']);

/** `self.client` in `self.client.chat.completions.create`: the object of the outermost member starting the SDK tail. */
function clientExpression(callee: Node): Node | null {
  let found: Node | null = null;
  for (let node: Node | null = callee; node && (node.type === 'attribute' || node.type === 'member_expression'); node = node.childForFieldName('object')) {
    const prop = node.childForFieldName(node.type === 'attribute' ? 'attribute' : 'property');
    if (prop && TAIL_START.has(prop.text)) found = node.childForFieldName('object');
  }
  return found;
}

// ---------------------------------------------------------------- raw HTTP

function httpRule(call: Node, file: FileUnit, ev: Evaluator, baseUrl: string | null, needsPost: boolean): SiteMatch | null {
  const args = callArguments(call);
  const first = args.positional[0];
  let urlValue: Value | null = null;
  let options: Extract<Value, { kind: 'obj' }> | null = null;
  if (first) {
    const v = ev.eval(first, file, 0);
    if (v.kind === 'obj') {
      options = v; // axios({ url, method, data })
      const u = ev.objectProp(v, 'url', 0);
      urlValue = u?.value ?? null;
    } else {
      urlValue = v;
    }
  } else {
    const kw = ev.argValue(call, file, 0, ['url'], -1);
    urlValue = kw?.value ?? null;
  }
  if (!urlValue) return null;
  let url = stringOf(urlValue);
  if (url === null && urlValue.kind === 'template') url = urlValue.text;
  if (url === null) return null;
  if (baseUrl && !/^https?:/i.test(url)) url = baseUrl.replace(/\/$/, '') + '/' + url.replace(/^\//, '');
  const endpoint = classifyEndpoint(url);
  if (!endpoint) return null;
  // Request options: fetch(url, init) / axios.post(url, data, config) / requests.post(url, json=...)
  const second = args.positional[1];
  if (!options && second) {
    const v = ev.eval(second, file, 0);
    if (v.kind === 'obj') options = v;
  }
  const pyBody = file.language === 'python' ? ev.argValue(call, file, 0, ['json', 'data', 'content'], -1) : null;
  let body: Value | null = pyBody?.value ?? null;
  if (!body && options) {
    const methodProp = ev.objectProp(options, 'method', 0);
    const method = stringOf(methodProp?.value)?.toUpperCase();
    if (needsPost && method && method !== 'POST') return null;
    const isAxiosPost = calleeNameNode(calleeOf(call)!).text === 'post' && file.language !== 'python';
    if (isAxiosPost) body = options;
    else {
      const b = ev.objectProp(options, 'body', 0) ?? ev.objectProp(options, 'data', 0) ?? ev.objectProp(options, 'json', 0);
      body = b?.value ?? null;
      if (!b && needsPost && !method) return null; // GET without a body
    }
  } else if (!body && needsPost && file.language !== 'python') {
    return null;
  }
  const request = body && body.kind === 'obj' ? body : null;
  const modelFound = request ? ev.objectProp(request, 'model', 0) : null;
  let model = modelFound?.value ?? null;
  let modelExpression = modelFound?.expression ?? null;
  // Google REST: the model is in the URL path (…/models/gemini-1.5-flash:generateContent)
  const inPath = url.match(/\/models\/([^/:]+):/);
  if (!model && inPath) {
    model = { kind: 'str', value: inPath[1]!, origin: null, via: ['model in the URL path'] };
    modelExpression = inPath[1]!;
  }
  const style: RequestStyle =
    endpoint.api === 'messages' ? 'anthropic' : endpoint.api === 'generate' && endpoint.provider === 'google' ? 'google' : endpoint.api === 'responses' ? 'openai-responses' : endpoint.api === 'embeddings' ? 'embeddings' : endpoint.api === 'completions' ? 'openai-completions' : endpoint.provider === 'cohere' ? 'cohere' : 'openai-chat';
  return {
    sdk: 'http',
    api: endpoint.api === 'chat' || endpoint.api === 'responses' || endpoint.api === 'messages' || endpoint.api === 'embeddings' || endpoint.api === 'completions' || endpoint.api === 'generate' ? endpoint.api : 'other',
    role: 'request',
    provider: endpoint.provider,
    providerReason: `endpoint ${url.replace(/\?.*$/, '')}`,
    model,
    modelExpression,
    streamingByApi: /:streamGenerateContent/.test(url) ? true : null,
    style,
    request,
    promptArgs: [],
    bound: null,
  };
}
