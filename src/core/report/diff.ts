/**
 * Cost diff between two states of a codebase (two git revisions scanned by the engine, or two `costlens scan
 * --format json` files): the call sites added, removed and changed (model, tokens, traffic, price), the monthly delta
 * of each and in total, and the suggestions that are new. Rendered as Markdown for a pull-request comment (summary
 * line first), JSON, and SARIF for code-scanning upload.
 *
 * Sites are matched by id; then, for ids that shifted (a call inserted above, a function renamed), by
 * (file, callee, model); then by (file, callee) when both sides have the same number of such calls left.
 */
import { allSuggestions, type EstimatedCallSite, type ScanResult } from '../engine/engine';
import { compactNumber, formatMoneyCompact, formatTokens } from '../format';
import { modelLabel, type ScanJson } from './scanOutput';

export interface DiffSite {
  id: string;
  file: string;
  line: number;
  column: number;
  /** The callee as written; null in scan JSON written before it carried one. */
  callee: string | null;
  sdk: string;
  api: string;
  provider: string;
  /** The model priced (resolved or assumed), or the unresolved label. */
  model: string;
  inputTokens: number | null;
  outputTokens: number | null;
  requestsPerMonth: number | null;
  costPerRequestUsd: number | null;
  monthlyCostUsd: number | null;
  trafficDetail: string | null;
  /** False for a LangChain construct whose cost is on its invocations. */
  costed: boolean;
}

export interface DiffSuggestion {
  id: string;
  siteId: string;
  file: string;
  line: number;
  kind: string;
  message: string;
  monthlySavingUsd: number | null;
}

export interface DiffSide {
  /** What the person named: a revision (`origin/main`), a file, or `working tree`. */
  label: string;
  /** Commit id when the side is a git revision. */
  commit?: string | undefined;
  sites: DiffSite[];
  suggestions: DiffSuggestion[];
}

export type ChangeKind = 'model' | 'provider' | 'input-tokens' | 'output-tokens' | 'traffic' | 'cost-per-request' | 'priced' | 'id';

export interface SiteChange {
  what: ChangeKind;
  from: string | number | null;
  to: string | number | null;
  /** e.g. `model gpt-4o-mini → gpt-4o`, `traffic 30k → 90k requests/month`. */
  text: string;
}

export interface SiteDelta {
  status: 'added' | 'removed' | 'changed';
  /** Head id (base id for removed sites). */
  id: string;
  /** Base id when it differs from the head id. */
  baseId?: string | undefined;
  file: string;
  line: number;
  column: number;
  sdk: string;
  api: string;
  model: string;
  baseModel?: string | undefined;
  baseMonthlyUsd: number | null;
  headMonthlyUsd: number | null;
  /** Null when either side has no known price. */
  deltaMonthlyUsd: number | null;
  changes: SiteChange[];
  matchedBy?: 'id' | 'file+callee+model' | 'file+callee' | undefined;
  headSite?: DiffSite | undefined;
  baseSite?: DiffSite | undefined;
}

