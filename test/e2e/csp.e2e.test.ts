// The webviews' Content-Security-Policy in a real browser (Debian's chromium driven by playwright-core, as the other
// e2e tests): the HTML that webviewHtml() (src/vscode/webview/html.ts) produces is served from a local origin that
// plays the part of `webview.cspSource`, with the real bundles from media/build/, and attacks are injected into it:
//
//   in the markup (what a rendering bug would let through): an inline <script> without the nonce, an inline event
//   handler (<img src=x onerror=…>), a <script src> from another origin, a script with a guessed nonce, a same-origin
//   script without the nonce, a javascript: link (clicked), a javascript: and a remote <iframe>, an SVG script, remote
//   images, style sheets and objects, a <base>, a form posting elsewhere (submitted), hostile initial state;
//
//   at run time, from a script that does carry the nonce (a compromised or buggy webview script): innerHTML with an
//   event handler, script elements created without the nonce, eval, new Function, setTimeout with a string, fetch,
//   an image, sendBeacon and a WebSocket to another origin. (A dynamic import() from a nonce'd script inherits the
//   nonce — CSP Level 3 — so the policy cannot stop it: the bundles must not contain one, which is checked.)
//
// Each attack would push to `window.__pwned` or reach a second local server ("evil", another origin) whose request
// counter must stay 0; the nonce'd scripts must run (the stand-in `acquireVsCodeApi` sees the report bundle's `ready`,
// the vscode-elements bundle defines its elements), and every blocked attempt raises a securitypolicyviolation.
// Then the real report and compare bundles are fed hostile model outputs and file names as host messages, and must
// show them as text.
//
// Run: `bash scripts/e2e/run.sh test/e2e/csp.e2e.test.ts` (needs setup.sh's tools; no editor, no build needed
// beyond media/build). COSTLENS_E2E=0 skips it with that reason.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHROMIUM_ARGS, REPO_ROOT, RESULTS_DIR, toolPaths } from './harness';
import { loadPlaywright, type Browser, type Page } from './playwright';
import { webviewHtml } from '../../src/vscode/webview/html';
import { buildReport } from '../../src/core/report/reportModel';
import { parseUsageFile } from '../../src/core/usage/usageFile';
import { scanFiles } from '../unit/helpers/tempProject';

const SKIP: string | false = process.env.COSTLENS_E2E === '0' ? 'COSTLENS_E2E=0: the real-browser e2e tests are disabled in this run' : false;

const NONCE = 'dGVzdC1ub25jZS1mb3ItY3NwLWUyZS0wMTIzNDU2Nzg5';

/** Members of playwright-core's Page used here beyond test/e2e/playwright.ts (a structural subset of its API). */
type CspPage = Page & {
  addInitScript(script: { content: string }): Promise<void>;
  content(): Promise<string>;
  click(selector: string, options?: { timeout?: number; noWaitAfter?: boolean }): Promise<void>;
};

interface Served {
  url: string;
  port: number;
  hits: string[];
  close(): Promise<void>;
}

