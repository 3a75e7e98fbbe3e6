/**
 * The host side of the analysis worker: typed requests that resolve with the worker's answer, cancellation, and a
 * restart if the worker dies. Used by the VS Code extension; usable by any Node host.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EstimatedCallSite, ScanProgress, ScanResult } from './engine';
import type { HostToWorker, WorkerConfig, WorkerToHost } from './workerProtocol';
import type { Scenario } from '../report/scenario';
import type { CalculatorResult, FeatureSpec } from '../report/calculator';
import type { CalibrationResult } from '../calibrate/calibrate';

export class WorkerCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'WorkerCancelledError';
  }
}

interface Pending {
  resolve: (m: WorkerToHost) => void;
  reject: (e: Error) => void;
  onProgress?: ((p: ScanProgress) => void) | undefined;
}

export interface WorkerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export class AnalysisWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly configs = new Map<string, WorkerConfig>();
  private disposed = false;

  constructor(
    /** Path of the bundled worker script (dist/scanWorker.js). */
    private readonly script: string = path.join(__dirname, 'scanWorker.js'),
    private readonly log?: WorkerLogger,
  ) {}

  /** Configures (or re-configures) the engine of one workspace root. */
  async configure(config: WorkerConfig): Promise<void> {
    await this.request({ type: 'configure', id: 0, config });
    // Remembered after the first request so a restarted worker is configured again (and a new one only once).
    this.configs.set(config.root, config);
  }

  /** Scans below a configured root. Results are not linked across files: call linkConstructs over what you hold. */
  scan(root: string, targets: string[], opts: { onProgress?: (p: ScanProgress) => void; signal?: { onCancel(listener: () => void): void } } = {}): Promise<ScanResult> {
    return this.request({ type: 'scan', id: 0, root, targets }, opts.onProgress, opts.signal).then((m) => {
      if (m.type !== 'scanned') throw new Error(`unexpected answer ${m.type}`);
      return m.result;
    });
  }

  analyze(root: string, file: string, text: string): Promise<{ callSites: EstimatedCallSite[]; problem: string | null }> {
    return this.request({ type: 'analyze', id: 0, root, file, text }).then((m) => {
      if (m.type !== 'analyzed') throw new Error(`unexpected answer ${m.type}`);
      return { callSites: m.callSites, problem: m.problem };
    });
  }

  /** The cost report of the given sites (linked, as the host holds them), with a what-if scenario when given. */
  report(root: string, sites: EstimatedCallSite[], skipped: Array<{ file: string; reason: string }>, scenario: Scenario | null, workspace: string, toolVersion: string): Promise<Extract<WorkerToHost, { type: 'reported' }>> {
    return this.request({ type: 'report', id: 0, root, sites, skipped, scenario, workspace, toolVersion }).then((m) => {
      if (m.type !== 'reported') throw new Error(`unexpected answer ${m.type}`);
      return m;
    });
  }

  /** The feature calculator, with the prices of a configured root (its usage file's price overrides). */
  calculate(root: string, spec: FeatureSpec): Promise<CalculatorResult> {
    return this.request({ type: 'calculate', id: 0, root, spec }).then((m) => {
      if (m.type !== 'calculated') throw new Error(`unexpected answer ${m.type}`);
      return m.result;
    });
  }

  /** Reads telemetry exports and matches them to the given sites (TelemetryImportError messages come back as errors). */
  calibrate(root: string, files: string[], sites: EstimatedCallSite[]): Promise<CalibrationResult> {
    return this.request({ type: 'calibrate', id: 0, root, files, sites }).then((m) => {
      if (m.type !== 'calibrated') throw new Error(`unexpected answer ${m.type}`);
      return m.result;
    });
  }

  /** Drops cached analysis of changed files; resolves with the files whose analysis depended on them. */
  invalidate(root: string, files: string[]): Promise<string[]> {
    return this.request({ type: 'invalidate', id: 0, root, files }).then((m) => (m.type === 'invalidated' ? m.dependents : []));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (m: WorkerToHost) => this.onMessage(m));
    worker.on('error', (err) => {
      this.log?.error(`analysis worker failed: ${err.stack ?? err.message}`);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const error = new Error(`analysis worker exited (code ${code})`);
      for (const [, p] of this.pending) p.reject(error);
      this.pending.clear();
      if (!this.disposed && code !== 0) this.log?.warn(`analysis worker exited with code ${code}; it restarts on the next request`);
    });
    this.worker = worker;
    for (const config of this.configs.values()) worker.postMessage({ type: 'configure', id: this.nextId++, config } satisfies HostToWorker);
    return worker;
  }

  private request(message: HostToWorker, onProgress?: (p: ScanProgress) => void, signal?: { onCancel(listener: () => void): void }): Promise<WorkerToHost> {
    if (this.disposed) return Promise.reject(new Error('analysis worker disposed'));
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise<WorkerToHost>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      signal?.onCancel(() => {
        if (this.pending.has(id)) worker.postMessage({ type: 'cancel', id } satisfies HostToWorker);
      });
      worker.postMessage({ ...message, id });
    });
  }

  private onMessage(m: WorkerToHost): void {
    if (m.type === 'log') {
      if (m.level === 'warn') this.log?.warn(m.message);
      else this.log?.info(m.message);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m);
      return;
    }
    this.pending.delete(m.id);
    if (m.type === 'failed') p.reject(new Error(m.message));
    else if (m.type === 'cancelled') p.reject(new WorkerCancelledError());
    else p.resolve(m);
  }

  dispose(): void {
    this.disposed = true;
    for (const [, p] of this.pending) p.reject(new WorkerCancelledError());
    this.pending.clear();
    void this.worker?.terminate();
    this.worker = null;
  }
}
