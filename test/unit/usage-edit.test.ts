// Round-trip edits of costlens.yml and the atomic write that saves them.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { writeFileAtomic, type AtomicWriteFs } from '../../src/core/usage/atomicWrite';
import { setCallSiteTraffic, updateUsageFile, UsageFileEditError } from '../../src/core/usage/editUsageFile';
import { parseUsageFile } from '../../src/core/usage/usageFile';

/** A file written by a person: comments everywhere, blank lines, odd spacing, both quote styles, flow ranges. */
const COMMENTED = `# costlens usage file for acme-support
# Owner: platform team — numbers reviewed monthly.
version: 1

defaults:
    requestsPerDay: 1000      # anything not listed below
    daysPerMonth: 30

callSites:
    # The chat endpoint (March dashboard).
    "app/chat.py#ChatService.answer#0":
        requestsPerMonth:   600000   # from analytics
        inputTokens: 800             # retrieved context

    'app/jobs.py#nightly#0':
        requestsPerDay: { low: 10, expected: 20, high: 40 }   # depends on backlog
        # model: gpt-4o  (kept for later)

# ---------------------------------------------------------------- features
features:
    chat:
        callSites: ["app/chat.py#*"]   # every chat call
`;

/** The text with exactly one substring replaced (fails when it does not occur exactly once). */
function replaceOnce(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `"${from}" must occur exactly once`);
  return text.replace(from, to);
}

function dataOf(text: string) {
  const result = parseUsageFile(text, 'costlens.yml');
  if (!result.ok) assert.fail(result.issues.map((issue) => issue.message).join('\n'));
  return result.config;
}

test('updating a value keeps every other byte: comments, spacing, quotes, blank lines', () => {
  const out = setCallSiteTraffic(COMMENTED, 'app/jobs.py#nightly#0', { requestsPerDay: 35 });
  assert.equal(
    out,
    replaceOnce(COMMENTED, 'requestsPerDay: { low: 10, expected: 20, high: 40 }   # depends', 'requestsPerDay: 35   # depends'),
  );
});

test('switching month → day renames the key in place and keeps its comment', () => {
  const out = setCallSiteTraffic(COMMENTED, 'app/chat.py#ChatService.answer#0', { requestsPerDay: 20000 });
  assert.equal(out, replaceOnce(COMMENTED, 'requestsPerMonth:   600000   # from analytics', 'requestsPerDay:   20000   # from analytics'));
  // And back again.
  const back = setCallSiteTraffic(out, 'app/chat.py#ChatService.answer#0', { requestsPerMonth: 600000 });
  assert.equal(back, COMMENTED);
});

test('a new entry is added after the last one, spaced and indented like its neighbours', () => {
  const out = setCallSiteTraffic(COMMENTED, 'src/routes/summarize.ts#<module>#1', { requestsPerDay: 5000 });
  const expected = replaceOnce(
    COMMENTED,
    '        # model: gpt-4o  (kept for later)\n',
    '        # model: gpt-4o  (kept for later)\n\n    "src/routes/summarize.ts#<module>#1":\n        requestsPerDay: 5000\n',
  );
  assert.equal(out, expected);
  assert.deepEqual(dataOf(out).callSites['src/routes/summarize.ts#<module>#1'], { requestsPerDay: { low: 5000, expected: 5000, high: 5000 } });
});

test('a setting is added to an existing entry that has none', () => {
  const text = `callSites:
  "app/a.py#f#0":   # summariser
    inputTokens: 900
    feature: digest
  "app/b.py#g#0":
`;
  assert.equal(
    setCallSiteTraffic(text, 'app/a.py#f#0', { requestsPerMonth: 12000 }),
    replaceOnce(text, '    feature: digest\n', '    feature: digest\n    requestsPerMonth: 12000\n'),
  );
  assert.equal(
    setCallSiteTraffic(text, 'app/b.py#g#0', { requestsPerDay: 3 }),
    `${text}    requestsPerDay: 3\n`,
    'an entry with nothing below it gets the setting under it',
  );
});

test('callSites is created when missing or empty', () => {
  const noSection = '# usage\nversion: 1\ndefaults:\n  requestsPerDay: 10\n';
  assert.equal(
    setCallSiteTraffic(noSection, 'a.py#f#0', { requestsPerDay: 5 }),
    `${noSection}\ncallSites:\n  "a.py#f#0":\n    requestsPerDay: 5\n`,
  );
  const emptySection = 'version: 1\ncallSites:   # none yet\nfeatures: {}\n';
  assert.equal(
    setCallSiteTraffic(emptySection, 'a.py#f#0', { requestsPerDay: 5 }),
    'version: 1\ncallSites:   # none yet\n  "a.py#f#0":\n    requestsPerDay: 5\nfeatures: {}\n',
  );
  const noFinalNewline = 'version: 1';
  assert.equal(setCallSiteTraffic(noFinalNewline, 'a.py#f#0', { requestsPerDay: 5 }), 'version: 1\n\ncallSites:\n  "a.py#f#0":\n    requestsPerDay: 5\n');
});

