/**
 * Advice: each kind in Python and TypeScript, positive and negative, the savings arithmetic, and every edit applied
 * to the project: the edited files must still parse and the engine must re-estimate them as the suggestion said.
 * Prices used (pinned in pricing.test.ts): gpt-4o $2.50/$10, gpt-4o-mini $0.15/$0.60, gpt-4.1 $2/$8 per MTok.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Suggestion } from '../../src/core/advise/types';
import { allSuggestions, type EstimatedCallSite, type ScanResult } from '../../src/core/engine/engine';
import { Parsers, grammarForPath } from '../../src/core/detect/parser';
import { scanFiles } from './helpers/tempProject';

let parsers: Parsers;
before(async () => {
  parsers = new Parsers();
  await parsers.load(['python', 'typescript', 'tsx', 'javascript']);
});

function find(result: ScanResult, kind: string, file?: string): Suggestion | undefined {
  return allSuggestions(result.callSites).find((s) => s.kind === kind && (!file || s.file === file));
}

function site(result: ScanResult, file: string): EstimatedCallSite {
  const s = result.callSites.find((c) => c.file === file);
  assert.ok(s, `no call site in ${file}`);
  return s;
}

/** Applies a suggestion's edit to the files (changes right to left per file; new files added). */
function applyEdit(files: Record<string, string>, s: Suggestion): Record<string, string> {
  assert.ok(s.edit, `${s.id} has no edit`);
  const out = { ...files };
  const byFile = new Map<string, typeof s.edit.changes>();
  for (const c of s.edit.changes) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  for (const [file, changes] of byFile) {
    let text = out[file]!;
    for (const c of [...changes].sort((a, b) => b.range.startOffset - a.range.startOffset)) text = text.slice(0, c.range.startOffset) + c.newText + text.slice(c.range.endOffset);
    out[file] = text;
  }
  for (const f of s.edit.newFiles) {
    assert.ok(!(f.file in files), `a scaffold must not overwrite ${f.file}`);
    out[f.file] = f.content;
  }
  return out;
}

function assertParses(file: string, text: string): void {
  const grammar = grammarForPath(file)!;
  const tree = parsers.parse(text, grammar);
  try {
    assert.equal(tree.rootNode.hasError, false, `${file} does not parse after the edit:\n${text}`);
  } finally {
    tree.delete();
  }
}

const FASTAPI_HEADER = `from fastapi import FastAPI
from openai import OpenAI

app = FastAPI()
client = OpenAI()
`;

