/**
 * The editor's defences, exercised on the extension's own code with a stand-in `vscode` module (the real one exists
 * only inside VS Code; the real-editor tests are in test/e2e):
 *
 *   Webview messages — every panel's host (src/vscode/webview/panelHost.ts) validates each message with the panel's
 *   zod schema before anything runs: hostile, malformed and random messages are rejected and logged, never handed to
 *   the panel; the webview gets scripts only with the per-load nonce, resources only from media/, no command links.
 *
 *   Workspace trust — in an untrusted workspace: the workspace's price file is never read (AnalysisService), the
 *   compare panel sends nothing when Run is pressed (and says why), and nothing is sent before a person presses Run
 *   in a trusted one either; package.json declares restricted mode.
 *
 *   Workspace code — scanning, estimating and reporting a workspace whose files would do harm if they were run
 *   (imports with side effects, install scripts, tsconfig chains) runs none of them: no child process, no module
 *   loaded from the workspace, no worker from outside the extension.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as workerThreads from 'node:worker_threads';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CompareWebviewMessageSchema, type CompareDraft } from '../../src/core/compare/protocol';
import { CostEngine } from '../../src/core/engine/engine';
import { calculatorWebviewMessage } from '../../src/protocol/calculator';
import { reportWebviewMessage } from '../../src/protocol/report';
import type { CliIo } from '../../src/cli/common';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../support/fakeOpenAiServer';
import { removeProject, writeProject } from './helpers/tempProject';

const ROOT = path.join(__dirname, '..', '..');
const RUNS = Number(process.env.COSTLENS_FUZZ_RUNS ?? 150);
const figures = { hostileMessages: 0, randomMessages: 0, rejected: 0, accepted: 0 };
after(() => console.log(`[webview] ${figures.hostileMessages} hostile + ${figures.randomMessages} random messages: ${figures.rejected} rejected and logged, ${figures.accepted} valid ones passed on`));

// ---------------------------------------------------------------------------------------------------------------
// A stand-in `vscode` module: what the code under test uses, and inert stubs for the rest
// ---------------------------------------------------------------------------------------------------------------

/** Callable, constructible, any property: for the parts of the API the code touches but these tests do not use. */
function stub(): unknown {
  return new Proxy(function () {}, {
    get: (_t, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => 'stub' : stub()),
    apply: () => stub(),
    construct: () => stub() as object,
  });
}

