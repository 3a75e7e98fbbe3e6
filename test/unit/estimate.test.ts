/**
 * Cost arithmetic against hand-computed figures. Prices used (pinned in pricing.test.ts):
 *   gpt-4o-mini  $0.15 in / $0.60 out / $0.075 cached read per million tokens
 *   gpt-4o       $2.50 in / $10.00 out
 * Tokens: "hello world" is 2 tokens in o200k_base; a chat message costs its content + role (1 token for
 * `system`/`user`) + 3, and the reply priming adds 3 (OpenAI cookbook).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EstimatedCallSite } from '../../src/core/engine/engine';
import { scanFiles } from './helpers/tempProject';

const close = (actual: number | null | undefined, expected: number, what: string): void => {
  assert.ok(actual !== null && actual !== undefined, `${what} is null`);
  assert.ok(Math.abs(actual - expected) < 1e-12 + Math.abs(expected) * 1e-9, `${what}: expected ${expected}, got ${actual}`);
};

const handler = (call: string): string => `from fastapi import FastAPI
from openai import OpenAI

app = FastAPI()
client = OpenAI()


@app.post("/ask")
def ask(question: str):
    return ${call}
`;

function only(sites: EstimatedCallSite[]): EstimatedCallSite {
  assert.equal(sites.length, 1, `expected one call site, got ${sites.map((s) => s.id).join(', ')}`);
  return sites[0]!;
}

describe('estimate arithmetic', () => {
  test('static system prompt counted, dynamic part assumed, output at its limit, traffic from the usage file', async () => {
    const result = await scanFiles({
      'app.py': handler(
        `client.chat.completions.create(model="gpt-4o-mini", max_tokens=200, messages=[{"role": "system", "content": "hello world"}, {"role": "user", "content": question}])`,
      ),
      'costlens.yml': 'callSites:\n  "app.py#ask#0":\n    requestsPerDay: 1000\n    inputTokens: 1000\n',
    });
    const site = only(result.callSites);
    const e = site.estimate!;
    // system "hello world": 2 + 1 (role) + 3 = 6; reply priming 3 → 9 static tokens; one dynamic part of 1,000
    assert.equal(e.staticInputTokens, 9);
    assert.equal(e.dynamicInputTokens, 1000);
    assert.equal(e.inputTokens, 1009);
    assert.equal(e.outputTokens, 200);
    assert.equal(e.outputSource, 'limit');
    // (1009 × 0.15 + 200 × 0.60) / 1e6
    close(e.costPerRequestUsd, (1009 * 0.15 + 200 * 0.6) / 1e6, 'cost per request');
    assert.equal(e.requestsPerMonth, 30_000);
    close(e.monthlyCostUsd, ((1009 * 0.15 + 200 * 0.6) / 1e6) * 30_000, 'monthly cost');
    assert.equal(e.trafficSource, 'usage-file');
    close(result.totals.monthlyCostUsd, ((1009 * 0.15 + 200 * 0.6) / 1e6) * 30_000, 'total');
    assert.ok(e.assumptions.some((a) => /1 dynamic prompt part \(`question`\) at 1,000 tokens each/.test(a)), e.assumptions.join('\n'));
  });

  test('prompt cache hit rate prices the cached share at the cache-read price', async () => {
    const result = await scanFiles({
      'app.py': handler(`client.chat.completions.create(model="gpt-4o-mini", max_tokens=100, messages=[{"role": "user", "content": question}])`),
      'costlens.yml': 'callSites:\n  "app.py#ask#0":\n    requestsPerMonth: 10000\n    inputTokens: 2000\n    cacheHitRate: 0.5\n',
    });
    const e = only(result.callSites).estimate!;
    const input = e.inputTokens; // 2000 dynamic + 3 priming
    assert.equal(input, 2003);
    const expected = (input * 0.5 * 0.15 + input * 0.5 * 0.075 + 100 * 0.6) / 1e6;
    close(e.costPerRequestUsd, expected, 'cost per request with cache');
    close(e.monthlyCostUsd, expected * 10_000, 'monthly with cache');
  });

  test('batch share takes the documented 50% OpenAI Batch API discount off the batched requests', async () => {
    const result = await scanFiles({
      'app.py': handler(`client.chat.completions.create(model="gpt-4o", max_tokens=500, messages=[{"role": "user", "content": question}])`),
      'costlens.yml': 'callSites:\n  "app.py#ask#0":\n    requestsPerMonth: 1000\n    inputTokens: 997\n    batchShare: 1\n',
    });
    const e = only(result.callSites).estimate!;
    assert.equal(e.inputTokens, 1000);
    const full = (1000 * 2.5 + 500 * 10) / 1e6;
    close(e.costPerRequestUsd, full * 0.5, 'batched cost per request');
    close(e.breakdown!.batchSavingUsd, full * 0.5, 'batch saving');
  });

  test('n completions multiply the output; a call in a loop with default traffic assumes 10 iterations', async () => {
    const result = await scanFiles({
      'jobs/nightly.py': `from openai import OpenAI

client = OpenAI()


def run(items):
    for item in items:
        client.chat.completions.create(model="gpt-4o-mini", n=3, max_tokens=100, messages=[{"role": "user", "content": item}])


if __name__ == "__main__":
    run([])
`,
    });
    const e = only(result.callSites).estimate!;
    assert.equal(e.outputTokens, 300);
    // batch context built-in default 100/day × 30 days × 10 iterations
    assert.equal(e.requestsPerMonth, 30_000);
    assert.equal(e.trafficSource, 'loop');
    const perRequest = ((3 + 250) * 0.15 + 300 * 0.6) / 1e6;
    close(e.costPerRequestUsd, perRequest, 'cost per request');
    close(e.monthlyCostUsd, perRequest * 30_000, 'monthly');
  });

  test('an inline pragma sets the traffic of one call', async () => {
    const result = await scanFiles({
      'app.py': handler(`client.chat.completions.create(  # costlens: 2k/day
        model="gpt-4o-mini", max_tokens=10, messages=[{"role": "user", "content": question}])`),
    });
    const e = only(result.callSites).estimate!;
    assert.equal(e.trafficSource, 'pragma');
    assert.equal(e.requestsPerMonth, 60_000);
  });

  test('traffic ranges give low / expected / high monthly figures', async () => {
    const result = await scanFiles({
      'app.py': handler(`client.chat.completions.create(model="gpt-4o-mini", max_tokens=100, messages=[{"role": "user", "content": question}])`),
      'costlens.yml': 'callSites:\n  "app.py#ask#0":\n    requestsPerDay: { low: 100, expected: 200, high: 1000 }\n    inputTokens: 97\n',
    });
    const e = only(result.callSites).estimate!;
    const perRequest = (100 * 0.15 + 100 * 0.6) / 1e6;
    close(e.monthlyCostRange!.low, perRequest * 3000, 'low');
    close(e.monthlyCostRange!.expected, perRequest * 6000, 'expected');
    close(e.monthlyCostRange!.high, perRequest * 30_000, 'high');
    close(result.totals.monthlyCostRangeUsd.high, perRequest * 30_000, 'total high');
  });

  test('an unknown model is "price unknown": null costs, excluded from the total, counted as unpriced', async () => {
    const result = await scanFiles({
      'app.py': handler(`client.chat.completions.create(model="acme-llm-9000", messages=[{"role": "user", "content": question}])`),
    });
    const e = only(result.callSites).estimate!;
    assert.equal(e.costPerRequestUsd, null);
    assert.equal(e.monthlyCostUsd, null);
    assert.equal(result.totals.monthlyCostUsd, 0);
    assert.equal(result.totals.unpricedCallSites, 1);
    assert.match(e.priceSource, /price unknown/);
  });

  test('a self-hosted model priced at $0 on purpose in the usage file costs $0 and is not unpriced', async () => {
    const result = await scanFiles({
      'app.py': `from openai import OpenAI
from fastapi import FastAPI

app = FastAPI()
local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")


@app.post("/ask")
def ask(question: str):
    return local.chat.completions.create(model="llama3.1:8b", messages=[{"role": "user", "content": question}])
`,
      'costlens.yml': 'prices:\n  - model: "llama3.1:8b"\n    provider: ollama\n    inputPerMTok: 0\n    outputPerMTok: 0\n',
    });
    const site = only(result.callSites);
    assert.equal(site.provider, 'ollama');
    assert.equal(site.estimate!.costPerRequestUsd, 0);
    assert.equal(result.totals.unpricedCallSites, 0);
    assert.match(site.estimate!.priceSource, /costlens\.yml prices/);
  });

  test('embeddings have no output tokens', async () => {
    const result = await scanFiles({
      'embed.py': `from openai import OpenAI

client = OpenAI()


def embed(texts: list[str]):
    return client.embeddings.create(model="text-embedding-3-small", input=texts)
`,
    });
    const e = only(result.callSites).estimate!;
    assert.equal(e.outputTokens, 0);
    assert.equal(e.outputSource, 'none (embeddings)');
    // text-embedding-3-small: $0.02 per million input tokens; texts are one dynamic part of 250
    close(e.costPerRequestUsd, (e.inputTokens * 0.02) / 1e6, 'embedding cost');
  });

  test('a LangChain construct with invocations carries no cost itself (no double counting)', async () => {
    const result = await scanFiles({
      'rag.py': `from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini", max_tokens=100)


def answer(q: str) -> str:
    return llm.invoke(q).content
`,
    });
    const construct = result.callSites.find((s) => s.role === 'construct')!;
    const invoke = result.callSites.find((s) => s.role === 'invoke')!;
    assert.equal(construct.estimate, null);
    assert.deepEqual(construct.usedBy, [invoke.id]);
    assert.equal(invoke.constructId, construct.id);
    assert.equal(invoke.estimate!.outputTokens, 100, 'max_tokens bound at construction applies to the invocation');
    assert.equal(result.totals.monthlyCostUsd, invoke.estimate!.monthlyCostUsd);
  });
});
