/**
 * The compare panel's webview: prompt editor (messages, placeholder values), model picker, parameters, quality
 * signal, dry-run estimate, live columns and the finished comparison, recent comparisons and provider keys.
 *
 * Everything it shows comes from the extension (figures computed in the core); it only lays them out and sends the
 * person's edits and actions back as typed messages (src/core/compare/protocol.ts, types only). Model answers are
 * untrusted text: they are only ever inserted as text nodes. Keys never come here: only whether a provider has one.
 */
import type { DryRunEstimate } from '../../src/core/compare/dryRun';
import type {
  CompareDraft,
  CompareHostMessage,
  ComparePanelState,
  CompareParams,
  CompareWebviewMessage,
  ModelChoice,
  PromptDraft,
  QualityDraft,
  RecentComparison,
} from '../../src/core/compare/protocol';
import { findPlaceholders } from '../../src/core/compare/prompt';
import { DEFAULT_RUBRIC } from '../../src/core/compare/quality';
import { COMPARE_DEFAULTS, COMPARE_LIMITS, type ChatRole, type CompareError, type CompareEvent, type ComparisonResult, type ModelSummary, type QualityCheck, type RunQuality, type RunResult } from '../../src/core/compare/types';
import { compactNumber, formatCostPerRequest, formatPerMTok, formatTokens } from '../../src/core/format';
import { h, icon, vscodeApi } from '../shared/dom';
import { columnCells, formatDuration, runFigures } from './format';

// ---------------------------------------------------------------------------------------------- state

interface SavedState {
  draft?: CompareDraft;
  resultId?: string | null;
}

type Valued = HTMLElement & { value: string };
type Checkable = HTMLElement & { checked: boolean };

interface RunView {
  run: number;
  text: string;
  status: 'waiting' | 'streaming' | 'retrying' | 'done' | 'error' | 'cancelled';
  note: string;
  result?: RunResult;
  error?: CompareError;
  quality?: RunQuality;
  out?: HTMLElement;
  line?: HTMLElement;
}

interface LiveColumn {
  model: string;
  modelId: string;
  providerLabel: string;
  baseURL: string;
  isCurrent: boolean;
  runs: RunView[];
  el?: HTMLElement;
}

interface Live {
  requestId: string;
  runId: string;
  columns: LiveColumn[];
  startedAt: number;
}

const api = vscodeApi<SavedState>();
const app = document.getElementById('app')!;
const MIN_MODELS = 2;
const MAX_MODELS = COMPARE_LIMITS.maxModels;
const ROLES: ChatRole[] = ['system', 'developer', 'user', 'assistant'];

let panel: ComparePanelState | null = null;
let draft: CompareDraft | null = api.getState()?.draft ?? null;
let result: ComparisonResult | null = null;
let live: Live | null = null;
let estimate: DryRunEstimate | null = null;
let pendingDryRun: string | null = null;
let pendingRun: string | null = null;
let keyStatus: Record<string, boolean> = {};
/** The model "Use this model" is being applied for. */
let pendingUse: string | null = null;
/** Models added by name in this panel (shown in the picker even when unchecked). */
const added = new Set<string>();
let counter = 0;

const nextId = (): string => `r${Date.now().toString(36)}${(counter++).toString(36)}`;
const send = (m: CompareWebviewMessage): void => api.postMessage(m);
const save = (): void => api.setState({ draft: draft ?? undefined, resultId: result?.id ?? null });

const debouncers = new Map<string, ReturnType<typeof setTimeout>>();
function later(key: string, fn: () => void, ms = 200): void {
  const t = debouncers.get(key);
  if (t) clearTimeout(t);
  debouncers.set(key, setTimeout(() => {
    debouncers.delete(key);
    fn();
  }, ms));
}
/** Sends every pending edit now (before a dry run or a run). */
function flushEdits(): void {
  for (const [key, t] of debouncers) {
    clearTimeout(t);
    debouncers.delete(key);
    edits[key]?.();
  }
}
const edits: Record<string, () => void> = {
  prompt: () => draft && send({ type: 'setPrompt', prompt: draft.prompt }),
  models: () => draft && draft.models.length > 0 && send({ type: 'setModels', models: draft.models }),
  params: () => draft && send({ type: 'setParams', params: draft.params }),
  quality: () => draft && send({ type: 'setQuality', quality: draft.quality }),
};
function changed(what: keyof typeof edits): void {
  save();
  later(what, edits[what]!);
  if (what === 'models') renderProviders();
  renderActions();
}

// ---------------------------------------------------------------------------------------------- small builders

function field(id: string, label: string, control: HTMLElement, hint?: string | Node): HTMLElement {
  return h('div', { class: 'control' }, h('label', { for: id }, label), control, hint ? h('div', { class: 'muted cmp-hint', id: `${id}-hint` }, hint) : null);
}

function textfield(id: string, label: string, value: string, attrs: Record<string, string | number | boolean | undefined> = {}): Valued {
  const el = h('vscode-textfield', { id, label, ...attrs }) as Valued;
  el.value = value;
  return el;
}

function textarea(id: string, label: string, value: string, rows = 3): Valued {
  const el = h('vscode-textarea', { id, label, rows, resize: 'vertical', class: 'cmp-textarea' }) as Valued;
  el.value = value;
  return el;
}

function select(id: string, label: string, options: Array<[string, string]>, value: string): Valued {
  const el = h('vscode-single-select', { id, label }, ...options.map(([v, text]) => h('vscode-option', { value: v, selected: v === value }, text))) as Valued;
  queueMicrotask(() => (el.value = value));
  return el;
}

function checkbox(id: string, label: string, checked: boolean, attrs: Record<string, string | number | boolean | undefined> = {}): Checkable {
  // The label as slotted text only: with a `label` attribute as well, vscode-checkbox re-renders its label on the first
  // mouse press and that first click is lost.
  const el = h('vscode-checkbox', { id, checked, ...attrs }, label) as Checkable;
  el.checked = checked;
  return el;
}

function button(id: string, codicon: string, text: string, onClick: () => void, opts: { secondary?: boolean; disabled?: boolean; title?: string } = {}): HTMLElement {
  const el = h('vscode-button', { id, secondary: opts.secondary, disabled: opts.disabled, title: opts.title }, icon(codicon), ` ${text}`);
  el.addEventListener('click', () => {
    if (!el.hasAttribute('disabled')) onClick();
  });
  return el;
}

