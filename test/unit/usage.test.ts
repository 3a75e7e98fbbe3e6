// Parsing, validating and loading the usage file (costlens.yml).
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { formatUsageIssue, loadUsageFile, parseUsageFile, type UsageIssue, type UsageParseResult } from '../../src/core/usage/usageFile';

/** The issues of a failed parse (fails the test when the parse succeeded). */
function issuesOf(result: UsageParseResult): UsageIssue[] {
  assert.equal(result.ok, false, 'expected the usage file to be rejected');
  return result.ok ? [] : result.issues;
}

function configOf(result: UsageParseResult) {
  if (!result.ok) assert.fail(`expected a valid usage file, got:\n${result.issues.map(formatUsageIssue).join('\n')}`);
  return result;
}

/** The only error of a failed parse. */
function singleError(text: string): UsageIssue {
  const errors = issuesOf(parseUsageFile(text, 'costlens.yml')).filter((issue) => issue.severity === 'error');
  assert.equal(errors.length, 1, `expected one error, got:\n${errors.map(formatUsageIssue).join('\n')}`);
  return errors[0];
}

// ---------------------------------------------------------------------------------------------------------------------
// Valid files, from empty to rich
// ---------------------------------------------------------------------------------------------------------------------

test('an empty file and a comments-only file are valid empty configurations', () => {
  for (const text of ['', '\n\n', '# costlens usage file\n# nothing here yet\n', '---\n']) {
    const { config, warnings } = configOf(parseUsageFile(text, 'costlens.yml'));
    assert.deepEqual(config, { version: 1, defaults: {}, callSites: {}, features: {}, prices: [], scenarios: {}, advice: {} });
    assert.deepEqual(warnings, []);
  }
});

test('a minimal file: version and one call site', () => {
  const { config } = configOf(
    parseUsageFile(
      `version: 1
callSites:
  "app/chat.py#ChatService.answer#0":
    requestsPerDay: 20000
`,
      'costlens.yml',
    ),
  );
  assert.deepEqual(config.callSites, {
    'app/chat.py#ChatService.answer#0': { requestsPerDay: { low: 20000, expected: 20000, high: 20000 } },
  });
});

test('a file with defaults, per-context defaults and ranges', () => {
  const { config } = configOf(
    parseUsageFile(
      `# Traffic assumptions for the support bot.
version: 1
defaults:
  requestsPerDay: 1000          # anything we did not list
  interactive: { requestsPerDay: 2000 }
  batch:
    requestsPerMonth: { low: 500, expected: 3000, high: 9000 }
  unknown:                      # nothing special
  inputTokens: 400
  outputTokens: { expected: 350, high: 1200 }
  daysPerMonth: 22              # weekdays only
`,
      'costlens.yml',
    ),
  );
  assert.deepEqual(config.defaults, {
    requestsPerDay: { low: 1000, expected: 1000, high: 1000 },
    interactive: { requestsPerDay: { low: 2000, expected: 2000, high: 2000 } },
    batch: { requestsPerMonth: { low: 500, expected: 3000, high: 9000 } },
    inputTokens: { low: 400, expected: 400, high: 400 },
    outputTokens: { low: 350, expected: 350, high: 1200 },
    daysPerMonth: 22,
  });
});

const RICH_FILE = `# costlens.yml — traffic behind the monthly estimates of acme-support.
version: 1

defaults:
  requestsPerDay: 1000
  interactive: { requestsPerDay: 2000 }
  batch: { requestsPerDay: 100 }
  inputTokens: 400
  outputTokens: 350
  daysPerMonth: 30

callSites:
  # The chat endpoint: numbers from the March dashboard.
  "app/chat.py#ChatService.answer#0":
    requestsPerDay: { low: 12000, expected: 20000, high: 35000 }
    inputTokens: 800            # retrieved context
    outputTokens: 200
    cacheHitRate: 0.3
    batchShare: 0
    feature: chat
    model: gpt-4o-mini

  "src/jobs/**":                # nightly jobs
    requestsPerMonth: 9000
    batchShare: 1

  'app/chat.py#*':
    feature: chat

  "src/routes/summarize.ts#<module>#1":

features:
  chat:
    description: "Customer chat"
    callSites: ["app/chat.py#*", "src/routes/chat.ts#*"]
    requestsPerDay: 20000
  digest:
    description: Weekly digest e-mails
    callSites: "src/jobs/digest.ts#*"

prices:
  - model: llama3:8b
    provider: ollama
    inputPerMTok: 0
    outputPerMTok: 0
  - model: acme-ft-small        # our fine-tune
    inputPerMTok: 0.3
    outputPerMTok: 1.2
    cachedInputPerMTok: 0.15

pricesFile: ./litellm-prices.json

scenarios:
  launch:
    trafficMultiplier: 3
    description: "what if the launch triples traffic"
`;

