/**
 * Right-size the model: cheaper models adequate for the task, same provider first, then providers the user enabled.
 * Only models with a capability tier are candidates, and only as far down as the task shape allows.
 */
import type { EstimatedCallSite } from '../engine/engine';
import { CANDIDATES, TIER_SOURCES, TIERS_CHECKED, tierOf } from './capabilityTiers';
import { estimateWith, usd, type AdviceContext } from './context';
import { replaceStringLiteral } from './edits';
import { taskShape, type TaskKind } from './taskShape';
import type { Alternative, Confidence, Suggestion } from './types';

/** The lowest (cheapest) tier a task of this kind may be moved to, given the current tier. */
function floorTier(kind: TaskKind, current: number): number {
  switch (kind) {
    case 'classification':
      return 4;
    case 'embedding':
    case 'extraction':
    case 'summarization':
      return 3;
    case 'creative':
      return current; // no right-size for creative work: quality is the product
    default:
      return current === 1 ? 2 : current; // open-ended tasks: only frontier → strong
  }
}

export function rightSize(site: EstimatedCallSite, ctx: AdviceContext): Suggestion | null {
  const e = site.estimate;
  const model = site.model.resolved;
  if (!e || !model || e.monthlyCostUsd === null || site.role === 'construct') return null;
  const current = tierOf(model, ctx.settings.tiers);
  if (!current) return null; // a model without a tier is never right-sized blindly
  const shape = taskShape(site);
  const floor = floorTier(shape.kind, current.tier);
  if (floor <= current.tier) return null;
  const providers = [site.provider, ...ctx.settings.providers.filter((p) => p !== site.provider)];
  const alternatives: Alternative[] = [];
  for (const provider of providers) {
    for (const candidate of CANDIDATES[provider] ?? []) {
      if (candidate === model) continue;
      const tier = tierOf(candidate, ctx.settings.tiers);
      if (!tier || tier.kind !== current.kind || tier.tier <= current.tier || tier.tier > floor) continue;
      const alt = estimateWith(site, ctx, candidate, provider);
      if (alt.monthlyCostUsd === null || alt.costPerRequestUsd === null) continue;
      const saving = e.monthlyCostUsd - alt.monthlyCostUsd;
      if (saving <= 0) continue;
      alternatives.push({ model: candidate, provider, tier: tier.tier, costPerRequestUsd: alt.costPerRequestUsd, monthlyCostUsd: alt.monthlyCostUsd, monthlySavingUsd: saving });
    }
  }
  if (!alternatives.length) return null;
  // Same provider first; within it, the smallest step down (most capable cheaper model), then the larger saving.
  // The suggestion is the most capable alternative whose saving is worth showing, else the one that saves most.
  alternatives.sort((a, b) => (a.provider === site.provider ? 0 : 1) - (b.provider === site.provider ? 0 : 1) || a.tier - b.tier || b.monthlySavingUsd - a.monthlySavingUsd);
  const best = alternatives.find((a) => a.monthlySavingUsd >= ctx.settings.minMonthlySaving) ?? [...alternatives].sort((a, b) => b.monthlySavingUsd - a.monthlySavingUsd)[0]!;
  alternatives.splice(alternatives.indexOf(best), 1);
  alternatives.unshift(best);
  const oneStep = best.tier === current.tier + 1;
  const confidence: Confidence = best.provider !== site.provider ? 'low' : oneStep && (shape.kind === 'classification' || shape.kind === 'extraction' || shape.kind === 'embedding') ? 'high' : 'medium';
  const sharing = site.model.literal ? ctx.sites.filter((s) => s.id !== site.id && s.model.literal && s.model.literal.file === site.model.literal!.file && s.model.literal.range.startOffset === site.model.literal!.range.startOffset) : [];
  let edit: Suggestion['edit'];
  if (site.model.literal && best.provider === site.provider) {
    const change = replaceStringLiteral(ctx.source, site.model.literal.file, site.model.literal.range, best.model);
    if (change) {
      edit = {
        title: `Use ${best.model}${site.model.literal.file !== site.file ? ` (edits ${site.model.literal.file}:${site.model.literal.range.startLine})` : ''}${sharing.length ? ` — also changes ${sharing.length} other call${sharing.length === 1 ? '' : 's'} using it` : ''}`,
        changes: [change],
        newFiles: [],
      };
    }
  }
  return {
    id: `${site.id}:right-size`,
    siteId: site.id,
    file: site.file,
    line: site.line,
    kind: 'right-size',
    message: `Right-size: ${model} → ${best.model} for this ${shape.kind} task saves ${usd(best.monthlySavingUsd)}/mo (tier ${current.tier} → ${best.tier})`,
    monthlySavingUsd: best.monthlySavingUsd,
    assumptions: [
      `same prompt, output and traffic on ${best.model} (${best.provider})`,
      `task read as ${shape.kind} from ${shape.evidence}`,
      `capability tiers (${current.source === 'costlens.yml' ? 'costlens.yml advice.tiers' : `costlens table, checked ${TIERS_CHECKED}`}): ${model} is tier ${current.tier}, ${best.model} tier ${best.tier}`,
    ],
    confidence,
    rationale: `${best.provider === site.provider ? 'same provider' : `other provider (${best.provider}, enabled in advice.providers)`}, ${oneStep ? 'one tier down' : `${best.tier - current.tier} tiers down`}, ${shape.kind} task — verify quality with "Compare these models…" before switching`,
    edit,
    alternatives: alternatives.slice(0, 4),
    sources: TIER_SOURCES,
  };
}