function setDisabled(el: Element | null, disabled: boolean): void {
  if (!el) return;
  el.toggleAttribute('disabled', disabled);
  (el as HTMLElement & { disabled?: boolean }).disabled = disabled;
}

function num(v: string): number | null {
  const t = v.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

const section = (id: string, title: string, codicon: string, ...children: Array<Node | null>): HTMLElement =>
  h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, icon(codicon), ` ${title}`), ...children);

// ---------------------------------------------------------------------------------------------- prompt

function syncPlaceholders(): boolean {
  if (!draft) return false;
  const names = findPlaceholders(draft.prompt.messages.map((m) => m.content).join('\n'));
  const before = draft.prompt.placeholders.map((p) => p.name).join('\u0000');
  const kept = names.map((name) => draft!.prompt.placeholders.find((p) => p.name === name) ?? { name, expression: name, value: '' });
  draft.prompt = { ...draft.prompt, placeholders: kept };
  return kept.map((p) => p.name).join('\u0000') !== before;
}

function promptSection(): HTMLElement {
  const d = draft!;
  const p = d.prompt;
  const origin =
    p.source === 'call-site' && panel?.site ? `From the call at ${panel.site.file}:${panel.site.line}: its static text, with each dynamic part as a {{placeholder}} to fill in.`
    : p.source === 'call-site' ? 'From a call in the code: its static text, with each dynamic part as a {{placeholder}} to fill in.'
    : p.source === 'selection' ? 'From the selected text. Write {{name}} for a part you want to vary.'
    : 'Type the prompt. Write {{name}} for a part you want to vary.';
  const messages = p.messages.map((m, i) => {
    const role = select(`msg-role-${i}`, `Role of message ${i + 1}`, ROLES.map((r) => [r, r]), m.role);
    role.addEventListener('change', () => {
      const r = role.value as ChatRole;
      if (ROLES.includes(r)) updateMessage(i, { role: r });
    });
    const text = textarea(`msg-text-${i}`, `Message ${i + 1} (${m.role})`, m.content, Math.min(12, Math.max(3, m.content.split('\n').length + 1)));
    text.classList.add('cmp-message-text');
    text.addEventListener('input', () => {
      updateMessage(i, { content: text.value });
      if (syncPlaceholders()) renderPlaceholders();
    });
    const remove = button(`msg-remove-${i}`, 'trash', 'Remove', () => {
      draft!.prompt = { ...draft!.prompt, messages: draft!.prompt.messages.filter((_, j) => j !== i) };
      syncPlaceholders();
      changed('prompt');
      renderPrompt();
    }, { secondary: true, disabled: p.messages.length <= 1, title: `Remove message ${i + 1}` });
    return h('div', { class: 'cmp-message', 'data-index': i }, h('div', { class: 'cmp-message-head' }, h('label', { for: `msg-role-${i}` }, `Message ${i + 1}`), role, remove), text);
  });
  const addMessage = button('msg-add', 'add', 'Add message', () => {
    const last = draft!.prompt.messages[draft!.prompt.messages.length - 1];
    draft!.prompt = { ...draft!.prompt, messages: [...draft!.prompt.messages, { role: last?.role === 'user' ? 'assistant' : 'user', content: '' }] };
    changed('prompt');
    renderPrompt();
    (document.querySelector(`#msg-text-${draft!.prompt.messages.length - 1}`) as HTMLElement | null)?.focus();
  }, { secondary: true, disabled: p.messages.length >= 200 });
  return section(
    'prompt',
    'Prompt',
    'comment-discussion',
    h('p', { class: 'muted' }, origin),
    p.notes?.length ? h('ul', { class: 'warn', id: 'prompt-notes' }, ...p.notes.map((n) => h('li', {}, n))) : null,
    h('div', { id: 'prompt-messages' }, ...messages),
    h('div', { class: 'cards' }, addMessage),
    h('div', { id: 'placeholders' }),
  );
}

function updateMessage(i: number, patch: Partial<{ role: ChatRole; content: string }>): void {
  if (!draft) return;
  draft.prompt = { ...draft.prompt, messages: draft.prompt.messages.map((m, j) => (j === i ? { ...m, ...patch } : m)) };
  changed('prompt');
}

function renderPlaceholders(): void {
  const box = document.getElementById('placeholders');
  if (!box || !draft) return;
  const list = draft.prompt.placeholders;
  if (!list.length) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    h('h3', {}, 'Placeholder values'),
    h('p', { class: 'muted' }, 'Each {{placeholder}} is replaced by its value before anything is sent. Use a realistic value: it decides the tokens and the answers.'),
    ...list.map((p, i) => {
      const input = textarea(`ph-${i}`, `Value of {{${p.name}}}`, p.value, 2);
      input.setAttribute('data-placeholder', p.name);
      input.addEventListener('input', () => {
        draft!.prompt = { ...draft!.prompt, placeholders: draft!.prompt.placeholders.map((x) => (x.name === p.name ? { ...x, value: input.value } : x)) };
        changed('prompt');
      });
      return field(`ph-${i}`, `{{${p.name}}}`, input, p.expression !== p.name ? `stands for ${p.expression} in the code` : undefined);
    }),
  );
}

function renderPrompt(): void {
  document.getElementById('prompt')?.replaceWith(promptSection());
  renderPlaceholders();
}

// ---------------------------------------------------------------------------------------------- models

function priceText(c: ModelChoice): string {
  return c.inputPerMTok === null || c.outputPerMTok === null ? 'price unknown' : `${formatPerMTok(c.inputPerMTok)} in · ${formatPerMTok(c.outputPerMTok)} out`;
}

