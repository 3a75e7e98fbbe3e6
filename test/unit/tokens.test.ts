import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
// The full tiktoken build (its own wasm and bundled encoders, `encoding_for_model`) is the oracle for exact counts.
import { encoding_for_model, get_encoding, type Tiktoken as OracleEncoder } from 'tiktoken';
import { locateAsset } from '../../src/core/assets';
import { encodingForModel, normalizeModelId } from '../../src/core/tokens/encodingForModel';
import {
  createTokenizer,
  segmentLongRuns,
  MAX_RUN_CHARS,
  SAMPLE_ABOVE_CHARS,
  TOKENS_PER_MESSAGE,
  TOKENS_REPLY_PRIMING,
  type Tokenizer,
} from '../../src/core/tokens/tokenizer';

const SAMPLES = [
  'hello world',
  'The quick brown fox jumps over the lazy dog.',
  'def add(a, b):\n    return a + b\n',
  'Größenordnung naïve café — 東京は日本の首都です。',
  '🦊🦊 emoji 👩‍💻 and <|endoftext|> written in a prompt',
  'You are a helpful assistant. Summarise the following support ticket in two sentences:\n\n{ticket}',
];

let tokenizer: Tokenizer;
const oracles = new Map<string, OracleEncoder>();

function oracleCount(encodingOrModel: string, text: string): number {
  let encoder = oracles.get(encodingOrModel);
  if (!encoder) {
    encoder =
      encodingOrModel === 'o200k_base' || encodingOrModel === 'cl100k_base'
        ? get_encoding(encodingOrModel)
        : encoding_for_model(encodingOrModel as Parameters<typeof encoding_for_model>[0]);
    oracles.set(encodingOrModel, encoder);
  }
  return encoder.encode_ordinary(text).length;
}

before(async () => {
  tokenizer = await createTokenizer();
});

after(() => {
  tokenizer.dispose();
  for (const encoder of oracles.values()) encoder.free();
});

