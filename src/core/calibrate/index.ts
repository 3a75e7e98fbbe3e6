/**
 * Calibration from production telemetry (README "Calibrating from production telemetry"): read exports of
 * OpenTelemetry GenAI spans, LiteLLM, Langfuse, Helicone and OpenAI usage; match records to call sites; measure each
 * site; write `measured` blocks into costlens.yml; show measured-versus-assumed on every surface.
 *
 *   calibrate(options)                     → CalibrationResult (throws TelemetryImportError; nothing half-done)
 *   setMeasuredBlocks(text, blocks)        → costlens.yml text with the blocks (comments and entries kept)
 *   measuredBlocksOf(result)               → the blocks of a result, for setMeasuredBlocks
 *   figureOrigins / originMark / describeCalibration   → labels for lenses, hovers, the tree and reports
 */
import type { CalibrationResult } from './calibrate';
import type { MeasuredUsage } from '../usage/schema';

export { calibrate, catalogueProvider, type CalibrateOptions, type CalibrationResult, type CalibrationSite, type Distribution, type SiteCalibration, type Tally, type UnmatchedSummary } from './calibrate';
export { CallSiteMatcher, describeRule, functionMatches, normalizeRecordedPath, NEAR_LINES, type MatchableSite, type MatchResult } from './match';
export { detectFormat, displayNameOf, readTelemetryFile, readTelemetryRecords, TELEMETRY_FORMATS, type FileSummary, type ReadOptions, type ReadProgress } from './read';
export { QuantileSketch, SiteStats, EXACT_LIMIT, SKETCH_RELATIVE_ACCURACY, type MatchKind } from './stats';
export { setCallSiteMeasured, setMeasuredBlocks } from './writeMeasured';
export { calibrationJsonFields, describeCalibration, figureOrigins, formatErrorPct, originMark, type CalibrationJsonFields, type FigureOrigin, type FigureOrigins } from './present';
export { TelemetryImportError, type RecordLocation, type RecordRef, type TelemetryFormatId, type TelemetryRecord } from './types';

/** The measured blocks of a calibration, in the order of its sites. */
export function measuredBlocksOf(result: CalibrationResult): { id: string; measured: MeasuredUsage }[] {
  return result.sites.map((s) => ({ id: s.id, measured: s.measured }));
}