function modelsSection(): HTMLElement {
  const d = draft!;
  const choices = panel?.modelChoices ?? [];
  const known = new Set(choices.map((c) => c.model));
  const extra = [...new Set([...d.models, ...added])].filter((m) => !known.has(m));
  const row = (model: string, label: string, details: string, badge: string | null, i: number): HTMLElement => {
    const id = `model-${i}`;
    const box = checkbox(id, model, d.models.includes(model), { 'data-model': model });
    box.addEventListener('change', () => {
      let models = draft!.models.filter((m) => m !== model);
      if (box.checked) {
        if (models.length >= MAX_MODELS) {
          box.checked = false;
          note('models-note', `At most ${MAX_MODELS} models: uncheck one first.`);
          return;
        }
        models = [...draft!.models.filter((m) => m !== model), model];
      }
      draft!.models = models;
      changed('models');
      renderModelCount();
    });
    return h('li', { class: 'cmp-model' }, box, h('span', { class: 'muted' }, ` ${label}`), badge ? h('vscode-badge', { variant: 'counter', class: 'cmp-badge' }, badge) : null, h('div', { class: 'muted cmp-price' }, details));
  };
  const rows = [
    ...choices.map((c, i) => row(c.model, c.label.replace(`${c.model} · `, ''), priceText(c), c.reason === 'current' ? 'current' : c.reason === 'suggested' ? 'suggested' : null, i)),
    ...extra.map((m, i) => row(m, 'added by name', 'price looked up when estimated', null, choices.length + i)),
  ];
  const name = textfield('model-add-name', 'Model to add', '', { placeholder: 'e.g. claude-haiku-4-5, ollama/llama3.1:8b, custom/my-model' });
  const add = (): void => {
    const m = name.value.trim();
    if (!m || m.length > 200) return;
    if (draft!.models.includes(m)) return;
    if (draft!.models.length >= MAX_MODELS) {
      note('models-note', `At most ${MAX_MODELS} models: uncheck one first.`);
      return;
    }
    added.add(m);
    draft!.models = [...draft!.models, m];
    changed('models');
    document.getElementById('models')?.replaceWith(modelsSection());
    renderModelCount();
    (document.getElementById('model-add-name') as HTMLElement | null)?.focus();
  };
  name.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') {
      e.preventDefault();
      add();
    }
  });
  return section(
    'models',
    'Models',
    'layers',
    h('p', { class: 'muted' }, `Pick ${MIN_MODELS}–${MAX_MODELS}. A model goes to its maker's API (gpt-… → OpenAI, claude-… → Anthropic, gemini-… → Google) unless written with a provider prefix (ollama/, lmstudio/, vllm/, litellm/, openrouter/, azure/, custom/).`),
    h('ul', { class: 'cmp-models', id: 'model-list', 'aria-label': 'Models to compare' }, ...rows),
    h('div', { class: 'cmp-add-model' }, field('model-add-name', 'Add a model by name', name), button('model-add', 'add', 'Add', add, { secondary: true })),
    h('p', { id: 'models-note', class: 'muted', role: 'status' }),
  );
}

function renderModelCount(): void {
  const n = draft?.models.length ?? 0;
  note('models-note', `${n} selected${n < MIN_MODELS ? ` — pick at least ${MIN_MODELS}` : ''}.`, n < MIN_MODELS);
}

function note(id: string, text: string, warn = false): void {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  el.className = warn ? 'warn' : 'muted';
}

// ---------------------------------------------------------------------------------------------- parameters

function paramsSection(): HTMLElement {
  const p = draft!.params;
  const set = (patch: Partial<CompareParams>): void => {
    draft!.params = { ...draft!.params, ...patch };
    changed('params');
  };
  const temperature = textfield('param-temperature', 'Temperature', p.temperature === null ? '' : String(p.temperature), { type: 'number', min: 0, max: 2, step: 0.1, placeholder: 'endpoint default' });
  temperature.addEventListener('input', () => {
    const v = num(temperature.value);
    if (v === null || (v >= 0 && v <= 2)) set({ temperature: v });
  });
  const maxOut = textfield('param-max-tokens', 'Output limit (tokens)', String(p.maxOutputTokens), { type: 'number', min: 1, max: COMPARE_LIMITS.maxOutputTokens, step: 1 });
  maxOut.addEventListener('input', () => {
    const v = num(maxOut.value);
    if (v !== null && Number.isInteger(v) && v >= 1 && v <= COMPARE_LIMITS.maxOutputTokens) set({ maxOutputTokens: v });
  });
  const runs = textfield('param-runs', 'Runs per model', String(p.runs), { type: 'number', min: 1, max: COMPARE_LIMITS.maxRuns, step: 1 });
  runs.addEventListener('input', () => {
    const v = num(runs.value);
    if (v !== null && Number.isInteger(v) && v >= 1 && v <= COMPARE_LIMITS.maxRuns) set({ runs: v });
  });
  const rpm = textfield('param-rpm', 'Requests per month', p.requestsPerMonth === null ? '' : String(Math.round(p.requestsPerMonth)), { type: 'number', min: 0, step: 1000, placeholder: 'not projected' });
  rpm.addEventListener('input', () => {
    const v = num(rpm.value);
    if (v === null || v >= 0) set({ requestsPerMonth: v });
  });
  const stream = checkbox('param-stream', 'Stream the answers (time to first token)', p.stream);
  stream.addEventListener('change', () => set({ stream: stream.checked }));
  return section(
    'params',
    'Parameters',
    'settings',
    h(
      'div',
      { class: 'controls' },
      field('param-temperature', 'Temperature (0–2, empty: default)', temperature),
      field('param-max-tokens', 'Output limit (tokens)', maxOut),
      field('param-runs', `Runs per model (1–${COMPARE_LIMITS.maxRuns})`, runs, 'several runs show the variance'),
      field('param-rpm', 'Requests per month', rpm, panel?.site ? 'the call site\u2019s traffic, for the monthly projection' : 'for the monthly projection'),
    ),
    stream,
  );
}

// ---------------------------------------------------------------------------------------------- quality

function emptyQuality(): QualityDraft {
  return { checks: [], expectedAnswer: null, judge: null, minJudgeScore: COMPARE_DEFAULTS.minJudgeScore, minPassRate: COMPARE_DEFAULTS.minPassRate };
}

/** Texts of checks while they are edited (a JSON schema is only a check once it parses). */
interface CheckRow {
  kind: QualityCheck['kind'];
  text: string;
}
let checkRows: CheckRow[] = [];
let judgeModel = '';
let judgeRubric = DEFAULT_RUBRIC;
let judgeOn = false;

