/**
 * Messages between the extension and the cost-report webview. The webview imports these types only (no runtime
 * code); the extension validates every incoming message with `reportWebviewMessage` before acting on it.
 */
import * as z from 'zod';
import type { Report } from '../core/report/reportModel';
import type { Currency } from '../core/format';

const share = z.number().min(0).max(1);

/** What-if controls as the webview sends them (validated: a hostile webview cannot send anything else). */
export const scenarioInput = z.strictObject({
  trafficMultiplier: z.number().gt(0).max(1_000_000),
  featureModels: z.record(z.string().max(200), z.string().min(1).max(200)).refine((r) => Object.keys(r).length <= 500, 'too many features'),
  cacheHitRate: share.optional(),
  batchShare: share.optional(),
  routedShare: share.optional(),
});

export type ScenarioInput = z.infer<typeof scenarioInput>;

export const reportWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('setScenario'), scenario: scenarioInput }),
  z.strictObject({ type: z.literal('saveScenario'), name: z.string().min(1).max(64), scenario: scenarioInput }),
  z.strictObject({ type: z.literal('loadScenario'), name: z.string().min(1).max(64) }),
  z.strictObject({ type: z.literal('export'), format: z.enum(['html', 'markdown', 'csv', 'json']) }),
  z.strictObject({ type: z.literal('reveal'), siteId: z.string().min(1).max(2000) }),
]);

export type ReportWebviewMessage = z.infer<typeof reportWebviewMessage>;

export interface ReportOptionsForView {
  /** Group keys (features or folders) with the models their sites use, for the per-feature model selects. */
  targets: Array<{ key: string; label: string; models: string[]; callSites: number }>;
  /** Models that can be picked (priced, known). */
  models: string[];
}

export type ReportHostMessage =
  | { type: 'report'; report: Report; currency: Currency; options: ReportOptionsForView; scenario: ScenarioInput; elapsedMs: number }
  | { type: 'saved'; name: string; file: string }
  | { type: 'error'; message: string };
