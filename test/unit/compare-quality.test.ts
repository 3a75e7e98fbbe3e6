/** Quality signal of a comparison: checks against an expected answer, the judge's score parsing, and a judged run. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveTarget, resolveTargets } from '../../src/core/compare/providers';
import { DEFAULT_RUBRIC, extractJson, judgeMessages, parseJudgeScore, runCheck, summariseQuality, validateChecks } from '../../src/core/compare/quality';
import { runComparison } from '../../src/core/compare/runner';
import type { CompareEvent, RunResult } from '../../src/core/compare/types';
import { createPriceCatalogue } from '../../src/core/pricing/catalogue';
import { createTokenizer, type Tokenizer } from '../../src/core/tokens/tokenizer';
import { startFakeOpenAiServer } from '../support/fakeOpenAiServer';

describe('quality checks', () => {
  test('exact: trimmed, case-sensitive unless asked', () => {
    assert.equal(runCheck('  Paris \n', { kind: 'exact', expected: 'Paris' }).passed, true);
    assert.equal(runCheck('paris', { kind: 'exact', expected: 'Paris' }).passed, false);
    assert.equal(runCheck('paris', { kind: 'exact', expected: 'Paris', caseSensitive: false }).passed, true);
    assert.equal(runCheck('Paris.', { kind: 'exact', expected: 'Paris' }).detail, 'the answer is not exactly "Paris"');
  });

  test('contains: any case unless asked', () => {
    assert.equal(runCheck('The capital is PARIS.', { kind: 'contains', expected: 'paris' }).passed, true);
    assert.equal(runCheck('The capital is PARIS.', { kind: 'contains', expected: 'paris', caseSensitive: true }).passed, false);
    assert.equal(runCheck('Lyon', { kind: 'contains', expected: 'Paris' }).detail, '"Paris" is not in the answer');
  });

  test('regex: flags honoured, global flags harmless', () => {
    assert.equal(runCheck('Label: BILLING', { kind: 'regex', pattern: '^label: (billing|tech)$', flags: 'i' }).passed, true);
    const check = { kind: 'regex' as const, pattern: 'a', flags: 'g' };
    assert.equal(runCheck('a', check).passed, true);
    assert.equal(runCheck('a', check).passed, true, 'no lastIndex state between runs');
    assert.deepEqual(validateChecks([{ kind: 'regex', pattern: '(unclosed' }]).length, 1);
  });

  test('JSON schema: whole answer, fenced block or embedded object; issues named by path', () => {
    const schema = { type: 'object', required: ['label', 'confidence'], properties: { label: { type: 'string', enum: ['billing', 'tech'] }, confidence: { type: 'number', minimum: 0, maximum: 1 } } };
    const check = { kind: 'json-schema' as const, schema };
    assert.equal(runCheck('{"label":"billing","confidence":0.9}', check).passed, true);
    assert.equal(runCheck('Here you go:\n```json\n{"label": "tech", "confidence": 1}\n```', check).passed, true);
    assert.equal(runCheck('Result: {"label": "tech", "confidence": 0.2} — done', check).passed, true);
    const wrong = runCheck('{"label":"sales","confidence":2}', check);
    assert.equal(wrong.passed, false);
    assert.match(wrong.detail, /label: .*billing.*confidence: .*1/s);
    const missing = runCheck('{"label":"tech"}', check);
    assert.match(missing.detail, /confidence/);
    assert.equal(runCheck('no json here', check).detail, 'the answer contains no valid JSON');
    assert.deepEqual(extractJson('[1, 2]'), { ok: true, value: [1, 2] });
  });

  test('a schema that cannot be used is reported before the run', () => {
    const problems = validateChecks([{ kind: 'json-schema', schema: { type: 'no-such-type' } }]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /JSON schema: cannot be used/);
    assert.deepEqual(validateChecks([{ kind: 'contains', expected: '' }]), ['the expected text of the contains check is empty']);
  });
});

describe('judge score parsing', () => {
  const cases: Array<[string, number | null]> = [
    ['Score: 8\nAccurate and concise.', 8],
    ['**Score:** 7/10 — misses the second part.', 7],
    ['score = 9', 9],
    ['Rating - 6.5\nok', 6.5],
    ['{"score": 4, "reason": "wrong city"}', 4],
    ['I would give this a 7 out of 10 because it is fine.', 7],
    ['Score: 85/100. Very good.', 8.5],
    ['9', 9],
    ['10. Perfect answer.', 10],
    ['Score: 11', null],
    ['Score: 0', null],
    ['The answer is good but not great.', null],
    ['', null],
  ];
  for (const [reply, expected] of cases) {
    test(`${JSON.stringify(reply)} → ${expected}`, () => {
      assert.equal(parseJudgeScore(reply).score, expected);
    });
  }

  test('the justification is kept; a missing score says why', () => {
    assert.equal(parseJudgeScore('Score: 8\nAccurate and concise.').reason, 'Accurate and concise.');
    assert.equal(parseJudgeScore('Score: 7/10 — misses the second part.').reason, 'misses the second part.');
    assert.match(parseJudgeScore('Looks fine to me').reason, /no score from 1 to 10/);
  });

  test('the judge sees the rubric, the task, the expected answer and the answer', () => {
    const messages = judgeMessages('Be strict.', [{ role: 'system', content: 'You label tickets.' }, { role: 'user', content: 'Printer on fire' }], 'hardware', 'hardware');
    assert.equal(messages.length, 2);
    const text = messages[1]!.content;
    for (const part of ['## Rubric\nBe strict.', '[system]\nYou label tickets.', '[user]\nPrinter on fire', '## Expected answer\nhardware', '<<<\nhardware\n>>>', 'Score: N']) assert.ok(text.includes(part), part);
    assert.match(DEFAULT_RUBRIC, /1 to 10/);
  });
});

describe('quality summary', () => {
  const run = (n: number, passed: boolean | null, score: number | null, status: RunResult['status'] = 'ok'): RunResult => ({
    model: 'm',
    run: n,
    status,
    output: '',
    finishReason: 'stop',
    streamed: true,
    ttftMs: 1,
    latencyMs: 2,
    attempts: 1,
    waitedMs: 0,
    usage: null,
    costUsd: null,
    notes: [],
    quality: { checks: [], passed, judge: score === null ? undefined : { model: 'j', score, reason: '', reply: '', costUsd: 0 } },
  });

  test('pass rate over successful runs, mean judge score, good enough against the thresholds', () => {
    const s = summariseQuality([run(1, true, 8), run(2, false, 6), run(3, true, 9), run(4, null, null, 'error')]);
    assert.equal(s.checkedRuns, 3);
    assert.ok(Math.abs(s.passRate! - 2 / 3) < 1e-12);
    assert.equal(s.meanJudgeScore, 7.7);
    assert.equal(s.goodEnough, false, 'one run failed its checks');
    assert.equal(summariseQuality([run(1, true, 8), run(2, false, 6)], { minPassRate: 0.5 }).goodEnough, true);
    assert.equal(summariseQuality([run(1, null, 6)]).goodEnough, false);
    assert.equal(summariseQuality([run(1, null, null)]).goodEnough, null, 'no quality signal');
  });
});

describe('a judged comparison against the local server', () => {
  let tokenizer: Tokenizer;
  before(async () => {
    tokenizer = await createTokenizer();
  });
  after(() => tokenizer.dispose());

  test('checks and judge scores per run; the cheapest good-enough model is named', async () => {
    const server = await startFakeOpenAiServer({
      behaviours: {
        'gpt-4o': { reply: 'The capital of France is Paris.', usage: { prompt_tokens: 20, completion_tokens: 8 } },
        'gpt-4o-mini': { reply: 'Paris.', usage: { prompt_tokens: 20, completion_tokens: 2 } },
        'gpt-4.1-nano': { reply: 'Lyon.', usage: { prompt_tokens: 20, completion_tokens: 2 } },
        judge: {
          // The judge grades by what the answer says.
          reply: (body) => {
            const prompt = String(body.messages?.[1]?.content ?? '');
            const answer = /<<<\n([\s\S]*)\n>>>/.exec(prompt)?.[1] ?? '';
            return answer.includes('Paris') ? (answer.length > 10 ? 'Score: 9\nCorrect and complete.' : 'Score: 8/10 - correct, terse.') : 'Score: 2\nWrong city.';
          },
          usage: { prompt_tokens: 120, completion_tokens: 10 },
        },
      },
    });
    try {
      const prices = createPriceCatalogue({
        overrides: [
          { model: 'gpt-4o', inputPerMTok: 2.5, outputPerMTok: 10, source: 'test' },
          { model: 'gpt-4o-mini', inputPerMTok: 0.15, outputPerMTok: 0.6, source: 'test' },
          { model: 'gpt-4.1-nano', inputPerMTok: 0.1, outputPerMTok: 0.4, source: 'test' },
          { model: 'judge', inputPerMTok: 1, outputPerMTok: 1, source: 'test' },
        ],
      });
      const { targets } = resolveTargets(['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-nano'], { baseURL: server.baseURL, prices });
      const judgeTarget = resolveTarget('judge', { baseURL: server.baseURL });
      assert.ok(judgeTarget.ok);
      const events: CompareEvent[] = [];
      const result = await runComparison(
        {
          messages: [{ role: 'user', content: 'What is the capital of France?' }],
          targets,
          runs: 2,
          maxOutputTokens: 32,
          currentModel: 'gpt-4o',
          quality: { checks: [{ kind: 'contains', expected: 'paris' }], judge: { target: { ...judgeTarget.target, id: 'judge (judge)' }, rubric: 'Is the city right?' } },
        },
        { getKey: async () => undefined, prices, tokenizer, onEvent: (e) => events.push(e) },
      );
      const byModel = Object.fromEntries(result.models.map((m) => [m.model, m]));
      assert.equal(byModel['gpt-4o']!.quality.meanJudgeScore, 9);
      assert.equal(byModel['gpt-4o-mini']!.quality.meanJudgeScore, 8);
      assert.equal(byModel['gpt-4.1-nano']!.quality.meanJudgeScore, 2);
      assert.equal(byModel['gpt-4o-mini']!.quality.passRate, 1);
      assert.equal(byModel['gpt-4.1-nano']!.quality.passRate, 0);
      assert.deepEqual(result.models.map((m) => m.quality.goodEnough), [true, true, false]);
      assert.equal(result.cheapestGoodEnough, 'gpt-4o-mini');
      const judged = byModel['gpt-4o-mini']!.runs[0]!.quality!.judge!;
      assert.equal(judged.reason, 'correct, terse.');
      assert.ok(Math.abs(judged.costUsd! - 130 / 1e6) < 1e-15);
      // judge: 6 requests, non-streaming, temperature 0; its cost is in the total
      const judgeRequests = server.requests.filter((r) => r.model === 'judge');
      assert.equal(judgeRequests.length, 6);
      assert.ok(judgeRequests.every((r) => r.body!.stream === undefined && r.body!.temperature === 0));
      assert.ok(judgeRequests[0]!.body!.messages![1]!.content!.toString().includes('Is the city right?'));
      assert.ok(Math.abs(result.quality!.judge!.costUsd! - 6 * 130e-6) < 1e-12);
      assert.equal(events.filter((e) => e.type === 'quality').length, 6);
    } finally {
      await server.close();
    }
  });
});
