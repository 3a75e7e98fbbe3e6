/**
 * `costlens compare`: run one prompt on several models and print cost (from real usage), latency and quality side by
 * side — the CLI twin of the editor's compare panel, on the same core (src/core/compare). Keys come from the
 * environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY, COSTLENS_API_KEY …).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as YAML from 'yaml';
import { estimateComparison, type DryRunEstimate } from '../core/compare/dryRun';
import { comparisonRow, formatDuration, renderComparisonMarkdown } from '../core/compare/exportMarkdown';
import { findPlaceholders, renderPrompt, type Placeholder } from '../core/compare/prompt';
import { envKeyGetter, GENERIC_KEY_ENV, keyHint, providerById, PROVIDERS, resolveTarget, resolveTargets, type TargetOptions } from '../core/compare/providers';
import { DEFAULT_RUBRIC } from '../core/compare/quality';
import { CompareRequestError, runComparison, validateCompareRequest } from '../core/compare/runner';
import { COMPARE_DEFAULTS, COMPARE_LIMITS, type ChatMessage, type CompareEvent, type CompareRequest, type ComparisonResult, type QualityCheck } from '../core/compare/types';
import { formatCostPerRequest, formatTokens } from '../core/format';
import { createPriceCatalogue } from '../core/pricing/catalogue';
import { createTokenizer } from '../core/tokens/tokenizer';
import { EXIT, loadWorkspaceConfig, terminalSafe, type CliIo } from './common';

export const COMPARE_HELP = `costlens compare — run one prompt on several models: cost from real usage, latency, quality

Usage:
  costlens compare --prompt <file> --models <a,b[,c…]> [options]

  The first model is the current one ("vs current" is measured against it; --current to choose another).
  Models are sent to their maker's API (gpt-… → OpenAI, claude-… → Anthropic, gemini-… → Google) unless written
  with a provider prefix (ollama/llama3.1:8b, openrouter/meta-llama/llama-3.1-8b-instruct, lmstudio/…, vllm/…,
  litellm/…, azure/<deployment>) or --base-url / --provider sends them all to one endpoint.

Options:
  --prompt <file>              the prompt: a text file (one user message), or JSON/YAML messages
                               ([{role, content}] or {messages: [...]}); {{name}} placeholders are filled with --var
  --var <name=value>           value of a {{name}} placeholder (repeatable)
  --models <list>              comma-separated, ${COMPARE_LIMITS.minModels}–${COMPARE_LIMITS.maxModels} models
  --base-url <url>             send every model to this OpenAI-compatible endpoint (key: COSTLENS_API_KEY)
  --provider <id>              send every model to this provider (${PROVIDERS.map((p) => p.id).join(', ')})
  --runs <n>                   runs per model, to see variance (default 1, at most ${COMPARE_LIMITS.maxRuns})
  --temperature <t>            0–2 (default: the endpoint's)
  --max-tokens <n>             output limit per answer (default ${COMPARE_DEFAULTS.maxOutputTokens})
  --timeout <seconds>          per request, stream included (default ${COMPARE_DEFAULTS.timeoutMs / 1000})
  --no-stream                  ask for whole answers (no time to first token)
  --expect-exact <text>        quality check: the answer is exactly this text
  --expect-contains <text>     quality check: the answer contains this text (any case)
  --expect-regex <regex>       quality check: the answer matches this regular expression
  --expect-json-schema <file>  quality check: the answer is JSON valid for this JSON Schema
  --judge <model>              an LLM judge scores each answer 1–10 against a rubric
  --rubric <file>              the judge's rubric (default: a general one, printed with --format markdown)
  --current <model>            the model the code uses today (default: the first of --models)
  --requests-per-month <n>     traffic of the call site, for the monthly projection
  --format <table|json|markdown>  output format (default: table)
  --out <file>                 write the output to a file
  --dry-run                    print the tokens and the most the comparison can cost; send nothing
  --root <dir>                 workspace root, for prices in costlens.yml (default: .)
  --usage <file>               usage file with price overrides (default: costlens.yml at the root)
  --quiet                      no progress on stderr
  -h, --help                   show this help

Exit codes:
  0  at least one model answered (or --dry-run)
  1  every model failed (each error is printed)
  2  invalid command-line arguments or prompt
  3  invalid usage file or price file

Examples:
  costlens compare --prompt prompt.txt --models gpt-4o,gpt-4o-mini --runs 3 --requests-per-month 300000
  costlens compare --prompt ticket.yml --var ticket="Printer on fire" --models gpt-4.1,claude-haiku-4-5 --expect-json-schema label.schema.json
  costlens compare --prompt p.txt --models llama3.1:8b,qwen2.5:7b --provider ollama --dry-run
`;

function fail(io: CliIo, message: string): number {
  io.stderr.write(`costlens compare: ${message}\n`);
  return EXIT.USAGE;
}

function positiveNumber(value: string | undefined, name: string, integer: boolean): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) return `${name} must be a ${integer ? 'whole ' : ''}number ≥ 0 (got '${value}')`;
  return n;
}

/** Messages from a prompt file: text (one user message) or JSON/YAML messages. */
export function readPromptFile(file: string, text: string): { messages: ChatMessage[] } | { error: string } {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.json' && ext !== '.yml' && ext !== '.yaml') return { messages: [{ role: 'user', content: text }] };
  let data: unknown;
  try {
    data = ext === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    return { error: `${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}` };
  }
  const list = Array.isArray(data) ? data : data && typeof data === 'object' ? (data as { messages?: unknown }).messages : undefined;
  if (!Array.isArray(list)) return { error: `${file} must hold a list of messages ([{role, content}]) or {messages: [...]}` };
  const messages: ChatMessage[] = [];
  for (const [i, m] of list.entries()) {
    const role = (m as { role?: unknown })?.role;
    const content = (m as { content?: unknown })?.content;
    if (role !== 'system' && role !== 'developer' && role !== 'user' && role !== 'assistant') return { error: `${file}: message ${i + 1} needs a role of system, developer, user or assistant` };
    if (typeof content !== 'string') return { error: `${file}: message ${i + 1} needs a text content` };
    messages.push({ role, content });
  }
  return { messages };
}

