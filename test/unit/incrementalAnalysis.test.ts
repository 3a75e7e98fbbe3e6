/**
 * Re-analysing an edited buffer parses incrementally (the engine keeps the last tree of each buffer): the result must
 * be exactly what a fresh parse gives, through insertions, deletions, syntax errors and their repair, non-ASCII text
 * and CRLF line ends.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Parsers, textEdit } from '../../src/core/detect/parser';
import { CostEngine } from '../../src/core/engine/engine';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Successive versions of a buffer, as typing produces them. */
function versions(text: string): string[] {
  const lines = text.split('\n');
  const mid = Math.floor(lines.length / 2);
  const out: string[] = [];
  const push = (t: string): void => void out.push(t);
  push(text);
  push([...lines.slice(0, mid), '# a comment typed in the middle — ünïcödé 🚀', ...lines.slice(mid)].join('\n'));
  push(text.replace(/"(gpt-[^"]*|claude-[^"]*)"/, '"gpt-4.1-mini"').replace(/'(gpt-[^']*|claude-[^']*)'/, "'gpt-4.1-mini'"));
  push(text.replace('(', '(('));
  push(text);
  push(lines.slice(1).join('\n'));
  push(`${text}\n\nx = (`);
  push(text.replace(/\n/g, '\r\n'));
  push('');
  push(text);
  return out;
}

const FILES = [
  'example-app/api/answers.py',
  'example-app/web/app/api/summarize/route.ts',
  'python-langchain-rag/handbook_qa/chains.py',
  'ts-langchain-agents/src/agents/weather.ts',
  'js-legacy-scripts/scripts/generate-descriptions.js',
].filter((f) => fs.existsSync(path.join(FIXTURES, f)));

test('incremental re-analysis equals a fresh analysis of every version', async () => {
  assert.ok(FILES.length >= 3, 'fixture files exist');
  // One root above the fixture projects: both engines see the same files and configuration.
  const incremental = await CostEngine.create({ root: FIXTURES });
  const fresh = await CostEngine.create({ root: FIXTURES });
  try {
    for (const file of FILES) {
      for (const [i, text] of versions(fs.readFileSync(path.join(FIXTURES, file), 'utf8')).entries()) {
        fresh.forgetBuffer(file);
        const result = incremental.analyzeText(file, text);
        assert.deepEqual(result, fresh.analyzeText(file, text), `${file}, version ${i}`);
        if (i === 0) assert.ok(result.callSites.length > 0, `${file} has call sites`);
      }
    }
  } finally {
    incremental.dispose();
    fresh.dispose();
  }
});

test('an edited tree re-parses to the same syntax tree as a fresh parse', async () => {
  const parsers = new Parsers();
  await parsers.load(['python', 'typescript']);
  for (const file of FILES.filter((f) => /\.(py|ts)$/.test(f))) {
    const grammar = file.endsWith('.py') ? 'python' : 'typescript';
    const all = versions(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
    let tree = parsers.parse(all[0]!, grammar);
    for (let i = 1; i < all.length; i++) {
      tree.edit(textEdit(all[i - 1]!, all[i]!));
      const next = parsers.parse(all[i]!, grammar, tree);
      tree.delete();
      tree = next;
      const fresh = parsers.parse(all[i]!, grammar);
      assert.equal(tree.rootNode.toString(), fresh.rootNode.toString(), `${file}, version ${i}`);
      assert.equal(tree.rootNode.endIndex, all[i]!.length);
      fresh.delete();
    }
    tree.delete();
  }
});

test('textEdit: the changed span in UTF-16 indices with row/column points', () => {
  assert.deepEqual(textEdit('ab\ncd', 'ab\nXcd'), {
    startIndex: 3,
    oldEndIndex: 3,
    newEndIndex: 4,
    startPosition: { row: 1, column: 0 },
    oldEndPosition: { row: 1, column: 0 },
    newEndPosition: { row: 1, column: 1 },
  });
  const e = textEdit('é🚀\nx = 1', 'é🚀\nx = 22');
  assert.equal(e.startIndex, 8);
  assert.deepEqual(e.startPosition, { row: 1, column: 4 });
  assert.equal(e.oldEndIndex, 9);
  assert.equal(e.newEndIndex, 10);
  assert.deepEqual(textEdit('same', 'same'), { startIndex: 4, oldEndIndex: 4, newEndIndex: 4, startPosition: { row: 0, column: 4 }, oldEndPosition: { row: 0, column: 4 }, newEndPosition: { row: 0, column: 4 } });
  // Repeated characters: prefix and suffix never overlap.
  const r = textEdit('aaa', 'aaaa');
  assert.equal(r.oldEndIndex - r.startIndex, 0);
  assert.equal(r.newEndIndex - r.startIndex, 1);
});
