/** Attribute cost: without recording `usage` with a feature tag, nobody can see what this call costs per request. */
import type { EstimatedCallSite } from '../engine/engine';
import { usd, type AdviceContext } from './context';
import type { Suggestion } from './types';

/** Libraries that record LLM usage for you (tracing, cost tracking, gateways). */
const OBSERVABILITY = /\b(langfuse|helicone|openlit|traceloop|opentelemetry|@opentelemetry|langsmith|agentops|portkey|braintrust|lunary|phoenix|arize|openinference|weave|posthog|datadog|ddtrace|sentry_sdk\.ai|logfire|promptlayer)\b/i;
/** Reading the usage of a response near the call. */
const USAGE_READ = /\.usage\b|\busage_metadata\b|\bresponse_metadata\b|\busageMetadata\b|\bonFinish\b|\btoken_usage\b|\busage\s*[:=]|\[['"]usage['"]\]|record_(cost|usage)|track(Usage|Cost)|log_usage/;

export function attribute(site: EstimatedCallSite, ctx: AdviceContext): Suggestion | null {
  const e = site.estimate;
  if (!e || e.monthlyCostUsd === null || site.role === 'construct') return null;
  // Text only: no need to parse the file for this.
  const text = ctx.source.project.text(site.file);
  if (text === null) return null;
  if (OBSERVABILITY.test(text.slice(0, 20_000))) return null;
  // The rest of the enclosing function (or the next 40 lines at module level).
  const after = text.slice(site.range.startOffset, site.range.endOffset + 4000);
  const window = after.split('\n').slice(0, 60).join('\n');
  if (USAGE_READ.test(window)) return null;
  return {
    id: `${site.id}:attribute`,
    siteId: site.id,
    file: site.file,
    line: site.line,
    kind: 'attribute',
    message: `Attribute cost: record the response's usage with a feature tag — ${usd(e.monthlyCostUsd)}/mo is not measured per request today`,
    monthlySavingUsd: null,
    atStake: { label: 'monthly spend not measured per request', usd: e.monthlyCostUsd },
    assumptions: ['no usage recording or LLM observability library found near the call'],
    confidence: 'medium',
    rationale: 'cost per request becomes observable (and estimates can be calibrated) once usage is recorded per feature',
    sources: ['https://opentelemetry.io/docs/specs/semconv/gen-ai/'],
  };
}
