/** Concurrent writers of costlens.yml (separate processes) lose no update and leave comments intact. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseUsageFile } from '../../src/core/usage/usageFile';
import { removeProject, writeProject } from './helpers/tempProject';

const WRITERS = 12;

test(`${WRITERS} processes setting traffic at the same time: every entry lands, comments kept`, async () => {
  const dir = writeProject({ 'costlens.yml': '# team traffic assumptions — keep this comment\nversion: 1\ncallSites:\n  # the chat widget\n  "app/chat.py#answer#0":\n    requestsPerDay: 100\n' });
  const file = path.join(dir, 'costlens.yml');
  const script = `
    const { updateFileLocked } = require(${JSON.stringify(path.join(__dirname, '../../src/core/usage/lockedUpdate.ts'))});
    const { setCallSiteTraffic } = require(${JSON.stringify(path.join(__dirname, '../../src/core/usage/editUsageFile.ts'))});
    const i = Number(process.argv[1]);
    updateFileLocked(${JSON.stringify(file)}, (t) => setCallSiteTraffic(t, 'jobs/w' + i + '.py#run#0', { requestsPerDay: 1000 + i })).catch((e) => { console.error(e); process.exit(1); });
  `;
  try {
    const codes = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        new Promise<number>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, String(i)], { stdio: ['ignore', 'ignore', 'inherit'] });
          child.on('exit', (code) => resolve(code ?? 1));
        }),
      ),
    );
    assert.deepEqual(codes, Array(WRITERS).fill(0));
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^# team traffic assumptions — keep this comment\n/);
    assert.match(text, /# the chat widget\n {2}"app\/chat\.py#answer#0":\n {4}requestsPerDay: 100\n/);
    const parsed = parseUsageFile(text, 'costlens.yml');
    assert.ok(parsed.ok);
    for (let i = 0; i < WRITERS; i++) assert.equal(parsed.config.callSites[`jobs/w${i}.py#run#0`]?.requestsPerDay?.expected, 1000 + i, `writer ${i} lost`);
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp')).length, 0, 'no lock or temp file left');
  } finally {
    removeProject(dir);
  }
});
