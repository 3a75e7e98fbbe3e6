/**
 * `costlens report` (src/cli/report.ts) on the example project: the four formats (the same report as the core
 * goldens), what-if flags, saving a scenario into costlens.yml and applying it again, and bad arguments.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { calibrateCommand } from '../../src/cli/calibrate';
import { reportCommand } from '../../src/cli/report';
import type { Report } from '../../src/core/report/reportModel';
import { EXAMPLE_APP } from './helpers/exampleApp';

const TELEMETRY = path.join(EXAMPLE_APP, '..', 'telemetry');

/** 2026-11-26T12:00:00Z, the generatedAt of the goldens. */
const EPOCH = '1795694400';

async function run(args: string[], cwd = EXAMPLE_APP): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await reportCommand(args, { stdout, stderr, cwd, env: { SOURCE_DATE_EPOCH: EPOCH } });
  return { code, out, err };
}

function copyExample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-report-'));
  fs.cpSync(EXAMPLE_APP, dir, { recursive: true });
  return dir;
}

describe('costlens report', () => {
  test('markdown (default) and json: the report of the example project, dated by SOURCE_DATE_EPOCH', async () => {
    const md = await run([]);
    assert.equal(md.code, 0, md.err);
    assert.match(md.out, /^# LLM cost report\n\n_Generated 2026-11-26 12:00 UTC by costlens \d+\.\d+\.\d+ for example-app\./);
    assert.match(md.out, /\*\*\$2\.4k\/month expected\*\* \(range \$1\.8k – \$3\.6k\)/);
    const json = await run(['--format', 'json']);
    const report = JSON.parse(json.out) as Report;
    assert.equal(report.generatedAt, '2026-11-26T12:00:00.000Z');
    assert.equal(report.totals.monthlyUsd.expected, 2372.75925);
    assert.equal(report.workspace, 'example-app');
  });

  test('html and csv to files with --out', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-report-out-'));
    try {
      const html = path.join(dir, 'cost.html');
      const r = await run(['--format', 'html', '--out', html]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, '');
      assert.match(r.err, /wrote .*cost\.html \(5 call sites, \$2\.4k\/mo\)/);
      const text = fs.readFileSync(html, 'utf8');
      assert.match(text, /^<!DOCTYPE html>/);
      assert.doesNotMatch(text, /<script/);
      const csv = path.join(dir, 'cost.csv');
      assert.equal((await run(['--format', 'csv', '--out', csv, '--quiet'])).code, 0);
      assert.equal(fs.readFileSync(csv, 'utf8').trimEnd().split('\r\n').length, 6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('what-if flags re-estimate the report', async () => {
    const r = await run(['--format', 'json', '--traffic', '10x', '--feature-model', 'answers=gpt-4o-mini', '--batch-share', '100%']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as Report;
    // answers on gpt-4o-mini: (398 × 0.15 + 400 × 0.60) / 1e6 × 360k; tagging at 50% off; everything × 10
    const answers = ((398 * 0.15 + 400 * 0.6) / 1e6) * 360_000;
    const tagging = ((522 * 2 + 300 * 8) / 1e6) * 120_000 * 0.5;
    const rest = ((530 * 3 + 1024 * 15) / 1e6) * 9_000 + ((271 * 0.15 + 250 * 0.6) / 1e6) * 45_000 + ((250 * 0.02) / 1e6) * 30_000;
    assert.ok(Math.abs(report.totals.monthlyUsd.expected - 10 * (answers + tagging + rest)) < 1e-6);
    assert.equal(report.scenario!.name, null);
    assert.deepEqual(report.scenario!.settings, { trafficMultiplier: 10, featureModels: { answers: 'gpt-4o-mini' }, batchShare: 1 });
    assert.equal(report.title, 'LLM cost report — what-if');
  });

  test('--save-scenario writes scenarios.<name> into costlens.yml (comments kept); --scenario applies it again', async () => {
    const dir = copyExample();
    try {
      const before = fs.readFileSync(path.join(dir, 'costlens.yml'), 'utf8');
      const saved = await run(['--format', 'json', '--traffic', '3', '--cache-hit', '0.4', '--save-scenario', 'launch'], dir);
      assert.equal(saved.code, 0, saved.err);
      assert.match(saved.err, /updated costlens\.yml with scenarios\.launch/);
      const after = fs.readFileSync(path.join(dir, 'costlens.yml'), 'utf8');
      assert.ok(after.startsWith(before.trimEnd()), 'the file is kept as written, the scenario appended');
      assert.match(after, /\nscenarios:\n  launch:\n    trafficMultiplier: 3\n    cacheHitRate: 0\.4\n$/);
      const again = await run(['--format', 'json', '--scenario', 'launch'], dir);
      assert.equal(again.code, 0, again.err);
      const a = JSON.parse(saved.out) as Report;
      const b = JSON.parse(again.out) as Report;
      assert.equal(b.totals.monthlyUsd.expected, a.totals.monthlyUsd.expected);
      assert.equal(b.scenario!.name, 'launch');
      assert.deepEqual(b.savedScenarios, ['launch']);
      // flags change a saved scenario
      const more = JSON.parse((await run(['--format', 'json', '--scenario', 'launch', '--traffic', '6'], dir)).out) as Report;
      assert.ok(Math.abs(more.totals.monthlyUsd.expected - 2 * b.totals.monthlyUsd.expected) < 1e-6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad arguments exit with 2 and say what is wrong', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--format', 'pdf'], /--format must be markdown, html, json or csv/],
      [['--scenario', 'nosuch'], /no scenario 'nosuch' in costlens\.yml/],
      [['--traffic', 'lots'], /--traffic must be a multiplier/],
      [['--cache-hit', '2'], /--cache-hit must be a share/],
      [['--feature-model', 'answers'], /--feature-model takes feature=model/],
      [['--save-scenario', 'x'], /--save-scenario needs a what-if/],
      [['--save-scenario', 'bad/name', '--traffic', '2'], /scenario name/],
      [['--top=-1'], /--top must be a whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
    }
  });
});

describe('costlens report: calibrated call sites', () => {
  // Usage exports carry no code location: the same rules as the calibrate tests map them to the example's calls.
  const RULES = `
calibration:
  match:
    - { model: "gpt-4o-2024*", tag: project_id=proj_helpdesk, callSites: "api/answers.py#*" }
    - { model: "gpt-4.1*", callSites: "worker/**" }
    - { model: "gpt-4o-mini*", callSites: "web/app/api/summarize/route.ts#POST#0" }
`;

  test('every format marks measured vs assumed and shows the estimate-vs-actual error per calibrated site', async () => {
    const dir = copyExample();
    try {
      fs.appendFileSync(path.join(dir, 'costlens.yml'), RULES);
      const quiet = new PassThrough();
      const code = await calibrateCommand(['--root', dir, '--write', '--quiet', path.join(TELEMETRY, 'openai-usage-completions.json')], { stdout: quiet, stderr: quiet, cwd: dir });
      assert.equal(code, 0);

      const json = await run(['--root', dir, '--format', 'json']);
      assert.equal(json.code, 0, json.err);
      const report = JSON.parse(json.out) as Report;
      const answers = report.sites.find((s) => s.id === 'api/answers.py#answer_question#0')!;
      // The calibrate tests derive these: the assumptions said $1,798.20/mo, the usage export shows $637/mo.
      assert.equal(answers.calibration?.assumedMonthlyUsd, 1798.2);
      assert.ok(Math.abs(answers.calibration!.actualMonthlyUsd! - 637) < 1e-6);
      assert.ok(Math.abs(answers.calibration!.errorPct! - ((1798.2 - 637) / 637) * 100) < 1e-4);
      assert.equal(answers.basis, 'measured');
      const escalations = report.sites.find((s) => s.id.startsWith('api/escalations.py'))!;
      assert.equal(escalations.basis, 'assumed', 'a site the export did not cover stays assumed');
      assert.equal(escalations.calibration, null);
      const k = report.calibration!;
      assert.equal(k.callSites, 3);
      assert.equal(k.callSites, report.totals.measuredCallSites);
      const compared = k.sites.filter((s) => s.assumedMonthlyUsd !== null && s.actualMonthlyUsd !== null);
      const sum = (f: (s: (typeof compared)[number]) => number): number => compared.reduce((a, s) => a + f(s), 0);
      assert.equal(k.comparedCallSites, compared.length);
      assert.ok(Math.abs(k.errorPct! - ((sum((s) => s.assumedMonthlyUsd!) - sum((s) => s.actualMonthlyUsd!)) / sum((s) => s.actualMonthlyUsd!)) * 100) < 1e-6, 'the overall error is of the sums');
      const misses = k.sites.map((s) => (s.errorPct === null ? -1 : Math.abs(s.errorPct)));
      assert.deepEqual(misses, [...misses].sort((a, b) => b - a), 'largest miss first');

      const md = await run(['--root', dir, '--format', 'markdown']);
      assert.match(md.out, /3 call sites rest on measurements \(see \[Measured vs assumed\]\(#measured-vs-assumed\)\)/);
      assert.match(md.out, /\n## Measured vs assumed\n\n3 call sites are calibrated from telemetry: for them the assumptions alone said \$[\d.,k]+\/month, the telemetry shows \$[\d.,k]+\/month — the guesses were [+−][\d,.]+% off/);
      assert.match(md.out, /\| `api\/answers\.py:27` \| `gpt-4o` \| measured \| 7\.7k \| \$1\.8k \| \$637 \| \*\*\+182%\*\* \| [+−±][\d.]+% \| /);
      // In the top call sites, measured figures say so, assumed ones too.
      assert.match(md.out, /\| `api\/answers\.py:27` answer\\_question \|.*\| 230k \(measured\) \| \*\*\$[\d.,k]+\*\* \(measured\) \|/);
      assert.doesNotMatch(md.out.split('\n').find((l) => l.includes('`api/escalations.py:'))!, /measured/);

      const html = await run(['--root', dir, '--format', 'html']);
      assert.match(html.out, /<h2 id="measured-vs-assumed">Measured vs assumed<\/h2>/);
      assert.match(html.out, /<td class="n up"><strong>\+182%<\/strong><\/td>/);
      assert.match(html.out, /<div class="l">Measured<\/div><div class="v">3 call sites<\/div><div class="note">guesses [+−][\d,.]+% vs actual<\/div>/);

      const csv = await run(['--root', dir, '--format', 'csv']);
      const [header, ...rows] = csv.out.trimEnd().split('\r\n');
      const cols = header!.split(',');
      const cells = (line: string): string[] => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, cols.length).map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'));
      const row = rows.map(cells).find((r) => r[0] === 'api/answers.py#answer_question#0')!;
      assert.equal(row.length, cols.length);
      assert.equal(row[cols.indexOf('basis')], 'measured');
      assert.equal(row[cols.indexOf('assumed_monthly_usd')], '1798.2');
      assert.equal(row[cols.indexOf('error_pct')], String(Math.round(((1798.2 - 637) / 637) * 100 * 100) / 100));
      const other = rows.map(cells).find((r) => r[0]!.startsWith('api/escalations.py'))!;
      assert.deepEqual([other[cols.indexOf('basis')], other[cols.indexOf('error_pct')]], ['assumed', '']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an uncalibrated workspace has no calibration section and every site is assumed', async () => {
    const json = JSON.parse((await run(['--format', 'json'])).out) as Report;
    assert.equal(json.calibration, null);
    assert.equal(json.totals.measuredCallSites, 0);
    assert.ok(json.sites.every((s) => s.basis === 'assumed' && s.calibration === null));
    assert.doesNotMatch((await run([])).out, /Measured vs assumed/);
  });
});
