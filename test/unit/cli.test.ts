/**
 * The built CLI (dist/cli.js, as users run it) against golden outputs of the bundled example project, and its
 * exit codes on bad input. Regenerate the goldens after an intended change with `UPDATE_GOLDEN=1 npm run test:unit`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { removeProject, writeProject } from './helpers/tempProject';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const EXAMPLE = path.join(ROOT, 'test', 'fixtures', 'example-app');
const GOLDEN = path.join(ROOT, 'test', 'golden');

function run(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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

describe('costlens scan (built CLI)', () => {
  test('dist/cli.js exists (npm run build)', () => {
    assert.ok(fs.existsSync(CLI), 'run `npm run build` first');
  });

  for (const format of ['table', 'json', 'markdown', 'sarif'] as const) {
    test(`--format ${format} on the example project matches the golden output`, () => {
      const r = run(['scan', '--root', EXAMPLE, '--format', format]);
      assert.equal(r.code, 0, r.stderr);
      golden(`example-app.${format === 'markdown' ? 'md' : format === 'table' ? 'txt' : format === 'sarif' ? 'sarif.json' : 'json'}`, r.stdout);
    });
  }

  test('JSON output keeps the public contract shape', () => {
    const r = run(['scan', '--root', EXAMPLE, '--format', 'json']);
    const json = JSON.parse(r.stdout);
    assert.equal(json.schemaVersion, 1);
    assert.deepEqual(Object.keys(json.totals).slice(0, 3), ['callSites', 'monthlyCostUsd', 'unpricedCallSites']);
    for (const site of json.callSites) {
      for (const key of ['id', 'file', 'line', 'column', 'language', 'sdk', 'api', 'role', 'provider', 'model', 'streaming', 'inLoop', 'context', 'estimate']) {
        assert.ok(key in site, `call site lacks ${key}`);
      }
      assert.deepEqual(Object.keys(site.model), ['expression', 'resolved', 'resolution']);
      if (site.estimate) {
        for (const key of ['inputTokens', 'outputTokens', 'costPerRequestUsd', 'requestsPerMonth', 'monthlyCostUsd', 'priceSource', 'assumptions']) {
          assert.ok(key in site.estimate, `estimate lacks ${key}`);
        }
      }
      assert.ok(!site.file.includes('\\') && !path.isAbsolute(site.file), 'file is a POSIX path relative to the root');
    }
    // sorted by monthly cost, most expensive first
    const costs = json.callSites.map((s: { estimate: { monthlyCostUsd: number | null } | null }) => s.estimate?.monthlyCostUsd ?? -1);
    assert.deepEqual(costs, [...costs].sort((a: number, b: number) => b - a));
  });

  test('--out writes the file and reports on stderr', () => {
    const dir = writeProject({});
    try {
      const out = path.join(dir, 'cost.md');
      const r = run(['scan', '--root', EXAMPLE, '--format', 'markdown', '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(fs.readFileSync(out, 'utf8'), /^## costlens: LLM call sites/);
      assert.match(r.stderr, /wrote .*cost\.md \(5 call sites/);
    } finally {
      removeProject(dir);
    }
  });

  test('an invalid usage file stops the scan with file:line:column and exit code 3', () => {
    const dir = writeProject({
      'app.py': 'import openai\nopenai.chat.completions.create(model="gpt-4o", messages=[])\n',
      'costlens.yml': '# traffic\ncallSites:\n  "app.py#<module>#0":\n    requestPerDay: 100\n',
    });
    try {
      const r = run(['scan', '--root', dir]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /costlens\.yml:4:5: error: callSites\."app\.py#<module>#0"\.requestPerDay: unknown key "requestPerDay" — did you mean "requestsPerDay"\?/);
      assert.equal(r.stdout, '');
    } finally {
      removeProject(dir);
    }
  });

  test('bad arguments exit with code 2 and say what is wrong', () => {
    const r = run(['scan', '--format', 'xml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format must be table, json, markdown or sarif/);
    const unknown = run(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const noRoot = run(['scan', '--root', '/nonexistent/folder']);
    assert.equal(noRoot.code, 2);
  });

  test('the README quick start shows what `npm run demo` prints today', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /`npm run demo` prints:\n\n```text\n([\s\S]*?)```/.exec(readme);
    assert.ok(block, 'README has the demo output block');
    assert.equal(block[1], fs.readFileSync(path.join(GOLDEN, 'example-app.txt'), 'utf8'), 'README quick-start output is stale: paste test/golden/example-app.txt into it');
  });

  test('--help documents the exit codes', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Exit codes:\n  0  success\n  1 .*\n  2 .*\n  3 /);
  });

  test('syntax errors, binary files and oversized files never crash a scan and are reported', () => {
    const big = `# ${'x'.repeat(2000)}\n`.repeat(600);
    const dir = writeProject({
      'good.py': 'from openai import OpenAI\nclient = OpenAI()\n\ndef f(q):\n    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": q}])\n',
      'broken.py': 'from openai import OpenAI\nclient = OpenAI(\ndef (:\n  client.chat.completions.create(model="gpt-4o"\n',
      'blob.js': Buffer.from([0x6f, 0x70, 0x65, 0x6e, 0x61, 0x69, 0x00, 0x01, 0x02, 0xff]).toString('latin1'),
      'huge.py': `import openai\n${big}`,
    });
    try {
      const r = run(['scan', '--root', dir, '--format', 'json', '--max-file-size', '500000']);
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assert.ok(json.callSites.some((s: { file: string }) => s.file === 'good.py'));
      const skipped = Object.fromEntries(json.skipped.map((s: { file: string; reason: string }) => [s.file, s.reason]));
      assert.match(skipped['huge.py'] ?? '', /larger than 500 kB/);
      assert.match(skipped['blob.js'] ?? '', /binary/);
    } finally {
      removeProject(dir);
    }
  });
});

test('every command that reads a workspace refuses a --root that is not a folder, with exit 2 and the same message', () => {
  const missing = path.join(ROOT, 'no-such-folder');
  for (const args of [['scan'], ['report'], ['calibrate', 'export.json'], ['diff', 'HEAD'], ['estimate', '--model', 'gpt-4o', '--requests-per-day', '10', '--input-tokens', '100', '--output-tokens', '10']]) {
    const r = run([...args, '--root', missing]);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.equal(r.stderr, `costlens ${args[0]}: root folder ${missing} does not exist\n`);
  }
});
