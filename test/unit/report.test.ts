/**
 * The cost report model (src/core/report/reportModel.ts) and its renderers against hand-computed figures of the
 * bundled example project and small projects, plus golden exports (test/golden/report-example-app.*) with a fixed
 * generatedAt. Regenerate the goldens after an intended change with `UPDATE_GOLDEN=1 npm run test:unit`.
 *
 * Prices (pinned in pricing.test.ts and checked again below), USD per million tokens:
 *   gpt-4o 2.50 in / 10 out / 1.25 cached · gpt-4.1 2 / 8 · claude-sonnet-4-5 3 / 15 · gpt-4o-mini 0.15 / 0.60
 *   text-embedding-3-small 0.02 in
 * Example project (test/fixtures/example-app, costlens.yml):
 *   answers     api/answers.py        gpt-4o            398 in / 400 out  12,000/day (8,000–20,000) = 360k/mo
 *   tagging     worker/tag_tickets.py gpt-4.1           522 in / 300 out   4,000/day                 = 120k/mo
 *   (api/)      api/escalations.py    claude-sonnet-4-5 530 in / 1,024 out  300/day (pragma)          =   9k/mo
 *   summaries   web/…/route.ts :6     gpt-4o-mini       271 in / 250 out   1,500/day                 =  45k/mo
 *   summaries   web/…/route.ts :12    embedding-3-small 250 in              1,000/day (built-in)      =  30k/mo
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { ScanResult } from '../../src/core/engine/engine';
import { buildReport, type Report } from '../../src/core/report/reportModel';
import { escapeHtml, renderBarChartSvg, renderReportCsv, renderReportHtml, renderReportJson, renderReportMarkdown } from '../../src/core/report/renderReport';
import { toScanJson } from '../../src/core/report/scanOutput';
import type { UsageConfig } from '../../src/core/usage/schema';
import { scanExample } from './helpers/exampleApp';
import { scanFiles } from './helpers/tempProject';

const ROOT = path.join(__dirname, '..', '..');
const GOLDEN = path.join(ROOT, 'test', 'golden');
const GENERATED_AT = '2026-11-26T12:00:00.000Z';

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, actual);
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`golden file ${name} did not exist; it was written — review and commit it`);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `output differs from test/golden/${name} (UPDATE_GOLDEN=1 to accept an intended change)`);
}

const close = (actual: number | null | undefined, expected: number, what: string): void => {
  assert.ok(actual !== null && actual !== undefined, `${what} is null`);
  assert.ok(Math.abs(actual - expected) < 1e-9 + Math.abs(expected) * 1e-9, `${what}: expected ${expected}, got ${actual}`);
};

// Hand-computed per-request costs and monthly figures of the example project.
const ANSWERS = (398 * 2.5 + 400 * 10) / 1e6; // 0.004995
const TAGGING = (522 * 2 + 300 * 8) / 1e6; // 0.003444
const ESCALATIONS = (530 * 3 + 1024 * 15) / 1e6; // 0.01695
const SUMMARIZE = (271 * 0.15 + 250 * 0.6) / 1e6; // 0.00019065
const EMBED = (250 * 0.02) / 1e6; // 0.000005
const FIXED = TAGGING * 120_000 + ESCALATIONS * 9_000 + SUMMARIZE * 45_000 + EMBED * 30_000;
const EXPECTED_TOTAL = ANSWERS * 360_000 + FIXED; // 2,372.75925
const LOW_TOTAL = ANSWERS * 240_000 + FIXED;
const HIGH_TOTAL = ANSWERS * 600_000 + FIXED;

describe('report model: the example project', () => {
  let report: Report;
  let scan: ScanResult;
  test('builds from a scan with hand-computed totals and ranges', async () => {
    const ex = await scanExample();
    scan = ex.scan;
    ex.engine.dispose();
    report = buildReport(scan, ex.usage, { generatedAt: GENERATED_AT, workspace: 'example-app', toolVersion: '0.1.0' });
    const t = report.totals;
    close(t.monthlyUsd.expected, EXPECTED_TOTAL, 'expected total');
    close(t.monthlyUsd.low, LOW_TOTAL, 'low total');
    close(t.monthlyUsd.high, HIGH_TOTAL, 'high total');
    close(EXPECTED_TOTAL, 2372.75925, 'the hand computation itself');
    assert.equal(t.callSites, 5);
    assert.equal(t.pricedCallSites, 5);
    assert.equal(t.unpricedCallSites, 0);
    assert.equal(t.assumedTrafficCallSites, 1, 'the embeddings call runs on the built-in default');
    assert.equal(t.requestsPerMonth, 360_000 + 120_000 + 9_000 + 45_000 + 30_000);
    // the same achievable saving as the scan outputs (one function computes it)
    close(t.achievableMonthlySavingUsd, toScanJson(scan).totals.achievableMonthlySavingUsd, 'achievable saving');
    assert.equal(report.generatedAt, GENERATED_AT);
    assert.equal(report.scenario, null);
  });

  test('cost per feature: features from costlens.yml, the rest by folder, with shares', () => {
    assert.equal(report.groupedBy, 'mixed');
    assert.deepEqual(
      report.byFeature.map((g) => [g.key, g.kind, g.callSites]),
      [
        ['answers', 'feature', 1],
        ['tagging', 'feature', 1],
        ['api/', 'folder', 1],
        ['summaries', 'feature', 2],
      ],
    );
    const [answers, tagging, api, summaries] = report.byFeature;
    close(answers!.monthlyUsd.expected, ANSWERS * 360_000, 'answers');
    close(answers!.monthlyUsd.low, ANSWERS * 240_000, 'answers low');
    close(answers!.monthlyUsd.high, ANSWERS * 600_000, 'answers high');
    close(tagging!.monthlyUsd.expected, TAGGING * 120_000, 'tagging');
    close(api!.monthlyUsd.expected, ESCALATIONS * 9_000, 'escalations folder');
    close(summaries!.monthlyUsd.expected, SUMMARIZE * 45_000 + EMBED * 30_000, 'summaries');
    close(answers!.share, (ANSWERS * 360_000) / EXPECTED_TOTAL, 'answers share');
    assert.equal(answers!.description, 'Instant answers in the help widget');
    close(report.byFeature.reduce((a, g) => a + g.share, 0), 1, 'shares add up');
  });

  test('cost by model, top sites, suggestions ranked with the achievable total', () => {
    assert.deepEqual(report.byModel.map((m) => m.model), ['gpt-4o', 'gpt-4.1', 'claude-sonnet-4-5', 'gpt-4o-mini', 'text-embedding-3-small']);
    close(report.byModel[0]!.monthlyUsd!.expected, ANSWERS * 360_000, 'gpt-4o');
    assert.deepEqual(report.topSites.map((s) => s.id), ['api/answers.py#answer_question#0', 'worker/tag_tickets.py#tag_ticket#0', 'api/escalations.py#draft_reply#0', 'web/app/api/summarize/route.ts#POST#0', 'web/app/api/summarize/route.ts#POST#1']);
    const site = report.sites[0]!;
    assert.equal(site.inputTokens, 398);
    assert.equal(site.outputTokens, 400);
    close(site.costPerRequestUsd, ANSWERS, 'answers $/req');
    assert.equal(site.group, 'answers');
    const savings = report.suggestions.map((s) => s.monthlySavingUsd ?? -1);
    assert.deepEqual(savings, [...savings].sort((a, b) => b - a), 'ranked by saving');
    assert.deepEqual(report.suggestions.map((s) => s.rank), report.suggestions.map((_, i) => i + 1));
    assert.ok(report.suggestions.some((s) => s.kind === 'route' && s.quickFix));
  });

  test('assumptions in one list, with the sites they apply to; price sources with dates', () => {
    const traffic = report.assumptions.filter((a) => a.category === 'traffic');
    assert.equal(traffic.length, 5, 'one traffic line per distinct source');
    assert.ok(traffic.some((a) => /inline pragma "costlens: 300\/day"/.test(a.text) && a.siteIds[0] === 'api/escalations.py#draft_reply#0'));
    assert.ok(report.assumptions.some((a) => a.category === 'general' && /^30 days per month/.test(a.text)));
    assert.ok(report.assumptions.some((a) => a.category === 'tokens' && /output at its limit of 400 tokens/.test(a.text)));
    const texts = report.assumptions.map((a) => a.text);
    assert.equal(new Set(texts).size, texts.length, 'deduplicated');
    const gpt4o = report.priceSources.find((p) => p.model === 'gpt-4o')!;
    assert.deepEqual([gpt4o.inputPerMTok, gpt4o.outputPerMTok, gpt4o.cacheReadPerMTok, gpt4o.batchDiscount], [2.5, 10, 1.25, 0.5]);
    assert.match(gpt4o.sourceDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(gpt4o.source, /genai-prices/);
    assert.deepEqual(gpt4o.siteIds, ['api/answers.py#answer_question#0']);
    assert.equal(report.unknownPrices.length, 0);
  });

  test('golden exports: markdown, html, json, csv', () => {
    golden('report-example-app.md', renderReportMarkdown(report));
    golden('report-example-app.html', renderReportHtml(report));
    golden('report-example-app.json', renderReportJson(report));
    golden('report-example-app.csv', renderReportCsv(report));
  });

  test('the markdown export is readable without VS Code: every section and the key figures', () => {
    const md = renderReportMarkdown(report);
    assert.match(md, /^# LLM cost report\n/);
    assert.match(md, /\*\*\$2\.4k\/month expected\*\* \(range \$1\.8k – \$3\.6k\) across 5 call sites/);
    for (const section of ['## Cost by feature', '## Cost by model', '## Top call sites', '## Suggestions — up to', '## Assumptions', '## Price sources']) assert.ok(md.includes(section), section);
    assert.match(md, /\| answers — Instant answers in the help widget \| 1 \| 360k \| \$1\.2k \| \*\*\$1\.8k\*\* \| \$3k \|/);
    assert.match(md, /\| `gpt-4o` \| openai \| \$2\.5\/MTok \| \$10\/MTok \| \$1\.25\/MTok \| 50% \| @pydantic\/genai-prices 0\.1\.8 \| 2026-09-23 \|/);
  });

  test('the html export is self-contained: inline CSS and SVG charts, no scripts, no external resources', () => {
    const html = renderReportHtml(report);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<style>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2, 'a chart by feature and one by model');
    assert.match(html, /aria-label="Monthly cost by feature"/);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
    // the only URL is the SVG namespace
    assert.deepEqual([...new Set(html.match(/https?:\/\/[^\s"'<)]+/g) ?? [])], ['http://www.w3.org/2000/svg']);
    assert.match(html, /default-src 'none'/);
    assert.ok(html.includes('$1.8k/mo'), 'bar value of answers');
  });

  test('the csv export has one row per call site with the key columns', () => {
    const csv = renderReportCsv(report);
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 1 + 5);
    assert.match(lines[0]!, /^id,file,line,function,feature_or_folder,sdk,api,provider,model,context,in_loop,input_tokens,output_tokens,requests_per_month,cost_per_request_usd,monthly_low_usd,monthly_expected_usd,monthly_high_usd/);
    assert.match(lines[1]!, /^api\/answers\.py#answer_question#0,api\/answers\.py,27,answer_question,answers,openai,chat,openai,gpt-4o,interactive,false,398,400,360000,0\.004995,1198\.8,1798\.2,2997,/);
  });

  test('the json export parses back to the report', () => {
    const json = JSON.parse(renderReportJson(report)) as Report;
    assert.equal(json.schemaVersion, 1);
    close(json.totals.monthlyUsd.expected, EXPECTED_TOTAL, 'json total');
    assert.equal(json.sites.length, 5);
  });
});

describe('report model: grouping and edge cases', () => {
  const handler = (route: string, call: string): string => `from fastapi import FastAPI
from openai import OpenAI

app = FastAPI()
client = OpenAI()


@app.post("${route}")
def handle(q: str):
    return ${call}
`;

  test('without features, cost is grouped by folder below the common folder; shared assumptions list every site', async () => {
    const call = `client.chat.completions.create(model="gpt-4o-mini", max_tokens=100, messages=[{"role": "user", "content": q}])`;
    const scan = await scanFiles({
      'src/api/a.py': handler('/a', call),
      'src/api/b.py': handler('/b', call),
      'src/jobs/c.py': handler('/c', call),
      'src/d.py': handler('/d', call),
    });
    const report = buildReport(scan, undefined, { generatedAt: GENERATED_AT });
    assert.equal(report.groupedBy, 'folder');
    assert.deepEqual(report.byFeature.map((g) => [g.key, g.callSites]).sort(), [['src/', 1], ['src/api/', 2], ['src/jobs/', 1]]);
    // 3 static priming tokens + 250 for the dynamic part; 100 out; 1,000/day built-in
    const perRequest = (253 * 0.15 + 100 * 0.6) / 1e6;
    close(report.totals.monthlyUsd.expected, perRequest * 30_000 * 4, 'total');
    const builtIn = report.assumptions.find((a) => /^traffic: built-in default for interactive calls/.test(a.text))!;
    assert.equal(builtIn.siteIds.length, 4, 'one assumption, four sites');
    assert.equal(report.totals.assumedTrafficCallSites, 4);
    assert.match(renderReportMarkdown(report), /## Cost by folder/);
  });

  test('unknown prices are listed apart and left out of totals, never $0', async () => {
    const scan = await scanFiles({
      'app.py': handler('/x', `client.chat.completions.create(model="acme-unknown-model-9", max_tokens=100, messages=[{"role": "user", "content": q}])`),
    });
    const report = buildReport(scan, undefined, { generatedAt: GENERATED_AT });
    assert.equal(report.totals.unpricedCallSites, 1);
    assert.equal(report.totals.monthlyUsd.expected, 0);
    assert.equal(report.unknownPrices.length, 1);
    assert.equal(report.unknownPrices[0]!.model, 'acme-unknown-model-9');
    assert.equal(report.byModel[0]!.monthlyUsd, null);
    const md = renderReportMarkdown(report);
    assert.match(md, /\*\*Price unknown\*\* for `acme-unknown-model-9`/);
    assert.match(md, /1 call site with unknown price not in the total/);
    assert.match(renderReportCsv(report), /,acme-unknown-model-9,interactive,false,253,100,30000,,,,,/);
  });

  test('an empty workspace gives a valid report', () => {
    const empty: ScanResult = { callSites: [], skipped: [], totals: { callSites: 0, monthlyCostUsd: 0, unpricedCallSites: 0, monthlyCostRangeUsd: { low: 0, high: 0 } }, filesScanned: 0, filesParsed: 0, filesFromCache: 0 };
    const report = buildReport(empty, undefined, { generatedAt: GENERATED_AT });
    assert.equal(report.totals.monthlyUsd.expected, 0);
    assert.match(renderReportMarkdown(report), /No LLM call sites found/);
    assert.match(renderReportHtml(report), /No costs to show/);
    assert.equal(renderReportCsv(report).split('\r\n').length, 2);
  });

  test('everything is escaped: hostile names cannot inject markup into the html, markdown or csv', async () => {
    const scan = await scanFiles({
      'app.py': handler('/x', `client.chat.completions.create(model="gpt-4o-mini", max_tokens=10, messages=[{"role": "user", "content": q}])`),
    });
    const site = scan.callSites[0]!;
    const evil = '<img src=x onerror=alert(1)>|=cmd()';
    const hostile: ScanResult = { ...scan, callSites: [{ ...site, id: `app.py#${evil}#0`, enclosingFunction: '=HYPERLINK("x")', estimate: { ...site.estimate!, feature: `</style><script>alert(1)</script>`, trafficDetail: evil } }] };
    const usage: UsageConfig = { version: 1, defaults: {}, callSites: {}, features: { '</style><script>alert(1)</script>': { callSites: [], description: '"><script>x</script>' } }, prices: [], scenarios: {}, advice: {} };
    const report = buildReport(hostile, usage, { generatedAt: GENERATED_AT, workspace: '<b>ws</b>' });
    const html = renderReportHtml(report);
    assert.doesNotMatch(html, /<script|<img|<b>ws/);
    assert.ok(html.includes(escapeHtml(evil)));
    // Markdown: outside code spans (which show text as is) every < is backslash-escaped.
    const md = renderReportMarkdown(report).replace(/`[^`\n]*`/g, '');
    assert.doesNotMatch(md, /(^|[^\\])<(script|img|\/style)/);
    const csv = renderReportCsv(report);
    assert.ok(csv.includes(`,"'=HYPERLINK(""x"")",`), 'a formula-looking cell is quoted and prefixed');
    assert.doesNotMatch(renderBarChartSvg('<t>', [{ label: '<x>', value: 1 }]), /<x>|<t>/);
  });
});
