// Traffic resolution: precedence, glob specificity, features, ranges, daysPerMonth.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { CallContext } from '../../src/core/types';
import { BUILT_IN_REQUESTS_PER_DAY, resolveTraffic, type TrafficSite } from '../../src/core/usage/resolveTraffic';
import type { UsageConfig } from '../../src/core/usage/schema';
import { parseUsageFile } from '../../src/core/usage/usageFile';

function config(text: string): UsageConfig {
  const result = parseUsageFile(text, 'costlens.yml');
  if (!result.ok) assert.fail(result.issues.map((issue) => issue.message).join('\n'));
  return result.config;
}

const flat = (n: number) => ({ low: n, expected: n, high: n });

/** A usage file where every precedence level is present for `app/chat.py#ChatService.answer#0`. */
const LAYERED = `version: 1
defaults:
  requestsPerDay: 500               # level 6: top-level default
  interactive: { requestsPerDay: 2000 }   # level 5: context default
  batch: { requestsPerDay: 50 }
callSites:
  "app/chat.py#ChatService.answer#0":     # level 1: exact id
    requestsPerDay: 20000
  "app/chat.py#*":                        # level 3: glob
    requestsPerDay: 7000
  "app/**":                               # level 3: less specific glob
    requestsPerDay: 3000
  "app/chat.py#ChatService.other#0":
    feature: chat                         # no traffic of its own
features:
  chat:
    callSites: ["app/chat.py#*"]
    requestsPerDay: 9000                  # level 4: feature
`;

test('precedence table: each level wins when the levels above it are absent', () => {
  const pragma = { requestsPerMonth: 123_000, text: 'costlens: 4100/day', line: 12 };
  const full = config(LAYERED);
  const withoutExact = config(LAYERED.replace(/ {2}"app\/chat.py#ChatService.answer#0":.*\n.*\n/, ''));
  const withoutGlobs = config(`version: 1
defaults:
  requestsPerDay: 500
  interactive: { requestsPerDay: 2000 }
features:
  chat:
    callSites: ["app/chat.py#*"]
    requestsPerDay: 9000
`);
  const onlyDefaults = config('defaults:\n  requestsPerDay: 500\n  interactive: { requestsPerDay: 2000 }\n');
  const onlyTopDefault = config('defaults:\n  requestsPerDay: 500\n  batch: { requestsPerDay: 50 }\n');
  const id = 'app/chat.py#ChatService.answer#0';
  const site = (extra: Partial<TrafficSite> = {}): TrafficSite => ({ id, context: 'interactive', ...extra });

  const rows: [string, UsageConfig | undefined, TrafficSite, string, number, string][] = [
    ['1 exact id beats the pragma', full, site({ pragma }), 'usage-file', 20000 * 30, 'costlens.yml callSites."app/chat.py#ChatService.answer#0": 20,000/day'],
    ['2 pragma beats globs', withoutExact, site({ pragma }), 'pragma', 4100 * 30, 'inline pragma "costlens: 4100/day" (line 12)'],
    ['3 most specific glob', withoutExact, site(), 'usage-file', 7000 * 30, 'costlens.yml callSites."app/chat.py#*" (glob): 7,000/day'],
    ['4 feature', withoutGlobs, site(), 'feature', 9000 * 30, 'costlens.yml features.chat: 9,000/day'],
    ['5 context default', onlyDefaults, site(), 'context-default', 2000 * 30, 'costlens.yml defaults.interactive: 2,000/day'],
    ['6 top-level default', onlyTopDefault, site(), 'context-default', 500 * 30, 'costlens.yml defaults: 500/day'],
    ['7 built-in (no file)', undefined, site(), 'built-in-default', 1000 * 30, 'built-in default for interactive calls: 1,000/day — set it in costlens.yml'],
    ['7 built-in (file without traffic)', config('version: 1\n'), site({ context: 'batch' }), 'built-in-default', 100 * 30, 'built-in default for batch calls: 100/day — set it in costlens.yml'],
    ['7 built-in unknown context', undefined, site({ context: 'unknown' }), 'built-in-default', 1000 * 30, 'built-in default for calls of unknown context: 1,000/day — set it in costlens.yml'],
    ['no file, pragma', undefined, site({ pragma }), 'pragma', 4100 * 30, 'inline pragma "costlens: 4100/day" (line 12)'],
  ];
  for (const [name, usage, input, source, perMonth, detail] of rows) {
    const resolution = resolveTraffic(usage, input);
    assert.equal(resolution.source, source, name);
    assert.deepEqual(resolution.requestsPerMonth, flat(perMonth), name);
    assert.equal(resolution.detail, detail, name);
  }
});

test('built-in defaults are documented constants', () => {
  assert.deepEqual(BUILT_IN_REQUESTS_PER_DAY, { interactive: 1000, batch: 100, unknown: 1000 });
  for (const context of ['interactive', 'batch', 'unknown'] as CallContext[]) {
    assert.equal(resolveTraffic(undefined, { id: 'a#b#0', context }).requestsPerMonth.expected, BUILT_IN_REQUESTS_PER_DAY[context] * 30);
  }
});

