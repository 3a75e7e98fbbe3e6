/**
 * `costlens diff`: matching call sites across two states (by id, then by file + callee + model when ids shifted),
 * per-site and total monthly deltas, new suggestions, the Markdown / JSON / SARIF outputs, `--fail-above`, and the
 * whole command on a temporary git repository with two commits (each scanned with its own costlens.yml).
 *
 * Prices (USD per million tokens): gpt-4o 2.50 / 10, gpt-4o-mini 0.15 / 0.60.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { diffCommand } from '../../src/cli/diff';
import { scanCommand } from '../../src/cli/scan';
import { diffScans, diffSummaryLine, renderDiffMarkdown, renderDiffSarif, type DiffSide, type DiffSite } from '../../src/core/report/diff';
import { materializeRevision } from '../../src/core/report/gitRevision';

const close = (actual: number | null | undefined, expected: number, what: string): void => {
  assert.ok(actual !== null && actual !== undefined, `${what} is null`);
  assert.ok(Math.abs(actual - expected) < 1e-9 + Math.abs(expected) * 1e-9, `${what}: expected ${expected}, got ${actual}`);
};

function site(over: Partial<DiffSite> & { id: string }): DiffSite {
  const file = over.id.split('#')[0]!;
  return {
    file,
    line: 10,
    column: 5,
    callee: 'client.chat.completions.create',
    sdk: 'openai',
    api: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    inputTokens: 500,
    outputTokens: 200,
    requestsPerMonth: 30_000,
    costPerRequestUsd: 0.001,
    monthlyCostUsd: 30,
    trafficDetail: 'built-in default',
    costed: true,
    ...over,
  };
}
const side = (label: string, sites: DiffSite[], suggestions: DiffSide['suggestions'] = []): DiffSide => ({ label, sites, suggestions });

describe('diffScans', () => {
  test('added, removed, changed (model, tokens, traffic) and unchanged sites with per-site and total deltas', () => {
    const base = side('base', [
      site({ id: 'a.py#f#0' }),
      site({ id: 'b.py#g#0', model: 'gpt-4o-mini', monthlyCostUsd: 10 }),
      site({ id: 'c.py#h#0', monthlyCostUsd: 50 }),
      site({ id: 'd.py#k#0', requestsPerMonth: 1000, monthlyCostUsd: 1 }),
    ]);
    const head = side('head', [
      site({ id: 'a.py#f#0' }),
      site({ id: 'b.py#g#0', model: 'gpt-4o', outputTokens: 400, monthlyCostUsd: 110 }),
      site({ id: 'd.py#k#0', requestsPerMonth: 3000, monthlyCostUsd: 3, trafficDetail: 'costlens.yml: 100/day' }),
      site({ id: 'e.py#<module>#0', monthlyCostUsd: 7 }),
    ]);
    const d = diffScans(base, head);
    assert.equal(d.added, 1);
    assert.equal(d.removed, 1);
    assert.equal(d.changed, 2);
    assert.equal(d.unchanged, 1);
    close(d.base.monthlyCostUsd, 91, 'base total');
    close(d.head.monthlyCostUsd, 150, 'head total');
    close(d.totalDeltaUsd, 59, 'total delta');
    close(d.deltaRatio, 59 / 91, 'ratio');
    assert.deepEqual(d.sites.map((s) => [s.status, s.id, s.deltaMonthlyUsd]), [
      ['changed', 'b.py#g#0', 100],
      ['removed', 'c.py#h#0', -50],
      ['added', 'e.py#<module>#0', 7],
      ['changed', 'd.py#k#0', 2],
    ]);
    assert.deepEqual(d.sites[0]!.changes.map((c) => c.text), ['model gpt-4o-mini → gpt-4o', 'output tokens 200 → 400']);
    assert.deepEqual(d.sites[3]!.changes.map((c) => c.text), ['traffic 1k → 3k requests/month (costlens.yml: 100/day)']);
    assert.equal(diffSummaryLine(d), 'costlens: +$59/month (+65%) estimated LLM cost — $91 → $150/month; 1 call site added, 2 changed, 1 removed');
  });

  test('a site whose id shifted (a call inserted above it) is matched by file, callee and model', () => {
    const base = side('base', [site({ id: 'a.py#f#0', line: 10, monthlyCostUsd: 30 })]);
    const head = side('head', [
      site({ id: 'a.py#f#0', line: 8, callee: 'client.embeddings.create', api: 'embeddings', model: 'text-embedding-3-small', monthlyCostUsd: 1 }),
      site({ id: 'a.py#f#1', line: 12, monthlyCostUsd: 60, requestsPerMonth: 60_000 }),
    ]);
    const d = diffScans(base, head);
    // The id a.py#f#0 now names another call (another callee): the embeddings call is new and the chat call moved
    // to ordinal 1.
    assert.equal(d.added, 1);
    assert.equal(d.changed, 1);
    const moved = d.sites.find((s) => s.status === 'changed')!;
    assert.equal(moved.id, 'a.py#f#1');
    assert.equal(moved.baseId, 'a.py#f#0');
    assert.equal(moved.matchedBy, 'file+callee+model');
    assert.deepEqual(moved.changes.map((c) => c.what), ['traffic', 'id']);
  });

  test('an id kept but the call replaced by another (same ordinal) is matched by id: the model change is reported', () => {
    const d = diffScans(side('b', [site({ id: 'x.py#f#0', model: 'gpt-4o-mini', monthlyCostUsd: 2 })]), side('h', [site({ id: 'x.py#f#0', model: 'gpt-4o', monthlyCostUsd: 30 })]));
    assert.equal(d.sites[0]!.matchedBy, 'id');
    assert.equal(d.sites[0]!.baseModel, 'gpt-4o-mini');
  });

  test('unknown prices: no delta for the site, left out of totals, said in the markdown', () => {
    const d = diffScans(side('b', [site({ id: 'x.py#f#0' })]), side('h', [site({ id: 'x.py#f#0', model: 'acme-9', costPerRequestUsd: null, monthlyCostUsd: null })]));
    assert.equal(d.sites[0]!.deltaMonthlyUsd, null);
    assert.ok(d.sites[0]!.changes.some((c) => c.what === 'priced'));
    close(d.totalDeltaUsd, -30, 'total delta');
    assert.match(renderDiffMarkdown(d), /1 call site has no known price and is not in the totals/);
  });

  test('new suggestions are those the base did not have (ids mapped through shifted sites)', () => {
    const base = side('b', [site({ id: 'a.py#f#0' })], [{ id: 'a.py#f#0:batch', siteId: 'a.py#f#0', file: 'a.py', line: 10, kind: 'batch', message: 'batch it', monthlySavingUsd: 15 }]);
    const head = side('h', [site({ id: 'a.py#f#1', line: 14, requestsPerMonth: 60_000, monthlyCostUsd: 60 })], [
      { id: 'a.py#f#1:batch', siteId: 'a.py#f#1', file: 'a.py', line: 14, kind: 'batch', message: 'batch it', monthlySavingUsd: 30 },
      { id: 'a.py#f#1:route', siteId: 'a.py#f#1', file: 'a.py', line: 14, kind: 'route', message: 'route it', monthlySavingUsd: 20 },
    ]);
    const d = diffScans(base, head);
    assert.deepEqual(d.newSuggestions.map((s) => s.id), ['a.py#f#1:route']);
    assert.deepEqual(d.resolvedSuggestions, []);
  });

  test('no change at all', () => {
    const s = [site({ id: 'a.py#f#0' })];
    const d = diffScans(side('b', s), side('h', s));
    assert.equal(d.totalDeltaUsd, 0);
    assert.equal(diffSummaryLine(d), 'costlens: no change in estimated LLM cost ($30/month)');
  });

  test('SARIF: added and increased sites as warnings with repository paths, new suggestions as notes', () => {
    const d = diffScans(
      side('b', [site({ id: 'a.py#f#0' }), site({ id: 'b.py#f#0', monthlyCostUsd: 50 })]),
      side('h', [site({ id: 'a.py#f#0', monthlyCostUsd: 45, requestsPerMonth: 45_000 }), site({ id: 'n.py#f#0', line: 3 })], [{ id: 'n.py#f#0:route', siteId: 'n.py#f#0', file: 'n.py', line: 3, kind: 'route', message: 'route it', monthlySavingUsd: 5 }]),
    );
    const sarif = JSON.parse(renderDiffSarif(d, '9.9.9', 'services/api/'));
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0].results as Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }>;
    assert.deepEqual(results.map((r) => [r.ruleId, r.level, r.locations[0]!.physicalLocation.artifactLocation.uri]), [
      ['costlens/diff/added', 'warning', 'services/api/n.py'],
      ['costlens/diff/increased', 'warning', 'services/api/a.py'],
      ['costlens/diff/suggestion', 'note', 'services/api/n.py'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// The command on a temporary git repository with two commits
// ---------------------------------------------------------------------------------------------------------------------

function io(cwd: string): { io: { stdout: PassThrough; stderr: PassThrough; cwd: string; env: NodeJS.ProcessEnv }; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { io: { stdout, stderr, cwd, env: {} }, out: () => o, err: () => e };
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const handler = (body: string): string => `from fastapi import FastAPI
from openai import OpenAI

app = FastAPI()
client = OpenAI()


@app.post("/ask")
def ask(q: str):
${body}
`;
const CHAT = (model: string, max: number): string => `    return client.chat.completions.create(model="${model}", max_tokens=${max}, messages=[{"role": "user", "content": q}])`;

describe('costlens diff on a temporary git repository', () => {
  let repo: string;
  let baseSha: string;
  let headSha: string;
  const revDirs = (): string[] => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('costlens-rev-'));
  let revDirsBefore: string[];

  before(() => {
    revDirsBefore = revDirs();
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-diff-test-'));
    git(repo, 'init', '-q', '-b', 'main');
    fs.mkdirSync(path.join(repo, 'svc'));
    // Base: one chat call on gpt-4o-mini, 1,000/day; an unrelated file at the repo root.
    fs.writeFileSync(path.join(repo, 'svc', 'app.py'), handler(CHAT('gpt-4o-mini', 100)));
    fs.writeFileSync(path.join(repo, 'svc', 'costlens.yml'), '# traffic\nversion: 1\ncallSites:\n  "app.py#ask#0":\n    requestsPerDay: 1000\n    inputTokens: 997\n');
    fs.writeFileSync(path.join(repo, 'README.md'), 'demo\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'base');
    baseSha = git(repo, 'rev-parse', 'HEAD');
    // Head: the call moves to gpt-4o with a larger limit, traffic doubles, and a second call appears.
    fs.writeFileSync(path.join(repo, 'svc', 'app.py'), handler(`${CHAT('gpt-4o', 200)}\n\n\n@app.post("/new")\ndef new(q: str):\n${CHAT('gpt-4o', 50)}`));
    fs.writeFileSync(path.join(repo, 'svc', 'costlens.yml'), '# traffic\nversion: 1\ncallSites:\n  "app.py#ask#0":\n    requestsPerDay: 2000\n    inputTokens: 997\n  "app.py#new#0":\n    requestsPerDay: 100\n    inputTokens: 997\n');
    git(repo, 'commit', '-q', '-am', 'head');
    headSha = git(repo, 'rev-parse', 'HEAD');
  });
  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  // 997 dynamic + 3 reply-priming tokens = 1,000 input tokens per request.
  const BASE = ((1000 * 0.15 + 100 * 0.6) / 1e6) * 30_000; // 6.30
  const HEAD_ASK = ((1000 * 2.5 + 200 * 10) / 1e6) * 60_000; // 270
  const HEAD_NEW = ((1000 * 2.5 + 50 * 10) / 1e6) * 3_000; // 9

  test('materializeRevision extracts one folder of a commit and cleans up', async () => {
    const rev = await materializeRevision(path.join(repo, 'svc'), 'HEAD~1');
    try {
      assert.equal(rev.commit, baseSha);
      assert.equal(rev.pathInRepo, 'svc');
      assert.match(fs.readFileSync(path.join(rev.root, 'app.py'), 'utf8'), /gpt-4o-mini/);
      assert.ok(!fs.existsSync(path.join(rev.root, 'README.md')), 'only the folder asked for');
    } finally {
      rev.cleanup();
    }
    assert.ok(!fs.existsSync(rev.root));
    assert.equal(git(repo, 'status', '--porcelain'), '', 'the repository is untouched');
  });

  test('JSON: hand-computed totals and per-site deltas across the two commits', async () => {
    const c = io(path.join(repo, 'svc'));
    const code = await diffCommand(['HEAD~1', 'HEAD', '--format', 'json'], c.io);
    assert.equal(code, 0, c.err());
    const d = JSON.parse(c.out());
    assert.equal(d.base.commit, baseSha);
    assert.equal(d.head.commit, headSha);
    close(d.base.monthlyCostUsd, BASE, 'base');
    close(d.head.monthlyCostUsd, HEAD_ASK + HEAD_NEW, 'head');
    close(d.totalDeltaUsd, HEAD_ASK + HEAD_NEW - BASE, 'delta');
    const changed = d.sites.find((s: { status: string }) => s.status === 'changed');
    assert.equal(changed.id, 'app.py#ask#0');
    assert.deepEqual(changed.changes.map((x: { what: string }) => x.what), ['model', 'output-tokens', 'traffic']);
    close(changed.deltaMonthlyUsd, HEAD_ASK - BASE, 'changed site delta');
    const added = d.sites.find((s: { status: string }) => s.status === 'added');
    assert.equal(added.id, 'app.py#new#0');
    close(added.deltaMonthlyUsd, HEAD_NEW, 'added site');
    assert.deepEqual(revDirs(), revDirsBefore, 'no temporary checkout left behind');
  });

  test('Markdown for a pull-request comment: summary line first, a table, the marker; --fail-above exits 4', async () => {
    const c = io(path.join(repo, 'svc'));
    const code = await diffCommand(['HEAD~1', 'HEAD', '--fail-above', '100'], c.io);
    assert.equal(code, 4);
    const md = c.out();
    const first = md.split('\n')[0]!;
    assert.equal(first, '### costlens: +$273/month (+4329%) estimated LLM cost — $6.30 → $279/month; 1 call site added, 1 changed, 0 removed');
    assert.match(md, /:x: The increase of \*\*\$273\/month\*\* is above the budget of \$100\/month\./);
    assert.match(md, /\| changed \| `app\.py:10` \| `gpt-4o-mini` → `gpt-4o` \| model gpt-4o-mini → gpt-4o; output tokens 100 → 200; traffic 30k → 60k requests\/month/);
    assert.match(md, /\| added \| `app\.py:15` \| `gpt-4o` \| new openai chat call: 1,000 in \/ 50 out tokens, 3k requests\/month \| — \| \$9\.00 \| \*\*\+\$9\.00\*\* \|/);
    assert.match(md, /<!-- costlens-diff -->\n$/);
    assert.match(c.err(), /above --fail-above 100 USD/);

    const ok = io(path.join(repo, 'svc'));
    assert.equal(await diffCommand(['HEAD~1', 'HEAD', '--fail-above', '1000'], ok.io), 0);
    assert.match(ok.out(), /:white_check_mark: Within the budget of \$1k\/month\./);
  });

  test('SARIF locations are repository paths; HEAD defaults to the working tree', async () => {
    const c = io(path.join(repo, 'svc'));
    assert.equal(await diffCommand(['HEAD~1', '--format', 'sarif'], c.io), 0, c.err());
    const sarif = JSON.parse(c.out());
    const uris = sarif.runs[0].results.map((r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    assert.ok(uris.length >= 2);
    assert.ok(uris.every((u: string) => u === 'svc/app.py'), uris.join());
  });

  test('two scan JSON files give the same diff as the two revisions', async () => {
    const files: string[] = [];
    for (const rev of ['HEAD~1', 'HEAD']) {
      const m = await materializeRevision(path.join(repo, 'svc'), rev);
      try {
        const file = path.join(repo, `${rev.replace(/\W/g, '')}.json`);
        const c = io(m.root);
        assert.equal(await scanCommand(['--format', 'json', '--out', file, '--quiet'], c.io), 0, c.err());
        files.push(file);
      } finally {
        m.cleanup();
      }
    }
    const fromFiles = io(repo);
    assert.equal(await diffCommand([files[0]!, files[1]!, '--format', 'json'], fromFiles.io), 0, fromFiles.err());
    const fromGit = io(path.join(repo, 'svc'));
    assert.equal(await diffCommand(['HEAD~1', 'HEAD', '--format', 'json'], fromGit.io), 0);
    const a = JSON.parse(fromFiles.out());
    const b = JSON.parse(fromGit.out());
    close(a.totalDeltaUsd, b.totalDeltaUsd, 'same total delta');
    assert.deepEqual(a.sites.map((s: { status: string; id: string }) => [s.status, s.id]), b.sites.map((s: { status: string; id: string }) => [s.status, s.id]));
    for (const f of files) fs.rmSync(f);
  });

  test('a folder that did not exist in the base revision: everything is added', async () => {
    fs.mkdirSync(path.join(repo, 'later'));
    fs.writeFileSync(path.join(repo, 'later', 'x.py'), handler(CHAT('gpt-4o-mini', 10)));
    try {
      const c = io(path.join(repo, 'later'));
      assert.equal(await diffCommand(['HEAD', '--format', 'json'], c.io), 0, c.err());
      const d = JSON.parse(c.out());
      assert.equal(d.base.callSites, 0);
      assert.equal(d.added, 1);
    } finally {
      fs.rmSync(path.join(repo, 'later'), { recursive: true, force: true });
    }
  });

  test('bad input: unknown revision, not a repository, wrong arguments, a JSON file that is not a scan', async () => {
    const c = io(path.join(repo, 'svc'));
    assert.equal(await diffCommand(['no-such-branch', 'HEAD'], c.io), 2);
    assert.match(c.err(), /unknown revision 'no-such-branch'/);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-nogit-'));
    try {
      const n = io(outside);
      assert.equal(await diffCommand(['HEAD~1'], n.io), 2);
      assert.match(n.err(), /not inside a git repository/);
      fs.writeFileSync(path.join(outside, 'x.json'), '{"hello": 1}');
      const j = io(outside);
      assert.equal(await diffCommand(['x.json', 'x.json'], j.io), 2);
      assert.match(j.err(), /expected "schemaVersion": 1/);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
    const a = io(repo);
    assert.equal(await diffCommand([], a.io), 2);
    assert.equal(await diffCommand(['HEAD', '--format', 'xml'], a.io), 2);
    assert.equal(await diffCommand(['HEAD', '--fail-above', 'lots'], a.io), 2);
  });
});
