/**
 * The quality signal of a comparison, shown next to cost: checks against an expected answer (exact, contains, regex,
 * JSON schema) and an LLM judge scoring each answer 1–10 against a visible rubric.
 */
import * as z from 'zod';
import { COMPARE_DEFAULTS, type ChatMessage, type CheckResult, type QualityCheck, type RunResult } from './types';

export const DEFAULT_RUBRIC = [
  'Score the answer from 1 to 10:',
  '- 9–10: fully correct, complete and follows every instruction of the prompt (format included).',
  '- 7–8: correct and usable, with minor omissions or style issues.',
  '- 4–6: partly correct, or ignores part of the instructions.',
  '- 1–3: wrong, off-topic, or unusable.',
  'Judge only what the prompt asks for; do not reward length.',
].join('\n');

export function checkLabel(check: QualityCheck): string {
  switch (check.kind) {
    case 'exact':
      return `exact "${short(check.expected)}"${check.caseSensitive === false ? ' (any case)' : ''}`;
    case 'contains':
      return `contains "${short(check.expected)}"${check.caseSensitive ? ' (same case)' : ''}`;
    case 'regex':
      return `matches /${short(check.pattern)}/${check.flags ?? ''}`;
    case 'json-schema':
      return 'valid JSON for the schema';
  }
}

/** Problems of checks as written (a regex that does not compile, a schema that cannot be used). */
export function validateChecks(checks: readonly QualityCheck[]): string[] {
  const problems: string[] = [];
  for (const check of checks) {
    if (check.kind === 'regex') {
      try {
        new RegExp(check.pattern, check.flags ?? '');
      } catch (err) {
        problems.push(`regex /${short(check.pattern)}/: ${(err as Error).message}`);
      }
    } else if (check.kind === 'json-schema') {
      const compiled = compileSchema(check.schema);
      if (!compiled.ok) problems.push(`JSON schema: ${compiled.error}`);
    } else if (check.expected === '') problems.push(`the expected text of the ${check.kind} check is empty`);
  }
  return problems;
}

type Compiled = { ok: true; schema: z.ZodType } | { ok: false; error: string };
const compiledSchemas = new WeakMap<object, Compiled>();

function compileSchema(schema: Record<string, unknown> | boolean): Compiled {
  if (typeof schema === 'boolean') return { ok: true, schema: schema ? z.any() : z.never() };
  const cached = compiledSchemas.get(schema);
  if (cached) return cached;
  let result: Compiled;
  try {
    result = { ok: true, schema: z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]) };
  } catch (err) {
    result = { ok: false, error: `cannot be used (${(err as Error).message})` };
  }
  compiledSchemas.set(schema, result);
  return result;
}

/** The JSON in a model's answer: the whole answer, a ```json fenced block, or the outermost {…} / […]. */
export function extractJson(output: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const candidates: string[] = [output.trim()];
  const fence = /```(?:json|JSON)?\s*\n([\s\S]*?)```/.exec(output);
  if (fence) candidates.push(fence[1]!.trim());
  for (const [open, close] of [
    ['{', '}'],
    ['[', ']'],
  ] as const) {
    const a = output.indexOf(open);
    const b = output.lastIndexOf(close);
    if (a >= 0 && b > a) candidates.push(output.slice(a, b + 1));
  }
  for (const c of candidates) {
    try {
      return { ok: true, value: JSON.parse(c) as unknown };
    } catch {
      // next candidate
    }
  }
  return { ok: false, error: 'the answer contains no valid JSON' };
}

export function runCheck(output: string, check: QualityCheck): CheckResult {
  const label = checkLabel(check);
  const result = (passed: boolean, detail: string): CheckResult => ({ kind: check.kind, label, passed, detail });
  switch (check.kind) {
    case 'exact': {
      const sensitive = check.caseSensitive !== false;
      const a = output.trim();
      const b = check.expected.trim();
      const passed = sensitive ? a === b : a.toLowerCase() === b.toLowerCase();
      return result(passed, passed ? 'the answer is exactly the expected text' : `the answer is not exactly "${short(b)}"`);
    }
    case 'contains': {
      const sensitive = check.caseSensitive === true;
      const passed = sensitive ? output.includes(check.expected) : output.toLowerCase().includes(check.expected.toLowerCase());
      return result(passed, passed ? 'found' : `"${short(check.expected)}" is not in the answer`);
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(check.pattern, (check.flags ?? '').replace(/[gy]/g, ''));
      } catch (err) {
        return result(false, `the regex does not compile: ${(err as Error).message}`);
      }
      const passed = re.test(output);
      return result(passed, passed ? 'matches' : 'no match in the answer');
    }
    case 'json-schema': {
      const compiled = compileSchema(check.schema);
      if (!compiled.ok) return result(false, `the schema ${compiled.error}`);
      const json = extractJson(output);
      if (!json.ok) return result(false, json.error);
      const parsed = compiled.schema.safeParse(json.value);
      if (parsed.success) return result(true, 'the JSON matches the schema');
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
      return result(false, issues.join('; ') + (parsed.error.issues.length > 3 ? ` (+${parsed.error.issues.length - 3} more)` : ''));
    }
  }
}