describe('right-size', () => {
  const files = {
    'app/config.py': 'TAG_MODEL = "gpt-4o"\n',
    'app/tagger.py': `${FASTAPI_HEADER}from .config import TAG_MODEL


@app.post("/tag")
def tag(ticket: str):
    return client.chat.completions.create(
        model=TAG_MODEL,
        temperature=0,
        max_tokens=10,
        messages=[
            {"role": "system", "content": "Classify the ticket into one of: billing, outage, account. Reply with the label only."},
            {"role": "user", "content": ticket},
        ],
    )
`,
    'costlens.yml': 'callSites:\n  "app/tagger.py#tag#0":\n    requestsPerDay: 10000\n    inputTokens: 200\n',
  };

  test('a classification task on gpt-4o gets a cheaper same-provider model, with the saving at its traffic', async () => {
    const result = await scanFiles(files);
    const s = find(result, 'right-size');
    assert.ok(s, 'right-size suggested');
    const current = site(result, 'app/tagger.py').estimate!;
    const best = s.alternatives![0]!;
    assert.equal(best.provider, 'openai');
    assert.ok(['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-mini'].includes(best.model), best.model);
    assert.ok(Math.abs(s.monthlySavingUsd! - (current.monthlyCostUsd! - best.monthlyCostUsd)) < 1e-9);
    // gpt-4o → gpt-4o-mini: same tokens, prices 2.50/10 → 0.15/0.60
    const mini = s.alternatives!.find((a) => a.model === 'gpt-4o-mini')!;
    const perRequest = (current.inputTokens * (2.5 - 0.15) + 10 * (10 - 0.6)) / 1e6;
    assert.ok(Math.abs(mini.monthlySavingUsd - perRequest * 300_000) < 1e-6, `${mini.monthlySavingUsd} vs ${perRequest * 300_000}`);
    assert.equal(s.confidence, 'high');
    assert.match(s.message, /classification/);
  });

  test('the quick fix edits the constant in config.py; the project re-estimates at the new model', async () => {
    const result = await scanFiles(files);
    const s = find(result, 'right-size')!;
    assert.equal(s.edit!.changes[0]!.file, 'app/config.py');
    const edited = applyEdit(files, s);
    assert.equal(edited['app/config.py'], `TAG_MODEL = "${s.alternatives![0]!.model}"\n`);
    assertParses('app/config.py', edited['app/config.py']!);
    const after = await scanFiles(edited);
    const e = site(after, 'app/tagger.py');
    assert.equal(e.model.resolved, s.alternatives![0]!.model);
    assert.ok(Math.abs(e.estimate!.monthlyCostUsd! - s.alternatives![0]!.monthlyCostUsd) < 1e-9);
  });

  test('TypeScript: an object-literal model is replaced with the same quotes', async () => {
    const ts = {
      'src/sentiment.ts': `import OpenAI from 'openai';
const openai = new OpenAI();

export async function sentiment(review: string) {
  return openai.chat.completions.create({
    model: 'gpt-4.1',
    max_tokens: 5,
    messages: [{ role: 'system', content: 'Rate the sentiment of the review: positive, negative or neutral.' }, { role: 'user', content: review }],
  });
}
`,
    };
    const result = await scanFiles(ts);
    const s = find(result, 'right-size');
    assert.ok(s);
    const edited = applyEdit(ts, s);
    assert.match(edited['src/sentiment.ts']!, new RegExp(`model: '${s.alternatives![0]!.model}'`));
    assertParses('src/sentiment.ts', edited['src/sentiment.ts']!);
  });

  test('no model advice without a known tier, nor for creative or open-ended work on a mid-tier model', async () => {
    const unknownTier = await scanFiles({ 'a.py': `${FASTAPI_HEADER}\n\n@app.post("/x")\ndef x(q: str):\n    return client.chat.completions.create(model="ft:gpt-4o:acme::abc", max_tokens=5, messages=[{"role": "user", "content": "Classify: " + q}])\n` });
    assert.equal(find(unknownTier, 'right-size'), undefined);
    const creative = await scanFiles({ 'a.py': `${FASTAPI_HEADER}\n\n@app.post("/x")\ndef x(topic: str):\n    return client.chat.completions.create(model="gpt-4o", temperature=1.0, messages=[{"role": "system", "content": "Write a short poem."}, {"role": "user", "content": topic}])\n` });
    assert.equal(find(creative, 'right-size'), undefined);
    const openEnded = await scanFiles({ 'a.py': `${FASTAPI_HEADER}\n\n@app.post("/x")\ndef x(q: str):\n    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": q}])\n` });
    assert.equal(find(openEnded, 'right-size'), undefined, 'a tier-2 model on an open-ended task is not right-sized');
  });

  test('a user tier in costlens.yml makes a fine-tuned model eligible', async () => {
    const result = await scanFiles({
      'a.py': `${FASTAPI_HEADER}\n\n@app.post("/x")\ndef x(q: str):\n    return client.chat.completions.create(model="gpt-4o-2024-08-06", max_tokens=5, messages=[{"role": "user", "content": "Classify the intent: " + q}])\n`,
      'costlens.yml': 'advice:\n  tiers:\n    "gpt-4o-2024-08-06": 1\n',
    });
    const s = find(result, 'right-size');
    assert.ok(s);
    assert.match(s.assumptions.join('\n'), /costlens\.yml advice\.tiers/);
  });
});

