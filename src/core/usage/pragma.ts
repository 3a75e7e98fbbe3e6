/**
 * Inline traffic pragmas: a comment on or just above a call that states its traffic, e.g.
 *
 * ```python
 * # costlens: 20000/day
 * answer = client.chat.completions.create(...)
 * ```
 *
 * Grammar (case-insensitive; spaces allowed between the parts):
 *
 * ```text
 * pragma    := leader? "costlens" ":" ( ("traffic" | "requests" | "rate") ("=" | ":") )? rate trailer?
 * leader    := "#" | "//" | "/*" | "*" | "--" | ";" | "<!--"            (repeated leaders such as "##" are fine)
 * rate      := amount noun? ( ("/" | "per" | "a" | "an" | "each" | "every") unit  |  "rp" unit-letter )
 * amount    := digits ( "." digits )? suffix?
 * digits    := [0-9]+  |  [0-9]{1,3} ( sep [0-9]{3} )+      with one separator sep of  ","  "_"  "'"  " "
 * suffix    := "k" (thousand) | "m" | "M" (million)            written right after the number: 1.5k, 2M
 * noun      := "req" | "reqs" | "request" | "requests" | "call" | "calls"
 * unit      := "s" | "sec" | "second(s)" | "min" | "minute(s)" | "h" | "hr" | "hour(s)" | "d" | "day(s)"
 *            | "w" | "wk" | "week(s)" | "mo" | "mon" | "month(s)" | "y" | "yr" | "year(s)"
 * unit-letter := "s" | "m" (minute, as in RPM) | "h" | "d"                  rps, rpm, rph, rpd
 * trailer   := end of text, or a space / "," / ";" / "." / ")" / "*\/" / "-->" followed by anything
 * ```
 *
 * A bare `m` after `/` is refused (minute or month?); write `min` or `mo`. Anything else — no unit, a negative or
 * exponent number, a rate per something else (`5/day/user`) — is not a pragma and gives null.
 *
 * Monthly figures: a day is `daysPerMonth` (30 unless given) of a month, a week is `daysPerMonth / 7` of it, a year
 * twelve months; hours, minutes and seconds go through days.
 */

export type PragmaUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export interface ParsedTrafficPragma {
  /** The stated rate as requests per month. */
  requestsPerMonth: number;
  /** The pragma as written, from `costlens` to the end of the unit, e.g. `costlens: 1.5k/day`. Parses again to the same rate. */
  text: string;
  /** The rate as stated: `count` requests per `unit`. */
  rate: { count: number; unit: PragmaUnit };
}

export interface PragmaOptions {
  /** Days per month for per-day (and shorter) rates. 30 when absent. */
  daysPerMonth?: number | undefined;
}

const UNIT_NAMES: Record<string, PragmaUnit> = {
  s: 'second', sec: 'second', secs: 'second', second: 'second', seconds: 'second',
  min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour', hour: 'hour', hours: 'hour',
  d: 'day', day: 'day', days: 'day',
  w: 'week', wk: 'week', wks: 'week', week: 'week', weeks: 'week',
  mo: 'month', mon: 'month', mos: 'month', month: 'month', months: 'month',
  y: 'year', yr: 'year', yrs: 'year', year: 'year', years: 'year',
};

const RATE_LETTERS: Record<string, PragmaUnit> = { s: 'second', m: 'minute', h: 'hour', d: 'day' };

const SUFFIX_FACTOR: Record<string, number> = { k: 1e3, m: 1e6 };

/** Comment leaders and the `costlens:` key. */
const HEAD = /^\s*(?:(?:#+|\/\/+|\/\*+|\*+|--+|;+|<!--)\s*)?(costlens\s*:\s*)(?:(?:traffic|requests|rate)\s*[=:]\s*)?/i;

/** The amount: digits (optionally grouped by one separator), decimals, k/M suffix not followed by a letter. */
const AMOUNT = /^(\d{1,3}(?:([,_' ])\d{3})(?:\2\d{3})*|\d+)(?:\.(\d+))?(?:([kKmM])(?![A-Za-z]))?/;

const NOUN = /^\s*(?:requests?|reqs?|calls?)\b/i;

/** `/day`, `per day`, `a day`, `each day`, `every day`. */
const PER_UNIT = /^\s*(?:\/|(?:per|an?|each|every)\s+)\s*([A-Za-z]+)\b/i;

/** `rpd`, `rpm`, ... */
const RATE_ABBREVIATION = /^\s*rp([smhd])\b/i;

/** What may follow the unit. */
const TRAILER = /^(?:$|[\s,;.)]|\*\/|-->)/;

/**
 * Reads a traffic pragma from the text of a comment (with or without its comment marker). Returns null when the
 * comment is not a well-formed traffic pragma.
 */
export function parseTrafficPragma(commentText: string, options: PragmaOptions = {}): ParsedTrafficPragma | null {
  const head = HEAD.exec(commentText);
  if (!head) return null;
  const textStart = head.index + head[0].indexOf(head[1]);
  let rest = commentText.slice(head[0].length);
  let consumed = head[0].length;

  const amount = AMOUNT.exec(rest);
  if (!amount) return null;
  const [amountText, whole, separator, decimals, suffix] = amount;
  const count = roundRate(
    Number(`${whole.split(separator ?? '\u0000').join('')}${decimals !== undefined ? `.${decimals}` : ''}`) *
      (suffix !== undefined ? SUFFIX_FACTOR[suffix.toLowerCase()] : 1),
  );
  if (!Number.isFinite(count)) return null;
  rest = rest.slice(amountText.length);
  consumed += amountText.length;

  const noun = NOUN.exec(rest);
  if (noun) {
    rest = rest.slice(noun[0].length);
    consumed += noun[0].length;
  }

  let unit: PragmaUnit | undefined;
  const perUnit = PER_UNIT.exec(rest);
  const abbreviation = perUnit ? null : RATE_ABBREVIATION.exec(rest);
  if (perUnit) {
    unit = UNIT_NAMES[perUnit[1].toLowerCase()];
    rest = rest.slice(perUnit[0].length);
    consumed += perUnit[0].length;
  } else if (abbreviation && !noun) {
    unit = RATE_LETTERS[abbreviation[1].toLowerCase()];
    rest = rest.slice(abbreviation[0].length);
    consumed += abbreviation[0].length;
  }
  if (unit === undefined || !TRAILER.test(rest)) return null;

  return {
    requestsPerMonth: roundRate(count * perMonthFactor(unit, options.daysPerMonth ?? 30)),
    text: commentText.slice(textStart, consumed).trim(),
    rate: { count, unit },
  };
}

/** How many of `unit` there are in a month. */
export function perMonthFactor(unit: PragmaUnit, daysPerMonth: number): number {
  switch (unit) {
    case 'second':
      return 86_400 * daysPerMonth;
    case 'minute':
      return 1_440 * daysPerMonth;
    case 'hour':
      return 24 * daysPerMonth;
    case 'day':
      return daysPerMonth;
    case 'week':
      return daysPerMonth / 7;
    case 'month':
      return 1;
    case 'year':
      return 1 / 12;
  }
}

/** Drops binary floating-point noise (1.1k/day → 33000, not 33000.000000000004). */
function roundRate(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
