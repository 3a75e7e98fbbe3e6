/** Prices and token counts of comparison columns, from the same catalogue and tokenizer as every other figure. */
import { requestCostUsd } from '../estimate/estimate';
import type { ModelPrice, PriceCatalogue } from '../pricing/catalogue';
import type { Tokenizer } from '../tokens/tokenizer';
import type { ChatMessage, ModelTarget, PriceInfo, TokenUsage } from './types';

export function lookupPrice(target: Pick<ModelTarget, 'priceProvider' | 'model'>, prices: PriceCatalogue): { price: ModelPrice | null; unknownReason: string | null } {
  const found = prices.lookup(target.priceProvider, target.model);
  return found.status === 'found' ? { price: found.price, unknownReason: null } : { price: null, unknownReason: found.reason };
}

export function priceInfo(price: ModelPrice): PriceInfo {
  return {
    inputPerMTok: price.inputPerMTok,
    outputPerMTok: price.outputPerMTok,
    cacheReadPerMTok: price.cacheReadPerMTok,
    source: `${price.source} (${price.sourceDate})`,
    notes: [...price.notes],
  };
}

/** Cost of one request from its usage (list prices, cache reads at the cache-read price); null without a price. */
export function usageCostUsd(price: ModelPrice | null, usage: TokenUsage): number | null {
  if (!price) return null;
  return requestCostUsd(price, usage.inputTokens, usage.cachedInputTokens, usage.outputTokens);
}

/** Prompt tokens of chat messages for a model (OpenAI's chat format overhead included). */
export function countPromptTokens(messages: readonly ChatMessage[], target: Pick<ModelTarget, 'model' | 'priceProvider' | 'providerId'>, tokenizer: Tokenizer): { tokens: number; approximate: boolean; method: string } {
  return tokenizer.countChat(
    messages.map((m) => ({ role: m.role, text: m.content })),
    target.model,
    target.priceProvider || target.providerId,
  );
}
