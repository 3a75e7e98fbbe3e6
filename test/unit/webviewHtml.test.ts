/** The webview shell: strict CSP with a fresh cryptographic nonce, no inline script, initial state escaped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, createNonce, webviewHtml } from '../../src/vscode/webview/html';

const assets = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scripts: ['https://x/media/build/report.js'], styles: ['https://x/media/shared/webview.css'] };

test('the CSP allows nothing by default and scripts only with the nonce', () => {
  const csp = contentSecurityPolicy(assets.cspSource, 'abc');
  assert.match(csp, /^default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.match(csp, /connect-src 'none'/);
});

test('nonces are random, long and differ per page', () => {
  const a = createNonce();
  const b = createNonce();
  assert.notEqual(a, b);
  assert.ok(Buffer.from(a, 'base64').length >= 24);
});

test('every script tag carries the nonce; there is no inline script; hostile state is escaped', () => {
  const hostile = { title: '</script><script>alert(1)</script>', note: '"><img src=x onerror=alert(1)>' };
  const html = webviewHtml('Report <b>', assets, hostile, 'n0nce');
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  assert.equal(scripts.length, 1);
  for (const s of scripts) assert.match(s, /nonce="n0nce" src="https:\/\/x\/media\/build\/report\.js"/);
  assert.doesNotMatch(html, /<script>alert|<img src=x/);
  assert.match(html, /<title>Report &lt;b&gt;<\/title>/);
  const attr = /data-initial-state="([^"]*)"/.exec(html)![1]!;
  const decoded = attr.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  assert.deepEqual(JSON.parse(decoded), hostile);
});
