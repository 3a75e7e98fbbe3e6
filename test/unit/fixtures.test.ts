/**
 * The detector against realistic fixture projects. Each project under test/fixtures/ has a
 * `costlens.expected.json` listing every call site it holds (exhaustive) and traps that must not be reported.
 * A site is matched by file and line; each field the expectation states is compared.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CostEngine, type EstimatedCallSite, type ScanResult } from '../../src/core/engine/engine';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

interface ExpectedSite {
  file: string;
  line: number;
  sdk?: string;
  api?: string;
  role?: string;
  provider?: string;
  model?: string | null;
  context?: string;
  inLoop?: boolean;
  streaming?: boolean | null;
  maxOutputTokens?: number | null;
  why?: string;
}

interface Expected {
  description: string;
  callSites: ExpectedSite[];
  notCallSites: Array<{ file: string; line: number; why: string }>;
}

const projects = fs
  .readdirSync(FIXTURES)
  .filter((d) => fs.existsSync(path.join(FIXTURES, d, 'costlens.expected.json')))
  .sort();

let engineCache: Map<string, ScanResult>;

before(() => {
  engineCache = new Map();
});

after(() => {
  engineCache.clear();
});

async function scanProject(name: string): Promise<ScanResult> {
  const hit = engineCache.get(name);
  if (hit) return hit;
  const engine = await CostEngine.create({ root: path.join(FIXTURES, name) });
  const result = await engine.scan();
  engine.dispose();
  engineCache.set(name, result);
  return result;
}

function actualField(site: EstimatedCallSite, field: keyof ExpectedSite): unknown {
  switch (field) {
    case 'model':
      return site.model.resolved;
    case 'maxOutputTokens':
      return site.params.maxOutputTokens?.value ?? null;
    default:
      return (site as unknown as Record<string, unknown>)[field];
  }
}

const CHECKED: Array<keyof ExpectedSite> = ['sdk', 'api', 'role', 'provider', 'model', 'context', 'inLoop', 'streaming', 'maxOutputTokens'];

for (const project of projects) {
  describe(`fixture ${project}`, () => {
    const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, project, 'costlens.expected.json'), 'utf8')) as Expected;

    for (const exp of expected.callSites) {
      test(`${exp.file}:${exp.line} ${exp.sdk ?? ''} ${exp.role ?? ''} — ${exp.why ?? ''}`.slice(0, 160), async () => {
        const result = await scanProject(project);
        const site = result.callSites.find((s) => s.file === exp.file && s.line === exp.line);
        const near = result.callSites.filter((s) => s.file === exp.file).map((s) => `${s.line} ${s.sdk}/${s.api}/${s.role}`);
        assert.ok(site, `no call site detected at ${exp.file}:${exp.line} (${exp.why ?? ''}); detected in that file: ${near.join(', ') || 'none'}`);
        const mismatches: string[] = [];
        for (const field of CHECKED) {
          if (!(field in exp)) continue;
          const want = exp[field];
          const got = actualField(site, field);
          if (JSON.stringify(want) !== JSON.stringify(got)) mismatches.push(`${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}${field === 'model' ? ` (${site.model.resolution})` : field === 'context' ? ` (${site.contextReason})` : field === 'provider' ? ` (${site.providerReason})` : ''}`);
        }
        assert.deepEqual(mismatches, [], `${exp.file}:${exp.line}: ${mismatches.join('; ')}`);
      });
    }

    test('reports nothing else (no false positives)', async () => {
      const result = await scanProject(project);
      const expectedKeys = new Set(expected.callSites.map((s) => `${s.file}:${s.line}`));
      const extra = result.callSites.filter((s) => !expectedKeys.has(`${s.file}:${s.line}`));
      const traps = new Map(expected.notCallSites.map((t) => [`${t.file}:${t.line}`, t.why]));
      const described = extra.map((s) => `${s.file}:${s.line} ${s.sdk}/${s.api}/${s.role} ${s.callee}${traps.has(`${s.file}:${s.line}`) ? ` — trap: ${traps.get(`${s.file}:${s.line}`)}` : ''}`);
      assert.deepEqual(described, []);
    });

    test('every call site has a stable, unique id and an estimate or a linked invocation', async () => {
      const result = await scanProject(project);
      const ids = result.callSites.map((s) => s.id);
      assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
      for (const s of result.callSites) {
        assert.match(s.id, /^[^#]+#[^#]+#\d+$/);
        if (s.estimate === null) assert.ok(s.role === 'construct' && s.usedBy?.length, `${s.id} has no estimate`);
        else if (s.estimate.costPerRequestUsd !== null) assert.ok(s.estimate.costPerRequestUsd >= 0 && Number.isFinite(s.estimate.costPerRequestUsd));
      }
    });
  });
}
