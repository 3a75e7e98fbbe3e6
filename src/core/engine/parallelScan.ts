/**
 * A workspace scan on several threads: the listing is cut into the chunks of scanChunk.ts, worker threads (each
 * with its own grammars and, per chunk, its own Project: an imported file is parsed on demand in the worker that
 * needs it) detect the call sites of the chunks' files, and this thread collects their results in listing order,
 * then estimates, advises and links them. The result is identical to `CostEngine.scan` (same chunks, analysed the
 * same way); only the wall time differs.
 *
 * The scan cache works as in the single-threaded scan: unchanged files are taken from it here and never sent to a
 * worker; what the workers analysed is stored with the stamps of the files it depended on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError, type CostEngine, type ScanOptions, type ScanResult } from './engine';
import { listSourceFiles } from './files';
import { ScanCollector, chunkRanges, type FileAnalysis } from './scanChunk';
import type { CacheEntry } from './scanCache';

/** `workerData` of a scan-chunk worker. */
export interface ChunkWorkerData {
  root: string;
  maxFileBytes: number | undefined;
}

export type HostToChunkWorker = { type: 'chunk'; chunk: number; files: string[] };

export type ChunkWorkerToHost =
  | { type: 'chunk'; chunk: number; results: FileAnalysis[] }
  | { type: 'failed'; chunk: number; message: string }
  | { type: 'log'; message: string };

export interface ParallelScanOptions extends ScanOptions {
  /** Worker threads (default `os.availableParallelism()`). 1 or less: the scan runs in this thread. */
  workers?: number | undefined;
  /**
   * Fewer files to analyse than this (after the cache): the scan runs in this thread, where it is faster than
   * starting workers (about 100 ms each). Default: two chunks' worth.
   */
  minFilesForWorkers?: number | undefined;
  /** Starts one worker (default: dist/scanChunkWorker.js next to this bundle). */
  createWorker?: ((data: ChunkWorkerData) => Worker) | undefined;
}

/** The bundled worker script, next to the bundle that runs this code; null when it is not there (running from sources). */
export function defaultChunkWorkerScript(): string | null {
  const script = path.join(__dirname, 'scanChunkWorker.js');
  return fs.existsSync(script) ? script : null;
}

interface ChunkPlan {
  start: number;
  end: number;
  /** Cache hits by file index; files without one are analysed. */
  hits: Map<number, CacheEntry>;
  misses: string[];
  results: FileAnalysis[] | null;
}

/**
 * Scans like `engine.scan(targets, opts)`, with the detection spread over worker threads. The chunks are analysed in
 * this thread instead when there is little to analyse (after the cache), when one worker is asked for, when the engine
 * reads files through an injected reader (other threads cannot see it), or when no worker script is available.
 */
export async function parallelScan(engine: CostEngine, targets: string[] = [], opts: ParallelScanOptions = {}): Promise<ScanResult> {
  const listing = listSourceFiles(engine.root, targets, engine.filters);
  const workerCount = Math.max(1, Math.floor(opts.workers ?? os.availableParallelism()));
  const script = opts.createWorker ? null : defaultChunkWorkerScript();
  const collected = new ScanCollector(engine.root, listing, opts.cache);
  const plans: ChunkPlan[] = chunkRanges(listing.files.length, opts.chunkFiles).map(([start, end]) => {
    const hits = new Map<number, CacheEntry>();
    const misses: string[] = [];
    for (let i = start; i < end; i++) {
      const rel = listing.files[i]!;
      const hit = collected.lookup(rel);
      if (hit) hits.set(i, hit);
      else misses.push(rel);
    }
    return { start, end, hits, misses, results: misses.length ? null : [] };
  });
  let flushed = 0;
  /** Collects the finished chunks at the head of the listing, in order. */
  const flush = (): void => {
    while (flushed < plans.length && plans[flushed]!.results) {
      const plan = plans[flushed]!;
      let k = 0;
      for (let i = plan.start; i < plan.end; i++) {
        const rel = listing.files[i]!;
        const hit = plan.hits.get(i);
        if (hit) collected.addCached(rel, hit);
        else collected.addAnalysis(rel, plan.results![k++]!);
      }
      plan.results = [];
      plan.hits.clear();
      flushed++;
      opts.onProgress?.({ done: plan.end, total: listing.files.length, file: listing.files[plan.end - 1]! });
    }
  };

  const toAnalyse = plans.reduce((n, p) => n + p.misses.length, 0);
  const minFiles = opts.minFilesForWorkers ?? 2 * (plans[0] ? plans[0].end - plans[0].start : 0);
  if (workerCount <= 1 || toAnalyse < minFiles || !engine.readsFromDisk || (!opts.createWorker && !script)) {
    // In this thread: little to analyse (starting workers would cost more), one worker asked for, files that only
    // this thread can read (an injected reader), or no worker script. Same chunks, same result.
    for (const plan of plans) {
      if (opts.token?.isCancellationRequested) throw new CancelledError();
      if (!plan.results) {
        const chunk = engine.chunkContext();
        try {
          plan.results = plan.misses.map((rel) => chunk.analyze(rel));
        } finally {
          chunk.dispose();
        }
        await new Promise<void>((r) => setImmediate(r));
      }
      flush();
    }
    return engine.resultOf(collected, targets, opts.link !== false, opts.cache);
  }

  const data: ChunkWorkerData = { root: engine.root, maxFileBytes: engine.filters?.maxFileBytes };
  const createWorker = opts.createWorker ?? ((d: ChunkWorkerData) => new Worker(script!, { workerData: d }));
  const queue = plans.filter((p) => p.results === null).map((p) => plans.indexOf(p));
  const workers: Worker[] = [];
  let timer: NodeJS.Timeout | undefined;

  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      const collect = (): void => {
        flush();
        if (flushed === plans.length && !settled) {
          settled = true;
          resolve();
        }
      };
      const next = (worker: Worker): void => {
        const chunk = queue.shift();
        if (chunk === undefined) return;
        worker.postMessage({ type: 'chunk', chunk, files: plans[chunk]!.misses } satisfies HostToChunkWorker);
      };
      const cancelled = (): boolean => {
        if (!opts.token?.isCancellationRequested) return false;
        fail(new CancelledError());
        return true;
      };
      timer = setInterval(cancelled, 50);
      collect(); // chunks served entirely by the cache
      if (settled) return;
      for (let w = 0; w < Math.min(workerCount, queue.length); w++) {
        const worker = createWorker(data);
        workers.push(worker);
        worker.on('message', (m: ChunkWorkerToHost) => {
          if (m.type === 'log') {
            engine.logger?.warn(m.message);
            return;
          }
          if (m.type === 'failed') {
            fail(new Error(`scan worker failed on chunk ${m.chunk}: ${m.message}`));
            return;
          }
          if (cancelled()) return;
          const plan = plans[m.chunk]!;
          plan.results = m.results;
          plan.misses = [];
          next(worker);
          collect();
        });
        worker.on('error', (err) => fail(err));
        worker.on('exit', (code) => {
          if (!settled) fail(new Error(`scan worker exited (code ${code}) before the scan finished`));
        });
        next(worker);
      }
    });
  } finally {
    clearInterval(timer);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return engine.resultOf(collected, targets, opts.link !== false, opts.cache);
}
