/**
 * Route, don't run: a premium model answering varied user input at meaningful traffic. A router sends most requests
 * to a cheap model and escalates the hard ones; the saving is computed from an adjustable routed share.
 */
import type { EstimatedCallSite } from '../engine/engine';
import { CANDIDATES, tierOf } from './capabilityTiers';
import { estimateWith, pct, usd, type AdviceContext } from './context';
import { routerScaffold } from './scaffolds';
import { taskShape } from './taskShape';
import type { Suggestion } from './types';

/** Monthly requests below which routing is not worth a new component. */
const MIN_REQUESTS_PER_MONTH = 10_000;

export function route(site: EstimatedCallSite, ctx: AdviceContext): Suggestion | null {
  const e = site.estimate;
  const model = site.model.resolved;
  if (!e || !model || e.monthlyCostUsd === null || e.costPerRequestUsd === null || site.api === 'embeddings') return null;
  if (site.context === 'batch') return null; // batch work goes to the Batch API advice instead
  const tier = tierOf(model, ctx.settings.tiers);
  if (!tier || tier.tier > 2) return null;
  const userInput = site.prompt.parts.some((p) => p.kind === 'dynamic' && (p.role === 'user' || p.role === 'input')) || site.prompt.opaque;
  if (!userInput) return null;
  const shape = taskShape(site);
  if (shape.kind === 'classification' || shape.kind === 'extraction') return null; // right-size the whole call instead
  if (e.requestsPerMonth < MIN_REQUESTS_PER_MONTH) return null;
  let cheap: { model: string; cost: number } | null = null;
  for (const candidate of CANDIDATES[site.provider] ?? []) {
    const t = tierOf(candidate, ctx.settings.tiers);
    if (!t || t.tier !== 3 || t.kind !== 'chat') continue;
    const alt = estimateWith(site, ctx, candidate, site.provider);
    if (alt.monthlyCostUsd === null) continue;
    if (!cheap || alt.monthlyCostUsd < cheap.cost) cheap = { model: candidate, cost: alt.monthlyCostUsd };
  }
  if (!cheap || cheap.cost >= e.monthlyCostUsd) return null;
  const share = ctx.settings.routedShare;
  const saving = share * (e.monthlyCostUsd - cheap.cost);
  const scaffold = routerScaffold(site.file, site.language, cheap.model, model);
  return {
    id: `${site.id}:route`,
    siteId: site.id,
    file: site.file,
    line: site.line,
    kind: 'route',
    message: `Route, don't run: send ~${pct(share)} of these requests to ${cheap.model} and escalate the rest to ${model} — saves ${usd(saving)}/mo`,
    monthlySavingUsd: saving,
    assumptions: [
      `${pct(share)} of requests handled by ${cheap.model} (advice.routedShare in costlens.yml adjusts it)`,
      'a heuristic router (no extra model call); a classifier call would add its own cost',
      `same prompt and output per request on both models; ${e.requestsPerMonth.toLocaleString('en-US')} requests/month`,
    ],
    confidence: 'medium',
    rationale: `${model} is a tier-${tier.tier} model answering varied user input (${shape.kind}) at ${Math.round(e.requestsPerMonth).toLocaleString('en-US')} requests/month`,
    edit: { title: `Scaffold a model router (${scaffold.file})`, changes: [], newFiles: [scaffold] },
    sources: [],
  };
}