/** A tiny static server on 127.0.0.1: `routes` first, then media/ (read-only, nothing outside it). */
async function serve(routes: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<Served> {
  const hits: string[] = [];
  const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.png': 'image/png', '.html': 'text/html' };
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (routes(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/media/')) {
      const file = path.resolve(REPO_ROOT, `.${decodeURIComponent(url.pathname)}`);
      if (file.startsWith(path.join(REPO_ROOT, 'media') + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
        return;
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let origin: Served;
let evil: Served;
let browser: Browser | undefined;
let page: CspPage;
/** The page under test, set per test before it is loaded. */
let pageHtml = '';

/** Runs in the page before anything else (through the DevTools protocol, which CSP does not govern): bookkeeping. */
const INIT_SCRIPT = `
  window.__pwned = [];
  window.__violations = [];
  window.__posted = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample || '' });
  });
`;

/**
 * The one script that carries the nonce besides the bundles: it stands in for VS Code's `acquireVsCodeApi` (the
 * bundles call it), and then behaves like a compromised webview script trying everything CSP must stop.
 */
function legitScript(evilUrl: string): string {
  return `
  window.__legit = true;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    getState: () => undefined,
    setState: () => undefined,
  });
  const attempts = {};
  const tryIt = (name, fn) => {
    try { fn(); attempts[name] = 'no exception'; } catch (e) { attempts[name] = 'threw ' + (e && e.name); }
  };
  window.__attempts = attempts;
  // Started from the test, but run in a task of the page's own (DevTools evaluations are exempt from the eval rule).
  window.__runtimeAttacks = () => setTimeout(runtimeAttacks, 0);
  const runtimeAttacks = () => {
    tryIt('innerHTML onerror', () => document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="window.__pwned.push(\\'runtime innerHTML onerror\\')">'));
    tryIt('created inline script', () => { const s = document.createElement('script'); s.textContent = "window.__pwned.push('runtime inline script')"; document.body.append(s); });
    tryIt('created remote script', () => { const s = document.createElement('script'); s.src = '${evilUrl}/runtime.js'; document.body.append(s); });
    tryIt('eval', () => eval("window.__pwned.push('eval')"));
    tryIt('new Function', () => new Function("window.__pwned.push('new Function')")());
    tryIt('setTimeout string', () => setTimeout("window.__pwned.push('setTimeout string')", 0));
    tryIt('fetch', () => fetch('${evilUrl}/fetch').catch(() => undefined));
    tryIt('image', () => { new Image().src = '${evilUrl}/pixel.png'; });
    tryIt('sendBeacon', () => navigator.sendBeacon('${evilUrl}/beacon', 'x'));
    tryIt('WebSocket', () => new WebSocket('${evilUrl.replace('http', 'ws')}/ws'));
  };
  `;
}

/** Attacks in the markup, each of which would push to __pwned or reach the evil server. */
function injectedMarkup(evilUrl: string): { html: string; count: number } {
  const items = [
    `<script>window.__pwned.push('inline script without nonce')</script>`,
    `<img src="x" onerror="window.__pwned.push('inline event handler')">`,
    `<script src="${evilUrl}/evil.js"></script>`,
    `<script nonce="d3JvbmctZ3Vlc3M=" src="${evilUrl}/evil-guessed.js"></script>`,
    `<script nonce="${NONCE.slice(0, -2)}xx">window.__pwned.push('inline script with a guessed nonce')</script>`,
    `<script src="/test/same-origin-evil.js"></script>`,
    `<a id="js-link" href="javascript:window.__pwned.push('javascript: URL')">click me</a>`,
    `<iframe src="javascript:parent.__pwned.push('javascript: iframe')"></iframe>`,
    `<iframe src="${evilUrl}/frame.html"></iframe>`,
    `<svg><script>window.__pwned.push('svg script')</script></svg>`,
    `<img src="${evilUrl}/pixel.png">`,
    `<link rel="stylesheet" href="${evilUrl}/evil.css">`,
    `<object data="${evilUrl}/object"></object>`,
    `<base href="${evilUrl}/">`,
    `<form id="evil-form" action="${evilUrl}/submit" method="post"><input name="q" value="1"><button id="evil-submit">send</button></form>`,
    `<div style="background-image:url(${evilUrl}/background.png)">styled</div>`,
  ];
  return { html: `<section id="injected">${items.join('\n')}</section>`, count: items.length };
}

const HOSTILE_STATE = { note: `</script><script>window.__pwned.push('initial state')</script>`, other: `"><img src=x onerror="window.__pwned.push('initial state attr')">` };

function pageFor(script: 'report.js' | 'compare.js'): { html: string; injected: number } {
  const shell = webviewHtml(
    'costlens CSP test <script>',
    {
      cspSource: origin.url,
      styles: [`${origin.url}/media/build/codicon.css`, `${origin.url}/media/shared/webview.css`],
      scripts: [`${origin.url}/test/legit.js`, `${origin.url}/media/build/vscode-elements.js`, `${origin.url}/media/build/${script}`],
    },
    HOSTILE_STATE,
    NONCE,
  );
  const injected = injectedMarkup(evil.url);
  const anchor = '<main id="app" aria-live="polite"></main>';
  assert.ok(shell.includes(anchor), 'the shell has its #app element');
  return { html: shell.replace(anchor, `${anchor}\n${injected.html}`), injected: injected.count };
}

before(async () => {
  if (SKIP) return;
  evil = await serve((req, res) => {
    // Anything at all: counted (in hits), and answered with something that would do harm if it were used.
    const url = req.url ?? '/';
    const body = url.endsWith('.js') ? `window.__pwned.push('remote script ${url}')` : url.endsWith('.css') ? 'body { display: none }' : url.endsWith('.html') ? "<script>parent.__pwned.push('remote frame')</script>" : 'x';
    res.writeHead(200, { 'content-type': url.endsWith('.js') ? 'text/javascript' : url.endsWith('.css') ? 'text/css' : 'text/html', 'access-control-allow-origin': '*' }).end(body);
    return true;
  });
  origin = await serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    if (url === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(pageHtml), true;
    if (url === '/test/legit.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(legitScript(evil.url)), true;
    if (url === '/test/same-origin-evil.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end("window.__pwned.push('same-origin script without nonce')"), true;
    return false;
  });
  const tools = toolPaths();
  const playwright = loadPlaywright(tools.toolsDir);
  browser = await playwright.chromium.launch({ executablePath: tools.chromium, headless: true, args: [...CHROMIUM_ARGS], timeout: 60_000 });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  page = (await context.newPage()) as CspPage;
  await page.addInitScript({ content: INIT_SCRIPT });
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
  await origin?.close();
  await evil?.close();
});

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

async function load(script: 'report.js' | 'compare.js'): Promise<number> {
  const built = pageFor(script);
  pageHtml = built.html;
  evil.hits.length = 0;
  await page.goto(`${origin.url}/page.html`, { waitUntil: 'load' });
  await page.waitForFunction('window.__legit === true && window.__posted.some((m) => m && m.type === "ready")', undefined, { timeout: 15_000 });
  return built.injected;
}

const pwned = (): Promise<string[]> => page.evaluate<string[]>('window.__pwned.slice()');
const violations = (): Promise<Violation[]> => page.evaluate<Violation[]>('window.__violations.slice()');

describe('CSP of the webviews, in chromium', () => {
  test('injected scripts, handlers, javascript: URLs and remote resources are blocked; the nonce\'d bundles run', { skip: SKIP, timeout: 90_000 }, async () => {
    const injected = await load('report.js');
    // The legitimate scripts ran under the policy.
    assert.equal(await page.evaluate<boolean>('window.__legit'), true, 'the nonce\'d test script ran');
    assert.deepEqual(await page.evaluate<unknown>('window.__posted[0]'), { type: 'ready' }, 'the report bundle ran and said ready');
    assert.equal(await page.evaluate<boolean>('!!customElements.get("vscode-button")'), true, 'the vscode-elements bundle ran');
    assert.equal(await page.evaluate<string>('document.title'), 'costlens CSP test <script>', 'the title is text');
    assert.deepEqual(await page.evaluate<unknown>('JSON.parse(document.body.dataset.initialState)'), HOSTILE_STATE, 'hostile initial state arrives intact, as data');

    // A person clicking the javascript: link and submitting the form.
    await page.click('#js-link', { noWaitAfter: true });
    await page.click('#evil-submit', { noWaitAfter: true });
    // The compromised script's attempts.
    await page.evaluate('window.__runtimeAttacks()');
    await page.waitForTimeout(800);

    const results = await page.evaluate<Record<string, string>>('window.__attempts');
    assert.equal(results.eval, 'threw EvalError');
    assert.equal(results['new Function'], 'threw EvalError');
    assert.deepEqual(await pwned(), [], 'no injected script ran');
    assert.deepEqual(evil.hits, [], 'nothing reached the other origin');
    assert.equal(await page.evaluate<string>('location.href'), `${origin.url}/page.html`, 'the page did not navigate');

    const seen = await violations();
    const directives = new Set(seen.map((v) => v.directive));
    for (const d of ['script-src-elem', 'script-src-attr', 'script-src', 'img-src', 'style-src-elem', 'style-src-attr', 'frame-src', 'object-src', 'base-uri', 'form-action', 'connect-src']) {
      assert.ok(directives.has(d), `a securitypolicyviolation for ${d} (seen: ${[...directives].join(', ')})`);
    }
    const runtime = Object.keys(results).length;
    assert.ok(seen.length >= injected + runtime - 2, `${seen.length} violations for ${injected} injected + ${runtime} run-time attacks`);
    console.log(`[csp] ${injected} injected + ${runtime} run-time attacks: 0 ran, 0 requests to the other origin, ${seen.length} securitypolicyviolation events (${[...directives].sort().join(', ')})`);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'csp-blocked.png') });
  });

  test("the bundles hold no dynamic import() (it would inherit the nonce and load code from anywhere)", { skip: SKIP }, () => {
    const bundles = fs.readdirSync(path.join(REPO_ROOT, 'media', 'build')).filter((f) => f.endsWith('.js'));
    assert.ok(bundles.length >= 4, bundles.join(', '));
    for (const f of bundles) assert.doesNotMatch(fs.readFileSync(path.join(REPO_ROOT, 'media', 'build', f), 'utf8'), /(^|[^\w$.])import\s*\(/, f);
  });

  test('the report webview shows model names, file paths and assumptions from hostile data as text', { skip: SKIP, timeout: 90_000 }, async () => {
    await load('report.js');
    const usageYml = 'version: 1\nfeatures:\n  "<img src=x onerror=window.__pwned.push(1)>":\n    description: "<script>window.__pwned.push(2)</script>"\n    callSites: "app.py#*"\n';
    const scan = await scanFiles({
      'app.py': `from openai import OpenAI\nclient = OpenAI()\n\ndef answer(q):\n    return client.chat.completions.create(model="<img src=x onerror=window.__pwned.push(3)>", messages=[{"role": "user", "content": f"{q['<script>window.__pwned.push(4)</script>']}"}])\n`,
      '<svg onload=window.__pwned.push(5)>.py': 'from openai import OpenAI\nclient = OpenAI()\nclient.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n',
      'costlens.yml': usageYml,
    });
    const usage = parseUsageFile(usageYml, 'costlens.yml');
    assert.ok(usage.ok);
    const report = buildReport(scan, usage.config, { generatedAt: '2026-01-01T00:00:00.000Z', workspace: '<b>ws</b>', toolVersion: '0' });
    const message = { type: 'report', report, currency: { code: 'USD', usdRate: 1 }, options: { targets: [], models: [] }, scenario: { trafficMultiplier: 1, featureModels: {} }, elapsedMs: 3 };
    const before = (await violations()).length;
    await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
    await page.waitForFunction('document.getElementById("app").textContent.includes("onerror")', undefined, { timeout: 10_000 });
    await page.waitForTimeout(300);
    const text = await page.evaluate<string>('document.getElementById("app").textContent');
    assert.ok(text.includes('<img src=x onerror=window.__pwned.push(3)>'), 'the model name is shown as text');
    assert.ok(text.includes('<svg onload=window.__pwned.push(5)>.py'), 'the file name is shown as text');
    assert.equal(await page.evaluate<number>('document.querySelectorAll("#app img, #app script, #app svg[onload], #app iframe, #app [onerror], #app [onload]").length'), 0, 'no element was made from data');
    assert.deepEqual(await pwned(), []);
    const after = await violations();
    assert.deepEqual(after.slice(before).filter((v) => v.directive.startsWith('script-src')), [], 'nothing even tried to run');
  });

  test('the compare webview shows hostile model answers, model names and errors as text', { skip: SKIP, timeout: 90_000 }, async () => {
    await load('compare.js');
    const draft = {
      prompt: { messages: [{ role: 'user', content: 'Say <b>hi</b>' }], placeholders: [], source: 'typed' },
      models: ['custom/<img src=x onerror=window.__pwned.push(6)>', 'gpt-4o-mini'],
      params: { runs: 1, temperature: null, maxOutputTokens: 64, requestsPerMonth: null, stream: true },
      quality: null,
      currentModel: null,
      currentCostPerRequestUsd: null,
      siteId: null,
    };
    const state = { draft, site: null, modelChoices: [], providers: [], recent: [], lastResult: null, canRun: true };
    const evilModel = draft.models[0]!;
    const answer = "<script>window.__pwned.push(7)</script><img src=x onerror=window.__pwned.push(8)> [click](javascript:window.__pwned.push(9))";
    const columns = draft.models.map((m) => ({ model: m, modelId: m, providerLabel: '<i>Custom</i>', baseURL: 'http://127.0.0.1:1/v1', isCurrent: false }));
    const messages: unknown[] = [
      { type: 'state', state },
      { type: 'runStarted', requestId: 'q', runId: 'r', columns, runs: 1 },
      { type: 'event', runId: 'r', event: { type: 'start', model: evilModel, run: 1, attempt: 1 } },
      { type: 'event', runId: 'r', event: { type: 'delta', model: evilModel, run: 1, text: answer } },
      { type: 'event', runId: 'r', event: { type: 'start', model: 'gpt-4o-mini', run: 1, attempt: 1 } },
      { type: 'event', runId: 'r', event: { type: 'error', model: 'gpt-4o-mini', run: 1, error: { kind: 'server', message: '500: Server said: <iframe src="javascript:parent.__pwned.push(10)">' } } },
    ];
    const before = (await violations()).length;
    for (const m of messages) await page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
    await page.waitForFunction('document.body.textContent.includes("window.__pwned.push(7)")', undefined, { timeout: 10_000 });
    await page.waitForTimeout(300);
    const text = await page.evaluate<string>('document.body.textContent');
    assert.ok(text.includes(answer), 'the answer is shown as text');
    assert.ok(text.includes('<iframe src="javascript:parent.__pwned.push(10)">'), 'the error is shown as text');
    assert.equal(await page.evaluate<number>('document.querySelectorAll("#app script, #app img, #app iframe, #app [onerror], #app a[href^=\\"javascript\\"]").length'), 0, 'no element was made from data');
    assert.deepEqual(await pwned(), []);
    assert.deepEqual((await violations()).slice(before).filter((v) => v.directive.startsWith('script-src') || v.directive === 'frame-src'), [], 'nothing even tried to run');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'csp-compare-hostile.png') });
  });
});
