/**
 * `costlens estimate` (src/cli/estimate.ts): the feature calculator on the command line — the table, JSON, flags and
 * exit codes. The arithmetic itself is tested in reportCalculator.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { estimateCommand, parseAmount } from '../../src/cli/estimate';

async function run(args: string[], cwd = os.tmpdir()): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await estimateCommand(args, { stdout, stderr, cwd, env: {} });
  return { code, out, err };
}

const BASIC = ['--model', 'gpt-4o', '--input-tokens', '1200', '--output-tokens', '300', '--requests-per-day', '20k'];

describe('costlens estimate', () => {
  test('a table of the given model and its candidates, per request and per month, with batch and caching', async () => {
    const r = await run(BASIC);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.equal(lines[0], 'Feature: 1,200 input + 300 output tokens per request, 20k requests/day × 30 days = 600k requests/month, interactive');
    assert.match(lines[2]!, /^model\s+provider\s+tier\s+\$\/request\s+\$\/month\s+\(batch \$\/mo\)\s+cached 30% \$\/mo\s+best \$\/month$/);
    // (1,200 × 2.50 + 300 × 10) / 1e6 = $0.0060; × 600k = $3.6k; batch $1.8k; cached (30%) $3.3k
    assert.match(lines[3]!, /^gpt-4o \*\s+openai\s+2\s+\$0\.0060\s+\$3\.6k\s+\(\$1\.8k\)\s+\$3\.3k\s+\$3\.3k cached$/);
    assert.match(r.out, /^gpt-4o-mini\s+openai\s+3\s+\$0\.00036\s+\$216\s+\(\$108\)\s+\$200\s+\$200 cached$/m);
    assert.match(r.out, /Prices: gpt-4o \$2\.5\/MTok in, \$10\/MTok out, \$1\.25\/MTok cached; @pydantic\/genai-prices/);
  });

  test('--format json, --batch, --cache-hit as a percentage, --models', async () => {
    const r = await run([...BASIC, '--batch', '--cache-hit', '50%', '--models', 'gpt-4o-mini,claude-haiku-4-5', '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.equal(json.spec.mode, 'batch');
    assert.equal(json.spec.cacheHitRate, 0.5);
    assert.deepEqual(json.rows.map((x: { model: string }) => x.model), ['gpt-4o', 'gpt-4o-mini', 'claude-haiku-4-5']);
    assert.equal(json.rows[0].best.variant, 'batch');
    assert.equal(json.rows[0].standard.perMonthUsd, 3600);
    assert.equal(json.rows[0].batch.perMonthUsd, 1800);
  });

  test('an unknown model is shown as price unknown', async () => {
    const r = await run(['--model', 'acme-llm-9', '--input-tokens', '100', '--output-tokens', '100', '--requests-per-day', '100']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^acme-llm-9 \*\s+openai\s+—\s+price unknown$/m);
    assert.match(r.out, /acme-llm-9: price unknown \(/);
  });

  test('prices and days per month from costlens.yml at --root', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-estimate-'));
    try {
      fs.writeFileSync(path.join(dir, 'costlens.yml'), 'defaults:\n  daysPerMonth: 20\nprices:\n  - model: acme-llm-9\n    inputPerMTok: 1\n    outputPerMTok: 2\n');
      const r = await run(['--model', 'acme-llm-9', '--input-tokens', '1000', '--output-tokens', '500', '--requests-per-day', '1k', '--root', dir, '--format', 'json']);
      assert.equal(r.code, 0, r.err);
      const json = JSON.parse(r.out);
      assert.equal(json.requestsPerMonth, 20_000);
      assert.equal(json.rows[0].standard.perRequestUsd, (1000 * 1 + 500 * 2) / 1e6);
      fs.writeFileSync(path.join(dir, 'costlens.yml'), 'defaults:\n  daysPerMonth: 40\n');
      assert.equal((await run([...BASIC, '--root', dir])).code, 3, 'an invalid usage file is a config error');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad arguments exit with 2 and say what is wrong', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--input-tokens', '1', '--output-tokens', '1', '--requests-per-day', '1'], /--model is required/],
      [['--model', 'gpt-4o', '--output-tokens', '1', '--requests-per-day', '1'], /--input-tokens is required/],
      [[...BASIC.slice(0, 2), '--input-tokens', 'lots', '--output-tokens', '1', '--requests-per-day', '1'], /--input-tokens must be a number/],
      [[...BASIC, '--interactive', '--batch'], /not both/],
      [[...BASIC, '--cache-hit', '130%'], /--cache-hit must be a share/],
      [[...BASIC, '--format', 'xml'], /--format must be table or json/],
      [[...BASIC, '--days-per-month', '40'], /--days-per-month/],
      [[...BASIC, '--bogus'], /Unknown option/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message);
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^costlens estimate --model/);
  });

  test('amounts accept thousands separators and k / M suffixes', () => {
    assert.equal(parseAmount('1200'), 1200);
    assert.equal(parseAmount('1,200'), 1200);
    assert.equal(parseAmount('1.5k'), 1500);
    assert.equal(parseAmount('2M'), 2_000_000);
    assert.equal(parseAmount('-3'), null);
    assert.equal(parseAmount('1e5'), null);
  });
});
