/** "Estimate a Feature": a form for a feature with no code yet, and the candidate models side by side. */
import type { CalculatorResult } from '../../src/core/report/calculator';
import type { CalculatorHostMessage, FeatureSpecInput } from '../../src/protocol/calculator';
import { formatCostPerRequest, formatMoneyCompact, USD, type Currency } from '../../src/core/format';
import { h, icon, initialState, vscodeApi } from '../shared/dom';

interface State {
  spec: FeatureSpecInput;
}

const api = vscodeApi<State>();
const app = document.getElementById('app')!;
let spec: FeatureSpecInput = api.getState()?.spec ?? initialState<State>()?.spec ?? { model: 'gpt-4o', inputTokens: 1000, outputTokens: 300, requestsPerDay: 1000, mode: 'interactive', cacheHitRate: 0.3 };
let currency: Currency = USD;
const results = h('section', { id: 'results', 'aria-live': 'polite' });

function field(id: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('div', { class: 'control' }, h('label', { for: id }, label), input, hint ? h('div', { class: 'muted' }, hint) : null);
}

function numberInput(id: string, value: number, min: number, step: number): HTMLInputElement {
  return h('input', { type: 'number', id, value, min, step }) as HTMLInputElement;
}

function form(): HTMLElement {
  const model = h('input', { type: 'text', id: 'model', value: spec.model, 'aria-describedby': 'model-hint' }) as HTMLInputElement;
  const input = numberInput('input-tokens', spec.inputTokens, 0, 50);
  const output = numberInput('output-tokens', spec.outputTokens, 0, 50);
  const rpd = numberInput('requests-per-day', spec.requestsPerDay, 0, 100);
  const mode = h('select', { id: 'mode' }, h('option', { value: 'interactive', selected: spec.mode === 'interactive' }, 'interactive (someone waits)'), h('option', { value: 'batch', selected: spec.mode === 'batch' }, 'batch (nobody waits)')) as HTMLSelectElement;
  const hit = numberInput('cache-hit', spec.cacheHitRate, 0, 0.05);
  hit.max = '1';
  const others = h('input', { type: 'text', id: 'models', value: (spec.models ?? []).join(', '), placeholder: 'automatic: same tier and cheaper' }) as HTMLInputElement;
  const go = h('vscode-button', { id: 'calculate' }, icon('play'), ' Estimate');
  const submit = (): void => {
    const next: FeatureSpecInput = {
      model: model.value.trim(),
      inputTokens: Math.max(0, Math.round(Number(input.value) || 0)),
      outputTokens: Math.max(0, Math.round(Number(output.value) || 0)),
      requestsPerDay: Math.max(0, Number(rpd.value) || 0),
      mode: mode.value === 'batch' ? 'batch' : 'interactive',
      cacheHitRate: Math.min(1, Math.max(0, Number(hit.value) || 0)),
    };
    const list = others.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length) next.models = list;
    if (!next.model) return;
    spec = next;
    api.setState({ spec });
    api.postMessage({ type: 'calculate', spec });
  };
  go.addEventListener('click', submit);
  const f = h(
    'form',
    { id: 'feature-form' },
    h(
      'div',
      { class: 'controls' },
      field('model', 'Model in mind', model, 'e.g. gpt-4o, claude-sonnet-4-5, gemini-2.5-flash'),
      field('input-tokens', 'Input tokens per request', input),
      field('output-tokens', 'Output tokens per request', output),
      field('requests-per-day', 'Requests per day', rpd),
      field('mode', 'Mode', mode),
      field('cache-hit', 'Prompt-cache hit rate (0–1)', hit),
      field('models', 'Compare with (comma-separated)', others),
    ),
    go,
  );
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  return f;
}

function render(result: CalculatorResult): void {
  const money = (v: number | null | undefined): string => formatMoneyCompact(v ?? null, currency);
  const rows = result.rows.map((r) =>
    h(
      'tr',
      { class: r.given ? 'given' : undefined },
      h('td', {}, r.model, r.given ? h('span', { class: 'muted' }, ' (given)') : null),
      h('td', {}, r.provider),
      h('td', { class: 'num' }, r.tier ?? '—'),
      h('td', { class: 'num' }, r.standard ? formatCostPerRequest(r.standard.perRequestUsd, currency) : 'price unknown'),
      h('td', { class: 'num' }, r.standard ? money(r.standard.perMonthUsd) : 'price unknown'),
      h('td', { class: 'num' }, r.batch ? `${money(r.batch.perMonthUsd)}${r.batch.applicable ? '' : ' (n/a)'}` : '—'),
      h('td', { class: 'num' }, r.cached ? `${money(r.cached.perMonthUsd)}${r.cached.eligible ? '' : ' (too short)'}` : '—'),
      h('td', { class: 'num' }, r.best ? `${money(r.best.perMonthUsd)} ${r.best.variant}` : '—'),
    ),
  );
  results.replaceChildren(
    h('h2', {}, icon('graph'), ` ${result.requestsPerMonth.toLocaleString('en-US')} requests/month, ${result.spec.mode}`),
    h(
      'table',
      { class: 'data', id: 'calculator-table' },
      h('thead', {}, h('tr', {}, ...['Model', 'Provider', 'Tier', '$/request', '$/month', 'Batch $/mo', 'Cached $/mo', 'Best'].map((x, i) => h('th', { class: i >= 2 ? 'num' : undefined }, x)))),
      h('tbody', {}, ...rows),
    ),
    h('h3', {}, 'Assumptions'),
    h('ul', {}, ...result.assumptions.map((a) => h('li', {}, a))),
  );
}

window.addEventListener('message', (event: MessageEvent<CalculatorHostMessage>) => {
  const m = event.data;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'result') {
    currency = m.currency;
    render(m.result);
  } else if (m.type === 'error') results.replaceChildren(h('p', { class: 'error', role: 'alert' }, m.message));
});

app.replaceChildren(h('h1', {}, 'Estimate a feature'), h('p', { class: 'muted' }, 'What a feature would cost before it is built: per request and per month, on the model in mind and on cheaper candidates, with the Batch API and prompt caching.'), form(), results);
api.postMessage({ type: 'ready' });
api.postMessage({ type: 'calculate', spec });
