/**
 * `costlens estimate`: the feature calculator — what a feature that is not written yet would cost per request and per
 * month on the given model and on same-tier or cheaper candidates, with Batch API and prompt-caching variants.
 */
import { parseArgs } from 'node:util';
import { createPriceCatalogue, PRICE_DATA_DATE, PRICE_DATA_SOURCE } from '../core/pricing/catalogue';
import { RULES_CHECKED } from '../core/pricing/providerRules';
import { CalculatorInputError, estimateFeature, type CalculatorResult, type CalculatorRow } from '../core/report/calculator';
import { compactNumber, formatCostPerRequest, formatMoneyCompact, formatPerMTok } from '../core/format';
import { EXIT, loadWorkspaceConfig, workspaceRoot, type CliIo } from './common';
import { parseShare } from './report';

export const ESTIMATE_HELP = `costlens estimate --model <id> --input-tokens <n> --output-tokens <n> --requests-per-day <n> [options]
  — what a feature would cost before it is built, on several models side by side

Options:
  --model <id>                 the model in mind (gpt-4o, claude-sonnet-4-5, or provider/model)
  --input-tokens <n>           input tokens per request (prompt + context); 1.5k and 2M are accepted
  --output-tokens <n>          output tokens per request
  --requests-per-day <n>       expected traffic
  --interactive | --batch      someone waits for the reply (default) | nobody does: the Batch API applies
  --cache-hit <rate>           prompt-cache hit rate for the caching variant (default 0.3, an assumption)
  --models <a,b,c>             compare these models instead of the automatic candidates
  --provider <id>              provider of --model when it is not obvious (e.g. azure)
  --days-per-month <n>         default: costlens.yml defaults.daysPerMonth, else 30
  --format <table|json>        output format (default: table)
  --root <dir>, --usage <file> where costlens.yml is (for its prices and capability tiers; default .)

Example:
  costlens estimate --model gpt-4o --input-tokens 1200 --output-tokens 300 --requests-per-day 20k
`;

/** `1200`, `1,200`, `1.5k`, `2M` → number; null otherwise. */
export function parseAmount(text: string): number | null {
  const m = /^\s*(\d[\d,_]*(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]!.replace(/[,_]/g, '')) * (m[2] ? (m[2].toLowerCase() === 'k' ? 1e3 : 1e6) : 1);
  return Number.isFinite(v) ? v : null;
}