class Uri {
  readonly scheme = 'file';
  constructor(readonly fsPath: string) {}
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
  static file(p: string): Uri {
    return new Uri(p);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(path.join(base.fsPath, ...segments));
  }
  static parse(s: string): Uri {
    return new Uri(s.replace(/^file:\/\//, ''));
  }
}

class EventEmitter<T> {
  private listeners: Array<(e: T) => unknown> = [];
  event = (listener: (e: T) => unknown): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  dispose(): void {
    this.fn();
  }
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
}

interface FakePanel {
  viewType: string;
  createOptions: Record<string, unknown>;
  webview: { options: Record<string, unknown>; html: string; cspSource: string; posted: unknown[]; send(message: unknown): Promise<void> };
}

const env = {
  isTrusted: true,
  /** `section.key` → value (user settings). */
  settings: new Map<string, unknown>(),
  panels: [] as FakePanel[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  executed: [] as string[],
  messages: [] as string[],
  workspaceFolders: [] as Array<{ uri: Uri; name: string; index: number }>,
  grantTrust: new EventEmitter<void>(),
};

/** API names the modules under test touch at load time; each an inert stub (a namespace import needs own keys). */
const STUBBED = ['CodeActionKind', 'CodeAction', 'Range', 'Position', 'Selection', 'Location', 'ThemeIcon', 'ThemeColor', 'MarkdownString', 'Diagnostic', 'DiagnosticSeverity', 'DiagnosticTag', 'WorkspaceEdit', 'TextEdit', 'TreeItem', 'TreeItemCollapsibleState', 'StatusBarAlignment', 'ProgressLocation', 'ConfigurationTarget', 'CancellationTokenSource', 'CancellationError', 'RelativePattern', 'FileType', 'InlayHint', 'InlayHintKind', 'CodeLens', 'Hover', 'SnippetString', 'QuickPickItemKind', 'languages', 'env', 'extensions', 'l10n', 'tasks', 'debug', 'scm', 'tests', 'chat', 'lm'];

const fakeVscode = new Proxy(
  {
    ...Object.fromEntries(STUBBED.map((name) => [name, stub()])),
    Uri,
    EventEmitter,
    Disposable,
    ViewColumn: { Active: -1, One: 1 },
    window: new Proxy(
      {
        createWebviewPanel(viewType: string, _title: string, _column: unknown, options: Record<string, unknown>) {
          const receive = new EventEmitter<unknown>();
          const disposed = new EventEmitter<void>();
          const listeners: Array<(m: unknown) => unknown> = [];
          const panel: FakePanel & Record<string, unknown> = {
            viewType,
            createOptions: options,
            webview: {
              options: {},
              html: '',
              cspSource: 'vscode-webview://fake-csp-source',
              posted: [],
              asWebviewUri: (u: Uri) => ({ toString: () => `vscode-webview://fake${u.fsPath}` }),
              postMessage: async (m: unknown) => void panel.webview.posted.push(m),
              onDidReceiveMessage: (l: (m: unknown) => unknown) => (listeners.push(l), receive.event(() => undefined)),
              async send(message: unknown) {
                for (const l of listeners) await l(message);
              },
            } as FakePanel['webview'],
            onDidDispose: disposed.event,
            reveal() {},
            dispose: () => disposed.fire(),
            iconPath: undefined,
          };
          env.panels.push(panel);
          return panel;
        },
        registerWebviewPanelSerializer: () => new Disposable(),
        showWarningMessage: async (m: string) => void env.messages.push(`warning: ${m}`),
        showInformationMessage: async (m: string) => void env.messages.push(`info: ${m}`),
        showErrorMessage: async (m: string) => void env.messages.push(`error: ${m}`),
        activeTextEditor: undefined,
      } as Record<string | symbol, unknown>,
      { get: (t, p) => (p in t ? t[p] : stub()) },
    ),
    workspace: new Proxy(
      {
        get isTrusted() {
          return env.isTrusted;
        },
        get workspaceFolders() {
          return env.workspaceFolders;
        },
        textDocuments: [],
        onDidGrantWorkspaceTrust: env.grantTrust.event,
        onDidChangeConfiguration: () => new Disposable(),
        getConfiguration: (section: string) => ({
          get: <T>(key: string, fallback?: T) => (env.settings.has(`${section}.${key}`) ? (env.settings.get(`${section}.${key}`) as T) : fallback),
          inspect: (key: string) => ({ globalValue: env.settings.get(`${section}.${key}`) }),
        }),
        getWorkspaceFolder: (uri: Uri) => env.workspaceFolders.find((f) => uri.fsPath.startsWith(f.uri.fsPath)),
        asRelativePath: (uri: Uri | string) => String(typeof uri === 'string' ? uri : uri.fsPath),
        fs: { readFile: async (uri: Uri) => fs.promises.readFile(uri.fsPath), writeFile: async () => assert.fail('nothing is written in these tests') },
      } as Record<string | symbol, unknown>,
      { get: (t, p) => (p in t ? t[p] : stub()) },
    ),
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => (env.commands.set(id, fn), new Disposable()),
      executeCommand: async (id: string) => void env.executed.push(id),
    },
  } as Record<string | symbol, unknown>,
  { get: (t, p) => (p in t ? t[p] : stub()) },
);

const moduleWithLoad = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
const originalLoad = moduleWithLoad._load;
before(() => {
  moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fakeVscode : originalLoad.call(this, request, ...rest);
  };
});
after(() => {
  moduleWithLoad._load = originalLoad;
});

/** A LogOutputChannel that records its lines. */
function recordingLog(): { lines: string[]; log: Record<string, (...a: unknown[]) => void> } {
  const lines: string[] = [];
  const log = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'appendLine', 'append', 'show', 'dispose'].map((m) => [m, (...a: unknown[]) => void lines.push(`${m}: ${a.map(String).join(' ')}`)]));
  return { lines, log };
}