describe('exact counts for OpenAI models', () => {
  test('"hello world" is 2 tokens in o200k_base and cl100k_base', () => {
    assert.deepEqual(tokenizer.count('hello world', 'gpt-4o', 'openai'), { tokens: 2, approximate: false, method: 'tiktoken o200k_base' });
    assert.deepEqual(tokenizer.count('hello world', 'gpt-4', 'openai'), { tokens: 2, approximate: false, method: 'tiktoken cl100k_base' });
  });

  test('pinned counts (checked against tiktoken encoding_for_model)', () => {
    // The two vocabularies differ on non-English text: 16 vs 20 tokens.
    const mixed = 'Größenordnung naïve café — 東京は日本の首都です。';
    assert.equal(tokenizer.count(mixed, 'gpt-4o', 'openai').tokens, 16);
    assert.equal(tokenizer.count(mixed, 'gpt-4', 'openai').tokens, 20);
    assert.equal(tokenizer.count('The quick brown fox jumps over the lazy dog.', 'gpt-4o-mini', 'openai').tokens, 10);
    assert.equal(oracleCount('gpt-4o', mixed), 16);
    assert.equal(oracleCount('gpt-4', mixed), 20);
  });

  test('matches tiktoken encoding_for_model for every model name tiktoken knows', () => {
    const models = ['gpt-4o', 'gpt-4o-mini', 'gpt-4o-2024-08-06', 'gpt-4.1', 'gpt-4.1-nano', 'o1', 'o3-mini', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'chatgpt-4o-latest', 'gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'gpt-35-turbo', 'text-embedding-3-small', 'text-embedding-ada-002'];
    for (const model of models) {
      for (const text of SAMPLES) {
        const ours = tokenizer.count(text, model, 'openai');
        assert.equal(ours.approximate, false, model);
        assert.equal(ours.tokens, oracleCount(model, text), `${model}: ${JSON.stringify(text)}`);
      }
    }
  });

  test('model names tiktoken does not know are mapped by prefix', () => {
    for (const model of ['gpt-5.1', 'gpt-5.1-codex-mini', 'gpt-5.2-2025-12-11', 'gpt-4.1-mini-2099-01-01', 'o3-pro', 'gpt-oss-120b']) {
      assert.throws(() => encoding_for_model(model as Parameters<typeof encoding_for_model>[0]), Error, `tiktoken now knows ${model}; keep the test honest`);
      const choice = tokenizer.encodingFor(model, 'openai');
      assert.equal(choice.encoding, 'o200k_base', model);
      assert.equal(choice.approximate, false, model);
      assert.equal(tokenizer.count(SAMPLES[3]!, model, 'openai').tokens, oracleCount('o200k_base', SAMPLES[3]!));
    }
  });

  test('provider prefixes, Azure deployments and fine-tunes', () => {
    const cases: [string, string, 'o200k_base' | 'cl100k_base'][] = [
      ['openai/gpt-4o', 'openrouter', 'o200k_base'],
      ['openai/gpt-oss-120b', 'groq', 'o200k_base'],
      ['gpt-4o-mini-prod', 'azure', 'o200k_base'],
      ['gpt4o-eastus', 'azure', 'o200k_base'],
      ['gpt-35-turbo-16k', 'azure', 'cl100k_base'],
      ['gpt-4-1106-preview', 'openai', 'cl100k_base'],
      ['gpt-4-0613', 'azure', 'cl100k_base'],
      ['ft:gpt-4o-mini-2024-07-18:acme::9abc', 'openai', 'o200k_base'],
      ['ft:gpt-3.5-turbo-0125:acme::9abc', 'openai', 'cl100k_base'],
      ['text-embedding-3-large', 'openai', 'cl100k_base'],
      ['o4-mini-2025-04-16', 'openai', 'o200k_base'],
    ];
    for (const [model, provider, encoding] of cases) {
      const choice = encodingForModel(model, provider);
      assert.equal(choice.encoding, encoding, model);
      assert.equal(choice.approximate, false, model);
    }
  });

  test('empty text is 0 tokens, exactly', () => {
    assert.deepEqual(tokenizer.count('', 'gpt-4o', 'openai'), { tokens: 0, approximate: false, method: 'tiktoken o200k_base' });
    assert.equal(tokenizer.count('', 'claude-sonnet-4-5', 'anthropic').tokens, 0);
  });

  test('special-token strings in user text are counted as ordinary text', () => {
    const text = '<|endoftext|> is a special token';
    assert.equal(tokenizer.count(text, 'gpt-4o', 'openai').tokens, oracleCount('o200k_base', text));
    assert.equal(tokenizer.count(text, 'gpt-4o', 'openai').tokens, 11);
  });
});

describe('approximations for other vendors', () => {
  test('Claude: o200k count x 1.2, marked approximate, with the reason', () => {
    const text = SAMPLES[5]!;
    const o200k = oracleCount('o200k_base', text);
    const count = tokenizer.count(text, 'claude-sonnet-4-5', 'anthropic');
    assert.equal(count.approximate, true);
    assert.equal(count.tokens, Math.ceil(o200k * 1.2));
    assert.match(count.method, /^approximation: o200k_base count x 1\.2 for Claude \(Anthropic tokenizer not public/);
  });

  test('Claude Opus 4.7 and later use the larger factor for the new tokenizer', () => {
    assert.equal(encodingForModel('claude-opus-4-7', 'anthropic').factor, 1.4);
    assert.equal(encodingForModel('claude-sonnet-5', 'anthropic').factor, 1.4);
    assert.equal(encodingForModel('claude-opus-4-5-20251101', 'anthropic').factor, 1.2);
    assert.equal(encodingForModel('claude-3-5-haiku-latest', 'anthropic').factor, 1.2);
  });

  test('Bedrock ids and inference profiles are recognised as Claude', () => {
    for (const id of ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0']) {
      const choice = encodingForModel(id, 'aws-bedrock');
      assert.equal(choice.family, 'claude', id);
      assert.equal(choice.approximate, true);
    }
    assert.equal(normalizeModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), 'claude-sonnet-4-5-20250929');
  });

  test('Gemini, Llama, Mistral, DeepSeek, Qwen are approximate o200k counts', () => {
    const text = SAMPLES[1]!;
    for (const [model, provider, family] of [
      ['gemini-2.5-flash', 'google', 'gemini'],
      ['models/gemini-2.5-pro', 'google', 'gemini'],
      ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'together', 'llama'],
      ['llama3.1:8b', 'ollama', 'llama'],
      ['mistral-large-latest', 'mistral', 'mistral'],
      ['deepseek-chat', 'deepseek', 'deepseek'],
      ['qwen2.5-coder:7b', 'ollama', 'qwen'],
      ['command-r-plus', 'cohere', 'cohere'],
    ] as const) {
      const choice = tokenizer.encodingFor(model, provider);
      assert.equal(choice.family, family, model);
      assert.equal(choice.approximate, true, model);
      const count = tokenizer.count(text, model, provider);
      assert.equal(count.approximate, true);
      assert.equal(count.tokens, Math.ceil(oracleCount('o200k_base', text) * choice.factor));
    }
  });

  test('unknown model: the provider decides the family; always approximate', () => {
    assert.equal(encodingForModel(null, 'anthropic').family, 'claude');
    assert.equal(encodingForModel(null, 'google').family, 'gemini');
    const openai = encodingForModel(null, 'openai');
    assert.equal(openai.encoding, 'o200k_base');
    assert.equal(openai.approximate, true);
    assert.match(openai.method, /model unknown/);
    const other = encodingForModel('my-finetune', 'vllm');
    assert.equal(other.approximate, true);
    assert.equal(other.family, 'other');
  });
});

