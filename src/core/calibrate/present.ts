/**
 * Words and marks for showing calibrated figures on every surface (CodeLens, hover, tree, reports): whether each figure
 * is measured or assumed, and how far the assumptions were from the actual cost.
 */
import type { EstimateCalibration, SiteEstimate } from '../estimate/estimate';
import { formatMoneyCompact, type Currency, USD } from '../format';

export type FigureOrigin = 'measured' | 'assumed';

export interface FigureOrigins {
  traffic: FigureOrigin;
  input: FigureOrigin;
  output: FigureOrigin;
  /** Measured when traffic, input and output all are. */
  overall: FigureOrigin | 'partly measured';
}

/**
 * Where each figure of an estimate comes from. Only telemetry is `measured`; everything else — the usage file, a
 * pragma, a default, a counted prompt with assumed dynamic parts — is an assumption.
 */
export function figureOrigins(e: SiteEstimate): FigureOrigins {
  const traffic: FigureOrigin = e.trafficSource === 'measured' ? 'measured' : 'assumed';
  const input: FigureOrigin = e.inputSource === 'measured' ? 'measured' : 'assumed';
  // Embeddings have no output: it follows the input.
  const output: FigureOrigin = e.outputSource === 'measured' || (e.outputSource === 'none (embeddings)' && input === 'measured') ? 'measured' : 'assumed';
  const all = [traffic, input, output];
  const overall = all.every((o) => o === 'measured') ? 'measured' : all.some((o) => o === 'measured') ? 'partly measured' : 'assumed';
  return { traffic, input, output, overall };
}

/** `+23%`, `−12%`, `±0%`, `+3,950%` (rounded to whole percent; one decimal under 10%); `—` without a figure. */
export function formatErrorPct(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return '—';
  const rounded = Math.abs(pct) < 10 ? Math.round(pct * 10) / 10 : Math.round(pct);
  if (rounded === 0) return '±0%';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toLocaleString('en-US')}%`;
}

/**
 * One line on the assumptions' accuracy, e.g. `assumed $1.8k/mo vs actual $1.5k/mo: +20%` — for hovers, the tree's
 * tooltip and reports. Null when the site is not calibrated.
 */
export function describeCalibration(c: EstimateCalibration | undefined, currency: Currency = USD): string | null {
  if (!c) return null;
  const actual = c.actualMonthlyCostUsd === null ? 'actual cost unknown' : `actual ${formatMoneyCompact(c.actualMonthlyCostUsd, currency)}/mo`;
  const before = c.estimateBeforeUsd === null ? 'assumptions unpriced' : `assumed ${formatMoneyCompact(c.estimateBeforeUsd, currency)}/mo`;
  return `${before} vs ${actual}${c.errorPct === null ? '' : `: ${formatErrorPct(c.errorPct)}`}`;
}

/**
 * A short mark for lenses, inlay hints and the tree: `measured`, `measured (guess +20%)` (how far the assumptions alone
 * were from the actual cost), `partly measured (guess −8%)`, or `assumed`.
 */
export function originMark(e: SiteEstimate): string {
  const origins = figureOrigins(e);
  if (origins.overall === 'assumed') return 'assumed';
  const error = e.calibration?.errorPct;
  return error === null || error === undefined ? origins.overall : `${origins.overall} (guess ${formatErrorPct(error)})`;
}

/** The additive `--format json` fields of a calibrated estimate (empty for others, so outputs stay unchanged). */
export interface CalibrationJsonFields {
  /** `estimated` (counted + assumed) or `measured`; with `trafficSource` and `outputSource` `measured` for calibrated sites. */
  inputSource?: SiteEstimate['inputSource'];
  calibration?: {
    /** Monthly cost from the assumptions alone (the estimate before measurements). */
    assumedMonthlyCostUsd: number | null;
    /** Monthly cost the telemetry showed. */
    actualMonthlyCostUsd: number | null;
    /** (assumed − actual) ÷ actual × 100. */
    errorPct: number | null;
    /** (calibrated estimate − actual) ÷ actual × 100. */
    calibratedErrorPct: number | null;
    measuredRequestsPerDay: number;
    source: string | null;
    window: { from: string; to: string } | null;
    origins: FigureOrigins;
  };
}

const round8 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e8) / 1e8);
const round2 = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);

/** For `toScanJson`: spread into a call site's `estimate` object (`...calibrationJsonFields(e)`). */
export function calibrationJsonFields(e: SiteEstimate): CalibrationJsonFields {
  const c = e.calibration;
  if (!c) return {};
  return {
    inputSource: e.inputSource,
    calibration: {
      assumedMonthlyCostUsd: round8(c.estimateBeforeUsd),
      actualMonthlyCostUsd: round8(c.actualMonthlyCostUsd),
      errorPct: round2(c.errorPct),
      calibratedErrorPct: round2(c.calibratedErrorPct),
      measuredRequestsPerDay: c.measuredRequestsPerDay,
      source: c.source,
      window: c.window,
      origins: figureOrigins(e),
    },
  };
}
