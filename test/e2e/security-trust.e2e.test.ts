// Restricted Mode in the real editor: code-server with workspace trust on (`workspaceTrust: true`, so the harness does
// not pass --disable-workspace-trust) opens a folder it has never trusted. costlens must keep working — lenses from
// static analysis, priced with costlens.yml's own `prices:` — while it ignores the workspace's `pricesFile` and makes
// no network request, even with an endpoint configured in the user settings (a local fake server that counts
// requests). Once the person trusts the folder, the price file is used.
//
// (The compare panel's Run in an untrusted workspace is covered by compare.e2e.test.ts.)
//
// Run: `npm run build && bash scripts/e2e/run.sh test/e2e/security-trust.e2e.test.ts`. COSTLENS_E2E=0 skips it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../support/fakeOpenAiServer';
import { REPO_ROOT, makeTempDir, startEditor, type Editor } from './harness';
import { waitForLens } from './surfaces';

const SKIP: string | false = process.env.COSTLENS_E2E === '0' ? 'COSTLENS_E2E=0: the real-editor e2e tests are disabled in this run' : false;

const APP_PY = `from openai import OpenAI

client = OpenAI()


def priced_in_yml(text: str) -> str:
    return client.chat.completions.create(model="acme-yml-model", max_tokens=100, messages=[{"role": "user", "content": text}])


def priced_in_file(text: str) -> str:
    return client.chat.completions.create(model="acme-file-model", max_tokens=100, messages=[{"role": "user", "content": text}])
`;
const YML_LINE = 7;
const FILE_LINE = 11;

let fake: FakeOpenAiServer | undefined;
let editor: Editor | undefined;
let ws = '';

before(async () => {
  if (SKIP) return;
  fake = await startFakeOpenAiServer({ defaultBehaviour: {} });
  ws = makeTempDir('ws-untrusted-');
  fs.writeFileSync(path.join(ws, 'app.py'), APP_PY);
  fs.writeFileSync(path.join(ws, 'costlens.yml'), 'version: 1\npricesFile: ./prices.json\nprices:\n  - model: acme-yml-model\n    inputPerMTok: 1\n    outputPerMTok: 2\n');
  fs.writeFileSync(path.join(ws, 'prices.json'), JSON.stringify({ 'acme-file-model': { input_cost_per_token: 1e-5, output_cost_per_token: 3e-5, litellm_provider: 'openai', mode: 'chat' } }));
  editor = await startEditor({
    workspaceDir: ws,
    extensionDevDir: REPO_ROOT,
    workspaceTrust: true, // trust on, and this folder was never trusted: Restricted Mode
    userSettings: { 'costlens.compare.providers': { openai: { baseURL: fake.baseURL }, custom: { baseURL: fake.baseURL } } },
  });
}, { timeout: 180_000 });

after(async () => {
  await editor?.stop();
  await fake?.close();
  if (ws) fs.rmSync(ws, { recursive: true, force: true });
});

function started(): Editor {
  assert.ok(editor, 'the editor did not start (see the error of the before hook above)');
  return editor;
}

test('an untrusted folder: lenses from static analysis, the price file ignored, no request', { skip: SKIP, timeout: 120_000 }, async () => {
  const e = started();
  await e.openFile('app.py');
  const yml = await waitForLens(e.page, YML_LINE, /\$[\d.]+\/req · .* · acme-yml-model/, 60_000);
  const file = await waitForLens(e.page, FILE_LINE, /price unknown · acme-file-model/, 20_000);
  console.log(`[e2e] untrusted: "${yml.text}" / "${file.text}"`);
  const log = await e.extensionHostLog();
  assert.match(log, /costlens activated in \d+ ms \(workspace restricted mode\)/, 'the extension ran in Restricted Mode');
  await e.screenshot('untrusted-lenses');
  // Everything the extension does on its own has happened (scan, estimates, hovers): nothing was sent.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(fake!.requests.length, 0, 'no request reached the configured endpoint');
});

test('trusting the folder: the price file is read and its model is priced; still no request', { skip: SKIP, timeout: 120_000 }, async () => {
  const e = started();
  await e.runCommand('Workspaces: Manage Workspace Trust');
  const trustButton = e.page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
  await trustButton.waitFor({ state: 'visible', timeout: 20_000 });
  await trustButton.click();
  await e.page.locator('.workspace-trust-editor', { hasText: 'You trust this folder' }).first().waitFor({ timeout: 20_000 });
  await e.openFile('app.py');
  const file = await waitForLens(e.page, FILE_LINE, /\$[\d.]+\/req · .* · acme-file-model/, 60_000);
  console.log(`[e2e] trusted: "${file.text}"`);
  await e.screenshot('trusted-lenses');
  assert.equal(fake!.requests.length, 0, 'trust alone sends nothing');
});
