/**
 * A comparison as text: the per-model table cells every face shows (CLI table, Markdown export) and the Markdown
 * document for a scoping review — prompt, parameters, the table, quality (rubric included), every answer, errors and
 * the assumptions behind the figures. Keys never appear: results are redacted when they are made, and this module
 * redacts again with the key shapes it knows.
 */
import { formatCostPerRequest, formatDuration, formatMoneyCompact, formatTokens } from '../format';
import { changeCell, DASH, statusCell } from './cells';
import { checkLabel } from './quality';
import { Redactor } from './redact';
import type { ComparisonResult, ModelSummary } from './types';

export { changeCell, formatDuration, statusCell };

export interface ComparisonRow {
  model: string;
  provider: string;
  status: string;
  runs: string;
  tokens: string;
  perRequest: string;
  monthly: string;
  change: string;
  ttft: string;
  latency: string;
  checks: string;
  judge: string;
}

/** Table cells of one model, formatted the same in every face. Unknown prices read "price unknown", never $0. */
export function comparisonRow(s: ModelSummary): ComparisonRow {
  const answered = s.okRuns > 0;
  const est = s.usageEstimated ? '~' : '';
  const q = s.quality;
  return {
    model: s.model,
    provider: s.providerLabel,
    status: statusCell(s),
    runs: `${s.okRuns}/${s.runs.length}`,
    tokens: answered && s.meanInputTokens !== null && s.meanOutputTokens !== null ? `${est}${formatTokens(s.meanInputTokens)}/${formatTokens(s.meanOutputTokens)}` : DASH,
    perRequest: answered ? (s.costPerRequestUsd === null ? 'price unknown' : `${est}${formatCostPerRequest(s.costPerRequestUsd)}`) : DASH,
    monthly: answered && s.monthlyCostUsd !== null ? `${est}${formatMoneyCompact(s.monthlyCostUsd)}` : DASH,
    change: answered ? changeCell(s) : DASH,
    ttft: s.meanTtftMs !== null ? formatDuration(s.meanTtftMs) : DASH,
    latency: s.meanLatencyMs !== null ? formatDuration(s.meanLatencyMs) : DASH,
    checks: q.passRate !== null ? `${Math.round(q.passRate * q.checkedRuns)}/${q.checkedRuns} pass` : DASH,
    judge: q.meanJudgeScore !== null ? `${q.meanJudgeScore}/10` : DASH,
  };
}

/**
 * Text from a model, a server or the person (model names, error messages, judge reasons, check labels) as inert
 * Markdown: characters that could start a link, an image, raw HTML, a code span or emphasis are escaped, and line
 * breaks become spaces. (`<` stays as it is before what cannot open a tag, such as `<$0.00001`.)
 */
function prose(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]>]/g, (c) => `\\${c}`)
    .replace(/<(?=[A-Za-z/!?])/g, '\\<');
}

/** A table cell: prose, with its pipes escaped. */
function cell(text: string): string {
  return prose(text).replace(/\|/g, '\\|');
}

/** Data (a call-site id) as one code span that cannot close early. */
function codeSpan(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\s+/g, ' ')}\``;
}

