/**
 * The scan's pre-filter (src/core/engine/relevance.ts and the SDK-package rule of files.ts): a file whose only markers
 * are generic method names (`.invoke(`, `.stream(`, `completion(`) is parsed when it imports an LLM module — directly,
 * through a package index, or through another such file — and not otherwise; the result is the one a scan that parses
 * everything would give; the scan cache re-decides when a module becomes an LLM module; a scan of some paths parses
 * them all; installed copies of SDK packages are not scanned.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { CostEngine, type ScanResult } from '../../src/core/engine/engine';
import { listSourceFiles } from '../../src/core/engine/files';
import { parallelScan, type ChunkWorkerData } from '../../src/core/engine/parallelScan';
import { importedModules, markerLevel, modulePath, weakFilesToParse, type Relevance } from '../../src/core/engine/relevance';
import { ScanCache } from '../../src/core/engine/scanCache';

const WORKER_SOURCE = path.join(__dirname, '..', '..', 'src', 'core', 'engine', 'scanChunkWorker.ts');
const createWorker = (workerData: ChunkWorkerData): Worker => new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER_SOURCE)});`, { eval: true, workerData });

describe('markers and imports', () => {
  test('strong, weak and no markers', () => {
    assert.equal(markerLevel('from openai import OpenAI'), 'strong');
    assert.equal(markerLevel('client.responses.create(model=m, input=q)'), 'strong', 'the Responses API of a client passed in');
    assert.equal(markerLevel('vectors = client.embeddings.create(input=texts)'), 'strong');
    assert.equal(markerLevel('return rag_chain.invoke({"question": q})'), 'weak');
    assert.equal(markerLevel('proc = subprocess.run(cmd)'), 'none');
  });

  test('Python imports: relative ones resolved from the file, absolute ones as path suffixes, imported names as submodules', () => {
    const text = [
      'from .chains import rag_chain, condense_chain as condense',
      'from ..shared.models import (',
      '    fallback_llm,',
      '    grader,  # the grading model',
      ')',
      'from . import prompts',
      'from handbook.llm import chat',
      'import app.services.llm as llm, json',
      '    from lazy.loader import thing  # indented imports count too',
    ].join('\n');
    assert.deepEqual(importedModules(text, 'handbook_qa/web/views.py'), [
      '/handbook_qa/shared/models',
      '/handbook_qa/shared/models/fallback_llm',
      '/handbook_qa/shared/models/grader',
      '/handbook_qa/web',
      '/handbook_qa/web/chains',
      '/handbook_qa/web/chains/condense_chain',
      '/handbook_qa/web/chains/rag_chain',
      '/handbook_qa/web/prompts',
      'app/services/llm',
      'handbook/llm',
      'handbook/llm/chat',
      'json',
      'lazy/loader',
      'lazy/loader/thing',
    ]);
  });

  test('JavaScript and TypeScript imports: relative, path aliases, require, dynamic import, re-exports', () => {
    const text = [
      "import { claude } from '../llm';",
      "import { model } from '@/lib/ai/model';",
      "import { client } from '@app/llm-client';",
      "import OpenAI from 'openai';",
      "const { router } = require('./router.js');",
      "const lazy = await import('../jobs/index');",
      "export * from './chains';",
      "import './polyfills';",
    ].join('\n');
    assert.deepEqual(importedModules(text, 'src/chains/extract.ts'), [
      '/src/chains/chains',
      '/src/chains/polyfills',
      '/src/chains/router',
      '/src/jobs',
      '/src/llm',
      'ai/model',
      'lib/ai/model',
      'llm-client',
      'openai',
    ]);
  });

  test('hostile inputs end: long runs of dots, unclosed parentheses on every line, huge specifiers', { timeout: 20_000 }, () => {
    const inputs: Array<[string, string]> = [
      [`from ${'.'.repeat(200_000)}!`, 'a.py'],
      ['from a import (\n'.repeat(50_000), 'b.py'],
      [`from ${'a.'.repeat(100_000)} import x`, 'c.py'],
      [`import { x } from '${'../'.repeat(100_000)}'`, 'd.ts'],
      [`require(${"'".repeat(100_000)}`, 'e.js'],
    ];
    for (const [text, rel] of inputs) assert.ok(Array.isArray(importedModules(text, rel)), rel);
    // An unclosed list still yields its names.
    assert.deepEqual(importedModules('from . import (a, b\n', 'pkg/m.py'), ['/pkg', '/pkg/a', '/pkg/b']);
  });

  test('fuzzed: random and mutated sources give module paths, never an exception', () => {
    const fixtures = path.join(__dirname, '..', 'fixtures');
    const sources = listSourceFiles(fixtures, []).files.slice(0, 60).map((f) => [fs.readFileSync(path.join(fixtures, f), 'utf8'), f] as const);
    let tried = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sources.length - 1 }), fc.string({ maxLength: 40 }), fc.nat(), fc.nat(), (i, junk, at, cut) => {
        const [text, rel] = sources[i]!;
        const p = at % (text.length + 1);
        const mutated = `${text.slice(0, p)}${junk}${text.slice(p + (cut % 50))}`;
        for (const r of [rel, `${rel}.py`, rel.replace(/\.\w+$/, '.ts')]) {
          tried++;
          const out = importedModules(mutated, r);
          assert.ok(out.every((m) => typeof m === 'string' && m.length > 0 && !m.includes('//')), JSON.stringify(out));
        }
      }),
      { numRuns: 400, seed: 7 },
    );
    assert.ok(tried >= 1200);
  });

  test('a module is known by its path, a package index by its folder', () => {
    assert.equal(modulePath('src/llm.ts'), 'src/llm');
    assert.equal(modulePath('src/llm/index.ts'), 'src/llm');
    assert.equal(modulePath('app/llm/__init__.py'), 'app/llm');
    assert.equal(modulePath('app/chains.py'), 'app/chains');
  });
});

describe('which weak files are parsed', () => {
  const weak = (...imports: string[]): Relevance => ({ kind: 'weak', imports });
  const index = (...imports: string[]): Relevance => ({ kind: 'index', imports });
  const llm: Relevance = { kind: 'llm' };

  test('directly, through a package index, through another weak file; not when the import is another module of the same name', () => {
    const files: Array<[string, Relevance]> = [
      ['app/llm/client.py', llm],
      ['app/llm/__init__.py', index('/app/llm/client')],
      ['app/api/views.py', weak('app/llm', 'app/llm/chat_model')], // from app.llm import chat_model (through the index)
      ['app/api/chains.py', weak('/app/llm/client')], // from ..llm.client import model
      ['app/api/routes.py', weak('/app/api/chains')], // from .chains import rag (a weak file that is an LLM module)
      ['app/tasks/runner.py', weak('/app/tasks/client')], // from .client import pool: app/tasks/client is not app/llm/client
      ['scripts/deploy.py', weak('subprocess', 'fabric/api')],
      ['web/src/chat.ts', weak('/web/src/lib/llm')],
      ['web/src/lib/llm.ts', llm],
    ];
    assert.deepEqual([...weakFilesToParse(files)].sort(), ['app/api/chains.py', 'app/api/routes.py', 'app/api/views.py', 'web/src/chat.ts']);
  });

  test('the answer does not depend on the order of the files', () => {
    const files: Array<[string, Relevance]> = [
      ['c.py', weak('b')],
      ['b.py', weak('a')],
      ['a/__init__.py', index('/a/impl')],
      ['a/impl.py', llm],
    ];
    assert.deepEqual([...weakFilesToParse(files)].sort(), ['b.py', 'c.py']);
    assert.deepEqual([...weakFilesToParse([...files].reverse())].sort(), ['b.py', 'c.py']);
  });
});

/** A workspace in a temporary folder. */
function workspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-relevance-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const PROJECT = {
  'app/llm/__init__.py': 'from .client import chat_model\n',
  'app/llm/client.py': 'from langchain_openai import ChatOpenAI\n\nchat_model = ChatOpenAI(model="gpt-4o-mini", max_tokens=300)\n',
  'app/api/views.py': [
    'from flask import Blueprint, request',
    'from app.llm import chat_model',
    '',
    'bp = Blueprint("api", __name__)',
    '',
    '@bp.post("/ask")',
    'def ask():',
    '    return {"answer": chat_model.invoke(request.json["question"]).content}',
    '',
  ].join('\n'),
  'app/jobs/deploy.py': [
    'from app.jobs.tasks import runner',
    '',
    'def deploy(cmd):',
    '    for host in ["a", "b"]:',
    '        runner.invoke(cmd, host=host)',
    '',
  ].join('\n'),
  'app/jobs/tasks.py': 'class Runner:\n    def invoke(self, cmd, host):\n        return (cmd, host)\n\nrunner = Runner()\n',
};

