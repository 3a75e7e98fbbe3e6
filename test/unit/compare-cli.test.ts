/**
 * `costlens compare` against the local OpenAI-compatible server: golden table and Markdown output (timings, dates and
 * the server's port masked), JSON, the dry run, exit codes, keys from the environment never printed.
 * Regenerate the goldens after an intended change with `UPDATE_GOLDEN=1 npm run test:unit`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareCommand } from '../../src/cli/compare';
import type { CliIo } from '../../src/cli/common';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../support/fakeOpenAiServer';
import { removeProject, writeProject } from './helpers/tempProject';

const GOLDEN = path.join(__dirname, '..', 'golden');
const KEY = 'sk-cli-PLANTED-0123456789abcdef';

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

/** Timings differ run to run; so do the port and the date. Each is replaced by a fixed token (padding included). */
function mask(text: string): string {
  return text
    .replace(/ *\b\d+(?:\.\d+)? m?s\b/g, ' <time>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?/g, '<date>');
}

async function run(args: string[], cwd: string, env: Record<string, string> = { COSTLENS_API_KEY: KEY }): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream,
    cwd,
    env,
  };
  const code = await compareCommand(args, io);
  return { code, stdout, stderr };
}

describe('costlens compare (CLI)', () => {
  let server: FakeOpenAiServer;
  let dir: string;
  before(async () => {
    server = await startFakeOpenAiServer({
      requireKey: KEY,
      behaviours: {
        'gpt-4o': { reply: 'The capital of France is Paris.', usage: { prompt_tokens: 20, completion_tokens: 8 } },
        'gpt-4o-mini': { reply: 'Paris.', usage: { prompt_tokens: 20, completion_tokens: 2 } },
        'gpt-4.1-nano': { reply: 'Lyon, I think.', usage: { prompt_tokens: 20, completion_tokens: 4 } },
        broken: { fail: { status: 503 } },
      },
    });
    dir = writeProject({
      'prompt.txt': 'What is the capital of {{country}}? Answer in one word.',
      'messages.yml': 'messages:\n  - role: system\n    content: You answer geography questions.\n  - role: user\n    content: What is the capital of France?\n',
      'costlens.yml': [
        'version: 1',
        'prices:',
        '  - model: gpt-4o',
        '    inputPerMTok: 2.5',
        '    outputPerMTok: 10',
        '  - model: gpt-4o-mini',
        '    inputPerMTok: 0.15',
        '    outputPerMTok: 0.6',
        '  - model: gpt-4.1-nano',
        '    inputPerMTok: 0.1',
        '    outputPerMTok: 0.4',
        '',
      ].join('\n'),
    });
  });
  after(async () => {
    await server.close();
    removeProject(dir);
  });

  const common = () => ['--prompt', 'prompt.txt', '--var', 'country=France', '--base-url', server.baseURL, '--runs', '2', '--requests-per-month', '100000', '--expect-contains', 'paris', '--max-tokens', '64', '--temperature', '0'];

  test('table output matches the golden file', async () => {
    const r = await run([...common(), '--models', 'gpt-4o,gpt-4o-mini,gpt-4.1-nano,broken'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    golden('compare-table.txt', mask(r.stdout));
    assert.ok(!r.stdout.includes(KEY));
  });

  test('Markdown output matches the golden file', async () => {
    const r = await run([...common(), '--models', 'gpt-4o,gpt-4o-mini,broken', '--format', 'markdown'], dir);
    assert.equal(r.code, 0, r.stderr);
    golden('compare.md', mask(r.stdout));
    assert.match(r.stderr, /broken: 503: Custom endpoint had a server error/, 'per-model errors also on stderr');
    assert.ok(!(r.stdout + r.stderr).includes(KEY));
  });

  test('JSON output: the estimate and the full result', async () => {
    const r = await run(['--prompt', 'messages.yml', '--models', 'gpt-4o-mini,gpt-4o', '--base-url', server.baseURL, '--format', 'json', '--current', 'gpt-4o', '--requests-per-month', '1000'], dir);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.schemaVersion, 1);
    assert.equal(json.result.messages[0].content, 'You answer geography questions.');
    const mini = json.result.models.find((m: { model: string }) => m.model === 'gpt-4o-mini');
    // 20 × $0.15/M + 2 × $0.60/M
    assert.ok(Math.abs(mini.costPerRequestUsd - 0.0000042) < 1e-15);
    assert.equal(mini.changeVsCurrent.baseline, 'measured');
    assert.equal(json.estimate.requests, 2);
    assert.ok(!r.stdout.includes(KEY));
  });

  test('--dry-run sends nothing and prints the most it can cost', async () => {
    const before = server.requestCount();
    const r = await run([...common(), '--models', 'gpt-4o,gpt-4o-mini,ollama-only-model', '--dry-run'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.requestCount(), before);
    golden('compare-dry-run.txt', mask(r.stdout));
    assert.match(r.stdout, /Nothing was sent\. At most \$0\.0015 for 6 requests/);
    assert.match(r.stdout, /ollama-only-model \(price unknown\)/);
  });

  test('every model failing exits 1 with each error', async () => {
    const r = await run(['--prompt', 'messages.yml', '--models', 'broken,missing-model', '--base-url', server.baseURL], dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /broken \(Custom endpoint\): 503: .*Gave up after 3 attempts\./);
    assert.match(r.stdout, /missing-model \(Custom endpoint\): 404: model missing-model not found at http:\/\/127\.0\.0\.1:\d+\/v1/);
  });

  test('a wrong key: "check the API key", and the key sent is not printed', async () => {
    const wrong = 'sk-wrong-key-abcdefghijklmnop';
    const r = await run(['--prompt', 'messages.yml', '--models', 'gpt-4o-mini', '--base-url', server.baseURL, '--format', 'json'], dir, { COSTLENS_API_KEY: wrong });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /gpt-4o-mini: 401: Custom endpoint refused the API key: check the API key for Custom endpoint \(COSTLENS_API_KEY\)\. Server said: Incorrect API key provided: \[redacted\]/);
    assert.ok(!(r.stdout + r.stderr).includes(wrong));
    assert.ok((r.stdout + r.stderr).includes('[redacted]'));
  });

  test('command-line mistakes exit 2 with a clear message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--models', 'gpt-4o'], /--prompt <file> is required/],
      [['--prompt', 'prompt.txt'], /--models <a,b> is required/],
      [['--prompt', 'nope.txt', '--models', 'gpt-4o'], /cannot read the prompt nope\.txt: ENOENT/],
      [['--prompt', 'prompt.txt', '--models', 'gpt-4o'], /fill in \{\{country\}\} .*--var name=value/],
      [['--prompt', 'prompt.txt', '--var', 'city=Paris', '--models', 'gpt-4o'], /no such \{\{placeholder\}\} \(it has country\)/],
      [['--prompt', 'messages.yml', '--models', 'a,b,c,d,e,f,g'], /1–6 models/],
      [['--prompt', 'messages.yml', '--models', 'gpt-4o', '--runs', 'two'], /--runs must be a whole number/],
      [['--prompt', 'messages.yml', '--models', 'gpt-4o', '--runs', '50'], /runs must be a whole number from 1 to 10/],
      [['--prompt', 'messages.yml', '--models', 'gpt-4o', '--format', 'html'], /--format must be table, json or markdown/],
      [['--prompt', 'messages.yml', '--models', 'gpt-4o', '--provider', 'nowhere'], /unknown --provider 'nowhere'/],
      [['--prompt', 'messages.yml', '--models', 'mystery-9000'], /mystery-9000: no endpoint is known/],
      [['--prompt', 'messages.yml', '--models', 'gpt-4o', '--expect-regex', '('], /regex/],
      [['--prompt', 'messages.yml', '--models', 'gpt-4o', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });

  test('--help', async () => {
    const r = await run(['--help'], dir);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^costlens compare — /);
    assert.match(r.stdout, /--expect-json-schema <file>/);
  });
});
