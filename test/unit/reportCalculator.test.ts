/**
 * The feature calculator (src/core/report/calculator.ts) against hand-computed figures. Prices, USD per million
 * tokens (pinned in pricing.test.ts / checked here): gpt-4o 2.50 / 10 / 1.25 cached; gpt-4o-mini 0.15 / 0.60 / 0.075;
 * claude-sonnet-4-5 3 / 15 / 0.30 cached, 6 / 22.50 above 200k input tokens; claude-haiku-4-5 1 / 5 / 0.10.
 * Batch API: 50% off at OpenAI and Anthropic (Anthropic's stacks with caching). Minimum cacheable prompt: 1,024 tokens
 * for OpenAI and for Claude Sonnet 4.5, 4,096 for Claude Haiku 4.5.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CalculatorInputError, estimateFeature } from '../../src/core/report/calculator';
import { resolveModelChoice } from '../../src/core/report/modelChoice';
import { createPriceCatalogue } from '../../src/core/pricing/catalogue';

const prices = createPriceCatalogue({});
const close = (actual: number | null | undefined, expected: number, what: string): void => {
  assert.ok(actual !== null && actual !== undefined, `${what} is null`);
  assert.ok(Math.abs(actual - expected) < 1e-12 + Math.abs(expected) * 1e-9, `${what}: expected ${expected}, got ${actual}`);
};

describe('feature calculator', () => {
  test('gpt-4o, 1,200 in / 300 out, 20k requests/day: standard, batch and caching variants', () => {
    const r = estimateFeature({ model: 'gpt-4o', inputTokens: 1200, outputTokens: 300, requestsPerDay: 20_000 }, prices);
    assert.equal(r.requestsPerMonth, 600_000);
    const g = r.rows[0]!;
    assert.equal(g.model, 'gpt-4o');
    assert.equal(g.given, true);
    assert.equal(g.tier, 2);
    const standard = (1200 * 2.5 + 300 * 10) / 1e6; // 0.006
    close(g.standard!.perRequestUsd, standard, 'standard per request');
    close(g.standard!.perMonthUsd, standard * 600_000, 'standard per month'); // $3,600
    close(g.batch!.perRequestUsd, standard * 0.5, 'batch');
    assert.equal(g.batch!.applicable, false, 'interactive by default');
    const cached = (1200 * 0.7 * 2.5 + 1200 * 0.3 * 1.25 + 300 * 10) / 1e6; // default 30% hit rate
    close(g.cached!.perRequestUsd, cached, 'cached');
    assert.equal(g.cached!.eligible, true);
    assert.equal(g.batchCached, null, 'OpenAI does not document batch + cache stacking');
    assert.deepEqual(g.best && [g.best.variant, g.best.perRequestUsd], ['cached', cached]);
    assert.ok(r.assumptions.some((a) => /30% of input tokens .*assumed; set --cache-hit/.test(a)));
  });

  test('candidates: same-tier and cheaper OpenAI chat models, cheapest first, never embeddings or a higher tier', () => {
    const r = estimateFeature({ model: 'gpt-4o', inputTokens: 1200, outputTokens: 300, requestsPerDay: 20_000 }, prices);
    const models = r.rows.map((x) => x.model);
    assert.equal(models[0], 'gpt-4o');
    assert.ok(models.includes('gpt-4o-mini') && models.includes('gpt-4.1'));
    assert.ok(!models.includes('text-embedding-3-small'));
    for (const row of r.rows.slice(1)) assert.ok(row.tier! >= 2, `${row.model} tier ${row.tier}`);
    const costs = r.rows.slice(1).map((x) => x.standard!.perMonthUsd);
    assert.deepEqual(costs, [...costs].sort((a, b) => a - b));
    const mini = r.rows.find((x) => x.model === 'gpt-4o-mini')!;
    close(mini.standard!.perMonthUsd, ((1200 * 0.15 + 300 * 0.6) / 1e6) * 600_000, 'gpt-4o-mini per month'); // $216
  });

  test('batch mode: the Batch API variant applies and is the best', () => {
    const r = estimateFeature({ model: 'gpt-4o-mini', inputTokens: 500, outputTokens: 100, requestsPerDay: 10_000, mode: 'batch', models: [] }, prices);
    const g = r.rows[0]!;
    assert.equal(g.batch!.applicable, true);
    assert.equal(g.cached!.eligible, false, '500 tokens is below the 1,024-token minimum prefix');
    close(g.cached!.perRequestUsd, g.standard!.perRequestUsd, 'no cache hits below the minimum');
    assert.ok(g.notes.some((n) => /at least 1,024 input tokens/.test(n)));
    assert.equal(g.best!.variant, 'batch');
    close(g.best!.perMonthUsd, ((500 * 0.15 + 100 * 0.6) / 1e6) * 0.5 * 300_000, 'batch per month');
  });

  test('Anthropic: caching and batch stack; explicit caching is noted; long-context prices above 200k tokens', () => {
    const r = estimateFeature({ model: 'claude-sonnet-4-5', inputTokens: 2000, outputTokens: 500, requestsPerDay: 1000, mode: 'batch', cacheHitRate: 0.5, models: ['claude-haiku-4-5'] }, prices);
    assert.deepEqual(r.rows.map((x) => [x.model, x.provider]), [['claude-sonnet-4-5', 'anthropic'], ['claude-haiku-4-5', 'anthropic']]);
    const s = r.rows[0]!;
    const cached = (2000 * 0.5 * 3 + 2000 * 0.5 * 0.3 + 500 * 15) / 1e6;
    close(s.cached!.perRequestUsd, cached, 'sonnet cached');
    close(s.batchCached!.perRequestUsd, cached * 0.5, 'sonnet batch + cached');
    assert.equal(s.best!.variant, 'batch+cached');
    assert.ok(s.notes.some((n) => /cache_control/.test(n)));
    const h = r.rows[1]!;
    assert.equal(h.cached!.eligible, false, 'Haiku 4.5 caches prompts of 4,096 tokens or more');
    close(h.standard!.perRequestUsd, (2000 * 1 + 500 * 5) / 1e6, 'haiku standard');

    const long = estimateFeature({ model: 'claude-sonnet-4-5', inputTokens: 250_000, outputTokens: 1000, requestsPerDay: 10, models: [] }, prices);
    close(long.rows[0]!.standard!.perRequestUsd, (250_000 * 6 + 1000 * 22.5) / 1e6, 'long-context price');
    assert.equal(long.rows[0]!.price!.longContext, true);
  });

  test('an unknown model is "price unknown", never $0; --models mixes providers', () => {
    const r = estimateFeature({ model: 'acme-llm-9', inputTokens: 100, outputTokens: 100, requestsPerDay: 100, models: ['gpt-4o-mini', 'gemini-2.5-flash'] }, prices);
    const g = r.rows[0]!;
    assert.equal(g.standard, null);
    assert.equal(g.best, null);
    assert.ok(g.priceUnknownReason);
    assert.deepEqual(r.rows.slice(1).map((x) => x.provider), ['openai', 'google']);
    close(r.rows.find((x) => x.model === 'gemini-2.5-flash')!.standard!.perRequestUsd, (100 * 0.3 + 100 * 2.5) / 1e6, 'gemini flash');
  });

  test('days per month and the given provider are honoured', () => {
    const r = estimateFeature({ model: 'gpt-4o-mini', provider: 'azure', inputTokens: 100, outputTokens: 0, requestsPerDay: 1000, daysPerMonth: 22, models: [] }, prices);
    assert.equal(r.requestsPerMonth, 22_000);
    assert.equal(r.rows[0]!.provider, 'azure');
  });

  test('bad input is refused with the reason', () => {
    assert.throws(() => estimateFeature({ model: 'gpt-4o', inputTokens: -1, outputTokens: 1, requestsPerDay: 1 }, prices), CalculatorInputError);
    assert.throws(() => estimateFeature({ model: 'gpt-4o', inputTokens: 1, outputTokens: 1, requestsPerDay: 1, cacheHitRate: 30 }, prices), /share between 0 and 1/);
    assert.throws(() => estimateFeature({ model: 'gpt-4o', inputTokens: 1, outputTokens: 1, requestsPerDay: Number.NaN }, prices), /requests per day/);
    assert.throws(() => estimateFeature({ model: ' ', inputTokens: 1, outputTokens: 1, requestsPerDay: 1 }, prices), /model is required/);
  });
});

describe('model choice', () => {
  test('a provider prefix, the call\'s own provider when it prices the model, the family otherwise', () => {
    assert.deepEqual(resolveModelChoice('anthropic/claude-haiku-4-5', 'openai', prices), { provider: 'anthropic', model: 'claude-haiku-4-5', providerReason: 'given as anthropic/' });
    assert.equal(resolveModelChoice('gpt-4o-mini', 'azure', prices).provider, 'azure');
    assert.equal(resolveModelChoice('claude-haiku-4-5', 'openai', prices).provider, 'anthropic');
    assert.equal(resolveModelChoice('gemini-2.5-flash', 'openai', prices).provider, 'google');
    assert.equal(resolveModelChoice('gpt-4o', 'openai', prices).provider, 'openai');
    // an OpenRouter-style id is a model id, not a provider prefix
    assert.equal(resolveModelChoice('meta-llama/llama-3.3-70b-instruct', 'openrouter', prices).model, 'meta-llama/llama-3.3-70b-instruct');
  });
});
