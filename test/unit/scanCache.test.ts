/** The scan cache: a warm scan re-uses detection without parsing; changing a file or a file it imports invalidates. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CostEngine } from '../../src/core/engine/engine';
import { ScanCache } from '../../src/core/engine/scanCache';
import { removeProject, writeProject } from './helpers/tempProject';

test('warm scans re-use cached detection and follow changes to imported constants', async () => {
  const root = writeProject({
    'app/config.py': 'MODEL = "gpt-4o-mini"\n',
    'app/chat.py': 'from openai import OpenAI\nfrom .config import MODEL\n\nclient = OpenAI()\n\ndef ask(q):\n    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}])\n',
    'app/other.py': 'import anthropic\n\nclaude = anthropic.Anthropic()\n\ndef f(q):\n    return claude.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])\n',
    'app/plain.py': 'def add(a, b):\n    return a + b\n',
  });
  const cacheFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-cache-')), 'scan-cache.json');
  const engine = await CostEngine.create({ root });
  try {
    const cold = await engine.scan([], { cache: ScanCache.load(cacheFile) });
    assert.equal(cold.filesFromCache, 0);
    assert.equal(cold.filesParsed, 2, 'files without SDK markers are not parsed');
    const cache = ScanCache.load(cacheFile);
    assert.equal(cache.size, 0, 'nothing saved yet');

    const warmCache = new ScanCache();
    await engine.scan([], { cache: warmCache });
    warmCache.save(cacheFile);
    const reloaded = ScanCache.load(cacheFile);
    const warm = await engine.scan([], { cache: reloaded });
    assert.equal(warm.filesFromCache, 4);
    assert.equal(warm.filesParsed, 0);
    assert.deepEqual(warm.callSites.map((s) => [s.id, s.model.resolved]), cold.callSites.map((s) => [s.id, s.model.resolved]));
    assert.deepEqual(reloaded.dependentsOf('app/config.py'), ['app/chat.py']);

    // Change the imported constant: the importing file is re-analysed, the others are not.
    const configPath = path.join(root, 'app/config.py');
    fs.writeFileSync(configPath, 'MODEL = "gpt-4.1"\n');
    fs.utimesSync(configPath, new Date(), new Date(Date.now() + 5000));
    const changed = await engine.scan([], { cache: reloaded });
    assert.equal(changed.filesParsed, 1);
    assert.equal(changed.callSites.find((s) => s.file === 'app/chat.py')!.model.resolved, 'gpt-4.1');

    // A deleted file leaves the cache.
    fs.rmSync(path.join(root, 'app/other.py'));
    const afterDelete = await engine.scan([], { cache: reloaded });
    assert.ok(!afterDelete.callSites.some((s) => s.file === 'app/other.py'));
    assert.equal(reloaded.size, 3);
  } finally {
    engine.dispose();
    removeProject(root);
  }
});

test('a corrupt or foreign cache file is ignored, not fatal', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-cache-')), 'scan-cache.json');
  fs.writeFileSync(file, '{ not json');
  assert.equal(ScanCache.load(file).size, 0);
  fs.writeFileSync(file, JSON.stringify({ version: 'detector-0', entries: { 'a.py': {} } }));
  assert.equal(ScanCache.load(file).size, 0);
});