test('a rich file: every section, globs, features, prices, scenarios kept as written', () => {
  const { config, warnings } = configOf(parseUsageFile(RICH_FILE, 'costlens.yml'));
  assert.deepEqual(warnings, []);
  assert.deepEqual(Object.keys(config.callSites), [
    'app/chat.py#ChatService.answer#0',
    'src/jobs/**',
    'app/chat.py#*',
    'src/routes/summarize.ts#<module>#1',
  ]);
  assert.deepEqual(config.callSites['app/chat.py#ChatService.answer#0'], {
    requestsPerDay: { low: 12000, expected: 20000, high: 35000 },
    inputTokens: { low: 800, expected: 800, high: 800 },
    outputTokens: { low: 200, expected: 200, high: 200 },
    cacheHitRate: 0.3,
    batchShare: 0,
    feature: 'chat',
    model: 'gpt-4o-mini',
  });
  assert.deepEqual(config.callSites['src/routes/summarize.ts#<module>#1'], {}, 'an entry with nothing below it is empty');
  assert.deepEqual(config.features.chat.callSites, ['app/chat.py#*', 'src/routes/chat.ts#*']);
  assert.deepEqual(config.features.digest.callSites, ['src/jobs/digest.ts#*'], 'a single glob becomes a list');
  assert.deepEqual(config.prices[0], { model: 'llama3:8b', provider: 'ollama', inputPerMTok: 0, outputPerMTok: 0 });
  assert.equal(config.prices[1].cachedInputPerMTok, 0.15);
  assert.equal(config.pricesFile, './litellm-prices.json');
  assert.deepEqual(config.scenarios, { launch: { trafficMultiplier: 3, description: 'what if the launch triples traffic' } });
});

test('merge keys and anchors share settings between entries', () => {
  const { config } = configOf(
    parseUsageFile(
      `callSites:
  "app/a.py#f#0": &nightly
    requestsPerDay: 100
    batchShare: 1
  "app/b.py#g#0":
    <<: *nightly
    requestsPerDay: 50
`,
      'costlens.yml',
    ),
  );
  assert.deepEqual(config.callSites['app/b.py#g#0'], { requestsPerDay: { low: 50, expected: 50, high: 50 }, batchShare: 1 });
});

test('a byte-order mark does not shift columns', () => {
  const issue = singleError('\uFEFFversion: 1\ndefaults:\n  daysPerMonth: 40\n');
  assert.equal(issue.line, 3);
  assert.equal(issue.column, 17);
});

// ---------------------------------------------------------------------------------------------------------------------
// Errors: exact line, column and field
// ---------------------------------------------------------------------------------------------------------------------

test('a misspelt key is an error at the key, with a "did you mean" suggestion', () => {
  const issue = singleError(`version: 1
callSites:
  # chat
  "app/chat.py#ChatService.answer#0":
    requestPerDay: 20000
`);
  assert.equal(issue.file, 'costlens.yml');
  assert.equal(issue.severity, 'error');
  assert.deepEqual([issue.line, issue.column, issue.endLine, issue.endColumn], [5, 5, 5, 18]);
  assert.equal(issue.path, 'callSites."app/chat.py#ChatService.answer#0".requestPerDay');
  assert.equal(
    issue.message,
    'callSites."app/chat.py#ChatService.answer#0".requestPerDay: unknown key "requestPerDay" — did you mean "requestsPerDay"?',
  );
  assert.equal(formatUsageIssue(issue).slice(0, 23), 'costlens.yml:5:5: error');
});

test('misspellings at other levels: snake case, context names, transpositions, range keys', () => {
  assert.match(singleError('defaults:\n  requests_per_day: 5\n').message, /did you mean "requestsPerDay"\?/);
  assert.match(singleError('defaults:\n  interactiv: { requestsPerDay: 5 }\n').message, /did you mean "interactive"\?/);
  assert.match(singleError('callSits:\n  "a#b#0": {}\n').message, /^callSits: unknown key "callSits" — did you mean "callSites"\?/);
  const range = singleError('callSites:\n  "a#b#0":\n    inputTokens: { low: 1, expectd: 2 }\n');
  // The missing `expected` and the misspelt `expectd` are one mistake; the misspelling is what is reported first.
  assert.equal(range.path, 'callSites."a#b#0".inputTokens.expectd');
});

