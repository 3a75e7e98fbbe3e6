/**
 * Machine- and human-readable forms of a scan: the public JSON contract (schemaVersion 1), Markdown for pull
 * requests and tickets, and SARIF 2.1.0 for code-scanning upload. Figures are formatted with ../format only.
 */
import type { Suggestion } from '../advise/types';
import { calibrationJsonFields } from '../calibrate/present';
import { allSuggestions, type EstimatedCallSite, type ScanResult } from '../engine/engine';
import { formatCostPerRequest, formatMoneyCompact, formatRequestsPerMonth, formatTokens } from '../format';

export const SCAN_SCHEMA_VERSION = 1;

export interface ScanJson {
  schemaVersion: 1;
  callSites: CallSiteJson[];
  skipped: Array<{ file: string; reason: string }>;
  totals: { callSites: number; monthlyCostUsd: number; unpricedCallSites: number; monthlyCostRangeUsd: { low: number; high: number }; achievableMonthlySavingUsd: number };
  /** Every suggestion, ranked by monthly saving. */
  suggestions: SuggestionJson[];
}

export interface SuggestionJson {
  id: string;
  callSiteId: string;
  file: string;
  line: number;
  kind: string;
  message: string;
  monthlySavingUsd: number | null;
  atStake: { label: string; usd: number } | null;
  confidence: string;
  rationale: string;
  assumptions: string[];
  alternatives?: Array<{ model: string; provider: string; tier: number; monthlyCostUsd: number; monthlySavingUsd: number }>;
  edit: { title: string; changes: Array<{ file: string; startLine: number; startColumn: number; endLine: number; endColumn: number; newText: string }>; newFiles: string[] } | null;
  sources: string[];
}

/**
 * The saving achievable if every suggestion were applied. Savings of one call site do not simply add up: model
 * changes (right-size, route) are alternatives, so only the larger counts; the other kinds then apply to what is
 * left (a Batch API discount on a cheaper model saves less), each as the fraction of the site's cost it removes.
 */
export function achievableSaving(sites: EstimatedCallSite[]): number {
  let total = 0;
  for (const site of sites) {
    const cost = site.estimate?.monthlyCostUsd;
    if (!cost || !site.suggestions?.length) continue;
    const savings = site.suggestions.filter((s) => (s.monthlySavingUsd ?? 0) > 0);
    const model = Math.max(0, ...savings.filter((s) => s.kind === 'right-size' || s.kind === 'route').map((s) => s.monthlySavingUsd!));
    let remaining = Math.max(0, cost - model);
    for (const s of savings.filter((x) => x.kind !== 'right-size' && x.kind !== 'route')) remaining -= remaining * Math.min(1, s.monthlySavingUsd! / cost);
    total += cost - remaining;
  }
  return total;
}

function suggestionJson(s: Suggestion): SuggestionJson {
  return {
    id: s.id,
    callSiteId: s.siteId,
    file: s.file,
    line: s.line,
    kind: s.kind,
    message: s.message,
    monthlySavingUsd: money(s.monthlySavingUsd),
    atStake: s.atStake ? { label: s.atStake.label, usd: money(s.atStake.usd)! } : null,
    confidence: s.confidence,
    rationale: s.rationale,
    assumptions: s.assumptions,
    ...(s.alternatives ? { alternatives: s.alternatives.map((a) => ({ model: a.model, provider: a.provider, tier: a.tier, monthlyCostUsd: money(a.monthlyCostUsd)!, monthlySavingUsd: money(a.monthlySavingUsd)! })) } : {}),
    edit: s.edit
      ? {
          title: s.edit.title,
          changes: s.edit.changes.map((c) => ({ file: c.file, startLine: c.range.startLine, startColumn: c.range.startColumn, endLine: c.range.endLine, endColumn: c.range.endColumn, newText: c.newText })),
          newFiles: s.edit.newFiles.map((f) => f.file),
        }
      : null,
    sources: s.sources,
  };
}

export interface CallSiteJson {
  id: string;
  file: string;
  line: number;
  column: number;
  language: string;
  sdk: string;
  api: string;
  role: string;
  provider: string;
  providerReason: string;
  model: { expression: string | null; resolved: string | null; resolution: string };
  streaming: boolean | null;
  inLoop: boolean;
  context: string;
  contextReason: string;
  enclosingFunction: string | null;
  /** The callee as written (`self.client.chat.completions.create`); lets `costlens diff` match sites whose id shifted. */
  callee: string;
  constructId?: string;
  usedBy?: string[];
  pragma?: string;
  params: {
    maxOutputTokens: number | null;
    maxOutputTokensExpression: string | null;
    n: number | null;
    temperature: number | null;
    reasoningEffort: string | null;
    toolCount: number | null;
    responseFormat: string | null;
    cacheControl: boolean;
  };
  prompt: { staticParts: number; dynamicParts: string[]; opaque: boolean };
  estimate: EstimateJson | null;
}

