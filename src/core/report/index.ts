/**
 * The report module's public API, for the CLI and the editor's panels (cost report with what-if controls, feature
 * calculator, cost diff). Everything here is plain data in, plain data out; no `vscode`.
 */
import type { ScanResult } from '../engine/engine';
import type { EstimateContext } from '../estimate/estimate';
import type { UsageConfig } from '../usage/schema';
import { buildReport, type Report, type ReportOptions } from './reportModel';
import { applyScenario, isBaseline, modelOptions, scenarioTargets, type Scenario, type ScenarioOutcome } from './scenario';

export * from './reportModel';
export * from './renderReport';
export * from './scenario';
export * from './scenarioFile';
export * from './calculator';
export * from './diff';
export * from './groups';
export { resolveModelChoice, type ModelChoice } from './modelChoice';
export { materializeRevision, resolveCommit, gitTopLevel, GitRevisionError, type MaterializedRevision } from './gitRevision';

/** Everything the report panel shows for one state of its controls. */
export interface ReportView {
  report: Report;
  /** Rows the "model per feature" control can change, with their current models. */
  targets: ReturnType<typeof scenarioTargets>;
  /** Models to offer in the model pickers (the workspace's own first). */
  models: string[];
  /** The scenario's outcome (null at the baseline), e.g. for per-site changes. */
  outcome: ScenarioOutcome | null;
  /** Time taken to apply the scenario and build the report. */
  elapsedMs: number;
}

/**
 * The report for a scan under a scenario (null or a baseline scenario: the scan as is). Recompute it on every control
 * change: it re-estimates the affected call sites (a few ms for the example project, ~25 ms for 500 call sites).
 */
export function reportView(scan: ScanResult, usage: UsageConfig | undefined, scenario: Scenario | null, ctx: EstimateContext, options: Omit<ReportOptions, 'scenario'> = {}): ReportView {
  const started = performance.now();
  const outcome = scenario && !isBaseline(scenario) ? applyScenario(scan, scenario, ctx) : null;
  const report = buildReport(scan, usage, { ...options, scenario: outcome ?? undefined });
  return { report, targets: scenarioTargets(scan, usage), models: modelOptions(scan), outcome, elapsedMs: performance.now() - started };
}
