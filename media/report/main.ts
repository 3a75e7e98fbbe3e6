/**
 * The cost report webview: totals with ranges, what-if controls, cost by feature and by model, top call sites,
 * suggestions, assumptions and price sources. Every figure comes from the extension (computed in the core); this file
 * only formats and lays them out, and sends the what-if controls back.
 */
import type { Report } from '../../src/core/report/reportModel';
import type { ReportHostMessage, ReportOptionsForView, ScenarioInput } from '../../src/protocol/report';
import { formatCostPerRequest, formatMoneyCompact, formatPerMTok, formatRequestsPerMonth, USD, type Currency } from '../../src/core/format';
import { formatErrorPct } from '../../src/core/calibrate/present';
import { h, icon, initialState, vscodeApi } from '../shared/dom';

interface State {
  scenario: ScenarioInput;
}

const api = vscodeApi<State>();
const app = document.getElementById('app')!;
const BASELINE: ScenarioInput = { trafficMultiplier: 1, featureModels: {} };
let scenario: ScenarioInput = api.getState()?.scenario ?? initialState<State>()?.scenario ?? BASELINE;
let currency: Currency = USD;
let pending: ReturnType<typeof setTimeout> | undefined;

const money = (v: number | null | undefined): string => formatMoneyCompact(v ?? null, currency);
const range = (r: { low: number; expected: number; high: number }): string => (r.low === r.high ? money(r.expected) : `${money(r.low)} – ${money(r.high)}`);

function send(message: unknown): void {
  api.postMessage(message);
}

/** What-if changes are sent after a short pause so dragging a slider does not queue dozens of re-estimates. */
function setScenario(next: ScenarioInput): void {
  scenario = next;
  api.setState({ scenario });
  if (pending) clearTimeout(pending);
  pending = setTimeout(() => send({ type: 'setScenario', scenario }), 120);
}

function slider(id: string, label: string, value: number, min: number, max: number, step: number, display: (v: number) => string, onChange: (v: number) => void): HTMLElement {
  const out = h('output', { for: id, id: `${id}-value` }, display(value));
  const input = h('input', { type: 'range', id, min, max, step, value, 'aria-label': label }) as HTMLInputElement;
  input.addEventListener('input', () => {
    const v = Number(input.value);
    out.textContent = display(v);
    onChange(v);
  });
  return h('div', { class: 'control' }, h('label', { for: id }, label, ' ', out), input);
}

function optionalShare(id: string, label: string, value: number | undefined, onChange: (v: number | undefined) => void): HTMLElement {
  const enabled = value !== undefined;
  const box = h('input', { type: 'checkbox', id: `${id}-on`, checked: enabled, 'aria-label': `Set ${label}` }) as HTMLInputElement;
  const control = slider(id, label, value ?? 0, 0, 1, 0.05, (v) => (box.checked ? `${Math.round(v * 100)}%` : 'as today'), (v) => box.checked && onChange(v));
  const input = control.querySelector('input[type=range]') as HTMLInputElement;
  input.disabled = !enabled;
  box.addEventListener('change', () => {
    input.disabled = !box.checked;
    (control.querySelector('output') as HTMLOutputElement).textContent = box.checked ? `${Math.round(Number(input.value) * 100)}%` : 'as today';
    onChange(box.checked ? Number(input.value) : undefined);
  });
  control.prepend(box);
  return control;
}

function controls(options: ReportOptionsForView): HTMLElement {
  const multiplier = slider('traffic', 'Traffic ×', scenario.trafficMultiplier, 0.1, 20, 0.1, (v) => `${v.toFixed(1)}×`, (v) => setScenario({ ...scenario, trafficMultiplier: v }));
  const cache = optionalShare('cache', 'Prompt-cache hit rate', scenario.cacheHitRate, (v) => setScenario(withOptional(scenario, 'cacheHitRate', v)));
  const batch = optionalShare('batch', 'Share moved to Batch API', scenario.batchShare, (v) => setScenario(withOptional(scenario, 'batchShare', v)));
  const routed = optionalShare('routed', 'Routed to a cheaper model', scenario.routedShare, (v) => setScenario(withOptional(scenario, 'routedShare', v)));
  const modelRows = options.targets.map((t) => {
    const id = `model-${t.key.replace(/[^A-Za-z0-9]/g, '_')}`;
    const select = h('select', { id, 'aria-label': `Model for ${t.label}` }) as HTMLSelectElement;
    select.append(h('option', { value: '' }, `as today (${t.models.join(', ') || '—'})`));
    for (const m of options.models) select.append(h('option', { value: m, selected: scenario.featureModels[t.key] === m }, m));
    select.addEventListener('change', () => {
      const featureModels = { ...scenario.featureModels };
      if (select.value) featureModels[t.key] = select.value;
      else delete featureModels[t.key];
      setScenario({ ...scenario, featureModels });
    });
    return h('div', { class: 'control' }, h('label', { for: id }, `${t.label} `, h('span', { class: 'muted' }, `(${t.callSites} call site${t.callSites === 1 ? '' : 's'})`)), select);
  });
  const name = h('input', { type: 'text', id: 'scenario-name', placeholder: 'scenario name', 'aria-label': 'Scenario name' }) as HTMLInputElement;
  const save = h('vscode-button', { id: 'save-scenario' }, icon('save'), ' Save scenario');
  save.addEventListener('click', () => name.value.trim() && send({ type: 'saveScenario', name: name.value.trim(), scenario }));
  const reset = h('vscode-button', { secondary: true, id: 'reset-scenario' }, icon('discard'), ' Reset');
  reset.addEventListener('click', () => {
    scenario = BASELINE;
    api.setState({ scenario });
    send({ type: 'setScenario', scenario });
  });
  return h(
    'section',
    { 'aria-labelledby': 'what-if' },
    h('h2', { id: 'what-if' }, icon('beaker'), ' What if'),
    h('div', { class: 'controls' }, multiplier, cache, batch, routed, ...modelRows),
    h('div', { class: 'cards' }, name, save, reset),
  );
}

