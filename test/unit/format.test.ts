/** Figures as people read them; unknown stays unknown; huge and odd values never break formatting. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactNumber, formatCostPerRequest, formatMoneyCompact, formatPerMTok, formatRequestsPerMonth } from '../../src/core/format';

test('cost per request keeps two significant digits below $1', () => {
  assert.equal(formatCostPerRequest(0.0042), '$0.0042');
  assert.equal(formatCostPerRequest(0.04215), '$0.042');
  assert.equal(formatCostPerRequest(0.5), '$0.50');
  assert.equal(formatCostPerRequest(3.456), '$3.46');
  assert.equal(formatCostPerRequest(0), '$0');
  assert.equal(formatCostPerRequest(0.000001), '<$0.00001');
});

test('monthly figures are compact', () => {
  assert.equal(formatMoneyCompact(1300), '$1.3k');
  assert.equal(formatMoneyCompact(1963), '$2k');
  assert.equal(formatMoneyCompact(999_960), '$1M');
  assert.equal(formatMoneyCompact(2_500_000), '$2.5M');
  assert.equal(formatMoneyCompact(420.4), '$420');
  assert.equal(formatMoneyCompact(4.2), '$4.20');
  assert.equal(formatMoneyCompact(0.004), '<$0.01');
  assert.equal(formatRequestsPerMonth(600_000), '600k/mo');
});

test('unknown, negative and non-finite values are never shown as a number', () => {
  for (const bad of [null, undefined, NaN, Infinity, -1]) {
    assert.equal(formatCostPerRequest(bad as number | null), 'price unknown');
    assert.equal(formatMoneyCompact(bad as number | null), 'price unknown');
  }
});

test('huge values stay readable', () => {
  assert.equal(compactNumber(3e12), '3T');
  assert.equal(compactNumber(1e18), '1.0e+18');
  assert.equal(formatMoneyCompact(5e20), '$5.0e+20');
});

test('other currencies use the configured rate and symbol', () => {
  assert.equal(formatMoneyCompact(1000, { code: 'EUR', usdRate: 0.9 }), '€900');
  assert.equal(formatCostPerRequest(0.01, { code: 'GBP', usdRate: 0.8 }), '£0.0080');
  assert.equal(formatPerMTok(2.5, { code: 'EUR', usdRate: 0.5 }), '€1.25/MTok');
  assert.equal(formatPerMTok(0.15), '$0.15/MTok');
});