test('a key written at the wrong level says where it belongs', () => {
  const issue = singleError('defaults:\n  cacheHitRate: 0.3\n');
  assert.equal(issue.line, 2);
  assert.equal(issue.message, 'defaults.cacheHitRate: unknown key "cacheHitRate": cacheHitRate is not allowed in defaults; it belongs in a callSites entry or advice');
});

test('an unknown key with no close match lists the allowed keys', () => {
  assert.match(singleError('callSites:\n  "a#b#0":\n    colour: red\n').message, /unknown key "colour" \(expected one of: requestsPerDay, requestsPerMonth, inputTokens/);
});

test('requestsPerDay and requestsPerMonth on one entry is an error at the second key', () => {
  const issue = singleError(`callSites:
  "app/x.py#f#0":
    requestsPerDay: 10     # old figure
    requestsPerMonth: 300
`);
  assert.deepEqual([issue.line, issue.column], [4, 5]);
  assert.equal(issue.path, 'callSites."app/x.py#f#0".requestsPerMonth');
  assert.equal(issue.message, 'callSites."app/x.py#f#0".requestsPerMonth: set either requestsPerDay or requestsPerMonth, not both');
});

test('both units are reported even when the entry has another error', () => {
  const issues = issuesOf(parseUsageFile('defaults:\n  requestsPerDay: 1\n  requestsPerMonth: 2\n  daysPerMonth: 0\n', 'costlens.yml'));
  assert.deepEqual(issues.map((issue) => [issue.line, issue.path]), [
    [3, 'defaults.requestsPerMonth'],
    [4, 'defaults.daysPerMonth'],
  ]);
});

test('a share outside [0, 1] is an error at the value', () => {
  const issue = singleError(`callSites:
  "app/chat.py#ChatService.answer#0":
    requestsPerDay: 20000
    cacheHitRate: 1.5
`);
  assert.deepEqual([issue.line, issue.column, issue.endLine, issue.endColumn], [4, 19, 4, 22]);
  assert.equal(issue.path, 'callSites."app/chat.py#ChatService.answer#0".cacheHitRate');
  assert.equal(issue.message, 'callSites."app/chat.py#ChatService.answer#0".cacheHitRate: must be a share between 0 and 1 (0.3 means 30%)');
  assert.match(singleError('callSites:\n  "a#b#0":\n    batchShare: "30%"\n').message, /write a share as 0\.3, not 30%/);
});

test('negative numbers, NaN and infinity are errors', () => {
  const negative = singleError('callSites:\n  "a#b#0":\n    requestsPerDay: -5\n');
  assert.equal(negative.line, 3);
  assert.equal(negative.message, 'callSites."a#b#0".requestsPerDay: must not be negative');
  const nan = singleError('defaults:\n  inputTokens: .nan\n');
  assert.equal(nan.message, 'defaults.inputTokens: must be a number or a range { low, expected, high }, got .nan');
  assert.equal(singleError('defaults:\n  daysPerMonth: .inf\n').message, 'defaults.daysPerMonth: must be a number, got .inf');
  assert.equal(singleError('callSites:\n  "a#b#0":\n    outputTokens: lots\n').message, 'callSites."a#b#0".outputTokens: must be a number or a range { low, expected, high }, got "lots"');
});

test('a range with low above expected (or high below) is an error at that bound', () => {
  const low = singleError(`callSites:
  "app/y.py#f#0":
    requestsPerDay: { low: 5000, expected: 1000, high: 9000 }
`);
  assert.deepEqual([low.line, low.column], [3, 28]);
  assert.equal(low.path, 'callSites."app/y.py#f#0".requestsPerDay.low');
  assert.equal(low.message, 'callSites."app/y.py#f#0".requestsPerDay.low: low (5000) must not be above expected (1000)');

  const high = singleError('defaults:\n  outputTokens:\n    expected: 300\n    high: 100\n');
  assert.deepEqual([high.line, high.path], [4, 'defaults.outputTokens.high']);
});

test('a range without expected is an error at its key', () => {
  const issue = singleError('defaults:\n  requestsPerDay:\n    low: 1\n    high: 5\n');
  assert.deepEqual([issue.line, issue.column], [2, 3]);
  assert.equal(issue.message, 'defaults.requestsPerDay.expected: is required: a range needs its expected value');
});

test('a price without a required field is an error on the first line of that price', () => {
  const issue = singleError('prices:\n  - model: acme\n    inputPerMTok: 1\n');
  assert.deepEqual([issue.line, issue.endLine, issue.path], [2, 2, 'prices[0].outputPerMTok']);
  assert.equal(issue.message, 'prices[0].outputPerMTok: is required');
});

test('a duplicate price is an error at the second one', () => {
  const issue = singleError(`prices:
  - { model: m, provider: p, inputPerMTok: 1, outputPerMTok: 2 }
  - { model: m, provider: q, inputPerMTok: 1, outputPerMTok: 2 }
  - { model: m, provider: p, inputPerMTok: 3, outputPerMTok: 4 }
`);
  assert.deepEqual([issue.line, issue.path], [4, 'prices[2].model']);
  assert.match(issue.message, /duplicate price for p\/m \(already set by prices\[0\]\)/);
});

test('an unsupported version and wrongly typed sections are errors', () => {
  assert.equal(singleError('version: 2\n').message, 'version: unsupported version 2: this costlens reads version 1');
  assert.equal(singleError('callSites:\n  - "a#b#0"\n').message, 'callSites: must be a mapping (key: value lines), got a list');
  assert.equal(singleError('features:\n  chat:\n    callSites: 5\n').message, 'features.chat.callSites: must be a glob or a list of globs, got 5');
});

test('several errors are all reported, in source order', () => {
  const issues = issuesOf(
    parseUsageFile(
      `defaults:
  daysPerMonth: 45
callSites:
  "a#b#0":
    requestPerDay: 1
    cacheHitRate: 2
`,
      'costlens.yml',
    ),
  );
  assert.deepEqual(issues.map((issue) => issue.line), [2, 5, 6]);
});

// ---------------------------------------------------------------------------------------------------------------------
// Broken files: syntax errors, garbage, binary — never a throw
// ---------------------------------------------------------------------------------------------------------------------

test('bad indentation is a YAML syntax error on its line', () => {
  const issue = singleError(`version: 1
callSites:
  "app/chat.py#ChatService.answer#0":
    requestsPerDay: 20000
   outputTokens: 200
`);
  assert.equal(issue.line, 5);
  assert.equal(issue.path, '');
  assert.match(issue.message, /^YAML syntax: /);
});

test('other YAML syntax errors: duplicate keys, unclosed flow collections, tabs', () => {
  assert.equal(singleError('defaults:\n  requestsPerDay: 1\n  requestsPerDay: 2\n').line, 3);
  assert.equal(issuesOf(parseUsageFile('callSites: { "a#b#0": { requestsPerDay: 1 }\nfeatures: {}\n', 'costlens.yml'))[0].severity, 'error');
  assert.equal(issuesOf(parseUsageFile('defaults:\n\trequestsPerDay: 1\n', 'costlens.yml'))[0].line, 2);
});

test('garbage and binary content give an error, never a throw', () => {
  const inputs = [
    'hello world',
    '- just\n- a list\n',
    ':::\n{{{\n',
    '\u0000\u0001\u0002PNG\r\n\u001a\n',
    '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR',
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]).toString('utf8'),
    '"unterminated',
    'a: *missing_anchor\n',
  ];
  for (const text of inputs) {
    const result = parseUsageFile(text, 'costlens.yml');
    assert.equal(result.ok, false, JSON.stringify(text));
    if (!result.ok) {
      assert.ok(result.issues.length > 0);
      for (const issue of result.issues) {
        assert.ok(issue.line >= 1 && issue.column >= 1, JSON.stringify(issue));
        assert.equal(issue.file, 'costlens.yml');
      }
    }
  }
  assert.match(issuesOf(parseUsageFile('hello world', 'costlens.yml'))[0].message, /must be a mapping of settings/);
  assert.match(issuesOf(parseUsageFile('\u0000\u0001', 'costlens.yml'))[0].message, /not a text file/);
});