const ids = (r: ScanResult): string[] => r.callSites.map((s) => s.id);

async function scanOf(root: string, run: (engine: CostEngine) => Promise<ScanResult>): Promise<ScanResult> {
  const engine = await CostEngine.create({ root });
  try {
    return await run(engine);
  } finally {
    engine.dispose();
  }
}

describe('scans with the pre-filter', () => {
  test('a weak file that imports an LLM module through a package index is analysed; one that does not is not parsed', async () => {
    const root = workspace(PROJECT);
    try {
      const all = await scanOf(root, (e) => e.scan(['.']));
      const filtered = await scanOf(root, (e) => e.scan());
      assert.deepEqual(ids(filtered), ['app/api/views.py#ask#0', 'app/llm/client.py#<module>#0']);
      assert.equal(filtered.callSites.find((s) => s.file === 'app/api/views.py')?.constructId, 'app/llm/client.py#<module>#0', 'the invocation is linked to its model');
      // The same sites as parsing every file with a marker (a scan of paths does), with two files fewer parsed.
      assert.deepEqual(filtered.callSites, all.callSites);
      assert.equal(all.filesParsed, 4);
      assert.equal(filtered.filesParsed, 2, 'app/jobs/deploy.py and tasks.py (which defines invoke) are not parsed');
      const parallel = await scanOf(root, (e) => parallelScan(e, [], { workers: 2, minFilesForWorkers: 0, chunkFiles: 2, createWorker }));
      const { threads, ...sameAs } = parallel;
      assert.equal(threads, 2);
      assert.deepEqual(sameAs, filtered, 'the parallel scan decides the same');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the scan cache: when a module becomes an LLM module, the unchanged file that imports it is parsed on the next scan', async () => {
    const root = workspace(PROJECT);
    try {
      const cache = new ScanCache();
      const first = await scanOf(root, (e) => e.scan([], { cache }));
      assert.ok(!ids(first).some((id) => id.startsWith('app/jobs/')));
      // The editor re-analyses a saved file's dependents: a deferred file that imports it is one of them.
      assert.deepEqual(cache.dependentsOf('app/jobs/tasks.py'), ['app/jobs/deploy.py']);
      assert.deepEqual(cache.dependentsOf('app/llm/client.py'), ['app/api/views.py'], 'a parsed importer, through the dependencies its analysis recorded');
      // tasks.py now builds a LangChain model; deploy.py is unchanged (a cache hit as a deferred file).
      fs.writeFileSync(path.join(root, 'app/jobs/tasks.py'), 'from langchain_anthropic import ChatAnthropic\n\nrunner = ChatAnthropic(model="claude-3-5-haiku-latest", max_tokens=200)\n');
      const warm = await scanOf(root, (e) => e.scan([], { cache }));
      const cold = await scanOf(root, (e) => e.scan());
      assert.ok(ids(warm).includes('app/jobs/deploy.py#deploy#0'), ids(warm).join(', '));
      assert.deepEqual(warm.callSites, cold.callSites);
      const parallelWarm = await scanOf(root, (e) => parallelScan(e, [], { workers: 2, minFilesForWorkers: 0, chunkFiles: 2, createWorker, cache }));
      assert.deepEqual(parallelWarm.callSites, cold.callSites);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('TypeScript: an import through a tsconfig path alias whose name says nothing of the module', async () => {
    const root = workspace({
      'tsconfig.json': '{\n  // paths with comments, as tsconfig allows\n  "compilerOptions": { "baseUrl": ".", "paths": { "@llm": ["src/services/openai-client.ts"], "@jobs/*": ["src/workers/*"] } }\n}\n',
      'src/services/openai-client.ts': "import { ChatOpenAI } from '@langchain/openai';\n\nexport const model = new ChatOpenAI({ model: 'gpt-4o-mini', maxTokens: 256 });\n",
      'src/routes/chat.ts': "import { model } from '@llm';\n\nexport async function POST(req: Request) {\n  const { q } = await req.json();\n  return Response.json(await model.invoke(q));\n}\n",
      'src/routes/health.ts': "import { checker } from '@jobs/health';\n\nexport const GET = () => checker.invoke();\n",
      'src/workers/health.ts': 'export const checker = { invoke: () => true };\n',
    });
    try {
      const filtered = await scanOf(root, (e) => e.scan());
      const all = await scanOf(root, (e) => e.scan(['.']));
      assert.ok(ids(filtered).includes('src/routes/chat.ts#POST#0'), ids(filtered).join(', '));
      assert.deepEqual(filtered.callSites, all.callSites);
      assert.equal(filtered.filesParsed, all.filesParsed - 1, 'routes/health.ts, whose alias maps to a module without a marker, is not parsed');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('a scan of some paths parses their weak files (it cannot see the other modules)', async () => {
    const root = workspace(PROJECT);
    try {
      const r = await scanOf(root, (e) => e.scan(['app/jobs/deploy.py']));
      assert.equal(r.filesParsed, 1);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('SDK packages are not scanned', () => {
  test('a folder that is a copy of an LLM SDK package (named like it, and its package.json says so) is skipped with its reason; the workspace itself and other packages are not', () => {
    const root = workspace({
      'package.json': JSON.stringify({ name: 'openai' }), // the workspace is the SDK's own repository: scanned
      'src/client.ts': "import OpenAI from 'openai';\n",
      'vendor-libs/openai/package.json': JSON.stringify({ name: 'openai', version: '6.0.0' }),
      'vendor-libs/openai/resources/chat.js': 'exports.create = (c) => c.chat.completions.create({});\n',
      'vendor-libs/@langchain/core/package.json': JSON.stringify({ name: '@langchain/core' }),
      'vendor-libs/@langchain/core/runnables.js': 'module.exports = (r) => r.invoke(1);\n',
      // Only folders named like an SDK package have their manifest read: a renamed copy is scanned.
      'third_party/oai-fork/package.json': JSON.stringify({ name: 'openai' }),
      'third_party/oai-fork/chat.js': 'exports.create = (c) => c.chat.completions.create({});\n',
      // A folder named like one that is another package is scanned.
      'tools/ai/package.json': JSON.stringify({ name: '@acme/ai-tools' }),
      'tools/ai/run.ts': "import OpenAI from 'openai';\n",
      'packages/web/package.json': JSON.stringify({ name: '@acme/web' }),
      'packages/web/chat.ts': "import OpenAI from 'openai';\n",
      'packages/broken/package.json': '{ not json',
      'packages/broken/x.ts': 'export const x = 1;\n',
    });
    try {
      const listing = listSourceFiles(root, []);
      assert.deepEqual(listing.files, ['packages/broken/x.ts', 'packages/web/chat.ts', 'src/client.ts', 'third_party/oai-fork/chat.js', 'tools/ai/run.ts']);
      assert.deepEqual(
        listing.skipped.map((s) => [s.file, s.reason]),
        [
          ['vendor-libs/@langchain/core', 'the @langchain/core SDK package itself (package.json): costlens looks for calls to SDKs, not inside them'],
          ['vendor-libs/openai', 'the openai SDK package itself (package.json): costlens looks for calls to SDKs, not inside them'],
        ],
      );
      // Asked for by path, the package is scanned.
      assert.deepEqual(listSourceFiles(root, ['vendor-libs/openai']).files, ['vendor-libs/openai/resources/chat.js']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
