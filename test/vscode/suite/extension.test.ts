// The extension in a real VS Code (run by test/vscode/runTest.ts on a copy of test/fixtures/example-app): it
// activates, and its providers answer VS Code's own commands with the figures of the golden scan
// (test/golden/example-app.json): CodeLens, hover, diagnostics, inlay hints, and the totals of the status bar.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CostlensApi } from '../../../src/extension';

export interface TestCase {
  name: string;
  fn: () => Promise<void>;
  timeoutMs?: number;
  /** The tests after this one need it to pass. */
  required?: boolean;
}

const EXTENSION_ID = 'costlens.costlens';
const ANSWERS = 'api/answers.py#answer_question#0';
const TAG = 'worker/tag_tickets.py#tag_ticket#0';
const EMBED = 'web/app/api/summarize/route.ts#POST#1';

interface GoldenSite {
  id: string;
  file: string;
  line: number;
  column: number;
  model: { resolved: string | null };
}
interface Golden {
  callSites: GoldenSite[];
  totals: { callSites: number; monthlyCostUsd: number; unpricedCallSites: number };
}

function golden(): Golden {
  const root = process.env.COSTLENS_REPO_ROOT;
  assert.ok(root, 'COSTLENS_REPO_ROOT is not set (runTest.ts sets it)');
  return JSON.parse(fs.readFileSync(path.join(root, 'test', 'golden', 'example-app.json'), 'utf8')) as Golden;
}

function site(id: string): GoldenSite {
  const s = golden().callSites.find((c) => c.id === id);
  assert.ok(s, `test/golden/example-app.json has no call site ${id}`);
  return s;
}