describe('chat and tool overhead', () => {
  const messages = [
    { role: 'system', text: 'You are a helpful assistant that can answer to questions about the weather.' },
    { role: 'user', text: "What's the weather like in San Francisco?" },
  ];
  // The OpenAI cookbook "How to count tokens with tiktoken" example; the API reported 101 prompt tokens for gpt-4o
  // and gpt-4o-mini, and 105 for gpt-4 and gpt-3.5-turbo, with this tool and these messages.
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_current_weather',
        description: 'Get the current weather in a given location',
        parameters: {
          type: 'object',
          properties: {
            location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
            unit: { type: 'string', description: 'The unit of temperature to return', enum: ['celsius', 'fahrenheit'] },
          },
          required: ['location'],
        },
      },
    },
  ];

  test('3 tokens per message plus 3 for the reply priming', () => {
    const counted = tokenizer.countChat(messages, 'gpt-4o', 'openai');
    const content = messages.reduce((sum, m) => sum + oracleCount('o200k_base', m.role) + oracleCount('o200k_base', m.text), 0);
    assert.equal(TOKENS_PER_MESSAGE, 3);
    assert.equal(TOKENS_REPLY_PRIMING, 3);
    assert.equal(counted.tokens, content + 2 * 3 + 3);
    assert.equal(counted.approximate, false);
    assert.equal(tokenizer.countChat([], 'gpt-4o', 'openai').tokens, 3);
  });

  test('chat + tools reproduce the prompt_tokens the OpenAI API reported in the cookbook', () => {
    const json = JSON.stringify(tools);
    for (const [model, expected] of [['gpt-4o', 101], ['gpt-4o-mini', 101], ['gpt-4', 105], ['gpt-3.5-turbo', 105]] as const) {
      const total = tokenizer.countChat(messages, model, 'openai').tokens + tokenizer.countTools(json, model, 'openai').tokens;
      assert.equal(total, expected, model);
    }
    const counted = tokenizer.countTools(json, 'gpt-4o', 'openai');
    assert.equal(counted.approximate, true);
    assert.match(counted.method, /num_tokens_for_tools/);
  });

  test('tool definitions written as source literals (JS or Python) count the same as JSON', () => {
    const js = `[{ type: 'function', function: { name: 'get_current_weather', description: 'Get the current weather in a given location',
      parameters: { type: 'object', properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
      unit: { type: 'string', description: 'The unit of temperature to return', enum: ['celsius', 'fahrenheit'] }, }, required: ['location'] } } }]`;
    const python = `[{'type': 'function', 'function': {'name': 'get_current_weather', 'description': 'Get the current weather in a given location',
      'parameters': {'type': 'object', 'properties': {'location': {'type': 'string', 'description': 'The city and state, e.g. San Francisco, CA'},
      'unit': {'type': 'string', 'description': 'The unit of temperature to return', 'enum': ['celsius', 'fahrenheit']}},
      'required': ['location'], 'additionalProperties': False}, 'strict': True}}]`;
    const expected = tokenizer.countTools(JSON.stringify(tools), 'gpt-4o', 'openai').tokens;
    assert.equal(tokenizer.countTools(js, 'gpt-4o', 'openai').tokens, expected);
    assert.equal(tokenizer.countTools(python, 'gpt-4o', 'openai').tokens, expected);
    // Anthropic's shape (input_schema) is read too.
    const anthropic = JSON.stringify([{ name: 'get_current_weather', description: 'Get the current weather in a given location', input_schema: tools[0]!.function.parameters }]);
    const claude = tokenizer.countTools(anthropic, 'claude-sonnet-4-5', 'anthropic');
    assert.equal(claude.approximate, true);
    assert.ok(claude.tokens > expected);
  });

  test('unparseable tool text is counted as written, approximate; empty is 0', () => {
    const text = 'tools=build_tools(config) + [weather_tool]';
    const counted = tokenizer.countTools(text, 'gpt-4o', 'openai');
    assert.equal(counted.approximate, true);
    assert.equal(counted.tokens, oracleCount('o200k_base', text));
    assert.match(counted.method, /not parseable/);
    assert.equal(tokenizer.countTools('  ', 'gpt-4o', 'openai').tokens, 0);
  });
});