test('an exact entry without traffic does not stop the search', () => {
  const usage = config(`callSites:
  "app/a.py#f#0":
    inputTokens: 900
  "app/*#*":
    requestsPerMonth: 4000
`);
  const resolution = resolveTraffic(usage, { id: 'app/a.py#f#0', context: 'interactive' });
  assert.equal(resolution.source, 'usage-file');
  assert.equal(resolution.detail, 'costlens.yml callSites."app/*#*" (glob): 4,000/month');
  assert.deepEqual(resolution.inputTokens, flat(900));
  assert.equal(resolution.origins.inputTokens, 'costlens.yml callSites."app/a.py#f#0".inputTokens');
});

test('glob specificity: longest literal prefix, then most literal characters, then file order', () => {
  const usage = config(`callSites:
  "**":                          { requestsPerDay: 1 }
  "src/**":                      { requestsPerDay: 2 }
  "src/jobs/**":                 { requestsPerDay: 3 }
  "src/jobs/*.py#*":             { requestsPerDay: 4 }
  "src/jobs/nightly.py#*":       { requestsPerDay: 5 }
  "src/jobs/nightly.py#run#*":   { requestsPerDay: 6 }
  "src/web/*#handle#?":          { requestsPerDay: 7 }
  "src/web/*#*#?":               { requestsPerDay: 8 }
  "src/api/*1.ts#*":             { requestsPerDay: 9 }
  "src/api/*.ts#g*":             { requestsPerDay: 10 }
`);
  const perDay = (id: string) => resolveTraffic(usage, { id, context: 'batch' }).requestsPerMonth.expected / 30;
  assert.equal(perDay('src/jobs/nightly.py#run#0'), 6);
  assert.equal(perDay('src/jobs/nightly.py#cleanup#0'), 5);
  assert.equal(perDay('src/jobs/weekly.py#run#0'), 4);
  assert.equal(perDay('src/jobs/deep/weekly.py#run#0'), 3, '*.py does not cross folders; ** does');
  assert.equal(perDay('src/lib/x.ts#<module>#0'), 2);
  assert.equal(perDay('tools/x.py#f#0'), 1);
  assert.equal(perDay('src/web/app.ts#handle#1'), 7, 'same prefix: more literal characters wins');
  assert.equal(perDay('src/web/app.ts#render#1'), 8);
  assert.equal(perDay('src/api/v1.ts#get#0'), 9, 'same prefix and literal characters: first in the file wins');
});

test('per-site fields cascade field by field: exact entry, globs by specificity, then defaults', () => {
  const usage = config(`defaults:
  inputTokens: 400
  outputTokens: 350
callSites:
  "app/chat.py#ChatService.answer#0":
    outputTokens: 200
    cacheHitRate: 0.3
  "app/chat.py#*":
    batchShare: 0.25
    model: gpt-4o-mini
    cacheHitRate: 0.9
  "app/**":
    inputTokens: { low: 600, expected: 800, high: 2000 }
    model: gpt-4o
`);
  const resolution = resolveTraffic(usage, { id: 'app/chat.py#ChatService.answer#0', context: 'interactive' });
  assert.deepEqual(resolution.inputTokens, { low: 600, expected: 800, high: 2000 });
  assert.deepEqual(resolution.outputTokens, flat(200));
  assert.equal(resolution.cacheHitRate, 0.3);
  assert.equal(resolution.batchShare, 0.25);
  assert.equal(resolution.model, 'gpt-4o-mini');
  assert.deepEqual(resolution.origins, {
    inputTokens: 'costlens.yml callSites."app/**".inputTokens (glob)',
    outputTokens: 'costlens.yml callSites."app/chat.py#ChatService.answer#0".outputTokens',
    cacheHitRate: 'costlens.yml callSites."app/chat.py#ChatService.answer#0".cacheHitRate',
    batchShare: 'costlens.yml callSites."app/chat.py#*".batchShare (glob)',
    model: 'costlens.yml callSites."app/chat.py#*".model (glob)',
  });

  const elsewhere = resolveTraffic(usage, { id: 'lib/util.py#f#0', context: 'unknown' });
  assert.deepEqual(elsewhere.inputTokens, flat(400));
  assert.equal(elsewhere.origins.inputTokens, 'costlens.yml defaults.inputTokens');
  assert.equal(elsewhere.model, undefined);
  assert.equal('cacheHitRate' in elsewhere, false, 'unset fields are absent');

  const none = resolveTraffic(undefined, { id: 'x#y#0', context: 'batch' });
  assert.equal(none.inputTokens, undefined);
  assert.deepEqual(none.origins, {});
});

