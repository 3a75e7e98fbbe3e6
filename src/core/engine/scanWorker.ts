/**
 * Entry point of the analysis worker thread (bundled as dist/scanWorker.js). Receives HostToWorker messages, runs
 * them on the CostEngine of the workspace root they name, and answers with WorkerToHost messages. One request runs at
 * a time; a scan checks for cancellation between files.
 */
import * as os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { CancelledError, CostEngine, totalsOf } from './engine';
import { buildReport } from '../report/reportModel';
import { estimateFeature } from '../report/calculator';
import { calibrate } from '../calibrate/calibrate';
import { applyScenario, isBaseline, modelOptions, scenarioTargets } from '../report/scenario';
import { parallelScan } from './parallelScan';
import { ScanCache } from './scanCache';
import type { HostToWorker, WorkerConfig, WorkerToHost } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('scanWorker must run in a worker thread');

interface Folder {
  config: WorkerConfig;
  engine: Promise<CostEngine> | null;
  cache: ScanCache;
}

const folders = new Map<string, Folder>();
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

const send = (message: WorkerToHost): void => port.postMessage(message);
const logger = { info: (m: string) => send({ type: 'log', level: 'info', message: m }), warn: (m: string) => send({ type: 'log', level: 'warn', message: m }) };

function folder(root: string): Folder {
  const f = folders.get(root);
  if (!f) throw new Error(`workspace root ${root} was not configured`);
  return f;
}

function engineOf(f: Folder): Promise<CostEngine> {
  const c = f.config;
  f.engine ??= CostEngine.create({ root: c.root, usage: c.usage, usageFileName: c.usageFileName, priceOverrides: c.priceOverrides, filters: c.filters, logger });
  return f.engine;
}

async function handle(message: HostToWorker): Promise<void> {
  switch (message.type) {
    case 'configure': {
      const { config } = message;
      const previous = folders.get(config.root);
      if (previous?.engine) (await previous.engine).dispose();
      const sameCache = previous && previous.config.cacheFile === config.cacheFile;
      folders.set(config.root, {
        config,
        engine: null, // re-created on next use with the new usage, prices and filters
        cache: sameCache ? previous.cache : config.cacheFile ? ScanCache.load(config.cacheFile) : new ScanCache(),
      });
      send({ type: 'configured', id: message.id });
      return;
    }
    case 'scan': {
      const f = folder(message.root);
      const e = await engineOf(f);
      const token = { get isCancellationRequested() { return cancelled.has(message.id); } };
      let last = 0;
      try {
        // Scan threads of their own on machines with cores to spare; one core is left for the editor.
        const result = await parallelScan(e, message.targets, {
          workers: f.config.scanThreads ?? os.availableParallelism() - 1,
          token,
          cache: f.cache,
          link: false,
          onProgress: (p) => {
            const now = Date.now();
            if (now - last < 100 && p.done !== 0) return;
            last = now;
            send({ type: 'progress', id: message.id, ...p });
          },
        });
        if (f.config.cacheFile) {
          try {
            f.cache.save(f.config.cacheFile);
          } catch (err) {
            logger.warn(`could not save the scan cache: ${(err as Error).message}`);
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
      const e = await engineOf(folder(message.root));
      const { callSites, problem } = e.analyzeText(message.file, message.text, false);
      send({ type: 'analyzed', id: message.id, callSites, problem });
      return;
    }
    case 'invalidate': {
      const f = folder(message.root);
      const dependents = new Set<string>();
      for (const file of message.files) {
        for (const d of f.cache.dependentsOf(file)) dependents.add(d);
        f.cache.delete(file);
      }
      for (const d of dependents) f.cache.delete(d);
      send({ type: 'invalidated', id: message.id, dependents: [...dependents] });
      return;
    }
    case 'report': {
      const started = Date.now();
      const f = folder(message.root);
      const e = await engineOf(f);
      const scan = { callSites: message.sites, skipped: message.skipped, totals: totalsOf(message.sites), filesScanned: 0, filesParsed: 0, filesFromCache: 0 };
      const outcome = message.scenario && !isBaseline(message.scenario) ? applyScenario(scan, message.scenario, e.estimateContext()) : undefined;
      const report = buildReport(scan, f.config.usage, { scenario: outcome, workspace: message.workspace, toolVersion: message.toolVersion });
      const targets = scenarioTargets(scan, f.config.usage).map((t) => ({ key: t.key, label: t.key, models: t.models, callSites: t.callSites }));
      send({ type: 'reported', id: message.id, report, targets, models: modelOptions(scan), elapsedMs: Date.now() - started });
      return;
    }
    case 'calculate': {
      const e = await engineOf(folder(message.root));
      send({ type: 'calculated', id: message.id, result: estimateFeature({ ...message.spec, tiers: message.spec.tiers ?? e.usage?.advice.tiers }, e.prices) });
      return;
    }
    case 'calibrate': {
      const f = folder(message.root);
      const e = await engineOf(f);
      const result = await calibrate({ files: message.files, sites: message.sites, usage: f.config.usage, prices: e.prices, cwd: message.root, token: { get isCancellationRequested() { return cancelled.has(message.id); } } });
      send({ type: 'calibrated', id: message.id, result });
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