describe('robustness', () => {
  test('segmentLongRuns leaves ordinary text whole and cuts only long single-class runs', () => {
    const code = 'function add(a, b) {\n  return a + b;\n}\n'.repeat(200);
    assert.deepEqual(segmentLongRuns(code), [code]);
    const base64 = Buffer.from('x'.repeat(3000).split('').map((_, i) => String.fromCharCode((i * 7919) % 256)).join(''), 'latin1').toString('base64');
    assert.equal(segmentLongRuns(base64).length, 1, 'base64 mixes classes and is never cut');
    const run = 'a'.repeat(MAX_RUN_CHARS * 3 + 5);
    const segments = segmentLongRuns(`x ${run} y`);
    assert.equal(segments.join(''), `x ${run} y`);
    assert.ok(segments.length >= 4);
    for (const segment of segments) assert.ok(!/[a]{257}/.test(segment));
  });

  test('segments never split a surrogate pair', () => {
    const emoji = '🦊'.repeat(1000);
    for (const segment of segmentLongRuns(emoji)) {
      assert.equal(segment.length % 2, 0);
      assert.ok(!/^[\uDC00-\uDFFF]/.test(segment));
    }
  });

  test('pathological inputs finish quickly (tiktoken alone takes seconds or crashes on them)', () => {
    const started = performance.now();
    const spaces = tokenizer.count(' '.repeat(1_000_000), 'gpt-4o', 'openai');
    const letters = tokenizer.count('a'.repeat(2_000_000), 'gpt-4o', 'openai');
    const dashes = tokenizer.count('-'.repeat(500_000), 'gpt-4', 'openai');
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
    for (const counted of [spaces, letters, dashes]) assert.ok(counted.tokens > 0);
    // 'aaaaaaaa' is one o200k token: a long run of 'a' costs one token per 8 characters.
    assert.equal(letters.tokens, 2_000_000 / 8);
  });

  test('a megabyte of ordinary text is counted exactly, in one piece', () => {
    const text = SAMPLES.join('\n').repeat(6_000); // ~1 MB
    assert.equal(segmentLongRuns(text).length, 1);
    assert.equal(tokenizer.count(text, 'gpt-4o', 'openai').tokens, oracleCount('o200k_base', text));
  });

  test('texts over the sampling threshold are extrapolated and marked approximate', () => {
    const unit = 'Hello world, this is line number 42 of the log.\n';
    const text = unit.repeat(Math.ceil((SAMPLE_ABOVE_CHARS + 1000) / unit.length));
    const perUnit = tokenizer.count(unit.repeat(1000), 'gpt-4o', 'openai').tokens / 1000;
    const counted = tokenizer.count(text, 'gpt-4o', 'openai');
    assert.equal(counted.approximate, true);
    assert.match(counted.method, /extrapolated from 64 samples/);
    const expected = (perUnit * text.length) / unit.length;
    assert.ok(Math.abs(counted.tokens - expected) / expected < 0.01, `${counted.tokens} vs ${expected}`);
  });
});