const fakeContext = (): Record<string, unknown> => {
  const memento = new Map<string, unknown>();
  return {
    extensionUri: Uri.file(ROOT),
    extensionPath: ROOT,
    storageUri: undefined,
    subscriptions: [],
    extension: { packageJSON: { version: '0.0.0-test' } },
    workspaceState: { get: (k: string) => memento.get(k), update: async (k: string, v: unknown) => void memento.set(k, v), keys: () => [...memento.keys()] },
    globalState: { get: () => undefined, update: async () => undefined, keys: () => [] },
  };
};

// ---------------------------------------------------------------------------------------------------------------
// Webview messages
// ---------------------------------------------------------------------------------------------------------------

const DRAFT: CompareDraft = {
  prompt: { messages: [{ role: 'user', content: 'Say hello.' }], placeholders: [], source: 'typed' },
  models: ['custom/alpha', 'custom/beta'],
  params: { runs: 1, temperature: null, maxOutputTokens: 16, requestsPerMonth: null, stream: true },
  quality: null,
  currentModel: null,
  currentCostPerRequestUsd: null,
  siteId: null,
};

/** What a compromised or buggy webview might send. */
const HOSTILE: unknown[] = [
  null,
  undefined,
  42,
  'ready',
  [],
  [{ type: 'ready' }],
  {},
  { type: 'runCommand', command: 'workbench.action.terminal.new' },
  { type: 'eval', code: 'require("child_process").exec("touch /tmp/pwned")' },
  { type: 'ready', extra: true },
  { type: 'READY' },
  { type: ['ready'] },
  { type: { toString: 'ready' } },
  JSON.parse('{"type": "ready", "__proto__": {"polluted": true}}'),
  JSON.parse('{"__proto__": {"type": "ready"}}'),
  { type: 'constructor' },
  { type: 'hasOwnProperty' },
  { type: 'export', format: 'html', path: '/etc/passwd' },
  { type: 'export', format: '../../x' },
  { type: 'export', runId: '../../../.ssh/id_rsa', format: 'markdown' },
  { type: 'reveal', siteId: 'x'.repeat(100_000) },
  { type: 'setScenario', scenario: { trafficMultiplier: Number.NaN, featureModels: {} } },
  { type: 'setScenario', scenario: { trafficMultiplier: 1e308 * 10, featureModels: {} } },
  { type: 'saveScenario', name: '<script>alert(1)</script>'.repeat(10), scenario: { trafficMultiplier: 1, featureModels: {} } },
  { type: 'calculate', spec: { model: 'gpt-4o', inputTokens: -1, outputTokens: 1, requestsPerDay: 1, mode: 'batch', cacheHitRate: 0 } },
  { type: 'calculate', spec: { model: 'gpt-4o', inputTokens: 1.5, outputTokens: 1, requestsPerDay: 1, mode: 'interactive', cacheHitRate: 2 } },
  { type: 'run', requestId: 'r', draft: { ...DRAFT, apiKey: 'sk-injected-by-webview' } },
  { type: 'run', requestId: 'r', draft: { ...DRAFT, baseURL: 'http://evil.example/v1' } },
  { type: 'run', requestId: 'r', draft: { ...DRAFT, models: Array(50).fill('custom/alpha') } },
  { type: 'run', requestId: 'r', draft: { ...DRAFT, params: { ...DRAFT.params, runs: 1e9 } } },
  { type: 'run', requestId: 'r', draft: { ...DRAFT, params: { ...DRAFT.params, maxOutputTokens: 1e12 } } },
  { type: 'run', requestId: 'r', draft: { ...DRAFT, prompt: { ...DRAFT.prompt, messages: [{ role: 'tool', content: 'x' }] } } },
  { type: 'run', requestId: '', draft: DRAFT },
  { type: 'run', requestId: 'r' },
  { type: 'dryRun', requestId: 'r', draft: { ...DRAFT, quality: { checks: [{ kind: 'regex', pattern: 'a', flags: 'gy' }], expectedAnswer: null, judge: null, minJudgeScore: 7, minPassRate: 1 } } },
  { type: 'setApiKey', providerId: '../../etc/passwd' },
  { type: 'setApiKey', providerId: 'openai', key: 'sk-from-webview' },
  { type: 'useModel', runId: 'r', model: '' },
  { type: 'cancel', runId: 'x'.repeat(201) },
  { type: 'openRecent', comparisonId: { $gt: '' } },
];