test('an empty file gets a header, version 1 and the entry', () => {
  for (const empty of ['', '\n', '  \n\n']) {
    const out = setCallSiteTraffic(empty, 'app/chat.py#ChatService.answer#0', { requestsPerDay: 20000 });
    assert.match(out, /^# costlens usage file/);
    assert.match(out, /\nversion: 1\n\ncallSites:\n {2}"app\/chat.py#ChatService.answer#0":\n {4}requestsPerDay: 20000\n$/);
    assert.equal(dataOf(out).callSites['app/chat.py#ChatService.answer#0'].requestsPerDay?.expected, 20000);
  }
  const commentsOnly = '# traffic for acme\n';
  assert.equal(
    setCallSiteTraffic(commentsOnly, 'a.py#f#0', { requestsPerMonth: 9 }),
    '# traffic for acme\n\nversion: 1\n\ncallSites:\n  "a.py#f#0":\n    requestsPerMonth: 9\n',
  );
});

test('Windows line ends are kept', () => {
  const text = 'version: 1\r\ncallSites:\r\n  "a.py#f#0":\r\n    feature: x\r\n';
  assert.equal(setCallSiteTraffic(text, 'a.py#f#0', { requestsPerDay: 5 }), `${text}    requestsPerDay: 5\r\n`);
  const added = setCallSiteTraffic(text, 'b.py#g#0', { requestsPerDay: 5 });
  assert.equal(added, `${text}  "b.py#g#0":\r\n    requestsPerDay: 5\r\n`);
});

test('layouts the splice does not handle fall back to the Document API, keeping comments and data', () => {
  const flow = '# all in one line\ncallSites: { "a.py#f#0": { requestsPerDay: 3 } }  # compact\n';
  const out = setCallSiteTraffic(flow, 'a.py#f#0', { requestsPerDay: 5 });
  assert.match(out, /^# all in one line\n/);
  assert.match(out, /# compact/);
  assert.equal(dataOf(out).callSites['a.py#f#0'].requestsPerDay?.expected, 5);

  const blockRange = '# ranges\ncallSites:\n  "a.py#f#0":\n    requestsPerDay:   # estimated\n      low: 1\n      expected: 2\n    feature: x\n';
  const replaced = setCallSiteTraffic(blockRange, 'a.py#f#0', { requestsPerDay: 7 });
  assert.deepEqual(dataOf(replaced).callSites['a.py#f#0'], { requestsPerDay: { low: 7, expected: 7, high: 7 }, feature: 'x' });
  assert.match(replaced, /^# ranges\n/);

  const emptyFlow = 'version: 1\ncallSites: {}\n';
  assert.equal(setCallSiteTraffic(emptyFlow, 'a.py#f#0', { requestsPerDay: 5 }), 'version: 1\ncallSites:\n  "a.py#f#0":\n    requestsPerDay: 5\n');
});

test('an invalid file with both units keeps only the one being set', () => {
  const text = 'callSites:\n  "a.py#f#0":\n    requestsPerDay: 1\n    requestsPerMonth: 2\n';
  const out = setCallSiteTraffic(text, 'a.py#f#0', { requestsPerMonth: 9 });
  assert.deepEqual(dataOf(out).callSites['a.py#f#0'], { requestsPerMonth: { low: 9, expected: 9, high: 9 } });
});

test('edits that cannot be made safely throw UsageFileEditError', () => {
  assert.throws(() => setCallSiteTraffic('callSites:\n  "a#b#0":\n    x: 1\n   y: 2\n', 'a#b#0', { requestsPerDay: 1 }), UsageFileEditError);
  assert.throws(() => setCallSiteTraffic('- a list\n', 'a#b#0', { requestsPerDay: 1 }), /top level/);
  assert.throws(() => setCallSiteTraffic('callSites: [1]\n', 'a#b#0', { requestsPerDay: 1 }), /callSites must be a mapping/);
  assert.throws(() => setCallSiteTraffic('callSites:\n  "a#b#0": 5\n', 'a#b#0', { requestsPerDay: 1 }), /entry "a#b#0" must be a mapping/);
  assert.throws(() => setCallSiteTraffic('', 'a#b#0', {}), /exactly one/);
  assert.throws(() => setCallSiteTraffic('', 'a#b#0', { requestsPerDay: 1, requestsPerMonth: 30 }), /exactly one/);
  assert.throws(() => setCallSiteTraffic('', 'a#b#0', { requestsPerDay: -1 }), /finite number >= 0/);
  assert.throws(() => setCallSiteTraffic('', 'a#b#0', { requestsPerDay: Number.NaN }), /finite number >= 0/);
  assert.throws(() => setCallSiteTraffic('', '', { requestsPerDay: 1 }), /id is empty/);
});

test('updateUsageFile: a generic Document API edit keeps comments and the file indentation', () => {
  const out = updateUsageFile(COMMENTED, (doc) => {
    doc.setIn(['defaults', 'daysPerMonth'], 22);
  });
  assert.match(out, /^# costlens usage file for acme-support\n# Owner: platform team/);
  assert.match(out, /\n {4}daysPerMonth: 22\n/);
  assert.match(out, /# The chat endpoint \(March dashboard\)\./);
  assert.match(out, /# model: gpt-4o {2}\(kept for later\)/);
  assert.match(out, /\n {8}inputTokens: 800 # retrieved context\n/, 'comments kept (spacing before them is normalised)');
  assert.equal(dataOf(out).defaults.daysPerMonth, 22);
});

// ---------------------------------------------------------------------------------------------------------------------
// Atomic write
// ---------------------------------------------------------------------------------------------------------------------

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'costlens-write-'));
  try {
    await run(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

test('writeFileAtomic creates and replaces a file, leaving no temporary file behind', async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'costlens.yml');
    await writeFileAtomic(file, 'version: 1\n');
    assert.equal(await fs.readFile(file, 'utf8'), 'version: 1\n');
    await writeFileAtomic(file, COMMENTED);
    assert.equal(await fs.readFile(file, 'utf8'), COMMENTED);
    assert.deepEqual(await fs.readdir(dir), ['costlens.yml']);
  });
});

test('writeFileAtomic: a failure before the rename leaves the original intact and cleans up', async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'costlens.yml');
    await fs.writeFile(file, COMMENTED);
    let temporary = '';
    const failingRename: AtomicWriteFs = {
      ...fs,
      rename: async (from) => {
        temporary = String(from);
        // The new content is complete on disk in the temporary file at this point...
        assert.equal(await fs.readFile(temporary, 'utf8'), 'version: 1\n');
        throw Object.assign(new Error('EIO: simulated crash before rename'), { code: 'EIO' });
      },
    };
    await assert.rejects(writeFileAtomic(file, 'version: 1\n', failingRename), /simulated crash/);
    // ...but the target still holds the old content, and the temporary file is gone.
    assert.equal(await fs.readFile(file, 'utf8'), COMMENTED);
    assert.equal(path.dirname(temporary), dir, 'the temporary file is in the same folder (same file system)');
    assert.deepEqual(await fs.readdir(dir), ['costlens.yml']);
  });
});

