/**
 * Messages between a host (the VS Code extension) and the analysis worker thread. The worker owns a CostEngine so
 * parsing and scanning never run on the host's event loop.
 */
import type { PriceOverride } from '../pricing/catalogue';
import type { UsageConfig } from '../usage/schema';
import type { EstimatedCallSite, ScanResult } from './engine';
import type { FileFilterOptions } from './files';
import type { Report } from '../report/reportModel';
import type { CalculatorResult, FeatureSpec } from '../report/calculator';
import type { CalibrationResult } from '../calibrate/calibrate';
import type { Scenario } from '../report/scenario';

export interface WorkerConfig {
  root: string;
  usage: UsageConfig | undefined;
  usageFileName: string;
  priceOverrides: PriceOverride[];
  filters: FileFilterOptions;
  /** Where the scan cache is persisted; null: no persistence. */
  cacheFile: string | null;
  /**
   * Threads for a workspace scan (default: one per CPU but one, left for the editor); 1 scans in the analysis thread
   * itself. More than 1 starts scan-chunk threads from the analysis thread.
   */
  scanThreads?: number | undefined;
}

/**
 * Requests name the workspace root they are about (one engine per root). Results are not linked across files
 * (`linkConstructs` runs on the host over everything it holds).
 */
export type HostToWorker =
  | { type: 'configure'; id: number; config: WorkerConfig }
  | { type: 'scan'; id: number; root: string; targets: string[] }
  | { type: 'analyze'; id: number; root: string; file: string; text: string }
  /** Files changed on disk: drop their cache entries (and their dependents'). Returns the dependents. */
  | { type: 'invalidate'; id: number; root: string; files: string[] }
  /** Builds the cost report of the given (linked) sites, with a what-if scenario applied when given. */
  | { type: 'report'; id: number; root: string; sites: EstimatedCallSite[]; skipped: Array<{ file: string; reason: string }>; scenario: Scenario | null; workspace: string; toolVersion: string }
  /** The feature calculator (no code yet): candidate models side by side with batch and caching variants. */
  | { type: 'calculate'; id: number; root: string; spec: FeatureSpec }
  /** Imports telemetry exports against the given (linked) sites; nothing is written (the host writes). */
  | { type: 'calibrate'; id: number; root: string; files: string[]; sites: EstimatedCallSite[] }
  | { type: 'cancel'; id: number };

export type WorkerToHost =
  | { type: 'progress'; id: number; done: number; total: number; file: string }
  | { type: 'scanned'; id: number; result: ScanResult }
  | { type: 'analyzed'; id: number; callSites: EstimatedCallSite[]; problem: string | null }
  | { type: 'invalidated'; id: number; dependents: string[] }
  | { type: 'configured'; id: number }
  | { type: 'calculated'; id: number; result: CalculatorResult }
  | { type: 'calibrated'; id: number; result: CalibrationResult }
  | { type: 'reported'; id: number; report: Report; targets: Array<{ key: string; label: string; models: string[]; callSites: number }>; models: string[]; elapsedMs: number }
  | { type: 'cancelled'; id: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string };
