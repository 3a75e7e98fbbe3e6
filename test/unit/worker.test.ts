/** The analysis worker thread (dist/scanWorker.js): scans, analyses buffers, cancels, survives bad requests. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { AnalysisWorker, WorkerCancelledError } from '../../src/core/engine/workerClient';
import { removeProject, writeProject } from './helpers/tempProject';

const SCRIPT = path.join(__dirname, '..', '..', 'dist', 'scanWorker.js');

test('the worker scans a workspace, analyses an unsaved buffer, and cancels a scan', async () => {
  const files: Record<string, string> = {
    'app.py': 'from openai import OpenAI\nclient = OpenAI()\n\ndef ask(q):\n    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": q}])\n',
  };
  for (let i = 0; i < 300; i++) files[`pkg/m${i}.py`] = `import openai\n\ndef f${i}(q):\n    return openai.chat.completions.create(model="gpt-4o", messages=[])\n`;
  const root = writeProject(files);
  const worker = new AnalysisWorker(SCRIPT);
  try {
    await worker.configure({ root, usage: undefined, usageFileName: 'costlens.yml', priceOverrides: [], filters: {}, cacheFile: null });
    const progress: number[] = [];
    const result = await worker.scan(root, [], { onProgress: (p) => progress.push(p.done) });
    assert.equal(result.callSites.length, 301);
    assert.ok(progress.length > 0, 'progress is reported');

    const buffer = await worker.analyze(root, 'app.py', files['app.py']!.replace('gpt-4o-mini', 'gpt-4.1'));
    assert.equal(buffer.callSites[0]!.model.resolved, 'gpt-4.1');
    assert.ok(buffer.callSites[0]!.estimate!.costPerRequestUsd! > 0);

    await worker.invalidate(root, ['app.py']);
    let cancel: (() => void) | undefined;
    const scanning = worker.scan(root, [], { signal: { onCancel: (l) => (cancel = l) } });
    cancel!();
    await assert.rejects(scanning, WorkerCancelledError);

    // A request for a file of an unsupported language is answered, not fatal.
    const other = await worker.analyze(root, 'notes.txt', 'hello');
    assert.equal(other.callSites.length, 0);
    assert.match(other.problem ?? '', /not a supported language/);
  } finally {
    worker.dispose();
    removeProject(root);
  }
});

test('with scan threads of its own, the worker finds the same call sites as scanning in its own thread', async () => {
  // More files than two chunks, so that the scan is spread over threads (see parallelScan's minFilesForWorkers).
  const files: Record<string, string> = {};
  for (let i = 0; i < 700; i++) {
    files[`svc/m${i}.py`] = i % 7 === 0
      ? `from openai import OpenAI\nclient = OpenAI()\n\ndef f${i}(q):\n    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=${100 + i}, messages=[{"role": "user", "content": q}])\n`
      : `def g${i}(x):\n    return sorted(x)[:${i}]\n`;
  }
  const root = writeProject(files);
  const results = [];
  try {
    for (const scanThreads of [1, 2]) {
      const worker = new AnalysisWorker(SCRIPT);
      try {
        await worker.configure({ root, usage: undefined, usageFileName: 'costlens.yml', priceOverrides: [], filters: {}, cacheFile: null, scanThreads });
        results.push(await worker.scan(root, []));
      } finally {
        worker.dispose();
      }
    }
    assert.equal(results[0]!.callSites.length, 100);
    assert.equal(results[0]!.threads, undefined, 'one thread: the analysis thread itself');
    assert.equal(results[1]!.threads, 2, 'scan threads started from the analysis thread');
    assert.deepEqual(results[1]!.callSites, results[0]!.callSites);
    assert.equal(results[1]!.filesParsed, results[0]!.filesParsed);
  } finally {
    removeProject(root);
  }
});