function checkText(c: QualityCheck): string {
  return c.kind === 'regex' ? c.pattern : c.kind === 'json-schema' ? JSON.stringify(c.schema, null, 2) : c.expected;
}

function loadQuality(): void {
  const q = draft?.quality;
  checkRows = (q?.checks ?? []).map((c) => ({ kind: c.kind, text: checkText(c) }));
  judgeOn = !!q?.judge;
  judgeModel = q?.judge?.model ?? judgeModel;
  judgeRubric = q?.judge?.rubric ?? judgeRubric;
}

function commitQuality(): void {
  if (!draft) return;
  const base = draft.quality ?? emptyQuality();
  const checks: QualityCheck[] = [];
  const problems: string[] = [];
  for (const [i, r] of checkRows.entries()) {
    if (r.text.trim() === '') continue;
    if (r.kind === 'json-schema') {
      try {
        const schema = JSON.parse(r.text) as unknown;
        if (typeof schema === 'boolean' || (schema && typeof schema === 'object' && !Array.isArray(schema))) checks.push({ kind: 'json-schema', schema: schema as Record<string, unknown> | boolean });
        else problems.push(`check ${i + 1}: a JSON schema is an object`);
      } catch (err) {
        problems.push(`check ${i + 1}: not valid JSON (${(err as Error).message})`);
      }
    } else if (r.kind === 'regex') checks.push({ kind: 'regex', pattern: r.text });
    else checks.push({ kind: r.kind, expected: r.text });
  }
  const judge = judgeOn && judgeModel.trim() && judgeRubric.trim() ? { model: judgeModel.trim(), rubric: judgeRubric } : null;
  const q: QualityDraft = { ...base, checks: checks.slice(0, 10), judge };
  const empty = !q.checks.length && !q.judge && !q.expectedAnswer;
  draft.quality = empty ? null : q;
  note('quality-note', problems.length ? problems.join('; ') : judgeOn && !judge ? 'Name the judge model and keep a rubric.' : '', problems.length > 0 || (judgeOn && !judge));
  changed('quality');
}

function qualitySection(): HTMLElement {
  const q = draft!.quality ?? emptyQuality();
  const checks = checkRows.map((r, i) => {
    const kind = select(`check-kind-${i}`, `Kind of check ${i + 1}`, [['contains', 'contains'], ['exact', 'is exactly'], ['regex', 'matches regex'], ['json-schema', 'is JSON valid for schema']], r.kind);
    kind.addEventListener('change', () => {
      checkRows[i] = { ...checkRows[i]!, kind: kind.value as QualityCheck['kind'] };
      commitQuality();
    });
    const text = textarea(`check-text-${i}`, `Expected text, pattern or schema of check ${i + 1}`, r.text, r.kind === 'json-schema' ? 4 : 1);
    text.addEventListener('input', () => {
      checkRows[i] = { ...checkRows[i]!, text: text.value };
      commitQuality();
    });
    const remove = button(`check-remove-${i}`, 'trash', 'Remove', () => {
      checkRows.splice(i, 1);
      commitQuality();
      renderQuality();
    }, { secondary: true, title: `Remove check ${i + 1}` });
    return h('div', { class: 'cmp-check' }, h('label', { for: `check-kind-${i}` }, `Check ${i + 1}: the answer`), kind, text, remove);
  });
  const addCheck = button('check-add', 'add', 'Add check', () => {
    checkRows.push({ kind: 'contains', text: '' });
    renderQuality();
    (document.querySelector(`#check-text-${checkRows.length - 1}`) as HTMLElement | null)?.focus();
  }, { secondary: true, disabled: checkRows.length >= 10 });
  const expected = textarea('quality-expected', 'Expected answer (optional, shown to the judge)', q.expectedAnswer ?? '', 2);
  expected.addEventListener('input', () => {
    draft!.quality = { ...(draft!.quality ?? emptyQuality()), expectedAnswer: expected.value.trim() ? expected.value : null };
    commitQuality();
  });
  const useJudge = checkbox('judge-on', 'Score each answer with an LLM judge (one more request per answer)', judgeOn);
  const judge = textfield('judge-model', 'Judge model', judgeModel, { placeholder: 'e.g. gpt-4.1' });
  const rubric = textarea('judge-rubric', 'Rubric (sent to the judge verbatim)', judgeRubric, 7);
  setDisabled(judge, !judgeOn);
  setDisabled(rubric, !judgeOn);
  useJudge.addEventListener('change', () => {
    judgeOn = useJudge.checked;
    setDisabled(judge, !judgeOn);
    setDisabled(rubric, !judgeOn);
    commitQuality();
  });
  judge.addEventListener('input', () => {
    judgeModel = judge.value;
    commitQuality();
  });
  rubric.addEventListener('input', () => {
    judgeRubric = rubric.value;
    commitQuality();
  });
  const minScore = textfield('quality-min-score', 'Minimum judge score', String(q.minJudgeScore), { type: 'number', min: 1, max: 10, step: 0.5 });
  minScore.addEventListener('input', () => {
    const v = num(minScore.value);
    if (v !== null && v >= 1 && v <= 10) {
      draft!.quality = { ...(draft!.quality ?? emptyQuality()), minJudgeScore: v };
      commitQuality();
    }
  });
  const minPass = textfield('quality-min-pass', 'Minimum pass rate (%)', String(Math.round(q.minPassRate * 100)), { type: 'number', min: 0, max: 100, step: 5 });
  minPass.addEventListener('input', () => {
    const v = num(minPass.value);
    if (v !== null && v >= 0 && v <= 100) {
      draft!.quality = { ...(draft!.quality ?? emptyQuality()), minPassRate: v / 100 };
      commitQuality();
    }
  });
  const details = h(
    'details',
    { id: 'quality', open: !!draft!.quality },
    h('summary', {}, h('h2', { class: 'cmp-inline' }, icon('pass'), ' Quality signal (optional)')),
    h('p', { class: 'muted' }, 'A model is good enough when its runs pass the checks (at the pass rate below) and the judge\u2019s mean score reaches the minimum. Scores appear next to cost.'),
    h('div', { id: 'checks' }, ...checks),
    h('div', { class: 'cards' }, addCheck),
    field('quality-expected', 'Expected answer (optional, shown to the judge)', expected),
    useJudge,
    h('div', { class: 'controls' }, field('judge-model', 'Judge model', judge), field('quality-min-score', 'Good enough from judge score', minScore), field('quality-min-pass', 'Good enough from pass rate (%)', minPass)),
    field('judge-rubric', 'Rubric (visible, sent to the judge verbatim)', rubric),
    h('p', { id: 'quality-note', class: 'muted', role: 'status' }),
  );
  return details;
}

