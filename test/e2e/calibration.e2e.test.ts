/**
 * A calibrated call site in the real editor: after `costlens calibrate --write` imports an OpenTelemetry export into
 * the example project's costlens.yml, the lens marks the figures as measured with how far the assumptions were off,
 * and the hover shows estimate versus actual.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, makeTempDir, startEditor, type Editor } from './harness';

const SKIP = process.env.COSTLENS_E2E === '0' ? 'COSTLENS_E2E=0' : false;
let editor: Editor | undefined;
let ws: string;

before(async () => {
  if (SKIP) return;
  ws = makeTempDir('ws-calibrated-');
  fs.cpSync(path.join(REPO_ROOT, 'test/fixtures/example-app'), ws, { recursive: true });
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'dist/cli.js'), 'calibrate', path.join(REPO_ROOT, 'test/fixtures/telemetry/otel-otlp.json'), '--root', ws, '--write'], { stdio: 'pipe' });
  assert.match(fs.readFileSync(path.join(ws, 'costlens.yml'), 'utf8'), /measured:/);
  editor = await startEditor({ workspaceDir: ws, extensionDevDir: REPO_ROOT });
}, { timeout: 180_000 });

after(() => editor?.stop());

test('the lens of a calibrated call marks its figures as measured, and the hover shows estimate vs actual', { skip: SKIP, timeout: 120_000 }, async () => {
  await editor!.openFile('api/answers.py');
  const lens = editor!.page.locator('.codelens-decoration').first();
  await lens.waitFor({ timeout: 60_000 });
  let text = '';
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    text = (await lens.textContent()) ?? '';
    if (/measured/.test(text)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.match(text, /\/req · .*\/mo · gpt-4o · measured \(guess \+\d[\d,]*%\)/);
  assert.doesNotMatch(text, /≈/, 'a measured figure is not shown as an approximation');
  await editor!.screenshot('calibrated-lens');
  await lens.locator('a').first().click();
  const hover = editor!.page.locator('.monaco-hover');
  await hover.first().waitFor({ timeout: 15_000 });
  const hoverText = (await hover.first().textContent()) ?? '';
  assert.match(hoverText, /Estimate vs actual/);
  assert.match(hoverText, /requests\/day/);
  await editor!.screenshot('calibrated-hover');
});

test('the cost report marks measured figures and shows each calibrated call\'s estimate vs actual', { skip: SKIP, timeout: 90_000 }, async () => {
  await editor!.runCommand('costlens: Show Cost Report');
  type Loc = { waitFor(o?: { timeout?: number }): Promise<void>; textContent(): Promise<string | null>; locator(s: string): Loc; first(): Loc };
  const frame = (editor!.page as unknown as { frameLocator(s: string): { frameLocator(s: string): { locator(s: string): Loc } } }).frameLocator('iframe.webview').frameLocator('iframe');
  await frame.locator('#measured-vs-assumed').waitFor({ timeout: 30_000 });
  const card = (await frame.locator('#measured-card').textContent()) ?? '';
  assert.match(card, /Measured \(4 call sites\)guesses \+[\d,]+%assumed \$[\d.,k]+ vs actual \$[\d.,]+\/mo/);
  // The section's table: the call of answers.py, its assumed and actual monthly cost, and the guess error.
  const rows = (await frame.locator('#measured-vs-assumed + p + table').textContent()) ?? '';
  assert.match(rows, /api\/answers\.py:27gpt-4omeasured5\$1\.8k\$0\.\d+\+[\d,]+%/);
  const top = (await frame.locator('table.data').first().textContent()) ?? '';
  assert.match(top, /measured/);
  await editor!.screenshot('calibrated-report');
});
