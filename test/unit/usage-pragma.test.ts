// Inline traffic pragmas: `# costlens: 20000/day` and friends.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseTrafficPragma } from '../../src/core/usage/pragma';

const perMonth = (comment: string, daysPerMonth?: number) => parseTrafficPragma(comment, { daysPerMonth })?.requestsPerMonth;

test('the examples of the format', () => {
  assert.deepEqual(parseTrafficPragma('# costlens: 20000/day'), {
    requestsPerMonth: 600_000,
    text: 'costlens: 20000/day',
    rate: { count: 20_000, unit: 'day' },
  });
  assert.equal(perMonth('// costlens: 1.5k/day'), 45_000);
  assert.equal(perMonth('# costlens: 600000/month'), 600_000);
  assert.equal(perMonth('// costlens: 50/hour'), 36_000);
  assert.equal(perMonth('# costlens: 2M/mo'), 2_000_000);
  assert.equal(perMonth('# costlens: traffic=300/min'), 300 * 60 * 24 * 30);
});

test('every unit and its spellings', () => {
  const cases: [string, number][] = [
    ['2/s', 2 * 86_400 * 30], ['2/sec', 2 * 86_400 * 30], ['2/second', 2 * 86_400 * 30], ['2/seconds', 2 * 86_400 * 30],
    ['3/min', 3 * 1_440 * 30], ['3/mins', 3 * 1_440 * 30], ['3/minute', 3 * 1_440 * 30], ['3/minutes', 3 * 1_440 * 30],
    ['4/h', 4 * 24 * 30], ['4/hr', 4 * 24 * 30], ['4/hrs', 4 * 24 * 30], ['4/hour', 4 * 24 * 30], ['4/hours', 4 * 24 * 30],
    ['5/d', 150], ['5/day', 150], ['5/days', 150],
    ['7/w', 30], ['7/wk', 30], ['7/week', 30], ['7/weeks', 30],
    ['6/mo', 6], ['6/mon', 6], ['6/month', 6], ['6/months', 6],
    ['24/y', 2], ['24/yr', 2], ['24/year', 2],
  ];
  for (const [rate, expected] of cases) assert.equal(perMonth(`# costlens: ${rate}`), expected, rate);
});

test('suffixes, thousands separators and decimals', () => {
  const cases: [string, number][] = [
    ['1k/day', 1_000], ['1K/day', 1_000], ['1.5k/day', 1_500], ['2m/day', 2_000_000], ['2M/day', 2_000_000], ['0.25M/day', 250_000],
    ['20,000/day', 20_000], ['1,000,000/day', 1_000_000], ['20_000/day', 20_000], ["20'000/day", 20_000], ['20 000/day', 20_000],
    ['1,234.5/day', 1_234.5], ['1.1k/day', 1_100], ['0/day', 0],
  ];
  for (const [rate, perDay] of cases) assert.equal(parseTrafficPragma(`# costlens: ${rate}`)?.rate.count, perDay, rate);
});

test('comment styles, case, spacing and wording', () => {
  const forms = [
    '#costlens:5/d',
    '##  costlens :  5 / day',
    '// CostLens: 5/day',
    '/* costlens: 5/day */',
    ' * costlens: 5/day',
    '-- costlens: 5/day',
    '<!-- costlens: 5/day -->',
    'costlens: 5/day',
    '# costlens: 5 per day',
    '# costlens: 5 a day',
    '# costlens: 5 requests/day',
    '# costlens: 5 calls per day',
    '# costlens: 5 rpd',
    '# costlens: traffic = 5/day',
    '# costlens: requests: 5/day',
    '# costlens: 5/day (peak season, from the March dashboard)',
    '# costlens: 5/day, see JIRA-12',
    '# costlens: 5/day.',
  ];
  for (const form of forms) assert.equal(perMonth(form), 150, form);
  assert.equal(perMonth('# costlens: 2 rpm'), 2 * 1_440 * 30);
  assert.equal(perMonth('# costlens: 1 rps'), 86_400 * 30);
  assert.equal(perMonth('# costlens: 10 rph'), 10 * 24 * 30);
  assert.equal(parseTrafficPragma('/* costlens: 5/day */')?.text, 'costlens: 5/day');
  assert.equal(parseTrafficPragma('# CostLens: 1_000/d (peak)')?.text, 'CostLens: 1_000/d');
});

test('the text it returns parses again to the same rate', () => {
  for (const comment of ['// costlens: 1.5k/day', '# costlens: traffic=300/min', '/* costlens: 20,000 requests per day */', '# costlens: 20k rpd']) {
    const first = parseTrafficPragma(comment);
    assert.ok(first, comment);
    assert.equal(parseTrafficPragma(first.text)?.requestsPerMonth, first.requestsPerMonth, comment);
  }
});

test('daysPerMonth changes per-day and shorter rates only', () => {
  assert.equal(perMonth('# costlens: 100/day', 22), 2_200);
  assert.equal(perMonth('# costlens: 10/hour', 22), 10 * 24 * 22);
  assert.equal(perMonth('# costlens: 70/week', 21), 210);
  assert.equal(perMonth('# costlens: 900/month', 22), 900);
});

test('garbage is rejected with null', () => {
  const garbage = [
    '',
    '# just a comment',
    '# costlens',
    '# costlens:',
    '# costlens: 20000',
    '# costlens: lots/day',
    '# costlens: -5/day',
    '# costlens: 1e5/day',
    '# costlens: 5/m',
    '# costlens: 5/dayz',
    '# costlens: 5/fortnight',
    '# costlens: 5/day/user',
    '# costlens: 5/day*3',
    '# costlens: 1,0000/day',
    '# costlens: 1,5k/day',
    '# costlens: 5k5/day',
    '# costlens: ignore',
    '# costlens: 5 kilo/day',
    '# see costlens: 5/day',
    '# costlensx: 5/day',
    '# costlens 5/day',
    '# costlens: 5 rpx',
    '# costlens: NaN/day',
    '# costlens: Infinity/day',
  ];
  for (const text of garbage) assert.equal(parseTrafficPragma(text), null, text);
});