function renderQuality(): void {
  const open = (document.getElementById('quality') as HTMLDetailsElement | null)?.open ?? false;
  const next = qualitySection();
  if (open) next.setAttribute('open', '');
  document.getElementById('quality')?.replaceWith(next);
}

// ---------------------------------------------------------------------------------------------- providers and keys

function providersSection(): HTMLElement {
  return h('section', { id: 'providers', 'aria-labelledby': 'providers-title' });
}

function renderProviders(): void {
  const box = document.getElementById('providers');
  if (!box || !panel) return;
  const byModel = new Map((panel.modelChoices ?? []).map((c) => [c.model, c.providerId]));
  const prefix = (m: string): string | undefined => panel!.providers.find((p) => p.id !== 'custom' && m.toLowerCase().startsWith(`${p.id}/`))?.id ?? (m.startsWith('custom/') ? 'custom' : undefined);
  const used = new Set((draft?.models ?? []).map((m) => byModel.get(m) ?? prefix(m)).filter((x): x is string => !!x));
  const judge = draft?.quality?.judge?.model;
  if (judge) {
    const j = byModel.get(judge) ?? prefix(judge);
    if (j) used.add(j);
  }
  const row = (p: ComparePanelState['providers'][number]): HTMLElement => {
    const has = keyStatus[p.id] ?? p.hasKey;
    const status = has ? h('span', { class: 'good' }, icon('key'), ' key stored') : !p.keyRequired ? h('span', { class: 'muted' }, 'no key needed') : h('span', { class: 'warn' }, icon('warning'), ' no key');
    return h(
      'tr',
      { 'data-provider': p.id },
      h('td', {}, p.label),
      h('td', {}, p.baseURL ? h('code', {}, p.baseURL) : h('span', { class: 'muted' }, 'set its base URL in the costlens.compare.providers setting')),
      h('td', { class: 'cmp-key-status' }, status),
      h('td', {}, button(`key-${p.id}`, 'key', has ? 'Replace key' : 'Set key', () => send({ type: 'setApiKey', providerId: p.id }), { secondary: true, title: `Store an API key for ${p.label} in VS Code's secret storage` })),
    );
  };
  const table = (list: ComparePanelState['providers']): HTMLElement =>
    h('table', { class: 'data' }, h('thead', {}, h('tr', {}, h('th', {}, 'Provider'), h('th', {}, 'Endpoint'), h('th', {}, 'Key'), h('th', {}, ''))), h('tbody', {}, ...list.map(row)));
  const inUse = panel.providers.filter((p) => used.has(p.id));
  const others = panel.providers.filter((p) => !used.has(p.id));
  box.replaceChildren(
    h('h2', { id: 'providers-title' }, icon('plug'), ' Providers'),
    h('p', { class: 'muted' }, 'Keys stay in VS Code\u2019s secret storage and are sent only to their provider when you press Run; this panel never sees them.'),
    inUse.length ? table(inUse) : h('p', { class: 'muted' }, 'No provider in use yet.'),
    h('details', {}, h('summary', {}, `Other providers (${others.length})`), table(others)),
  );
}

// ---------------------------------------------------------------------------------------------- actions, messages, estimate

function actionsBar(): HTMLElement {
  return h(
    'div',
    { class: 'cmp-actions', id: 'actions', role: 'toolbar', 'aria-label': 'Comparison' },
    button('dry-run', 'symbol-numeric', 'Dry run', dryRun, { secondary: true, title: 'Tokens and the most the comparison can cost; nothing is sent' }),
    button('run', 'play', 'Run', run, { title: 'Send the prompt to every model' }),
    button('cancel', 'debug-stop', 'Cancel', () => live && send({ type: 'cancel', runId: live.runId }), { secondary: true, disabled: true }),
    button('export', 'export', 'Export', () => result && send({ type: 'export', runId: result.id }), { secondary: true, disabled: true, title: 'Write the comparison as Markdown' }),
    h('span', { id: 'run-status', class: 'muted', role: 'status', 'aria-live': 'polite' }),
  );
}

function renderActions(): void {
  const n = draft?.models.length ?? 0;
  const canRun = !!panel?.canRun && !live && n >= MIN_MODELS && n <= MAX_MODELS;
  setDisabled(document.getElementById('run'), !canRun);
  setDisabled(document.getElementById('dry-run'), !!live || n < 1);
  setDisabled(document.getElementById('cancel'), !live);
  setDisabled(document.getElementById('export'), !!live || !result || result.models.length === 0);
}

function showMessage(kind: 'error' | 'info' | 'good', text: string, problems: string[] = []): void {
  const box = document.getElementById('notices');
  if (!box) return;
  if (!text) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    h('div', { class: kind === 'error' ? 'error' : kind === 'good' ? 'good' : 'muted', role: kind === 'error' ? 'alert' : 'status', id: 'message' }, text, problems.length ? h('ul', {}, ...problems.map((p) => h('li', {}, p))) : null),
  );
}

function currentDraft(): CompareDraft | null {
  if (!draft) return null;
  flushEdits();
  if (draft.models.length < 1) return null;
  return draft;
}

function dryRun(): void {
  const d = currentDraft();
  if (!d) return;
  pendingDryRun = nextId();
  setStatus('Estimating…');
  send({ type: 'dryRun', requestId: pendingDryRun, draft: d });
}

function run(): void {
  const d = currentDraft();
  if (!d || !panel?.canRun || live) return;
  pendingRun = nextId();
  showMessage('info', '');
  setStatus('Starting…');
  send({ type: 'run', requestId: pendingRun, draft: d });
}

function setStatus(text: string): void {
  const el = document.getElementById('run-status');
  if (el) el.textContent = text;
}

