/**
 * Secrets: a planted API key never comes out. Two keys are planted in turn — one shaped like a real key
 * (`sk-test-PLANTED-…`, which the key-shape patterns would catch anyway) and one with no known shape (only the exact
 * redaction of the keys in use can catch it) — and a comparison runs against servers that misbehave with it:
 *
 *   (a) echo the Authorization header back in the answer (streamed, whole, and split across stream chunks),
 *   (b) fail with 401 whose body holds the key (short, and long enough that the message is cut inside the key),
 *   (c) fail with 500 / a raw 500 body / 429 / an error inside the stream, each holding the key,
 *   (d) a judge that repeats the key in its verdict.
 *
 * Everything a person or a file could see is collected — the ComparisonResult JSON, every CompareEvent (and the text a
 * live column shows: its deltas concatenated), error messages, the Markdown export, what the panel would post to its
 * webview and keep in workspace storage, console output with the SDK's debug logging asked for, the CLI's stdout,
 * stderr (with progress) and --out file in every format — and searched for the key and for its middle 20 characters.
 *
 * Also: no contributed setting can hold a key, the endpoint setting cannot carry one, and the editor keeps keys in
 * SecretStorage only (src/vscode/apiKeys.ts, exercised with a stand-in `vscode` module).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import Module from 'node:module';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareCommand } from '../../src/cli/compare';
import type { CliIo } from '../../src/cli/common';
import { renderComparisonMarkdown } from '../../src/core/compare/exportMarkdown';
import { addRecentComparison, recentOf, type CompareHostMessage } from '../../src/core/compare/protocol';
import { resolveTarget, resolveTargets } from '../../src/core/compare/providers';
import { runComparison } from '../../src/core/compare/runner';
import type { CompareEvent, CompareRequest, ComparisonResult } from '../../src/core/compare/types';
import { createPriceCatalogue } from '../../src/core/pricing/catalogue';
import { createTokenizer, type Tokenizer } from '../../src/core/tokens/tokenizer';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../support/fakeOpenAiServer';
import { removeProject, writeProject } from './helpers/tempProject';

const ROOT = path.join(__dirname, '..', '..');

const KEYS = {
  'key-shaped': 'sk-test-PLANTED-4f1c9a7e2b3d8c6051e9f0a2b7c4d3e8',
  'no known shape': 'PLANTEDopaque7d2e9c41b8a05f36e1c7d9a2b4f6e80',
} as const;

const middle20 = (key: string): string => key.slice(Math.floor(key.length / 2) - 10, Math.floor(key.length / 2) + 10);

const PRICES = createPriceCatalogue({
  overrides: ['echo', 'echo-whole', 'split', 'judge', 'rate429', 'auth401', 'srv500'].map((model) => ({ model, inputPerMTok: 1, outputPerMTok: 2, source: 'test prices' })),
});

let tokenizer: Tokenizer;
before(async () => {
  tokenizer = await createTokenizer();
  await tokenizer.ensureLoaded();
});
after(() => tokenizer.dispose());

/** Figures for the closing note. */
const figures = { surfaces: 0, checks: 0, leaks: [] as string[] };
after(() => console.log(`[secrets] ${figures.surfaces} surfaces searched, ${figures.checks} key/fragment searches, ${figures.leaks.length} leaks`));

/**
 * Asserts that neither the key, nor its middle 20 characters, nor any other 20 characters of it in a row occur in any
 * of the texts (a key cut in two, or streamed in pieces, must not leave a readable half).
 */
function assertNoKey(key: string, texts: Record<string, string>): void {
  const fragment = middle20(key);
  const windows = Array.from({ length: key.length - 19 }, (_, i) => key.slice(i, i + 20));
  const leaked: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    figures.surfaces++;
    figures.checks += 2 + windows.length;
    if (text.includes(key)) leaked.push(`${where}: the whole key`);
    else if (text.includes(fragment)) leaked.push(`${where}: its middle 20 characters`);
    else {
      const part = windows.find((w) => text.includes(w));
      if (part) leaked.push(`${where}: 20 characters of it (${key.indexOf(part)}–${key.indexOf(part) + 20})`);
    }
  }
  figures.leaks.push(...leaked);
  assert.deepEqual(leaked, [], `the planted key leaked:\n${leaked.join('\n')}`);
}

