/**
 * What a comparison will cost before anything is sent: per column, its prompt tokens (counted with the model's
 * tokenizer) and the output limit, × runs, priced with the catalogue. Output is taken at its limit, so the figure is
 * an upper bound; a model without a price is "price unknown", never $0, and is left out of the total.
 */
import type { PriceCatalogue } from '../pricing/catalogue';
import type { Tokenizer } from '../tokens/tokenizer';
import { countPromptTokens, lookupPrice, priceInfo } from './cost';
import { judgeMessages } from './quality';
import { COMPARE_DEFAULTS, type ChatMessage, type CompareRequest, type ModelTarget, type PriceInfo } from './types';
import { requestCostUsd } from '../estimate/estimate';

export interface DryRunLine {
  /** Column id (or the judge's). */
  model: string;
  providerLabel: string;
  role: 'model' | 'judge';
  requests: number;
  inputTokensPerRequest: number;
  maxOutputTokensPerRequest: number;
  tokensApproximate: boolean;
  tokenMethod: string;
  price: PriceInfo | null;
  priceUnknownReason: string | null;
  /** Upper bound for one request (output at its limit); null when the price is unknown. */
  maxCostPerRequestUsd: number | null;
  /** × requests. */
  maxCostUsd: number | null;
}

export interface DryRunEstimate {
  lines: DryRunLine[];
  requests: number;
  totalInputTokens: number;
  totalMaxOutputTokens: number;
  /** Sum of the lines with a known price: an upper bound of what the comparison costs. */
  maxCostUsd: number;
  /** Columns (and judge) whose price is unknown: their cost is not in maxCostUsd. */
  unpriced: string[];
  notes: string[];
}

export function estimateComparison(
  request: Pick<CompareRequest, 'messages' | 'targets' | 'runs' | 'maxOutputTokens' | 'quality'>,
  ctx: { tokenizer: Tokenizer; prices: PriceCatalogue },
): DryRunEstimate {
  const lines: DryRunLine[] = [];
  const notes: string[] = ['output is counted at its limit: an upper bound (real answers are usually shorter)'];
  const runs = Math.max(1, Math.floor(request.runs));
  for (const target of request.targets) {
    lines.push(line(target, 'model', request.messages, runs, request.maxOutputTokens, ctx));
  }
  const judge = request.quality?.judge;
  if (judge) {
    // The judge reads the prompt, the rubric and an answer at its output limit, once per run of every column.
    const worstAnswer = 'x '.repeat(Math.min(request.maxOutputTokens, 50_000));
    const messages = judgeMessages(judge.rubric, request.messages, worstAnswer, request.quality?.expectedAnswer);
    lines.push(line(judge.target, 'judge', messages, runs * request.targets.length, COMPARE_DEFAULTS.judgeMaxOutputTokens, ctx));
    notes.push('the judge reads every answer once; its input assumes answers at their output limit');
  }
  const priced = lines.filter((l) => l.maxCostUsd !== null);
  if (lines.some((l) => l.tokensApproximate)) notes.push('some token counts are approximate (the vendor tokenizer is not public)');
  return {
    lines,
    requests: lines.reduce((n, l) => n + l.requests, 0),
    totalInputTokens: lines.reduce((n, l) => n + l.inputTokensPerRequest * l.requests, 0),
    totalMaxOutputTokens: lines.reduce((n, l) => n + l.maxOutputTokensPerRequest * l.requests, 0),
    maxCostUsd: priced.reduce((n, l) => n + l.maxCostUsd!, 0),
    // Callers usually name the judge's column `<model> (judge)` already.
    unpriced: lines.filter((l) => l.maxCostUsd === null).map((l) => (l.role === 'judge' && !l.model.endsWith(' (judge)') ? `${l.model} (judge)` : l.model)),
    notes,
  };
}

function line(target: ModelTarget, role: 'model' | 'judge', messages: readonly ChatMessage[], requests: number, maxOutput: number, ctx: { tokenizer: Tokenizer; prices: PriceCatalogue }): DryRunLine {
  const counted = countPromptTokens(messages, target, ctx.tokenizer);
  const { price, unknownReason } = lookupPrice(target, ctx.prices);
  const perRequest = price ? requestCostUsd(price, counted.tokens, 0, maxOutput) : null;
  return {
    model: target.id,
    providerLabel: target.providerLabel,
    role,
    requests,
    inputTokensPerRequest: counted.tokens,
    maxOutputTokensPerRequest: maxOutput,
    tokensApproximate: counted.approximate,
    tokenMethod: counted.method,
    price: price ? priceInfo(price) : null,
    priceUnknownReason: unknownReason,
    maxCostPerRequestUsd: perRequest,
    maxCostUsd: perRequest === null ? null : perRequest * requests,
  };
}
