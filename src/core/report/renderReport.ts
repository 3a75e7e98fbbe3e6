/**
 * Renderers of the cost report (reportModel.ts): Markdown for PRDs and tickets, a self-contained HTML page (inline
 * CSS and SVG charts, no scripts, no external resources), JSON (the Report object) and CSV (one row per call site).
 * They only format: every figure comes from the Report.
 */
import { USD, compactNumber, formatCostPerRequest, formatMoneyCompact, formatPerMTok, formatTokens, type Currency } from '../format';
import { formatErrorPct } from '../calibrate/present';
import type { AssumptionCategory, MoneyRange, Report, ReportGroupRow, ReportModelRow, ReportSite } from './reportModel';

export interface RenderOptions {
  currency?: Currency | undefined;
}

const CATEGORY_TITLES: Record<AssumptionCategory, string> = {
  traffic: 'Traffic',
  tokens: 'Tokens',
  model: 'Models',
  pricing: 'Prices, caching and batching',
  scenario: 'What-if scenario',
  general: 'General',
};

// ---------------------------------------------------------------------------------------------------------------------
// Shared wording
// ---------------------------------------------------------------------------------------------------------------------

function money(v: number | null | undefined, c: Currency): string {
  return formatMoneyCompact(v, c);
}

function rangeText(r: MoneyRange | null, c: Currency): string {
  if (!r) return 'price unknown';
  return r.low === r.high ? money(r.expected, c) : `${money(r.low, c)}–${money(r.high, c)}`;
}

function signedMoney(v: number, c: Currency): string {
  if (Math.abs(v) < 0.005) return `±${money(0, c)}`;
  return `${v > 0 ? '+' : '−'}${money(Math.abs(v), c)}`;
}

