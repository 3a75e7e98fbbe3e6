/**
 * Reading telemetry exports: format detection, each parser on realistic sample exports (test/fixtures/telemetry),
 * the streaming JSON and CSV readers at every chunk boundary, and precise errors for malformed, truncated, unknown
 * and mixed files.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { CsvStreamReader } from '../../src/core/calibrate/csvStream';
import { JsonStreamReader } from '../../src/core/calibrate/jsonStream';
import { readTelemetryFile, readTelemetryRecords, SKIPPED_KEYS, streamArray } from '../../src/core/calibrate/read';
import { TelemetryImportError, type TelemetryRecord } from '../../src/core/calibrate/types';

const DIR = path.join(__dirname, '..', 'fixtures', 'telemetry');
const fixture = (name: string): string => path.join(DIR, name);

async function read(name: string): Promise<{ records: TelemetryRecord[]; summary: Awaited<ReturnType<typeof readTelemetryFile>>['summary'] }> {
  const r = readTelemetryFile(fixture(name), { displayName: name });
  const records: TelemetryRecord[] = [];
  for await (const item of r.items) records.push(...item.records);
  return { records, summary: r.summary };
}

async function importError(file: string, displayName = path.basename(file)): Promise<TelemetryImportError> {
  try {
    for await (const record of readTelemetryRecords(file, { displayName })) void record;
  } catch (error) {
    assert.ok(error instanceof TelemetryImportError, `expected a TelemetryImportError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${file} was read without error`);
}

describe('format detection', () => {
  const cases: Array<[string, string, string]> = [
    ['otel-otlp.json', 'otel', 'json'],
    ['otel-collector.jsonl', 'otel', 'json'],
    ['otel-console.json', 'otel', 'json'],
    ['litellm-spend-logs.json', 'litellm', 'json'],
    ['litellm-spend-logs.csv', 'litellm', 'csv'],
    ['langfuse-generations.json', 'langfuse', 'json'],
    ['langfuse-observations-api.json', 'langfuse', 'json'],
    ['langfuse-observations.csv', 'langfuse', 'csv'],
    ['helicone-export.csv', 'helicone', 'csv'],
    ['helicone-export.jsonl', 'helicone', 'json'],
    ['openai-usage-completions.json', 'openai-usage', 'json'],
  ];
  for (const [file, format, container] of cases) {
    test(`${file} is ${format} (${container})`, async () => {
      const { summary } = await read(file);
      assert.equal(summary.format, format);
      assert.equal(summary.container, container);
    });
  }
});

describe('OpenTelemetry GenAI spans', () => {
  test('OTLP JSON: attributes, nanosecond timestamps, cached tokens, code location; HTTP and agent spans ignored', async () => {
    const { records, summary } = await read('otel-otlp.json');
    assert.equal(summary.items, 15);
    assert.equal(records.length, 13);
    assert.deepEqual(summary.ignored, { 'not a GenAI span (no gen_ai.* attributes)': 1, 'gen_ai.operation.name invoke_agent (its usage sums the model calls below it)': 1 });
    const first = records[0];
    assert.equal(first.model, 'gpt-4o-2024-08-06', 'the response model wins over the request model');
    assert.equal(first.provider, 'openai');
    assert.equal(first.timestamp, Date.parse('2026-11-20T00:00:00.000Z'));
    assert.equal(first.inputTokens, 410);
    assert.equal(first.outputTokens, 120);
    assert.equal(first.cachedInputTokens, undefined);
    assert.deepEqual(first.location, { file: '/srv/helpdesk/api/answers.py', line: 27, function: 'api.answers.answer_question' });
    assert.equal(first.tags['service.name'], 'helpdesk-api');
    assert.equal(first.tags['gen_ai.usage.input_tokens'], undefined, 'gen_ai attributes are not tags');
    const cached = records.find((r) => r.inputTokens === 1200)!;
    assert.equal(cached.cachedInputTokens, 1024);
    const anthropic = records.filter((r) => r.provider === 'anthropic');
    assert.deepEqual(anthropic.map((r) => r.cachedInputTokens), [1800, undefined, 1800]);
    // New attribute names (code.file.path, code.line.number, code.function.name, gen_ai.provider.name).
    const web = records.find((r) => r.model === 'gpt-4o-mini-2024-07-18')!;
    assert.deepEqual(web.location, { file: '/app/web/app/api/summarize/route.ts', line: 7, function: 'POST' });
    const embedding = records.find((r) => r.model === 'text-embedding-3-small')!;
    assert.equal(embedding.outputTokens, 0, 'an embedding span reports no output tokens');
  });

  test('collector JSON lines: one export request per line, relative paths and function-only locations', async () => {
    const { records, summary } = await read('otel-collector.jsonl');
    assert.equal(summary.items, 5);
    assert.deepEqual(records.map((r) => r.ref.line), [1, 2, 3, 4, 5]);
    assert.deepEqual(records[0].location, { file: 'worker/tag_tickets.py', line: 22, function: 'tag_ticket' });
    assert.deepEqual(records[3].location, { file: undefined, line: undefined, function: 'worker.tag_tickets.tag_ticket' });
    assert.equal(records[0].tags['celery.task_name'], 'worker.tag_tickets.tag_new_tickets');
  });

  test('Python ConsoleSpanExporter output: concatenated pretty objects with attribute mappings and ISO times', async () => {
    const { records } = await read('otel-console.json');
    assert.equal(records.length, 2);
    assert.equal(records[0].timestamp, Date.parse('2026-11-20T10:00:00.000Z'));
    assert.deepEqual([records[0].inputTokens, records[0].outputTokens], [402, 150]);
    assert.equal(records[1].ref.line, 41);
    assert.equal(records[0].tags['service.name'], 'helpdesk-api');
  });
});

describe('LiteLLM spend logs', () => {
  test('JSON from /spend/logs: spend, tags, spend_logs_metadata, cached tokens; failed rows ignored', async () => {
    const { records, summary } = await read('litellm-spend-logs.json');
    assert.equal(records.length, 6);
    assert.deepEqual(summary.ignored, { 'failed request (status failure)': 1 });
    const r = records[1];
    assert.equal(r.timestamp, Date.parse('2026-11-19T11:40:51.004Z'), 'zone-less timestamps are UTC');
    assert.deepEqual([r.model, r.provider, r.inputTokens, r.outputTokens, r.cachedInputTokens, r.costUsd], ['gpt-4o', 'openai', 1300, 260, 1152, 0.0052]);
    assert.equal(r.tags.feature, 'answers');
    assert.equal(r.tags.team, 'support');
    assert.equal(r.tags.api_key_alias, 'helpdesk-prod');
    assert.equal(r.tags.call_type, 'acompletion');
    assert.equal(records[3].tags.nightly, '', 'a bare request tag');
  });

  test('CSV copy of the table: JSON columns and multi-line quoted cells', async () => {
    const json = (await read('litellm-spend-logs.json')).records.slice(0, 5);
    const { records, summary } = await read('litellm-spend-logs.csv');
    assert.equal(summary.container, 'csv');
    assert.deepEqual(records.map((r) => r.ref.line), [2, 12, 22, 32, 42], 'lines of rows whose messages cell spans 10 lines');
    assert.deepEqual(
      records.map((r) => [r.model, r.inputTokens, r.outputTokens, r.costUsd, r.tags.feature, r.cachedInputTokens]),
      json.map((r) => [r.model, r.inputTokens, r.outputTokens, r.costUsd, r.tags.feature, r.cachedInputTokens]),
    );
    assert.equal(records[0].timestamp, Date.parse('2026-11-19T09:15:02.123Z'));
  });
});

describe('Langfuse observations', () => {
  test('generations export: usageDetails with cache reads, costDetails, traceName, tags; spans ignored', async () => {
    const { records, summary } = await read('langfuse-generations.json');
    assert.deepEqual(summary.ignored, { 'observation of type SPAN (not a model call)': 1 });
    assert.equal(records.length, 3);
    const [first] = records;
    // usageDetails: input 300 (uncached) + cache_read_input_tokens 1800 = 2100 input tokens.
    assert.deepEqual([first.inputTokens, first.outputTokens, first.cachedInputTokens, first.costUsd], [2100, 640, 1800, 0.01554]);
    assert.equal(first.traceName, 'escalation-draft');
    assert.equal(first.tags.feature, 'escalations');
    assert.equal(first.tags.ticket_queue, 'tier2', 'metadata values are tags');
    assert.equal(first.tags.environment, 'production');
  });

  test('the public API page ({data, meta}) and the CSV export give the same records', async () => {
    const json = (await read('langfuse-generations.json')).records;
    const api = (await read('langfuse-observations-api.json')).records;
    const csv = (await read('langfuse-observations.csv')).records;
    const key = (r: TelemetryRecord) => [r.timestamp, r.model, r.inputTokens, r.outputTokens, r.cachedInputTokens, r.costUsd, r.traceName, r.tags.feature];
    assert.deepEqual(api.map(key), json.map(key));
    assert.deepEqual(csv.map(key), json.map(key));
  });

  test('a partial export: a generation without usage is a request without tokens (0/0 is no usage)', async () => {
    const { records } = await read('partial-langfuse.json');
    assert.equal(records.length, 3);
    assert.equal(records[1].inputTokens, null);
    assert.equal(records[1].outputTokens, null);
    assert.equal(records[1].costUsd, undefined);
  });
});

describe('Helicone requests', () => {
  test('export CSV: quoted JSON bodies with commas and quotes, properties as tags, failed requests ignored', async () => {
    const { records, summary } = await read('helicone-export.csv');
    assert.deepEqual(summary.ignored, { 'failed request (response_status 429)': 1 });
    assert.equal(records.length, 3);
    assert.deepEqual([records[0].model, records[0].inputTokens, records[0].outputTokens, records[0].costUsd], ['gpt-4o-mini-2024-07-18', 305, 176, 0.00015135]);
    assert.equal(records[0].timestamp, Date.parse('2026-11-20T07:45:00.000Z'));
    assert.deepEqual(records[0].tags, { feature: 'summaries', environment: 'production' });
  });

  test('API rows (JSON lines): costUSD, Anthropic cache reads added to the input, a call-site id property', async () => {
    const { records } = await read('helicone-export.jsonl');
    assert.deepEqual(records.map((r) => r.inputTokens), [2100, 1850, 2400]);
    assert.deepEqual(records.map((r) => r.cachedInputTokens), [1800, 0, 1800]);
    assert.equal(records[0].costUsd, 0.01554);
    assert.equal(records[0].callSiteId, 'api/escalations.py#draft_reply#0');
    assert.equal(records[0].tags.feature, 'escalations');
  });
});

describe('OpenAI usage (completions)', () => {
  test('buckets become aggregated records; an empty bucket still extends the window', async () => {
    const r = readTelemetryFile(fixture('openai-usage-completions.json'));
    const records: TelemetryRecord[] = [];
    const extents: Array<{ from: number; to: number }> = [];
    for await (const item of r.items) {
      records.push(...item.records);
      if (item.extent) extents.push(item.extent);
    }
    assert.equal(records.length, 6);
    assert.equal(extents.length, 3);
    assert.equal(extents[2].to, Date.parse('2026-11-22T00:00:00Z'));
    const gpt4o = records[1];
    assert.deepEqual([gpt4o.model, gpt4o.requests, gpt4o.inputTokens, gpt4o.outputTokens, gpt4o.cachedInputTokens], ['gpt-4o-2024-08-06', 12000, 5_400_000, 2_160_000, 1_620_000]);
    assert.equal(gpt4o.timestamp, Date.parse('2026-11-19T00:00:00Z'));
    assert.equal(gpt4o.endTimestamp, Date.parse('2026-11-20T00:00:00Z'));
    assert.deepEqual(gpt4o.tags, { project_id: 'proj_helpdesk' });
    assert.equal(gpt4o.location, undefined);
  });
});

describe('errors name the file, the record, its line and the field; nothing half-way', () => {
  test('a malformed token count', async () => {
    const error = await importError(fixture('malformed-otlp-bad-tokens.json'));
    assert.equal(error.record, 3);
    assert.equal(error.field, 'gen_ai.usage.input_tokens');
    assert.equal(error.line, 212);
    assert.equal(error.message, 'malformed-otlp-bad-tokens.json:212: record 3: gen_ai.usage.input_tokens: must be a whole number of tokens ≥ 0, got "12k"');
  });

  test('a truncated OTLP document', async () => {
    const error = await importError(fixture('truncated-otlp.json'));
    assert.match(error.message, /^truncated-otlp\.json:720: record 7: invalid JSON: unexpected end of file inside a string: the file is incomplete \(truncated\?\)$/);
  });

  test('an unreadable timestamp in a CSV row', async () => {
    const error = await importError(fixture('malformed-litellm.csv'));
    assert.equal(error.message, 'malformed-litellm.csv:14: record 3: startTime: must be a timestamp (ISO 8601, e.g. 2026-11-20T10:00:00Z), got "yesterday 09:15"');
  });

  test('a JSON line cut off', async () => {
    const error = await importError(fixture('malformed-helicone.jsonl'));
    assert.equal(error.message, 'malformed-helicone.jsonl:3: record 3: invalid JSON: a string is not closed before the end of the line');
  });

  test('unknown formats say what was found and what is read', async () => {
    const json = await importError(fixture('unknown-format.json'));
    assert.match(json.message, /^unknown-format\.json:2: record 1: unknown export format \(keys: id, title, state, labels, created_at\); costlens reads OpenTelemetry/);
    const csv = await importError(fixture('unknown-format.csv'));
    assert.match(csv.message, /^unknown-format\.csv:2: record 1: unknown export format \(columns: date, invoice, amount_eur\)/);
  });

  test('a record of another format in the middle of a file', async () => {
    const error = await importError(fixture('mixed-formats.jsonl'));
    assert.match(error.message, /^mixed-formats\.jsonl:2: record 2: not a LiteLLM spend logs record like the ones before it \(keys: response_id, /);
  });

  test('missing, empty, binary and zip files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-telemetry-'));
    try {
      assert.equal((await importError(path.join(dir, 'nope.json'))).message, 'nope.json: file not found');
      fs.writeFileSync(path.join(dir, 'empty.json'), '');
      assert.equal((await importError(path.join(dir, 'empty.json'))).message, 'empty.json: the file is empty');
      fs.writeFileSync(path.join(dir, 'blank.jsonl'), '\n\n  \n');
      assert.equal((await importError(path.join(dir, 'blank.jsonl'))).message, 'blank.jsonl: the file holds only whitespace');
      fs.writeFileSync(path.join(dir, 'bin.json'), Buffer.from([0x7b, 0x00, 0x01, 0x02]));
      assert.match((await importError(path.join(dir, 'bin.json'))).message, /not a text file/);
      fs.writeFileSync(path.join(dir, 'x.zip'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]));
      assert.match((await importError(path.join(dir, 'x.zip'))).message, /a zip archive: unzip it/);
      fs.writeFileSync(path.join(dir, 'bad.json.gz'), Buffer.concat([gzipSync('{"a":1}\n').subarray(0, 12)]));
      assert.match((await importError(path.join(dir, 'bad.json.gz'))).message, /gzip|invalid JSON|incomplete/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('gzipped exports are read as they are', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-telemetry-'));
  try {
    const gz = path.join(dir, 'spans.jsonl.gz');
    fs.writeFileSync(gz, gzipSync(fs.readFileSync(fixture('otel-collector.jsonl'))));
    const r = readTelemetryFile(gz);
    const records: TelemetryRecord[] = [];
    for await (const item of r.items) records.push(...item.records);
    assert.equal(r.summary.compressed, true);
    const plain = (await read('otel-collector.jsonl')).records;
    assert.deepEqual(records.map((x) => [x.timestamp, x.inputTokens, x.ref.line]), plain.map((x) => [x.timestamp, x.inputTokens, x.ref.line]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('streaming readers', () => {
  const feed = (reader: JsonStreamReader, text: string, size: number) => {
    const items = [];
    for (let i = 0; i < text.length; i += size) items.push(...reader.write(text.slice(i, i + size)));
    items.push(...reader.end());
    return items;
  };

  test('JSON: the same items whatever the chunk boundaries (strings, escapes, numbers, literals cut anywhere)', () => {
    const text = fs.readFileSync(fixture('otel-otlp.json'), 'utf8') + '\n{"x":"\\u00e9\\"\\\\ \\n","n":-1.5e-3,"t":true,"f":false,"z":null}\n';
    const whole = feed(new JsonStreamReader({ streamArray, skipKeys: SKIPPED_KEYS }), text, text.length);
    assert.equal(whole.length, 16);
    assert.deepEqual(whole[15].value, { x: 'é"\\ \n', n: -0.0015, t: true, f: false, z: null });
    for (const size of [1, 2, 3, 5, 7, 64, 1000]) {
      const items = feed(new JsonStreamReader({ streamArray, skipKeys: SKIPPED_KEYS }), text, size);
      assert.deepEqual(items, whole, `chunk size ${size}`);
    }
    // The spans equal what JSON.parse reads (events are skipped: they may hold prompts).
    const parsed = JSON.parse(fs.readFileSync(fixture('otel-otlp.json'), 'utf8'));
    const spans = parsed.resourceSpans.flatMap((r: { scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }) => r.scopeSpans.flatMap((s) => s.spans));
    assert.deepEqual(whole.slice(0, 15).map((i) => i.value), spans.map(({ events: _events, ...rest }: Record<string, unknown>) => rest));
    assert.deepEqual(whole[0].path, ['resourceSpans', 0, 'scopeSpans', 0, 'spans', 0]);
  });

  test('JSON syntax errors carry the line', () => {
    const bad = (text: string) => {
      try {
        feed(new JsonStreamReader({ streamArray }), text, 4);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    assert.equal(bad('{"a":1}\n{"b" 2}\n'), 'line 2 (character 14): expected ":" after a key, found "2"');
    assert.equal(bad('[1,2,]'), 'line 1 (character 6): unexpected character "]" (expected a JSON value)');
    assert.equal(bad('{"a":tru}'), 'line 1 (character 6): unexpected "tru}" (expected a JSON value)');
    assert.equal(bad('{"a":01}'), 'line 1 (character 6): invalid number "01"');
    assert.match(bad('{"a":[1,\n2'), /^line 2 \(character 11\): unexpected end of file inside the token "2"|^line 2 .*unexpected end of file/);
  });

  test('CSV: quoted fields with commas, quotes and line breaks, CRLF, any chunk size', () => {
    const text = 'a,b,c\r\n1,"x, ""y""\nz",3\r\n\r\n4,,"6"\n"7",8,9';
    const expected = [
      { cells: { a: '1', b: 'x, "y"\nz', c: '3' }, line: 2 },
      { cells: { a: '4', b: '', c: '6' }, line: 5 },
      { cells: { a: '7', b: '8', c: '9' }, line: 6 },
    ];
    for (const size of [1, 2, 3, 4, 1000]) {
      const reader = new CsvStreamReader();
      const rows = [];
      for (let i = 0; i < text.length; i += size) rows.push(...reader.write(text.slice(i, i + size)));
      rows.push(...reader.end());
      assert.deepEqual(rows, expected, `chunk size ${size}`);
    }
    const reader = new CsvStreamReader(new Set(['b']));
    assert.deepEqual(reader.write('a,b\n1,"long prompt, kept out"\n').map((r) => r.cells), [{ a: '1' }], 'skipped columns are not kept');
    assert.throws(() => new CsvStreamReader().write('a,b\n1,2,3\n'), /line 2: expected 2 fields \(as in the header\), found 3/);
    assert.throws(() => {
      const r = new CsvStreamReader();
      r.write('a,b\n1,"2\n');
      r.end();
    }, /line 2: a quoted field is not closed before the end of the file/);
  });
});
