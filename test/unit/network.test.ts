/**
 * No request is ever made without a user action: scanning, estimating, advising and analysing buffers open no
 * socket and resolve no host name. (Comparisons, which do call providers, run only when the user presses Run.)
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { CostEngine } from '../../src/core/engine/engine';

test('a full scan of every fixture project and buffer analysis make zero network calls', async () => {
  const attempts: string[] = [];
  const originalConnect = net.Socket.prototype.connect;
  const originalLookup = dns.lookup;
  const originalFetch = globalThis.fetch;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    attempts.push(`socket connect ${JSON.stringify(args[0])}`);
    return originalConnect.apply(this, args as never);
  } as typeof originalConnect;
  (dns as { lookup: unknown }).lookup = ((...args: unknown[]) => {
    attempts.push(`dns lookup ${String(args[0])}`);
    return (originalLookup as (...a: unknown[]) => unknown)(...args);
  }) as typeof dns.lookup;
  globalThis.fetch = (async (input: unknown) => {
    attempts.push(`fetch ${String(input)}`);
    throw new Error('network disabled in this test');
  }) as typeof fetch;
  try {
    for (const project of ['example-app', 'python-multi-provider', 'ts-express-api', 'js-legacy-scripts']) {
      const engine = await CostEngine.create({ root: path.join(__dirname, '..', 'fixtures', project) });
      const result = await engine.scan();
      assert.ok(result.callSites.length > 0);
      engine.analyzeText('scratch.py', 'import requests\nrequests.post("https://api.openai.com/v1/chat/completions", json={"model": "gpt-4o", "messages": []})\n');
      engine.dispose();
    }
  } finally {
    net.Socket.prototype.connect = originalConnect;
    (dns as { lookup: unknown }).lookup = originalLookup;
    globalThis.fetch = originalFetch;
  }
  assert.deepEqual(attempts, []);
});
