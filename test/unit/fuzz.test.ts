/**
 * Property and fuzz tests: hostile and random inputs never make the engine throw, hang, or show a wrong number.
 * The counts of inputs tried are printed (`[fuzz]` lines) for the closing note. A per-input time guard catches hangs;
 * it is not a performance target (those live in `npm run bench`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CostEngine, type EstimatedCallSite } from '../../src/core/engine/engine';
import { parseUsageFile } from '../../src/core/usage/usageFile';
import { removeProject, writeProject } from './helpers/tempProject';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const HANG_GUARD_MS = 10_000;
const RUNS = Number(process.env.COSTLENS_FUZZ_RUNS ?? 150);

let engine: CostEngine;
let root: string;
const counts: Record<string, number> = {};
const count = (what: string): void => {
  counts[what] = (counts[what] ?? 0) + 1;
};

before(async () => {
  root = writeProject({});
  engine = await CostEngine.create({ root });
});

after(() => {
  engine.dispose();
  removeProject(root);
  for (const [what, n] of Object.entries(counts)) console.log(`[fuzz] ${what}: ${n} inputs`);
});

/** Source files of the fixture projects, as seeds for mutation. */
function seeds(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const visit = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (/\.(py|ts|tsx|js|mjs|cjs)$/.test(e.name) && !/min\.js$/.test(e.name)) out.push({ file: path.relative(FIXTURES, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  visit(FIXTURES);
  return out;
}

/** Every figure a person could see is finite and non-negative, or explicitly unknown (null). */
function assertSaneFigures(sites: EstimatedCallSite[]): void {
  for (const s of sites) {
    assert.ok(Number.isInteger(s.line) && s.line >= 1, `line ${s.line}`);
    const e = s.estimate;
    if (!e) continue;
    for (const [k, v] of Object.entries({ inputTokens: e.inputTokens, outputTokens: e.outputTokens, requestsPerMonth: e.requestsPerMonth })) {
      assert.ok(Number.isFinite(v) && v >= 0, `${s.id} ${k} = ${v}`);
    }
    for (const [k, v] of Object.entries({ costPerRequestUsd: e.costPerRequestUsd, monthlyCostUsd: e.monthlyCostUsd })) {
      assert.ok(v === null || (Number.isFinite(v) && v >= 0), `${s.id} ${k} = ${v}`);
    }
    if (e.costPerRequestUsd === null) assert.equal(e.monthlyCostUsd, null, 'an unknown price never becomes a monthly number');
    for (const sug of s.suggestions ?? []) assert.ok(sug.monthlySavingUsd === null || (Number.isFinite(sug.monthlySavingUsd) && sug.monthlySavingUsd >= 0));
  }
}

function analyzeGuarded(file: string, text: string): EstimatedCallSite[] {
  const started = Date.now();
  const { callSites } = engine.analyzeText(file, text);
  const ms = Date.now() - started;
  assert.ok(ms < HANG_GUARD_MS, `${file} took ${ms} ms (hang guard)`);
  assertSaneFigures(callSites);
  return callSites;
}

describe('detector and estimator on mutated real-looking source files', () => {
  const all = seeds();

  test('truncations, byte flips, inserted garbage and invalid UTF-8 never throw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: all.length - 1 }),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
            fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.string({ maxLength: 40 }) }),
            fc.record({ kind: fc.constant('bytes' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ maxLength: 16 }) }),
            fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), n: fc.integer({ min: 1, max: 200 }) }),
          ),
          { maxLength: 6 },
        ),
        (index, mutations) => {
          const seed = all[index]!;
          let text = seed.text;
          for (const m of mutations) {
            const at = Math.floor(m.at * text.length);
            if (m.kind === 'truncate') text = text.slice(0, at);
            else if (m.kind === 'insert') text = text.slice(0, at) + m.text + text.slice(at);
            else if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.n);
            else text = text.slice(0, at) + Buffer.from(m.bytes).toString('latin1') + text.slice(at);
          }
          count('mutated source files');
          analyzeGuarded(seed.file, text);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  test('pathological shapes: deep nesting, long member chains, enormous lines, NUL bytes', () => {
    const cases: Array<[string, string]> = [
      ['deep.py', `x = ${'('.repeat(5000)}1${')'.repeat(5000)}\n`],
      ['deep.ts', `const x = ${'['.repeat(5000)}1${']'.repeat(5000)};\n`],
      ['chain.py', `import openai\nopenai${'.a'.repeat(20000)}.chat.completions.create(model="gpt-4o")\n`],
      ['chain.ts', `import OpenAI from 'openai';\nconst c = new OpenAI();\nc${'.x'.repeat(20000)}.chat.completions.create({ model: 'gpt-4o' });\n`],
      ['calls.py', `import openai\n${'f('.repeat(3000)}openai.chat.completions.create(model="gpt-4o", messages=[])${')'.repeat(3000)}\n`],
      ['long.py', `import openai\nPROMPT = "${'word '.repeat(400_000)}"\nopenai.chat.completions.create(model="gpt-4o", messages=[{"role": "system", "content": PROMPT}])\n`],
      ['nul.js', `const OpenAI = require('openai');\u0000\u0000\nnew OpenAI().chat.completions.create({ model: 'gpt-4o' });\n`],
      ['selfref.py', `import openai\nA = B\nB = A\nopenai.chat.completions.create(model=A, messages=[])\n`],
      ['cycle.ts', `import OpenAI from 'openai';\nconst a: any = { m: a.m };\nnew OpenAI().chat.completions.create({ model: a.m, messages: [] });\n`],
      ['unicode.py', `import openai\nopenai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "héllo 😀 \\udcff"}])\n`],
    ];
    for (const [file, text] of cases) {
      count('pathological files');
      assert.doesNotThrow(() => analyzeGuarded(file, text), file);
    }
  });

  test('random programs built from SDK fragments stay consistent', () => {
    const fragment = fc.constantFrom(
      'from openai import OpenAI as C\n',
      'import anthropic\n',
      'client = C(base_url="https://api.groq.com/openai/v1")\n',
      'claude = anthropic.Anthropic()\n',
      'MODEL = "gpt-4o-mini"\n',
      'MODELS = {"a": "claude-haiku-4-5", "b": MODEL}\n',
      'def f(q, model=MODEL):\n    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": q}])\n',
      'for x in range(3):\n    claude.messages.create(model=MODELS["a"], max_tokens=-5, messages=[])\n',
      'client.chat.completions.create(model=os.getenv("M"), n=1e308, max_tokens=float("inf"))\n',
      'client.embeddings.create(model="text-embedding-3-small", input=[1, 2, 3])\n',
      'if __name__ == "__main__":\n    f("x")\n',
      '@app.post("/x")\ndef h(q):\n    return f(q, model=None)\n',
    );
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 10 }), (parts) => {
        count('random programs');
        analyzeGuarded('random.py', parts.join(''));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('usage file fuzzing', () => {
  test('random text and random documents never throw; problems carry a line', () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constantFrom('callSites:\n  "a#b#0":\n    requestsPerDay: [1, 2]\n', 'defaults: {daysPerMonth: .inf}\n', '- - - \n  : :\n', '&a [*a]\n', '{"version": 2}\n', '\u0000\u0001binary'),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({
        version: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
        defaults: fc.record({ requestsPerDay: fc.oneof(fc.double(), fc.string(), fc.record({ low: fc.double(), expected: fc.double(), high: fc.double() })), daysPerMonth: fc.double() }, { requiredKeys: [] }),
        callSites: fc.dictionary(fc.string({ maxLength: 20 }), fc.record({ requestsPerMonth: fc.double(), cacheHitRate: fc.double(), feature: fc.string() }, { requiredKeys: [] })),
      }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        count('usage files');
        const result = parseUsageFile(text, 'costlens.yml');
        if (!result.ok) for (const issue of result.issues) assert.ok(issue.line >= 1 && issue.column >= 1 && issue.message.length > 0);
        else {
          for (const entry of Object.values(result.config.callSites)) {
            for (const v of [entry.requestsPerDay, entry.requestsPerMonth]) if (v) assert.ok(Number.isFinite(v.expected) && v.expected >= 0 && v.low <= v.expected && v.expected <= v.high);
            if (entry.cacheHitRate !== undefined) assert.ok(entry.cacheHitRate >= 0 && entry.cacheHitRate <= 1);
          }
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('cost arithmetic properties', () => {
  const call = (inputTokens: number, requestsPerDay: number, maxTokens: number, extra = ''): Record<string, string> => ({
    'app.py': `from openai import OpenAI\nclient = OpenAI()\n\ndef f(q):\n    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=${maxTokens}, messages=[{"role": "user", "content": q}])\n`,
    'costlens.yml': `callSites:\n  "app.py#f#0":\n    requestsPerDay: ${requestsPerDay}\n    inputTokens: ${inputTokens}\n${extra}`,
  });

  async function monthly(files: Record<string, string>): Promise<number> {
    const dir = writeProject(files);
    try {
      const parsed = parseUsageFile(files['costlens.yml']!, 'costlens.yml');
      assert.ok(parsed.ok);
      const e = await CostEngine.create({ root: dir, usage: parsed.config });
      try {
        const r = await e.scan();
        return r.callSites[0]!.estimate!.monthlyCostUsd!;
      } finally {
        e.dispose();
      }
    } finally {
      removeProject(dir);
    }
  }

  test('monotonic in tokens and traffic; cache and batch never increase cost; huge traffic stays finite', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 4000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (tokens, moreTokens, traffic, maxTokens, hit, batchShare) => {
          count('cost arithmetic cases');
          const base = await monthly(call(tokens, traffic, maxTokens));
          assert.ok(Number.isFinite(base) && base >= 0);
          assert.ok((await monthly(call(tokens + moreTokens, traffic, maxTokens))) >= base - 1e-9, 'more input tokens never cost less');
          assert.ok((await monthly(call(tokens, traffic + moreTokens, maxTokens))) >= base - 1e-9, 'more traffic never costs less');
          assert.ok((await monthly(call(tokens, traffic, maxTokens, `    cacheHitRate: ${hit}\n`))) <= base + 1e-9, 'cache hits never increase cost');
          assert.ok((await monthly(call(tokens, traffic, maxTokens, `    batchShare: ${batchShare}\n`))) <= base + 1e-9, 'batching never increases cost');
        },
      ),
      { numRuns: Math.max(10, Math.floor(RUNS / 10)) },
    );
    const huge = await monthly(call(1e9, 1e15, 4000));
    assert.ok(Number.isFinite(huge));
  });
});
