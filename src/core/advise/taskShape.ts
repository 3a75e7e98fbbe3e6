/**
 * What kind of task a call performs, read from its parameters and the static text of its prompt. Used to decide how
 * far a model can be right-sized, which output limit fits, and whether responses can be cached. Coarse on purpose:
 * every decision built on it says so in its rationale.
 */
import type { CallSite } from '../types';

export type TaskKind = 'embedding' | 'classification' | 'extraction' | 'summarization' | 'creative' | 'conversation' | 'generation';

export interface TaskShape {
  kind: TaskKind;
  /** Words of the prompt (or parameters) that decided the kind. */
  evidence: string;
}

const CLASSIFY = /\b(classif\w*|categor\w*|label\w*|tag(s|ging)?|sentiment|intent|yes or no|true or false|one of the following|pick (one|the)|which of|rate (it|this) from|score from)\b/i;
const EXTRACT = /\b(extract\w*|parse|fields?|json|structured|entities|fill (in|out))\b/i;
const SUMMARIZE = /\b(summar\w*|tl;?dr|bullet points?|condense|key points)\b/i;
const CREATIVE = /\b(story|stories|poem|creative\w*|brainstorm\w*|slogan|jokes?|fiction|imagin\w*|marketing copy|tagline)\b/i;

export function taskShape(site: CallSite): TaskShape {
  if (site.api === 'embeddings') return { kind: 'embedding', evidence: 'embedding API' };
  const text = site.prompt.parts
    .filter((p) => p.kind === 'static')
    .map((p) => p.text)
    .join(' ')
    .slice(0, 20_000);
  const limit = site.params.maxOutputTokens?.value ?? null;
  const temperature = site.params.temperature?.value ?? null;
  const creative = text.match(CREATIVE);
  if (creative || (temperature !== null && temperature >= 0.9)) return { kind: 'creative', evidence: creative ? `"${creative[0]}"` : `temperature ${temperature}` };
  const classify = text.match(CLASSIFY);
  if ((limit !== null && limit <= 20) || classify) return { kind: 'classification', evidence: classify ? `"${classify[0]}"` : `output limit ${limit}` };
  const extract = text.match(EXTRACT);
  if (site.params.responseFormat || extract) return { kind: 'extraction', evidence: site.params.responseFormat ? `response format ${site.params.responseFormat}` : `"${extract![0]}"` };
  const summarize = text.match(SUMMARIZE);
  if (summarize) return { kind: 'summarization', evidence: `"${summarize[0]}"` };
  const history = site.prompt.parts.some((p) => p.role === 'assistant') || site.prompt.parts.some((p) => p.kind === 'dynamic' && /history|messages|conversation|chat/i.test(p.expression ?? ''));
  if (history) return { kind: 'conversation', evidence: 'conversation history in the prompt' };
  return { kind: 'generation', evidence: 'open-ended prompt' };
}

/** An output limit that fits the task (tokens). */
export function suggestedOutputLimit(shape: TaskShape): number {
  switch (shape.kind) {
    case 'classification':
      return 50;
    case 'extraction':
      return 1000;
    case 'summarization':
      return 500;
    case 'conversation':
      return 1024;
    case 'creative':
      return 2048;
    default:
      return 1024;
  }
}