// ---------------------------------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------------------------------

test('keys that can match no call site are warnings with a suggestion', () => {
  const result = configOf(
    parseUsageFile(
      `callSites:
  app/chat.py:
    requestsPerDay: 5
  "app/chat.py#ChatService.answer":
    requestsPerDay: 5
  "src/jobs/*.py":
    batchShare: 1
  "app\\\\chat.py#f#0":
    batchShare: 1
features:
  chat:
    callSites: ["app/chat.py"]
`,
      'costlens.yml',
    ),
  );
  assert.deepEqual(
    result.warnings.map((warning) => [warning.line, warning.severity, warning.message.replace(/^.*?: /, '')]),
    [
      [2, 'warning', 'is a file path, not a call-site id (<file>#<function>#<n>) or a glob; did you mean "app/chat.py#*"?'],
      [4, 'warning', 'is an id without its ordinal, not a call-site id (<file>#<function>#<n>) or a glob; did you mean "app/chat.py#ChatService.answer#*"?'],
      [6, 'warning', 'matches no call site: ids end in "#<function>#<n>"; did you mean "src/jobs/*.py#*"?'],
      [8, 'warning', 'call-site ids use forward slashes; did you mean "app/chat.py#f#0"?'],
      [12, 'warning', '"app/chat.py" is a file path, not a call-site id (<file>#<function>#<n>) or a glob; did you mean "app/chat.py#*"?'],
    ],
  );
});

