/**
 * Async / batch: calls in batch contexts (jobs, workers, scripts, loops over documents) that nobody waits on can go
 * through the provider's Batch API at its discount, trading latency (up to 24 hours).
 */
import type { EstimatedCallSite } from '../engine/engine';
import { batchRuleFor } from '../pricing/providerRules';
import { pct, providerName, usd, type AdviceContext } from './context';
import { batchScaffold } from './scaffolds';
import type { Suggestion } from './types';

export function batch(site: EstimatedCallSite, ctx: AdviceContext): Suggestion | null {
  const e = site.estimate;
  const model = site.model.resolved ?? e?.pricedModel;
  if (!e || !model || e.monthlyCostUsd === null || site.context !== 'batch' || site.role === 'construct') return null;
  const rule = batchRuleFor(site.provider, model);
  const discount = e.price?.batchDiscount ?? rule?.discount ?? null;
  if (!discount) return null;
  const unbatched = 1 - e.batchShare;
  if (unbatched <= 0) return null;
  const saving = e.monthlyCostUsd * unbatched * discount;
  const scaffold = batchScaffold(site.file, site.language, site.provider, model, site.enclosingFunction?.split('.').pop() ?? null);
  const stacking = rule?.stacksWithCaching === true ? 'the batch discount stacks with prompt-caching prices' : rule?.stacksWithCaching === false ? 'the batch discount does not combine with the cache discount' : 'whether the batch discount stacks with caching is not documented';
  return {
    id: `${site.id}:batch`,
    siteId: site.id,
    file: site.file,
    line: site.line,
    kind: 'batch',
    message: `Use the ${providerName(site.provider)} Batch API: nobody waits on this ${site.inLoop ? 'loop' : 'job'} — ${pct(discount)} off saves ${usd(saving)}/mo (results within 24 h)`,
    monthlySavingUsd: saving,
    assumptions: [`${pct(discount)} Batch API discount on input and output`, `${pct(unbatched)} of requests not batched today`, 'results arrive within 24 hours (often much sooner)', stacking, ...(rule?.notes ?? [])],
    confidence: site.inLoop ? 'high' : 'medium',
    rationale: `the call runs in a batch context (${site.contextReason})`,
    edit: scaffold ? { title: `Scaffold a Batch API submission for ${providerName(site.provider)} (${scaffold.file})`, changes: [], newFiles: [scaffold] } : undefined,
    sources: rule ? [rule.source] : [],
  };
}
