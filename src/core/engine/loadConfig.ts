/**
 * Price overrides from the usage file: its `prices:` entries and the LiteLLM-format JSON named by `pricesFile`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PriceOverride } from '../pricing/catalogue';
import { LiteLlmFormatError, parseLiteLlmPrices } from '../pricing/litellmFormat';
import type { UsageConfig } from '../usage/schema';

export type PriceOverrideLoad = { ok: true; overrides: PriceOverride[] } | { ok: false; errors: string[] };

export function loadPriceOverrides(usage: UsageConfig | undefined, pricesFilePath: string | null, usageFileName = 'costlens.yml'): PriceOverrideLoad {
  const overrides: PriceOverride[] = [];
  if (pricesFilePath) {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(pricesFilePath, 'utf8'));
    } catch (err) {
      return { ok: false, errors: [`${pricesFilePath}: cannot read the price file (pricesFile in ${usageFileName}): ${(err as Error).message}`] };
    }
    try {
      overrides.push(...parseLiteLlmPrices(data, path.basename(pricesFilePath)).overrides);
    } catch (err) {
      if (err instanceof LiteLlmFormatError) return { ok: false, errors: [err.message] };
      throw err;
    }
  }
  // The usage file's own prices come last so they win over the price file.
  for (const p of usage?.prices ?? []) {
    const o: PriceOverride = { model: p.model, inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok, source: `${usageFileName} prices` };
    if (p.provider !== undefined) o.provider = p.provider;
    if (p.cachedInputPerMTok !== undefined) o.cacheReadPerMTok = p.cachedInputPerMTok;
    if (p.cacheWritePerMTok !== undefined) o.cacheWritePerMTok = p.cacheWritePerMTok;
    overrides.push(o);
  }
  return { ok: true, overrides };
}