describe('route', () => {
  test('a premium model answering user questions at 30k requests/month gets a router with the routed-share saving', async () => {
    const files = {
      'chat.py': `${FASTAPI_HEADER}\n\n@app.post("/ask")\ndef ask(question: str):\n    return client.chat.completions.create(model="gpt-4o", max_tokens=300, messages=[{"role": "system", "content": "You answer questions about our product."}, {"role": "user", "content": question}])\n`,
      'costlens.yml': 'callSites:\n  "chat.py#ask#0":\n    requestsPerMonth: 30000\nadvice:\n  routedShare: 0.5\n',
    };
    const result = await scanFiles(files);
    const s = find(result, 'route');
    assert.ok(s);
    const e = site(result, 'chat.py').estimate!;
    // cheap model gpt-4o-mini at the same tokens: saving = 0.5 × (cost(gpt-4o) − cost(gpt-4o-mini))
    const cheap = (e.inputTokens * 0.15 + 300 * 0.6) / 1e6 * 30_000;
    assert.ok(Math.abs(s.monthlySavingUsd! - 0.5 * (e.monthlyCostUsd! - cheap)) < 1e-6);
    const edited = applyEdit(files, s);
    assert.ok(edited['llm_router.py']);
    assertParses('llm_router.py', edited['llm_router.py']!);
    assert.match(edited['llm_router.py']!, /CHEAP_MODEL = os\.getenv\("LLM_CHEAP_MODEL", "gpt-4o-mini"\)/);
  });

  test('TypeScript router scaffold parses; no router for low traffic or for a batch job', async () => {
    const files = {
      'src/ask.ts': `import express from 'express';\nimport Anthropic from '@anthropic-ai/sdk';\nconst app = express();\nconst claude = new Anthropic();\napp.post('/ask', async (req, res) => {\n  res.json(await claude.messages.create({ model: 'claude-opus-4-1', max_tokens: 500, messages: [{ role: 'user', content: req.body.question }] }));\n});\n`,
      'costlens.yml': 'callSites:\n  "src/ask.ts#<module>#0":\n    requestsPerDay: 2000\n',
    };
    const result = await scanFiles(files);
    const s = find(result, 'route');
    assert.ok(s);
    const edited = applyEdit(files, s);
    assertParses('src/llmRouter.ts', edited['src/llmRouter.ts']!);
    const quiet = await scanFiles({ ...files, 'costlens.yml': 'callSites:\n  "src/ask.ts#<module>#0":\n    requestsPerDay: 50\n' });
    assert.equal(find(quiet, 'route'), undefined);
  });
});

describe('cache', () => {
  test('a deterministic call keyed by a product id is cacheable; the saving is the hit rate times the cost', async () => {
    const result = await scanFiles({
      'jobs/describe.py': `from openai import OpenAI\nclient = OpenAI()\n\n\ndef describe(product_id: str):\n    return client.chat.completions.create(model="gpt-4o-mini", temperature=0, max_tokens=200, messages=[{"role": "system", "content": "Write a product description."}, {"role": "user", "content": product_id}])\n`,
      'costlens.yml': 'advice:\n  cacheHitRate: 0.4\n  minMonthlySaving: 0\n',
    });
    const s = find(result, 'cache');
    assert.ok(s);
    const e = site(result, 'jobs/describe.py').estimate!;
    assert.ok(Math.abs(s.monthlySavingUsd! - 0.4 * e.monthlyCostUsd!) < 1e-12);
  });

  test('no response-cache advice for a creative prompt or a conversation', async () => {
    const creative = await scanFiles({ 'a.ts': `import OpenAI from 'openai';\nconst openai = new OpenAI();\nexport const story = (name: string) => openai.chat.completions.create({ model: 'gpt-4o', temperature: 0, messages: [{ role: 'system', content: 'Write a bedtime story.' }, { role: 'user', content: name }] });\n`, 'costlens.yml': 'advice:\n  minMonthlySaving: 0\n' });
    assert.equal(find(creative, 'cache'), undefined);
    const chat = await scanFiles({ 'a.py': `from openai import OpenAI\nclient = OpenAI()\n\ndef reply(history, message):\n    return client.chat.completions.create(model="gpt-4o", temperature=0, messages=[*history, {"role": "user", "content": message}])\n`, 'costlens.yml': 'advice:\n  minMonthlySaving: 0\n' });
    assert.equal(find(chat, 'cache'), undefined);
  });
});