test('a site naming an undeclared feature is a warning once features are declared', () => {
  const result = configOf(
    parseUsageFile(
      `callSites:
  "app/chat.py#*":
    feature: chta
  "app/faq.py#*":
    feature: faq
features:
  chat: { requestsPerDay: 100 }
`,
      'costlens.yml',
    ),
  );
  assert.deepEqual(
    result.warnings.map((warning) => [warning.line, warning.message]),
    [
      [3, 'callSites."app/chat.py#*".feature: feature "chta" is not declared under features — did you mean "chat"?'],
      [5, 'callSites."app/faq.py#*".feature: feature "faq" is not declared under features (it is used as a plain label)'],
    ],
  );
  assert.deepEqual(configOf(parseUsageFile('callSites:\n  "a#b#0":\n    feature: label\n', 'x.yml')).warnings, []);
});

// ---------------------------------------------------------------------------------------------------------------------
// Loading from a folder
// ---------------------------------------------------------------------------------------------------------------------

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'costlens-usage-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('loadUsageFile: absent, then costlens.yml with its pricesFile resolved', async () => {
  await withTempDir(async (dir) => {
    const absent = await loadUsageFile(dir);
    assert.equal(absent.status, 'absent');
    if (absent.status === 'absent') assert.deepEqual(absent.searched.map((file) => path.basename(file)), ['costlens.yml', 'costlens.yaml', '.costlens.yml']);

    await mkdir(path.join(dir, 'config'));
    await writeFile(path.join(dir, 'costlens.yml'), 'version: 1\npricesFile: ./config/prices.json\n');
    const loaded = await loadUsageFile(dir);
    assert.equal(loaded.status, 'loaded');
    if (loaded.status !== 'loaded') return;
    assert.equal(loaded.path, path.join(dir, 'costlens.yml'));
    assert.equal(loaded.result.ok, true);
    assert.equal(loaded.pricesFilePath, path.join(dir, 'config', 'prices.json'));
    assert.equal(loaded.text, 'version: 1\npricesFile: ./config/prices.json\n');
  });
});

test('loadUsageFile: alternative names, precedence, explicit paths, unreadable files', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, '.costlens.yml'), 'version: 1\n');
    const hidden = await loadUsageFile(dir);
    assert.equal(hidden.status === 'loaded' && path.basename(hidden.path), '.costlens.yml');

    await writeFile(path.join(dir, 'costlens.yaml'), 'defaults: { requestsPerDay: 5 }\n');
    const both = await loadUsageFile(dir);
    assert.ok(both.status === 'loaded' && both.result.ok);
    assert.equal(path.basename(both.path), 'costlens.yaml');
    assert.deepEqual(both.result.warnings.map((warning) => warning.message), ['.costlens.yml is ignored: costlens.yaml takes precedence (keep one usage file)']);
    assert.equal(both.pricesFilePath, null);

    await mkdir(path.join(dir, 'ops'));
    await writeFile(path.join(dir, 'ops', 'usage.yml'), 'callSites:\n  "a#b#0":\n    requestPerDay: 1\n');
    const explicit = await loadUsageFile(dir, 'ops/usage.yml');
    assert.ok(explicit.status === 'loaded' && !explicit.result.ok);
    assert.equal(explicit.result.issues[0].file, path.join(dir, 'ops', 'usage.yml'));
    assert.equal(explicit.result.issues[0].line, 3);

    const missing = await loadUsageFile(dir, 'nope.yml');
    assert.equal(missing.status, 'unreadable');
    assert.equal(missing.status === 'unreadable' && missing.issue.message, 'usage file not found');

    const folder = await loadUsageFile(dir, 'ops');
    assert.equal(folder.status === 'unreadable' && folder.issue.message, 'cannot read the usage file: it is not a regular file');
  });
});

test('loadUsageFile: a binary costlens.yml is reported, not thrown', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'costlens.yml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    const loaded = await loadUsageFile(dir);
    assert.ok(loaded.status === 'loaded' && !loaded.result.ok);
    assert.match(loaded.result.issues[0].message, /not a text file/);
  });
});
