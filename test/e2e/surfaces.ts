// What a user sees of costlens in the workbench, read from the DOM: CodeLens and inlay hints per line, hovers, the
// Problems panel, the call-site tree and the status bar; plus small actions (go to line, hover a word) and timing.
//
// Browser-side code is passed to page.evaluate() as text (see Page.evaluate in playwright.ts): the project
// type-checks without the DOM lib, and tsx would add `__name()` calls to functions that the page does not define.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, makeTempDir, type Editor } from './harness';
import type { Page } from './playwright';

/** The code editor of the active editor group (not a hover's or a peek's embedded editor). */
export const ACTIVE_EDITOR = '.editor-group-container.active .editor-container .monaco-editor';
/** The costlens view container (activity bar item and its side bar). */
export const SIDEBAR = '.part.sidebar';
export const STATUS_ITEM = '.statusbar-item[id="costlens.costlens.costlens.total"]';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Monaco renders spaces as U+00A0 and icons as empty elements: one space between words, trimmed. */
export function normalize(text: string): string {
  return text.replace(/[\u00a0\s]+/g, ' ').trim();
}

/** Polls `probe` until it returns a value other than undefined; fails with `what` and the last value seen. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, options: { timeoutMs?: number; intervalMs?: number; last?: () => unknown } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const last = options.last ? await Promise.resolve().then(options.last).catch((err: unknown) => `(${String(err)})`) : undefined;
      throw new Error(`timed out after ${options.timeoutMs ?? 20_000} ms waiting for ${what}${last === undefined ? '' : `; last seen: ${JSON.stringify(last)}`}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/** `[measure] name: N ms` in the test output (the figures the report quotes). */
export function measure(name: string, ms: number, detail = ''): void {
  console.log(`[measure] ${name}: ${Math.round(ms)} ms${detail ? ` (${detail})` : ''}`);
}

// ---------------------------------------------------------------- workspace

/** The bundled example project's scan, as committed (test/golden/example-app.json, `costlens scan --format json`). */
export interface GoldenSite {
  id: string;
  file: string;
  line: number;
  column: number;
  model: { resolved: string | null };
  estimate: { costPerRequestUsd: number | null; monthlyCostUsd: number; trafficSource: string; feature?: string | null } | null;
}
export function exampleGolden(): { callSites: GoldenSite[]; totals: { callSites: number; monthlyCostUsd: number } } {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'golden', 'example-app.json'), 'utf8'));
}
export function goldenSite(id: string): GoldenSite {
  const site = exampleGolden().callSites.find((s) => s.id === id);
  if (!site) throw new Error(`test/golden/example-app.json has no call site ${id}`);
  return site;
}

/** A copy of test/fixtures/example-app in a fresh temp folder (tests edit it freely). */
export function copyExampleApp(prefix = 'ws-example-'): string {
  const dir = makeTempDir(prefix);
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'example-app'), dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------- editor content

interface LineBox {
  n: number;
  top: number;
  height: number;
}

const LINE_NUMBERS_JS = `[...ed.querySelectorAll('.margin-view-overlays .line-numbers')]
    .map((e) => { const r = e.getBoundingClientRect(); return { n: Number(e.textContent.trim()), top: r.top, height: r.height }; })
    .filter((l) => l.n > 0 && l.height > 0)
    .sort((a, b) => a.top - b.top)`;

/**
 * The CodeLens texts of the active editor by line. A lens renders in a view zone right above its line: it belongs to
 * the first line number whose top is at or below the lens's top, at most two lines further down.
 */
