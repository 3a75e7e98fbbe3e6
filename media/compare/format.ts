/**
 * The cells of a comparison column, formatted exactly as `comparisonRow` / `changeCell` / `formatDuration` in
 * src/core/compare/exportMarkdown.ts and errors.ts format them for the CLI and the Markdown export. Those modules
 * cannot be bundled into a webview (errors.ts imports the openai SDK, ~400 KB), so the few lines of formatting are
 * mirrored here; every figure itself comes computed from the extension (ModelSummary, RunResult).
 */
import type { ModelSummary, RunResult } from '../../src/core/compare/types';
import { formatCostPerRequest, formatMoneyCompact, formatTokens } from '../../src/core/format';

const DASH = '—';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(s)} s`;
}

function signedMoney(usd: number, compact: boolean): string {
  const sign = usd > 0 ? '+' : usd < 0 ? '−' : '±';
  const abs = Math.abs(usd);
  return `${sign}${compact ? formatMoneyCompact(abs) : formatCostPerRequest(abs)}`;
}

/** `−80% (−$0.0060/req, −$2.2k/mo)`; `current` for the baseline itself. */
export function changeCell(s: ModelSummary): string {
  const c = s.changeVsCurrent;
  if (s.isCurrent && (!c || c.baseline === 'measured')) return 'current';
  if (!c) return DASH;
  const pct = c.pct === null ? '' : `${c.pct > 0 ? '+' : c.pct < 0 ? '−' : '±'}${Math.abs(c.pct) >= 10 ? Math.round(Math.abs(c.pct)) : Math.abs(c.pct).toFixed(1).replace(/\.0$/, '')}% `;
  const monthly = c.monthlyUsd !== null ? `, ${signedMoney(c.monthlyUsd, true)}/mo` : '';
  return `${pct}(${signedMoney(c.perRequestUsd, false)}/req${monthly})${c.baseline === 'estimate' ? ' vs estimate' : ''}`;
}

export interface ColumnCells {
  status: string;
  runs: string;
  tokens: string;
  tokensSource: string;
  perRequest: string;
  monthly: string;
  change: string;
  ttft: string;
  latency: string;
  checks: string;
  judge: string;
  goodEnough: string;
}

export function columnCells(s: ModelSummary): ColumnCells {
  const answered = s.okRuns > 0;
  const est = s.usageEstimated ? '~' : '';
  const q = s.quality;
  const latency = s.meanLatencyMs === null ? DASH : s.runs.length > 1 && s.minLatencyMs !== null && s.maxLatencyMs !== null && s.minLatencyMs !== s.maxLatencyMs
    ? `${formatDuration(s.meanLatencyMs)} (${formatDuration(s.minLatencyMs)}–${formatDuration(s.maxLatencyMs)})`
    : formatDuration(s.meanLatencyMs);
  return {
    status: s.status === 'failed' && s.error?.kind === 'cancelled' ? 'cancelled' : s.status,
    runs: `${s.okRuns}/${s.runs.length}`,
    tokens: answered && s.meanInputTokens !== null && s.meanOutputTokens !== null ? `${est}${formatTokens(s.meanInputTokens)} in / ${est}${formatTokens(s.meanOutputTokens)} out` : DASH,
    tokensSource: answered ? (s.usageEstimated ? 'estimated here (the server reported no usage)' : 'reported by the server') : '',
    perRequest: answered ? (s.costPerRequestUsd === null ? 'price unknown' : `${est}${formatCostPerRequest(s.costPerRequestUsd)}`) : DASH,
    monthly: answered && s.monthlyCostUsd !== null ? `${est}${formatMoneyCompact(s.monthlyCostUsd)}` : DASH,
    change: answered ? changeCell(s) : DASH,
    ttft: s.meanTtftMs !== null ? formatDuration(s.meanTtftMs) : DASH,
    latency,
    checks: q.passRate !== null ? `${Math.round(q.passRate * q.checkedRuns)}/${q.checkedRuns} pass` : DASH,
    judge: q.meanJudgeScore !== null ? `${Number(q.meanJudgeScore.toFixed(1))}/10` : DASH,
    goodEnough: q.goodEnough === null ? DASH : q.goodEnough ? 'yes' : 'no',
  };
}

/** One run's figures while the comparison is still going: `1.2 s · 412 in / 96 out · $0.0021`. */
export function runFigures(r: RunResult): string {
  const parts: string[] = [];
  if (r.ttftMs !== null) parts.push(`first token ${formatDuration(r.ttftMs)}`);
  if (r.latencyMs !== null) parts.push(`total ${formatDuration(r.latencyMs)}`);
  if (r.usage) {
    const est = r.usage.source === 'estimated' ? '~' : '';
    parts.push(`${est}${formatTokens(r.usage.inputTokens)} in / ${est}${formatTokens(r.usage.outputTokens)} out`);
  }
  if (r.status === 'ok') parts.push(r.costUsd === null ? 'price unknown' : formatCostPerRequest(r.costUsd));
  if (r.finishReason && r.finishReason !== 'stop') parts.push(`finish: ${r.finishReason}`);
  if (r.attempts > 1) parts.push(`${r.attempts} attempts${r.waitedMs > 0 ? `, waited ${formatDuration(r.waitedMs)}` : ''}`);
  return parts.join(' · ');
}
