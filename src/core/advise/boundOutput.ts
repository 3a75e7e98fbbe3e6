/** Bound the output: a call without an output limit has no ceiling on its cost per request. */
import type { EstimatedCallSite } from '../engine/engine';
import { usd, type AdviceContext } from './context';
import { addCallArgument } from './edits';
import { suggestedOutputLimit, taskShape } from './taskShape';
import type { Suggestion, TextChange } from './types';

/** Output a model may produce when nothing limits it (a common maximum of current chat models). */
export const UNBOUNDED_OUTPUT_TOKENS = 16_384;

/** The limit parameter each API understands, per language; null where adding it is not mechanical. */
function limitParameter(site: EstimatedCallSite): string | null {
  const py = site.language === 'python';
  switch (site.sdk) {
    case 'openai':
      return site.api === 'chat' ? 'max_completion_tokens' : site.api === 'responses' ? 'max_output_tokens' : site.api === 'completions' ? 'max_tokens' : null;
    case 'litellm':
    case 'mistral':
    case 'cohere':
      return py ? 'max_tokens' : site.sdk === 'mistral' ? 'maxTokens' : null;
    case 'langchain':
      return py ? 'max_tokens' : 'maxTokens';
    default:
      return null;
  }
}

export function boundOutput(site: EstimatedCallSite, ctx: AdviceContext): Suggestion | null {
  const e = site.estimate;
  if (!e || site.api === 'embeddings' || site.role === 'construct') return null;
  if (site.params.maxOutputTokens !== null || e.outputSource === 'limit' || e.outputSource === 'usage-file') return null;
  if (site.sdk === 'anthropic' || site.sdk === 'bedrock') return null; // the API requires a limit: it is set somewhere costlens could not read
  const shape = taskShape(site);
  const limit = suggestedOutputLimit(shape);
  const outPrice = e.price?.outputPerMTok ?? null;
  const worst = outPrice !== null ? (UNBOUNDED_OUTPUT_TOKENS * outPrice) / 1e6 : null;
  const saving = outPrice !== null ? (Math.max(0, e.outputTokens - limit) * outPrice * e.requestsPerMonth) / 1e6 : null;
  const param = limitParameter(site);
  let change: TextChange | null = null;
  if (param) {
    if (site.role === 'invoke') {
      // LangChain: the limit belongs on the model construction the invocation uses.
      const construct = ctx.sites.find((s) => s.id === site.constructId);
      if (construct) change = addCallArgument(ctx.source, construct.file, construct.range, param, String(limit));
    } else change = addCallArgument(ctx.source, site.file, site.range, param, String(limit));
  }
  return {
    id: `${site.id}:bound-output`,
    siteId: site.id,
    file: site.file,
    line: site.line,
    kind: 'bound-output',
    message: `Bound the output: no limit means no ceiling on cost per request${worst !== null ? ` (up to ${usd(worst)} at ${UNBOUNDED_OUTPUT_TOKENS.toLocaleString('en-US')} tokens)` : ''} — ${limit} tokens fits a ${shape.kind} task`,
    monthlySavingUsd: saving,
    atStake: worst !== null ? { label: `worst case per request without a limit (${UNBOUNDED_OUTPUT_TOKENS.toLocaleString('en-US')} output tokens)`, usd: worst } : undefined,
    assumptions: [`limit of ${limit} output tokens for a ${shape.kind} task (${shape.evidence})`, `today's estimate assumes ${e.outputTokens} output tokens`],
    confidence: shape.kind === 'classification' ? 'high' : 'medium',
    rationale: `a runaway generation is billed in full; a limit makes the worst case known`,
    edit: change ? { title: `Add ${param}=${limit}${site.role === 'invoke' ? ' to the model construction' : ''}`, changes: [change], newFiles: [] } : undefined,
    sources: [],
  };
}
