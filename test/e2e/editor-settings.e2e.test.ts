// The hint settings in a real editor (code-server + chromium), on a copy of test/fixtures/example-app:
// `costlens.hints.style` = inlayHint shows the cost as inlay hints and no CodeLens; `costlens.hints.disabledLanguages`
// = ["python"] shows no hints in .py files; and changing both in the Settings editor applies at once, without
// reopening the files. Figures print as `[measure] ...`; screenshots land in test-results/e2e/.
//
// Run: `npm run build && bash scripts/e2e/run.sh test/e2e/editor-settings.e2e.test.ts`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, startEditor, type Editor } from './harness';
import {
  copyExampleApp,
  dismissHover,
  inlayHintsByLine,
  lensesByLine,
  measure,
  reportShot,
  sleep,
  visibleHoverText,
  waitForLens,
  waitUntil,
  wordPosition,
} from './surfaces';

const SKIP: string | false = process.env.COSTLENS_E2E === '0' ? 'COSTLENS_E2E=0: the real-editor e2e tests are disabled in this run' : false;

const ANSWERS_HINT = '≈ $0.0050/req · $1.8k/mo · gpt-4o';
const SUMMARY_HINT = '≈ $0.00019/req · $8.58/mo · gpt-4o-mini';

let editor: Editor | undefined;
let workspaceDir: string | undefined;

before(async () => {
  if (SKIP) return;
  workspaceDir = copyExampleApp('ws-settings-');
  editor = await startEditor({
    workspaceDir,
    extensionDevDir: REPO_ROOT,
    userSettings: { 'costlens.hints.style': 'inlayHint', 'costlens.hints.disabledLanguages': ['python'], 'files.autoSave': 'off' },
  });
}, { timeout: 180_000 });

after(async () => {
  await editor?.stop();
  if (workspaceDir) fs.rmSync(workspaceDir, { recursive: true, force: true });
});

function started(): Editor {
  assert.ok(editor, 'the editor did not start (see the error of the before hook above)');
  return editor;
}

async function waitForHint(e: Editor, line: number, pattern: RegExp): Promise<{ text: string; ms: number }> {
  const t0 = Date.now();
  const text = await waitUntil(`an inlay hint on line ${line} matching ${String(pattern)}`, async () => (await inlayHintsByLine(e.page)).get(line)?.find((t) => pattern.test(t)), {
    last: async () => Object.fromEntries(await inlayHintsByLine(e.page)),
  });
  return { text, ms: Date.now() - t0 };
}

/** Hovers the call on `lineText` and waits for the cost breakdown: the file's analysis is there. */
async function breakdownShown(e: Editor, lineText: string, word: string): Promise<string> {
  await dismissHover(e.page);
  const at = await wordPosition(e.page, lineText, word);
  await e.page.mouse.move(at.x, at.y);
  const text = await visibleHoverText(e.page, 'Cost per request');
  await dismissHover(e.page);
  return text;
}

function userSettings(e: Editor): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(e.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
}

/** Opens the Settings editor filtered to one setting (its search box takes `@id:`) and waits for that setting. */
async function openSetting(e: Editor, id: string, title: string): Promise<void> {
  await e.runCommand('Preferences: Open Settings (UI)');
  await e.page.locator('.settings-editor .settings-header').first().waitFor({ state: 'visible' });
  await sleep(300); // the search box takes the focus
  await e.page.keyboard.press('Control+A');
  await e.page.keyboard.type(`@id:${id}`);
  await e.page.locator('.settings-editor .setting-item-title', { hasText: title }).first().waitFor({ state: 'visible' });
}

/** Closes the Settings editor (VS Code 1.139 opens it as a modal editor; "View: Close Editor" would close a file too). */
async function closeSettings(e: Editor): Promise<void> {
  await e.page.locator('.action-label[aria-label^="Close Modal Editor"]').first().click();
  await e.page.locator('.settings-editor').first().waitFor({ state: 'hidden' });
}