export async function lensesByLine(page: Page): Promise<Map<number, string[]>> {
  const data = await page.evaluate<{ lines: LineBox[]; lenses: Array<{ text: string; top: number; height: number }> } | null>(`(() => {
    const ed = document.querySelector(${JSON.stringify(ACTIVE_EDITOR)});
    if (!ed) return null;
    const lines = ${LINE_NUMBERS_JS};
    const view = ed.querySelector('.overflow-guard').getBoundingClientRect();
    // Lenses of lines scrolled out of view stay in the DOM, hidden.
    const lenses = [...ed.querySelectorAll('.codelens-decoration')]
      .filter((e) => getComputedStyle(e).visibility !== 'hidden')
      .map((e) => { const r = e.getBoundingClientRect(); return { text: e.textContent, top: r.top, height: r.height }; })
      .filter((l) => l.height > 0 && l.top >= view.top - 1 && l.top < view.bottom && l.text.trim() !== '');
    return { lines, lenses };
  })()`);
  const out = new Map<number, string[]>();
  if (!data) return out;
  for (const lens of data.lenses) {
    const line = data.lines.find((l) => l.top >= lens.top - 1);
    if (!line || line.top - lens.top > 2 * line.height) continue; // its line is scrolled out of view
    out.set(line.n, [...(out.get(line.n) ?? []), normalize(lens.text)]);
  }
  return out;
}

/** Waits until the lens on `line` (1-based) matches `pattern`; returns its text and how long that took. */
export async function waitForLens(page: Page, line: number, pattern: RegExp | string, timeoutMs = 20_000): Promise<{ text: string; ms: number }> {
  const t0 = Date.now();
  const test = (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
  // An editor reopened keeps its scroll position: bring the line into view if it is not.
  const lines = await visibleLines(page);
  if (lines.size && !lines.has(line)) await gotoLine(page, line);
  const text = await waitUntil(
    `a CodeLens on line ${line} matching ${String(pattern)}`,
    async () => (await lensesByLine(page)).get(line)?.find(test),
    { timeoutMs, last: async () => Object.fromEntries(await lensesByLine(page)) },
  );
  return { text, ms: Date.now() - t0 };
}

/**
 * The inlay hints of the active editor by line. Monaco renders a hint as injected text whose class is a generated
 * `dyn-rule-*` CSS rule; a hint's rule is the one that paints with the editorInlayHint theme colours.
 */
export async function inlayHintsByLine(page: Page): Promise<Map<number, string[]>> {
  const data = await page.evaluate<{ lines: LineBox[]; hints: Array<{ top: number; texts: string[] }> } | null>(`(() => {
    const hintClasses = new Set();
    for (const sheet of document.styleSheets) {
      let rules;
      try { rules = sheet.cssRules; } catch { continue; }
      for (const rule of rules) {
        const m = /^\\.(dyn-rule-[\\w-]+)$/.exec((rule.selectorText || '').trim());
        if (m && /--vscode-editorInlayHint/.test(rule.cssText)) hintClasses.add(m[1]);
      }
    }
    const ed = document.querySelector(${JSON.stringify(ACTIVE_EDITOR)});
    if (!ed) return null;
    const lines = ${LINE_NUMBERS_JS};
    const hints = [];
    for (const viewLine of ed.querySelectorAll('.view-lines .view-line')) {
      const parts = [...viewLine.querySelectorAll('span')].filter((s) => [...s.classList].some((c) => hintClasses.has(c)) && s.textContent.trim() !== '');
      if (parts.length) hints.push({ top: viewLine.getBoundingClientRect().top, texts: parts.map((p) => p.textContent) });
    }
    return { lines, hints };
  })()`);
  const out = new Map<number, string[]>();
  if (!data) return out;
  for (const hint of data.hints) {
    const line = data.lines.find((l) => Math.abs(l.top - hint.top) < 2);
    if (line) out.set(line.n, hint.texts.map(normalize));
  }
  return out;
}

/** The text of the active editor (Monaco renders only the visible lines; the test files are short). */
export async function editorText(page: Page): Promise<string> {
  return normalize(await page.locator(`${ACTIVE_EDITOR} .view-lines`).first().innerText());
}

/** Viewport coordinates of the middle of the first occurrence of `word` on a visible line containing `lineText`. */
export async function wordPosition(page: Page, lineText: string, word: string): Promise<{ x: number; y: number }> {
  const pos = await page.evaluate<{ x: number; y: number } | null>(`(() => {
    const ed = document.querySelector(${JSON.stringify(ACTIVE_EDITOR)});
    if (!ed) return null;
    const norm = (s) => s.replace(/\\u00a0/g, ' ');
    for (const line of ed.querySelectorAll('.view-lines .view-line')) {
      if (!norm(line.textContent).includes(${JSON.stringify(lineText)})) continue;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const i = norm(node.textContent).indexOf(${JSON.stringify(word)});
        if (i < 0) continue;
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + ${word.length});
        const r = range.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }
    }
    return null;
  })()`);
  if (!pos) throw new Error(`no visible line containing ${JSON.stringify(lineText)} with ${JSON.stringify(word)} in the active editor`);
  return pos;
}

/** Viewport tops of the line numbers visible in the active editor. */
export async function visibleLines(page: Page): Promise<Map<number, number>> {
  const lines = await page.evaluate<LineBox[]>(`(() => {
    const ed = document.querySelector(${JSON.stringify(ACTIVE_EDITOR)});
    if (!ed) return [];
    const view = ed.querySelector('.overflow-guard').getBoundingClientRect();
    return (${LINE_NUMBERS_JS}).filter((l) => l.top >= view.top - 1 && l.top + l.height <= view.bottom + 1);
  })()`);
  return new Map(lines.map((l) => [l.n, l.top]));
}

/**
 * Scrolls the active editor with the mouse wheel until `line` is between `minY` and `maxY` pixels below the editor's
 * top (Monaco scrolls a few lines per wheel event).
 */
export async function scrollLineTo(page: Page, line: number, minY: number, maxY: number): Promise<void> {
  const box = await page.locator(ACTIVE_EDITOR).first().boundingBox();
  if (!box) throw new Error('no active editor');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  let seen: number[] = [];
  for (let i = 0; i < 40; i++) {
    const lines = await visibleLines(page);
    seen = [...lines.keys()];
    const top = lines.get(line);
    const y = top === undefined ? undefined : top - box.y;
    if (y !== undefined && y >= minY && y <= maxY) return;
    const below = y === undefined ? (seen[0] ?? 0) < line : y > maxY;
    await page.mouse.wheel(0, below ? 60 : -60);
    await sleep(150);
  }
  throw new Error(`could not scroll line ${line} to ${minY}–${maxY} px below the editor's top (visible lines ${seen[0]}–${seen[seen.length - 1]})`);
}

/** Go to Line (Ctrl+G) `line:column` in the active editor; waits for the status bar to show it. */
export async function gotoLine(page: Page, line: number, column = 1): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget').waitFor({ state: 'visible' });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await cursorAt(page, line, column);
}