export async function compareCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      options: {
        prompt: { type: 'string' },
        var: { type: 'string', multiple: true },
        models: { type: 'string' },
        'base-url': { type: 'string' },
        provider: { type: 'string' },
        runs: { type: 'string' },
        temperature: { type: 'string' },
        'max-tokens': { type: 'string' },
        timeout: { type: 'string' },
        'no-stream': { type: 'boolean', default: false },
        'expect-exact': { type: 'string' },
        'expect-contains': { type: 'string' },
        'expect-regex': { type: 'string' },
        'expect-json-schema': { type: 'string' },
        judge: { type: 'string' },
        rubric: { type: 'string' },
        current: { type: 'string' },
        'requests-per-month': { type: 'string' },
        format: { type: 'string', default: 'table' },
        out: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        root: { type: 'string' },
        usage: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(COMPARE_HELP);
    return EXIT.OK;
  }
  const format = v.format!;
  if (!['table', 'json', 'markdown'].includes(format)) return fail(io, `--format must be table, json or markdown (got '${format}')`);
  if (!v.prompt) return fail(io, '--prompt <file> is required (see --help)');
  if (!v.models) return fail(io, '--models <a,b> is required (see --help)');
  const specs = v.models.split(',').map((s) => s.trim()).filter(Boolean);
  if (specs.length < COMPARE_LIMITS.minModels || specs.length > COMPARE_LIMITS.maxModels) return fail(io, `--models takes ${COMPARE_LIMITS.minModels}–${COMPARE_LIMITS.maxModels} models (got ${specs.length})`);

  const numbers: Record<string, number | undefined> = {};
  for (const [flag, integer] of [
    ['runs', true],
    ['temperature', false],
    ['max-tokens', true],
    ['timeout', false],
    ['requests-per-month', false],
  ] as const) {
    const n = positiveNumber(v[flag], `--${flag}`, integer);
    if (typeof n === 'string') return fail(io, n);
    numbers[flag] = n;
  }
  if (v.provider !== undefined && !providerById(v.provider)) return fail(io, `unknown --provider '${v.provider}' (known: ${PROVIDERS.map((p) => p.id).join(', ')})`);

  // ---- prompt
  const promptPath = path.resolve(io.cwd, v.prompt);
  let promptText: string;
  try {
    promptText = fs.readFileSync(promptPath, 'utf8');
  } catch (err) {
    return fail(io, `cannot read the prompt ${v.prompt}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const fromFile = readPromptFile(v.prompt, promptText);
  if ('error' in fromFile) return fail(io, fromFile.error);
  const values: Record<string, string> = {};
  for (const pair of v.var ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return fail(io, `--var takes name=value (got '${pair}')`);
    values[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  const placeholders: Placeholder[] = findPlaceholders(fromFile.messages.map((m) => m.content).join('\n')).map((name) => ({ name, expression: name, value: '' }));
  const unknownVars = Object.keys(values).filter((k) => !placeholders.some((p) => p.name === k));
  if (unknownVars.length) return fail(io, `--var ${unknownVars.join(', ')}: the prompt has no such {{placeholder}}${placeholders.length ? ` (it has ${placeholders.map((p) => p.name).join(', ')})` : ''}`);
  const rendered = renderPrompt({ messages: fromFile.messages, placeholders }, values);
  if (!rendered.ok) return fail(io, `the prompt cannot be sent: ${rendered.problems.join('; ')}${rendered.problems.some((p) => p.startsWith('fill in')) ? ' (use --var name=value)' : ''}`);

  // ---- quality
  const checks: QualityCheck[] = [];
  if (v['expect-exact'] !== undefined) checks.push({ kind: 'exact', expected: v['expect-exact'] });
  if (v['expect-contains'] !== undefined) checks.push({ kind: 'contains', expected: v['expect-contains'] });
  if (v['expect-regex'] !== undefined) checks.push({ kind: 'regex', pattern: v['expect-regex'] });
  if (v['expect-json-schema'] !== undefined) {
    try {
      const schema = JSON.parse(fs.readFileSync(path.resolve(io.cwd, v['expect-json-schema']), 'utf8')) as unknown;
      if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) return fail(io, `${v['expect-json-schema']} is not a JSON Schema object`);
      checks.push({ kind: 'json-schema', schema: schema as Record<string, unknown> | boolean });
    } catch (err) {
      return fail(io, `cannot read the JSON schema ${v['expect-json-schema']}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  let rubric = DEFAULT_RUBRIC;
  if (v.rubric !== undefined) {
    if (!v.judge) return fail(io, '--rubric needs --judge <model>');
    try {
      rubric = fs.readFileSync(path.resolve(io.cwd, v.rubric), 'utf8');
    } catch (err) {
      return fail(io, `cannot read the rubric ${v.rubric}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  // ---- prices (the workspace's overrides included) and tokenizer
  const root = path.resolve(io.cwd, v.root ?? '.');
  const config = await loadWorkspaceConfig(root, v.usage, io);
  if (!config) return EXIT.CONFIG;
  const prices = createPriceCatalogue({ overrides: config.priceOverrides });

  // ---- endpoints
  const explicitProvider = v.provider ? providerById(v.provider)!.id : v['base-url'] ? 'custom' : undefined;
  const targetOptions: TargetOptions = { provider: v.provider ? explicitProvider : undefined, baseURL: v['base-url'], prices };
  const { targets, errors } = resolveTargets(specs, targetOptions);
  if (errors.length) return fail(io, errors.map((e) => `${e.spec}: ${e.error}`).join('; '));
  let judge: NonNullable<CompareRequest['quality']>['judge'];
  if (v.judge) {
    const r = resolveTarget(v.judge, targetOptions);
    if (!r.ok) return fail(io, `--judge ${v.judge}: ${r.error}`);
    judge = { target: { ...r.target, id: `${r.target.id} (judge)` }, rubric };
  }
  const current = v.current ?? targets[0]!.id;
  if (v.current && !targets.some((t) => t.id === v.current || t.model === v.current)) io.stderr.write(`costlens compare: --current ${v.current} is not among --models: "vs current" cannot be measured\n`);

  const request: CompareRequest = {
    messages: rendered.messages,
    targets,
    runs: numbers.runs ?? COMPARE_DEFAULTS.runs,
    temperature: numbers.temperature ?? null,
    maxOutputTokens: numbers['max-tokens'] ?? COMPARE_DEFAULTS.maxOutputTokens,
    requestsPerMonth: numbers['requests-per-month'] ?? null,
    currentModel: current,
    stream: !v['no-stream'],
    timeoutMs: numbers.timeout !== undefined ? Math.max(1, Math.round(numbers.timeout * 1000)) : undefined,
    quality: checks.length || judge ? { checks, judge } : undefined,
  };
  const problems = validateCompareRequest(request);
  if (problems.length) return fail(io, problems.join('; '));

  const tokenizer = await createTokenizer();
  try {
    const estimate = estimateComparison(request, { tokenizer, prices });
    if (v['dry-run']) {
      const output = format === 'json' ? `${JSON.stringify({ schemaVersion: 1, dryRun: true, estimate }, null, 2)}\n` : renderEstimate(estimate, request, format === 'markdown');
      return write(io, v.out, output, EXIT.OK, format === 'json');
    }

    const progress = !v.quiet && (io.stderr as NodeJS.WriteStream).isTTY === true;
    const controller = new AbortController();
    const onSigint = (): void => {
      io.stderr.write('\ncostlens compare: cancelling…\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    let result: ComparisonResult;
    try {
      result = await runComparison(request, {
        getKey: envKeyGetter(io.env ?? process.env, { explicitProvider }),
        keyHint: (id) => (id === explicitProvider ? [...new Set([GENERIC_KEY_ENV, ...keyHint(id).split(' or ')])].join(' or ') : keyHint(id)),
        prices,
        tokenizer,
        signal: controller.signal,
        onEvent: progress ? (e) => reportProgress(io, e) : undefined,
      });
    } catch (err) {
      if (err instanceof CompareRequestError) return fail(io, err.problems.join('; '));
      throw err;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }

    let output: string;
    if (format === 'json') output = `${JSON.stringify({ schemaVersion: 1, estimate, result }, null, 2)}\n`;
    else if (format === 'markdown') output = renderComparisonMarkdown(result);
    else output = renderCompareTable(result, estimate);
    // Per-model errors go to stderr too, so a script sees them whatever the format.
    if (format !== 'table') for (const m of result.models) if (m.status === 'failed' && m.error) io.stderr.write(terminalSafe(`costlens compare: ${m.model}: ${m.error.message}\n`));
    const anyOk = result.models.some((m) => m.okRuns > 0);
    return write(io, v.out, output, anyOk ? EXIT.OK : EXIT.ERROR, format === 'json');
  } finally {
    tokenizer.dispose();
  }
}

function write(io: CliIo, out: string | undefined, output: string, code: number, json = false): number {
  if (!out) {
    // Answers and server messages are untrusted: no escape sequence of theirs reaches the terminal (JSON escapes its own).
    io.stdout.write(json ? output.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : terminalSafe(output));
    return code;
  }
  try {
    fs.writeFileSync(path.resolve(io.cwd, out), output);
  } catch (err) {
    io.stderr.write(`costlens compare: cannot write ${out}: ${(err as Error).message}\n`);
    return EXIT.ERROR;
  }
  io.stderr.write(`costlens: wrote ${out}\n`);
  return code;
}

function reportProgress(io: CliIo, e: CompareEvent): void {
  switch (e.type) {
    case 'retry':
      io.stderr.write(terminalSafe(`  ${e.model} run ${e.run}: retrying${e.delayMs ? ` in ${formatDuration(e.delayMs)}` : ''} (${e.reason})\n`));
      break;
    case 'done':
      io.stderr.write(`  ${e.model} run ${e.run}: done${e.result.latencyMs !== null ? ` in ${formatDuration(e.result.latencyMs)}` : ''}\n`);
      break;
    case 'error':
      io.stderr.write(terminalSafe(`  ${e.model} run ${e.run}: ${e.error.message}\n`));
      break;
    default:
      break;
  }
}

/** The --dry-run output: tokens and the most the comparison can cost, per model. */
export function renderEstimate(estimate: DryRunEstimate, request: CompareRequest, markdown: boolean): string {
  const rows = estimate.lines.map((l) => [
    `${l.model}${l.role === 'judge' ? '' : ''}`,
    l.providerLabel,
    String(l.requests),
    `${l.tokensApproximate ? '~' : ''}${formatTokens(l.inputTokensPerRequest)}`,
    formatTokens(l.maxOutputTokensPerRequest),
    l.maxCostPerRequestUsd === null ? 'price unknown' : formatCostPerRequest(l.maxCostPerRequestUsd),
    l.maxCostUsd === null ? 'price unknown' : formatCostPerRequest(l.maxCostUsd),
  ]);
  const header = ['model', 'provider', 'requests', 'input tokens', 'max output', 'max $/req', 'max total'];
  const total = `Nothing was sent. At most ${formatCostPerRequest(estimate.maxCostUsd)} for ${estimate.requests} request${estimate.requests === 1 ? '' : 's'} (${formatTokens(estimate.totalInputTokens)} input + up to ${formatTokens(estimate.totalMaxOutputTokens)} output tokens)${estimate.unpriced.length ? `, plus ${estimate.unpriced.join(', ')} (price unknown)` : ''}.`;
  const lines: string[] = [];
  if (markdown) {
    lines.push(`## costlens compare — dry run (${request.targets.length} models × ${request.runs} runs)`, '');
    lines.push(`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i >= 2 ? '---:' : '---')).join(' | ')} |`);
    for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
    lines.push('', total, '');
    for (const n of estimate.notes) lines.push(`- ${n}`);
  } else {
    lines.push(...table(header, rows, new Set([2, 3, 4, 5, 6])));
    lines.push('', total);
    for (const n of estimate.notes) lines.push(`  ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

function table(header: string[], rows: string[][], right: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

/** The default terminal output: one row per model, then errors, the answers and the notes. */
export function renderCompareTable(result: ComparisonResult, estimate: DryRunEstimate | null): string {
  const out: string[] = [];
  const p = result.params;
  const facts = [
    `${result.models.length} model${result.models.length === 1 ? '' : 's'} × ${p.runs} run${p.runs === 1 ? '' : 's'}`,
    `output limit ${formatTokens(p.maxOutputTokens)} tokens`,
    `temperature ${p.temperature ?? 'default'}`,
    ...(p.requestsPerMonth !== null ? [`${formatTokens(p.requestsPerMonth)} requests/month`] : []),
  ];
  out.push(`costlens compare: ${facts.join(' · ')}`);
  if (result.cancelled) out.push('Cancelled: the figures cover the runs that finished.');
  out.push('');
  const rows = result.models.map((s) => {
    const r = comparisonRow(s);
    return [`${s.model}${s.isCurrent ? ' *' : ''}`, r.provider, r.status, r.runs, r.tokens, r.perRequest, r.monthly, r.change, r.ttft, r.latency, r.checks, r.judge];
  });
  const header = ['model', 'provider', 'status', 'runs', 'tokens in/out', '$/req', '$/month', 'vs current', 'first token', 'latency', 'checks', 'judge'];
  // Columns with nothing to show (no traffic given, no quality signal, no streaming) are left out.
  const keep = header.map((_, i) => i < 6 || i === 9 || rows.some((r) => r[i] !== '—'));
  const pick = <T>(xs: T[]): T[] => xs.filter((_, i) => keep[i]);
  const rightIdx = new Set(pick(header.map((_, i) => i)).map((orig, i) => (orig >= 3 && orig <= 9 ? i : -1)).filter((i) => i >= 0));
  out.push(...table(pick(header), rows.map(pick), rightIdx));
  out.push('');
  if (result.models.some((m) => m.isCurrent)) out.push('* current model');
  if (result.quality) out.push(result.cheapestGoodEnough ? `Cheapest good enough: ${result.cheapestGoodEnough}` : 'No model met the quality bar.');
  const spent = `Spent ${formatCostPerRequest(result.totalCostUsd)}${result.unpricedRequests ? ` (+ ${result.unpricedRequests} request${result.unpricedRequests === 1 ? '' : 's'} with unknown price)` : ''}`;
  out.push(estimate ? `${spent}; estimated beforehand: at most ${formatCostPerRequest(estimate.maxCostUsd)}.` : `${spent}.`);
  const failed = result.models.filter((m) => m.error && m.status !== 'ok');
  if (failed.length) {
    out.push('', 'Errors:');
    for (const m of failed) out.push(`  ${m.model} (${m.providerLabel}): ${m.error!.message}`);
  }
  const answered = result.models.filter((m) => m.okRuns > 0);
  if (answered.length) {
    out.push('', 'Answers (first successful run):');
    for (const m of answered) {
      const r = m.runs.find((x) => x.status === 'ok')!;
      const text = r.output.length > 600 ? `${r.output.slice(0, 600)}… (${(r.output.length - 600).toLocaleString('en-US')} more characters)` : r.output;
      out.push(`  ── ${m.model} (run ${r.run})`);
      for (const line of (text || '(empty answer)').split('\n')) out.push(`     ${line}`);
      for (const c of r.quality?.checks ?? []) if (!c.passed) out.push(`     ✗ ${c.label}: ${c.detail}`);
      if (r.quality?.judge) out.push(`     judge: ${r.quality.judge.score !== null ? `${r.quality.judge.score}/10` : 'no score'} — ${r.quality.judge.reason}`);
    }
  }
  const notes = [...new Set([...result.models.flatMap((m) => m.runs.flatMap((r) => r.notes.map((n) => `${m.model}: ${n}`))), ...result.notes])];
  if (notes.length) {
    out.push('', 'Notes:');
    for (const n of notes) out.push(`  ${n}`);
  }
  return `${out.join('\n')}\n`;
}