/** Bearer token of the last request for a model, as the server received it. */
function lastAuthorization(server: FakeOpenAiServer, model: string): string {
  return [...server.requests].reverse().find((r) => r.model === model)?.authorization ?? '(none)';
}

/**
 * A server that streams the key split over several chunks (no single chunk holds it), then an answer whose stream
 * ends with an error object that names the key.
 */
async function startSplittingServer(key: string): Promise<{ baseURL: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as { model?: string; stream?: boolean };
      const model = body.model ?? 'split';
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string | null, finish: string | null = null): string =>
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
      const third = Math.floor(key.length / 3);
      const pieces = ['Your key: ', key.slice(0, third), key.slice(third, 2 * third), key.slice(2 * third), ' — keep it safe.'];
      if (model === 'split-error') {
        res.write(chunk('Working on it… '));
        res.end(`data: ${JSON.stringify({ error: { message: `upstream rejected credential ${key}`, type: 'server_error' } })}\n\n`);
        return;
      }
      let i = 0;
      const next = (): void => {
        if (i < pieces.length) {
          res.write(chunk(pieces[i++]!));
          setTimeout(next, 5);
          return;
        }
        res.write(chunk(null, 'stop'));
        res.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: 9 } })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Everything a person could see of a comparison, by surface. */
function surfacesOf(label: string, result: ComparisonResult, events: CompareEvent[]): Record<string, string> {
  const live = new Map<string, string>();
  for (const e of events) if (e.type === 'delta') live.set(`${e.model}#${e.run}`, (live.get(`${e.model}#${e.run}`) ?? '') + e.text);
  // What the compare panel posts to its webview and keeps in workspace storage.
  const posted: CompareHostMessage[] = [
    ...events.map((event): CompareHostMessage => ({ type: 'event', runId: 'r', event })),
    { type: 'runFinished', runId: 'r', result },
    ...result.models.filter((m) => m.error).map((m): CompareHostMessage => ({ type: 'error', message: m.error!.message })),
  ];
  return {
    [`${label}: result JSON`]: JSON.stringify(result),
    [`${label}: events`]: JSON.stringify(events),
    [`${label}: live column text (deltas joined)`]: [...live.values()].join('\n'),
    [`${label}: error messages`]: result.models.flatMap((m) => [m.error?.message ?? '', ...m.runs.map((r) => r.error?.message ?? '')]).join('\n'),
    [`${label}: Markdown export`]: renderComparisonMarkdown(result),
    [`${label}: webview messages`]: JSON.stringify(posted),
    [`${label}: workspace storage`]: JSON.stringify(addRecentComparison(undefined, result)) + JSON.stringify(recentOf(result)),
  };
}

