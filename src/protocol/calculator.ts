/** Messages between the extension and the "Estimate a Feature" webview (types shared; incoming validated with zod). */
import * as z from 'zod';
import type { CalculatorResult } from '../core/report/calculator';
import type { Currency } from '../core/format';

export const featureSpecInput = z.strictObject({
  model: z.string().trim().min(1).max(200),
  inputTokens: z.number().int().min(0).max(10_000_000),
  outputTokens: z.number().int().min(0).max(10_000_000),
  requestsPerDay: z.number().min(0).max(1e12),
  mode: z.enum(['interactive', 'batch']),
  cacheHitRate: z.number().min(0).max(1),
  models: z.array(z.string().trim().min(1).max(200)).max(12).optional(),
});

export type FeatureSpecInput = z.infer<typeof featureSpecInput>;

export const calculatorWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('calculate'), spec: featureSpecInput }),
]);

export type CalculatorWebviewMessage = z.infer<typeof calculatorWebviewMessage>;

export type CalculatorHostMessage =
  | { type: 'result'; result: CalculatorResult; currency: Currency }
  | { type: 'error'; message: string };
