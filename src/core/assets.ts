import * as fs from 'node:fs';
import * as path from 'node:path';
import runtimeAssets from './runtimeAssets.json';

export type AssetName = keyof typeof runtimeAssets;

/**
 * Path of a runtime asset (wasm grammar, tokenizer data). esbuild.js copies every entry of runtimeAssets.json next to
 * `dist/*.js`, so in the bundle `__dirname` holds it; from source (tests, tsx) it is resolved from its package.
 */
export function locateAsset(name: AssetName): string {
  const bundled = path.join(__dirname, name);
  if (fs.existsSync(bundled)) return bundled;
  return require.resolve(runtimeAssets[name]);
}
