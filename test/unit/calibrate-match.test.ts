/** Matching telemetry records to call sites: ids, code locations, calibration.match rules, function names, splits. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CallSiteMatcher, functionMatches, normalizeRecordedPath, simpleGlob, type MatchableSite } from '../../src/core/calibrate/match';
import type { TelemetryRecord } from '../../src/core/calibrate/types';
import type { CalibrationMatchRule } from '../../src/core/usage/schema';

const site = (id: string, line: number, endLine = line, fn: string | null = id.split('#')[1] === '<module>' ? null : id.split('#')[1]): MatchableSite => ({
  id,
  file: id.split('#')[0],
  line,
  range: { startLine: line, endLine },
  enclosingFunction: fn,
});

/** The example project's call sites (lines and spans as the scanner reports them). */
const SITES = [
  site('api/answers.py#answer_question#0', 27, 35),
  site('api/escalations.py#draft_reply#0', 14, 19),
  site('web/app/api/summarize/route.ts#POST#0', 6, 11),
  site('web/app/api/summarize/route.ts#POST#1', 12, 12),
  site('worker/tag_tickets.py#tag_ticket#0', 21, 27),
  site('app/chat.py#ChatService.answer#0', 40, 44),
  site('app/chat.py#ChatService.answer#1', 52, 52),
  site('app/chat.py#ChatService.summarize#0', 70, 75),
  site('admin/chat.py#ChatService.answer#0', 10, 12),
];

const record = (over: Partial<TelemetryRecord>): TelemetryRecord => ({
  timestamp: 0,
  model: 'gpt-4o',
  requests: 1,
  inputTokens: 100,
  outputTokens: 10,
  tags: {},
  ref: { file: 'x', record: 1, line: 1 },
  ...over,
});

const ids = (result: ReturnType<CallSiteMatcher['match']>): string[] | string => (result.kind === 'unmatched' ? `unmatched: ${result.reason}` : result.sites.map((s) => s.id));

describe('by code location', () => {
  const m = new CallSiteMatcher(SITES);

  test('absolute, relative, Windows and file:// paths match by suffix', () => {
    for (const file of ['/srv/helpdesk/api/answers.py', 'api/answers.py', './api/answers.py', 'C:\\deploy\\helpdesk\\api\\answers.py', 'file:///srv/helpdesk/api/answers.py']) {
      const r = m.match(record({ location: { file, line: 27 } }));
      assert.equal(r.kind, 'location', file);
      assert.deepEqual(ids(r), ['api/answers.py#answer_question#0'], file);
    }
  });

  test('the longest scanned path wins; a shorter recorded path matches when it is unique', () => {
    assert.deepEqual(ids(m.match(record({ location: { file: '/srv/admin/chat.py', line: 11 } }))), ['admin/chat.py#ChatService.answer#0']);
    assert.deepEqual(ids(m.match(record({ location: { file: '/srv/app/chat.py', line: 41 } }))), ['app/chat.py#ChatService.answer#0']);
    assert.deepEqual(ids(m.match(record({ location: { file: 'tag_tickets.py', line: 21 } }))), ['worker/tag_tickets.py#tag_ticket#0']);
    assert.match(String(ids(m.match(record({ location: { file: 'chat.py', line: 41 } })))), /not in a scanned file/, 'chat.py is ambiguous (app/ and admin/)');
  });

  test('a line inside a multi-line call, the innermost call, or the nearest within 3 lines', () => {
    assert.deepEqual(ids(m.match(record({ location: { file: 'api/answers.py', line: 33 } }))), ['api/answers.py#answer_question#0'], 'inside the call');
    assert.deepEqual(ids(m.match(record({ location: { file: 'web/app/api/summarize/route.ts', line: 12 } }))), ['web/app/api/summarize/route.ts#POST#1']);
    assert.deepEqual(ids(m.match(record({ location: { file: 'web/app/api/summarize/route.ts', line: 7 } }))), ['web/app/api/summarize/route.ts#POST#0']);
    assert.deepEqual(ids(m.match(record({ location: { file: 'app/chat.py', line: 55 } }))), ['app/chat.py#ChatService.answer#1'], '3 lines below');
    assert.deepEqual(ids(m.match(record({ location: { file: 'app/chat.py', line: 56 } }))), 'unmatched: no call site at or near app/chat.py:56');
    // Near a call of another function: not that call when the record names its function.
    assert.deepEqual(ids(m.match(record({ location: { file: 'app/chat.py', line: 68, function: 'ChatService.answer' } }))), ['app/chat.py#ChatService.answer#0', 'app/chat.py#ChatService.answer#1'], 'falls back to the function, within the file');
  });

  test('a file with one call site matches without a line; with several it needs a line or function', () => {
    assert.deepEqual(ids(m.match(record({ location: { file: '/srv/api/escalations.py' } }))), ['api/escalations.py#draft_reply#0']);
    assert.equal(ids(m.match(record({ location: { file: 'web/app/api/summarize/route.ts' } }))), 'unmatched: web/app/api/summarize/route.ts has 2 call sites and the record gives no line or function');
  });

  test('a location outside the scanned files', () => {
    assert.equal(
      ids(m.match(record({ location: { file: '/usr/lib/python3.12/site-packages/openai/_base_client.py', line: 1047 } }))),
      'unmatched: code location /usr/lib/python3.12/site-packages/openai/_base_client.py:1047 is not in a scanned file with call sites',
    );
  });
});