test('writeFileAtomic: a failure while writing leaves the original intact', async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'costlens.yml');
    await fs.writeFile(file, 'old\n');
    const failingOpen: AtomicWriteFs = {
      ...fs,
      open: (async (target: string, flags: string, mode?: number) => {
        const handle = await fs.open(target, flags, mode);
        return Object.assign(Object.create(handle) as typeof handle, {
          writeFile: async () => {
            await handle.write('partial');
            throw new Error('ENOSPC: simulated full disk');
          },
          close: () => handle.close(),
        });
      }) as AtomicWriteFs['open'],
    };
    await assert.rejects(writeFileAtomic(file, 'new content\n', failingOpen), /full disk/);
    assert.equal(await fs.readFile(file, 'utf8'), 'old\n');
    assert.deepEqual(await fs.readdir(dir), ['costlens.yml']);
  });
});

test('writeFileAtomic keeps the permission bits and follows a symbolic link', { skip: process.platform === 'win32' }, async () => {
  await withTempDir(async (dir) => {
    const real = path.join(dir, 'shared.yml');
    const link = path.join(dir, 'costlens.yml');
    await fs.writeFile(real, 'old\n', { mode: 0o640 });
    await fs.chmod(real, 0o640);
    await fs.symlink(real, link);
    await writeFileAtomic(link, 'new\n');
    assert.equal((await fs.lstat(link)).isSymbolicLink(), true);
    assert.equal(await fs.readFile(real, 'utf8'), 'new\n');
    assert.equal((await fs.stat(real)).mode & 0o777, 0o640);
  });
});