function pctText(share: number): string {
  if (share <= 0) return '0%';
  if (share < 0.01) return '<1%';
  return `${Math.round(share * 100)}%`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

function groupTitle(r: ReportGroupRow): string {
  return r.kind === 'folder' ? `${r.key} (folder)` : r.key;
}

function siteLabel(s: Pick<ReportSite, 'file' | 'line'>): string {
  return `${s.file}:${s.line}`;
}

function dateText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The headline sentence, in plain text (the renderers add emphasis). */
function headline(r: Report, c: Currency): { total: string; rest: string } {
  const t = r.totals;
  const range = t.monthlyUsd.low !== t.monthlyUsd.high ? ` (range ${money(t.monthlyUsd.low, c)} – ${money(t.monthlyUsd.high, c)})` : '';
  const rest =
    `${range} across ${plural(t.callSites, 'call site')}, ${compactNumber(t.requestsPerMonth)} requests/month` +
    (t.unpricedCallSites ? `; ${plural(t.unpricedCallSites, 'call site')} with unknown price not in the total` : '') +
    '.';
  return { total: `${money(t.monthlyUsd.expected, c)}/month expected`, rest };
}

function scenarioLine(r: Report, c: Currency): string | null {
  const s = r.scenario;
  if (!s) return null;
  const base = s.baselineMonthlyUsd.expected;
  const pct = base > 0 ? ` (${s.deltaMonthlyUsd >= 0 ? '+' : '−'}${Math.round((Math.abs(s.deltaMonthlyUsd) / base) * 100)}%)` : '';
  return `Baseline ${money(base, c)}/month → ${money(r.totals.monthlyUsd.expected, c)}/month with the scenario: ${signedMoney(s.deltaMonthlyUsd, c)}/month${pct}.`;
}

/** The calibration in one sentence (plain text), or null when no site is calibrated. */
function calibrationLine(r: Report, c: Currency): string | null {
  const k = r.calibration;
  if (!k) return null;
  const n = plural(k.callSites, 'call site is', 'call sites are');
  if (k.errorPct === null) return `${n} calibrated from telemetry; the exports gave no actual cost to compare the assumptions with.`;
  const median = k.medianAbsErrorPct !== null && k.comparedCallSites > 1 ? ` (median miss per site ${formatErrorPct(k.medianAbsErrorPct).replace(/^[+−±]/, '')})` : '';
  return `${n} calibrated from telemetry: for ${k.comparedCallSites === 1 ? 'it' : 'them'} the assumptions alone said ${money(k.assumedMonthlyUsd, c)}/month, the telemetry shows ${money(k.actualMonthlyUsd, c)}/month — the guesses were ${formatErrorPct(k.errorPct)} off${median}.`;
}

/** ` (measured)` / ` (partly measured)` after a figure of a calibrated site; empty for assumptions. */
function basisNote(s: Pick<ReportSite, 'basis'>): string {
  return s.basis === 'assumed' ? '' : ` (${md(s.basis, true)})`;
}

function requestsNote(s: ReportSite): string {
  return s.assumedTraffic ? 'assumed' : s.calibration?.origins.traffic === 'measured' ? 'measured' : '';
}

function suggestionSaving(s: Report['suggestions'][number], c: Currency): string {
  if (s.monthlySavingUsd !== null && s.monthlySavingUsd > 0) return money(s.monthlySavingUsd, c);
  if (s.atStake) return `(${money(s.atStake.usd, c)} at stake)`;
  return '—';
}

function shortList(ids: string[], max = 3): string[] {
  return ids.length <= max ? ids : [...ids.slice(0, max), `… ${ids.length - max} more`];
}

// ---------------------------------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Escapes Markdown outside `code spans`; inside tables, pipes are escaped everywhere. A backtick outside a balanced
 * span is escaped too, so that Markdown pairs backticks exactly as this split does (a run such as ``` could otherwise
 * leave the text of a "code span" here as live Markdown there).
 */
function md(s: string, table = false): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? (table ? part.replace(/\|/g, '\\|') : part) : part.replace(/[\\`*_[\]<>|#~]/g, (ch) => `\\${ch}`)))
    .join('');
}

function code(s: string, table = true): string {
  const text = s.replace(/`/g, "'").replace(/\r?\n/g, ' ');
  return `\`${table ? text.replace(/\|/g, '\\|') : text}\``;
}

function bar(share: number, width = 10): string {
  const n = Math.round(Math.max(0, Math.min(1, share)) * width);
  return `${'█'.repeat(n)}${'░'.repeat(width - n)}`;
}

export function renderReportMarkdown(r: Report, options: RenderOptions = {}): string {
  const c = options.currency ?? USD;
  const out: string[] = [];
  const h = headline(r, c);
  out.push(`# ${md(r.title)}`, '');
  out.push(`_Generated ${dateText(r.generatedAt)}${r.toolVersion ? ` by costlens ${md(r.toolVersion)}` : ''}${r.workspace ? ` for ${md(r.workspace)}` : ''}. All figures are estimates per month, from the assumptions listed below._`, '');
  out.push(`**${h.total}**${md(h.rest)}`);
  const facts: string[] = [];
  if (r.totals.achievableMonthlySavingUsd > 0) facts.push(`Up to **${money(r.totals.achievableMonthlySavingUsd, c)}/month** achievable with the ${plural(r.suggestions.length, 'suggestion')} below.`);
  if (r.totals.assumedTrafficCallSites) facts.push(`${plural(r.totals.assumedTrafficCallSites, 'call site uses', 'call sites use')} assumed traffic: state real traffic in costlens.yml.`);
  if (r.calibration) facts.push(`${plural(r.totals.measuredCallSites, 'call site rests', 'call sites rest')} on measurements (see [Measured vs assumed](#measured-vs-assumed)).`);
  if (facts.length) out.push('', facts.join(' '));
  out.push('');

  if (r.scenario) {
    const s = r.scenario;
    out.push(`## What-if${s.name ? `: ${md(s.name)}` : ''}`, '');
    if (s.description) out.push(md(s.description), '');
    for (const line of s.summary) out.push(`- ${md(line)}`);
    if (s.summary.length) out.push('');
    out.push(md(scenarioLine(r, c)!), '');
    for (const n of s.notes) out.push(`> ${md(n)}`);
    if (s.notes.length) out.push('');
  }

  const featureTitle = r.groupedBy === 'folder' ? 'Cost by folder' : 'Cost by feature';
  out.push(`## ${featureTitle}`, '');
  const withBase = r.scenario !== null;
  out.push(`| ${r.groupedBy === 'folder' ? 'Folder' : 'Feature'} | Call sites | Requests/month | Low | Expected | High | Share |${withBase ? ' Baseline |' : ''}`);
  out.push(`|---|---:|---:|---:|---:|---:|---|${withBase ? '---:|' : ''}`);
  for (const g of r.byFeature) {
    const name = `${md(groupTitle(g), true)}${g.description ? ` — ${md(g.description, true)}` : ''}`;
    const unpriced = g.unpricedCallSites ? ` (${g.unpricedCallSites} unpriced)` : '';
    out.push(
      `| ${name} | ${g.callSites}${unpriced} | ${compactNumber(g.requestsPerMonth)} | ${money(g.monthlyUsd.low, c)} | **${money(g.monthlyUsd.expected, c)}** | ${money(g.monthlyUsd.high, c)} | \`${bar(g.share)}\` ${pctText(g.share)} |${withBase ? ` ${money(g.baselineMonthlyUsd ?? 0, c)} |` : ''}`,
    );
  }
  out.push('');

  out.push('## Cost by model', '');
  out.push(`| Model | Provider | Call sites | Requests/month | Expected/month | Range | Share |${withBase ? ' Baseline |' : ''}`);
  out.push(`|---|---|---:|---:|---:|---|---|${withBase ? '---:|' : ''}`);
  for (const m of r.byModel) {
    out.push(
      `| ${code(m.model)} | ${md(m.provider, true)} | ${m.callSites} | ${compactNumber(m.requestsPerMonth)} | **${m.monthlyUsd ? money(m.monthlyUsd.expected, c) : 'price unknown'}** | ${rangeText(m.monthlyUsd, c)} | \`${bar(m.share)}\` ${pctText(m.share)} |${withBase ? ` ${money(m.baselineMonthlyUsd ?? 0, c)} |` : ''}`,
    );
  }
  out.push('');

  out.push(`## Top call sites`, '');
  if (r.topSites.length === 0) out.push('No LLM call sites found.', '');
  else {
    out.push(`| # | Call site | ${r.groupedBy === 'folder' ? 'Folder' : 'Feature'} | Model | Context | Tokens in/out | $/request | Requests/month | $/month | Range |${withBase ? ' Baseline |' : ''}`);
    out.push(`|---:|---|---|---|---|---:|---:|---:|---:|---|${withBase ? '---:|' : ''}`);
    r.topSites.forEach((s, i) => {
      out.push(
        `| ${i + 1} | ${code(siteLabel(s))}${s.enclosingFunction ? ` ${md(s.enclosingFunction, true)}` : ''} | ${md(s.group, true)} | ${code(s.model)} | ${s.context}${s.inLoop ? ', loop' : ''} | ${formatTokens(s.inputTokens)} / ${formatTokens(s.outputTokens)} | ${formatCostPerRequest(s.costPerRequestUsd, c)} | ${compactNumber(s.requestsPerMonth)}${requestsNote(s) ? ` (${requestsNote(s)})` : ''} | **${s.monthlyUsd ? money(s.monthlyUsd.expected, c) : 'price unknown'}**${basisNote(s)} | ${rangeText(s.monthlyUsd, c)} |${withBase ? ` ${s.baselineMonthlyUsd == null ? '—' : money(s.baselineMonthlyUsd, c)} |` : ''}`,
      );
    });
    if (r.sites.length > r.topSites.length) out.push('', `_${plural(r.sites.length - r.topSites.length, 'more call site')} in the JSON and CSV exports._`);
    out.push('');
  }

  if (r.calibration) {
    out.push('## Measured vs assumed', '', md(calibrationLine(r, c)!), '');
    out.push('| Call site | Model | Basis | Measured requests/day | Assumed $/month | Actual $/month | Guess error | Calibrated error | Source |', '|---|---|---|---:|---:|---:|---:|---:|---|');
    for (const k of r.calibration.sites) {
      const source = `${k.source ? md(k.source, true) : '—'}${k.window ? ` (${k.window.from.slice(0, 10)} – ${k.window.to.slice(0, 10)})` : ''}`;
      out.push(
        `| ${code(siteLabel(k))} | ${code(k.model)} | ${md(k.basis, true)} | ${compactNumber(k.measuredRequestsPerDay)} | ${money(k.assumedMonthlyUsd, c)} | ${money(k.actualMonthlyUsd, c)} | **${formatErrorPct(k.errorPct)}** | ${formatErrorPct(k.calibratedErrorPct)} | ${source} |`,
      );
    }
    out.push('', '_Guess error: the estimate from the assumptions alone against the actual cost. Calibrated error: the estimate that now uses the measurements against the same cost. Partly measured sites still use some assumptions (traffic or tokens)._', '');
  }

  out.push(`## Suggestions${r.suggestions.length ? ` — up to ${money(r.totals.achievableMonthlySavingUsd, c)}/month achievable` : ''}`, '');
  if (r.suggestionsNote) out.push(`_${md(r.suggestionsNote)}_`, '');
  if (r.suggestions.length === 0) out.push('No suggestions above the saving threshold.', '');
  else {
    out.push('| # | Saving/month | Kind | Call site | Suggestion | Confidence |', '|---:|---:|---|---|---|---|');
    for (const s of r.suggestions) {
      out.push(`| ${s.rank} | ${suggestionSaving(s, c)} | ${s.kind} | ${code(siteLabel(s))} | ${md(s.message, true)}${s.quickFix ? ` _(quick fix: ${md(s.quickFix, true)})_` : ''} | ${s.confidence} |`);
    }
    out.push('', '_The achievable total counts one model change per call site (right-size or route) and applies the other savings to what is left._', '');
  }

  out.push('## Assumptions', '', 'Every figure above rests on these. Challenge them in `costlens.yml`.', '');
  let category: AssumptionCategory | null = null;
  for (const a of r.assumptions) {
    if (a.category !== category) {
      if (category !== null) out.push('');
      category = a.category;
      out.push(`### ${CATEGORY_TITLES[a.category]}`, '');
    }
    const where = a.siteIds.length ? ` — ${shortList(a.siteIds).map((id) => (id.startsWith('… ') ? id : code(id, false))).join(', ')}` : '';
    out.push(`- ${md(a.text)}${where}`);
  }
  out.push('');

  out.push('## Price sources', '');
  if (r.priceSources.length) {
    out.push('| Model | Provider | Input | Output | Cached input | Batch discount | Source | Date |', '|---|---|---:|---:|---:|---|---|---|');
    for (const p of r.priceSources) {
      out.push(
        `| ${code(p.model)} | ${md(p.provider, true)} | ${formatPerMTok(p.inputPerMTok, c)} | ${formatPerMTok(p.outputPerMTok, c)} | ${p.cacheReadPerMTok === null ? '—' : formatPerMTok(p.cacheReadPerMTok, c)} | ${p.batchDiscount ? `${Math.round(p.batchDiscount * 100)}%` : '—'} | ${md(p.source, true)} | ${p.sourceDate} |`,
      );
    }
    out.push('');
  }
  for (const u of r.unknownPrices) out.push(`- **Price unknown** for ${u.model ? code(u.model, false) : 'an unresolved model'} (${md(u.provider)}): ${md(u.reason)} — ${shortList(u.siteIds).map((id) => (id.startsWith('… ') ? id : code(id, false))).join(', ')}`);
  if (r.unknownPrices.length) out.push('');
  for (const s of r.ruleSources) out.push(`- ${md(s.what)}: checked ${s.checked} — ${md(s.where)}`);
  out.push('');

  if (r.skipped.length) {
    out.push(`<details><summary>${plural(r.skipped.length, 'file')} skipped</summary>`, '');
    for (const s of r.skipped) out.push(`- ${code(s.file, false)}: ${md(s.reason)}`);
    out.push('', '</details>', '');
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------------------------------

/** Escapes text for HTML and XML (element content and quoted attribute values). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** Text with its `code spans` as <code>, everything escaped. */
function htmlText(s: string): string {
  return s
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : escapeHtml(part)))
    .join('');
}

export interface ChartRow {
  label: string;
  /** Expected value: the bar. */
  value: number;
  /** Low–high range: the whisker. */
  low?: number | undefined;
  high?: number | undefined;
  /** Shown after the bar; default the formatted value. */
  valueText?: string | undefined;
}

/** CSS of the report page (also usable by a webview that shows the same sections). */
export const REPORT_CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--soft:#f6f8fa;--bar:#0969da;--whisker:#1f2328;--good:#1a7f37;--bad:#cf222e}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#3d444d;--soft:#151b23;--bar:#4493f8;--whisker:#e6edf3;--good:#3fb950;--bad:#f85149}}
*{box-sizing:border-box}
body{margin:0;padding:24px;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:15px;margin:16px 0 4px}
.meta,.note{color:var(--muted)}.note{font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{flex:1 1 180px;border:1px solid var(--line);border-radius:6px;padding:12px;background:var(--soft)}
.card .v{font-size:22px;font-weight:600}.card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}td.n,th.n{text-align:right;white-space:nowrap}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:1px 4px;border-radius:4px;word-break:break-all}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts figure{flex:1 1 420px;margin:0;max-width:640px}
figcaption{font-weight:600;margin-bottom:4px}
svg text{fill:var(--fg);font:12px -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif}
svg .bar{fill:var(--bar)}svg .whisker{stroke:var(--whisker);stroke-width:1.5}svg .axis{stroke:var(--line)}
.up{color:var(--bad)}.down{color:var(--good)}
.scenario{border-left:4px solid var(--bar);padding:8px 12px;background:var(--soft);margin:16px 0}
ul.assumptions li{margin:2px 0}
details summary{cursor:pointer}
@media print{body{padding:0}.card{break-inside:avoid}h2{break-after:avoid}}
`.trim();

/**
 * A horizontal bar chart as inline SVG: one row per item, a bar for the expected value and a whisker from low to high.
 * All text is escaped; the chart has a title for screen readers.
 */
export function renderBarChartSvg(title: string, rows: ChartRow[], c: Currency = USD): string {
  const width = 520;
  const rowHeight = 26;
  const labelWidth = 170;
  const valueWidth = 90;
  const barArea = width - labelWidth - valueWidth - 16;
  const top = 8;
  const height = top * 2 + Math.max(1, rows.length) * rowHeight;
  const max = Math.max(0, ...rows.map((r) => Math.max(r.value, r.high ?? 0)));
  const x = (v: number): number => labelWidth + (max > 0 ? (Math.max(0, v) / max) * barArea : 0);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}">`);
  parts.push(`<title>${escapeHtml(title)}</title>`);
  parts.push(`<line class="axis" x1="${labelWidth}" y1="${top}" x2="${labelWidth}" y2="${height - top}"/>`);
  if (rows.length === 0) parts.push(`<text x="${labelWidth + 8}" y="${top + 17}">No costs to show</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const label = r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label;
    parts.push(`<g><title>${escapeHtml(`${r.label}: ${r.valueText ?? money(r.value, c)}`)}</title>`);
    parts.push(`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(label)}</text>`);
    const w = x(r.value) - labelWidth;
    parts.push(`<rect class="bar" x="${labelWidth}" y="${y + 5}" width="${fixed(w)}" height="${rowHeight - 10}" rx="2"/>`);
    if (r.low !== undefined && r.high !== undefined && r.high > r.low) {
      const yMid = y + rowHeight / 2;
      parts.push(`<line class="whisker" x1="${fixed(x(r.low))}" y1="${yMid}" x2="${fixed(x(r.high))}" y2="${yMid}"/>`);
      parts.push(`<line class="whisker" x1="${fixed(x(r.low))}" y1="${yMid - 5}" x2="${fixed(x(r.low))}" y2="${yMid + 5}"/>`);
      parts.push(`<line class="whisker" x1="${fixed(x(r.high))}" y1="${yMid - 5}" x2="${fixed(x(r.high))}" y2="${yMid + 5}"/>`);
    }
    const textX = Math.max(x(r.value), r.high !== undefined ? x(r.high) : 0) + 6;
    parts.push(`<text x="${fixed(textX)}" y="${y + 17}">${escapeHtml(r.valueText ?? money(r.value, c))}</text></g>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