describe('prompt caching', () => {
  const longPolicy = 'Refund policy. '.repeat(700); // about 2,800 tokens of static text

  test('Anthropic: a long static system prompt gets cache_control, with saving and break-even; the fix parses', async () => {
    const files = {
      'support.py': `import anthropic\nfrom fastapi import FastAPI\n\napp = FastAPI()\nclaude = anthropic.Anthropic()\nPOLICY = """${longPolicy}"""\n\n\n@app.post("/answer")\ndef answer(q: str):\n    return claude.messages.create(model="claude-sonnet-4-5", max_tokens=400, system="${longPolicy}", messages=[{"role": "user", "content": q}])\n`,
      'costlens.yml': 'callSites:\n  "support.py#answer#0":\n    requestsPerDay: 1000\nadvice:\n  cacheHitRate: 0.8\n',
    };
    const result = await scanFiles(files);
    const s = find(result, 'prompt-cache');
    assert.ok(s, 'prompt-cache suggested');
    const e = site(result, 'support.py').estimate!;
    const prefix = Number(/^([\d,]+) static prompt tokens/.exec(s.assumptions[0]!)![1]!.replace(/,/g, ''));
    // claude-sonnet-4-5: $3 in, $0.30 cache read, $3.75 cache write per MTok
    const expected = 30_000 * (0.8 * prefix * (3 - 0.3) - 0.2 * prefix * (3.75 - 3)) / 1e6;
    assert.ok(Math.abs(s.monthlySavingUsd! - expected) < 1e-6, `${s.monthlySavingUsd} vs ${expected}`);
    assert.match(s.message, /break-even 22%/); // 0.75 / (2.7 + 0.75)
    const edited = applyEdit(files, s);
    assert.match(edited['support.py']!, /system=\[\{"type": "text", "text": "Refund policy/);
    assert.match(edited['support.py']!, /"cache_control": \{"type": "ephemeral"\}\}\]/);
    assertParses('support.py', edited['support.py']!);
    const after = await scanFiles(edited);
    assert.equal(site(after, 'support.py').params.cacheControl, true);
    assert.equal(find(after, 'prompt-cache'), undefined, 'once marked, no more advice');
  });

  test('OpenAI: a timestamp before a long static prompt breaks automatic caching', async () => {
    const result = await scanFiles({
      'src/answer.ts': `import OpenAI from 'openai';\nconst openai = new OpenAI();\nconst POLICY = ${JSON.stringify(longPolicy)};\nexport async function answer(q: string) {\n  return openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 300, messages: [{ role: 'system', content: \`Today is \${new Date().toISOString()}. \${POLICY}\` }, { role: 'user', content: q }] });\n}\n`,
      'costlens.yml': 'advice:\n  minMonthlySaving: 0\n',
    });
    const s = find(result, 'prompt-cache');
    assert.ok(s);
    assert.match(s.message, /comes before [\d,]+ static tokens/);
  });

  test('no prompt-cache advice below the provider minimum', async () => {
    const result = await scanFiles({ 'a.py': `import anthropic\nclaude = anthropic.Anthropic()\n\ndef f(q):\n    return claude.messages.create(model="claude-sonnet-4-5", max_tokens=100, system="Be brief.", messages=[{"role": "user", "content": q}])\n`, 'costlens.yml': 'advice:\n  minMonthlySaving: 0\n' });
    assert.equal(find(result, 'prompt-cache'), undefined);
  });
});

describe('batch', () => {
  test('a Celery task over documents gets the 50% Batch API saving and a scaffold that parses', async () => {
    const files = {
      'pipeline/tasks.py': `from celery import shared_task\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\n@shared_task\ndef summarize_all(docs):\n    for doc in docs:\n        client.chat.completions.create(model="gpt-4o", max_tokens=300, messages=[{"role": "user", "content": doc}])\n`,
    };
    const result = await scanFiles(files);
    const s = find(result, 'batch');
    assert.ok(s);
    assert.ok(Math.abs(s.monthlySavingUsd! - 0.5 * site(result, 'pipeline/tasks.py').estimate!.monthlyCostUsd!) < 1e-12);
    assert.equal(s.confidence, 'high');
    assert.match(s.assumptions.join(' '), /24 hours/);
    const edited = applyEdit(files, s);
    const scaffold = s.edit!.newFiles[0]!.file;
    assert.equal(scaffold, 'pipeline/batch_summarize_all.py');
    assertParses(scaffold, edited[scaffold]!);
    assert.match(edited[scaffold]!, /client\.batches\.create\(/);
  });

  test('TypeScript BullMQ worker with Anthropic gets an Anthropic batch scaffold', async () => {
    const files = {
      'src/worker.ts': `import { Worker } from 'bullmq';\nimport Anthropic from '@anthropic-ai/sdk';\nconst claude = new Anthropic();\nnew Worker('summaries', async (job) => {\n  await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 300, messages: [{ role: 'user', content: job.data.text }] });\n});\n`,
      'costlens.yml': 'callSites:\n  "src/worker.ts#<module>#0":\n    requestsPerDay: 5000\n',
    };
    const result = await scanFiles(files);
    const s = find(result, 'batch');
    assert.ok(s);
    const edited = applyEdit(files, s);
    const f = s.edit!.newFiles[0]!.file;
    assertParses(f, edited[f]!);
    assert.match(edited[f]!, /messages\.batches\.create/);
  });

  test('no batch advice in a request handler', async () => {
    const result = await scanFiles({ 'a.py': `${FASTAPI_HEADER}\n\n@app.post("/x")\ndef x(items: list[str]):\n    for item in items:\n        client.chat.completions.create(model="gpt-4o", max_tokens=100, messages=[{"role": "user", "content": item}])\n` });
    assert.equal(find(result, 'batch'), undefined);
  });
});

describe('bound output', () => {
  test('Python: adds max_completion_tokens on its own line, matching the layout', async () => {
    const files = { 'jobs/x.py': `from openai import OpenAI\nclient = OpenAI()\n\n\ndef run(text):\n    return client.chat.completions.create(\n        model="gpt-4o",\n        messages=[{"role": "system", "content": "Summarize in bullet points."}, {"role": "user", "content": text}],\n    )\n` };
    const result = await scanFiles(files);
    const s = find(result, 'bound-output');
    assert.ok(s);
    assert.ok(s.atStake && s.atStake.usd > 0);
    const edited = applyEdit(files, s);
    assert.match(edited['jobs/x.py']!, /\n        messages=\[.*\],\n        max_completion_tokens=500,\n    \)/);
    assertParses('jobs/x.py', edited['jobs/x.py']!);
    const after = await scanFiles(edited);
    assert.equal(site(after, 'jobs/x.py').params.maxOutputTokens?.value, 500);
    assert.equal(find(after, 'bound-output'), undefined);
  });

  test('TypeScript: adds the property to the request object; LangChain invocations get the limit on the construct', async () => {
    const files = {
      'src/a.ts': `import OpenAI from 'openai';\nconst openai = new OpenAI();\nexport const f = (q: string) => openai.responses.create({ model: 'gpt-4o', input: q });\n`,
      'src/lc.ts': `import { ChatOpenAI } from '@langchain/openai';\nconst llm = new ChatOpenAI({ model: 'gpt-4o' });\nexport const g = (q: string) => llm.invoke(q);\n`,
    };
    const result = await scanFiles(files);
    const responses = find(result, 'bound-output', 'src/a.ts')!;
    let edited = applyEdit(files, responses);
    assert.match(edited['src/a.ts']!, /input: q, max_output_tokens: 1024 \}/);
    assertParses('src/a.ts', edited['src/a.ts']!);
    const lc = find(result, 'bound-output', 'src/lc.ts')!;
    edited = applyEdit(files, lc);
    assert.match(edited['src/lc.ts']!, /new ChatOpenAI\(\{ model: 'gpt-4o', maxTokens: 1024 \}\)/);
    assertParses('src/lc.ts', edited['src/lc.ts']!);
  });

  test('no bound advice when a limit is set, or for embeddings', async () => {
    const result = await scanFiles({ 'a.py': `from openai import OpenAI\nclient = OpenAI()\n\ndef f(q):\n    client.embeddings.create(model="text-embedding-3-large", input=q)\n    return client.chat.completions.create(model="gpt-4o", max_tokens=100, messages=[{"role": "user", "content": q}])\n`, 'costlens.yml': 'advice:\n  minMonthlySaving: 0\n' });
    assert.equal(find(result, 'bound-output'), undefined);
  });
});

