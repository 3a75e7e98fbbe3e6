/**
 * Typed view of the `costlens.*` settings (contributed in package.json), with validation so a malformed value falls
 * back to its default instead of breaking an estimate.
 */
import * as vscode from 'vscode';
import type { Currency } from '../core/format';
import type { PriceOverride } from '../core/pricing/catalogue';

export type HintStyle = 'codeLens' | 'inlayHint' | 'off';

export interface CostlensSettings {
  hintStyle: HintStyle;
  disabledLanguages: string[];
  defaultRequestsPerDay: number | null;
  defaultOutputTokens: number | null;
  prices: PriceOverride[];
  include: string[];
  exclude: string[];
  skipTests: boolean;
  maxFileSize: number;
  currency: Currency;
  diagnosticsEnabled: boolean;
  adviceMinMonthlySaving: number;
}

const SECTION = 'costlens';

export function readSettings(scope?: vscode.ConfigurationScope): CostlensSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const style = c.get<string>('hints.style');
  const code = c.get<string>('currency.code') ?? 'USD';
  const rate = c.get<number>('currency.usdRate') ?? 1;
  return {
    hintStyle: style === 'inlayHint' || style === 'off' ? style : 'codeLens',
    disabledLanguages: stringArray(c.get('hints.disabledLanguages')),
    defaultRequestsPerDay: nonNegative(c.get('traffic.defaultRequestsPerDay')),
    defaultOutputTokens: nonNegative(c.get('defaultOutputTokens')),
    prices: priceArray(c.get('prices')),
    include: stringArray(c.get('include')),
    exclude: stringArray(c.get('exclude')),
    skipTests: c.get<boolean>('skipTests') === true,
    maxFileSize: nonNegative(c.get('maxFileSize')) ?? 1_000_000,
    currency: /^[A-Z]{3}$/.test(code) && Number.isFinite(rate) && rate > 0 ? { code, usdRate: code === 'USD' ? 1 : rate } : { code: 'USD', usdRate: 1 },
    diagnosticsEnabled: c.get<boolean>('diagnostics.enabled') !== false,
    adviceMinMonthlySaving: nonNegative(c.get('advice.minMonthlySaving')) ?? 10,
  };
}

/** True when a configuration change touches costlens settings (optionally a sub-key). */
export function affects(e: vscode.ConfigurationChangeEvent, key?: string): boolean {
  return e.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION);
}

function stringArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function nonNegative(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

function priceArray(v: unknown): PriceOverride[] {
  if (!Array.isArray(v)) return [];
  const out: PriceOverride[] = [];
  for (const item of v) {
    if (!item || typeof item !== 'object') continue;
    const p = item as Record<string, unknown>;
    if (typeof p.model !== 'string' || nonNegative(p.inputPerMTok) === null || nonNegative(p.outputPerMTok) === null) continue;
    const o: PriceOverride = { model: p.model, inputPerMTok: p.inputPerMTok as number, outputPerMTok: p.outputPerMTok as number, source: 'settings (costlens.prices)' };
    if (typeof p.provider === 'string' && p.provider) o.provider = p.provider;
    if (nonNegative(p.cachedInputPerMTok) !== null) o.cacheReadPerMTok = p.cachedInputPerMTok as number;
    out.push(o);
  }
  return out;
}

/** Settings of the model comparison panel. */
export interface CompareSettings {
  /**
   * Base URL per provider id (`openai`, `ollama`, `custom` …). Read from the user's settings only: a workspace's
   * settings must not be able to send a stored key to another server.
   */
  baseURLs: Record<string, string>;
  /** Per-request limit, stream included. */
  timeoutMs: number;
}

export function readCompareSettings(): CompareSettings {
  const c = vscode.workspace.getConfiguration(`${SECTION}.compare`);
  const providers = c.inspect<unknown>('providers')?.globalValue;
  const baseURLs: Record<string, string> = {};
  if (providers && typeof providers === 'object' && !Array.isArray(providers)) {
    for (const [id, value] of Object.entries(providers as Record<string, unknown>)) {
      const url = value && typeof value === 'object' ? (value as { baseURL?: unknown }).baseURL : undefined;
      if (/^[a-z][a-z0-9-]*$/.test(id) && typeof url === 'string' && /^https?:\/\/\S+$/i.test(url.trim())) baseURLs[id] = url.trim();
    }
  }
  const seconds = c.get<number>('timeoutSeconds');
  return { baseURLs, timeoutMs: typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 1 && seconds <= 1800 ? Math.round(seconds * 1000) : 60_000 };
}
