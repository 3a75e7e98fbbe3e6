/** Messages from webviews are validated before anything runs: hostile or malformed ones are rejected. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportWebviewMessage } from '../../src/protocol/report';

test('the report protocol accepts its messages and rejects everything else', () => {
  const valid = [
    { type: 'ready' },
    { type: 'setScenario', scenario: { trafficMultiplier: 10, featureModels: { answers: 'gpt-4o-mini' }, cacheHitRate: 0.3 } },
    { type: 'saveScenario', name: 'growth', scenario: { trafficMultiplier: 2, featureModels: {} } },
    { type: 'export', format: 'html' },
    { type: 'reveal', siteId: 'api/answers.py#answer_question#0' },
  ];
  for (const m of valid) assert.ok(reportWebviewMessage.safeParse(m).success, JSON.stringify(m));
  const hostile: unknown[] = [
    null,
    'ready',
    { type: 'runCommand', command: 'workbench.action.terminal.new' },
    { type: 'export', format: 'exe' },
    { type: 'export', format: 'html', path: '/etc/passwd' },
    { type: 'setScenario', scenario: { trafficMultiplier: -1, featureModels: {} } },
    { type: 'setScenario', scenario: { trafficMultiplier: Number.POSITIVE_INFINITY, featureModels: {} } },
    { type: 'setScenario', scenario: { trafficMultiplier: 1, featureModels: {}, cacheHitRate: 7 } },
    { type: 'setScenario', scenario: { trafficMultiplier: 1, featureModels: {}, __proto__: { polluted: true }, extra: 1 } },
    { type: 'saveScenario', name: '', scenario: { trafficMultiplier: 1, featureModels: {} } },
    { type: 'saveScenario', name: 'x'.repeat(65), scenario: { trafficMultiplier: 1, featureModels: {} } },
    { type: 'reveal', siteId: 'x'.repeat(5000) },
  ];
  for (const m of hostile) assert.equal(reportWebviewMessage.safeParse(m).success, false, JSON.stringify(m));
});