describe('attribute', () => {
  test('advised when nothing records usage; not when usage is read or an observability library is used', async () => {
    const bare = await scanFiles({ 'a.py': `${FASTAPI_HEADER}\n\n@app.post("/x")\ndef x(q: str):\n    r = client.chat.completions.create(model="gpt-4o", max_tokens=100, messages=[{"role": "user", "content": q}])\n    return r.choices[0].message.content\n` });
    const s = find(bare, 'attribute');
    assert.ok(s);
    assert.equal(s.monthlySavingUsd, null);
    assert.ok(Math.abs(s.atStake!.usd - site(bare, 'a.py').estimate!.monthlyCostUsd!) < 1e-12);
    const measured = await scanFiles({ 'a.py': `${FASTAPI_HEADER}\n\n@app.post("/x")\ndef x(q: str):\n    r = client.chat.completions.create(model="gpt-4o", max_tokens=100, messages=[{"role": "user", "content": q}])\n    metrics.record("chat", r.usage.total_tokens)\n    return r\n` });
    assert.equal(find(measured, 'attribute'), undefined);
    const traced = await scanFiles({ 'a.ts': `import { observeOpenAI } from 'langfuse';\nimport OpenAI from 'openai';\nconst openai = new OpenAI();\nexport const f = (q: string) => openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: q }] });\n` });
    assert.equal(find(traced, 'attribute'), undefined);
  });
});