export interface EstimateJson {
  inputTokens: number;
  outputTokens: number;
  costPerRequestUsd: number | null;
  requestsPerMonth: number;
  monthlyCostUsd: number | null;
  priceSource: string;
  assumptions: string[];
  staticInputTokens: number;
  dynamicInputTokens: number;
  toolTokens: number;
  outputSource: string;
  tokenMethod: string;
  pricedModel: string | null;
  price: { inputPerMTok: number; outputPerMTok: number; cacheReadPerMTok: number | null; model: string } | null;
  trafficSource: string;
  trafficDetail: string;
  monthlyCostRangeUsd: { low: number; high: number } | null;
  feature: string | null;
}

/** Rounds money to 1e-8 USD so JSON output is stable across platforms. */
const money = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e8) / 1e8);

export function toScanJson(result: ScanResult): ScanJson {
  const suggestions = allSuggestions(result.callSites);
  return {
    schemaVersion: SCAN_SCHEMA_VERSION,
    callSites: sortByMonthlyCost(result.callSites).map(siteJson),
    skipped: result.skipped.map((s) => ({ file: s.file, reason: s.reason })),
    totals: {
      callSites: result.totals.callSites,
      monthlyCostUsd: money(result.totals.monthlyCostUsd)!,
      unpricedCallSites: result.totals.unpricedCallSites,
      monthlyCostRangeUsd: { low: money(result.totals.monthlyCostRangeUsd.low)!, high: money(result.totals.monthlyCostRangeUsd.high)! },
      achievableMonthlySavingUsd: money(achievableSaving(result.callSites))!,
    },
    suggestions: suggestions.map(suggestionJson),
  };
}

function siteJson(s: EstimatedCallSite): CallSiteJson {
  const e = s.estimate;
  const out: CallSiteJson = {
    id: s.id,
    file: s.file,
    line: s.line,
    column: s.column,
    language: s.language,
    sdk: s.sdk,
    api: s.api,
    role: s.role,
    provider: s.provider,
    providerReason: s.providerReason,
    model: { expression: s.model.expression, resolved: s.model.resolved, resolution: s.model.resolution },
    streaming: s.streaming,
    inLoop: s.inLoop,
    context: s.context,
    contextReason: s.contextReason,
    enclosingFunction: s.enclosingFunction,
    callee: s.callee,
    params: {
      maxOutputTokens: s.params.maxOutputTokens?.value ?? null,
      maxOutputTokensExpression: s.params.maxOutputTokens?.expression ?? null,
      n: s.params.n?.value ?? null,
      temperature: s.params.temperature?.value ?? null,
      reasoningEffort: s.params.reasoningEffort,
      toolCount: s.params.toolCount,
      responseFormat: s.params.responseFormat,
      cacheControl: s.params.cacheControl,
    },
    prompt: {
      staticParts: s.prompt.parts.filter((p) => p.kind === 'static').length,
      dynamicParts: s.prompt.parts.filter((p) => p.kind === 'dynamic').map((p) => p.expression ?? ''),
      opaque: s.prompt.opaque,
    },
    estimate: e
      ? {
          inputTokens: e.inputTokens,
          outputTokens: e.outputTokens,
          costPerRequestUsd: money(e.costPerRequestUsd),
          requestsPerMonth: Math.round(e.requestsPerMonth),
          monthlyCostUsd: money(e.monthlyCostUsd),
          priceSource: e.priceSource,
          assumptions: e.assumptions,
          staticInputTokens: e.staticInputTokens,
          dynamicInputTokens: e.dynamicInputTokens,
          toolTokens: e.toolTokens,
          outputSource: e.outputSource,
          tokenMethod: e.tokenMethod,
          pricedModel: e.pricedModel,
          price: e.price ? { inputPerMTok: e.price.inputPerMTok, outputPerMTok: e.price.outputPerMTok, cacheReadPerMTok: e.price.cacheReadPerMTok, model: e.price.model } : null,
          trafficSource: e.trafficSource,
          trafficDetail: e.trafficDetail,
          monthlyCostRangeUsd: e.monthlyCostRange ? { low: money(e.monthlyCostRange.low)!, high: money(e.monthlyCostRange.high)! } : null,
          feature: e.feature,
          ...calibrationJsonFields(e),
        }
      : null,
  };
  if (s.constructId) out.constructId = s.constructId;
  if (s.usedBy) out.usedBy = s.usedBy;
  if (s.pragma) out.pragma = s.pragma.text;
  return out;
}