/** Runs with console output captured and the openai SDK's debug logging asked for (it must stay off). */
async function withCapturedConsole<T>(fn: () => Promise<T>): Promise<{ value: T; logged: string }> {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const saved = methods.map((m) => console[m]);
  const previousLog = process.env.OPENAI_LOG;
  let logged = '';
  for (const m of methods) console[m] = (...args: unknown[]) => void (logged += `${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
  process.env.OPENAI_LOG = 'debug';
  try {
    return { value: await fn(), logged };
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
    if (previousLog === undefined) delete process.env.OPENAI_LOG;
    else process.env.OPENAI_LOG = previousLog;
  }
}

for (const [kind, KEY] of Object.entries(KEYS)) {
  describe(`a planted key (${kind}) appears nowhere`, () => {
    let server: FakeOpenAiServer;
    before(async () => {
      const echo = (model: string) => () => `Sure. Your request came with "Authorization: ${lastAuthorization(server, model)}"; the key alone is ${lastAuthorization(server, model).replace(/^Bearer\s+/i, '')}.`;
      server = await startFakeOpenAiServer({
        behaviours: {
          echo: { reply: echo('echo'), usage: { prompt_tokens: 10, completion_tokens: 20 } },
          // 400 to streaming: the runner falls back to a plain request, whose whole answer echoes the key
          'echo-whole': { rejectStream: true, reply: echo('echo-whole') },
          auth401: { fail: { status: 401, message: 'Incorrect API key provided: {key}. Check "Authorization: Bearer {key}".' } },
          // errors are cut at 240 characters: this one would be cut 25 characters into the key
          'auth401-long': { fail: { status: 401, message: `${'word '.repeat(43).trim()} {key} is not valid here.` } },
          srv500: { fail: { status: 500, message: 'upstream failed for key {key}' } },
          'srv500-raw': { fail: { status: 500, rawBody: `Internal Server Error\nrequest headers: authorization=Bearer ${KEY}` } },
          'bad400-raw': { fail: { status: 400, rawBody: `Bad Request: unexpected header authorization=${KEY}` } },
          rate429: { fail: { status: 429, times: 1, retryAfterMs: 10, message: 'Rate limit for key {key} reached.' } },
          'rate429-always': { fail: { status: 429, retryAfterMs: 1, message: 'Rate limit for key {key} reached.' } },
          judge: { reply: `Score: 4\nThe answer printed the credential ${KEY}, which it should not.` },
        },
      });
    });
    after(() => server.close());

    test('runComparison: echoed, refused, failing and judged — results, events, export, webview state, console', async () => {
      const prices = PRICES;
      const judge = resolveTarget('judge', { baseURL: server.baseURL });
      assert.ok(judge.ok);
      const base: Omit<CompareRequest, 'targets'> = {
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hello.' },
        ],
        runs: 1,
        maxOutputTokens: 64,
        timeoutMs: 5000,
        retry: { maxAttempts: 2, baseDelayMs: 5 },
        quality: { checks: [{ kind: 'contains', expected: 'hello' }], judge: { target: { ...judge.target, id: 'judge (judge)' }, rubric: 'Is it a greeting?' } },
      };
      const all: Record<string, string> = {};
      for (const [label, models] of [
        ['echoes', ['echo', 'echo-whole', 'rate429']],
        ['failures', ['auth401', 'auth401-long', 'srv500', 'srv500-raw']],
      ] as const) {
        const events: CompareEvent[] = [];
        const { value: result, logged } = await withCapturedConsole(() =>
          runComparison({ ...base, targets: resolveTargets([...models], { baseURL: server.baseURL, prices }).targets }, { getKey: async () => KEY, prices, tokenizer, onEvent: (e) => events.push(e) }),
        );
        Object.assign(all, surfacesOf(label, result, events), { [`${label}: console (OPENAI_LOG=debug)`]: logged });
        if (label === 'echoes') {
          assert.equal(result.models.find((m) => m.model === 'echo')!.status, 'ok');
          assert.equal(result.models.find((m) => m.model === 'rate429')!.runs[0]!.attempts, 2, '429 retried once');
        } else assert.ok(result.models.every((m) => m.status === 'failed'));
      }
      // the key did reach the server (so the searches above are not vacuous) and came back in every form
      assert.equal(lastAuthorization(server, 'echo'), `Bearer ${KEY}`);
      assert.ok(server.requests.some((r) => r.model === 'judge' && r.authorization === `Bearer ${KEY}`));
      assert.match(all['echoes: result JSON']!, /\[redacted\]/);
      assert.match(all['failures: error messages']!, /401: .*refused the API key.*\[redacted\]/);
      assert.match(all['failures: error messages']!, /Server said: (word ){42}word…/, 'the long message was cut before the key, not inside it');
      assertNoKey(KEY, all);
    });

    test('a key split across stream chunks, and an error inside the stream', async () => {
      const splitting = await startSplittingServer(KEY);
      try {
        const targets = resolveTargets(['split', 'split-error'], { baseURL: splitting.baseURL, prices: PRICES }).targets;
        const events: CompareEvent[] = [];
        const result = await runComparison(
          { messages: [{ role: 'user', content: 'Repeat my key.' }], targets, runs: 1, maxOutputTokens: 64, timeoutMs: 5000 },
          { getKey: async () => KEY, prices: PRICES, tokenizer, onEvent: (e) => events.push(e) },
        );
        const split = result.models.find((m) => m.model === 'split')!;
        assert.equal(split.status, 'ok', JSON.stringify(split.error));
        assert.equal(split.runs[0]!.output, 'Your key: [redacted] — keep it safe.');
        assert.ok(events.filter((e) => e.type === 'delta' && e.model === 'split').length >= 2, 'the answer was streamed in pieces');
        assert.equal(result.models.find((m) => m.model === 'split-error')!.error!.kind, 'server');
        assertNoKey(KEY, surfacesOf('split', result, events));
      } finally {
        await splitting.close();
      }
    });

    test('the CLI: stdout, stderr (with progress) and --out, in every format, with the key in the environment', async () => {
      const dir = writeProject({ 'prompt.txt': 'Say hello.' });
      try {
        const texts: Record<string, string> = {};
        for (const format of ['table', 'json', 'markdown']) {
          let stdout = '';
          let stderr = '';
          const io: CliIo = {
            stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream,
            // a terminal, so that progress lines (retries, per-run errors) are written too
            stderr: { isTTY: true, write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream,
            cwd: dir,
            env: { COSTLENS_API_KEY: KEY, OPENAI_API_KEY: KEY },
          };
          const out = path.join(dir, `out-${format}.txt`);
          const args = ['--prompt', 'prompt.txt', '--models', 'echo,echo-whole,auth401,auth401-long,bad400-raw,rate429-always', '--base-url', server.baseURL, '--format', format, '--judge', 'judge', '--expect-contains', 'hello'];
          const code = await compareCommand(args, io);
          assert.equal(code, 0, stderr);
          texts[`CLI ${format}: stdout`] = stdout;
          texts[`CLI ${format}: stderr`] = stderr;
          const toFile = await compareCommand([...args, '--out', out, '--quiet'], { ...io, stdout: { write: () => true } as unknown as NodeJS.WritableStream });
          assert.equal(toFile, 0);
          texts[`CLI ${format}: --out file`] = fs.readFileSync(out, 'utf8');
          if (format === 'table') assert.match(stderr, /retrying/, 'progress was written');
        }
        assert.ok(server.requests.some((r) => r.authorization === `Bearer ${KEY}`), 'the CLI sent the key from the environment');
        assertNoKey(KEY, texts);
      } finally {
        removeProject(dir);
      }
    });
  });
}

describe('where keys are kept', () => {
  test('no contributed setting can hold a key; the endpoint setting takes a base URL and nothing else', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { additionalProperties?: { properties?: Record<string, unknown>; additionalProperties?: boolean }; scope?: string }> } };
    };
    const properties = pkg.contributes.configuration.properties;
    // Names that match but hold no secret: a number of output tokens.
    const NOT_SECRETS = new Set(['costlens.defaultOutputTokens']);
    const suspicious = Object.keys(properties).filter((name) => /key|token|secret|password|credential|auth/i.test(name) && !NOT_SECRETS.has(name));
    assert.deepEqual(suspicious, []);
    for (const name of NOT_SECRETS) assert.ok(!properties[name] || JSON.stringify(properties[name]).includes('"number"'), `${name} is a number`);
    const providers = properties['costlens.compare.providers']!;
    assert.deepEqual(Object.keys(providers.additionalProperties!.properties!), ['baseURL']);
    assert.equal(providers.additionalProperties!.additionalProperties, false, 'no apiKey property can be added beside baseURL');
    assert.equal(providers.scope, 'application', 'endpoints come from user settings only, never from a workspace');
  });

  test('the editor keeps keys in SecretStorage only: not in settings, logs, messages or the panel', async (t) => {
    const apiKeysFile = path.join(ROOT, 'src', 'vscode', 'apiKeys.ts');
    if (!fs.existsSync(apiKeysFile)) return t.skip('src/vscode/apiKeys.ts does not exist yet');
    const source = fs.readFileSync(apiKeysFile, 'utf8');
    assert.match(source, /secrets\.(store|get|delete)\(/);
    assert.doesNotMatch(source, /getConfiguration|globalState|workspaceState|console\.|postMessage/);
    assert.match(fs.readFileSync(path.join(ROOT, 'src', 'extension.ts'), 'utf8'), /new apiKeys\.ApiKeyStore\(context\.secrets\)/);

    // Exercise the commands with a stand-in `vscode` module: a key typed into the input box goes to SecretStorage and
    // nowhere else.
    const KEY = KEYS['no known shape'];
    const stored = new Map<string, string>();
    const seen: string[] = [];
    const handlers = new Map<string, (...args: unknown[]) => unknown>();
    class EventEmitter<T> {
      private listeners: Array<(e: T) => void> = [];
      event = (l: (e: T) => void) => (this.listeners.push(l), { dispose() {} });
      fire(e: T) {
        for (const l of this.listeners) l(e);
      }
      dispose() {}
    }
    const fakeVscode = {
      EventEmitter,
      Disposable: { from: (...d: Array<{ dispose(): void }>) => ({ dispose: () => d.forEach((x) => x.dispose()) }) },
      commands: { registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => (handlers.set(id, fn), { dispose() {} }) },
      window: {
        showInputBox: async (options: unknown) => (seen.push(`input box: ${JSON.stringify(options)}`), `  ${KEY}  `),
        showQuickPick: async (items: Array<{ provider: unknown }>) => items[0],
        showInformationMessage: async (m: string) => void seen.push(`message: ${m}`),
      },
    };
    const secrets = {
      get: async (k: string) => stored.get(k),
      store: async (k: string, v: string) => void stored.set(k, v),
      delete: async (k: string) => void stored.delete(k),
      onDidChange: () => ({ dispose() {} }),
    };
    const log = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'appendLine', 'append'].map((m) => [m, (...a: unknown[]) => void seen.push(`log ${m}: ${a.join(' ')}`)]));
    const moduleWithLoad = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
    const originalLoad = moduleWithLoad._load;
    moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? fakeVscode : originalLoad.call(this, request, ...rest);
    };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const apiKeys = require('../../src/vscode/apiKeys') as typeof import('../../src/vscode/apiKeys');
      const store = new apiKeys.ApiKeyStore(secrets as never);
      apiKeys.register(store, log as never);
      await handlers.get('costlens.setApiKey')!('openai');
      assert.equal(stored.get('costlens.apiKey.openai'), KEY, 'stored, trimmed, in SecretStorage');
      assert.equal(await store.get('openai'), KEY);
      assert.equal(await store.get('../openai'), undefined, 'a malformed provider id reads nothing');
      const status = await store.status();
      assert.equal(status.openai, true);
      assert.ok(Object.values(status).every((v) => typeof v === 'boolean'), 'the panel learns only whether a key exists');
      await handlers.get('costlens.clearApiKey')!('openai');
      assert.equal(stored.size, 0);
      assert.ok(seen.some((s) => /stored in secret storage/.test(s)));
      assertNoKey(KEY, { 'editor: logs, messages and prompts': seen.join('\n'), 'editor: key status': JSON.stringify(status) });
    } finally {
      moduleWithLoad._load = originalLoad;
    }
  });
});
