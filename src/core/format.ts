/**
 * Number formatting for people: `$0.0042/req`, `$1.3k/mo`, `600k/mo`. Every face formats through these functions
 * so the same figure reads the same everywhere. Unknown is shown as unknown, never as $0.
 */

export const UNKNOWN_PRICE = 'price unknown';

/** Display currency: prices are in USD; other currencies are shown at a user-given rate. */
export interface Currency {
  /** ISO 4217 code. */
  code: string;
  /** Units of `code` per US dollar. */
  usdRate: number;
}

export const USD: Currency = { code: 'USD', usdRate: 1 };

const symbols = new Map<string, string>();
function symbolOf(code: string): string {
  let s = symbols.get(code);
  if (s === undefined) {
    try {
      s = new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).formatToParts(0).find((p) => p.type === 'currency')?.value ?? `${code} `;
    } catch {
      s = `${code} `;
    }
    symbols.set(code, s);
  }
  return s;
}

function convert(usd: number, currency: Currency): number {
  return currency.code === 'USD' ? usd : usd * currency.usdRate;
}

/** A cost per request: two significant digits below $1 (`$0.0042`), cents above (`$1.25`). */
export function formatCostPerRequest(usd: number | null | undefined, currency: Currency = USD): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd) || usd < 0) return UNKNOWN_PRICE;
  const $ = symbolOf(currency.code);
  const v = convert(usd, currency);
  if (v === 0) return `${$}0`;
  if (v < 0.00001) return `<${$}0.00001`;
  if (v < 1) return `${$}${v.toPrecision(2)}`;
  if (v < 1000) return `${$}${v.toFixed(2)}`;
  return formatMoneyCompact(usd, currency);
}

/** A monthly or total figure: `$420`, `$4.20`, `$1.3k`, `$2.5M`. */
export function formatMoneyCompact(usd: number | null | undefined, currency: Currency = USD): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd) || usd < 0) return UNKNOWN_PRICE;
  const $ = symbolOf(currency.code);
  const v = convert(usd, currency);
  if (v === 0) return `${$}0`;
  if (v < 0.01) return `<${$}0.01`;
  if (v < 10) return `${$}${v.toFixed(2)}`;
  if (v < 1000) return `${$}${Math.round(v)}`;
  return `${$}${compactNumber(v)}`;
}

/** 1234 → `1.2k`, 600000 → `600k`, 2_500_000 → `2.5M`; finite for any size (1e30 → `1e+30`). */
export function compactNumber(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  const abs = Math.abs(n);
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  if (abs >= 1e15) return n.toExponential(1);
  for (const [size, suffix] of units) {
    if (abs >= size) {
      const v = n / size;
      const text = v >= 100 ? Math.round(v).toString() : trimZeros(v.toFixed(1));
      // 999.95k rounds to 1000k: promote to the next unit
      if (text === '1000' && suffix !== 'T') return compactNumber(size * 1000 * Math.sign(n));
      return `${text}${suffix}`;
    }
  }
  return abs >= 100 || Number.isInteger(n) ? Math.round(n).toString() : trimZeros(n.toFixed(1));
}

export function formatTokens(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatRequestsPerMonth(n: number): string {
  return `${compactNumber(n)}/mo`;
}

export function formatPerMTok(usd: number, currency: Currency = USD): string {
  const v = convert(usd, currency);
  return `${symbolOf(currency.code)}${trimZeros(v < 0.01 && v > 0 ? v.toPrecision(2) : v.toFixed(v < 1 ? 3 : 2))}/MTok`;
}

function trimZeros(s: string): string {
  if (s.includes('e')) return Number(s).toString();
  if (!s.includes('.')) return s;
  return s.replace(/\.?0+$/, '');
}

/** A duration for people: `850 ms`, `1.2 s`, `14 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(s)} s`;
}
