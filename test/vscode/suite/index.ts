// The test runner that VS Code loads into its extension host (`--extensionTestsPath`): it must export
// `run(): Promise<void>` and reject when a test fails.
//
// Why not mocha (the usual choice): it is not a dependency of this project. Why not node:test: its `test()` reports
// when the process exits and its `run()` spawns child processes, which would not have the `vscode` module; neither
// fits "a promise that settles when the tests are done" inside the extension host. So: a small sequential runner
// over the `tests` array of each test module, with a timeout per test and a summary like node's spec reporter.
import { tests as extensionTests, type TestCase } from './extension.test';

const DEFAULT_TIMEOUT_MS = 60_000;

async function runOne(t: TestCase): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)), t.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  });
  try {
    await Promise.race([t.fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The entry point VS Code calls. */
export function run(): Promise<void> {
  return runSuite((line) => console.log(line));
}

/** Runs every test in order, reporting one line per test to `log`; rejects when a test failed or did not run. */
export async function runSuite(log: (line: string) => void): Promise<void> {
  const failures: string[] = [];
  const started = Date.now();
  let ran = 0;
  for (const t of extensionTests) {
    const t0 = Date.now();
    ran++;
    try {
      await runOne(t);
      log(`✔ ${t.name} (${Date.now() - t0} ms)`);
    } catch (error) {
      failures.push(t.name);
      log(`✖ ${t.name} (${Date.now() - t0} ms)\n  ${error instanceof Error ? (error.stack ?? error.message).replace(/\n/g, '\n  ') : String(error)}`);
      // Later tests build on the required ones (activation, the first scan): without them, stop.
      if (t.required) break;
    }
  }
  const notRun = extensionTests.length - ran;
  log(`ℹ tests ${extensionTests.length}, passed ${ran - failures.length}, failed ${failures.length}${notRun ? `, not run ${notRun}` : ''} (${Date.now() - started} ms)`);
  if (failures.length || notRun) throw new Error(`${failures.length} test(s) failed: ${failures.join('; ')}${notRun ? ` (${notRun} not run)` : ''}`);
}