/** Highest monthly cost first; unpriced and cost-less sites after, in file order. */
export function sortByMonthlyCost<T extends EstimatedCallSite>(sites: T[]): T[] {
  return [...sites].sort((a, b) => {
    const am = a.estimate?.monthlyCostUsd ?? -1;
    const bm = b.estimate?.monthlyCostUsd ?? -1;
    if (am !== bm) return bm - am;
    return a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1;
  });
}

/** A short model label: the resolved id, else the unresolved expression. */
export function modelLabel(s: EstimatedCallSite): string {
  return s.model.resolved ?? s.estimate?.pricedModel ?? (s.model.expression ? `? ${s.model.expression}` : '? (no model)');
}

/** The cost columns of one site as people read them. */
export function costCells(s: EstimatedCallSite): { perRequest: string; monthly: string; traffic: string } {
  const e = s.estimate;
  if (!e) return { perRequest: '—', monthly: `via ${s.usedBy?.length ?? 0} invocation${s.usedBy?.length === 1 ? '' : 's'}`, traffic: '—' };
  return {
    perRequest: e.costPerRequestUsd === null ? 'price unknown' : formatCostPerRequest(e.costPerRequestUsd),
    monthly: e.monthlyCostUsd === null ? 'price unknown' : formatMoneyCompact(e.monthlyCostUsd),
    traffic: formatRequestsPerMonth(e.requestsPerMonth),
  };
}

export function renderScanMarkdown(result: ScanResult, title = 'costlens: LLM call sites'): string {
  const sites = sortByMonthlyCost(result.callSites);
  const lines: string[] = [];
  const t = result.totals;
  lines.push(`## ${title}`, '');
  lines.push(
    `**${formatMoneyCompact(t.monthlyCostUsd)}/mo** estimated across ${t.callSites} call site${t.callSites === 1 ? '' : 's'}` +
      (t.monthlyCostRangeUsd.low !== t.monthlyCostRangeUsd.high ? ` (range ${formatMoneyCompact(t.monthlyCostRangeUsd.low)}–${formatMoneyCompact(t.monthlyCostRangeUsd.high)})` : '') +
      (t.unpricedCallSites ? `; ${t.unpricedCallSites} with unknown price (not in the total)` : '') +
      '.',
    '',
  );
  if (sites.length) {
    lines.push('| Call site | Model | SDK | Context | Tokens in/out | $/req | Requests | $/month |', '|---|---|---|---|---|---|---|---|');
    for (const s of sites) {
      const c = costCells(s);
      const tokens = s.estimate ? `${formatTokens(s.estimate.inputTokens)} / ${formatTokens(s.estimate.outputTokens)}` : '—';
      lines.push(`| ${codeCell(`${s.file}:${s.line}`)} ${s.enclosingFunction ? `(${mdEscape(s.enclosingFunction)})` : ''} | ${mdEscape(modelLabel(s))} | ${s.sdk} ${s.api} | ${s.context}${s.inLoop ? ', loop' : ''} | ${tokens} | ${c.perRequest} | ${c.traffic} | ${c.monthly} |`);
    }
    lines.push('');
  }
  const suggestions = allSuggestions(sites);
  if (suggestions.length) {
    lines.push(`### Suggestions — up to ${formatMoneyCompact(achievableSaving(sites))}/mo achievable`, '');
    lines.push('| Saving/month | Kind | Call site | Suggestion | Confidence |', '|---|---|---|---|---|');
    for (const s of suggestions) {
      const saving = s.monthlySavingUsd !== null && s.monthlySavingUsd > 0 ? formatMoneyCompact(s.monthlySavingUsd) : s.atStake ? `(${formatMoneyCompact(s.atStake.usd)} at stake)` : '—';
      lines.push(`| ${saving} | ${s.kind} | ${codeCell(`${s.file}:${s.line}`)} | ${mdEscape(s.message)}${s.edit ? ` _(quick fix: ${mdEscape(s.edit.title)})_` : ''} | ${s.confidence} |`);
    }
    lines.push('');
  }
  const assumptions = new Map<string, number>();
  for (const s of sites) for (const a of s.estimate?.assumptions ?? []) assumptions.set(a, (assumptions.get(a) ?? 0) + 1);
  if (assumptions.size) {
    lines.push('<details><summary>Assumptions</summary>', '');
    for (const [a, n] of [...assumptions].sort((x, y) => y[1] - x[1])) lines.push(`- ${mdEscape(a)}${n > 1 ? ` (${n} sites)` : ''}`);
    lines.push('', '</details>', '');
  }
  if (result.skipped.length) {
    lines.push(`<details><summary>${result.skipped.length} file${result.skipped.length === 1 ? '' : 's'} skipped</summary>`, '');
    for (const s of result.skipped) lines.push(`- ${codeCell(s.file, false)}: ${mdEscape(s.reason)}`);
    lines.push('', '</details>', '');
  }
  return lines.join('\n');
}

