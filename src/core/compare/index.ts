/**
 * Model comparison: one prompt on several models side by side, with cost from real usage, latency and quality.
 * The editor's compare panel and `costlens compare` both use this API; see protocol.ts for the webview messages.
 */
export * from './types';
export { PROVIDERS, GENERIC_KEY_ENV, providerById, envKeyGetter, keyHint, resolveTarget, resolveTargets, type ProviderConfig, type KeyGetter, type TargetOptions, type TargetResolution } from './providers';
export { promptFromCallSite, promptFromText, renderPrompt, validateMessages, findPlaceholders, placeholderName, type Placeholder, type PromptTemplate, type RenderedPrompt } from './prompt';
export { estimateComparison, type DryRunEstimate, type DryRunLine } from './dryRun';
export { runComparison, summariseComparison, validateCompareRequest, CompareRequestError, type RunnerOptions } from './runner';
export { DEFAULT_RUBRIC, runChecks, runCheck, checkLabel, validateChecks, parseJudgeScore, judgeMessages, extractJson, summariseQuality } from './quality';
export { renderComparisonMarkdown, comparisonRow, changeCell, formatDuration, type ComparisonRow } from './exportMarkdown';
export { useModelEdit, providerSwitch, type UseModelEdit } from './useModel';
export { draftToRequest, type DraftResolution } from './draft';
export { Redactor, redactSecrets, REDACTED } from './redact';
export { mapError, retryAfterMs } from './errors';
