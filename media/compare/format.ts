/**
 * The cells of a comparison column in the webview: the shared cells (src/core/compare/cells.ts, also used by the CLI
 * table and the Markdown export) plus the column's longer wording (`412 in / 96 out`, latency spread, live run line).
 * Every figure comes computed from the extension (ModelSummary, RunResult).
 */
import { changeCell, DASH, statusCell } from '../../src/core/compare/cells';
import type { ModelSummary, RunResult } from '../../src/core/compare/types';
import { formatCostPerRequest, formatDuration, formatMoneyCompact, formatTokens } from '../../src/core/format';

export { changeCell, formatDuration };

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
    status: statusCell(s),
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