export interface CostDiff {
  schemaVersion: 1;
  base: { label: string; commit: string | null; monthlyCostUsd: number; callSites: number; unpricedCallSites: number };
  head: { label: string; commit: string | null; monthlyCostUsd: number; callSites: number; unpricedCallSites: number };
  /** Head total minus base total (priced sites). */
  totalDeltaUsd: number;
  /** Relative to the base total; null when the base is $0. */
  deltaRatio: number | null;
  /** Every added, removed and changed site, largest absolute delta first. */
  sites: SiteDelta[];
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  newSuggestions: DiffSuggestion[];
  /** Suggestions of the base that no longer apply (fixed, or the site is gone). */
  resolvedSuggestions: DiffSuggestion[];
  /** Set by the caller when a budget is checked (`--fail-above`). */
  budget?: { limitUsd: number; exceeded: boolean } | undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------------------

export class DiffInputError extends Error {
  override readonly name = 'DiffInputError';
}

export function diffSiteOf(s: EstimatedCallSite): DiffSite {
  const e = s.estimate;
  return {
    id: s.id,
    file: s.file,
    line: s.line,
    column: s.column,
    callee: s.callee,
    sdk: s.sdk,
    api: s.api,
    provider: s.provider,
    model: modelLabel(s),
    inputTokens: e?.inputTokens ?? null,
    outputTokens: e?.outputTokens ?? null,
    requestsPerMonth: e?.requestsPerMonth ?? null,
    costPerRequestUsd: e?.costPerRequestUsd ?? null,
    monthlyCostUsd: e?.monthlyCostUsd ?? null,
    trafficDetail: e?.trafficDetail ?? null,
    costed: e !== null,
  };
}

export function diffSideFromScan(label: string, scan: ScanResult, commit?: string): DiffSide {
  return {
    label,
    commit,
    sites: scan.callSites.map(diffSiteOf),
    suggestions: allSuggestions(scan.callSites).map((s) => ({ id: s.id, siteId: s.siteId, file: s.file, line: s.line, kind: s.kind, message: s.message, monthlySavingUsd: s.monthlySavingUsd })),
  };
}

/** A side from `costlens scan --format json` output (schema version 1). Throws DiffInputError on anything else. */
export function diffSideFromJson(label: string, data: unknown): DiffSide {
  const json = data as Partial<ScanJson> | null;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new DiffInputError(`${label}: not a costlens scan JSON object`);
  if (json.schemaVersion !== 1) throw new DiffInputError(`${label}: expected "schemaVersion": 1 (the output of costlens scan --format json), got ${JSON.stringify(json.schemaVersion)}`);
  if (!Array.isArray(json.callSites)) throw new DiffInputError(`${label}: "callSites" must be a list`);
  const sites = json.callSites.map((raw, i): DiffSite => {
    const s = raw as unknown as Record<string, unknown>;
    const str = (k: string): string => {
      if (typeof s[k] !== 'string') throw new DiffInputError(`${label}: callSites[${i}].${k} must be text`);
      return s[k] as string;
    };
    const model = (s.model ?? {}) as { resolved?: unknown; expression?: unknown };
    const e = s.estimate as Record<string, unknown> | null | undefined;
    const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const resolved = typeof model.resolved === 'string' ? model.resolved : null;
    const priced = e && typeof e.pricedModel === 'string' ? e.pricedModel : null;
    const expression = typeof model.expression === 'string' ? model.expression : null;
    return {
      id: str('id'),
      file: str('file'),
      line: n(s.line) ?? 0,
      column: n(s.column) ?? 1,
      callee: typeof s.callee === 'string' ? s.callee : null,
      sdk: typeof s.sdk === 'string' ? s.sdk : 'other',
      api: typeof s.api === 'string' ? s.api : 'other',
      provider: typeof s.provider === 'string' ? s.provider : '',
      model: resolved ?? priced ?? (expression ? `? ${expression}` : '? (no model)'),
      inputTokens: e ? n(e.inputTokens) : null,
      outputTokens: e ? n(e.outputTokens) : null,
      requestsPerMonth: e ? n(e.requestsPerMonth) : null,
      costPerRequestUsd: e ? n(e.costPerRequestUsd) : null,
      monthlyCostUsd: e ? n(e.monthlyCostUsd) : null,
      trafficDetail: e && typeof e.trafficDetail === 'string' ? e.trafficDetail : null,
      costed: e !== null && e !== undefined,
    };
  });
  const suggestions = (Array.isArray(json.suggestions) ? json.suggestions : []).map((s) => ({
    id: String(s.id),
    siteId: String(s.callSiteId),
    file: String(s.file),
    line: typeof s.line === 'number' ? s.line : 0,
    kind: String(s.kind),
    message: String(s.message),
    monthlySavingUsd: typeof s.monthlySavingUsd === 'number' ? s.monthlySavingUsd : null,
  }));
  return { label, sites, suggestions };
}

// ---------------------------------------------------------------------------------------------------------------------
// Matching and deltas
// ---------------------------------------------------------------------------------------------------------------------

/** Relative difference below which two money figures are the same (binary noise, rounding in JSON). */
const SAME = 1e-6;

export function diffScans(base: DiffSide, head: DiffSide): CostDiff {
  const baseLeft = new Map(base.sites.map((s) => [s.id, s]));
  const headLeft = [...head.sites];
  const pairs: Array<{ b: DiffSite; h: DiffSite; by: NonNullable<SiteDelta['matchedBy']> }> = [];
  const take = (b: DiffSite, h: DiffSite, by: NonNullable<SiteDelta['matchedBy']>): void => {
    pairs.push({ b, h, by });
    baseLeft.delete(b.id);
    headLeft.splice(headLeft.indexOf(h), 1);
  };
  // The callee when both sides know it (scan JSON written before it carried one does not), else SDK and API.
  const useCallee = base.sites.some((s) => s.callee !== null) && head.sites.some((s) => s.callee !== null);
  const callOf = (s: DiffSite): string => (useCallee && s.callee !== null ? s.callee : `${s.sdk}.${s.api}`);
  const byId = (sameModel: boolean): void => {
    for (const h of [...headLeft]) {
      const b = baseLeft.get(h.id);
      if (b && callOf(b) === callOf(h) && (!sameModel || b.model === h.model)) take(b, h, 'id');
    }
  };
  // Calls whose id shifted (a call inserted above them, a function renamed): paired in line order.
  const byKey = (keyOf: (s: DiffSite) => string, by: NonNullable<SiteDelta['matchedBy']>, sameCountOnly: boolean): void => {
    const groups = new Map<string, { b: DiffSite[]; h: DiffSite[] }>();
    for (const b of baseLeft.values()) {
      const g = groups.get(keyOf(b)) ?? { b: [], h: [] };
      g.b.push(b);
      groups.set(keyOf(b), g);
    }
    for (const h of headLeft) groups.get(keyOf(h))?.h.push(h);
    for (const g of groups.values()) {
      if (g.h.length === 0 || (sameCountOnly && g.b.length !== g.h.length)) continue;
      g.b.sort((x, y) => x.line - y.line);
      g.h.sort((x, y) => x.line - y.line);
      for (let i = 0; i < Math.min(g.b.length, g.h.length); i++) take(g.b[i]!, g.h[i]!, by);
    }
  };
  byId(true); // the same call, unchanged model
  byKey((s) => `${s.file}\u0000${callOf(s)}\u0000${s.model}`, 'file+callee+model', false); // shifted ids
  byId(false); // the same call with another model
  byKey((s) => `${s.file}\u0000${callOf(s)}`, 'file+callee', true); // shifted ids and another model

  const deltas: SiteDelta[] = [];
  let unchanged = 0;
  for (const { b, h, by } of pairs) {
    const changes = changesOf(b, h);
    if (changes.length === 0) {
      unchanged++;
      continue;
    }
    deltas.push({
      status: 'changed',
      id: h.id,
      ...(b.id !== h.id ? { baseId: b.id } : {}),
      file: h.file,
      line: h.line,
      column: h.column,
      sdk: h.sdk,
      api: h.api,
      model: h.model,
      ...(b.model !== h.model ? { baseModel: b.model } : {}),
      baseMonthlyUsd: b.monthlyCostUsd,
      headMonthlyUsd: h.monthlyCostUsd,
      deltaMonthlyUsd: b.monthlyCostUsd !== null && h.monthlyCostUsd !== null ? h.monthlyCostUsd - b.monthlyCostUsd : null,
      changes,
      matchedBy: by,
      headSite: h,
      baseSite: b,
    });
  }
  for (const h of headLeft) {
    if (!h.costed) continue;
    deltas.push({ status: 'added', id: h.id, file: h.file, line: h.line, column: h.column, sdk: h.sdk, api: h.api, model: h.model, baseMonthlyUsd: null, headMonthlyUsd: h.monthlyCostUsd, deltaMonthlyUsd: h.monthlyCostUsd, changes: [], headSite: h });
  }
  for (const b of baseLeft.values()) {
    if (!b.costed) continue;
    deltas.push({ status: 'removed', id: b.id, file: b.file, line: b.line, column: b.column, sdk: b.sdk, api: b.api, model: b.model, baseMonthlyUsd: b.monthlyCostUsd, headMonthlyUsd: null, deltaMonthlyUsd: b.monthlyCostUsd === null ? null : -b.monthlyCostUsd, changes: [], baseSite: b });
  }
  const order = { added: 0, changed: 1, removed: 2 } as const;
  deltas.sort((x, y) => Math.abs(y.deltaMonthlyUsd ?? 0) - Math.abs(x.deltaMonthlyUsd ?? 0) || order[x.status] - order[y.status] || x.file.localeCompare(y.file) || x.line - y.line);

  // Suggestions: a head suggestion is new unless the base had it (under the base id of a matched site).
  const headIdOfBase = new Map(pairs.map((p) => [p.b.id, p.h.id]));
  const baseKeys = new Set(base.suggestions.map((s) => suggestionKey(s, headIdOfBase.get(s.siteId) ?? `base:${s.siteId}`)));
  const headKeys = new Set(head.suggestions.map((s) => suggestionKey(s, s.siteId)));
  const newSuggestions = head.suggestions.filter((s) => !baseKeys.has(suggestionKey(s, s.siteId)));
  const resolvedSuggestions = base.suggestions.filter((s) => !headKeys.has(suggestionKey(s, headIdOfBase.get(s.siteId) ?? `base:${s.siteId}`)));

  const totalOf = (side: DiffSide): { monthly: number; sites: number; unpriced: number } => {
    let monthly = 0;
    let unpriced = 0;
    let sites = 0;
    for (const s of side.sites) {
      if (!s.costed) continue;
      sites++;
      if (s.monthlyCostUsd === null) unpriced++;
      else monthly += s.monthlyCostUsd;
    }
    return { monthly, sites, unpriced };
  };
  const bt = totalOf(base);
  const ht = totalOf(head);
  const total = ht.monthly - bt.monthly;
  return {
    schemaVersion: 1,
    base: { label: base.label, commit: base.commit ?? null, monthlyCostUsd: bt.monthly, callSites: bt.sites, unpricedCallSites: bt.unpriced },
    head: { label: head.label, commit: head.commit ?? null, monthlyCostUsd: ht.monthly, callSites: ht.sites, unpricedCallSites: ht.unpriced },
    totalDeltaUsd: Math.abs(total) < 1e-9 ? 0 : total,
    deltaRatio: bt.monthly > 0 ? total / bt.monthly : null,
    sites: deltas,
    added: deltas.filter((d) => d.status === 'added').length,
    removed: deltas.filter((d) => d.status === 'removed').length,
    changed: deltas.filter((d) => d.status === 'changed').length,
    unchanged,
    newSuggestions,
    resolvedSuggestions,
  };
}

/** Suggestion ids are `<site id>:<kind>[:<detail>]`; compare them with the site id mapped to the head's. */
function suggestionKey(s: DiffSuggestion, siteId: string): string {
  const rest = s.id.startsWith(`${s.siteId}:`) ? s.id.slice(s.siteId.length) : `:${s.kind}`;
  return `${siteId}${rest}`;
}

function changed(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a !== b;
  return Math.abs(a - b) > SAME * Math.max(Math.abs(a), Math.abs(b), 1e-9);
}

function changesOf(b: DiffSite, h: DiffSite): SiteChange[] {
  const out: SiteChange[] = [];
  if (b.model !== h.model) out.push({ what: 'model', from: b.model, to: h.model, text: `model ${b.model} → ${h.model}` });
  if (b.provider !== h.provider) out.push({ what: 'provider', from: b.provider, to: h.provider, text: `provider ${b.provider} → ${h.provider}` });
  if (b.inputTokens !== h.inputTokens) out.push({ what: 'input-tokens', from: b.inputTokens, to: h.inputTokens, text: `input tokens ${tok(b.inputTokens)} → ${tok(h.inputTokens)}` });
  if (b.outputTokens !== h.outputTokens) out.push({ what: 'output-tokens', from: b.outputTokens, to: h.outputTokens, text: `output tokens ${tok(b.outputTokens)} → ${tok(h.outputTokens)}` });
  if (changed(b.requestsPerMonth, h.requestsPerMonth)) {
    out.push({ what: 'traffic', from: b.requestsPerMonth, to: h.requestsPerMonth, text: `traffic ${req(b.requestsPerMonth)} → ${req(h.requestsPerMonth)} requests/month${h.trafficDetail && h.trafficDetail !== b.trafficDetail ? ` (${h.trafficDetail})` : ''}` });
  }
  if ((b.monthlyCostUsd === null) !== (h.monthlyCostUsd === null)) {
    out.push({ what: 'priced', from: b.monthlyCostUsd === null ? 'unknown' : 'known', to: h.monthlyCostUsd === null ? 'unknown' : 'known', text: h.monthlyCostUsd === null ? 'price now unknown (left out of the total)' : 'price now known' });
  } else if (out.length === 0 && changed(b.costPerRequestUsd, h.costPerRequestUsd)) {
    // Same model, tokens and traffic: a price, cache or batch assumption changed.
    out.push({ what: 'cost-per-request', from: b.costPerRequestUsd, to: h.costPerRequestUsd, text: 'cost per request changed (price, prompt-cache or batch assumption)' });
  }
  if (out.length > 0 && b.id !== h.id) out.push({ what: 'id', from: b.id, to: h.id, text: `id ${b.id} → ${h.id}` });
  return out;
}

const tok = (n: number | null): string => (n === null ? '?' : formatTokens(n));
const req = (n: number | null): string => (n === null ? '?' : compactNumber(n));

// ---------------------------------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------------------------------

/** `+$1.2k`, `−$300`, `±$0`. */
export function formatDelta(usd: number | null): string {
  if (usd === null) return 'price unknown';
  if (Math.abs(usd) < 0.005) return '±$0';
  return `${usd > 0 ? '+' : '−'}${formatMoneyCompact(Math.abs(usd))}`;
}

function ratioText(r: number | null): string {
  if (r === null) return '';
  const p = Math.abs(r) * 100;
  return ` (${r >= 0 ? '+' : '−'}${p < 1 && p > 0 ? '<1' : Math.round(p)}%)`;
}

/** The first line of the Markdown, also useful as a status line in CI logs. */
export function diffSummaryLine(d: CostDiff): string {
  const counts = `${d.added} call site${d.added === 1 ? '' : 's'} added, ${d.changed} changed, ${d.removed} removed`;
  if (d.sites.length === 0 && d.totalDeltaUsd === 0) return `costlens: no change in estimated LLM cost (${formatMoneyCompact(d.head.monthlyCostUsd)}/month)`;
  return `costlens: ${formatDelta(d.totalDeltaUsd)}/month${ratioText(d.deltaRatio)} estimated LLM cost — ${formatMoneyCompact(d.base.monthlyCostUsd)} → ${formatMoneyCompact(d.head.monthlyCostUsd)}/month; ${counts}`;
}

/** Hidden marker so a CI step can find and update its previous comment. */
export const DIFF_COMMENT_MARKER = '<!-- costlens-diff -->';

function md(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/[\\*_[\]<>|#~]/g, (c) => `\\${c}`);
}
function code(s: string): string {
  return `\`${s.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

export function renderDiffMarkdown(d: CostDiff): string {
  const out: string[] = [];
  out.push(`### ${md(diffSummaryLine(d))}`, '');
  if (d.budget) {
    out.push(
      d.budget.exceeded
        ? `:x: The increase of **${formatMoneyCompact(d.totalDeltaUsd)}/month** is above the budget of ${formatMoneyCompact(d.budget.limitUsd)}/month.`
        : `:white_check_mark: Within the budget of ${formatMoneyCompact(d.budget.limitUsd)}/month.`,
      '',
    );
  }
  if (d.sites.length) {
    out.push('| Change | Call site | Model | What changed | Before $/month | After $/month | Δ $/month |', '|---|---|---|---|---:|---:|---:|');
    for (const s of d.sites) {
      const model = s.baseModel ? `${code(s.baseModel)} → ${code(s.model)}` : code(s.model);
      let what: string;
      if (s.status === 'added') {
        const h = s.headSite!;
        what = `new ${md(`${s.sdk} ${s.api}`)} call: ${tok(h.inputTokens)} in / ${tok(h.outputTokens)} out tokens, ${req(h.requestsPerMonth)} requests/month`;
      } else if (s.status === 'removed') what = 'call site removed';
      else what = s.changes.map((c) => md(c.text)).join('; ');
      const before = s.status === 'added' ? '—' : formatMoneyCompact(s.baseMonthlyUsd);
      const after = s.status === 'removed' ? '—' : formatMoneyCompact(s.headMonthlyUsd);
      out.push(`| ${s.status} | ${code(`${s.file}:${s.line}`)} | ${model} | ${what} | ${before} | ${after} | **${formatDelta(s.deltaMonthlyUsd)}** |`);
    }
    out.push('');
  }
  if (d.newSuggestions.length) {
    out.push('#### New suggestions', '', '| Saving/month | Kind | Call site | Suggestion |', '|---:|---|---|---|');
    for (const s of d.newSuggestions) {
      out.push(`| ${s.monthlySavingUsd !== null && s.monthlySavingUsd > 0 ? formatMoneyCompact(s.monthlySavingUsd) : '—'} | ${s.kind} | ${code(`${s.file}:${s.line}`)} | ${md(s.message)} |`);
    }
    out.push('');
  }
  if (d.resolvedSuggestions.length) out.push(`_${d.resolvedSuggestions.length} earlier suggestion${d.resolvedSuggestions.length === 1 ? ' no longer applies' : 's no longer apply'}._`, '');
  const unpriced = d.head.unpricedCallSites;
  if (unpriced) out.push(`_${unpriced} call site${unpriced === 1 ? ' has' : 's have'} no known price and ${unpriced === 1 ? 'is' : 'are'} not in the totals._`, '');
  const side = (x: CostDiff['base']): string => `${code(x.label)}${x.commit ? ` (${x.commit.slice(0, 7)})` : ''}`;
  out.push(`<sub>Base ${side(d.base)} · head ${side(d.head)} · ${d.unchanged} call site${d.unchanged === 1 ? '' : 's'} unchanged · estimates by costlens from each revision's code and costlens.yml.</sub>`, '', DIFF_COMMENT_MARKER, '');
  return out.join('\n');
}

export function renderDiffJson(d: CostDiff): string {
  const plain = { ...d, sites: d.sites.map(({ headSite: _h, baseSite: _b, ...rest }) => rest) };
  return `${JSON.stringify(plain, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e8) / 1e8 : v), 2)}\n`;
}

/**
 * SARIF 2.1.0 for code-scanning upload: a result per added call site and per site whose monthly cost went up
 * (`warning`), and per new suggestion (`note`). `uriPrefix` maps scan-root paths to repository paths (the scan root's
 * folder inside the repository, e.g. `services/api/`).
 */
export function renderDiffSarif(d: CostDiff, toolVersion: string, uriPrefix = ''): string {
  const rules = [
    { id: 'costlens/diff/added', shortDescription: { text: 'New LLM call site with its estimated monthly cost' }, defaultConfiguration: { level: 'warning' } },
    { id: 'costlens/diff/increased', shortDescription: { text: 'LLM call site whose estimated monthly cost went up' }, defaultConfiguration: { level: 'warning' } },
    { id: 'costlens/diff/suggestion', shortDescription: { text: 'New costlens suggestion' }, defaultConfiguration: { level: 'note' } },
  ];
  const location = (file: string, line: number, column?: number): unknown[] => [
    { physicalLocation: { artifactLocation: { uri: `${uriPrefix}${file}` }, region: { startLine: Math.max(1, line), ...(column ? { startColumn: column } : {}) } } },
  ];
  const results: unknown[] = [];
  for (const s of d.sites) {
    if (s.status === 'added') {
      const h = s.headSite!;
      results.push({
        ruleId: 'costlens/diff/added',
        level: 'warning',
        message: { text: `New ${s.sdk} ${s.api} call on ${s.model}: ${formatMoneyCompact(s.headMonthlyUsd)}/month at ${req(h.requestsPerMonth)} requests/month` },
        locations: location(s.file, s.line, s.column),
        partialFingerprints: { callSiteId: s.id },
        properties: { monthlyCostUsd: s.headMonthlyUsd, deltaMonthlyUsd: s.deltaMonthlyUsd },
      });
    } else if (s.status === 'changed' && s.deltaMonthlyUsd !== null && s.deltaMonthlyUsd > 0) {
      results.push({
        ruleId: 'costlens/diff/increased',
        level: 'warning',
        message: { text: `Estimated cost ${formatDelta(s.deltaMonthlyUsd)}/month (${formatMoneyCompact(s.baseMonthlyUsd)} → ${formatMoneyCompact(s.headMonthlyUsd)}): ${s.changes.map((c) => c.text).join('; ')}` },
        locations: location(s.file, s.line, s.column),
        partialFingerprints: { callSiteId: s.id },
        properties: { monthlyCostUsd: s.headMonthlyUsd, deltaMonthlyUsd: s.deltaMonthlyUsd },
      });
    }
  }
  for (const s of d.newSuggestions) {
    results.push({
      ruleId: 'costlens/diff/suggestion',
      level: 'note',
      message: { text: s.message },
      locations: location(s.file, s.line),
      partialFingerprints: { suggestionId: s.id },
      properties: { kind: s.kind, monthlySavingUsd: s.monthlySavingUsd },
    });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'costlens', version: toolVersion, rules } }, results }],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