function renderEstimate(e: DryRunEstimate | null, problems: string[], warnings: string[]): void {
  const box = document.getElementById('estimate');
  if (!box) return;
  if (!e) {
    box.replaceChildren();
    showMessage('error', 'Fix these before the comparison can run:', problems);
    return;
  }
  const rows = e.lines.map((l) =>
    h(
      'tr',
      { 'data-model': l.model },
      h('td', {}, l.model),
      h('td', {}, l.providerLabel),
      h('td', { class: 'num' }, String(l.requests)),
      h('td', { class: 'num', title: l.tokenMethod }, `${l.tokensApproximate ? '~' : ''}${formatTokens(l.inputTokensPerRequest)}`),
      h('td', { class: 'num' }, formatTokens(l.maxOutputTokensPerRequest)),
      h('td', { class: 'num', title: l.priceUnknownReason ?? '' }, l.maxCostPerRequestUsd === null ? 'price unknown' : formatCostPerRequest(l.maxCostPerRequestUsd)),
      h('td', { class: 'num', title: l.priceUnknownReason ?? '' }, l.maxCostUsd === null ? 'price unknown' : formatCostPerRequest(l.maxCostUsd)),
    ),
  );
  box.replaceChildren(
    h('h2', {}, icon('symbol-numeric'), ' Dry run: what the comparison can cost'),
    h(
      'p',
      { id: 'estimate-total' },
      h('strong', {}, `at most ${formatCostPerRequest(e.maxCostUsd)}`),
      ` for ${e.requests} request${e.requests === 1 ? '' : 's'} (${formatTokens(e.totalInputTokens)} input tokens, up to ${formatTokens(e.totalMaxOutputTokens)} output tokens)`,
      e.unpriced.length ? h('span', { class: 'warn' }, ` + ${e.unpriced.join(', ')} at an unknown price`) : null,
      '. Nothing has been sent.',
    ),
    h(
      'table',
      { class: 'data', id: 'estimate-table' },
      h('thead', {}, h('tr', {}, ...['Model', 'Provider', 'Requests', 'Input tokens/req', 'Output limit/req', 'Max $/req', 'Max $'].map((x, i) => h('th', { class: i >= 2 ? 'num' : undefined }, x)))),
      h('tbody', {}, ...rows),
    ),
    h('ul', { class: 'muted' }, ...[...e.notes, ...warnings].map((n) => h('li', {}, n))),
  );
  if (problems.length) showMessage('error', 'Problems:', problems);
}

// ---------------------------------------------------------------------------------------------- columns

function columnHead(model: string, provider: string, baseURL: string, isCurrent: boolean, best: boolean): HTMLElement {
  return h(
    'div',
    { class: 'cmp-col-head' },
    h('h3', {}, model, isCurrent ? h('vscode-badge', { class: 'cmp-badge' }, 'current') : null, best ? h('vscode-badge', { class: 'cmp-badge cmp-best' }, 'cheapest good enough') : null),
    h('div', { class: 'muted', title: baseURL }, provider),
  );
}

function outputBlock(model: string, run: number, text: string): HTMLElement {
  // Untrusted text: a text node, never HTML.
  return h('pre', { class: 'output', tabindex: 0, 'aria-label': `Answer of ${model}, run ${run}`, 'data-run': run }, text);
}

function startLive(m: Extract<CompareHostMessage, { type: 'runStarted' }>): void {
  live = {
    requestId: m.requestId,
    runId: m.runId,
    startedAt: Date.now(),
    columns: m.columns.map((c) => ({ ...c, runs: Array.from({ length: m.runs }, (_, i) => ({ run: i + 1, text: '', status: 'waiting' as const, note: 'waiting' })) })),
  };
  pendingRun = null;
  const box = document.getElementById('results')!;
  const cols = live.columns.map((c) => {
    const runs = c.runs.map((r) => {
      r.out = outputBlock(c.model, r.run, '');
      r.line = h('div', { class: 'muted cmp-run-line', 'data-run-line': r.run }, r.note);
      return h('div', { class: 'cmp-run' }, m.runs > 1 ? h('h4', {}, `Run ${r.run}`) : null, r.line, r.out);
    });
    c.el = h('article', { class: 'column', 'data-model': c.model, 'aria-label': c.model, 'aria-busy': 'true' }, columnHead(c.model, c.providerLabel, c.baseURL, c.isCurrent, false), ...runs);
    return c.el;
  });
  box.replaceChildren(h('h2', {}, icon('pulse'), ' Running'), h('div', { class: 'columns', id: 'columns' }, ...cols));
  box.scrollIntoView({ block: 'start' });
  setStatus(`Running ${m.columns.length} model${m.columns.length === 1 ? '' : 's'} × ${m.runs} run${m.runs === 1 ? '' : 's'}…`);
  renderActions();
}

function onEvent(e: CompareEvent): void {
  const col = live?.columns.find((c) => c.model === e.model);
  const r = col?.runs.find((x) => x.run === e.run);
  if (!col || !r) return;
  switch (e.type) {
    case 'start':
      r.status = 'streaming';
      r.note = e.attempt > 1 ? `attempt ${e.attempt}…` : 'waiting for the first token…';
      break;
    case 'retry':
      r.status = 'retrying';
      r.note = `retrying${e.delayMs ? ` in ${formatDuration(e.delayMs)}` : ''}: ${e.reason}`;
      break;
    case 'delta':
      r.text += e.text;
      r.note = 'streaming…';
      r.out?.append(document.createTextNode(e.text));
      break;
    case 'usage':
      break;
    case 'done':
      r.status = 'done';
      r.result = e.result;
      r.note = runFigures(e.result);
      if (r.out && r.out.textContent !== e.result.output) r.out.textContent = e.result.output;
      break;
    case 'error':
      r.status = e.error.kind === 'cancelled' ? 'cancelled' : 'error';
      r.error = e.error;
      r.note = e.error.kind === 'cancelled' ? 'cancelled' : 'failed';
      r.out?.after(h('p', { class: 'error', role: 'alert', 'data-error': e.error.kind }, e.error.message));
      if (r.text === '') r.out?.remove();
      break;
    case 'quality':
      r.quality = e.quality;
      r.note = `${r.result ? runFigures(r.result) : r.note}${qualityText(e.quality)}`;
      break;
  }
  if (r.line) r.line.textContent = r.note;
}