export async function estimateCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        'input-tokens': { type: 'string' },
        'output-tokens': { type: 'string' },
        'requests-per-day': { type: 'string' },
        interactive: { type: 'boolean', default: false },
        batch: { type: 'boolean', default: false },
        'cache-hit': { type: 'string' },
        models: { type: 'string' },
        provider: { type: 'string' },
        'days-per-month': { type: 'string' },
        format: { type: 'string', default: 'table' },
        root: { type: 'string' },
        usage: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr.write(`costlens estimate: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(ESTIMATE_HELP);
    return EXIT.OK;
  }
  const fail = (message: string): number => {
    io.stderr.write(`costlens estimate: ${message}\n`);
    return EXIT.USAGE;
  };
  if (!values.model) return fail('--model is required');
  const amounts: Record<string, number> = {};
  for (const flag of ['input-tokens', 'output-tokens', 'requests-per-day'] as const) {
    const text = values[flag];
    if (text === undefined) return fail(`--${flag} is required`);
    const v = parseAmount(text);
    if (v === null) return fail(`--${flag} must be a number such as 1200, 1.5k or 2M (got '${text}')`);
    amounts[flag] = v;
  }
  if (values.interactive && values.batch) return fail('give --interactive or --batch, not both');
  let cacheHitRate: number | undefined;
  if (values['cache-hit'] !== undefined) {
    const v = parseShare(values['cache-hit']);
    if (v === null) return fail(`--cache-hit must be a share between 0 and 1 or a percentage (0.3 or 30%), got '${values['cache-hit']}'`);
    cacheHitRate = v;
  }
  if (!['table', 'json'].includes(values.format!)) return fail(`--format must be table or json (got '${values.format}')`);
  let daysPerMonth: number | undefined;
  if (values['days-per-month'] !== undefined) {
    daysPerMonth = Number(values['days-per-month']);
    if (!(daysPerMonth > 0 && daysPerMonth <= 31)) return fail('--days-per-month must be more than 0 and at most 31');
  }
  const root = workspaceRoot('estimate', io, values.root);
  if (root === null) return EXIT.USAGE;
  const config = await loadWorkspaceConfig(root, values.usage, io);
  if (!config) return EXIT.CONFIG;

  let result: CalculatorResult;
  try {
    result = estimateFeature(
      {
        model: values.model,
        provider: values.provider,
        inputTokens: amounts['input-tokens']!,
        outputTokens: amounts['output-tokens']!,
        requestsPerDay: amounts['requests-per-day']!,
        daysPerMonth: daysPerMonth ?? config.usage?.defaults.daysPerMonth,
        mode: values.batch ? 'batch' : 'interactive',
        cacheHitRate,
        models: values.models ? values.models.split(',').map((m) => m.trim()).filter(Boolean) : undefined,
        tiers: config.usage?.advice.tiers,
      },
      createPriceCatalogue({ overrides: config.priceOverrides }),
    );
  } catch (err) {
    if (err instanceof CalculatorInputError) return fail(err.message);
    throw err;
  }
  io.stdout.write(values.format === 'json' ? renderCalculatorJson(result) : renderCalculatorTable(result));
  return EXIT.OK;
}

export function renderCalculatorJson(r: CalculatorResult): string {
  return `${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e10) / 1e10 : v), 2)}\n`;
}

/** The side-by-side table for a terminal. */
export function renderCalculatorTable(r: CalculatorResult): string {
  const s = r.spec;
  const out: string[] = [];
  out.push(
    `Feature: ${s.inputTokens.toLocaleString('en-US')} input + ${s.outputTokens.toLocaleString('en-US')} output tokens per request, ${compactNumber(s.requestsPerDay)} requests/day × ${s.daysPerMonth} days = ${compactNumber(r.requestsPerMonth)} requests/month, ${s.mode}`,
    '',
  );
  const interactive = s.mode === 'interactive';
  const header = ['model', 'provider', 'tier', '$/request', '$/month', interactive ? '(batch $/mo)' : 'batch $/mo', `cached ${Math.round(s.cacheHitRate * 100)}% $/mo`, 'best $/month'];
  const cell = (row: CalculatorRow): string[] => {
    if (!row.standard) return [`${row.model}${row.given ? ' *' : ''}`, row.provider, row.tier === null ? '—' : String(row.tier), 'price unknown', '', '', '', ''];
    const batch = row.batch ? (interactive ? `(${formatMoneyCompact(row.batch.perMonthUsd)})` : formatMoneyCompact(row.batch.perMonthUsd)) : 'n/a';
    const cached = !row.cached ? 'n/a' : row.cached.eligible ? formatMoneyCompact(row.cached.perMonthUsd) : 'too short';
    const best = row.best ? `${formatMoneyCompact(row.best.perMonthUsd)} ${row.best.variant === 'standard' ? '' : row.best.variant}`.trim() : '';
    return [`${row.model}${row.given ? ' *' : ''}`, row.provider, row.tier === null ? '—' : String(row.tier), formatCostPerRequest(row.standard.perRequestUsd), formatMoneyCompact(row.standard.perMonthUsd), batch, cached, best];
  };
  const rows = r.rows.map(cell);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const right = new Set([2, 3, 4, 5, 6, 7]);
  const line = (cells: string[]): string => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  out.push(line(header));
  for (const x of rows) out.push(line(x));
  out.push('');
  out.push('* the model given.');
  if (interactive) out.push('(batch): Batch API prices for reference; an interactive call cannot wait for the Batch API (pass --batch if nobody waits).');
  out.push('too short: the prompt is below the provider\'s minimum cacheable prefix.  n/a: no discount or cache price is documented.');
  // Notes that apply to several models are listed once, with the models.
  const notes = new Map<string, string[]>();
  const note = (text: string, model: string): void => {
    notes.set(text, [...(notes.get(text) ?? []), model]);
  };
  for (const row of r.rows) {
    if (row.priceUnknownReason) note(`price unknown (${row.priceUnknownReason})`, row.model);
    for (const n of row.notes) if (/long-context|must be requested/.test(n)) note(n, row.model);
  }
  for (const [text, models] of notes) out.push(`${models.join(', ')}: ${text}`);
  out.push('');
  out.push('Assumptions:');
  for (const a of r.assumptions) out.push(`  - ${a}`);
  const given = r.rows[0];
  const p = given?.price;
  out.push(
    `Prices: ${p ? `${given!.model} ${formatPerMTok(p.inputPerMTok)} in, ${formatPerMTok(p.outputPerMTok)} out${p.cacheReadPerMTok !== null ? `, ${formatPerMTok(p.cacheReadPerMTok)} cached` : ''}; ` : ''}${PRICE_DATA_SOURCE} (${PRICE_DATA_DATE}) unless costlens.yml overrides them; batch and caching rules checked ${RULES_CHECKED}.`,
  );
  return `${out.join('\n')}\n`;
}