const fixed = (n: number): string => (Math.round(n * 10) / 10).toString();

export function featureChartRows(rows: ReportGroupRow[], c: Currency = USD): ChartRow[] {
  return rows.filter((g) => g.callSites > 0).map((g) => ({ label: groupTitle(g), value: g.monthlyUsd.expected, low: g.monthlyUsd.low, high: g.monthlyUsd.high, valueText: `${money(g.monthlyUsd.expected, c)}/mo` }));
}

export function modelChartRows(rows: ReportModelRow[], c: Currency = USD): ChartRow[] {
  return rows.filter((m) => m.monthlyUsd && m.callSites > 0).map((m) => ({ label: m.model, value: m.monthlyUsd!.expected, low: m.monthlyUsd!.low, high: m.monthlyUsd!.high, valueText: `${money(m.monthlyUsd!.expected, c)}/mo` }));
}

/** A complete, self-contained HTML page: inline CSS and SVG, no scripts, no external resources. */
export function renderReportHtml(r: Report, options: RenderOptions = {}): string {
  const c = options.currency ?? USD;
  const e = escapeHtml;
  const t = r.totals;
  const withBase = r.scenario !== null;
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${e(r.title)}${r.workspace ? ` — ${e(r.workspace)}` : ''}</title>`);
  out.push(`<style>\n${REPORT_CSS}\n</style>`, '</head>', '<body>', '<main>');
  out.push(`<h1>${e(r.title)}</h1>`);
  out.push(`<p class="meta">Generated ${e(dateText(r.generatedAt))}${r.toolVersion ? ` by costlens ${e(r.toolVersion)}` : ''}${r.workspace ? ` for <strong>${e(r.workspace)}</strong>` : ''}. All figures are estimates per month, from the assumptions listed below.</p>`);

  out.push('<section class="cards" aria-label="Summary">');
  const card = (label: string, value: string, sub?: string): void => {
    out.push(`<div class="card"><div class="l">${e(label)}</div><div class="v">${e(value)}</div>${sub ? `<div class="note">${e(sub)}</div>` : ''}</div>`);
  };
  card('Monthly cost (expected)', money(t.monthlyUsd.expected, c), t.monthlyUsd.low !== t.monthlyUsd.high ? `range ${money(t.monthlyUsd.low, c)} – ${money(t.monthlyUsd.high, c)}` : 'no range given in costlens.yml');
  card('Call sites', t.callSites.toLocaleString('en-US'), `${compactNumber(t.requestsPerMonth)} requests/month${t.unpricedCallSites ? ` · ${t.unpricedCallSites} unpriced` : ''}`);
  card('Achievable saving', `${money(t.achievableMonthlySavingUsd, c)}/mo`, plural(r.suggestions.length, 'suggestion'));
  card('Assumed traffic', plural(t.assumedTrafficCallSites, 'call site'), t.assumedTrafficCallSites ? 'state real traffic in costlens.yml' : 'all traffic stated');
  if (r.calibration) card('Measured', plural(t.measuredCallSites, 'call site'), r.calibration.errorPct === null ? 'no actual cost to compare' : `guesses ${formatErrorPct(r.calibration.errorPct)} vs actual`);
  out.push('</section>');
  if (t.unpricedCallSites) out.push(`<p class="note">${e(plural(t.unpricedCallSites, 'call site'))} with unknown price ${t.unpricedCallSites === 1 ? 'is' : 'are'} not in the total (see Price sources).</p>`);

  if (r.scenario) {
    const s = r.scenario;
    out.push(`<section class="scenario" aria-label="What-if scenario"><h2 style="margin-top:0;border:0">What-if${s.name ? `: ${e(s.name)}` : ''}</h2>`);
    if (s.description) out.push(`<p>${e(s.description)}</p>`);
    if (s.summary.length) out.push(`<ul>${s.summary.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`);
    out.push(`<p><strong class="${s.deltaMonthlyUsd > 0 ? 'up' : 'down'}">${e(scenarioLine(r, c)!)}</strong></p>`);
    for (const n of s.notes) out.push(`<p class="note">⚠ ${e(n)}</p>`);
    out.push('</section>');
  }

  const groupWord = r.groupedBy === 'folder' ? 'folder' : 'feature';
  out.push('<h2>Where the money goes</h2>', '<div class="charts">');
  out.push(`<figure><figcaption>Cost by ${groupWord}</figcaption>${renderBarChartSvg(`Monthly cost by ${groupWord}`, featureChartRows(r.byFeature, c), c)}</figure>`);
  out.push(`<figure><figcaption>Cost by model</figcaption>${renderBarChartSvg('Monthly cost by model', modelChartRows(r.byModel, c), c)}</figure>`);
  out.push('</div>', '<p class="note">Bars: expected monthly cost. Whiskers: low – high from the ranges in costlens.yml.</p>');

  out.push(`<h2>Cost by ${groupWord}</h2>`, '<table>');
  out.push(`<thead><tr><th>${r.groupedBy === 'folder' ? 'Folder' : 'Feature'}</th><th class="n">Call sites</th><th class="n">Requests/month</th><th class="n">Low</th><th class="n">Expected</th><th class="n">High</th><th class="n">Share</th>${withBase ? '<th class="n">Baseline</th>' : ''}</tr></thead><tbody>`);
  for (const g of r.byFeature) {
    out.push(
      `<tr><td>${e(groupTitle(g))}${g.description ? `<div class="note">${e(g.description)}</div>` : ''}</td><td class="n">${g.callSites}${g.unpricedCallSites ? ` (${g.unpricedCallSites} unpriced)` : ''}</td><td class="n">${e(compactNumber(g.requestsPerMonth))}</td><td class="n">${e(money(g.monthlyUsd.low, c))}</td><td class="n"><strong>${e(money(g.monthlyUsd.expected, c))}</strong></td><td class="n">${e(money(g.monthlyUsd.high, c))}</td><td class="n">${pctText(g.share)}</td>${withBase ? `<td class="n">${e(money(g.baselineMonthlyUsd ?? 0, c))}</td>` : ''}</tr>`,
    );
  }
  out.push('</tbody></table>');

  out.push('<h2>Cost by model</h2>', '<table>');
  out.push(`<thead><tr><th>Model</th><th>Provider</th><th class="n">Call sites</th><th class="n">Requests/month</th><th class="n">Expected/month</th><th class="n">Range</th><th class="n">Share</th>${withBase ? '<th class="n">Baseline</th>' : ''}</tr></thead><tbody>`);
  for (const m of r.byModel) {
    out.push(
      `<tr><td><code>${e(m.model)}</code></td><td>${e(m.provider)}</td><td class="n">${m.callSites}</td><td class="n">${e(compactNumber(m.requestsPerMonth))}</td><td class="n"><strong>${e(m.monthlyUsd ? money(m.monthlyUsd.expected, c) : 'price unknown')}</strong></td><td class="n">${e(rangeText(m.monthlyUsd, c))}</td><td class="n">${pctText(m.share)}</td>${withBase ? `<td class="n">${e(money(m.baselineMonthlyUsd ?? 0, c))}</td>` : ''}</tr>`,
    );
  }
  out.push('</tbody></table>');

  out.push('<h2>Top call sites</h2>');
  if (r.topSites.length === 0) out.push('<p>No LLM call sites found.</p>');
  else {
    out.push('<table>', `<thead><tr><th class="n">#</th><th>Call site</th><th>${r.groupedBy === 'folder' ? 'Folder' : 'Feature'}</th><th>Model</th><th>Context</th><th class="n">Tokens in/out</th><th class="n">$/request</th><th class="n">Requests/month</th><th class="n">$/month</th><th class="n">Range</th>${withBase ? '<th class="n">Baseline</th>' : ''}</tr></thead><tbody>`);
    r.topSites.forEach((s, i) => {
      out.push(
        `<tr><td class="n">${i + 1}</td><td><code>${e(siteLabel(s))}</code>${s.enclosingFunction ? `<div class="note">${e(s.enclosingFunction)}</div>` : ''}</td><td>${e(s.group)}</td><td><code>${e(s.model)}</code><div class="note">${e(`${s.sdk} ${s.api} · ${s.provider}`)}</div></td><td>${e(s.context)}${s.inLoop ? ', loop' : ''}</td><td class="n">${e(`${formatTokens(s.inputTokens)} / ${formatTokens(s.outputTokens)}`)}</td><td class="n">${e(formatCostPerRequest(s.costPerRequestUsd, c))}</td><td class="n">${e(compactNumber(s.requestsPerMonth))}${requestsNote(s) ? `<div class="note">${requestsNote(s)}</div>` : ''}</td><td class="n"><strong>${e(s.monthlyUsd ? money(s.monthlyUsd.expected, c) : 'price unknown')}</strong>${s.basis === 'assumed' ? '' : `<div class="note">${e(s.basis)}</div>`}</td><td class="n">${e(rangeText(s.monthlyUsd, c))}</td>${withBase ? `<td class="n">${e(s.baselineMonthlyUsd == null ? '—' : money(s.baselineMonthlyUsd, c))}</td>` : ''}</tr>`,
      );
    });
    out.push('</tbody></table>');
    if (r.sites.length > r.topSites.length) out.push(`<p class="note">${e(plural(r.sites.length - r.topSites.length, 'more call site'))} in the JSON and CSV exports.</p>`);
  }

  if (r.calibration) {
    out.push('<h2 id="measured-vs-assumed">Measured vs assumed</h2>', `<p>${e(calibrationLine(r, c)!)}</p>`, '<table>');
    out.push('<thead><tr><th>Call site</th><th>Model</th><th>Basis</th><th class="n">Measured requests/day</th><th class="n">Assumed $/month</th><th class="n">Actual $/month</th><th class="n">Guess error</th><th class="n">Calibrated error</th><th>Source</th></tr></thead><tbody>');
    for (const k of r.calibration.sites) {
      const cls = k.errorPct === null ? '' : k.errorPct > 0 ? ' up' : ' down';
      out.push(
        `<tr><td><code>${e(siteLabel(k))}</code></td><td><code>${e(k.model)}</code></td><td>${e(k.basis)}</td><td class="n">${e(compactNumber(k.measuredRequestsPerDay))}</td><td class="n">${e(money(k.assumedMonthlyUsd, c))}</td><td class="n">${e(money(k.actualMonthlyUsd, c))}</td><td class="n${cls}"><strong>${e(formatErrorPct(k.errorPct))}</strong></td><td class="n">${e(formatErrorPct(k.calibratedErrorPct))}</td><td>${e(k.source ?? '—')}${k.window ? `<div class="note">${e(`${k.window.from.slice(0, 10)} – ${k.window.to.slice(0, 10)}`)}</div>` : ''}</td></tr>`,
      );
    }
    out.push('</tbody></table>', '<p class="note">Guess error: the estimate from the assumptions alone against the actual cost. Calibrated error: the estimate that now uses the measurements against the same cost. Partly measured sites still use some assumptions (traffic or tokens).</p>');
  }

  out.push(`<h2>Suggestions${r.suggestions.length ? ` — up to ${e(money(t.achievableMonthlySavingUsd, c))}/month achievable` : ''}</h2>`);
  if (r.suggestionsNote) out.push(`<p class="note">${e(r.suggestionsNote)}</p>`);
  if (r.suggestions.length === 0) out.push('<p>No suggestions above the saving threshold.</p>');
  else {
    out.push('<table>', '<thead><tr><th class="n">#</th><th class="n">Saving/month</th><th>Kind</th><th>Call site</th><th>Suggestion</th><th>Confidence</th></tr></thead><tbody>');
    for (const s of r.suggestions) {
      out.push(
        `<tr><td class="n">${s.rank}</td><td class="n">${e(suggestionSaving(s, c))}</td><td>${e(s.kind)}</td><td><code>${e(siteLabel(s))}</code></td><td>${htmlText(s.message)}${s.quickFix ? `<div class="note">Quick fix in the editor: ${e(s.quickFix)}</div>` : ''}<div class="note">${htmlText(s.rationale)}</div></td><td>${e(s.confidence)}</td></tr>`,
      );
    }
    out.push('</tbody></table>', '<p class="note">The achievable total counts one model change per call site (right-size or route) and applies the other savings to what is left.</p>');
  }

  out.push('<h2>Assumptions</h2>', '<p>Every figure above rests on these. Challenge them in <code>costlens.yml</code>.</p>');
  let category: AssumptionCategory | null = null;
  for (const a of r.assumptions) {
    if (a.category !== category) {
      if (category !== null) out.push('</ul>');
      category = a.category;
      out.push(`<h3>${e(CATEGORY_TITLES[a.category])}</h3>`, '<ul class="assumptions">');
    }
    const where = a.siteIds.length ? ` <span class="note">— ${shortList(a.siteIds).map((id) => (id.startsWith('… ') ? e(id) : `<code>${e(id)}</code>`)).join(', ')}</span>` : '';
    out.push(`<li>${htmlText(a.text)}${where}</li>`);
  }
  if (category !== null) out.push('</ul>');

  out.push('<h2>Price sources</h2>');
  if (r.priceSources.length) {
    out.push('<table>', '<thead><tr><th>Model</th><th>Provider</th><th class="n">Input</th><th class="n">Output</th><th class="n">Cached input</th><th class="n">Batch discount</th><th>Source</th><th>Date</th></tr></thead><tbody>');
    for (const p of r.priceSources) {
      out.push(
        `<tr><td><code>${e(p.model)}</code></td><td>${e(p.provider)}</td><td class="n">${e(formatPerMTok(p.inputPerMTok, c))}</td><td class="n">${e(formatPerMTok(p.outputPerMTok, c))}</td><td class="n">${e(p.cacheReadPerMTok === null ? '—' : formatPerMTok(p.cacheReadPerMTok, c))}</td><td class="n">${p.batchDiscount ? `${Math.round(p.batchDiscount * 100)}%` : '—'}</td><td>${e(p.source)}</td><td>${e(p.sourceDate)}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  if (r.unknownPrices.length) {
    out.push('<ul>');
    for (const u of r.unknownPrices) out.push(`<li><strong>Price unknown</strong> for ${u.model ? `<code>${e(u.model)}</code>` : 'an unresolved model'} (${e(u.provider)}): ${e(u.reason)} <span class="note">— ${shortList(u.siteIds).map((id) => (id.startsWith('… ') ? e(id) : `<code>${e(id)}</code>`)).join(', ')}</span></li>`);
    out.push('</ul>');
  }
  out.push(`<ul class="note">${r.ruleSources.map((s) => `<li>${e(s.what)}: checked ${e(s.checked)} — ${e(s.where)}</li>`).join('')}</ul>`);

  if (r.skipped.length) {
    out.push(`<details><summary>${e(plural(r.skipped.length, 'file'))} skipped</summary><ul>`);
    for (const s of r.skipped) out.push(`<li><code>${e(s.file)}</code>: ${e(s.reason)}</li>`);
    out.push('</ul></details>');
  }
  out.push('</main>', '</body>', '</html>', '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------------
// JSON and CSV
// ---------------------------------------------------------------------------------------------------------------------

/** The Report as JSON, with fractional numbers rounded to 8 decimals so output is stable across platforms. */
export function renderReportJson(r: Report): string {
  return `${JSON.stringify(r, (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1e8) / 1e8 : value), 2)}\n`;
}

export const CSV_COLUMNS = [
  'id',
  'file',
  'line',
  'function',
  'feature_or_folder',
  'sdk',
  'api',
  'provider',
  'model',
  'context',
  'in_loop',
  'input_tokens',
  'output_tokens',
  'requests_per_month',
  'cost_per_request_usd',
  'monthly_low_usd',
  'monthly_expected_usd',
  'monthly_high_usd',
  'baseline_monthly_usd',
  'traffic_source',
  'traffic_detail',
  'price_source',
  'suggestions',
  'basis',
  'assumed_monthly_usd',
  'actual_monthly_usd',
  'error_pct',
  'calibrated_error_pct',
] as const;

/** RFC 4180 CSV, one row per call site (most expensive first). Text that a spreadsheet would run as a formula is prefixed with '. */
export function renderReportCsv(r: Report): string {
  const num = (v: number | null | undefined, digits = 8): string => (v === null || v === undefined ? '' : String(Math.round(v * 10 ** digits) / 10 ** digits));
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const s of r.sites) {
    rows.push([
      s.id,
      s.file,
      String(s.line),
      s.enclosingFunction ?? '',
      s.group,
      s.sdk,
      s.api,
      s.provider,
      s.model,
      s.context,
      s.inLoop ? 'true' : 'false',
      String(s.inputTokens),
      String(s.outputTokens),
      num(s.requestsPerMonth, 2),
      num(s.costPerRequestUsd),
      num(s.monthlyUsd?.low),
      num(s.monthlyUsd?.expected),
      num(s.monthlyUsd?.high),
      r.scenario ? num(s.baselineMonthlyUsd) : '',
      s.trafficSource,
      s.trafficDetail,
      s.priceSource,
      String(s.suggestions),
      s.basis,
      num(s.calibration?.assumedMonthlyUsd),
      num(s.calibration?.actualMonthlyUsd),
      num(s.calibration?.errorPct, 2),
      num(s.calibration?.calibratedErrorPct, 2),
    ]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
