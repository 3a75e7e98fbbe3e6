/**
 * The prompt of a comparison: prefilled from a call site (its static messages, with each dynamic part shown as an
 * editable `{{placeholder}}` named after its expression), from selected text, or typed. `renderPrompt` fills the
 * placeholders and validates the result before anything is estimated or sent.
 */
import type { CallSite, PromptPart } from '../types';
import { COMPARE_LIMITS, type ChatMessage, type ChatRole } from './types';

export interface Placeholder {
  /** Name inside `{{…}}`. */
  name: string;
  /** Source expression it stands for (for call-site prompts), else the name. */
  expression: string;
  /** Value to send; editable. Empty until the person fills it in. */
  value: string;
}

export interface PromptTemplate {
  /** Messages whose content may contain `{{name}}` placeholders. */
  messages: ChatMessage[];
  placeholders: Placeholder[];
  source: 'call-site' | 'selection' | 'typed';
  /** Call site id, for `call-site` prompts. */
  siteId?: string | undefined;
  /** What was changed or could not be carried over, in words. */
  notes: string[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}/g;

/** Placeholder names used in a text, in order of first use. */
export function findPlaceholders(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) if (!names.includes(m[1]!)) names.push(m[1]!);
  return names;
}

/** A readable placeholder name for an expression: `user.question` stays, `req.body["q"]` → `req.body.q`. */
export function placeholderName(expression: string): string {
  let name = expression
    .replace(/\[\s*["'`]([^"'`]*)["'`]\s*\]/g, '.$1') // x["key"] → x.key
    .replace(/\(\s*\)/g, '') // calls without arguments: get_history() → get_history
    .replace(/^(self|this)\./, '')
    .replace(/[^A-Za-z0-9_.]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/\.+/g, '.')
    .replace(/^[._0-9]+|[._]+$/g, '');
  if (name.length > 40) name = name.slice(name.length - 40).replace(/^[._0-9]+/, '');
  return name || 'input';
}

function chatRole(role: PromptPart['role'], notes: string[]): ChatRole {
  switch (role) {
    case 'system':
    case 'developer':
    case 'user':
    case 'assistant':
      return role;
    case 'input':
      return 'user';
    case 'tool':
      if (!notes.includes('tool messages are sent as user messages')) notes.push('tool messages are sent as user messages');
      return 'user';
  }
}

/**
 * The call site's prompt as a template: consecutive parts of one role form one message; each dynamic part becomes
 * `{{name}}`; a prompt that could not be read at all becomes one user message `{{name}}` of its expression.
 */
export function promptFromCallSite(site: Pick<CallSite, 'id' | 'prompt'>): PromptTemplate {
  const notes: string[] = [];
  const messages: ChatMessage[] = [];
  const placeholders: Placeholder[] = [];
  const byExpression = new Map<string, string>();
  const nameFor = (expression: string): string => {
    const known = byExpression.get(expression);
    if (known) return known;
    const base = placeholderName(expression);
    let name = base;
    for (let i = 2; placeholders.some((p) => p.name === name); i++) name = `${base}_${i}`;
    byExpression.set(expression, name);
    placeholders.push({ name, expression, value: '' });
    return name;
  };
  const push = (role: ChatRole, text: string): void => {
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content += text;
    else messages.push({ role, content: text });
  };
  for (const part of site.prompt.parts) {
    const role = chatRole(part.role, notes);
    if (part.kind === 'static') push(role, part.text);
    else push(role, `{{${nameFor(part.expression ?? 'input')}}}`);
  }
  if (site.prompt.opaque || messages.length === 0) {
    const expression = site.prompt.opaqueExpression ?? 'prompt';
    push('user', `{{${nameFor(expression)}}}`);
    notes.push(`the prompt (${short(expression)}) is built at runtime: type a realistic one`);
  }
  return { messages: messages.filter((m) => m.content.length > 0), placeholders, source: 'call-site', siteId: site.id, notes };
}

/** A prompt from selected or typed text: one user message (or system + user); `{{name}}` in it become placeholders. */
export function promptFromText(text: string, options: { source?: 'selection' | 'typed'; system?: string | undefined } = {}): PromptTemplate {
  const messages: ChatMessage[] = [];
  if (options.system?.trim()) messages.push({ role: 'system', content: options.system });
  messages.push({ role: 'user', content: text });
  const names = findPlaceholders(messages.map((m) => m.content).join('\n'));
  return { messages, placeholders: names.map((name) => ({ name, expression: name, value: '' })), source: options.source ?? 'typed', notes: [] };
}

export interface RenderedPrompt {
  ok: boolean;
  messages: ChatMessage[];
  /** Blocking problems (nothing is sent while there are any). */
  problems: string[];
  /** Worth saying, not blocking. */
  warnings: string[];
}

const ROLES: readonly ChatRole[] = ['system', 'developer', 'user', 'assistant'];

/**
 * Fills the placeholders (`values` win over the template's own values) and validates: known roles, at least one
 * non-system message with text, every placeholder filled, and a size limit.
 */
export function renderPrompt(template: Pick<PromptTemplate, 'messages' | 'placeholders'>, values: Readonly<Record<string, string>> = {}): RenderedPrompt {
  const problems: string[] = [];
  const warnings: string[] = [];
  const valueOf = new Map<string, string>();
  for (const p of template.placeholders) valueOf.set(p.name, values[p.name] ?? p.value);
  for (const [k, v] of Object.entries(values)) if (!valueOf.has(k)) valueOf.set(k, v);
  const unfilled = new Set<string>();
  const messages = template.messages.map((m) => ({
    role: m.role,
    content: m.content.replace(PLACEHOLDER, (whole, name: string) => {
      if (!template.placeholders.some((p) => p.name === name) && !(name in values)) return whole; // not ours: literal text
      const v = valueOf.get(name) ?? '';
      if (v === '') unfilled.add(name);
      return v;
    }),
  }));
  for (const name of unfilled) {
    const p = template.placeholders.find((x) => x.name === name);
    problems.push(`fill in {{${name}}}${p && p.expression !== name ? ` (stands for \`${short(p.expression)}\`)` : ''}`);
  }
  problems.push(...validateMessages(messages));
  const chars = messages.reduce((n, m) => n + m.content.length, 0);
  if (chars > 100_000 && chars <= COMPARE_LIMITS.maxPromptChars) warnings.push(`the prompt is long (${chars.toLocaleString('en-US')} characters)`);
  return { ok: problems.length === 0, messages, problems, warnings };
}

/** Problems of a list of messages ready to send. */
export function validateMessages(messages: readonly ChatMessage[]): string[] {
  const problems: string[] = [];
  if (messages.length === 0) problems.push('the prompt has no messages');
  for (const [i, m] of messages.entries()) {
    if (!ROLES.includes(m.role)) problems.push(`message ${i + 1} has an unknown role '${String(m.role)}' (use ${ROLES.join(', ')})`);
    if (typeof m.content !== 'string') problems.push(`message ${i + 1} has no text`);
  }
  if (messages.length > 0 && !messages.some((m) => m.role !== 'system' && m.role !== 'developer' && typeof m.content === 'string' && m.content.trim() !== '')) {
    problems.push('the prompt needs a user message with some text');
  }
  const chars = messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : 0), 0);
  if (chars > COMPARE_LIMITS.maxPromptChars) problems.push(`the prompt is too long (${chars.toLocaleString('en-US')} characters; at most ${COMPARE_LIMITS.maxPromptChars.toLocaleString('en-US')})`);
  return problems;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 39)}…` : one;
}
