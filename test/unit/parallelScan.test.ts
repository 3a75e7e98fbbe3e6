/**
 * The parallel scan (worker threads over chunks of files) gives exactly the single-threaded scan's result — call
 * sites with their estimates, links and suggestions, skipped files and counts — on every fixture project, with many
 * small chunks spread over two workers, and with the scan cache.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CostEngine, type ScanResult } from '../../src/core/engine/engine';
import { parallelScan, type ChunkWorkerData } from '../../src/core/engine/parallelScan';
import { ScanCache } from '../../src/core/engine/scanCache';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const WORKER_SOURCE = path.join(__dirname, '..', '..', 'src', 'core', 'engine', 'scanChunkWorker.ts');

/** Workers run the worker's TypeScript source (through tsx), so the test needs no build. */
let started = 0;
const createWorker = (workerData: ChunkWorkerData): Worker => {
  started++;
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER_SOURCE)});`, { eval: true, workerData });
};

const projects = fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, 'costlens.expected.json'))).sort();

/** Every fixture project side by side under one root: more files, imports within each project. */
let combined: string;
before(() => {
  combined = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-parallel-'));
  for (const p of projects) fs.cpSync(path.join(FIXTURES, p), path.join(combined, p), { recursive: true });
});
after(() => fs.rmSync(combined, { recursive: true, force: true }));

async function withEngine<T>(root: string, fn: (engine: CostEngine) => Promise<T>): Promise<T> {
  const engine = await CostEngine.create({ root });
  try {
    return await fn(engine);
  } finally {
    engine.dispose();
  }
}

/** The same result, apart from the threads the parallel scan says it used (one per chunk, two at most here). */
function assertSameScan(parallel: ScanResult, serial: ScanResult, what: string, threads = 2): void {
  assert.ok(serial.callSites.length > 0 || what.includes('empty'), `${what}: the single-threaded scan found call sites`);
  const { threads: used, ...rest } = parallel;
  assert.equal(used, threads, `${what}: ran on ${threads} thread(s)`);
  assert.equal(serial.threads, undefined);
  assert.deepEqual(rest, serial, `${what}: parallel and single-threaded scans differ`);
}

describe('parallel scan', () => {
  for (const project of projects) {
    test(`fixture ${project}: identical to the single-threaded scan`, async () => {
      await withEngine(path.join(FIXTURES, project), async (engine) => {
        const serial = await engine.scan();
        const before = started;
        const parallel = await parallelScan(engine, [], { workers: 2, minFilesForWorkers: 0, createWorker });
        assert.ok(started > before, 'the scan ran in worker threads');
        assertSameScan(parallel, serial, project, Math.min(2, Math.ceil(serial.filesScanned / 256)));
      });
    });
  }

  test('all fixtures in one workspace, chunks of 3 files over two workers: identical, in listing order', async () => {
    await withEngine(combined, async (engine) => {
      const serial = await engine.scan([], { chunkFiles: 3 });
      const progress: number[] = [];
      const parallel = await parallelScan(engine, [], { workers: 2, minFilesForWorkers: 0, chunkFiles: 3, createWorker, onProgress: (p) => progress.push(p.done) });
      assertSameScan(parallel, serial, 'combined');
      assert.ok(serial.filesScanned > 30, 'many chunks');
      assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress only goes forward');
      assert.equal(progress.at(-1), serial.filesScanned);
      // Cross-file resolution inside a worker: sites whose model comes from another file of the workspace.
      const viaOtherFile = parallel.callSites.filter((s) => s.model.resolved && [...s.model.resolution.matchAll(/\(([^()\s]+):\d+\)/g)].some((m) => m[1] !== s.file));
      assert.ok(viaOtherFile.length >= 3, 'models resolved through other files of the workspace');
      // The default chunking gives the same call sites too.
      const defaultChunks = await engine.scan();
      assert.deepEqual(defaultChunks.callSites, serial.callSites);
    });
  });

  test('with the scan cache: a cold parallel scan fills it like the single-threaded one; a warm one re-uses it', async () => {
    await withEngine(combined, async (engine) => {
      const serialCache = new ScanCache();
      const serial = await engine.scan([], { cache: serialCache, chunkFiles: 5 });
      const cache = new ScanCache();
      const cold = await parallelScan(engine, [], { workers: 2, minFilesForWorkers: 0, chunkFiles: 5, createWorker, cache });
      assertSameScan(cold, serial, 'cold with cache');
      assert.equal(cache.size, serialCache.size);
      for (const p of projects.slice(0, 3)) {
        for (const f of fs.readdirSync(path.join(combined, p), { recursive: true }) as string[]) {
          const rel = `${p}/${f.split(path.sep).join('/')}`;
          assert.deepEqual(cache.dependentsOf(rel), serialCache.dependentsOf(rel), `dependents of ${rel}`);
        }
      }
      const before = started;
      const warm = await parallelScan(engine, [], { workers: 2, minFilesForWorkers: 0, chunkFiles: 5, createWorker, cache });
      assert.equal(started, before, 'nothing to analyse: no worker started');
      assert.equal(warm.filesFromCache, warm.filesScanned);
      assert.equal(warm.filesParsed, 0);
      assert.deepEqual(warm.callSites, serial.callSites);
      assert.deepEqual(warm.skipped, serial.skipped);
    });
  });

  test('few files, one worker, or an injected reader: the scan runs in this thread', async () => {
    await withEngine(path.join(FIXTURES, projects[0]!), async (engine) => {
      const before = started;
      const serial = await engine.scan();
      assert.deepEqual(await parallelScan(engine, [], { workers: 2, createWorker }), serial);
      assert.deepEqual(await parallelScan(engine, [], { workers: 1, minFilesForWorkers: 0, createWorker }), serial);
      assert.equal(started, before);
    });
  });

  test('cancellation stops the workers and rejects', async () => {
    await withEngine(combined, async (engine) => {
      let cancel = false;
      const token = { get isCancellationRequested() { return cancel; } };
      const scanning = parallelScan(engine, [], { workers: 2, minFilesForWorkers: 0, chunkFiles: 2, createWorker, token, onProgress: () => (cancel = true) });
      await assert.rejects(scanning, /cancelled/);
    });
  });
});
