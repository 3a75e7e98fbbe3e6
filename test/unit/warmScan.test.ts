/**
 * Warm scans: the scan cache re-uses detection of unchanged files and the finished result of an unchanged workspace,
 * and notices every change that matters — including a constant that reaches a file through another module, when
 * another file resolved it first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CostEngine } from '../../src/core/engine/engine';
import { parallelScan } from '../../src/core/engine/parallelScan';
import { ScanCache } from '../../src/core/engine/scanCache';
import { parseUsageFile } from '../../src/core/usage/usageFile';
import { removeProject, writeProject } from './helpers/tempProject';

const user = (fn: string): string =>
  `from openai import OpenAI\nfrom app.models import CHAT\n\nclient = OpenAI()\n\n\ndef ${fn}(q):\n    return client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": q}])\n`;

function touch(root: string, rel: string, text: string): void {
  const file = path.join(root, rel);
  fs.writeFileSync(file, text);
  fs.utimesSync(file, new Date(), new Date(Date.now() + 10_000));
}

for (const mode of ['single-threaded', 'parallel (in-thread chunks)'] as const) {
  test(`${mode}: a constant imported through another module re-analyses every file using it when its source changes`, async () => {
    const root = writeProject({
      'app/__init__.py': '',
      'app/settings.py': 'DEFAULT_MODEL = "gpt-4o"\n',
      'app/models.py': 'from app.settings import DEFAULT_MODEL\n\nCHAT = DEFAULT_MODEL\n',
      'app/one.py': user('one'),
      'app/two.py': user('two'),
    });
    const engine = await CostEngine.create({ root });
    const scan = (cache: ScanCache) => (mode === 'single-threaded' ? engine.scan([], { cache }) : parallelScan(engine, [], { cache, workers: 1 }));
    try {
      const cache = new ScanCache();
      const cold = await scan(cache);
      assert.deepEqual(cold.callSites.map((s) => s.model.resolved), ['gpt-4o', 'gpt-4o']);
      // Both files depend on the module the value comes from, not only on the one they import.
      for (const f of ['app/one.py', 'app/two.py']) assert.ok(cache.dependentsOf('app/settings.py').includes(f), `${f} depends on app/settings.py`);
      touch(root, 'app/settings.py', 'DEFAULT_MODEL = "gpt-4.1-mini"\n');
      const after = await scan(cache);
      assert.deepEqual(after.callSites.map((s) => [s.file, s.model.resolved]), [['app/one.py', 'gpt-4.1-mini'], ['app/two.py', 'gpt-4.1-mini']]);
    } finally {
      engine.dispose();
      removeProject(root);
    }
  });
}

test('the finished result is re-used only while the detected sites and the configuration are unchanged', async () => {
  const root = writeProject({
    'app/__init__.py': '',
    'app/settings.py': 'DEFAULT_MODEL = "gpt-4o"\n',
    'app/models.py': 'from app.settings import DEFAULT_MODEL\n\nCHAT = DEFAULT_MODEL\n',
    'app/one.py': user('one'),
  });
  const cacheFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-warm-')), 'cache.json');
  const engine = await CostEngine.create({ root });
  try {
    const first = new ScanCache();
    const cold = await engine.scan([], { cache: first });
    first.save(cacheFile);
    const loaded = ScanCache.load(cacheFile);
    const warm = await engine.scan([], { cache: loaded });
    assert.equal(warm.filesParsed, 0);
    assert.equal(warm.filesFromCache, warm.filesScanned);
    // As stored on disk (JSON: properties whose value is undefined are not written).
    const json = (r: object): unknown => JSON.parse(JSON.stringify({ ...r, filesParsed: 0, filesFromCache: 0 }));
    assert.deepEqual(json(warm), json(cold));
    assert.ok(cold.callSites[0]!.estimate && cold.callSites[0]!.suggestions?.length, 'the result has estimates and suggestions');

    // Other traffic in the usage file: same detection, new estimates.
    const parsed = parseUsageFile('callSites:\n  "app/one.py#one#0":\n    requestsPerDay: 50000\n', 'costlens.yml');
    assert.ok(parsed.ok);
    const busier = await CostEngine.create({ root, usage: parsed.config });
    try {
      const result = await busier.scan([], { cache: loaded });
      assert.equal(result.filesParsed, 0, 'detection still comes from the cache');
      assert.equal(result.callSites[0]!.estimate!.requestsPerMonth, 50000 * 30);
      assert.notEqual(result.totals.monthlyCostUsd, cold.totals.monthlyCostUsd);
    } finally {
      busier.dispose();
    }

    // A changed file: its sites are re-detected and the result recomputed.
    touch(root, 'app/settings.py', 'DEFAULT_MODEL = "gpt-4.1-mini"\n');
    const changed = await engine.scan([], { cache: loaded });
    assert.equal(changed.callSites[0]!.model.resolved, 'gpt-4.1-mini');
    assert.notEqual(changed.totals.monthlyCostUsd, cold.totals.monthlyCostUsd);
  } finally {
    engine.dispose();
    removeProject(root);
  }
});

test('costlens scan --cache: a warm run prints what the cold run printed; --jobs is validated', { skip: !fs.existsSync(path.join(__dirname, '..', '..', 'dist', 'cli.js')) && 'run `npm run build` first' }, () => {
  const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  const example = path.join(__dirname, '..', 'fixtures', 'example-app');
  const cacheFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-cli-cache-')), 'scan-cache.json');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'scan', '--root', example, '--format', 'json', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const plain = run();
  const cold = run('--cache', cacheFile);
  assert.equal(cold.status, 0, cold.stderr);
  assert.ok(fs.statSync(cacheFile).size > 0, 'the cache was written');
  const warm = run('--cache', cacheFile, '--jobs', '2');
  assert.equal(warm.status, 0, warm.stderr);
  assert.equal(cold.stdout, plain.stdout);
  assert.equal(warm.stdout, cold.stdout);
  const bad = run('--jobs', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--jobs/);
});
