/**
 * The cells of a comparison that every face formats the same way — the CLI table, the Markdown export and the
 * compare webview. Plain formatting over computed figures, with no dependency beyond the formatters, so that the
 * webview can bundle it (the runner's modules import the openai SDK).
 */
import { formatCostPerRequest, formatMoneyCompact } from '../format';
import type { ModelSummary } from './types';

export const DASH = '—';

function signedMoney(usd: number, compact: boolean): string {
  const sign = usd > 0 ? '+' : usd < 0 ? '−' : '±';
  const abs = Math.abs(usd);
  return `${sign}${compact ? formatMoneyCompact(abs) : formatCostPerRequest(abs)}`;
}

/** `−80% (−$0.0060/req, −$2.2k/mo)`; `current` for the baseline itself. */
export function changeCell(s: ModelSummary): string {
  const c = s.changeVsCurrent;
  if (s.isCurrent && (!c || c.baseline === 'measured')) return 'current';
  if (!c) return DASH;
  const pct = c.pct === null ? '' : `${c.pct > 0 ? '+' : c.pct < 0 ? '−' : '±'}${Math.abs(c.pct) >= 10 ? Math.round(Math.abs(c.pct)) : Math.abs(c.pct).toFixed(1).replace(/\.0$/, '')}% `;
  const monthly = c.monthlyUsd !== null ? `, ${signedMoney(c.monthlyUsd, true)}/mo` : '';
  return `${pct}(${signedMoney(c.perRequestUsd, false)}/req${monthly})${c.baseline === 'estimate' ? ' vs estimate' : ''}`;
}

export function statusCell(s: ModelSummary): string {
  switch (s.status) {
    case 'ok':
      return 'ok';
    case 'partial':
      return 'partial';
    case 'cancelled':
      return 'cancelled';
    default:
      return s.error?.kind === 'cancelled' ? 'cancelled' : 'failed';
  }
}