describe('by function', () => {
  const m = new CallSiteMatcher(SITES);

  test('qualified and short names; several sites in one function are split', () => {
    const r = m.match(record({ location: { function: 'worker.tag_tickets.tag_ticket' } }));
    assert.equal(r.kind, 'function');
    assert.deepEqual(ids(r), ['worker/tag_tickets.py#tag_ticket#0']);
    assert.deepEqual(ids(m.match(record({ location: { function: 'app.chat.ChatService.summarize' } }))), ['app/chat.py#ChatService.summarize#0']);
    assert.deepEqual(ids(m.match(record({ location: { function: 'answer' } }))), ['app/chat.py#ChatService.answer#0', 'app/chat.py#ChatService.answer#1', 'admin/chat.py#ChatService.answer#0']);
    assert.deepEqual(ids(m.match(record({ location: { file: '/srv/admin/chat.py', function: 'answer' } }))), ['admin/chat.py#ChatService.answer#0'], 'within the recorded file');
    assert.equal(ids(m.match(record({ location: { function: 'nothing_here' } }))), 'unmatched: no call site in function nothing_here');
  });

  test('functionMatches', () => {
    assert.ok(functionMatches('answer_question', 'api.answers.answer_question'));
    assert.ok(functionMatches('ChatService.answer', 'answer'));
    assert.ok(functionMatches('ChatService.answer', 'ChatService::answer'));
    assert.ok(!functionMatches('ChatService.answer', 'unanswer'));
    assert.ok(!functionMatches(null, 'answer'));
  });
});

