/**
 * Large exports stream in bounded memory. Opt-in (it writes a few hundred MB to the temp folder):
 *
 *   COSTLENS_LARGE_TEST=1 [COSTLENS_LARGE_MB=200] node --import tsx --test test/unit/calibrate-large.test.ts
 *
 * Generates an OTLP JSON document (one JSON value of that size) and a JSON-lines file of the same size, then imports
 * each in a child process whose V8 heap is capped at 64 MB: the import can only succeed if memory does not grow with
 * the file. Reports time, throughput and peak RSS.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const ENABLED = process.env.COSTLENS_LARGE_TEST === '1';
const MB = Number(process.env.COSTLENS_LARGE_MB ?? 200);
const HEAP_MB = 64;

const SITES = [
  ['/srv/helpdesk/api/answers.py', 27, 'answer_question', 'gpt-4o-2024-08-06', 'openai'],
  ['/srv/helpdesk/api/escalations.py', 14, 'draft_reply', 'claude-sonnet-4-5-20250929', 'anthropic'],
  ['/app/web/app/api/summarize/route.ts', 6, 'POST', 'gpt-4o-mini-2024-07-18', 'openai'],
  ['worker/tag_tickets.py', 22, 'tag_ticket', 'gpt-4.1-2025-04-14', 'openai'],
] as const;
const PROMPT = 'You are the help desk assistant of Acme Cloud. Answer in at most three sentences. '.repeat(6);

function span(k: number, random: () => number): Record<string, unknown> {
  const [file, line, fn, model, provider] = SITES[k % SITES.length];
  const start = BigInt(Date.UTC(2026, 10, 1) + Math.floor(k * 7.3)) * 1_000_000n;
  const attributes = Object.entries({
    'gen_ai.operation.name': { stringValue: 'chat' },
    'gen_ai.system': { stringValue: provider },
    'gen_ai.request.model': { stringValue: model.replace(/-20\d\d.*/, '') },
    'gen_ai.response.model': { stringValue: model },
    'gen_ai.usage.input_tokens': { intValue: String(200 + Math.floor(random() ** 2 * 20000)) },
    'gen_ai.usage.output_tokens': { intValue: String(20 + Math.floor(random() * 600)) },
    'gen_ai.usage.cache_read.input_tokens': { intValue: String(Math.floor(random() * 150)) },
    'gen_ai.prompt.0.content': { stringValue: PROMPT },
    'code.filepath': { stringValue: file },
    'code.lineno': { intValue: String(line) },
    'code.function': { stringValue: fn },
  }).map(([key, value]) => ({ key, value }));
  return {
    traceId: k.toString(16).padStart(32, '0'),
    spanId: k.toString(16).padStart(16, '0'),
    name: `chat ${model}`,
    kind: 3,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 900_000_000n).toString(),
    attributes,
    events: [{ name: 'gen_ai.choice', attributes: [{ key: 'message', value: { stringValue: PROMPT } }] }],
    status: {},
  };
}

function generate(file: string, mode: 'otlp' | 'jsonl'): number {
  const fd = fs.openSync(file, 'w');
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const target = MB * 1024 * 1024;
  let written = 0;
  let k = 0;
  const write = (s: string) => {
    written += fs.writeSync(fd, s);
  };
  if (mode === 'otlp') write('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"helpdesk"}}]},"scopeSpans":[{"scope":{"name":"openai_v2"},"spans":[\n');
  let batch: string[] = [];
  while (written < target) {
    const s = JSON.stringify(mode === 'otlp' ? span(k, random) : { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'openai_v2' }, spans: [span(k, random)] }] }] });
    batch.push(mode === 'otlp' ? (k ? ',\n' : '') + s : `${s}\n`);
    k++;
    if (batch.length === 1000) {
      write(batch.join(''));
      batch = [];
    }
  }
  write(batch.join(''));
  if (mode === 'otlp') write('\n]}]}]}\n');
  fs.closeSync(fd);
  return k;
}

const CHILD = `
const { calibrate } = require(${JSON.stringify(path.join(__dirname, '../../src/core/calibrate/calibrate.ts'))});
const { createPriceCatalogue } = require(${JSON.stringify(path.join(__dirname, '../../src/core/pricing/catalogue.ts'))});
const site = (id, file, line, fn, provider, model) => ({ id, file, line, range: { startLine: line, endLine: line + 6 }, enclosingFunction: fn, provider, estimate: { pricedModel: model, monthlyCostUsd: 100 } });
const sites = [
  site('api/answers.py#answer_question#0', 'api/answers.py', 27, 'answer_question', 'openai', 'gpt-4o'),
  site('api/escalations.py#draft_reply#0', 'api/escalations.py', 14, 'draft_reply', 'anthropic', 'claude-sonnet-4-5'),
  site('web/app/api/summarize/route.ts#POST#0', 'web/app/api/summarize/route.ts', 6, 'POST', 'openai', 'gpt-4o-mini'),
  site('worker/tag_tickets.py#tag_ticket#0', 'worker/tag_tickets.py', 21, 'tag_ticket', 'openai', 'gpt-4.1'),
];
const started = Date.now();
calibrate({ files: [process.argv[1]], sites, usage: undefined, prices: createPriceCatalogue() }).then((r) => {
  process.stdout.write(JSON.stringify({ ms: Date.now() - started, records: r.totals.records, matched: r.totals.matchedRequests, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), sketch: r.sites.map((s) => s.inputTokens && !s.inputTokens.exact) }));
}, (e) => { console.error(e); process.exit(1); });
`;

for (const mode of ['otlp', 'jsonl'] as const) {
  test(`a ${MB} MB ${mode === 'otlp' ? 'OTLP JSON document' : 'JSON-lines export'} imports with the heap capped at ${HEAP_MB} MB`, { skip: !ENABLED && 'set COSTLENS_LARGE_TEST=1 to run' }, (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-large-'));
    try {
      const file = path.join(dir, mode === 'otlp' ? 'spans.json' : 'spans.jsonl');
      const spans = generate(file, mode);
      const bytes = fs.statSync(file).size;
      const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', '-e', CHILD, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      assert.equal(child.status, 0, child.stderr);
      const result = JSON.parse(child.stdout) as { ms: number; records: number; matched: number; maxRssMb: number; sketch: boolean[] };
      assert.equal(result.records, spans);
      assert.equal(result.matched, spans);
      assert.ok(result.sketch.every(Boolean), 'the token distributions moved into the bounded sketch');
      t.diagnostic(`${(bytes / 2 ** 20).toFixed(0)} MB, ${spans} spans: ${(result.ms / 1000).toFixed(1)} s (${(bytes / 2 ** 20 / (result.ms / 1000)).toFixed(0)} MB/s), peak RSS ${result.maxRssMb} MB with a ${HEAP_MB} MB heap cap`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
