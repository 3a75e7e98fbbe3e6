// Real-editor end-to-end harness: runs the built extension inside code-server (VS Code 1.139 in the
// browser, on a Node 24 server) and drives the workbench with playwright-core and Debian's chromium.
//
//   const editor = await startEditor({ workspaceDir, extensionDevDir: repoRoot });
//   await editor.openFile('app.py');
//   await editor.screenshot('app-open');
//   const log = await editor.extensionHostLog();
//   await editor.stop();
//
// Prerequisites: `bash scripts/e2e/setup.sh` (tools in .cache/e2e-tools) and `npm run build` (dist/).
// Nothing here downloads anything; code-server listens on 127.0.0.1 only.
//
// Environment:
//   COSTLENS_E2E_TOOLS_DIR  tools folder (default <repo>/.cache/e2e-tools)
//   COSTLENS_E2E_CHROMIUM   browser binary (default /usr/bin/chromium)
//   COSTLENS_E2E_KEEP=1     keep the temp folders (user data, logs) after stop() for debugging
//   COSTLENS_E2E_RUN_ID     set by scripts/e2e/run.sh; passed to every process started here so that
//                           run.sh can find and end leftovers of its own run only
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPlaywright, type Browser, type Page } from './playwright';

/** The repository root (this file is test/e2e/harness.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Where screenshots go. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');

export interface StartEditorOptions {
  /** Folder opened in the editor (absolute, or relative to the current directory). */
  workspaceDir: string;
  /** Extension folder holding package.json and the built dist/ (normally the repo root). */
  extensionDevDir: string;
  /** Extra user settings, merged over the harness defaults (see DEFAULT_SETTINGS). */
  userSettings?: Record<string, unknown>;
  /** Keep VS Code's workspace trust feature on (default false: trust disabled, no prompts). */
  workspaceTrust?: boolean;
  /**
   * code-server/VS Code log level. Default 'trace': the extension host then logs its initData,
   * which lists every extension it knows (see extensionHostKnows()).
   */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** Budget for the whole startup (server, browser, workbench, extension host). Default 120 s. */
  startupTimeoutMs?: number;
  /** Browser viewport. Default 1400x900. */
  viewport?: { width: number; height: number };
  /**
   * More extensions to install, each a folder with its package.json (copied whole, as `publisher.name-version`):
   * e.g. a small extension that runs tests inside the extension host.
   */
  extraExtensionDirs?: string[];
}

/** Milliseconds since startEditor() was called. */
export interface StartupTimings {
  /** code-server answers /healthz. */
  serverReadyMs: number;
  /** `.monaco-workbench` is in the page. */
  workbenchMs: number;
  /** The extension host logged that its startup extensions are activated. */
  extensionHostReadyMs: number;
}

export interface Editor {
  readonly page: Page;
  /** http://127.0.0.1:PORT/?folder=... */
  readonly url: string;
  readonly port: number;
  readonly workspaceDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** `publisher.name`, read from the extension's package.json. */
  readonly extensionId: string;
  readonly timings: StartupTimings;
  /** Browser console errors seen so far (for diagnostics; the offline workbench always has a few). */
  readonly consoleErrors: readonly string[];
  /**
   * Opens a workspace file with Quick Open (Ctrl+P: types `relPath`, picks the row labelled with its
   * file name, Enter) and waits for its editor tab to be active. With several files of the same name,
   * the first such row Quick Open ranks wins.
   */
  openFile(relPath: string): Promise<void>;
  /**
   * Runs a command by its full palette title, e.g. 'Extensions: Show Installed Extensions' (F1, type,
   * move to the row with exactly that label, Enter). Throws, listing the rows seen, when there is none.
   */
  runCommand(title: string): Promise<void>;
  /** Saves a PNG of the page to test-results/e2e/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** All extension host log files (remote ext host log, output channels, ...), concatenated with headers. */
  extensionHostLog(): Promise<string>;
  /** Last lines that code-server printed (stdout and stderr). */
  serverOutput(): string;
  /** Closes the browser, ends code-server's whole process group and removes the temp folders. */
  stop(): Promise<void>;
}