describe('by calibration.match rules', () => {
  const rules: CalibrationMatchRule[] = [
    { tag: ['feature=answers'], callSites: ['api/answers.py#answer_question#0'] },
    { tag: ['feature=chat', 'tier'], callSites: ['app/chat.py#*'] },
    { traceName: 'escalation-*', callSites: ['api/escalations.py#*'] },
    { model: 'gpt-4.1*', callSites: ['worker/**'] },
    { model: 'gpt-4o-mini*', tag: ['project_id=proj_helpdesk'], callSites: ['web/app/api/summarize/route.ts#POST#0'] },
    { tag: ['feature=retired'], callSites: ['gone/**'] },
  ];
  const m = new CallSiteMatcher(SITES, rules);

  test('tags (key=value, key present), trace names and model globs; every condition must hold', () => {
    assert.deepEqual(ids(m.match(record({ tags: { feature: 'answers' } }))), ['api/answers.py#answer_question#0']);
    assert.equal(m.match(record({ tags: { feature: 'answers' } })).kind, 'rule');
    assert.deepEqual(ids(m.match(record({ tags: { feature: 'chat', tier: 'gold' } }))), ['app/chat.py#ChatService.answer#0', 'app/chat.py#ChatService.answer#1', 'app/chat.py#ChatService.summarize#0']);
    assert.match(String(ids(m.match(record({ tags: { feature: 'chat' } })))), /^unmatched/, 'the tier tag is required too');
    assert.deepEqual(ids(m.match(record({ traceName: 'escalation-draft' }))), ['api/escalations.py#draft_reply#0']);
    assert.deepEqual(ids(m.match(record({ model: 'GPT-4.1-2025-04-14' }))), ['worker/tag_tickets.py#tag_ticket#0'], 'model globs ignore case');
    assert.match(String(ids(m.match(record({ model: 'gpt-4o-mini' })))), /^unmatched/, 'the project tag is required too');
    assert.deepEqual(ids(m.match(record({ model: 'gpt-4o-mini-2024-07-18', tags: { project_id: 'proj_helpdesk' } }))), ['web/app/api/summarize/route.ts#POST#0']);
  });

  test('rules come after an exact location and before function names; the first rule that applies wins', () => {
    const located = record({ tags: { feature: 'answers' }, location: { file: 'worker/tag_tickets.py', line: 22 } });
    assert.deepEqual(ids(m.match(located)), ['worker/tag_tickets.py#tag_ticket#0']);
    const byFunction = record({ tags: { feature: 'answers' }, location: { function: 'tag_ticket' } });
    assert.deepEqual(ids(m.match(byFunction)), ['api/answers.py#answer_question#0']);
  });

  test('a rule whose callSites match nothing is reported, for the warning and for the records', () => {
    assert.deepEqual(m.emptyRules, [{ index: 5, text: 'tag feature=retired' }]);
    assert.equal(ids(m.match(record({ tags: { feature: 'retired' } }))), 'unmatched: calibration.match rule 6 (tag feature=retired) applies but its callSites match no call site');
  });

  test('requests are counted per rule', () => {
    const counting = new CallSiteMatcher(SITES, rules);
    counting.match(record({ tags: { feature: 'answers' } }));
    counting.match(record({ model: 'gpt-4.1', requests: 4000 }));
    assert.deepEqual(counting.ruleRequests, [1, 0, 0, 4000, 0, 0]);
  });
});

describe('by call-site id', () => {
  const m = new CallSiteMatcher(SITES, [{ tag: ['feature=answers'], callSites: ['api/answers.py#*'] }]);
  test('an id beats everything; an unknown id is reported', () => {
    const r = m.match(record({ callSiteId: 'api/escalations.py#draft_reply#0', tags: { feature: 'answers' }, location: { file: 'api/answers.py', line: 27 } }));
    assert.equal(r.kind, 'id');
    assert.deepEqual(ids(r), ['api/escalations.py#draft_reply#0']);
    assert.equal(ids(m.match(record({ callSiteId: 'api/old.py#f#0' }))), 'unmatched: names call site api/old.py#f#0, which the scan did not find');
  });
});

test('helpers: recorded paths and simple globs', () => {
  assert.equal(normalizeRecordedPath('file:///srv//app/./x.py'), '/srv/app/x.py');
  assert.equal(normalizeRecordedPath('.\\app\\x.py'), 'app/x.py');
  assert.ok(simpleGlob('gpt-4o*').test('GPT-4o-mini'));
  assert.ok(simpleGlob('openai/*').test('openai/gpt-4o'));
  assert.ok(!simpleGlob('gpt-4o').test('gpt-4o-mini'));
  assert.ok(simpleGlob('claude-?-haiku').test('claude-3-haiku'));
  assert.ok(simpleGlob('a.b(c)+').test('a.b(c)+'), 'regex characters are literal');
});