function workspaceUri(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open (runTest.ts passes the example project as the first launch argument)');
  return vscode.Uri.joinPath(folder.uri, rel);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The hovers' Markdown, with Markdown's backslash escapes removed (`ANSWER\_MODEL` → `ANSWER_MODEL`). */
function markdownOf(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n')
    .replace(/\\([\\`*_{}[\]()<>#+\-.!|])/g, '$1');
}

let api: CostlensApi | undefined;

async function lensesOf(rel: string): Promise<vscode.CodeLens[]> {
  const uri = workspaceUri(rel);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  // The second argument resolves up to that many lenses (ours come resolved).
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
}

export const tests: TestCase[] = [
  {
    name: 'the extension activates and returns its API',
    required: true,
    fn: async () => {
      const ext = vscode.extensions.getExtension<CostlensApi>(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is not installed in the test instance`);
      api = await ext.activate();
      assert.ok(ext.isActive);
      assert.equal(typeof api.totals, 'function');
    },
  },
  {
    name: 'the first workspace scan finishes with the golden totals (the status bar figure)',
    required: true,
    fn: async () => {
      assert.ok(api);
      await waitFor('the first scan', () => (api!.hasScanned() ? true : undefined));
      const totals = api.totals();
      const expected = golden().totals;
      assert.equal(totals.callSites, expected.callSites);
      assert.equal(totals.unpricedCallSites, expected.unpricedCallSites);
      assert.ok(Math.abs(totals.monthlyCostUsd - expected.monthlyCostUsd) < 0.01, `monthly ${totals.monthlyCostUsd} ≠ ${expected.monthlyCostUsd}`);
    },
  },
  {
    name: 'vscode.executeCodeLensProvider: the lens of api/answers.py on its call line',
    fn: async () => {
      const answers = site(ANSWERS);
      const lenses = (await lensesOf(answers.file)).filter((l) => l.command?.command === 'costlens.showBreakdown');
      assert.equal(lenses.length, 1, JSON.stringify(lenses.map((l) => l.command?.title)));
      const lens = lenses[0]!;
      assert.equal(lens.range.start.line, answers.line - 1);
      assert.equal(lens.command?.title, '$(graph) ≈ $0.0050/req · $1.8k/mo · gpt-4o');
      assert.deepEqual(lens.command?.arguments?.[1], ANSWERS);
    },
  },
  {
    name: 'vscode.executeCodeLensProvider: the default-traffic site is flagged',
    fn: async () => {
      const embed = site(EMBED);
      const lenses = (await lensesOf(embed.file)).filter((l) => l.command?.command === 'costlens.showBreakdown');
      assert.deepEqual(
        lenses.map((l) => [l.range.start.line + 1, l.command?.title]),
        [
          [6, '$(graph) ≈ $0.00019/req · $8.58/mo · gpt-4o-mini'],
          [embed.line, '$(graph) ≈ <$0.00001/req · $0.15/mo · text-embedding-3-small $(warning) assumed traffic'],
        ],
      );
    },
  },
  {
    name: 'vscode.executeHoverProvider: the breakdown of the call',
    fn: async () => {
      const answers = site(ANSWERS);
      const uri = workspaceUri(answers.file);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(answers.line - 1, answers.column - 2));
      const md = markdownOf(hovers ?? []);
      for (const part of [
        '**Model** `gpt-4o` — ANSWER_MODEL (api/settings.py:4) → env ANSWER_MODEL unset → default in code',
        '| Cost per request | **$0.0050** |',
        '| Requests | 360k/mo — costlens.yml callSites."api/answers.py#answer_question#0": 8,000–20,000/day (expected 12,000) |',
        '398 = 48 counted + 350 assumed for 1 dynamic part',
        '@pydantic/genai-prices',
        'command:costlens.setTraffic?',
        'command:costlens.showReport',
      ]) {
        assert.ok(md.includes(part), `the hover lacks ${JSON.stringify(part)}:\n${md}`);
      }
    },
  },
  {
    name: 'vscode.languages.getDiagnostics: the unbounded-output finding of worker/tag_tickets.py',
    fn: async () => {
      const tag = site(TAG);
      const uri = workspaceUri(tag.file);
      const finding = await waitFor('the costlens.unbounded-output diagnostic', () =>
        vscode.languages.getDiagnostics(uri).find((d) => d.source === 'costlens' && d.code === 'costlens.unbounded-output'),
      );
      assert.equal(finding.severity, vscode.DiagnosticSeverity.Information);
      assert.equal(finding.range.start.line, tag.line - 1);
      assert.match(finding.message, /^No output limit: the cost of one request has no ceiling \(300 output tokens assumed\)/);
      // The calls with an output limit have no such finding.
      for (const id of [ANSWERS, 'api/escalations.py#draft_reply#0']) {
        const other = workspaceUri(site(id).file);
        assert.ok(!vscode.languages.getDiagnostics(other).some((d) => d.code === 'costlens.unbounded-output'), id);
      }
    },
  },
  {
    name: 'costlens.hints.style = inlayHint: vscode.executeInlayHintProvider instead of CodeLens',
    fn: async () => {
      const config = vscode.workspace.getConfiguration('costlens');
      await config.update('hints.style', 'inlayHint', vscode.ConfigurationTarget.Global);
      try {
        const embed = site(EMBED);
        const uri = workspaceUri(embed.file);
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc);
        const range = new vscode.Range(0, 0, doc.lineCount, 0);
        const hints = await waitFor('inlay hints', async () => {
          const h = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', uri, range)) ?? [];
          return h.length ? h : undefined;
        });
        const label = (h: vscode.InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
        assert.deepEqual(
          hints.map((h) => [h.position.line + 1, label(h)]),
          [
            [6, '≈ $0.00019/req · $8.58/mo · gpt-4o-mini'],
            [embed.line, '⚠ ≈ <$0.00001/req · $0.15/mo · text-embedding-3-small · assumed traffic'],
          ],
        );
        const lenses = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? []).filter((l) => l.command?.command === 'costlens.showBreakdown');
        assert.equal(lenses.length, 0, 'no CodeLens with the inlayHint style');
      } finally {
        await config.update('hints.style', undefined, vscode.ConfigurationTarget.Global);
      }
    },
  },
];
