/**
 * Statistics of calibration, against hand-computed figures: nearest-rank medians and p90s (weighted and split),
 * the bounded sketch's accuracy, cache-hit share, windows, and whole imports of the sample exports into the example
 * project's call sites with their actual cost priced from the catalogue.
 *
 * Prices (pinned in pricing.test.ts): gpt-4o $2.50 in / $10 out / $1.25 cached; claude-sonnet-4-5 $3 / $15 / $0.30.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { calibrate, roundCount, roundMoney, roundRate, type CalibrationResult } from '../../src/core/calibrate/calibrate';
import { EXACT_LIMIT, QuantileSketch, SiteStats, Window } from '../../src/core/calibrate/stats';
import { CostEngine, type ScanResult } from '../../src/core/engine/engine';
import type { UsageConfig } from '../../src/core/usage/schema';
import { parseUsageFile } from '../../src/core/usage/usageFile';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'test', 'fixtures', 'example-app');
const TELEMETRY = path.join(ROOT, 'test', 'fixtures', 'telemetry');

const close = (actual: number | null | undefined, expected: number, what: string, tolerance = 1e-9): void => {
  assert.ok(actual !== null && actual !== undefined, `${what} is ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: expected ${expected}, got ${actual}`);
};

describe('quantiles (nearest rank)', () => {
  test('five values: median is the 3rd, p90 the 5th', () => {
    const q = new QuantileSketch();
    for (const v of [410, 380, 520, 450, 1200]) q.add(v);
    assert.equal(q.quantile(0.5), 450);
    assert.equal(q.quantile(0.9), 1200);
    assert.equal(q.mean, 592);
    assert.equal(q.count, 5);
  });

  test('an even count takes the lower middle value (1, 2, 3, 4 → median 2)', () => {
    const q = new QuantileSketch();
    for (const v of [4, 1, 3, 2]) q.add(v);
    assert.equal(q.quantile(0.5), 2);
    assert.equal(q.quantile(0.9), 4);
  });

  test('weights: half-records from a split count half', () => {
    const q = new QuantileSketch();
    q.add(10, 0.5);
    q.add(20, 0.5);
    q.add(30, 1);
    // total weight 2: the median needs cumulative weight 1 (reached at 20), p90 needs 1.8 (reached at 30)
    assert.equal(q.quantile(0.5), 20);
    assert.equal(q.quantile(0.9), 30);
    assert.equal(q.mean, 22.5);
  });

  test('empty', () => {
    assert.equal(new QuantileSketch().quantile(0.5), null);
    assert.equal(new QuantileSketch().mean, null);
  });

  test(`beyond ${EXACT_LIMIT} distinct values: the sketch is within 1% of the exact nearest-rank value`, () => {
    const q = new QuantileSketch();
    const values: number[] = [];
    let seed = 7;
    for (let i = 0; i < 200_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      // A skewed, realistic token distribution: mostly a few hundred, a long tail to ~60k.
      const v = Math.round(50 + 300 * Math.exp((seed / 2147483648) * 5.3)) ;
      values.push(v);
      q.add(v);
    }
    assert.equal(q.isExact, false);
    values.sort((a, b) => a - b);
    for (const p of [0.1, 0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(p * values.length) - 1];
      const approx = q.quantile(p)!;
      assert.ok(Math.abs(approx - exact) / exact <= 0.01, `q${p}: exact ${exact}, sketch ${approx}`);
    }
    close(q.mean, values.reduce((a, b) => a + b, 0) / values.length, 'the mean stays exact', 1e-9);
  });

  test('zeros (embedding outputs) in sketch mode', () => {
    const q = new QuantileSketch();
    for (let i = 0; i < EXACT_LIMIT + 10; i++) q.add(i === 0 ? 0 : i + 0.5);
    for (let i = 0; i < 10_000; i++) q.add(0);
    assert.equal(q.quantile(0.5), 0);
  });
});

describe('site statistics', () => {
  test('an aggregated bucket adds its per-request mean with the weight of its requests', () => {
    const s = new SiteStats();
    s.add({ requests: 12000, inputTokens: 5_400_000, outputTokens: 2_160_000, cachedInputTokens: 1_620_000, model: 'gpt-4o-2024-08-06', timestamp: 0, endTimestamp: 86_400_000 }, 1, 33.075, false, 'rule');
    s.add({ requests: 11000, inputTokens: 5_000_000, outputTokens: 2_000_000, cachedInputTokens: 1_500_000, model: 'gpt-4o-2024-08-06', timestamp: 86_400_000, endTimestamp: 172_800_000 }, 1, 30.625, false, 'rule');
    assert.equal(s.requests, 23000);
    assert.equal(s.input.quantile(0.5), 450);
    close(s.input.quantile(0.9), 5_000_000 / 11000, 'p90');
    close(s.input.mean, 10_400_000 / 23000, 'mean');
    close(s.cacheHitShare, 0.3, 'cache-hit share');
    close(s.estimatedTotalCostUsd, 63.7, 'cost');
    assert.deepEqual([...s.models], [['gpt-4o-2024-08-06', 23000]]);
    assert.equal(s.matchedBy.rule, 23000);
  });

  test('split records, records without usage (cost scaled up), cache share only when reported', () => {
    const s = new SiteStats();
    const base = { requests: 1, model: 'm', timestamp: 0 };
    s.add({ ...base, inputTokens: 100, outputTokens: 10 }, 0.5, 0.002, true, 'function');
    s.add({ ...base, inputTokens: 300, outputTokens: 30 }, 1, 0.004, true, 'location');
    s.add({ ...base, inputTokens: null, outputTokens: null }, 1, null, false, 'location');
    assert.equal(s.requests, 2.5);
    assert.equal(s.splitRequests, 0.5);
    assert.equal(s.requestsWithUsage, 1.5);
    assert.equal(s.cacheHitShare, null, 'no record reported cached tokens');
    // known cost: 0.002 × 0.5 + 0.004 = 0.005 for 1.5 requests; scaled to 2.5 requests
    close(s.estimatedTotalCostUsd, 0.005 * (2.5 / 1.5), 'scaled cost');
    assert.equal(s.input.quantile(0.5), 300, 'weights 0.5 (100) and 1 (300): median needs 0.75');
  });

  test('windows: first to last timestamp, at least one hour', () => {
    const w = new Window();
    assert.equal(w.days, 0);
    w.add(Date.parse('2026-11-20T10:00:00Z'));
    w.add(Date.parse('2026-11-20T10:10:00Z'));
    assert.equal(w.days, 1 / 24);
    w.add(Date.parse('2026-11-19T00:00:00Z'), Date.parse('2026-11-22T00:00:00Z'));
    assert.equal(w.days, 3);
  });

  test('rounding of what is written', () => {
    assert.deepEqual([roundRate(7666.666), roundRate(51.66), roundRate(4.3333)], [7667, 51.7, 4.33]);
    assert.deepEqual([roundCount(3), roundCount(2.999999999), roundCount(1.5)], [3, 3, 1.5]);
    assert.deepEqual([roundMoney(636.9999), roundMoney(0.00277), roundMoney(0.0001572580645)], [637, 0.00277, 0.0001573]);
  });
});

describe('importing the sample exports into the example project', () => {
  let engine: CostEngine;
  let scan: ScanResult;
  let usage: UsageConfig;
  const RULES = `
calibration:
  match:
    - { model: "gpt-4o-2024*", tag: project_id=proj_helpdesk, callSites: "api/answers.py#*" }
    - model: gpt-4.1-20*
      callSites: "worker/**"
    - model: gpt-4o-mini*
      callSites: "web/app/api/summarize/route.ts#POST#0"
    - traceName: escalation-*
      callSites: "api/escalations.py#draft_reply#0"
`;
  const run = (files: string[]): Promise<CalibrationResult> =>
    calibrate({ files: files.map((f) => path.join(TELEMETRY, f)), sites: scan.callSites, usage, prices: engine.prices, cwd: TELEMETRY, now: new Date('2026-11-27T12:00:00Z') });

  before(async () => {
    const parsed = parseUsageFile(fs.readFileSync(path.join(EXAMPLE, 'costlens.yml'), 'utf8') + RULES, 'costlens.yml');
    assert.ok(parsed.ok);
    usage = parsed.config;
    engine = await CostEngine.create({ root: EXAMPLE, usage });
    scan = await engine.scan();
  });
  after(() => engine.dispose());

  test('OTLP spans: per-site requests/day, token quantiles, cache share, models and priced actual cost', async () => {
    const result = await run(['otel-otlp.json']);
    assert.deepEqual(result.window, { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z', days: 1 });
    assert.equal(result.unmatched.requests, 0);
    const answers = result.sites.find((s) => s.id === 'api/answers.py#answer_question#0')!;
    // gpt-4o at $2.50 / $10 / $1.25 cached, per span: 410/120, 380/95, 520/210, 450/180, 1200 (1,024 cached)/300
    const cost = (410 * 2.5 + 120 * 10 + 380 * 2.5 + 95 * 10 + 520 * 2.5 + 210 * 10 + 450 * 2.5 + 180 * 10 + 176 * 2.5 + 1024 * 1.25 + 300 * 10) / 1e6;
    assert.deepEqual(answers.measured, {
      requestsPerDay: 5,
      requests: 5,
      window: { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' },
      inputTokens: { median: 450, p90: 1200, mean: 592 },
      outputTokens: { median: 180, p90: 300, mean: 181 },
      cacheHitShare: 0.346, // 1,024 of 2,960 input tokens
      models: { 'gpt-4o-2024-08-06': 5 },
      actualMonthlyCostUsd: roundMoney(cost * 30),
      actualCostPerRequestUsd: roundMoney(cost / 5),
      source: 'OpenTelemetry GenAI spans otel-otlp.json (2026-11-27)',
    });
    close(answers.actualMonthlyCostUsd, cost * 30, 'actual monthly cost');
    assert.equal(answers.costSource, 'price catalogue');
    assert.deepEqual(answers.matchedBy, { id: 0, location: 5, rule: 0, function: 0 });
    const escalations = result.sites.find((s) => s.id === 'api/escalations.py#draft_reply#0')!;
    // claude-sonnet-4-5 at $3 / $15 / $0.30 cached: 2,100 (1,800 cached)/640, 1,850/512, 2,400 (1,800 cached)/800
    const claude = (300 * 3 + 1800 * 0.3 + 640 * 15 + 1850 * 3 + 512 * 15 + 600 * 3 + 1800 * 0.3 + 800 * 15) / 1e6;
    close(escalations.actualMonthlyCostUsd, claude * 30, 'claude monthly cost');
    assert.deepEqual(escalations.measured.inputTokens, { median: 2100, p90: 2400, mean: 2116.7 });
    assert.equal(escalations.measured.cacheHitShare, 0.567); // 3,600 of 6,350
    const embeddings = result.sites.find((s) => s.id === 'web/app/api/summarize/route.ts#POST#1')!;
    assert.deepEqual(embeddings.measured.outputTokens, { median: 0, p90: 0, mean: 0 });
    assert.deepEqual(result.files[0].ignored, { 'not a GenAI span (no gen_ai.* attributes)': 1, 'gen_ai.operation.name invoke_agent (its usage sums the model calls below it)': 1 });
  });

  test('OpenAI usage buckets via rules: 3-day window, estimate-vs-actual error of the assumptions', async () => {
    const result = await run(['openai-usage-completions.json']);
    assert.deepEqual(result.window, { from: '2026-11-19T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z', days: 3 });
    const answers = result.sites.find((s) => s.id === 'api/answers.py#answer_question#0')!;
    // 23,000 requests over 3 days; cost: bucket 1 (3.78M × 2.5 + 1.62M × 1.25 + 2.16M × 10) / 1e6 = 33.075,
    // bucket 2 (3.5M × 2.5 + 1.5M × 1.25 + 2M × 10) / 1e6 = 30.625 → 63.70 in 3 days → $637/month
    close(answers.requestsPerDay, 23000 / 3, 'requests per day');
    close(answers.actualMonthlyCostUsd, 637, 'actual monthly', 1e-9);
    assert.deepEqual(answers.measured.inputTokens, { median: 450, p90: 455, mean: 452.2 });
    assert.deepEqual(answers.measured.outputTokens, { median: 180, p90: 182, mean: 180.9 });
    assert.equal(answers.measured.cacheHitShare, 0.3);
    assert.equal(answers.measured.requestsPerDay, 7667);
    // The assumptions (12,000/day, 350 tokens per dynamic part, output at its limit) estimate $1,798.20/month.
    close(answers.estimateBeforeUsd, 1798.2, 'estimate from the assumptions', 1e-6);
    close(answers.errorPct, ((1798.2 - 637) / 637) * 100, 'error %', 1e-6);
    assert.deepEqual(result.ruleRequests, [23000, 8200, 3100, 0]);
    assert.equal(result.unmatched.requests, 0);
  });

  test('several files of several formats add up over one window', async () => {
    const result = await run(['otel-otlp.json', 'langfuse-generations.json', 'otel-collector.jsonl']);
    assert.deepEqual(result.files.map((f) => f.format), ['otel', 'langfuse', 'otel']);
    const escalations = result.sites.find((s) => s.id === 'api/escalations.py#draft_reply#0')!;
    assert.equal(escalations.requests, 6);
    assert.deepEqual(escalations.matchedBy, { id: 0, location: 3, rule: 3, function: 0 });
    assert.equal(escalations.costSource, 'both');
    assert.equal(result.source, 'OpenTelemetry GenAI spans otel-otlp.json, otel-collector.jsonl + Langfuse observations langfuse-generations.json (2026-11-27)');
    // The SDK-internal span of the collector export matches no call site and no rule.
    assert.equal(result.unmatched.requests, 1);
    assert.deepEqual(result.unmatched.byModel, [{ key: 'gpt-4.1-mini', requests: 1 }]);
    // Three spans by location; the fourth names only its function, and the gpt-4.1 rule comes before function names.
    const tagger = result.sites.find((s) => s.id === 'worker/tag_tickets.py#tag_ticket#0')!;
    assert.deepEqual(tagger.matchedBy, { id: 0, location: 3, rule: 1, function: 0 });
  });

  test('without rules, aggregated usage stays unmatched with suggestions', async () => {
    const bare = await calibrate({ files: [path.join(TELEMETRY, 'openai-usage-completions.json')], sites: scan.callSites, usage: undefined, prices: engine.prices });
    assert.equal(bare.sites.length, 0);
    assert.equal(bare.unmatched.requests, 34300);
    assert.deepEqual(bare.unmatched.byReason, [{ key: 'no code location, and no calibration.match rule applies', requests: 34300 }]);
    assert.deepEqual(bare.unmatched.byTag, [{ key: 'project_id=proj_helpdesk', requests: 26100 }, { key: 'project_id=proj_worker', requests: 8200 }]);
    assert.deepEqual(bare.unmatched.suggestions, [
      'calibration: { match: [ { model: "gpt-4o-2024-08-06", callSites: "api/answers.py#answer_question#0" } ] }',
      'calibration: { match: [ { model: "gpt-4.1-2025-04-14", callSites: "worker/tag_tickets.py#tag_ticket#0" } ] }',
      'calibration: { match: [ { model: "gpt-4o-mini-2024-07-18", callSites: "web/app/api/summarize/route.ts#POST#0" } ] }',
    ]);
  });

  test('a malformed file anywhere in the set: an error, no result', async () => {
    await assert.rejects(run(['otel-otlp.json', 'malformed-litellm.csv']), /malformed-litellm\.csv:14: record 3: startTime:/);
  });
});