function withOptional(s: ScenarioInput, key: 'cacheHitRate' | 'batchShare' | 'routedShare', v: number | undefined): ScenarioInput {
  const next = { ...s };
  if (v === undefined) delete next[key];
  else next[key] = v;
  return next;
}

function bars(title: string, rows: Array<{ label: string; value: number | null }>, cls: string): HTMLElement {
  const max = Math.max(0, ...rows.map((r) => r.value ?? 0));
  return h(
    'div',
    { class: 'chart', role: 'img', 'aria-label': title },
    h('h3', {}, title),
    ...rows.map((r) => {
      const bar = h('div', { class: `bar ${cls}` });
      // Through the CSSOM: the page's CSP (no 'unsafe-inline' styles) ignores style="" attributes.
      bar.style.width = `${max > 0 && r.value ? Math.max(1, (r.value / max) * 100) : 0}%`;
      return h('div', { class: 'bar-row' }, h('span', {}, r.label), bar, h('span', { class: 'num' }, r.value === null ? 'price unknown' : money(r.value)));
    }),
  );
}

function table(headers: string[], rows: Array<Array<Node | string>>, numeric: number[] = []): HTMLElement {
  return h(
    'table',
    { class: 'data' },
    h('thead', {}, h('tr', {}, ...headers.map((x, i) => h('th', { class: numeric.includes(i) ? 'num' : undefined }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', { class: numeric.includes(i) ? 'num' : undefined }, c))))),
  );
}

/** Where a site's figures come from: telemetry, partly, or assumptions (with default traffic called out). */
function basisCell(basis: Report['sites'][number]['basis'], assumedTraffic: boolean): HTMLElement {
  if (basis === 'measured') return h('span', { class: 'good', title: 'Traffic and tokens measured from telemetry' }, icon('pulse'), ' measured');
  if (basis === 'partly measured') return h('span', { title: 'Some figures measured from telemetry, the others assumed' }, icon('pulse'), ' partly measured');
  return h('span', { class: 'muted', title: assumedTraffic ? 'Traffic is a built-in default: state it in costlens.yml' : 'From costlens.yml and counted prompts' }, assumedTraffic ? 'assumed traffic' : 'assumed');
}

function render(report: Report, options: ReportOptionsForView, elapsedMs: number): void {
  const t = report.totals;
  const siteLink = (id: string, label: string): HTMLElement => {
    const a = h('a', { href: '#', title: id }, label);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      send({ type: 'reveal', siteId: id });
    });
    return a;
  };
  const exportButtons = (['html', 'markdown', 'csv', 'json'] as const).map((f) => {
    const b = h('vscode-button', { secondary: true, 'data-format': f }, icon('export'), ` ${f.toUpperCase()}`);
    b.addEventListener('click', () => send({ type: 'export', format: f }));
    return b;
  });
  const scenarioBanner = report.scenario
    ? h('p', { class: 'warn', id: 'scenario-banner' }, icon('beaker'), ` What-if: ${report.scenario.summary.join('; ')} — ${report.scenario.deltaMonthlyUsd >= 0 ? '+' : '−'}${money(Math.abs(report.scenario.deltaMonthlyUsd))}/mo vs today (${money(report.scenario.baselineMonthlyUsd.expected)}/mo)`)
    : null;
  const content: Array<Node | null> = [
    h('h1', {}, report.title),
    h('p', { class: 'muted' }, `${report.workspace ?? ''} · ${t.callSites} call sites · generated ${new Date(report.generatedAt).toLocaleString()} · recomputed in ${elapsedMs} ms`),
    scenarioBanner,
    h(
      'div',
      { class: 'cards' },
      h('div', { class: 'card' }, h('div', { class: 'muted' }, 'Expected per month'), h('div', { class: 'figure', id: 'total-expected' }, money(t.monthlyUsd.expected))),
      h('div', { class: 'card' }, h('div', { class: 'muted' }, 'Range (low – high)'), h('div', { class: 'figure', id: 'total-range' }, range(t.monthlyUsd))),
      h('div', { class: 'card' }, h('div', { class: 'muted' }, 'Achievable saving'), h('div', { class: 'figure good', id: 'total-saving' }, money(t.achievableMonthlySavingUsd ?? 0))),
      report.calibration
        ? h('div', { class: 'card', id: 'measured-card' }, h('div', { class: 'muted' }, `Measured (${report.calibration.callSites} call site${report.calibration.callSites === 1 ? '' : 's'})`), h('div', { class: 'figure' }, report.calibration.errorPct === null ? 'no actual cost' : `guesses ${formatErrorPct(report.calibration.errorPct)}`), h('div', { class: 'muted' }, report.calibration.errorPct === null ? '' : `assumed ${money(report.calibration.assumedMonthlyUsd)} vs actual ${money(report.calibration.actualMonthlyUsd)}/mo`))
        : null,
      t.unpricedCallSites ? h('div', { class: 'card warn' }, h('div', {}, `${t.unpricedCallSites} call site(s) without a known price`), h('div', { class: 'muted' }, 'not in the totals')) : null,
    ),
    controls(options),
    h('h2', {}, icon('graph'), ' Cost by feature and by model'),
    h('div', { class: 'charts' }, bars('By feature', report.byFeature.map((g) => ({ label: g.key, value: g.monthlyUsd.expected })), 'feature'), bars('By model', report.byModel.map((m) => ({ label: m.model, value: m.monthlyUsd?.expected ?? null })), 'model')),
    h('h2', {}, icon('list-ordered'), ' Top call sites'),
    table(
      ['Call site', 'Model', 'Context', '$/req', 'Requests', '$/month', 'Basis'],
      report.topSites.map((s) => [siteLink(s.id, `${s.file}:${s.line}`), s.model ?? '?', s.context, formatCostPerRequest(s.costPerRequestUsd, currency), formatRequestsPerMonth(s.requestsPerMonth), money(s.monthlyUsd?.expected ?? null), basisCell(s.basis, s.assumedTraffic)]),
      [3, 4, 5],
    ),
    ...(report.calibration
      ? [
          h('h2', { id: 'measured-vs-assumed' }, icon('pulse'), ' Measured vs assumed'),
          h('p', { class: 'muted' }, 'Call sites calibrated from telemetry: the estimate from the assumptions alone against the actual cost (guess error), and the estimate that now uses the measurements (calibrated error).'),
          table(
            ['Call site', 'Model', 'Basis', 'Measured/day', 'Assumed $/mo', 'Actual $/mo', 'Guess error', 'Calibrated error'],
            report.calibration.sites.map((k) => [siteLink(k.id, `${k.file}:${k.line}`), k.model, k.basis, k.measuredRequestsPerDay.toLocaleString('en-US'), money(k.assumedMonthlyUsd), money(k.actualMonthlyUsd), formatErrorPct(k.errorPct), formatErrorPct(k.calibratedErrorPct)]),
            [3, 4, 5, 6, 7],
          ),
        ]
      : []),
    h('h2', {}, icon('lightbulb'), ` Suggestions — up to ${money(t.achievableMonthlySavingUsd ?? 0)}/mo`),
    report.suggestionsNote ? h('p', { class: 'muted' }, report.suggestionsNote) : null,
    table(
      ['Saving/month', 'Kind', 'Call site', 'Suggestion', 'Confidence'],
      report.suggestions.map((s) => [s.monthlySavingUsd !== null && s.monthlySavingUsd > 0 ? money(s.monthlySavingUsd) : '—', s.kind, siteLink(s.siteId, `${s.file}:${s.line}`), s.message, s.confidence]),
      [0],
    ),
    h('h2', {}, icon('question'), ' Assumptions to challenge'),
    h('ul', { id: 'assumptions' }, ...report.assumptions.map((a) => h('li', {}, `${a.text}`, a.siteIds.length > 1 ? h('span', { class: 'muted' }, ` (${a.siteIds.length} sites)`) : null))),
    h('h2', {}, icon('tag'), ' Prices'),
    table(['Model', 'Provider', 'Input', 'Output', 'Source'], report.priceSources.map((p) => [p.model, p.provider, formatPerMTok(p.inputPerMTok, currency), formatPerMTok(p.outputPerMTok, currency), `${p.source} (${p.sourceDate})`])),
    h('div', { class: 'cards' }, ...exportButtons),
  ];
  app.replaceChildren(...content.filter((n): n is Node => n !== null));
}

window.addEventListener('message', (event: MessageEvent<ReportHostMessage>) => {
  const m = event.data;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case 'report':
      currency = m.currency;
      scenario = m.scenario;
      api.setState({ scenario });
      render(m.report, m.options, m.elapsedMs);
      return;
    case 'saved':
      app.prepend(h('p', { class: 'good', role: 'status' }, icon('check'), ` Scenario "${m.name}" saved in ${m.file}`));
      return;
    case 'error':
      app.prepend(h('p', { class: 'error', role: 'alert' }, m.message));
      return;
  }
});

app.replaceChildren(h('p', { class: 'muted' }, 'Building the report…'));
send({ type: 'ready' });
// A scenario restored from a previous session is applied right away.
if (scenario !== BASELINE) send({ type: 'setScenario', scenario });