/** Waits until the status bar shows the cursor at `line:column`. */
export async function cursorAt(page: Page, line: number, column: number, timeoutMs = 10_000): Promise<void> {
  await waitUntil(
    `the cursor at Ln ${line}, Col ${column}`,
    async () => ((await selectionText(page)) === `Ln ${line}, Col ${column}` ? true : undefined),
    { timeoutMs, last: () => selectionText(page) },
  );
}

async function selectionText(page: Page): Promise<string> {
  return normalize((await page.locator('.statusbar-item[id="status.editor.selection"]').first().textContent({ timeout: 2_000 }).catch(() => '')) ?? '');
}

// ---------------------------------------------------------------- hover

/** The visible hover's text (waits for it). */
export async function visibleHoverText(page: Page, mustContain = 'costlens'): Promise<string> {
  return waitUntil(
    `a visible hover containing ${JSON.stringify(mustContain)}`,
    async () => {
      for (const text of await page.locator('.monaco-hover:not(.hidden)').allInnerTexts()) if (normalize(text).includes(mustContain)) return normalize(text);
      return undefined;
    },
    { timeoutMs: 15_000, last: async () => (await page.locator('.monaco-hover:not(.hidden)').allInnerTexts()).map(normalize) },
  );
}

/** Closes hovers and moves the mouse out of the editor. */
export async function dismissHover(page: Page): Promise<void> {
  await page.mouse.move(25, 600); // the empty middle of the activity bar: no hover, no tooltip
  await page.keyboard.press('Escape');
  await sleep(150);
}

// ---------------------------------------------------------------- Problems panel

export interface ProblemRow {
  /** The row's accessible label: `Info: <message> at line 21 and character 16. generated by costlens`. */
  label: string;
  text: string;
}