function qualityText(q: RunQuality): string {
  const parts: string[] = [];
  if (q.passed !== null) parts.push(q.passed ? 'checks pass' : 'checks fail');
  if (q.judge) parts.push(q.judge.score !== null ? `judge ${q.judge.score}/10` : 'judge: no score');
  return parts.length ? ` · ${parts.join(' · ')}` : '';
}

function figure(label: string, value: string, key: string, title?: string): Node[] {
  return [h('dt', {}, label), h('dd', { 'data-figure': key, title }, value)];
}

function finishedColumn(s: ModelSummary, r: ComparisonResult): HTMLElement {
  const cells = columnCells(s);
  const best = r.cheapestGoodEnough === s.model;
  const canUse = !!panel?.site?.canUseModel && !!r.siteId && panel.site.id === r.siteId && s.okRuns > 0 && !s.isCurrent && panel.site.model !== s.modelId;
  const use = canUse
    ? button(`use-${s.model}`, 'check', 'Use this model', () => {
        setStatus(`Changing the model to ${s.modelId}…`);
        pendingUse = s.modelId;
        send({ type: 'useModel', runId: r.id, model: s.model });
      }, { title: `Make ${r.siteId} use ${s.modelId} (the same edit as the right-size quick fix)` })
    : null;
  use?.setAttribute('data-use', s.model);
  const answered = s.okRuns > 0;
  const dl = h(
    'dl',
    { class: 'cmp-figures' },
    ...figure('Status', `${cells.status} (${cells.runs} runs ok)`, 'status'),
  );
  // A column without an answer shows its error and status only.
  if (answered) {
    dl.append(
      ...figure('First token', cells.ttft, 'ttft'),
      ...figure('Latency', cells.latency, 'latency'),
      ...figure('Tokens', cells.tokens, 'tokens', cells.tokensSource),
      ...figure('$/request', cells.perRequest, 'perRequest', s.price ? `${formatPerMTok(s.price.inputPerMTok)} in / ${formatPerMTok(s.price.outputPerMTok)} out (${s.price.source})` : (s.priceUnknownReason ?? '')),
      ...figure('$/month', cells.monthly, 'monthly', r.params.requestsPerMonth !== null ? `at ${compactNumber(r.params.requestsPerMonth)} requests/month` : 'no traffic given'),
      ...figure('vs current', cells.change, 'change'),
      ...(r.quality ? [...figure('Checks', cells.checks, 'checks'), ...figure('Judge', cells.judge, 'judge'), ...figure('Good enough', cells.goodEnough, 'goodEnough')] : []),
    );
  }
  const runs = (answered || s.runs.length > 1 ? s.runs : []).map((run) =>
    h(
      'div',
      { class: 'cmp-run' },
      s.runs.length > 1 ? h('h4', {}, `Run ${run.run}`) : null,
      h('div', { class: 'muted cmp-run-line' }, run.status === 'ok' ? `${runFigures(run)}${run.quality ? qualityText(run.quality) : ''}` : run.status),
      run.status === 'ok' ? outputBlock(s.model, run.run, run.output || '(empty answer)') : null,
      // A column that failed as a whole shows its error once, above.
      run.error && (s.status !== 'failed' || s.runs.length > 1) ? h('p', { class: 'error', role: 'alert', 'data-error': run.error.kind }, run.error.message) : null,
      run.quality?.checks.length ? h('ul', { class: 'cmp-checks' }, ...run.quality.checks.map((c) => h('li', { class: c.passed ? 'good' : 'bad' }, `${c.passed ? 'pass' : 'fail'}: ${c.label}${c.passed ? '' : ` — ${c.detail}`}`))) : null,
      run.quality?.judge ? h('p', { class: 'muted' }, `Judge: ${run.quality.judge.score !== null ? `${run.quality.judge.score}/10` : 'no score'} — ${run.quality.judge.reason}`) : null,
      ...run.notes.map((n) => h('p', { class: 'muted' }, `note: ${n}`)),
    ),
  );
  return h(
    'article',
    { class: `column${best ? ' cmp-best-col' : ''}`, 'data-model': s.model, 'data-status': s.status, 'aria-label': s.model },
    columnHead(s.model, s.providerLabel, s.baseURL, s.isCurrent, best),
    s.status !== 'ok' && s.error ? h('p', { class: 'error', role: 'alert', 'data-column-error': s.error.kind }, s.error.message) : null,
    dl,
    use,
    ...runs,
  );
}

function renderResult(r: ComparisonResult | null): void {
  const box = document.getElementById('results');
  if (!box) return;
  if (!r || r.models.length === 0) {
    box.replaceChildren();
    renderActions();
    return;
  }
  const best = r.cheapestGoodEnough;
  box.replaceChildren(
    h('h2', {}, icon('graph'), ` Results${r.cancelled ? ' (cancelled)' : ''}`),
    h(
      'p',
      { id: 'result-summary' },
      `${r.models.length} model${r.models.length === 1 ? '' : 's'} × ${r.params.runs} run${r.params.runs === 1 ? '' : 's'} in ${formatDuration(r.durationMs)} · spent ${formatCostPerRequest(r.totalCostUsd)}`,
      r.unpricedRequests ? ` (+ ${r.unpricedRequests} request${r.unpricedRequests === 1 ? '' : 's'} at an unknown price)` : '',
      r.quality ? (best ? h('strong', { class: 'good' }, ` · cheapest good enough: ${best}`) : h('strong', { class: 'warn' }, ' · no model met the quality bar')) : '',
      ` · ${new Date(r.startedAt).toLocaleString()}`,
    ),
    h('div', { class: 'columns', id: 'columns' }, ...r.models.map((s) => finishedColumn(s, r))),
    r.notes.length ? h('ul', { class: 'muted', id: 'result-notes' }, ...r.notes.map((n) => h('li', {}, n))) : '',
    h('p', { class: 'muted' }, 'Costs come from the usage each server reported, at list prices; ~ marks figures counted here because a server reported none. Latency is measured from this machine.'),
  );
  renderActions();
}

// ---------------------------------------------------------------------------------------------- recent

