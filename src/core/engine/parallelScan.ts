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
import { CancelledError, deferWeakFiles, type CostEngine, type ScanOptions, type ScanResult } from './engine';
import { listSourceFiles } from './files';
import { SCAN_CHUNK_FILES, ScanCollector, chunkRanges, type FileAnalysis } from './scanChunk';
import type { CacheEntry } from './scanCache';

/** `workerData` of a scan-chunk worker. */
export interface ChunkWorkerData {
  root: string;
  maxFileBytes: number | undefined;
}

export type HostToChunkWorker = { type: 'chunk'; chunk: number; files: string[]; deferWeak: boolean };

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
 *
 * Two passes, as in `CostEngine.scanListing`: every listed file (files with weak markers only are deferred), then the
 * deferred files that import an LLM module (relevance.ts). The workers serve both.
 */
export async function parallelScan(engine: CostEngine, targets: string[] = [], opts: ParallelScanOptions = {}): Promise<ScanResult> {
  const listing = listSourceFiles(engine.root, targets, engine.filters);
  const workerCount = Math.max(1, Math.floor(opts.workers ?? os.availableParallelism()));
  const script = opts.createWorker ? null : defaultChunkWorkerScript();
  // One worker asked for, files that only this thread can read (an injected reader), or no worker script: the
  // single-threaded scan (it checks for cancellation and reports progress file by file).
  if (workerCount <= 1 || !engine.readsFromDisk || (!opts.createWorker && !script)) return engine.scanListing(listing, targets, opts);
  const collected = new ScanCollector(engine.root, listing, opts.cache);
  const deferWeak = deferWeakFiles(targets);
  const chunkSize = opts.chunkFiles ?? SCAN_CHUNK_FILES;
  const minFiles = opts.minFilesForWorkers ?? 2 * chunkSize;
  const pool = new WorkerPool(engine, workerCount, opts.createWorker ?? ((d: ChunkWorkerData) => new Worker(script!, { workerData: d })));

  /** Analyses `files` (with the cache when `first`), collecting each chunk in order as soon as it and those before it are done. */
  const pass = async (files: readonly string[], first: boolean): Promise<void> => {
    const plans: ChunkPlan[] = chunkRanges(files.length, chunkSize).map(([start, end]) => {
      const hits = new Map<number, CacheEntry>();
      const misses: string[] = [];
      for (let i = start; i < end; i++) {
        const rel = files[i]!;
        const hit = first ? collected.lookup(rel) : null;
        if (hit) hits.set(i, hit);
        else misses.push(rel);
      }
      return { start, end, hits, misses, results: misses.length ? null : [] };
    });
    let flushed = 0;
    const flush = (): void => {
      while (flushed < plans.length && plans[flushed]!.results) {
        const plan = plans[flushed]!;
        let k = 0;
        for (let i = plan.start; i < plan.end; i++) {
          const rel = files[i]!;
          const hit = plan.hits.get(i);
          if (hit) collected.addCached(rel, hit);
          else collected.addAnalysis(rel, plan.results![k++]!);
        }
        plan.results = [];
        plan.hits.clear();
        flushed++;
        if (first) opts.onProgress?.({ done: plan.end, total: files.length, file: files[plan.end - 1]! });
      }
    };
    const defer = first && deferWeak;
    const toAnalyse = plans.reduce((n, p) => n + p.misses.length, 0);
    if (toAnalyse < minFiles) {
      // In this thread: little to analyse (starting workers would cost more). Same chunks, same result.
      for (const plan of plans) {
        if (opts.token?.isCancellationRequested) throw new CancelledError();
        if (!plan.results) {
          const chunk = engine.chunkContext();
          try {
            plan.results = plan.misses.map((rel) => chunk.analyze(rel, defer));
          } finally {
            chunk.dispose();
          }
          await new Promise<void>((r) => setImmediate(r));
        }
        flush();
      }
      return;
    }
    flush(); // chunks served entirely by the cache
    await pool.run(
      plans.flatMap((p, i) => (p.results === null ? [{ chunk: i, files: p.misses, deferWeak: defer }] : [])),
      (chunk, results) => {
        plans[chunk]!.results = results;
        plans[chunk]!.misses = [];
        flush();
      },
      opts.token,
    );
  };

  try {
    await pass(listing.files, true);
    await pass(collected.deferredToParse(), false);
  } finally {
    await pool.dispose();
  }
  const result = engine.resultOf(collected, targets, opts.link !== false, opts.cache);
  return pool.started > 0 ? { ...result, threads: pool.started } : result;
}

/** Worker threads started on first use and kept for the scan's passes. */
class WorkerPool {
  private readonly workers: Worker[] = [];
  /** Threads started over the scan. */
  started = 0;

  constructor(
    private readonly engine: CostEngine,
    private readonly size: number,
    private readonly create: (data: ChunkWorkerData) => Worker,
  ) {}

  /** Sends the jobs to the workers (one at a time each) and calls `done` with each answer; rejects on the first failure. */
  async run(jobs: Array<Omit<Extract<HostToChunkWorker, { type: 'chunk' }>, 'type'>>, done: (chunk: number, results: FileAnalysis[]) => void, token?: ParallelScanOptions['token']): Promise<void> {
    if (jobs.length === 0) return;
    const queue = [...jobs];
    let remaining = jobs.length;
    while (this.workers.length < Math.min(this.size, jobs.length)) {
      this.workers.push(this.create({ root: this.engine.root, maxFileBytes: this.engine.filters?.maxFileBytes }));
      this.started = Math.max(this.started, this.workers.length);
    }
    const active = this.workers.slice(0, Math.min(this.size, jobs.length));
    let timer: NodeJS.Timeout | undefined;
    const listeners: Array<() => void> = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const fail = (err: Error): void => {
          if (settled) return;
          settled = true;
          reject(err);
        };
        const cancelled = (): boolean => {
          if (!token?.isCancellationRequested) return false;
          fail(new CancelledError());
          return true;
        };
        timer = setInterval(cancelled, 50);
        const next = (worker: Worker): void => {
          const job = queue.shift();
          if (job) worker.postMessage({ type: 'chunk', ...job } satisfies HostToChunkWorker);
        };
        for (const worker of active) {
          const onMessage = (m: ChunkWorkerToHost): void => {
            if (m.type === 'log') {
              this.engine.logger?.warn(m.message);
              return;
            }
            if (m.type === 'failed') {
              fail(new Error(`scan worker failed on chunk ${m.chunk}: ${m.message}`));
              return;
            }
            if (settled || cancelled()) return;
            done(m.chunk, m.results);
            remaining--;
            if (remaining === 0) {
              settled = true;
              resolve();
              return;
            }
            next(worker);
          };
          const onError = (err: Error): void => fail(err);
          const onExit = (code: number): void => fail(new Error(`scan worker exited (code ${code}) before the scan finished`));
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', onExit);
          listeners.push(() => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
          });
          next(worker);
        }
      });
    } finally {
      clearInterval(timer);
      for (const off of listeners) off();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