describe('loading and fallback', () => {
  test('encoders load lazily and can be preloaded', async () => {
    const lazy = await createTokenizer();
    assert.deepEqual(lazy.state(), { o200k_base: 'not-loaded', cl100k_base: 'not-loaded' });
    lazy.count('hi', 'gpt-4', 'openai');
    assert.deepEqual(lazy.state(), { o200k_base: 'not-loaded', cl100k_base: 'loaded' });
    await lazy.ensureLoaded();
    assert.deepEqual(lazy.state(), { o200k_base: 'loaded', cl100k_base: 'loaded' });
    lazy.dispose();
    assert.deepEqual(lazy.state(), { o200k_base: 'not-loaded', cl100k_base: 'not-loaded' });
    assert.equal(lazy.count('hello world', 'gpt-4o', 'openai').tokens, 2, 'reloads after dispose');
    lazy.dispose();
  });

  test('a missing encoder falls back to chars/4, marked approximate, never 0', async () => {
    const broken = await createTokenizer({ locate: (name) => (name === 'o200k_base.json' ? '/nonexistent/o200k_base.json' : locateAsset(name)) });
    const text = 'The quick brown fox jumps over the lazy dog.';
    const counted = broken.count(text, 'gpt-4o', 'openai');
    assert.equal(counted.tokens, Math.ceil(text.length / 4));
    assert.equal(counted.approximate, true);
    assert.match(counted.method, /^approximation: chars\/4 \(o200k_base could not be loaded/);
    assert.equal(broken.encodingFor('gpt-4o', 'openai').encoding, null);
    assert.equal(broken.state().o200k_base, 'failed');
    // cl100k_base still loads and counts exactly.
    assert.deepEqual(broken.count('hello world', 'gpt-4', 'openai'), { tokens: 2, approximate: false, method: 'tiktoken cl100k_base' });
    // Chat counts keep their overhead on top of the fallback.
    assert.equal(broken.countChat([{ role: 'user', text }], 'gpt-4o', 'openai').tokens, Math.ceil(4 / 4) + Math.ceil(text.length / 4) + 6);
    broken.dispose();
  });

  test('without the wasm module every count is chars/4, marked approximate', async () => {
    const noWasm = await createTokenizer({ locate: (name) => (name === 'tiktoken_bg.wasm' ? '/nonexistent/tiktoken_bg.wasm' : locateAsset(name)) });
    assert.deepEqual(noWasm.state(), { o200k_base: 'failed', cl100k_base: 'failed' });
    assert.equal(noWasm.encodingFor('gpt-4', 'openai').encoding, null);
    const counted = noWasm.count('hello world', 'claude-sonnet-4-5', 'anthropic');
    assert.equal(counted.tokens, 3);
    assert.equal(counted.approximate, true);
    assert.match(counted.method, /tiktoken wasm unavailable/);
    assert.equal(noWasm.countTools('[{"name": "f", "description": "d"}]', 'gpt-4o', 'openai').approximate, true);
  });
});