/** Settings written to <user-data-dir>/User/settings.json unless a test overrides them. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreviewFromQuickOpen': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  // VS Code 1.139 ships the Copilot chat UI built in; it only adds noise (and network attempts) here.
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
};

/** Chromium flags for this machine: no sandbox as root, and no background traffic to Google's hosts. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long UI actions (Quick Open, command palette, tabs) may take. */
const UI_TIMEOUT_MS = 20_000;
/** Lines of code-server output kept for error messages. */
const OUTPUT_TAIL_LINES = 40;

/**
 * Creates a fresh temp folder. Under scripts/e2e/run.sh (COSTLENS_E2E_RUN_ID set) it lies inside
 * <tmp>/costlens-e2e-<run id>/, which run.sh removes at the end even if a test process was killed.
 */
export function makeTempDir(prefix: string): string {
  const runId = process.env.COSTLENS_E2E_RUN_ID;
  const base = runId ? path.join(os.tmpdir(), `costlens-e2e-${runId}`) : os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, prefix));
}

/** Paths of the tools installed by scripts/e2e/setup.sh. */
export function toolPaths(toolsDir = process.env.COSTLENS_E2E_TOOLS_DIR ?? path.join(REPO_ROOT, '.cache', 'e2e-tools')) {
  return {
    toolsDir,
    node24: path.join(toolsDir, 'node24', 'node_modules', '.bin', 'node'),
    codeServerEntry: path.join(toolsDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: process.env.COSTLENS_E2E_CHROMIUM ?? '/usr/bin/chromium',
  };
}

/** The identity of an extension folder, from its package.json. */
interface ExtensionManifest {
  publisher: string;
  name: string;
  version: string;
  main?: string;
}

function readManifest(extensionDevDir: string): ExtensionManifest {
  const file = path.join(extensionDevDir, 'package.json');
  const pkg: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const field = (key: string): string => {
    const value = (pkg as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value === '') throw new Error(`${file}: "${key}" must be a non-empty string`);
    return value;
  };
  const main = (pkg as Record<string, unknown>).main;
  return { publisher: field('publisher'), name: field('name'), version: field('version'), main: typeof main === 'string' ? main : undefined };
}

/** Throws a clear error when the extension's `main` bundle is missing (not built). */
function checkBuilt(extensionDevDir: string, manifest: ExtensionManifest): void {
  if (!manifest.main) return;
  const mainFile = path.resolve(extensionDevDir, manifest.main);
  if (![mainFile, `${mainFile}.js`].some((f) => fs.existsSync(f))) {
    throw new Error(`The extension is not built: ${mainFile} is missing. Run \`npm run build\` first.`);
  }
}

/**
 * Installs the extension the way VS Code finds one: a folder `publisher.name-version` in the
 * extensions dir (code-server does not support --extensionDevelopmentPath). Copies, not symlinks,
 * so that a rebuild during a run cannot change what the running editor sees.
 */
function installExtension(extensionDevDir: string, extensionsDir: string, manifest: ExtensionManifest): string {
  const target = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  fs.mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'dist', 'media', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    const source = path.join(extensionDevDir, entry);
    if (fs.existsSync(source)) fs.cpSync(source, path.join(target, entry), { recursive: true });
  }
  return target;
}

/** A TCP port that is free on 127.0.0.1 right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** Keeps the last `max` lines of a stream of chunks. */
class LineTail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  toString(): string {
    return [...this.lines, this.partial].filter((l) => l !== '').join('\n');
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for `promise`, but at most `ms` (the timer is cleared, so it never keeps the process alive). */
async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Whether any process is left in the process group `pgid`. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Pids of processes whose environment contains `marker` (KEY=VALUE). Finds helpers that left
 * code-server's process group (none seen with code-server 4.139, but a setsid() in a helper would
 * escape the group kill). Linux only; elsewhere returns [].
 */
export function pidsWithEnv(marker: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (env.split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // The process ended, or is not ours to read.
    }
  }
  return pids;
}

/** Recursively lists files under `dir` (empty when it does not exist). */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

