/**
 * Entry point of the analysis worker thread (bundled as dist/scanWorker.js). Receives HostToWorker messages, runs
 * them on its own CostEngine, and answers with WorkerToHost messages. One request runs at a time; a scan checks for
 * cancellation between files.
 */
import { parentPort } from 'node:worker_threads';
import { CancelledError, CostEngine } from './engine';
import { ScanCache } from './scanCache';
import type { HostToWorker, WorkerConfig, WorkerToHost } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('scanWorker must run in a worker thread');

let config: WorkerConfig | null = null;
let engine: Promise<CostEngine> | null = null;
let cache: ScanCache | null = null;
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

const send = (message: WorkerToHost): void => port.postMessage(message);

function getEngine(): Promise<CostEngine> {
  if (!config) throw new Error('the worker was not configured');
  const c = config;
  engine ??= CostEngine.create({
    root: c.root,
    usage: c.usage,
    usageFileName: c.usageFileName,
    priceOverrides: c.priceOverrides,
    filters: c.filters,
    logger: { info: (m) => send({ type: 'log', level: 'info', message: m }), warn: (m) => send({ type: 'log', level: 'warn', message: m }) },
  });
  return engine;
}

async function handle(message: HostToWorker): Promise<void> {
  switch (message.type) {
    case 'configure': {
      const rootChanged = !config || config.root !== message.config.root || config.cacheFile !== message.config.cacheFile;
      const previous = engine;
      config = message.config;
      engine = null; // re-created on next use with the new usage, prices and filters
      if (previous) (await previous).dispose();
      if (rootChanged || !cache) cache = message.config.cacheFile ? ScanCache.load(message.config.cacheFile) : new ScanCache();
      send({ type: 'configured', id: message.id });
      return;
    }
    case 'scan': {
      const e = await getEngine();
      const token = { get isCancellationRequested() { return cancelled.has(message.id); } };
      let last = 0;
      try {
        const result = await e.scan(message.targets, {
          token,
          cache: cache ?? undefined,
          onProgress: (p) => {
            const now = Date.now();
            if (now - last < 100 && p.done !== 0) return;
            last = now;
            send({ type: 'progress', id: message.id, ...p });
          },
        });
        if (config?.cacheFile && cache) {
          try {
            cache.save(config.cacheFile);
          } catch (err) {
            send({ type: 'log', level: 'warn', message: `could not save the scan cache: ${(err as Error).message}` });
          }
        }
        send({ type: 'scanned', id: message.id, result });
      } catch (err) {
        if (err instanceof CancelledError) send({ type: 'cancelled', id: message.id });
        else throw err;
      }
      return;
    }
    case 'analyze': {
      const e = await getEngine();
      const { callSites, problem } = e.analyzeText(message.file, message.text);
      send({ type: 'analyzed', id: message.id, callSites, problem });
      return;
    }
    case 'invalidate': {
      const dependents = new Set<string>();
      for (const f of message.files) {
        for (const d of cache?.dependentsOf(f) ?? []) dependents.add(d);
        cache?.delete(f);
      }
      for (const d of dependents) cache?.delete(d);
      send({ type: 'invalidated', id: message.id, dependents: [...dependents] });
      return;
    }
    case 'cancel':
      return;
  }
}

port.on('message', (message: HostToWorker) => {
  if (message.type === 'cancel') {
    cancelled.add(message.id);
    return;
  }
  queue = queue
    .then(() => {
      if (cancelled.has(message.id)) {
        send({ type: 'cancelled', id: message.id });
        return;
      }
      return handle(message);
    })
    .catch((err: unknown) => send({ type: 'failed', id: message.id, message: (err as Error)?.stack ?? String(err) }))
    .finally(() => cancelled.delete(message.id));
});
