/**
 * The parts of a comparison that send nothing: the prompt from a call site, where each model goes (providers, keys),
 * the dry-run estimate, the webview protocol, the "Use this model" edit, the Markdown export and redaction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { draftToRequest } from '../../src/core/compare/draft';
import { estimateComparison } from '../../src/core/compare/dryRun';
import { renderComparisonMarkdown } from '../../src/core/compare/exportMarkdown';
import { addRecentComparison, parseWebviewMessage, readRecentComparisons, type CompareDraft } from '../../src/core/compare/protocol';
import { findPlaceholders, placeholderName, promptFromCallSite, promptFromText, renderPrompt } from '../../src/core/compare/prompt';
import { envKeyGetter, PROVIDERS, resolveTarget, resolveTargets } from '../../src/core/compare/providers';
import { redactSecrets } from '../../src/core/compare/redact';
import { summariseComparison } from '../../src/core/compare/runner';
import type { CompareRequest, RunResult } from '../../src/core/compare/types';
import { useModelEdit } from '../../src/core/compare/useModel';
import { createPriceCatalogue } from '../../src/core/pricing/catalogue';
import { createTokenizer, type Tokenizer } from '../../src/core/tokens/tokenizer';
import { scanFiles } from './helpers/tempProject';

const PRICES = createPriceCatalogue({
  overrides: [
    { model: 'gpt-4o-mini', inputPerMTok: 0.15, outputPerMTok: 0.6, source: 'test prices', sourceDate: '2026-01-01' },
    { model: 'gpt-4o', inputPerMTok: 2.5, outputPerMTok: 10, source: 'test prices', sourceDate: '2026-01-01' },
  ],
});

let tokenizer: Tokenizer;
before(async () => {
  tokenizer = await createTokenizer();
});
after(() => tokenizer.dispose());

const APP_PY = `from openai import OpenAI
client = OpenAI()

def answer(question: str, user):
    return client.chat.completions.create(
        model="gpt-4o",
        max_tokens=300,
        messages=[
            {"role": "system", "content": "You answer support questions briefly."},
            {"role": "user", "content": f"Customer {user.name} asks: {question}"},
        ],
    )

def chat(history):
    return client.chat.completions.create(model="gpt-4o-mini", messages=history)
`;

describe('compare prompt', () => {
  test('from a call site: static messages kept, dynamic parts become named placeholders', async () => {
    const scan = await scanFiles({ 'app.py': APP_PY });
    const site = scan.callSites.find((s) => s.id === 'app.py#answer#0')!;
    const template = promptFromCallSite(site);
    assert.deepEqual(template.messages, [
      { role: 'system', content: 'You answer support questions briefly.' },
      { role: 'user', content: 'Customer {{user.name}} asks: {{question}}' },
    ]);
    assert.deepEqual(template.placeholders.map((p) => p.name), ['user.name', 'question']);
    assert.equal(template.siteId, 'app.py#answer#0');
    const blank = renderPrompt(template);
    assert.equal(blank.ok, false);
    assert.deepEqual(blank.problems, ['fill in {{user.name}}', 'fill in {{question}}']);
    const filled = renderPrompt(template, { 'user.name': 'Ada', question: 'Where is my invoice?' });
    assert.equal(filled.ok, true);
    assert.equal(filled.messages[1]!.content, 'Customer Ada asks: Where is my invoice?');

    const opaque = promptFromCallSite(scan.callSites.find((s) => s.id === 'app.py#chat#0')!);
    assert.deepEqual(opaque.messages, [{ role: 'user', content: '{{history}}' }]);
    assert.match(opaque.notes[0]!, /built at runtime/);
  });

  test('placeholder names read like their expressions', () => {
    assert.equal(placeholderName('user.question'), 'user.question');
    assert.equal(placeholderName('req.body["q"]'), 'req.body.q');
    assert.equal(placeholderName('self.history'), 'history');
    assert.equal(placeholderName('get_context()'), 'get_context');
    assert.equal(placeholderName('`${a}`'), 'a');
    assert.equal(placeholderName('!!!'), 'input');
    const t = promptFromCallSite({ id: 'x#f#0', prompt: { opaque: false, parts: [
      { role: 'user', kind: 'dynamic', text: '', expression: 'a + b' },
      { role: 'user', kind: 'static', text: ' / ' },
      { role: 'user', kind: 'dynamic', text: '', expression: 'a - b' },
      { role: 'user', kind: 'static', text: ' / ' },
      { role: 'user', kind: 'dynamic', text: '', expression: 'a + b' },
    ] } });
    assert.deepEqual(t.messages, [{ role: 'user', content: '{{a_b}} / {{a_b_2}} / {{a_b}}' }], 'same expression, same placeholder; different ones never collide');
  });

  test('typed or selected text: {{name}} become placeholders; validation', () => {
    const t = promptFromText('Summarise {{doc}} for {{audience}}. {{doc}}', { system: 'Be brief.' });
    assert.deepEqual(t.placeholders.map((p) => p.name), ['doc', 'audience']);
    assert.deepEqual(findPlaceholders('{{ a }} {{b.c}} {{a}} {{1x}}'), ['a', 'b.c']);
    assert.equal(renderPrompt(t, { doc: 'D', audience: 'execs' }).messages[1]!.content, 'Summarise D for execs. D');
    assert.deepEqual(renderPrompt(promptFromText('   ')).problems, ['the prompt needs a user message with some text']);
    assert.deepEqual(renderPrompt({ messages: [{ role: 'user', content: 'keep {{literal}} text' }], placeholders: [] }).messages[0]!.content, 'keep {{literal}} text');
    assert.match(renderPrompt(promptFromText('x'.repeat(1_000_001))).problems[0]!, /too long/);
  });
});

describe('compare providers', () => {
  test('a model goes to its maker unless a prefix or an explicit endpoint says otherwise', () => {
    const at = (spec: string, options = {}) => {
      const r = resolveTarget(spec, { prices: PRICES, ...options });
      assert.ok(r.ok, `${spec}: ${!r.ok ? r.error : ''}`);
      return r.target;
    };
    assert.deepEqual([at('gpt-4o-mini').providerId, at('gpt-4o-mini').baseURL, at('gpt-4o-mini').outputLimitParam], ['openai', 'https://api.openai.com/v1', 'max_completion_tokens']);
    assert.equal(at('claude-3-5-haiku-latest').providerId, 'anthropic');
    assert.equal(at('claude-3-5-haiku-latest').baseURL, 'https://api.anthropic.com/v1/');
    assert.equal(at('gemini-2.0-flash').baseURL, 'https://generativelanguage.googleapis.com/v1beta/openai/');
    assert.deepEqual([at('ollama/llama3.1:8b').providerId, at('ollama/llama3.1:8b').model, at('ollama/llama3.1:8b').baseURL], ['ollama', 'llama3.1:8b', 'http://localhost:11434/v1']);
    assert.deepEqual([at('openrouter/anthropic/claude-3.5-haiku').model, at('openrouter/anthropic/claude-3.5-haiku').baseURL], ['anthropic/claude-3.5-haiku', 'https://openrouter.ai/api/v1']);
    assert.equal(at('lmstudio/qwen2.5-7b').baseURL, 'http://localhost:1234/v1');
    assert.equal(at('vllm/meta-llama/Llama-3.1-8B-Instruct').model, 'meta-llama/Llama-3.1-8B-Instruct');
    // explicit endpoint: every model as written (a LiteLLM proxy's `ollama/llama3` stays whole)
    const proxied = at('ollama/llama3', { provider: 'litellm' });
    assert.deepEqual([proxied.providerId, proxied.model, proxied.baseURL], ['litellm', 'ollama/llama3', 'http://localhost:4000']);
    const custom = at('anything', { baseURL: 'http://127.0.0.1:9/v1' });
    assert.deepEqual([custom.providerId, custom.baseURL, custom.keyRequired], ['custom', 'http://127.0.0.1:9/v1', false]);
    // Azure needs the resource
    const azure = resolveTarget('azure/my-deployment');
    assert.ok(!azure.ok && /resource/.test(azure.error));
    assert.equal(at('azure/my-deployment', { baseURLs: { azure: 'https://acme.openai.azure.com/openai/v1/' } }).baseURL, 'https://acme.openai.azure.com/openai/v1/');
    const unknown = resolveTarget('mystery-model-9000', { prices: PRICES });
    assert.ok(!unknown.ok && /no endpoint is known for mystery-model-9000/.test(unknown.error));
    assert.ok(!resolveTarget('x', { baseURL: 'ftp://nope' }).ok);
  });

  test('duplicate models get distinct columns', () => {
    const { targets } = resolveTargets(['gpt-4o', 'gpt-4o'], { prices: PRICES });
    assert.deepEqual(targets.map((t) => t.id), ['gpt-4o', 'gpt-4o #2']);
  });

  test('every provider the issue names is configured, with its key variable', () => {
    assert.deepEqual(PROVIDERS.map((p) => p.id), ['openai', 'azure', 'anthropic', 'google', 'openrouter', 'ollama', 'lmstudio', 'vllm', 'litellm', 'custom']);
    for (const p of PROVIDERS) assert.ok(p.apiKeyEnv.length > 0, p.id);
  });

  test('keys from the environment: own variable first; COSTLENS_API_KEY only for the endpoint named', async () => {
    const env = { OPENAI_API_KEY: 'sk-openai', GEMINI_API_KEY: ' ', GOOGLE_API_KEY: 'g-key', COSTLENS_API_KEY: 'generic' };
    const keys = envKeyGetter(env);
    assert.equal(await keys('openai'), 'sk-openai');
    assert.equal(await keys('google'), 'g-key', 'blank values count as unset');
    assert.equal(await keys('anthropic'), undefined, 'the generic key is not sent to other vendors');
    assert.equal(await keys('custom'), 'generic');
    assert.equal(await envKeyGetter(env, { explicitProvider: 'litellm' })('litellm'), 'generic');
  });
});

describe('compare providers: any OpenAI-compatible server', () => {
  test('custom/<model> goes to the configured custom base URL; without one, the message says where to set it', () => {
    const r = resolveTarget('custom/my-finetune', { prices: PRICES, baseURLs: { custom: 'https://llm.internal.example.com/v1' } });
    assert.ok(r.ok, !r.ok ? r.error : '');
    assert.deepEqual([r.target.id, r.target.model, r.target.providerId, r.target.baseURL], ['custom/my-finetune', 'my-finetune', 'custom', 'https://llm.internal.example.com/v1']);
    const missing = resolveTarget('custom/my-finetune', { prices: PRICES });
    assert.ok(!missing.ok);
    assert.equal(missing.error, 'Custom endpoint needs a base URL (costlens.compare.providers.custom.baseURL in your user settings, or --base-url)');
  });
});

describe('compare dry run', () => {
  test('tokens and the most the comparison can cost, before anything is sent; unknown prices stay unknown', () => {
    const { targets } = resolveTargets(['gpt-4o-mini', 'gpt-4o', 'ollama/llama3.1:8b'], { prices: PRICES });
    const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
    const estimate = estimateComparison({ messages, targets, runs: 3, maxOutputTokens: 100 }, { tokenizer, prices: PRICES });
    assert.equal(estimate.requests, 9);
    const mini = estimate.lines[0]!;
    assert.equal(mini.inputTokensPerRequest, 14);
    assert.equal(mini.tokensApproximate, false);
    // (14 × 0.15 + 100 × 0.60) / 1e6 per request, × 3 runs
    assert.ok(Math.abs(mini.maxCostPerRequestUsd! - (14 * 0.15 + 100 * 0.6) / 1e6) < 1e-15);
    assert.ok(Math.abs(mini.maxCostUsd! - 3 * mini.maxCostPerRequestUsd!) < 1e-15);
    const llama = estimate.lines[2]!;
    assert.equal(llama.maxCostUsd, null);
    assert.match(llama.priceUnknownReason!, /ollama runs models on your own hardware/);
    assert.deepEqual(estimate.unpriced, ['ollama/llama3.1:8b']);
    assert.ok(Math.abs(estimate.maxCostUsd - (mini.maxCostUsd! + estimate.lines[1]!.maxCostUsd!)) < 1e-15);
    assert.equal(estimate.totalMaxOutputTokens, 900);
  });

  test('a judge adds one request per run of every column', () => {
    const { targets } = resolveTargets(['gpt-4o-mini', 'gpt-4o'], { prices: PRICES });
    const judge = resolveTarget('gpt-4o', { prices: PRICES });
    assert.ok(judge.ok);
    const estimate = estimateComparison(
      { messages: [{ role: 'user', content: 'hi' }], targets, runs: 2, maxOutputTokens: 50, quality: { judge: { target: { ...judge.target, id: 'gpt-4o (judge)' }, rubric: 'Be fair.' } } },
      { tokenizer, prices: PRICES },
    );
    const j = estimate.lines.find((l) => l.role === 'judge')!;
    assert.equal(j.requests, 4);
    assert.ok(j.inputTokensPerRequest > 50, 'the judge reads the answer at its limit');
    assert.equal(estimate.requests, 8);
  });

  test('an unpriced judge is named once as the judge, however its column is named', () => {
    const { targets } = resolveTargets(['gpt-4o-mini', 'gpt-4o'], { prices: PRICES });
    const judge = resolveTarget('ollama/llama3.1:8b', { prices: PRICES });
    assert.ok(judge.ok);
    const messages = [{ role: 'user' as const, content: 'hi' }];
    for (const id of ['ollama/llama3.1:8b (judge)', 'ollama/llama3.1:8b']) {
      const estimate = estimateComparison({ messages, targets, runs: 1, maxOutputTokens: 50, quality: { judge: { target: { ...judge.target, id }, rubric: 'Be fair.' } } }, { tokenizer, prices: PRICES });
      assert.deepEqual(estimate.unpriced, ['ollama/llama3.1:8b (judge)']);
    }
  });
});

const DRAFT: CompareDraft = {
  prompt: { messages: [{ role: 'user', content: 'Summarise {{doc}}' }], placeholders: [{ name: 'doc', expression: 'doc', value: 'the report' }], source: 'typed' },
  models: ['gpt-4o', 'gpt-4o-mini'],
  params: { runs: 2, temperature: 0.2, maxOutputTokens: 200, requestsPerMonth: 30000, stream: true },
  quality: { checks: [{ kind: 'contains', expected: 'report' }], expectedAnswer: null, judge: { model: 'gpt-4o', rubric: 'Faithful?' }, minJudgeScore: 7, minPassRate: 1 },
  currentModel: 'gpt-4o',
  currentCostPerRequestUsd: 0.004,
  siteId: 'app.py#answer#0',
};

describe('compare webview protocol', () => {
  test('valid messages pass; the draft becomes a runnable request', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'setModels', models: ['gpt-4o'] },
      { type: 'setParams', params: DRAFT.params },
      { type: 'dryRun', requestId: 'r1', draft: DRAFT },
      { type: 'run', requestId: 'r2', draft: DRAFT },
      { type: 'cancel', runId: 'x' },
      { type: 'useModel', runId: 'x', model: 'gpt-4o-mini' },
      { type: 'export', runId: 'x' },
      { type: 'setApiKey', providerId: 'openai' },
    ]) {
      const r = parseWebviewMessage(m);
      assert.ok(r.ok, `${m.type}: ${!r.ok ? r.error : ''}`);
    }
    const resolved = draftToRequest(DRAFT, { prices: PRICES });
    assert.ok(resolved.ok, resolved.problems.join('; '));
    const request = resolved.request!;
    assert.equal(request.messages[0]!.content, 'Summarise the report');
    assert.deepEqual(request.targets.map((t) => t.providerId), ['openai', 'openai']);
    assert.equal(request.quality!.judge!.target.id, 'gpt-4o (judge)');
    assert.equal(request.runs, 2);
  });

  test('hostile or malformed messages are rejected', () => {
    for (const m of [
      null,
      'ready',
      { type: 'nope' },
      { type: 'ready', extra: 1 },
      { type: 'run', requestId: 'r', draft: { ...DRAFT, models: [] } },
      { type: 'run', requestId: 'r', draft: { ...DRAFT, models: Array(7).fill('gpt-4o') } },
      { type: 'run', requestId: 'r', draft: { ...DRAFT, params: { ...DRAFT.params, runs: 1000 } } },
      { type: 'run', requestId: 'r', draft: { ...DRAFT, apiKey: 'sk-x' } },
      { type: 'run', requestId: 'r', draft: { ...DRAFT, prompt: { ...DRAFT.prompt, messages: [{ role: 'tool', content: 'x' }] } } },
      { type: 'setApiKey', providerId: '../../etc' },
      { type: 'cancel', runId: '' },
    ]) {
      assert.equal(parseWebviewMessage(m).ok, false, JSON.stringify(m)?.slice(0, 80));
    }
  });

  test('a draft with problems says what to fix', () => {
    const r = draftToRequest({ ...DRAFT, prompt: { ...DRAFT.prompt, placeholders: [{ name: 'doc', expression: 'doc', value: '' }] }, models: ['gpt-4o', 'mystery-9000'] }, { prices: PRICES });
    assert.equal(r.ok, false);
    assert.ok(r.problems.includes('fill in {{doc}}'));
    assert.ok(r.problems.some((p) => p.startsWith('mystery-9000: no endpoint is known')));
  });
});

function fakeRun(model: string, run: number, output: string, costUsd: number | null, extra: Partial<RunResult> = {}): RunResult {
  return {
    model,
    run,
    status: 'ok',
    output,
    finishReason: 'stop',
    streamed: true,
    ttftMs: 120,
    latencyMs: 640,
    attempts: 1,
    waitedMs: 0,
    usage: { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 0, reasoningTokens: null, source: 'reported' },
    costUsd,
    notes: [],
    ...extra,
  };
}

describe('compare summary and Markdown export', () => {
  const request: CompareRequest = {
    messages: [{ role: 'system', content: 'Label the ticket.' }, { role: 'user', content: 'My printer | is on fire' }],
    targets: resolveTargets(['gpt-4o', 'gpt-4o-mini'], { prices: PRICES }).targets,
    runs: 1,
    maxOutputTokens: 64,
    currentModel: 'gpt-4o',
    requestsPerMonth: 100_000,
    quality: { checks: [{ kind: 'contains', expected: 'hardware' }] },
  };
  const runs: RunResult[] = [
    fakeRun('gpt-4o', 1, 'hardware', 0.0075, { quality: { checks: [{ kind: 'contains', label: 'contains "hardware"', passed: true, detail: 'found' }], passed: true } }),
    fakeRun('gpt-4o-mini', 1, 'hardware ```', 0.00045, { quality: { checks: [{ kind: 'contains', label: 'contains "hardware"', passed: true, detail: 'found' }], passed: true } }),
  ];
  const result = summariseComparison(request, runs, { id: 'cmp-1', startedAt: '2026-11-28T10:00:00.000Z', finishedAt: '2026-11-28T10:00:02.000Z', durationMs: 2000, cancelled: false, prices: PRICES });

  test('change vs current, cheapest good enough', () => {
    assert.equal(result.cheapestGoodEnough, 'gpt-4o-mini');
    const mini = result.models[1]!;
    assert.ok(Math.abs(mini.changeVsCurrent!.pct! - -94) < 1e-9);
    assert.ok(Math.abs(mini.changeVsCurrent!.monthlyUsd! - -705) < 1e-9);
  });

  test('the call site estimate is the baseline when the current model is not a column', () => {
    const r = summariseComparison({ ...request, targets: [request.targets[1]!], currentModel: 'gpt-4.1', currentCostPerRequestUsd: 0.0009 }, [runs[1]!], {
      id: 'c',
      startedAt: '',
      finishedAt: '',
      durationMs: 0,
      cancelled: false,
      prices: PRICES,
    });
    assert.equal(r.models[0]!.changeVsCurrent!.baseline, 'estimate');
    assert.ok(Math.abs(r.models[0]!.changeVsCurrent!.pct! - -50) < 1e-9);
    assert.ok(r.notes.some((n) => /call site's estimate for gpt-4.1/.test(n)));
  });

  test('Markdown for a scoping review: table, prompt, quality, answers, assumptions', () => {
    const md = renderComparisonMarkdown(result);
    assert.match(md, /^## costlens model comparison\n\n2 models × 1 run · 2026-11-28 10:00 UTC · output limit 64 tokens · temperature default · traffic 100,000 requests\/month/);
    assert.match(md, /\*\*Cheapest good enough: gpt-4o-mini\*\* \(current: gpt-4o\)/);
    assert.match(md, /\| gpt-4o \(current\) \| OpenAI \| 1\/1 \| 1,000\/500 \| \$0\.0075 \| \$750 \| current \| 120 ms \| 640 ms \| 1\/1 pass \| — \|/);
    assert.match(md, /\| gpt-4o-mini ✓ \| OpenAI \| 1\/1 \| 1,000\/500 \| \$0\.00045 \| \$45 \| −94% \(−\$0\.0070\/req, −\$705\/mo\) \|/);
    assert.ok(md.includes('[user]\nMy printer | is on fire'), 'the prompt is quoted verbatim in a fence');
    assert.ok(md.includes('````text\nhardware ```\n````'), 'a fence longer than any backticks in the answer');
    assert.match(md, /- gpt-4o-mini: \$0\.15\/MTok in, \$0\.6\/MTok out \(test prices \(2026-01-01\)\)/);
  });
});

describe('compare "Use this model"', () => {
  test('replaces the model literal, keeping its quotes; refuses when the code changed or the provider differs', async () => {
    const scan = await scanFiles({ 'app.py': APP_PY });
    const site = scan.callSites.find((s) => s.id === 'app.py#answer#0')!;
    const read = (file: string): string | null => (file === 'app.py' ? APP_PY : null);
    const r = useModelEdit(site, 'gpt-4o-mini', read, { providerId: 'openai' });
    assert.ok(r.ok);
    const change = r.edit.changes[0]!;
    assert.equal(change.newText, '"gpt-4o-mini"');
    assert.equal(APP_PY.slice(change.range.startOffset, change.range.endOffset), '"gpt-4o"');
    assert.deepEqual([change.range.startLine, change.range.startColumn], [6, 15]);
    assert.equal(r.edit.title, 'Use gpt-4o-mini');
    const changed = useModelEdit(site, 'gpt-4o-mini', () => APP_PY.replace('"gpt-4o"', '"gpt-4.1"'));
    assert.ok(!changed.ok && /changed since the scan/.test(changed.reason));
    const otherVendor = useModelEdit(site, 'claude-3-5-haiku-latest', read, { providerId: 'anthropic' });
    assert.ok(!otherVendor.ok && /different client/.test(otherVendor.reason));
    const same = useModelEdit(site, 'gpt-4o', read);
    assert.ok(!same.ok && /already uses/.test(same.reason));
  });
});

describe('compare recent comparisons and redaction', () => {
  test('recent comparisons: newest first, capped, answers trimmed; unreadable storage is an empty list', () => {
    const r = summariseComparison(
      { messages: [{ role: 'user', content: 'x' }], targets: resolveTargets(['gpt-4o'], { prices: PRICES }).targets, runs: 1, maxOutputTokens: 8 },
      [fakeRun('gpt-4o', 1, 'y'.repeat(100), 0.001)],
      { id: 'a', startedAt: '2026-01-01T00:00:00Z', finishedAt: '', durationMs: 0, cancelled: false, prices: PRICES },
    );
    let stored = addRecentComparison(undefined, r, { max: 2, maxAnswerChars: 10 });
    stored = addRecentComparison(stored, { ...r, id: 'b' }, { max: 2 });
    stored = addRecentComparison(stored, { ...r, id: 'c' }, { max: 2 });
    assert.deepEqual(stored.items.map((i) => i.summary.id), ['c', 'b']);
    assert.equal(readRecentComparisons({ version: 99, items: [] }).items.length, 0);
    const trimmed = addRecentComparison(undefined, r, { maxAnswerChars: 10 }).items[0]!.result.models[0]!.runs[0]!;
    assert.equal(trimmed.output, `${'y'.repeat(10)}…`);
  });

  test('keys and key-shaped strings are redacted', () => {
    assert.equal(redactSecrets('key my-own-secret-1 leaked', ['my-own-secret-1']), 'key [redacted] leaked');
    assert.equal(redactSecrets('Authorization: Bearer abc.def-123456'), 'Authorization: Bearer [redacted]');
    assert.equal(redactSecrets('Incorrect API key provided: sk-proj-abcdefgh12345678'), 'Incorrect API key provided: [redacted]');
    assert.equal(redactSecrets('AIzaSyA1234567890abcdefghijklmnop'), '[redacted]');
    assert.equal(redactSecrets('short keys like abc are left alone', ['abc']), 'short keys like abc are left alone');
  });
});
