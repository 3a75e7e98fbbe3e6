import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findProvider } from '@pydantic/genai-prices';
import {
  createPriceCatalogue,
  PRICE_DATA_DATE,
  PRICE_DATA_SOURCE,
  PRICE_DATA_VERSION,
  type ModelPrice,
  type PriceLookup,
  type PriceOverride,
} from '../../src/core/pricing/catalogue';
import { LiteLlmFormatError, parseLiteLlmPrices, perTokenToPerMTok } from '../../src/core/pricing/litellmFormat';
import {
  BATCH_RULES,
  CACHING_RULES,
  RULES_CHECKED,
  batchRuleFor,
  cachingRuleFor,
  canonicalProviderId,
} from '../../src/core/pricing/providerRules';

const NOW = new Date('2026-11-26T12:00:00Z');

function found(lookup: PriceLookup): ModelPrice {
  assert.equal(lookup.status, 'found', lookup.status === 'unknown' ? lookup.reason : '');
  if (lookup.status !== 'found') throw new Error('unreachable');
  return lookup.price;
}

function unknownReason(lookup: PriceLookup): string {
  assert.equal(lookup.status, 'unknown', lookup.status === 'found' ? JSON.stringify(lookup.price) : '');
  if (lookup.status !== 'unknown') throw new Error('unreachable');
  return lookup.reason;
}

describe('price data', () => {
  test('the recorded version is the installed package version', () => {
    const entry = require.resolve('@pydantic/genai-prices');
    const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(manifest.version, PRICE_DATA_VERSION, 'update PRICE_DATA_VERSION, PRICE_DATA_DATE and the pinned prices below');
    assert.equal(PRICE_DATA_SOURCE, '@pydantic/genai-prices 0.1.8');
    assert.match(PRICE_DATA_DATE, /^\d{4}-\d{2}-\d{2}$/);
  });

  // Pinned so that a data update that changes them is noticed. Each value was compared with the provider's public
  // pricing page: OpenAI (gpt-4o $2.50/$10, cached $1.25; gpt-4o-mini $0.15/$0.60, cached $0.075), Anthropic (Haiku 4.5
  // $1/$5, 5-minute cache write $1.25, cache read $0.10; Haiku 3.5 $0.80/$4), Google (Gemini 2.5 Flash $0.30/$2.50,
  // cached $0.03; 2.5 Pro $1.25/$10 up to 200k prompt tokens, $2.50/$15 above).
  const pinned: [string, string, number, number, number | null, number | null][] = [
    ['openai', 'gpt-4o-mini', 0.15, 0.6, 0.075, null],
    ['openai', 'gpt-4o', 2.5, 10, 1.25, null],
    ['anthropic', 'claude-haiku-4-5', 1, 5, 0.1, 1.25],
    ['anthropic', 'claude-3-5-haiku-latest', 0.8, 4, 0.08, 1],
    ['google', 'gemini-2.5-flash', 0.3, 2.5, 0.03, null],
    ['google', 'gemini-2.5-pro', 1.25, 10, 0.125, null],
  ];
  for (const [provider, model, input, output, cacheRead, cacheWrite] of pinned) {
    test(`pinned price: ${provider} ${model}`, () => {
      const price = found(createPriceCatalogue({ now: NOW }).lookup(provider, model));
      assert.equal(price.inputPerMTok, input);
      assert.equal(price.outputPerMTok, output);
      assert.equal(price.cacheReadPerMTok, cacheRead);
      assert.equal(price.cacheWritePerMTok, cacheWrite);
      assert.equal(price.source, PRICE_DATA_SOURCE);
      assert.equal(price.sourceDate, PRICE_DATA_DATE);
    });
  }

  test('long-context tiers (Gemini 2.5 Pro above 200k prompt tokens)', () => {
    const price = found(createPriceCatalogue({ now: NOW }).lookup('google', 'gemini-2.5-pro'));
    assert.deepEqual(price.longContext, { thresholdTokens: 200_000, inputPerMTok: 2.5, outputPerMTok: 15 });
    assert.equal(found(createPriceCatalogue({ now: NOW }).lookup('openai', 'gpt-4o')).longContext, null);
  });

  test('no package price is ever 0: free or non-token-priced models are unknown', () => {
    const catalogue = createPriceCatalogue({ now: NOW });
    for (const providerId of ['openai', 'anthropic', 'google', 'mistral', 'groq', 'deepseek', 'azure']) {
      const provider = findProvider({ providerId });
      assert.ok(provider, providerId);
      for (const model of provider.models) {
        const lookup = catalogue.lookup(providerId, model.id);
        if (lookup.status === 'found') assert.ok(lookup.price.inputPerMTok > 0, `${providerId}/${model.id} priced at 0`);
      }
    }
    assert.match(unknownReason(catalogue.lookup('openai', 'moderation')), /lists no price/);
    assert.match(unknownReason(catalogue.lookup('mistral', 'mistral-ocr-latest')), /not per token/);
  });
});

