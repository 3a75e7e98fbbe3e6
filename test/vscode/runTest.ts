// Runs the extension's tests inside a real VS Code (downloaded by @vscode/test-electron into .vscode-test/),
// on a fresh copy of the example project test/fixtures/example-app.
//
//   npm run test:vscode      # builds dist/, compiles this suite into out/test/vscode/, runs it
//
// Needs internet access the first time (the VS Code download) and a display (on Linux CI: xvfb-run -a npm run
// test:vscode). The code-server suite in test/e2e/ covers the same surfaces where VS Code cannot be downloaded.
//
// Environment: COSTLENS_VSCODE_VERSION picks the VS Code version (default: stable; the engine minimum is 1.90.0).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/** The repository root: this file runs as out/test/vscode/runTest.js (or test/vscode/runTest.ts under tsx). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'fixtures', 'example-app'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}

async function main(): Promise<void> {
  const root = repoRoot();
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  // The tests may edit the workspace: a copy, removed afterwards.
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-vscode-test-'));
  fs.cpSync(path.join(root, 'test', 'fixtures', 'example-app'), workspace, { recursive: true });
  try {
    await runTests({
      version: process.env.COSTLENS_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      // No other extension; no workspace-trust prompt (the tests assume a trusted folder).
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { COSTLENS_REPO_ROOT: root, COSTLENS_TEST_WORKSPACE: workspace },
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