export function runChecks(output: string, checks: readonly QualityCheck[]): CheckResult[] {
  return checks.map((c) => runCheck(output, c));
}

/** The messages sent to the judge: the rubric, the task as the model saw it, the expected answer if any, the answer. */
export function judgeMessages(rubric: string, prompt: readonly ChatMessage[], output: string, expectedAnswer?: string | null): ChatMessage[] {
  const task = prompt.map((m) => `[${m.role}]\n${m.content}`).join('\n\n');
  const parts = [
    `## Rubric\n${rubric.trim()}`,
    `## Task given to the assistant\n${task}`,
    ...(expectedAnswer ? [`## Expected answer\n${expectedAnswer}`] : []),
    `## The assistant's answer\n<<<\n${output}\n>>>`,
    'Reply with `Score: N` (N an integer from 1 to 10) on the first line, then one sentence explaining the score.',
  ];
  return [
    { role: 'system', content: 'You grade answers of AI assistants strictly and consistently, following the rubric you are given.' },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/**
 * The score in a judge's reply, robustly: `Score: 8`, `**Score**: 8/10`, `{"score": 8}`, `8 out of 10`, `Rating - 7.5`,
 * `85/100`, or a reply that is only a number. Out-of-range values are rejected, not clamped.
 */
export function parseJudgeScore(reply: string): { score: number | null; reason: string } {
  const text = reply.replace(/\*\*|__/g, '');
  const num = '(\\d{1,3}(?:\\.\\d+)?)';
  const patterns: Array<{ re: RegExp; scale?: (n: number, m: RegExpExecArray) => number }> = [
    { re: new RegExp(`"score"\\s*:\\s*"?${num}`, 'i') },
    { re: new RegExp(`\\b(?:score|rating|grade)\\b\\s*(?:is|of|=|:|-|–)?\\s*${num}\\s*(?:/\\s*(10|100)|out of (10|100))?`, 'i'), scale: (n, m) => (m[2] === '100' || m[3] === '100' ? n / 10 : n) },
    { re: new RegExp(`${num}\\s*(?:/|out of)\\s*(10|100)\\b`, 'i'), scale: (n, m) => (m[2] === '100' ? n / 10 : n) },
    { re: new RegExp(`^\\s*${num}\\s*(?:[.)\\-–:]|$)`, 'm') },
  ];
  for (const { re, scale } of patterns) {
    const m = re.exec(text);
    if (!m) continue;
    let n = Number(m[1]);
    if (scale) n = scale(n, m);
    if (!Number.isFinite(n) || n < 1 || n > 10) continue;
    return { score: Math.round(n * 10) / 10, reason: justification(text, m.index + m[0].length) };
  }
  return { score: null, reason: `the judge's reply has no score from 1 to 10: "${short(reply.trim(), 80)}"` };
}

function justification(text: string, after: number): string {
  const rest = text.slice(after).replace(/^[\s.)\]}"'/:,\-–—]*/, '').trim();
  const firstLine = (rest.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  const line = firstLine || text.trim().split('\n')[0]!.trim();
  return short(line.replace(/^(reason|justification|explanation)\s*[:-]\s*/i, ''), 300);
}

/** Pass rate over the successful runs with checks, and the mean judge score. */
export function summariseQuality(
  runs: readonly RunResult[],
  thresholds: { minJudgeScore?: number | undefined; minPassRate?: number | undefined } = {},
): { passRate: number | null; checkedRuns: number; meanJudgeScore: number | null; judgedRuns: number; goodEnough: boolean | null } {
  const ok = runs.filter((r) => r.status === 'ok');
  const checked = ok.filter((r) => r.quality && r.quality.passed !== null);
  const passRate = checked.length ? checked.filter((r) => r.quality!.passed).length / checked.length : null;
  const scores = ok.map((r) => r.quality?.judge?.score).filter((s): s is number => typeof s === 'number');
  const meanJudgeScore = scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10 : null;
  let goodEnough: boolean | null = null;
  if (passRate !== null || meanJudgeScore !== null) {
    const minPass = thresholds.minPassRate ?? COMPARE_DEFAULTS.minPassRate;
    const minScore = thresholds.minJudgeScore ?? COMPARE_DEFAULTS.minJudgeScore;
    goodEnough = ok.length > 0 && (passRate === null || passRate >= minPass - 1e-9) && (meanJudgeScore === null || meanJudgeScore >= minScore);
  }
  return { passRate, checkedRuns: checked.length, meanJudgeScore, judgedRuns: scores.length, goodEnough };
}

function short(s: string, max = 40): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
