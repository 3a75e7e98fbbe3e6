/** Scans the bundled example project (test/fixtures/example-app) with its costlens.yml, as the CLI does. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CostEngine, type ScanResult } from '../../../src/core/engine/engine';
import { loadPriceOverrides } from '../../../src/core/engine/loadConfig';
import type { UsageConfig } from '../../../src/core/usage/schema';
import { loadUsageFile } from '../../../src/core/usage/usageFile';

export const EXAMPLE_APP = path.join(__dirname, '..', '..', 'fixtures', 'example-app');

/** The scan, its usage file and the engine (dispose it when done). */
export async function scanExample(): Promise<{ scan: ScanResult; usage: UsageConfig; engine: CostEngine }> {
  const load = await loadUsageFile(EXAMPLE_APP);
  assert.ok(load.status === 'loaded' && load.result.ok, 'the example project has a valid costlens.yml');
  const usage = load.result.config;
  const overrides = loadPriceOverrides(usage, null);
  assert.ok(overrides.ok);
  const engine = await CostEngine.create({ root: EXAMPLE_APP, usage, priceOverrides: overrides.overrides });
  return { scan: await engine.scan(), usage, engine };
}