describe('model matching', () => {
  const catalogue = createPriceCatalogue({ now: NOW });

  test('dated snapshot names match their model', () => {
    assert.equal(found(catalogue.lookup('openai', 'gpt-4o-2024-08-06')).model, 'gpt-4o');
    assert.equal(found(catalogue.lookup('openai', 'gpt-4o-mini-2024-07-18')).model, 'gpt-4o-mini');
    assert.equal(found(catalogue.lookup('anthropic', 'claude-sonnet-4-5-20250929')).model, 'claude-sonnet-4-5');
    assert.equal(found(catalogue.lookup('anthropic', 'claude-3-5-haiku-20241022')).model, 'claude-3-5-haiku-latest');
  });

  test('an unknown snapshot of a known model is priced as the model, with a note', () => {
    const price = found(catalogue.lookup('openai', 'gpt-4o-2099-01-01'));
    assert.equal(price.model, 'gpt-4o');
    assert.equal(price.matchedFrom, 'gpt-4o-2099-01-01');
    assert.ok(price.notes.some((note) => note.includes('priced as gpt-4o')));
  });

  test('a leading provider/ prefix is stripped', () => {
    assert.equal(found(catalogue.lookup('openai', 'openai/gpt-4o')).inputPerMTok, 2.5);
    assert.equal(found(catalogue.lookup('anthropic', 'anthropic/claude-sonnet-4-5')).model, 'claude-sonnet-4-5');
    assert.equal(found(catalogue.lookup('google', 'models/gemini-2.5-flash')).model, 'gemini-2.5-flash');
  });

  test('gateways: OpenRouter has its own prices for maker/model ids', () => {
    const price = found(catalogue.lookup('openrouter', 'anthropic/claude-3.5-sonnet'));
    assert.equal(price.provider, 'openrouter');
    assert.equal(price.inputPerMTok, 3);
    assert.equal(price.outputPerMTok, 15);
  });

  test('an unknown provider with a maker/model id uses the maker price, with a note', () => {
    const price = found(catalogue.lookup('litellm', 'anthropic/claude-3-5-haiku-latest'));
    assert.equal(price.provider, 'anthropic');
    assert.equal(price.inputPerMTok, 0.8);
    assert.ok(price.notes.some((note) => note.includes("anthropic's list price")));
    const byName = found(catalogue.lookup('other', 'claude-3-5-haiku-latest'));
    assert.equal(byName.provider, 'anthropic');
  });

  test('Bedrock model ids, cross-region inference profiles and ARNs', () => {
    const direct = found(catalogue.lookup('aws-bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0'));
    assert.equal(direct.provider, 'aws');
    assert.equal(direct.inputPerMTok, 3);
    assert.equal(direct.outputPerMTok, 15);
    const profile = found(catalogue.lookup('bedrock', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'));
    assert.equal(profile.inputPerMTok, 0.8);
    const arn = found(catalogue.lookup('aws', 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0'));
    assert.equal(arn.model, direct.model);
    // Global profiles are priced at the list price, regional ones carry Bedrock's 10% regional premium.
    assert.equal(found(catalogue.lookup('aws', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0')).inputPerMTok, 3);
    assert.equal(found(catalogue.lookup('aws', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).inputPerMTok, 3.3);
  });

  test('Azure falls back to OpenAI data and matches deployment names that start with a model', () => {
    const plain = found(catalogue.lookup('azure', 'gpt-4o'));
    assert.equal(plain.provider, 'openai');
    assert.equal(plain.inputPerMTok, 2.5);
    assert.ok(plain.notes.some((note) => note.includes("openai's list price")));
    const deployment = found(catalogue.lookup('azure', 'gpt-4o-mini-prod'));
    assert.equal(deployment.model, 'gpt-4o-mini');
    assert.ok(deployment.notes.some((note) => note.includes('deployment name')));
    assert.equal(found(catalogue.lookup('azure-openai', 'gpt-35-turbo')).model, 'gpt-3.5-turbo');
    assert.equal(plain.batchSource, batchRuleFor('azure', 'gpt-4o')?.source, 'batch rule of the provider called (Azure)');
  });

  test('unknown models are unknown with a reason, never a price of 0', () => {
    const reason = unknownReason(catalogue.lookup('openai', 'gpt-imaginary-9000x'));
    assert.match(reason, /gpt-imaginary-9000x is not in openai's price data/);
    assert.match(reason, /override/);
    assert.match(unknownReason(catalogue.lookup('openai', '  ')), /No model id/);
    assert.match(unknownReason(catalogue.lookup('ollama', 'llama3.1:8b')), /own hardware/);
    assert.match(unknownReason(catalogue.lookup('made-up-cloud', 'my-model')), /not in the price data/);
  });

  test('lookups are memoized per (provider, model)', () => {
    const memo = createPriceCatalogue({ now: NOW });
    const first = memo.lookup('openai', 'gpt-4o');
    assert.equal(memo.lookup('openai', 'gpt-4o'), first);
    assert.equal(memo.lookup('OpenAI', 'gpt-4o'), first, 'provider ids are canonicalised before the memo');
    const miss = memo.lookup('openai', 'no-such-model');
    assert.equal(memo.lookup('openai', 'no-such-model'), miss);
  });
});

describe('date- and time-dependent prices', () => {
  test('start-date prices follow `now` (o3 was cut from $10/$40 to $2/$8 on 2025-06-10)', () => {
    assert.equal(found(createPriceCatalogue({ now: new Date('2025-06-01T00:00:00Z') }).lookup('openai', 'o3')).inputPerMTok, 10);
    assert.equal(found(createPriceCatalogue({ now: NOW }).lookup('openai', 'o3')).inputPerMTok, 2);
  });

  test('scheduled changes are reported', () => {
    const price = found(createPriceCatalogue({ now: NOW }).lookup('google', 'gemini-3.6-flash'));
    assert.ok(price.notes.some((note) => note.startsWith('Scheduled price change on 2027-01-01')));
  });

  test('time-of-day prices do not depend on the hour of the lookup: the peak price is used', () => {
    const night = found(createPriceCatalogue({ now: new Date('2026-11-26T20:00:00Z') }).lookup('deepseek', 'deepseek-chat'));
    const day = found(createPriceCatalogue({ now: new Date('2026-11-26T08:00:00Z') }).lookup('deepseek', 'deepseek-chat'));
    assert.deepEqual(night, day);
    assert.equal(day.inputPerMTok, 0.27);
    assert.ok(day.notes.some((note) => note.startsWith('Peak-hour price')));
  });
});

describe('overrides', () => {
  const overrides: PriceOverride[] = [
    { model: 'gpt-4o', inputPerMTok: 1, outputPerMTok: 4, source: 'costlens.yml prices' },
    { provider: 'azure', model: 'gpt-4o', inputPerMTok: 2.75, outputPerMTok: 11, source: 'costlens.yml prices' },
    { provider: 'ollama', model: 'llama3.1:8b', inputPerMTok: 0, outputPerMTok: 0, source: 'costlens.yml prices' },
    { model: 'acme/internal-model', inputPerMTok: 0.5, outputPerMTok: 1.5, cacheReadPerMTok: 0.05, batchDiscount: 0.25, source: 'costlens.yml prices' },
  ];
  const catalogue = createPriceCatalogue({ overrides, now: NOW });

  test('an override wins over the package', () => {
    const price = found(catalogue.lookup('openai', 'gpt-4o'));
    assert.equal(price.inputPerMTok, 1);
    assert.equal(price.outputPerMTok, 4);
    assert.equal(price.source, 'costlens.yml prices');
    assert.equal(price.sourceDate, '2026-11-26');
    assert.equal(price.batchDiscount, 0.5, 'the provider batch rule still applies');
  });

  test('a provider-specific override beats a generic one', () => {
    assert.equal(found(catalogue.lookup('azure', 'gpt-4o')).inputPerMTok, 2.75);
    assert.equal(found(catalogue.lookup('azure_openai', 'gpt-4o')).inputPerMTok, 2.75);
  });

  test('matched by exact id, with and without the provider prefix', () => {
    assert.equal(found(catalogue.lookup('openrouter', 'openai/gpt-4o')).inputPerMTok, 1);
    const internal = found(catalogue.lookup('other', 'internal-model'));
    assert.equal(internal.inputPerMTok, 0.5);
    assert.equal(internal.cacheReadPerMTok, 0.05);
    assert.equal(internal.batchDiscount, 0.25);
    assert.equal(internal.batchSource, 'costlens.yml prices');
    // Exact ids only: no fuzzy or snapshot matching for overrides.
    assert.notEqual(found(catalogue.lookup('openai', 'gpt-4o-mini')).inputPerMTok, 1);
  });

  test('a $0 override (self-hosted) is found with price 0', () => {
    const price = found(catalogue.lookup('ollama', 'llama3.1:8b'));
    assert.equal(price.inputPerMTok, 0);
    assert.equal(price.outputPerMTok, 0);
    assert.ok(price.notes.some((note) => note.includes('Priced at 0 by override')));
  });

  test('later overrides win ties', () => {
    const later = createPriceCatalogue({
      overrides: [
        { model: 'gpt-4o', inputPerMTok: 1, outputPerMTok: 1, source: 'prices.json (LiteLLM format)' },
        { model: 'gpt-4o', inputPerMTok: 2, outputPerMTok: 2, source: 'costlens.yml prices' },
      ],
      now: NOW,
    });
    assert.equal(found(later.lookup('openai', 'gpt-4o')).source, 'costlens.yml prices');
  });
});

describe('provider rules', () => {
  test('every rule names an https source and the day it was checked', () => {
    assert.equal(RULES_CHECKED, '2026-11-26');
    for (const rule of [...BATCH_RULES, ...CACHING_RULES]) {
      assert.match(rule.source, /^https:\/\//);
      assert.equal(rule.checked, RULES_CHECKED);
    }
  });

  test('batch discounts by provider (aliases accepted)', () => {
    assert.equal(batchRuleFor('openai', 'gpt-4o-mini')?.discount, 0.5);
    assert.equal(batchRuleFor('anthropic', 'claude-haiku-4-5')?.stacksWithCaching, true);
    const gemini = batchRuleFor('vertex_ai', 'gemini-2.5-flash');
    assert.equal(gemini?.discount, 0.5);
    assert.equal(gemini?.stacksWithCaching, false);
    assert.equal(batchRuleFor('aws-bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0')?.provider, 'aws');
    assert.equal(batchRuleFor('mistral', 'mistral-large-latest')?.discount, 0.5);
    assert.equal(batchRuleFor('groq', 'llama-3.3-70b-versatile'), null, 'sources disagree: left out');
    assert.equal(batchRuleFor('deepseek', 'deepseek-chat'), null);
  });

  test('catalogue prices carry the batch rule', () => {
    const catalogue = createPriceCatalogue({ now: NOW });
    const price = found(catalogue.lookup('openai', 'gpt-4o-mini'));
    assert.equal(price.batchDiscount, 0.5);
    assert.equal(price.batchSource, 'https://platform.openai.com/docs/guides/batch');
    assert.equal(found(catalogue.lookup('groq', 'llama-3.3-70b-versatile')).batchDiscount, null);
  });

  test('prompt caching minimums and multipliers', () => {
    const openai = cachingRuleFor('openai', 'gpt-4o');
    assert.deepEqual([openai?.mode, openai?.minPrefixTokens, openai?.incrementTokens], ['automatic', 1024, 128]);
    const sonnet = cachingRuleFor('anthropic', 'claude-sonnet-4-5-20250929');
    assert.deepEqual([sonnet?.mode, sonnet?.minPrefixTokens, sonnet?.writeMultiplier, sonnet?.writeMultiplier1h, sonnet?.readMultiplier], ['explicit', 1024, 1.25, 2, 0.1]);
    assert.equal(cachingRuleFor('anthropic', 'claude-sonnet-4-20250514')?.minPrefixTokens, 1024);
    assert.equal(cachingRuleFor('anthropic', 'claude-opus-4-1')?.minPrefixTokens, 1024);
    assert.equal(cachingRuleFor('anthropic', 'claude-3-5-haiku-latest')?.minPrefixTokens, 2048);
    assert.equal(cachingRuleFor('anthropic', 'claude-3-haiku-20240307')?.minPrefixTokens, 2048);
    assert.equal(cachingRuleFor('anthropic', 'claude-haiku-4-5')?.minPrefixTokens, 4096);
    assert.equal(cachingRuleFor('anthropic', 'claude-opus-4-5-20251101')?.minPrefixTokens, 4096);
    // Claude on Bedrock carries the model's rule.
    assert.equal(cachingRuleFor('aws-bedrock', 'us.anthropic.claude-3-5-haiku-20241022-v1:0')?.minPrefixTokens, 2048);
    assert.equal(cachingRuleFor('google', 'gemini-2.5-flash')?.minPrefixTokens, 2048);
    assert.equal(cachingRuleFor('google', 'gemini-3-pro-preview')?.minPrefixTokens, 4096);
    assert.equal(cachingRuleFor('google', 'gemini-2.0-flash'), null);
    assert.equal(cachingRuleFor('groq', 'llama-3.3-70b-versatile'), null);
  });

  test('provider aliases', () => {
    assert.equal(canonicalProviderId(' AWS-Bedrock '), 'aws');
    assert.equal(canonicalProviderId('vertex_ai-language-models'), 'google');
    assert.equal(canonicalProviderId('xai'), 'x-ai');
    assert.equal(canonicalProviderId('openai'), 'openai');
  });
});

describe('LiteLLM price files', () => {
  const file = {
    sample_spec: {
      max_tokens: 'LEGACY parameter. set to max_output_tokens if provider specifies it.',
      input_cost_per_token: 0.0,
      output_cost_per_token: 0.0,
      litellm_provider: 'one of https://docs.litellm.ai/docs/providers',
      mode: 'one of: chat, embedding, completion, image_generation, audio_transcription, audio_speech',
    },
    'gpt-4o': {
      max_input_tokens: 128000,
      input_cost_per_token: 2.5e-6,
      output_cost_per_token: 1e-5,
      cache_read_input_token_cost: 1.25e-6,
      input_cost_per_token_batches: 1.25e-6,
      output_cost_per_token_batches: 5e-6,
      litellm_provider: 'openai',
      mode: 'chat',
      supports_function_calling: true,
    },
    'azure/gpt-4o-mini': {
      input_cost_per_token: 1.65e-7,
      output_cost_per_token: 6.6e-7,
      litellm_provider: 'azure',
      mode: 'chat',
    },
    'gemini/gemini-2.5-pro': {
      input_cost_per_token: 1.25e-6,
      input_cost_per_token_above_200k_tokens: 2.5e-6,
      output_cost_per_token: 1e-5,
      output_cost_per_token_above_200k_tokens: 1.5e-5,
      litellm_provider: 'gemini',
      mode: 'chat',
    },
    'claude-3-5-haiku-20241022': {
      input_cost_per_token: 8e-7,
      output_cost_per_token: 4e-6,
      cache_creation_input_token_cost: 1e-6,
      cache_read_input_token_cost: 8e-8,
      litellm_provider: 'anthropic',
    },
    'dall-e-3': { input_cost_per_image: 0.04, litellm_provider: 'openai', mode: 'image_generation' },
  };

  test('valid entries become overrides in USD per million tokens', () => {
    const { overrides, skipped } = parseLiteLlmPrices(file, 'prices.json');
    assert.equal(overrides.length, 4);
    const gpt4o = overrides.find((o) => o.model === 'gpt-4o');
    assert.deepEqual(gpt4o, {
      model: 'gpt-4o',
      provider: 'openai',
      inputPerMTok: 2.5,
      outputPerMTok: 10,
      cacheReadPerMTok: 1.25,
      batchDiscount: 0.5,
      source: 'prices.json (LiteLLM format)',
    });
    const mini = overrides.find((o) => o.model === 'azure/gpt-4o-mini');
    assert.equal(mini?.inputPerMTok, 0.165);
    assert.equal(mini?.provider, 'azure');
    const gemini = overrides.find((o) => o.model === 'gemini/gemini-2.5-pro');
    assert.equal(gemini?.provider, 'google');
    assert.deepEqual(gemini?.longContext, { thresholdTokens: 200_000, inputPerMTok: 2.5, outputPerMTok: 15 });
    const haiku = overrides.find((o) => o.model === 'claude-3-5-haiku-20241022');
    assert.equal(haiku?.cacheWritePerMTok, 1);
    assert.equal(haiku?.cacheReadPerMTok, 0.08);
    assert.deepEqual(skipped, [{ model: 'dall-e-3', reason: 'no input_cost_per_token (mode image_generation)' }]);
  });

  test('parsed overrides feed the catalogue', () => {
    const { overrides } = parseLiteLlmPrices(file, 'prices.json');
    const catalogue = createPriceCatalogue({ overrides, now: NOW });
    const mini = found(catalogue.lookup('azure', 'gpt-4o-mini'));
    assert.equal(mini.inputPerMTok, 0.165);
    assert.equal(mini.source, 'prices.json (LiteLLM format)');
    // litellm_provider restricts the entry: OpenAI's own gpt-4o-mini is still the package price.
    assert.equal(found(catalogue.lookup('openai', 'gpt-4o-mini')).inputPerMTok, 0.15);
  });

  test('invalid entries are reported with the model key and the field', () => {
    const bad = {
      'gpt-4o': { input_cost_per_token: '0.0000025', output_cost_per_token: 1e-5 },
      'my-model': { input_cost_per_token: 1e-6, output_cost_per_token: -1 },
      'other-model': 'free',
      'long-model': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, input_cost_per_token_above_128k_tokens: 'x' },
    };
    assert.throws(
      () => parseLiteLlmPrices(bad, 'bad.json'),
      (error: unknown) => {
        assert.ok(error instanceof LiteLlmFormatError);
        assert.deepEqual(
          error.issues.map((issue) => [issue.model, issue.field]),
          [
            ['gpt-4o', 'input_cost_per_token'],
            ['my-model', 'output_cost_per_token'],
            ['other-model', null],
            ['long-model', 'input_cost_per_token_above_128k_tokens'],
          ],
        );
        assert.match(error.message, /^bad\.json: 4 invalid price entries/);
        assert.match(error.message, /gpt-4o › input_cost_per_token: expected a non-negative number \(USD per token\), received the string "0\.0000025"/);
        assert.match(error.message, /my-model › output_cost_per_token: expected a non-negative number \(USD per token\), received number -1/);
        return true;
      },
    );
    assert.throws(() => parseLiteLlmPrices([], 'list.json'), /list\.json: 1 invalid price entry[\s\S]*expected an object keyed by model id/);
  });

  test('per-token to per-million conversion has no binary noise', () => {
    assert.equal(perTokenToPerMTok(1.5e-7), 0.15);
    assert.equal(perTokenToPerMTok(6e-7), 0.6);
    assert.equal(perTokenToPerMTok(0), 0);
  });
});
