/**
 * Response caching: when the same input produces an answer that can be reused (deterministic settings, a static or
 * keyed prompt, a job looping over items that repeat), a cache in front of the call removes the repeated requests.
 * Never for creative or conversational prompts.
 */
import type { EstimatedCallSite } from '../engine/engine';
import { pct, usd, type AdviceContext } from './context';
import { taskShape } from './taskShape';
import type { Suggestion } from './types';

/** Dynamic parts that look like lookup keys rather than free text. */
const KEYISH = /(^|[._])(id|key|sku|slug|code|name|title|url|email|category|product|ticker|symbol|lang|language|country)s?$/i;

export function responseCache(site: EstimatedCallSite, ctx: AdviceContext): Suggestion | null {
  const e = site.estimate;
  if (!e || e.monthlyCostUsd === null || site.role === 'construct') return null;
  const shape = taskShape(site);
  if (shape.kind === 'creative' || shape.kind === 'conversation') return null;
  const temperature = site.params.temperature?.value ?? null;
  if (temperature !== null && temperature > 0.3) return null;
  const dynamic = site.prompt.parts.filter((p) => p.kind === 'dynamic');
  if (site.prompt.opaque) return null;
  const fullyStatic = dynamic.length === 0 && site.prompt.parts.length > 0;
  const keyed = dynamic.length > 0 && dynamic.length <= 2 && dynamic.every((p) => KEYISH.test((p.expression ?? '').trim()));
  const deterministic = temperature === 0 || site.api === 'embeddings';
  let hitRate: number;
  let why: string;
  if (fullyStatic) {
    hitRate = 0.9;
    why = 'the prompt has no dynamic part: every request sends the same input';
  } else if (keyed && (deterministic || site.context === 'batch')) {
    hitRate = ctx.settings.cacheHitRate;
    why = `the input is keyed by ${dynamic.map((p) => `\`${p.expression}\``).join(', ')}${deterministic ? ` with ${site.api === 'embeddings' ? 'deterministic embeddings' : 'temperature 0'}` : ' in a batch job'}`;
  } else if (site.api === 'embeddings' && site.inLoop) {
    hitRate = ctx.settings.cacheHitRate;
    why = 'embeddings are deterministic and this call runs over items in a loop (re-embedding unchanged texts)';
  } else return null;
  const saving = hitRate * e.monthlyCostUsd;
  return {
    id: `${site.id}:cache`,
    siteId: site.id,
    file: site.file,
    line: site.line,
    kind: 'cache',
    message: `Cache responses: ${why.split(':')[0]} — at a ${pct(hitRate)} hit rate a cache saves ${usd(saving)}/mo`,
    monthlySavingUsd: saving,
    assumptions: [`${pct(hitRate)} of requests answered from the cache (advice.cacheHitRate in costlens.yml adjusts it)`, 'cache storage and lookups cost nothing comparable'],
    confidence: fullyStatic ? 'high' : 'medium',
    rationale: why,
    sources: [],
  };
}
