// The @vscode/test-electron suite (test/vscode/suite/) run inside code-server's extension host, so that it runs
// where VS Code itself cannot be downloaded (this machine, CI). A tiny runner extension, installed next to costlens,
// loads the compiled suite on startup, calls its run() and writes the outcome to a file that this test reads.
// `npm run test:vscode` runs the same suite in a downloaded VS Code (test/vscode/runTest.ts).
//
// Run: `npm run build && bash scripts/e2e/run.sh test/e2e/vscode-suite.e2e.test.ts`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { REPO_ROOT, makeTempDir, startEditor, type Editor } from './harness';
import { copyExampleApp, waitUntil } from './surfaces';

const SKIP: string | false = process.env.COSTLENS_E2E === '0' ? 'COSTLENS_E2E=0: the real-editor e2e tests are disabled in this run' : false;

/**
 * The runner extension: on startup, runs the suite at $COSTLENS_SUITE_PATH (its runSuite(log), the same loop as the
 * run() VS Code calls) and writes the lines and the outcome as JSON to $COSTLENS_SUITE_RESULT.
 */
const RUNNER_JS = `const fs = require('fs');
exports.activate = async function () {
  const lines = [];
  let result;
  try {
    await require(process.env.COSTLENS_SUITE_PATH).runSuite((line) => lines.push(line));
    result = { ok: true, lines };
  } catch (err) {
    result = { ok: false, lines, error: String(err && err.stack || err) };
  }
  fs.writeFileSync(process.env.COSTLENS_SUITE_RESULT, JSON.stringify(result));
};
exports.deactivate = function () {};
`;

let editor: Editor | undefined;
let workspaceDir: string | undefined;
let scratch: string | undefined;
let resultFile = '';

before(async () => {
  if (SKIP) return;
  workspaceDir = copyExampleApp('ws-suite-');
  scratch = makeTempDir('suite-');
  const suite = path.join(scratch, 'suite', 'index.js');
  buildSync({
    entryPoints: [path.join(REPO_ROOT, 'test', 'vscode', 'suite', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    outfile: suite,
    logLevel: 'error',
  });
  const runner = path.join(scratch, 'runner');
  fs.mkdirSync(runner, { recursive: true });
  fs.writeFileSync(
    path.join(runner, 'package.json'),
    JSON.stringify({ name: 'suite-runner', publisher: 'costlens-test', version: '0.0.1', engines: { vscode: '^1.90.0' }, main: './runner.js', activationEvents: ['onStartupFinished'] }, null, 2),
  );
  fs.writeFileSync(path.join(runner, 'runner.js'), RUNNER_JS);
  resultFile = path.join(scratch, 'result.json');
  // code-server passes its environment on to the extension host.
  Object.assign(process.env, { COSTLENS_REPO_ROOT: REPO_ROOT, COSTLENS_SUITE_PATH: suite, COSTLENS_SUITE_RESULT: resultFile });
  editor = await startEditor({ workspaceDir, extensionDevDir: REPO_ROOT, extraExtensionDirs: [runner] });
}, { timeout: 180_000 });

after(async () => {
  await editor?.stop();
  for (const dir of [workspaceDir, scratch]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the test-electron suite passes in the extension host', { skip: SKIP, timeout: 180_000 }, async () => {
  assert.ok(editor, 'the editor did not start (see the error of the before hook above)');
  const result = await waitUntil(
    'the suite result',
    async () => (fs.existsSync(resultFile) ? (JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { ok: boolean; lines: string[]; error?: string }) : undefined),
    { timeoutMs: 150_000, intervalMs: 500 },
  );
  for (const line of result.lines) console.log(`[suite] ${line}`);
  assert.ok(result.ok, `the suite failed: ${result.error ?? ''}`);
  const passed = result.lines.filter((l) => l.startsWith('✔ '));
  assert.ok(passed.length >= 7, `only ${passed.length} suite tests passed`);
});