function fence(text: string, lang = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

export interface MarkdownOptions {
  /** Show at most this many characters of each answer (default 4,000). */
  maxAnswerChars?: number;
  /** Title line (default `costlens model comparison`). */
  title?: string;
}

export function renderComparisonMarkdown(result: ComparisonResult, options: MarkdownOptions = {}): string {
  const maxChars = options.maxAnswerChars ?? 4000;
  const out: string[] = [];
  const runs = result.params.runs;
  out.push(`## ${options.title ?? 'costlens model comparison'}`);
  out.push('');
  const facts = [
    `${result.models.length} model${result.models.length === 1 ? '' : 's'} × ${runs} run${runs === 1 ? '' : 's'}`,
    `${result.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    ...(result.siteId ? [`call site ${codeSpan(result.siteId)}`] : []),
    `output limit ${formatTokens(result.params.maxOutputTokens)} tokens`,
    `temperature ${result.params.temperature ?? 'default'}`,
    ...(result.params.requestsPerMonth !== null ? [`traffic ${formatTokens(result.params.requestsPerMonth)} requests/month`] : []),
  ];
  out.push(facts.join(' · '));
  if (result.cancelled) out.push('', '**Cancelled before every run finished**: the figures cover the runs that completed.');
  out.push('');
  if (result.quality) {
    const best = result.cheapestGoodEnough;
    out.push(best ? `**Cheapest good enough: ${prose(best)}**${result.currentModel && best !== result.currentModel ? ` (current: ${prose(result.currentModel)})` : ''}` : '**No model met the quality bar.**');
    const bar = [
      ...(result.quality.checks.length ? [`${Math.round(result.quality.minPassRate * 100)}% of runs pass every check`] : []),
      ...(result.quality.judge ? [`judge score ≥ ${result.quality.minJudgeScore}`] : []),
    ];
    out.push('', `Good enough means: ${bar.join(' and ')}.`, '');
  }
  const header = ['Model', 'Provider', 'Runs ok', 'Tokens in/out', '$/request', '$/month', 'vs current', 'First token', 'Latency', 'Checks', 'Judge'];
  out.push(`| ${header.join(' | ')} |`);
  out.push(`| ${header.map((_, i) => (i >= 2 && i <= 8 ? '---:' : '---')).join(' | ')} |`);
  for (const s of result.models) {
    const r = comparisonRow(s);
    const name = `${s.model}${s.isCurrent ? ' (current)' : ''}${s.model === result.cheapestGoodEnough ? ' ✓' : ''}`;
    out.push(`| ${[name, r.provider, r.runs, r.tokens, r.perRequest, r.monthly, r.change, r.ttft, r.latency, r.checks, r.judge].map(cell).join(' | ')} |`);
  }
  out.push('');
  out.push(`Total spent on this comparison: ${formatCostPerRequest(result.totalCostUsd)}${result.unpricedRequests ? ` (+ ${result.unpricedRequests} request${result.unpricedRequests === 1 ? '' : 's'} with unknown price)` : ''}.`);
  out.push('Costs come from the usage each server reported, at list prices; `~` marks figures counted here because the server reported no usage. Latency is measured from this machine.');
  out.push('');

  out.push('### Prompt', '');
  out.push(fence(result.messages.map((m) => `[${m.role}]\n${m.content}`).join('\n\n')));
  out.push('');

  if (result.quality) {
    out.push('### Quality', '');
    if (result.quality.expectedAnswer) out.push(`Expected answer: ${cell(result.quality.expectedAnswer)}`, '');
    for (const c of result.quality.checks) out.push(`- Check: ${prose(checkLabel(c))}`);
    if (result.quality.checks.length) out.push('');
    if (result.quality.judge) {
      out.push(`Judge: ${prose(result.quality.judge.model)}${result.quality.judge.costUsd !== null ? ` (cost ${formatCostPerRequest(result.quality.judge.costUsd)})` : ''}. Rubric:`, '');
      out.push(fence(result.quality.judge.rubric));
      out.push('');
    }
  }

  out.push('### Answers', '');
  for (const s of result.models) {
    for (const r of s.runs) {
      const facts2: string[] = [];
      if (r.status === 'ok') {
        if (r.usage) facts2.push(`${r.usage.source === 'estimated' ? '~' : ''}${formatTokens(r.usage.inputTokens)} in / ${formatTokens(r.usage.outputTokens)} out`);
        facts2.push(r.costUsd === null ? 'price unknown' : formatCostPerRequest(r.costUsd));
        if (r.ttftMs !== null) facts2.push(`first token ${formatDuration(r.ttftMs)}`);
        if (r.latencyMs !== null) facts2.push(`total ${formatDuration(r.latencyMs)}`);
        if (r.finishReason && r.finishReason !== 'stop') facts2.push(`finish: ${prose(r.finishReason)}`);
      } else facts2.push(r.status);
      out.push(`#### ${prose(s.model)} — run ${r.run}${facts2.length ? ` (${facts2.join(', ')})` : ''}`, '');
      if (r.status === 'ok') {
        const text = r.output.length > maxChars ? `${r.output.slice(0, maxChars)}\n… (${(r.output.length - maxChars).toLocaleString('en-US')} more characters)` : r.output;
        out.push(fence(text || '(empty answer)'));
        const q = r.quality;
        if (q) {
          for (const c of q.checks) out.push(`- ${c.passed ? 'pass' : 'FAIL'}: ${prose(c.label)}${c.passed ? '' : ` — ${prose(c.detail)}`}`);
          if (q.judge) out.push(`- judge: ${q.judge.score !== null ? `${q.judge.score}/10` : 'no score'} — ${cell(q.judge.reason)}`);
        }
      } else if (r.error) out.push(`> ${cell(r.error.message)}`);
      for (const n of r.notes) out.push(`- note: ${prose(n)}`);
      out.push('');
    }
  }

  const errors = result.models.filter((s) => s.error && s.status !== 'ok');
  if (errors.length) {
    out.push('### Errors', '');
    for (const s of errors) out.push(`- **${prose(s.model)}** (${prose(s.providerLabel)}, ${prose(s.baseURL)}): ${prose(s.error!.message)}`);
    out.push('');
  }

  const priced = result.models.filter((s) => s.price);
  out.push('### Assumptions', '');
  for (const s of priced) out.push(`- ${prose(s.model)}: $${s.price!.inputPerMTok}/MTok in, $${s.price!.outputPerMTok}/MTok out (${prose(s.price!.source)})${s.price!.notes.length ? ` — ${prose(s.price!.notes.join(' '))}` : ''}`);
  for (const n of result.notes) out.push(`- ${prose(n)}`);
  out.push('');
  return new Redactor().text(out.join('\n'));
}
