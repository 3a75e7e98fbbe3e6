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