test('inlayHint style: the cost shows as inlay hints at the end of the call lines, and no CodeLens', { skip: SKIP, timeout: 60_000 }, async () => {
  const e = started();
  const t0 = Date.now();
  await e.openFile('web/app/api/summarize/route.ts');
  const opened = Date.now() - t0;
  const { ms } = await waitForHint(e, 12, /\$0\.15\/mo/);
  measure('open-to-inlay-hint (cold, first file)', opened + ms, `Quick Open ${opened} ms + hint ${ms} ms`);
  await waitForHint(e, 6, /gpt-4o-mini/);
  const hints = Object.fromEntries(await inlayHintsByLine(e.page));
  assert.deepEqual(Object.keys(hints).sort(), ['12', '6'], JSON.stringify(hints));
  assert.deepEqual(hints[6], [SUMMARY_HINT]);
  // The embed call's figure rests on built-in default traffic: the warning comes first, so VS Code's cut of long
  // hints (editor.inlayHints.maximumLength, 43 characters by default) keeps it.
  assert.equal(hints[12]!.length, 1);
  assert.ok(hints[12]![0]!.startsWith('⚠ ≈ <$0.00001/req · $0.15/mo · text-embedd'), JSON.stringify(hints[12]));
  await sleep(1_000);
  assert.equal((await lensesByLine(e.page)).size, 0, 'no CodeLens with the inlayHint style');
  reportShot(await e.screenshot('inlay-hints'));
  // The hint's tooltip names the assumption and has the breakdown.
  // (its start: the end of the long hint lies under the minimap)
  const at = await wordPosition(e.page, 'await embed(', '<$0.00001/req');
  await e.page.mouse.move(at.x, at.y);
  const tooltip = await visibleHoverText(e.page, 'assumed traffic');
  assert.match(tooltip, /^⚠ assumed traffic costlens · vercel-ai embeddings/);
  assert.match(tooltip, /Requests 30k\/mo — built-in default/);
  reportShot(await e.screenshot('inlay-hint-tooltip'));
  await dismissHover(e.page);
});

test('disabledLanguages ["python"]: no hints in a .py file (hovers still work)', { skip: SKIP, timeout: 60_000 }, async () => {
  const e = started();
  await e.openFile('api/answers.py');
  // The file's analysis is available (the hover shows it) ...
  assert.match(await breakdownShown(e, 'client.chat.completions.create(', 'create'), /Cost per request \$0\.0050/);
  // ... but neither an inlay hint nor a lens is shown.
  await sleep(500);
  assert.equal((await inlayHintsByLine(e.page)).size, 0, JSON.stringify(Object.fromEntries(await inlayHintsByLine(e.page))));
  assert.equal((await lensesByLine(e.page)).size, 0);
  reportShot(await e.screenshot('no-hints-python'));
});

test('settings changed in the Settings editor apply at once to the open files', { skip: SKIP, timeout: 120_000 }, async () => {
  const e = started();
  // 1. Python back on: remove it from hints.disabledLanguages.
  await openSetting(e, 'costlens.hints.disabledLanguages', 'Disabled Languages');
  const row = e.page.locator('.settings-editor .setting-list-row', { hasText: 'python' }).first();
  await row.hover();
  await row.locator('.action-label[aria-label="Remove Item"]').first().click();
  await waitUntil('settings.json without python', async () => {
    const v = userSettings(e)['costlens.hints.disabledLanguages'];
    return v === undefined || (Array.isArray(v) && !v.includes('python')) ? true : undefined;
  }, { last: () => userSettings(e) });
  const t0 = Date.now();
  await closeSettings(e);
  await e.page.locator('.tabs-container .tab.active[data-resource-name="answers.py"]').waitFor({ state: 'visible' });
  const { text } = await waitForHint(e, 27, /gpt-4o/);
  measure('setting-to-hint (python re-enabled, open file)', Date.now() - t0);
  assert.equal(text, ANSWERS_HINT);

  // 2. Style codeLens: the hints give way to lenses, in the open file.
  await openSetting(e, 'costlens.hints.style', 'Hints: Style');
  await e.page.locator('.settings-editor select').first().selectOption('codeLens');
  await waitUntil('settings.json with the default style', async () => (userSettings(e)['costlens.hints.style'] === undefined || userSettings(e)['costlens.hints.style'] === 'codeLens' ? true : undefined));
  await closeSettings(e);
  assert.equal((await waitForLens(e.page, 27, 'gpt-4o')).text, ANSWERS_HINT);
  await waitUntil('the inlay hints to go', async () => ((await inlayHintsByLine(e.page)).size === 0 ? true : undefined), { last: async () => Object.fromEntries(await inlayHintsByLine(e.page)) });
  reportShot(await e.screenshot('settings-codelens'));

  // 3. Style off: nothing inline; the hover still has the breakdown.
  await openSetting(e, 'costlens.hints.style', 'Hints: Style');
  await e.page.locator('.settings-editor select').first().selectOption('off');
  await waitUntil('settings.json with style off', async () => (userSettings(e)['costlens.hints.style'] === 'off' ? true : undefined));
  await closeSettings(e);
  await waitUntil('the lenses to go', async () => ((await lensesByLine(e.page)).size === 0 ? true : undefined), { last: async () => Object.fromEntries(await lensesByLine(e.page)) });
  assert.equal((await inlayHintsByLine(e.page)).size, 0);
  assert.match(await breakdownShown(e, 'client.chat.completions.create(', 'create'), /Cost per request \$0\.0050/);
});