/**
 * Free text (model labels, messages, reasons) for a Markdown table or list: no raw HTML, no link, no line break, no
 * cell break. Balanced `code spans` are kept; any other backtick is escaped, so it cannot pair with a later one.
 */
function mdEscape(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[\\`[\]]/g, (c) => `\\${c}`)))
    .join('')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A file location as one code span: backticks cannot close it, pipes cannot split the table cell. */
function codeCell(s: string, table = true): string {
  const text = s.replace(/`/g, "'").replace(/\s+/g, ' ');
  return `\`${table ? text.replace(/\|/g, '\\|') : text}\``;
}

/** SARIF 2.1.0: one result per call site (note level), plus warnings for unresolved models and unknown prices. */
export function renderScanSarif(result: ScanResult, toolVersion: string): string {
  const rules = [
    { id: 'costlens/call-site', shortDescription: { text: 'LLM call site with its estimated cost' }, defaultConfiguration: { level: 'note' } },
    { id: 'costlens/unresolved-model', shortDescription: { text: 'The model of an LLM call could not be resolved statically' }, defaultConfiguration: { level: 'warning' } },
    { id: 'costlens/unknown-price', shortDescription: { text: 'No price is known for the model of an LLM call' }, defaultConfiguration: { level: 'warning' } },
    ...['right-size', 'route', 'cache', 'prompt-cache', 'batch', 'bound-output', 'attribute'].map((kind) => ({
      id: `costlens/advice/${kind}`,
      shortDescription: { text: `costlens suggestion: ${kind}` },
      defaultConfiguration: { level: 'note' },
    })),
  ];
  const results = [];
  for (const s of sortByMonthlyCost(result.callSites)) {
    const location = [{ physicalLocation: { artifactLocation: { uri: s.file }, region: { startLine: s.line, startColumn: s.column } } }];
    const c = costCells(s);
    results.push({
      ruleId: 'costlens/call-site',
      level: 'note',
      message: { text: `${s.sdk} ${s.api} call, model ${modelLabel(s)}: ${c.perRequest}/req, ${c.monthly}/mo at ${c.traffic}` },
      locations: location,
      partialFingerprints: { callSiteId: s.id },
      properties: { monthlyCostUsd: s.estimate?.monthlyCostUsd ?? null, costPerRequestUsd: s.estimate?.costPerRequestUsd ?? null },
    });
    if (!s.model.resolved && s.role !== 'construct') {
      results.push({ ruleId: 'costlens/unresolved-model', level: 'warning', message: { text: `Model not resolved: ${s.model.resolution}` }, locations: location, partialFingerprints: { callSiteId: s.id } });
    } else if (s.estimate && s.estimate.costPerRequestUsd === null) {
      results.push({ ruleId: 'costlens/unknown-price', level: 'warning', message: { text: `${s.estimate.priceSource}` }, locations: location, partialFingerprints: { callSiteId: s.id } });
    }
  }
  for (const s of allSuggestions(result.callSites)) {
    results.push({
      ruleId: `costlens/advice/${s.kind}`,
      level: s.monthlySavingUsd !== null && s.monthlySavingUsd >= 1000 ? 'warning' : 'note',
      message: { text: s.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: s.file }, region: { startLine: s.line } } }],
      partialFingerprints: { suggestionId: s.id },
      properties: { monthlySavingUsd: s.monthlySavingUsd, confidence: s.confidence },
    });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'costlens', version: toolVersion, rules } }, results }],
  };
  return JSON.stringify(sarif, null, 2);
}
