/**
 * Provider prompt caching: a static prefix long enough for the provider's minimum is billed at the cache-read price
 * on hits. OpenAI and Gemini cache automatically (the advice is to keep the prefix first and stable); Anthropic needs
 * `cache_control` and charges a write premium, so the saving depends on the hit rate and has a break-even.
 * Also spots what breaks a cache: dynamic text placed before the static prompt, tools built at run time.
 */
import type { EstimatedCallSite } from '../engine/engine';
import { cachingRuleFor } from '../pricing/providerRules';
import { pct, usd, type AdviceContext } from './context';
import { cacheControlSystem } from './edits';
import type { Suggestion } from './types';

export function promptCache(site: EstimatedCallSite, ctx: AdviceContext): Suggestion | null {
  const e = site.estimate;
  const model = site.model.resolved ?? e?.pricedModel;
  if (!e || !e.price || !model || e.costPerRequestUsd === null || site.role === 'construct') return null;
  const rule = cachingRuleFor(site.provider, model);
  if (!rule) return null;
  const tokenizer = ctx.estimate.tokenizer;
  const count = (text: string): number => (text ? tokenizer.count(text, model, site.provider).tokens : 0);
  const toolTokens = site.params.toolsText ? e.toolTokens : 0;
  // Leading static parts (tools come first in the request) up to the first dynamic part.
  let prefix = toolTokens;
  let i = 0;
  const parts = site.prompt.parts;
  for (; i < parts.length && parts[i]!.kind === 'static'; i++) prefix += count(parts[i]!.text);
  const later = parts.slice(i).filter((p) => p.kind === 'static').reduce((sum, p) => sum + count(p.text), 0);
  const firstDynamic = parts[i];
  const requests = e.requestsPerMonth;
  const inPrice = e.price.inputPerMTok;
  const readPrice = e.price.cacheReadPerMTok ?? (rule.readMultiplier !== null ? inPrice * rule.readMultiplier : null);
  if (readPrice === null) return null;
  const hit = ctx.settings.cacheHitRate;
  const breaker = prefix < rule.minPrefixTokens && later >= rule.minPrefixTokens && firstDynamic;
  const cacheable = breaker ? later : prefix;
  if (cacheable < rule.minPrefixTokens) return null;

  const notes: string[] = [`${cacheable.toLocaleString('en-US')} static prompt tokens; ${site.provider} caches prefixes of ${rule.minPrefixTokens.toLocaleString('en-US')} tokens or more (${rule.mode})`];
  if (site.params.toolsDynamic) notes.push('tools are built at run time: keep their order stable, or the cached prefix changes on every request');
  const base = { siteId: site.id, file: site.file, line: site.line, kind: 'prompt-cache' as const, sources: [rule.source] };

  if (rule.mode === 'explicit') {
    if (site.params.cacheControl && !breaker) return null;
    const writePrice = e.price.cacheWritePerMTok ?? (rule.writeMultiplier !== null ? inPrice * rule.writeMultiplier : inPrice);
    const gainPerHit = (cacheable * (inPrice - readPrice)) / 1e6;
    const costPerMiss = (cacheable * (writePrice - inPrice)) / 1e6;
    const saving = requests * (hit * gainPerHit - (1 - hit) * costPerMiss);
    const breakEven = costPerMiss / (gainPerHit + costPerMiss);
    const change = breaker ? null : cacheControlSystem(ctx.source, site.file, site.range);
    return {
      ...base,
      id: `${site.id}:prompt-cache`,
      message: breaker
        ? `Prompt caching is broken: \`${firstDynamic.expression ?? 'dynamic text'}\` comes before ${cacheable.toLocaleString('en-US')} static tokens — move it after them and mark the prefix with cache_control (${usd(Math.max(0, saving))}/mo at ${pct(hit)} hits)`
        : `Mark the ${cacheable.toLocaleString('en-US')}-token static prefix with cache_control: saves ${usd(saving)}/mo at a ${pct(hit)} hit rate (break-even ${pct(breakEven)})`,
      monthlySavingUsd: saving,
      assumptions: [
        ...notes,
        `${pct(hit)} of requests hit the cache (advice.cacheHitRate adjusts it); reads at $${readPrice}/MTok, writes at $${+writePrice.toFixed(4)}/MTok (a ${rule.writeMultiplier ?? 1}× premium, 5-minute cache)`,
        `break-even hit rate ${pct(breakEven)}: below it caching costs more than it saves`,
      ],
      confidence: hit > breakEven ? 'medium' : 'low',
      rationale: `Anthropic caches only prefixes marked with cache_control; the write premium is paid on every miss`,
      edit: change ? { title: 'Add cache_control to the static system prompt', changes: [change], newFiles: [] } : undefined,
    };
  }
  // Automatic caching (OpenAI, Azure, Gemini): already on when the prefix is first and stable.
  if (!breaker) return null;
  const saving = (requests * hit * cacheable * (inPrice - readPrice)) / 1e6;
  return {
    ...base,
    id: `${site.id}:prompt-cache`,
    message: `Prompt caching is broken: \`${firstDynamic.expression ?? 'dynamic text'}\` comes before ${cacheable.toLocaleString('en-US')} static tokens — put the static text first to save ${usd(saving)}/mo at ${pct(hit)} cache hits`,
    monthlySavingUsd: saving,
    assumptions: [...notes, `${pct(hit)} of requests hit the automatic cache once the static text leads; cached input at $${readPrice}/MTok`],
    confidence: 'medium',
    rationale: `${site.provider} caches the longest identical prefix automatically; a dynamic value at the start makes every prefix unique`,
  };
}