describe('settings and ranking', () => {
  test('the threshold hides small savings and disabled kinds are not made', async () => {
    const files = { 'pipeline/tasks.py': `from celery import shared_task\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\n@shared_task\ndef run(docs):\n    for doc in docs:\n        client.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": doc}])\n` };
    const small = await scanFiles({ ...files, 'costlens.yml': 'advice:\n  minMonthlySaving: 1000\n' });
    assert.equal(allSuggestions(small.callSites).length, 0);
    const none = await scanFiles({ ...files, 'costlens.yml': 'advice:\n  minMonthlySaving: 0\n  disabled: [batch, attribute]\n' });
    assert.ok(!allSuggestions(none.callSites).some((s) => s.kind === 'batch' || s.kind === 'attribute'));
  });

  test('suggestions are ranked by monthly saving and ids are stable', async () => {
    const result = await scanFiles({ 'pipeline/tasks.py': `from celery import shared_task\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\n@shared_task\ndef run(docs):\n    for doc in docs:\n        client.chat.completions.create(model="gpt-4.1", messages=[{"role": "system", "content": "Classify the document."}, {"role": "user", "content": doc}])\n` });
    const list = allSuggestions(result.callSites);
    const savings = list.map((s) => s.monthlySavingUsd ?? -1);
    assert.deepEqual(savings, [...savings].sort((a, b) => b - a));
    assert.deepEqual(list.map((s) => s.id).filter((id) => id.endsWith(':batch')), ['pipeline/tasks.py#run#0:batch']);
  });
});
