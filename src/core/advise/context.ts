/** What every advisor needs: the estimate context (tokenizer, prices, traffic), settings, and syntax for edits. */
import type { EstimatedCallSite } from '../engine/engine';
import { estimateSite, type EstimateContext, type SiteEstimate } from '../estimate/estimate';
import type { AdviceSettings } from '../usage/schema';
import type { EditSource } from './edits';

export interface ResolvedAdviceSettings {
  minMonthlySaving: number;
  providers: string[];
  tiers: Record<string, number>;
  routedShare: number;
  cacheHitRate: number;
  disabled: Set<string>;
}

export const ADVICE_DEFAULTS = { minMonthlySaving: 10, routedShare: 0.6, cacheHitRate: 0.3 } as const;

export function resolveAdviceSettings(s: AdviceSettings | undefined): ResolvedAdviceSettings {
  return {
    minMonthlySaving: s?.minMonthlySaving ?? ADVICE_DEFAULTS.minMonthlySaving,
    providers: s?.providers ?? [],
    tiers: s?.tiers ?? {},
    routedShare: s?.routedShare ?? ADVICE_DEFAULTS.routedShare,
    cacheHitRate: s?.cacheHitRate ?? ADVICE_DEFAULTS.cacheHitRate,
    disabled: new Set(s?.disabled ?? []),
  };
}

export interface AdviceContext {
  estimate: EstimateContext;
  settings: ResolvedAdviceSettings;
  source: EditSource;
  /** Every site of the current result (to see which sites share a constant). */
  sites: EstimatedCallSite[];
}

/** The estimate the site would have with another model (same prompt, traffic and output). */
export function estimateWith(site: EstimatedCallSite, ctx: AdviceContext, model: string, provider: string): SiteEstimate {
  return estimateSite({ ...site, provider, model: { ...site.model, resolved: model } }, ctx.estimate);
}

const PROVIDER_NAMES: Record<string, string> = {
  openai: 'OpenAI',
  azure: 'Azure OpenAI',
  anthropic: 'Anthropic',
  google: 'Gemini',
  mistral: 'Mistral',
  aws: 'Bedrock',
  together: 'Together',
  groq: 'Groq',
  cohere: 'Cohere',
  deepseek: 'DeepSeek',
};

export const providerName = (id: string): string => PROVIDER_NAMES[id] ?? id;

export const usd = (v: number): string => (v >= 100 ? `$${Math.round(v).toLocaleString('en-US')}` : `$${v.toFixed(2)}`);
export const pct = (x: number): string => `${Math.round(x * 100)}%`;