/** Live editors, ended when the test process exits without calling stop() (crash, timeout, Ctrl+C). */
const liveGroups = new Set<number>();
const liveRoots = new Set<string>();
let exitHooksInstalled = false;
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
    if (process.env.COSTLENS_E2E_KEEP === '1') return;
    for (const root of liveRoots) fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Starts code-server with the extension installed, opens the workspace in chromium. */
export async function startEditor(options: StartEditorOptions): Promise<Editor> {
  const t0 = Date.now();
  const elapsed = () => Date.now() - t0;
  const budget = options.startupTimeoutMs ?? 120_000;
  const remaining = () => Math.max(1_000, budget - elapsed());

  const tools = toolPaths();
  for (const [what, file] of [
    ['Node 24', tools.node24],
    ['code-server', tools.codeServerEntry],
    ['chromium', tools.chromium],
  ] as const) {
    if (!fs.existsSync(file)) throw new Error(`${what} not found at ${file}: run \`bash scripts/e2e/setup.sh\` first.`);
  }
  const playwright = loadPlaywright(tools.toolsDir);

  const workspaceDir = path.resolve(options.workspaceDir);
  if (!fs.statSync(workspaceDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`workspaceDir ${workspaceDir} is not a folder`);
  const extensionDevDir = path.resolve(options.extensionDevDir);
  const manifest = readManifest(extensionDevDir);
  const extensionId = `${manifest.publisher}.${manifest.name}`;
  checkBuilt(extensionDevDir, manifest);

  // (a) Fresh folders for this editor only. TMPDIR and XDG_* point inside too: VS Code puts IPC
  // sockets in TMPDIR and code-server writes a config.yaml (with a password) under XDG_CONFIG_HOME.
  const trust = options.workspaceTrust ?? false;
  const settings = { ...DEFAULT_SETTINGS, 'security.workspace.trust.enabled': trust, ...options.userSettings };
  const root = makeTempDir('costlens-e2e-');
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const tmpDir = path.join(root, 'tmp');
  for (const dir of [userDataDir, extensionsDir, tmpDir, path.join(root, 'xdg-config'), path.join(root, 'xdg-data')]) {
    fs.mkdirSync(dir, { recursive: true });
  }

  try {
    // (b) The extension.
    installExtension(extensionDevDir, extensionsDir, manifest);
    for (const dir of options.extraExtensionDirs ?? []) {
      const extra = readManifest(dir);
      fs.cpSync(dir, path.join(extensionsDir, `${extra.publisher}.${extra.name}-${extra.version}`), { recursive: true });
    }
    // (c) User settings.
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  } catch (err) {
    fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }

  liveRoots.add(root);
  const instanceMarker = `COSTLENS_E2E_INSTANCE=${root}`;
  const output = new LineTail(OUTPUT_TAIL_LINES);
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (browser) {
      await atMost(browser.close(), 10_000);
    }
    if (server?.pid !== undefined) {
      const pgid = server.pid; // detached: the child leads its own process group
      killGroup(pgid, 'SIGTERM');
      const deadline = Date.now() + 5_000;
      while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
      if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
      liveGroups.delete(pgid);
    }
    // Helpers that escaped the group, if any (identified by the marker in their environment).
    for (const pid of pidsWithEnv(instanceMarker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    liveRoots.delete(root);
    if (process.env.COSTLENS_E2E_KEEP === '1') {
      console.error(`[e2e] COSTLENS_E2E_KEEP=1: kept ${root}`);
    } else {
      fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  };

  /** Wraps a startup failure with what code-server printed, after cleaning up. */
  const fail = async (what: string, cause?: unknown): Promise<never> => {
    const detail = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
    const message =
      `startEditor: ${what} (after ${elapsed()} ms)${detail ? `: ${detail.split('\n')[0]}` : ''}\n` +
      `--- last lines of code-server output ---\n${output.toString() || '(none)'}`;
    await stop();
    throw new Error(message, { cause });
  };

  // (d) code-server on a free loopback port, in its own process group (detached), under Node 24.
  let port = 0;
  // Set by the child's 'exit'/'error' handlers (a holder object, so TypeScript does not narrow it away).
  const serverState: { exitInfo?: string } = {};
  for (let attempt = 1; attempt <= 3; attempt++) {
    port = await freePort();
    serverState.exitInfo = undefined;
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      // Not VS Code's own variables (a test run from a VS Code terminal) nor tsx's loader hooks.
      if (/^(VSCODE_|ELECTRON_)/.test(key) || key === 'NODE_OPTIONS') continue;
      env[key] = value;
    }
    Object.assign(env, {
      TMPDIR: tmpDir,
      XDG_CONFIG_HOME: path.join(root, 'xdg-config'),
      XDG_DATA_HOME: path.join(root, 'xdg-data'),
      COSTLENS_E2E_INSTANCE: root,
    });
    const args = [
      tools.codeServerEntry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      ...(trust ? [] : ['--disable-workspace-trust']),
      '--log', options.logLevel ?? 'trace',
      '--extensions-dir', extensionsDir,
      '--user-data-dir', userDataDir,
      workspaceDir,
    ];
    const child = spawn(tools.node24, args, { cwd: workspaceDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    if (child.pid !== undefined) liveGroups.add(child.pid);
    installExitHooks();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.once('error', (err) => (serverState.exitInfo = `could not start: ${err.message}`));
    child.once('exit', (code, signal) => (serverState.exitInfo = `exited with ${signal ?? `code ${code}`}`));

    // Ready when /healthz answers 200.
    while (serverState.exitInfo === undefined && elapsed() < budget) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    const exitInfo = serverState.exitInfo;
    if (exitInfo === undefined && elapsed() < budget) break; // up
    if (exitInfo !== undefined && /EADDRINUSE/.test(output.toString()) && attempt < 3) {
      output.push(`[e2e] port ${port} was taken, retrying with another port\n`);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      continue;
    }
    return fail(exitInfo ? `code-server ${exitInfo}` : `code-server did not answer on 127.0.0.1:${port} within ${budget} ms`);
  }
  const serverReadyMs = elapsed();

  // (e) Chromium via playwright-core, on the workspace URL.
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspaceDir)}`;
  const consoleErrors: string[] = [];
  let page: Page;
  try {
    browser = await playwright.chromium.launch({
      executablePath: tools.chromium,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: remaining(),
      env: { ...process.env, COSTLENS_E2E_INSTANCE: root },
    });
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    page = await context.newPage();
  } catch (err) {
    return fail(`could not launch ${tools.chromium}`, err);
  }
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));

  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: remaining() });
    await page.waitForSelector('.monaco-workbench', { timeout: remaining() });
  } catch (err) {
    return fail(`the workbench did not load from ${url}`, err);
  }
  const workbenchMs = elapsed();

  const logsDir = path.join(userDataDir, 'logs');
  const extensionHostLog = async (): Promise<string> => {
    // <logs>/<session>/exthost1/remoteexthost.log, <logs>/<session>/exthost1/<ext id>/<channel>.log, ...
    const files = listFiles(logsDir).filter((f) => path.relative(logsDir, f).split(path.sep).some((part) => /^exthost/i.test(part)));
    const parts = await Promise.all(
      files.map(async (f) => `==> ${path.relative(logsDir, f)} <==\n${await fs.promises.readFile(f, 'utf8').catch(() => '')}`),
    );
    return parts.join('\n');
  };

  // The extension host has started and activated its startup ('*') extensions.
  const exthostDeadline = t0 + budget;
  while (!/Eager extensions activated/.test(await extensionHostLog())) {
    if (Date.now() > exthostDeadline) {
      return fail(`the extension host did not report "Eager extensions activated" (logs: ${logsDir}); browser console errors:\n${consoleErrors.slice(-5).join('\n')}`);
    }
    if (serverState.exitInfo !== undefined) return fail(`code-server ${serverState.exitInfo}`);
    await sleep(200);
  }
  const extensionHostReadyMs = elapsed();

  const quickInput = page.locator('.quick-input-widget');
  const rows = '.quick-input-widget .quick-input-list .monaco-list-row';
  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  /**
   * Opens Quick Open / the command palette with `key`, types `text`, waits until the focused
   * (highlighted) row's label is `label` (exact), moving down to it when a different row is
   * focused first (recently used entries, fuzzy matches), then presses Enter.
   */
  const pick = async (key: string, text: string, label: string, what: string): Promise<void> => {
    await page.keyboard.press('Escape'); // close anything open (a notification, another picker)
    await page.keyboard.press(key);
    await quickInput.waitFor({ state: 'visible' });
    await page.keyboard.type(text);
    const exact = new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`);
    try {
      await page.locator(`${rows} .label-name`, { hasText: exact }).first().waitFor({ state: 'visible' });
      for (let step = 0; ; step++) {
        const focused = (await page.locator(`${rows}.focused .label-name`).first().textContent({ timeout: 2_000 }))?.trim();
        if (focused === label) break;
        if (step >= 30) throw new Error(`the focused row stays "${focused}"`);
        await page.keyboard.press('ArrowDown');
      }
    } catch (err) {
      const seen = await page.locator(rows).allInnerTexts().catch(() => []);
      await page.keyboard.press('Escape');
      throw new Error(
        `${what}: no row labelled "${label}" after typing "${text}" (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); rows: ${JSON.stringify(seen.slice(0, 5))}`,
        { cause: err },
      );
    }
    await page.keyboard.press('Enter');
  };

  const editor: Editor = {
    page,
    url,
    port,
    workspaceDir,
    userDataDir,
    extensionsDir,
    extensionId,
    timings: { serverReadyMs, workbenchMs, extensionHostReadyMs },
    consoleErrors,

    async openFile(relPath: string): Promise<void> {
      const basename = path.basename(relPath);
      await pick('Control+P', relPath, basename, `openFile(${relPath})`);
      const tab = page.locator(`.tabs-container .tab.active[data-resource-name=${JSON.stringify(basename)}]`);
      try {
        await tab.waitFor({ state: 'visible' });
        await page.locator('.editor-group-container.active .monaco-editor').first().waitFor({ state: 'visible' });
      } catch (err) {
        throw new Error(`openFile(${relPath}): no active editor tab "${basename}" appeared`, { cause: err });
      }
    },

    async runCommand(title: string): Promise<void> {
      await pick('F1', title, title, `runCommand(${title})`);
      // Most commands close the palette; one that opens another picker leaves it open, which is fine.
      await quickInput.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    },

    async screenshot(name: string): Promise<string> {
      const file = path.join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      await page.screenshot({ path: file });
      return file;
    },

    extensionHostLog,
    serverOutput: () => output.toString(),
    stop,
  };
  return editor;
}

