/**
 * From what the panel (or the CLI) holds to what the runner takes: the prompt rendered, the models resolved to
 * endpoints, the judge resolved the same way, and every problem that would stop the comparison, in words.
 */
import type { CompareDraft } from './protocol';
import { renderPrompt } from './prompt';
import { resolveTarget, resolveTargets, type TargetOptions } from './providers';
import { validateChecks } from './quality';
import { validateCompareRequest } from './runner';
import type { CompareRequest } from './types';

export interface DraftResolution {
  ok: boolean;
  request: CompareRequest | null;
  problems: string[];
  warnings: string[];
}

export function draftToRequest(draft: CompareDraft, options: TargetOptions & { timeoutMs?: number; concurrency?: number } = {}): DraftResolution {
  const problems: string[] = [];
  const rendered = renderPrompt({ messages: draft.prompt.messages, placeholders: draft.prompt.placeholders });
  problems.push(...rendered.problems);
  const { targets, errors } = resolveTargets(draft.models, options);
  for (const e of errors) problems.push(`${e.spec}: ${e.error}`);
  let judge: CompareRequest['quality'] = undefined;
  if (draft.quality) {
    problems.push(...validateChecks(draft.quality.checks));
    let judgeSpec;
    if (draft.quality.judge) {
      const r = resolveTarget(draft.quality.judge.model, options);
      if (r.ok) judgeSpec = { target: { ...r.target, id: `${r.target.id} (judge)` }, rubric: draft.quality.judge.rubric };
      else problems.push(`judge ${draft.quality.judge.model}: ${r.error}`);
    }
    judge = {
      checks: draft.quality.checks,
      expectedAnswer: draft.quality.expectedAnswer ?? undefined,
      judge: judgeSpec,
      minJudgeScore: draft.quality.minJudgeScore,
      minPassRate: draft.quality.minPassRate,
    };
  }
  if (problems.length) return { ok: false, request: null, problems: dedupe(problems), warnings: rendered.warnings };
  const request: CompareRequest = {
    messages: rendered.messages,
    targets,
    runs: draft.params.runs,
    temperature: draft.params.temperature,
    maxOutputTokens: draft.params.maxOutputTokens,
    requestsPerMonth: draft.params.requestsPerMonth,
    stream: draft.params.stream,
    currentModel: draft.currentModel,
    currentCostPerRequestUsd: draft.currentCostPerRequestUsd,
    siteId: draft.siteId,
    quality: judge,
    timeoutMs: options.timeoutMs,
    concurrency: options.concurrency,
  };
  const more = validateCompareRequest(request);
  return more.length ? { ok: false, request: null, problems: dedupe(more), warnings: rendered.warnings } : { ok: true, request, problems: [], warnings: rendered.warnings };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