interface Host {
  panel: FakePanel;
  handled: unknown[];
  log: string[];
}

async function openHost(viewType: string, incoming: unknown, onMessage?: (m: unknown) => unknown): Promise<Host> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openPanel } = require('../../src/vscode/webview/panelHost') as typeof import('../../src/vscode/webview/panelHost');
  const { lines, log } = recordingLog();
  const handled: unknown[] = [];
  openPanel(Uri.file(ROOT) as never, {
    viewType,
    title: 'test',
    script: 'report.js',
    incoming: incoming as never,
    initialState: { note: '</script><script>alert(1)</script>' },
    log: log as never,
    onMessage: async (m: unknown) => {
      handled.push(m);
      await onMessage?.(m);
    },
  });
  return { panel: env.panels[env.panels.length - 1]!, handled, log: lines };
}

describe('webview messages are validated before anything runs', () => {
  const schemas = [
    ['costlens.report', reportWebviewMessage],
    ['costlens.calculator', calculatorWebviewMessage],
    ['costlens.compare', CompareWebviewMessageSchema],
  ] as const;

  for (const [viewType, schema] of schemas) {
    test(`${viewType}: hostile and malformed messages are rejected, logged and never handed to the panel`, async () => {
      const host = await openHost(viewType, schema);
      for (const m of HOSTILE) {
        const valid = schema.safeParse(m).success;
        const before = { handled: host.handled.length, log: host.log.length };
        await host.panel.webview.send(m);
        figures.hostileMessages++;
        if (valid) {
          figures.accepted++;
          continue;
        }
        figures.rejected++;
        assert.equal(host.handled.length, before.handled, `handed to the panel: ${JSON.stringify(m)?.slice(0, 80)}`);
        assert.equal(host.log.length, before.log + 1, `not logged: ${JSON.stringify(m)?.slice(0, 80)}`);
        assert.match(host.log[host.log.length - 1]!, new RegExp(`^warn: ${viewType.replace('.', '\\.')}: rejected a message from the webview: `));
        assert.ok(host.log[host.log.length - 1]!.length < 400, 'the log line is bounded');
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
      assert.deepEqual(env.executed, [], 'no command was run');
      assert.deepEqual(host.panel.webview.posted, [], 'nothing was posted back before `ready`');
    });

    test(`${viewType}: random messages — valid ones pass parsed, all others are rejected and logged`, async () => {
      const host = await openHost(viewType, schema);
      // Random JSON, and near-misses: a valid `type` with random fields.
      const types = viewType === 'costlens.compare' ? ['ready', 'run', 'dryRun', 'cancel', 'export', 'setApiKey', 'useModel'] : viewType === 'costlens.report' ? ['ready', 'export', 'reveal', 'setScenario', 'saveScenario'] : ['ready', 'calculate'];
      const message = fc.oneof(fc.jsonValue(), fc.record({ type: fc.constantFrom(...types) }, { requiredKeys: ['type'] }).chain((base) => fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((extra) => ({ ...extra, ...base }))));
      await fc.assert(
        fc.asyncProperty(message, async (m) => {
          const valid = schema.safeParse(m).success;
          const before = { handled: host.handled.length, log: host.log.length };
          await host.panel.webview.send(m);
          figures.randomMessages++;
          if (valid) {
            figures.accepted++;
            assert.equal(host.handled.length, before.handled + 1);
            assert.ok(schema.safeParse(host.handled[host.handled.length - 1]).success, 'what the panel gets is the parsed message');
          } else {
            figures.rejected++;
            assert.equal(host.handled.length, before.handled);
            assert.equal(host.log.length, before.log + 1);
          }
        }),
        { numRuns: RUNS * 2 },
      );
    });
  }

  test('a panel that throws on a message: logged and answered with an error, the panel keeps working', async () => {
    let calls = 0;
    const host = await openHost('costlens.report', reportWebviewMessage, (m) => {
      calls++;
      if ((m as { type: string }).type === 'export') throw new Error('disk full');
    });
    await host.panel.webview.send({ type: 'ready' });
    await host.panel.webview.send({ type: 'export', format: 'csv' });
    await host.panel.webview.send({ type: 'reveal', siteId: 'a.py#f#0' });
    assert.equal(calls, 3);
    assert.ok(host.log.some((l) => /^error: costlens\.report: Error: disk full/.test(l)));
    assert.deepEqual(host.panel.webview.posted, [{ type: 'error', message: 'disk full' }]);
  });

  test('the webview: scripts only with a fresh nonce, resources only from media/, no command links', async () => {
    const a = await openHost('costlens.report', reportWebviewMessage);
    const b = await openHost('costlens.report', reportWebviewMessage);
    for (const host of [a, b]) {
      const options = { ...host.panel.createOptions, ...host.panel.webview.options } as { enableScripts?: boolean; enableCommandUris?: boolean; localResourceRoots?: Uri[] };
      assert.equal(options.enableCommandUris, false);
      assert.deepEqual(options.localResourceRoots?.map((u) => u.fsPath), [path.join(ROOT, 'media')]);
      const html = host.panel.webview.html;
      const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{32}'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
      for (const tag of html.match(/<script[^>]*>/g) ?? []) assert.match(tag, /nonce="[^"]+" src="vscode-webview:\/\/fake\/.*\/media\/build\/[a-z-]+\.js"/);
      assert.doesNotMatch(html, /<script>|<\/script><script>alert/);
    }
    const nonce = (h: Host): string => /<script[^>]* nonce="([^"]+)"/.exec(h.panel.webview.html)![1]!;
    assert.notEqual(nonce(a), nonce(b), 'a new nonce for every page');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Workspace trust
// ---------------------------------------------------------------------------------------------------------------

describe('an untrusted workspace', () => {
  test('package.json declares restricted mode: limited support, why, and the settings a workspace may not set', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      capabilities: { untrustedWorkspaces: { supported: unknown; description?: string; restrictedConfigurations?: string[] } };
      contributes: { configuration: { properties: Record<string, { scope?: string }> } };
    };
    const u = pkg.capabilities.untrustedWorkspaces;
    assert.equal(u.supported, 'limited');
    assert.match(u.description ?? '', /never runs workspace code/);
    assert.match(u.description ?? '', /price file/);
    assert.match(u.description ?? '', /no network request/);
    for (const key of ['costlens.prices', 'costlens.compare.providers']) {
      assert.ok(u.restrictedConfigurations?.includes(key), `${key} is restricted`);
      assert.ok(pkg.contributes.configuration.properties[key], `${key} is a contributed setting`);
    }
  });

  test("the workspace's price file is read only once the workspace is trusted", async () => {
    const dir = writeProject({
      'costlens.yml': 'version: 1\npricesFile: ./prices.json\nprices:\n  - model: yml-model\n    inputPerMTok: 1\n    outputPerMTok: 2\n',
      'prices.json': JSON.stringify({ 'file-model': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, litellm_provider: 'openai', mode: 'chat' } }),
    });
    const pricesFile = path.join(dir, 'prices.json');
    const reads: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs = require('node:fs') as typeof fs;
    const originalRead = nodeFs.readFileSync;
    nodeFs.readFileSync = function (this: unknown, ...args: unknown[]) {
      if (String(args[0]) === pricesFile) reads.push(String(args[0]));
      return (originalRead as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof fs.readFileSync;
    env.workspaceFolders = [{ uri: Uri.file(dir), name: 'ws', index: 0 }];
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { AnalysisService } = require('../../src/vscode/analysisService') as typeof import('../../src/vscode/analysisService');
      const { log } = recordingLog();
      const service = new AnalysisService(fakeContext() as never, log as never);
      const configs: Array<{ priceOverrides: Array<{ model: string }> }> = [];
      (service as unknown as { worker: unknown }).worker = { configure: async (c: { priceOverrides: Array<{ model: string }> }) => void configs.push(c), dispose() {} };
      let scans = 0;
      (service as unknown as { scanWorkspace(): Promise<void> }).scanWorkspace = async () => void scans++;

      env.isTrusted = false;
      await service.start();
      assert.equal(configs.length, 1);
      assert.deepEqual(configs[0]!.priceOverrides.map((o) => o.model), ['yml-model'], "untrusted: costlens.yml's own prices only");
      assert.deepEqual(reads, [], 'untrusted: the price file was not even opened');
      assert.equal(scans, 1, 'the static scan runs in an untrusted workspace too');

      // The person trusts the folder: the price file is read and the workspace re-estimated with it.
      env.isTrusted = true;
      env.grantTrust.fire();
      for (let i = 0; i < 50 && scans < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(configs[1]!.priceOverrides.map((o) => o.model).sort(), ['file-model', 'yml-model']);
      assert.deepEqual(reads, [pricesFile], 'trusted: read (the spy sees reads, so the check above is not vacuous)');
      assert.equal(scans, 2, 'granting trust re-estimates the workspace with the price file');
      service.dispose();
    } finally {
      nodeFs.readFileSync = originalRead;
      env.workspaceFolders = [];
      env.isTrusted = true;
      removeProject(dir);
    }
  });

  describe('the compare panel', () => {
    let server: FakeOpenAiServer;
    before(async () => {
      server = await startFakeOpenAiServer({ defaultBehaviour: {} });
      env.settings.set('costlens.compare.providers', { custom: { baseURL: server.baseURL } });
      env.settings.set('costlens.compare.timeoutSeconds', 5);
    });
    after(async () => {
      env.settings.clear();
      await server.close();
    });

    test('sends nothing until Run, and nothing at all while the workspace is untrusted; trust enables Run', async (t) => {
      const file = path.join(ROOT, 'src', 'vscode', 'comparePanel.ts');
      if (!fs.existsSync(file)) return t.skip('src/vscode/comparePanel.ts does not exist yet');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const comparePanel = require('../../src/vscode/comparePanel') as typeof import('../../src/vscode/comparePanel');
      const { lines, log } = recordingLog();
      const changed = new EventEmitter<void>();
      const service = { log, onDidChange: changed.event, findSite: () => undefined, sitesFor: () => [], usageFor: () => undefined };
      const keys = { get: async () => undefined, has: async () => false, status: async () => ({}), onDidChange: () => new Disposable() };
      env.isTrusted = false;
      const registration = comparePanel.register(fakeContext() as never, service as never, keys as never);
      try {
        await env.commands.get('costlens.compareModels')!();
        const panel = env.panels[env.panels.length - 1]!;
        assert.equal(panel.viewType, 'costlens.compare');
        const posted = (type: string): Array<Record<string, unknown>> => (panel.webview.posted as Array<Record<string, unknown>>).filter((m) => m.type === type);

        // Opening, the handshake, editing and the dry run send nothing.
        await panel.webview.send({ type: 'ready' });
        const state = posted('state')[0]!.state as { canRun: boolean };
        assert.equal(state.canRun, false, 'the panel is told that nothing can be sent');
        await panel.webview.send({ type: 'setModels', models: DRAFT.models });
        await panel.webview.send({ type: 'dryRun', requestId: 'd1', draft: DRAFT });
        assert.deepEqual(posted('dryRunResult')[0]!.problems, [], JSON.stringify(posted('dryRunResult')[0]));
        // Run in an untrusted workspace: refused with the reason; no request.
        await panel.webview.send({ type: 'run', requestId: 'r1', draft: DRAFT });
        const refusal = posted('error').find((m) => m.requestId === 'r1');
        assert.match(String(refusal?.message), /Restricted Mode: comparisons send prompts to model providers, so they only run in a trusted workspace/);
        // Hostile messages are logged, not run.
        await panel.webview.send({ type: 'run', requestId: 'r2', draft: { ...DRAFT, apiKey: 'sk-x' } });
        assert.ok(lines.some((l) => /costlens\.compare: rejected a message/.test(l)));
        assert.equal(server.requestCount(), 0, 'no request in an untrusted workspace');
        assert.equal(posted('runStarted').length, 0);

        // Trusting the workspace: the panel learns it, and Run (a person's action) sends the prompt.
        env.isTrusted = true;
        env.grantTrust.fire();
        await new Promise((r) => setTimeout(r, 20));
        assert.equal((posted('state').at(-1)!.state as { canRun: boolean }).canRun, true);
        assert.equal(server.requestCount(), 0, 'trust alone sends nothing');
        await panel.webview.send({ type: 'run', requestId: 'r3', draft: DRAFT });
        assert.equal(posted('runStarted').length, 1, JSON.stringify(posted('error')));
        assert.equal(posted('runFinished').length, 1);
        assert.equal(server.requestCount(), 2, 'one request per column, after Run');
      } finally {
        registration.dispose();
        env.isTrusted = true;
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Workspace code is never run
// ---------------------------------------------------------------------------------------------------------------

describe('scanning never runs workspace code', () => {
  test('a workspace full of side effects: no child process, no workspace module loaded, no foreign worker, no marker written', async () => {
    const marker = (name: string): string => `__COSTLENS_PWNED_${name}__`;
    const dir = writeProject({
      'app.py': `import os\nos.system("touch ${marker('py')}")\nfrom openai import OpenAI\nclient = OpenAI()\nclient.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n`,
      'setup.py': `import os\nos.system("touch ${marker('setup')}")\n`,
      'conftest.py': `open("${marker('conftest')}", "w").write("x")\n`,
      'index.js': `require('child_process').execSync('touch ${marker('js')}');\nconst OpenAI = require('openai');\nnew OpenAI().chat.completions.create({ model: 'gpt-4o-mini', messages: [] });\n`,
      'src/models.ts': `import { execSync } from 'node:child_process';\nexecSync('touch ${marker('ts')}');\nexport const MODEL = 'gpt-4o';\n`,
      'src/chat.ts': `import OpenAI from 'openai';\nimport { MODEL } from '@/models';\nconst openai = new OpenAI();\nexport const answer = () => openai.chat.completions.create({ model: MODEL, messages: [] });\n`,
      'tsconfig.json': '{ "extends": "./tsconfig.base.json" }',
      'tsconfig.base.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }',
      'package.json': JSON.stringify({ name: 'evil', scripts: { preinstall: `touch ${marker('npm')}`, postinstall: `touch ${marker('npm2')}` }, main: 'index.js' }),
      'costlens.config.js': `require('fs').writeFileSync('${marker('config')}', 'x')`,
      '.vscode/tasks.json': JSON.stringify({ version: '2.0.0', tasks: [{ label: 'x', type: 'shell', command: `touch ${marker('task')}`, runOptions: { runOn: 'folderOpen' } }] }),
      'costlens.yml': 'version: 1\n',
    });
    const spawned: string[] = [];
    const loaded: string[] = [];
    const workers: string[] = [];
    // The modules themselves (not this file's namespace copies), so that every importer sees the spies.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cp = require('node:child_process') as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wt = require('node:worker_threads') as Record<string, unknown>;
    const CP_NAMES = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];
    const saved = { cp: Object.fromEntries(CP_NAMES.map((n) => [n, cp[n]])), Worker: wt.Worker, load: moduleWithLoad._load };
    for (const name of CP_NAMES) {
      const real = cp[name] as (...a: unknown[]) => unknown;
      cp[name] = (...a: unknown[]) => (spawned.push(`${name} ${String(a[0])}`), real(...a));
    }
    const RealWorker = workerThreads.Worker;
    wt.Worker = class extends RealWorker {
      constructor(script: string | URL, options?: workerThreads.WorkerOptions) {
        workers.push(String(script));
        super(script, options);
      }
    };
    const load = moduleWithLoad._load;
    moduleWithLoad._load = function (request: string, parent: unknown, ...rest: unknown[]) {
      const from = (parent as { filename?: string } | undefined)?.filename ?? '';
      const resolved = path.isAbsolute(request) ? request : request.startsWith('.') ? path.resolve(path.dirname(from), request) : request;
      if (resolved.startsWith(dir) || from.startsWith(dir)) loaded.push(`${request} from ${from}`);
      return load.call(this, request, parent, ...rest);
    };
    try {
      const engine = await CostEngine.create({ root: dir });
      const scan = await engine.scan();
      assert.deepEqual(scan.callSites.map((s) => s.model.resolved).sort(), ['gpt-4o', 'gpt-4o', 'gpt-4o-mini'], 'the workspace was analysed (the alias import resolved statically)');
      engine.dispose();
      // The CLI as well (parallel workers, report), as a CI job would run it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { scanCommand } = require('../../src/cli/scan') as typeof import('../../src/cli/scan');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { reportCommand } = require('../../src/cli/report') as typeof import('../../src/cli/report');
      let out = '';
      const io: CliIo = { stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream, stderr: { write: () => true } as unknown as NodeJS.WritableStream, cwd: dir, env: {} };
      assert.equal(await scanCommand(['--root', dir, '--format', 'json', '--quiet'], io), 0);
      assert.equal(await reportCommand(['--root', dir, '--format', 'markdown', '--quiet'], io), 0);
      assert.match(out, /gpt-4o-mini/);
      // Positive controls: the spies see what they watch (so the empty lists below mean something).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { gitTopLevel } = require('../../src/core/report/gitRevision') as typeof import('../../src/core/report/gitRevision');
      gitTopLevel(dir);
      assert.deepEqual(spawned.splice(0), ['spawnSync git'], 'the child_process spy works');
      fs.writeFileSync(path.join(dir, 'probe.json'), '{}');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(dir, 'probe.json'));
      assert.equal(loaded.splice(0).length, 1, 'the module-load spy works');
    } finally {
      Object.assign(cp, saved.cp);
      wt.Worker = saved.Worker;
      moduleWithLoad._load = saved.load;
    }
    try {
      assert.deepEqual(spawned, [], 'no process was started');
      assert.deepEqual(loaded, [], 'no module of the workspace was loaded');
      for (const w of workers) assert.ok(path.resolve(w).startsWith(ROOT) && !path.resolve(w).startsWith(dir), `worker from ${w}`);
      const written = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.includes('PWNED'));
      assert.deepEqual(written, []);
      assert.deepEqual(fs.readdirSync(process.cwd()).filter((f) => f.includes('PWNED')), []);
    } finally {
      removeProject(dir);
    }
  });
});