/**
 * Whether the extension host was handed `extensionId` to run: parses the `initData` line that the
 * extension host logs at trace level (its `extensions.myExtensions` list). Returns undefined when
 * the log has no initData line (log level above trace, or a VS Code that logs differently).
 */
export function extensionHostKnows(extensionHostLog: string, extensionId: string): boolean | undefined {
  const marker = '[trace] initData ';
  const line = extensionHostLog.split('\n').find((l) => l.includes(marker));
  if (!line) return undefined;
  try {
    const data = JSON.parse(line.slice(line.indexOf(marker) + marker.length)) as {
      extensions?: { myExtensions?: Array<{ value?: string }> };
    };
    const ids = data.extensions?.myExtensions?.map((id) => id.value?.toLowerCase());
    return ids ? ids.includes(extensionId.toLowerCase()) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the extension host log says it activated `extensionId`, and the activation event. */
export function extensionActivation(extensionHostLog: string, extensionId: string): { activated: boolean; event?: string } {
  const escaped = extensionId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`ExtensionService#_doActivateExtension ${escaped}\\b[^\\n]*?activationEvent: '([^']*)'`, 'i').exec(extensionHostLog);
  return match ? { activated: true, event: match[1] } : { activated: false };
}

/** The extension host's "Activating extension X failed" line (and the next line, the error), if any. */
export function extensionActivationFailure(extensionHostLog: string, extensionId: string): string | undefined {
  const escaped = extensionId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`Activating extension '?${escaped}'? failed[^\\n]*(\\n[^\\n]*)?`, 'i').exec(extensionHostLog)?.[0];
}