function renderRecent(list: RecentComparison[]): void {
  const box = document.getElementById('recent');
  if (!box) return;
  if (!list.length) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    h('h2', {}, icon('history'), ' Recent comparisons'),
    h(
      'ul',
      { class: 'cmp-recent' },
      ...list.map((c) =>
        h(
          'li',
          { 'data-comparison': c.id },
          h('span', {}, `${new Date(c.startedAt).toLocaleString()} · ${c.models.join(', ')} · spent ${formatCostPerRequest(c.totalCostUsd)}${c.cheapestGoodEnough ? ` · best: ${c.cheapestGoodEnough}` : ''}${c.siteId ? ` · ${c.siteId}` : ''}`),
          ' ',
          button(`recent-open-${c.id}`, 'go-to-file', 'Open', () => send({ type: 'openRecent', comparisonId: c.id }), { secondary: true }),
          ' ',
          button(`recent-delete-${c.id}`, 'trash', 'Delete', () => send({ type: 'deleteRecent', comparisonId: c.id }), { secondary: true }),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------- full render

function render(): void {
  if (!panel || !draft) return;
  const focused = document.activeElement?.id;
  loadQuality();
  const site = panel.site;
  const trafficText = draft.params.requestsPerMonth !== null ? ` · ${compactNumber(draft.params.requestsPerMonth)} requests/month` : '';
  const currentCost = draft.currentCostPerRequestUsd !== null ? ` · estimated ${formatCostPerRequest(draft.currentCostPerRequestUsd)}/request` : '';
  app.replaceChildren(
    h('h1', {}, 'Compare models'),
    h(
      'p',
      { class: 'muted', id: 'site' },
      site ? `${site.file}:${site.line} · ${site.model ?? 'model unresolved'}${currentCost}${trafficText}` : draft.currentModel ? `Current model ${draft.currentModel}${trafficText}` : 'A prompt on several models: cost from real usage, latency and quality side by side.',
    ),
    panel.canRun ? '' : h('p', { class: 'warn', id: 'untrusted', role: 'alert' }, icon('shield'), ' Restricted Mode: this workspace is not trusted, so comparisons cannot run (a dry run still works). Trust the workspace to run them.'),
    promptSection(),
    modelsSection(),
    paramsSection(),
    qualitySection(),
    providersSection(),
    actionsBar(),
    h('div', { id: 'notices' }),
    h('section', { id: 'estimate', 'aria-live': 'polite' }),
    h('section', { id: 'results', 'aria-live': 'off' }),
    h('section', { id: 'recent' }),
  );
  renderPlaceholders();
  renderProviders();
  renderModelCount();
  renderResult(result);
  renderRecent(panel.recent);
  renderActions();
  if (focused) (document.getElementById(focused) as HTMLElement | null)?.focus();
}

// ---------------------------------------------------------------------------------------------- messages from the host

window.addEventListener('message', (event: MessageEvent<CompareHostMessage>) => {
  const m = event.data;
  if (!m || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string') return;
  switch (m.type) {
    case 'state': {
      const sameDraft = !!draft && JSON.stringify(draft) === JSON.stringify(m.state.draft);
      // Opened on another call while a comparison ran: the host cancelled it; its columns go.
      if (live && !sameDraft) live = null;
      panel = m.state;
      draft = structuredClone(m.state.draft);
      keyStatus = Object.fromEntries(m.state.providers.map((p) => [p.id, p.hasKey]));
      if (!live) result = m.state.lastResult;
      if (!sameDraft) estimate = null;
      save();
      if (live) {
        // Keep the live columns: only the parts around them change.
        renderRecent(panel.recent);
        renderProviders();
        renderActions();
      } else render();
      return;
    }
    case 'keyStatus':
      keyStatus = { ...keyStatus, ...m.providers };
      renderProviders();
      return;
    case 'dryRunResult':
      if (m.requestId !== pendingDryRun) return;
      pendingDryRun = null;
      estimate = m.estimate;
      setStatus(m.estimate ? 'Estimated; nothing was sent.' : '');
      showMessage('info', '');
      renderEstimate(m.estimate, m.problems, m.warnings);
      return;
    case 'runStarted':
      if (pendingRun !== null && m.requestId !== pendingRun) return;
      showMessage('info', '');
      startLive(m);
      return;
    case 'event':
      if (live?.runId === m.runId) onEvent(m.event);
      return;
    case 'runFinished': {
      if (live && live.runId !== m.runId) return;
      live = null;
      result = m.result;
      save();
      renderResult(result);
      const ok = result.models.filter((s) => s.okRuns > 0).length;
      setStatus(`${result.cancelled ? 'Cancelled' : 'Done'}: ${ok} of ${result.models.length} model${result.models.length === 1 ? '' : 's'} answered in ${formatDuration(result.durationMs)}.`);
      if (panel) {
        const summary: RecentComparison = { id: result.id, startedAt: result.startedAt, siteId: result.siteId, models: result.models.map((s) => s.model), cheapestGoodEnough: result.cheapestGoodEnough, totalCostUsd: result.totalCostUsd };
        panel.recent = [summary, ...panel.recent.filter((c) => c.id !== result!.id)].slice(0, 10);
        renderRecent(panel.recent);
      }
      return;
    }
    case 'useModelResult':
      setStatus('');
      if (m.ok && pendingUse && panel?.site) {
        // The call uses it now: its column no longer offers it.
        panel.site = { ...panel.site, model: pendingUse };
        renderResult(result);
      }
      pendingUse = null;
      setStatus(m.message);
      showMessage(m.ok ? 'good' : 'error', m.message);
      return;
    case 'exported':
      setStatus('');
      showMessage('good', `Exported to ${m.path}.`);
      return;
    case 'error':
      if (m.requestId && m.requestId === pendingDryRun) pendingDryRun = null;
      if (m.requestId && (m.requestId === pendingRun || m.requestId === live?.requestId)) {
        pendingRun = null;
        live = null;
        renderActions();
      }
      setStatus('');
      showMessage('error', m.message, m.problems ?? []);
      return;
  }
});

app.replaceChildren(h('p', { class: 'muted' }, 'Loading the comparison…'));
send({ type: 'ready' });
