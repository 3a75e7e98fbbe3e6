/** Writes a small project to a temporary folder for a test and removes it afterwards. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CostEngine, type ScanResult } from '../../../src/core/engine/engine';
import { loadPriceOverrides } from '../../../src/core/engine/loadConfig';
import { parseUsageFile } from '../../../src/core/usage/usageFile';

export function writeProject(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-test-'));
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  return root;
}

export function removeProject(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** Scans a project given as files; `costlens.yml` among them is parsed and must be valid. */
export async function scanFiles(files: Record<string, string>): Promise<ScanResult> {
  const root = writeProject(files);
  try {
    let usage;
    const yml = files['costlens.yml'];
    if (yml !== undefined) {
      const parsed = parseUsageFile(yml, 'costlens.yml');
      if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
      usage = parsed.config;
    }
    const overrides = loadPriceOverrides(usage, null);
    if (!overrides.ok) throw new Error(overrides.errors.join('\n'));
    const engine = await CostEngine.create({ root, usage, priceOverrides: overrides.overrides });
    try {
      return await engine.scan();
    } finally {
      engine.dispose();
    }
  } finally {
    removeProject(root);
  }
}