test('feature membership through the site entry and through the feature globs', () => {
  const usage = config(`callSites:
  "app/support.py#reply#0":
    feature: chat                      # membership declared by the site
  "app/chat.py#ChatService.answer#0":
    requestsPerDay: 100                # own traffic beats the feature's
features:
  chat:
    description: Customer chat
    callSites: ["app/chat.py#*"]       # membership declared by the feature
    requestsPerMonth: 90000
  search:
    callSites: ["app/**"]
  reports: {}
`);
  const bySite = resolveTraffic(usage, { id: 'app/support.py#reply#0', context: 'interactive' });
  assert.equal(bySite.feature, 'chat');
  assert.equal(bySite.source, 'feature');
  assert.deepEqual(bySite.requestsPerMonth, flat(90000));
  assert.equal(bySite.origins.feature, 'costlens.yml callSites."app/support.py#reply#0".feature');

  const byGlob = resolveTraffic(usage, { id: 'app/chat.py#ChatService.summarize#0', context: 'interactive' });
  assert.equal(byGlob.feature, 'chat', 'the more specific feature pattern wins over app/**');
  assert.equal(byGlob.detail, 'costlens.yml features.chat: 90,000/month');
  assert.equal(byGlob.origins.feature, 'costlens.yml features.chat.callSites "app/chat.py#*"');

  const own = resolveTraffic(usage, { id: 'app/chat.py#ChatService.answer#0', context: 'interactive' });
  assert.equal(own.feature, 'chat');
  assert.equal(own.source, 'usage-file');
  assert.deepEqual(own.requestsPerMonth, flat(3000));

  const noTraffic = resolveTraffic(usage, { id: 'app/other.py#f#0', context: 'batch' });
  assert.equal(noTraffic.feature, 'search');
  assert.equal(noTraffic.source, 'built-in-default', 'a feature without traffic falls through to the defaults');

  assert.equal(resolveTraffic(usage, { id: 'lib/x.py#f#0', context: 'batch' }).feature, null);
});

test('a feature named by a site but not declared is a label without traffic', () => {
  const usage = config('callSites:\n  "a.py#f#0":\n    feature: onboarding\n');
  const resolution = resolveTraffic(usage, { id: 'a.py#f#0', context: 'interactive' });
  assert.equal(resolution.feature, 'onboarding');
  assert.equal(resolution.source, 'built-in-default');
});

test('ranges carry through to monthly low / expected / high', () => {
  const usage = config(`defaults:
  daysPerMonth: 20
callSites:
  "a.py#f#0":
    requestsPerDay: { low: 500, expected: 1000, high: 5000 }
  "b.py#f#0":
    requestsPerMonth: { expected: 1000, high: 3000 }
`);
  const perDay = resolveTraffic(usage, { id: 'a.py#f#0', context: 'interactive' });
  assert.deepEqual(perDay.requestsPerMonth, { low: 10_000, expected: 20_000, high: 100_000 });
  assert.equal(perDay.detail, 'costlens.yml callSites."a.py#f#0": 500–5,000/day (expected 1,000)');
  assert.deepEqual(resolveTraffic(usage, { id: 'b.py#f#0', context: 'interactive' }).requestsPerMonth, { low: 1000, expected: 1000, high: 3000 });
});

test('daysPerMonth applies to per-day figures, pragmas and built-ins, not to per-month figures', () => {
  const usage = config(`defaults:
  daysPerMonth: 22
  batch: { requestsPerMonth: 700 }
callSites:
  "a.py#f#0": { requestsPerDay: 100 }
`);
  const at = (id: string, context: CallContext, extra: Partial<TrafficSite> = {}) => resolveTraffic(usage, { id, context, ...extra });
  assert.equal(at('a.py#f#0', 'interactive').requestsPerMonth.expected, 2200);
  assert.equal(at('a.py#f#0', 'interactive').daysPerMonth, 22);
  assert.equal(at('z.py#f#0', 'batch').requestsPerMonth.expected, 700);
  assert.equal(at('z.py#f#0', 'interactive').requestsPerMonth.expected, 22_000);
  const pragma = { requestsPerMonth: 3000, text: 'costlens: 100/day', line: 3 };
  assert.equal(at('z.py#f#0', 'interactive', { pragma }).requestsPerMonth.expected, 2200, 'the pragma text is re-read with 22 days');
  const opaque = { requestsPerMonth: 3000, text: 'set by a tool', line: 3 };
  assert.equal(at('z.py#f#0', 'interactive', { pragma: opaque }).requestsPerMonth.expected, 3000, 'unreadable text: the given monthly figure');
  assert.equal(resolveTraffic(undefined, { id: 'z#f#0', context: 'batch' }).daysPerMonth, 30);
});

test('the usage file name in details can be set', () => {
  const usage = config('defaults: { requestsPerDay: 5 }\n');
  assert.equal(resolveTraffic(usage, { id: 'a#b#0', context: 'batch' }, { usageFileName: '.costlens.yml' }).detail, '.costlens.yml defaults: 5/day');
});