/** Opens the Problems panel and returns its rows (file rows and marker rows), optionally filtered by `filter`. */
export async function problems(editor: Editor, filter = ''): Promise<ProblemRow[]> {
  const { page } = editor;
  if (!(await page.locator('.markers-panel').first().isVisible().catch(() => false))) {
    await editor.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await page.locator('.markers-panel').first().waitFor({ state: 'visible' });
  }
  const input = page.locator('.part.panel .viewpane-filter input').first();
  await input.fill(filter);
  await sleep(400); // the filter is debounced
  return page.evaluate<ProblemRow[]>(`[...document.querySelectorAll('.markers-panel .monaco-list-row')].map((r) => ({ label: r.getAttribute('aria-label') || '', text: r.innerText }))`);
}

/** Waits until a Problems row's label matches `pattern` (with the panel filtered by `filter`). */
export async function waitForProblem(editor: Editor, pattern: RegExp, filter = '', timeoutMs = 20_000): Promise<ProblemRow> {
  return waitUntil(`a Problems entry matching ${String(pattern)} (filter ${JSON.stringify(filter)})`, async () => (await problems(editor, filter)).find((r) => pattern.test(r.label)), {
    timeoutMs,
    intervalMs: 300,
    last: async () => (await problems(editor, filter)).map((r) => r.label),
  });
}

/** Closes the panel (Problems, Output, ...) if it is open. */
export async function closePanel(editor: Editor): Promise<void> {
  if (await editor.page.locator('.part.panel').first().isVisible().catch(() => false)) {
    await editor.runCommand('View: Toggle Panel Visibility');
    await editor.page.locator('.part.panel').first().waitFor({ state: 'hidden' });
  }
}

// ---------------------------------------------------------------- call-site tree

export interface TreeRow {
  label: string;
  description: string;
  level: number;
  expanded: string | null;
  selected: boolean;
}

/** Shows the costlens view container (its activity bar item) and waits for the call-site tree's rows. */
export async function showCostlensView(page: Page): Promise<void> {
  // The label gains the badge's text when the view has one (unpriced call sites).
  const item = page.locator('.activitybar .action-label[aria-label^="costlens"]').first();
  const active = await page.locator('.activitybar .action-item.checked .action-label[aria-label^="costlens"]').count();
  if (!active) await item.click();
  await page.locator(`${SIDEBAR} .monaco-list-row`).first().waitFor({ state: 'visible' });
}

export async function treeRows(page: Page): Promise<TreeRow[]> {
  return page.evaluate<TreeRow[]>(`[...document.querySelectorAll(${JSON.stringify(`${SIDEBAR} .monaco-list-row`)})].map((r) => ({
    label: (r.querySelector('.label-name')?.textContent || '').trim(),
    description: (r.querySelector('.label-description')?.textContent || '').trim(),
    level: Number(r.getAttribute('aria-level') || 0),
    expanded: r.getAttribute('aria-expanded'),
    selected: r.classList.contains('selected'),
  }))`);
}

/** Drags the side bar's edge so that it is `width` pixels wide; returns the previous width. */
export async function resizeSidebar(page: Page, width: number): Promise<number> {
  const box = await page.locator(SIDEBAR).first().boundingBox();
  if (!box) throw new Error('the side bar is not visible');
  const edge = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(edge, y);
  await page.mouse.down();
  await page.mouse.move(edge + (width - box.width) / 2, y, { steps: 5 });
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
  await sleep(200);
  return box.width;
}

/** The side bar's title, e.g. `COSTLENS: LLM CALL SITES`. */
export async function sidebarTitle(page: Page): Promise<string> {
  return normalize((await page.locator(`${SIDEBAR} .composite.title`).first().innerText()).replace(/\n/g, ' '));
}

// ---------------------------------------------------------------- files

/** Keeps `shot` under test-results/e2e and reports its size. */
export function reportShot(file: string): void {
  console.log(`[e2e] screenshot ${path.relative(REPO_ROOT, file)} (${Math.round(fs.statSync(file).size / 1024)} KB)`);
}

/** Reads a workspace file (UTF-8). */
export function readWs(editor: Editor, rel: string): string {
  return fs.readFileSync(path.join(editor.workspaceDir, rel), 'utf8');
}
