/**
 * Incremental analysis: what the editor's analysis worker does after each edit of a buffer — `analyzeText` on the
 * whole new text of one 2,000-line Python file (detection, estimates, advice), timed over many edits. The baseline
 * is tree-sitter alone: a full parse of the same text (the parser's raw throughput).
 *
 *   node --import tsx bench/incremental.ts [--iterations 400] [--json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Parsers } from '../src/core/detect/parser';
import { CostEngine } from '../src/core/engine/engine';
import { generateLargeModule } from './generate-python-tree.mjs';

export interface Stats {
  n: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
}

export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { n: s.length, median: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(s[s.length - 1]!) };
}

export interface IncrementalResult {
  file: { lines: number; bytes: number; callSites: number };
  /** analyzeText after an edit (the kept tree of the previous version is re-used), ms. */
  analyze: Stats;
  /** analyzeText with no kept tree (full parse every time), ms: what a first analysis costs. */
  analyzeFullParse: Stats;
  /** tree-sitter full parse of the same text, ms (baseline). */
  parse: Stats;
  parseMBps: number;
  cpuMsPerAnalyze: number;
}

/**
 * Successive versions of the file, each one small edit after the previous (what the worker sees after each debounced
 * burst of typing): a comment line added, a line extended, a line removed, a number changed — at a different place
 * each time.
 */
function editedVersions(text: string, count: number): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = ((i * 7919) % (lines.length - 20)) + 10;
    switch (i % 4) {
      case 0:
        lines.splice(at, 0, `    # note ${i}`);
        break;
      case 1:
        lines[at] = `${lines[at]}  # ${i}`;
        break;
      case 2:
        if (/^\s*# note \d+$/.test(lines[at]!)) lines.splice(at, 1);
        else lines[at] = lines[at]!.replace(/# \d+$/, '');
        break;
      default: {
        const k = lines.findIndex((l) => l.includes('max_tokens='));
        lines[k] = lines[k]!.replace(/max_tokens=\d+/, `max_tokens=${300 + i}`);
      }
    }
    out.push(lines.join('\n'));
  }
  return out;
}

export async function runIncremental(iterations = 400): Promise<IncrementalResult> {
  const text = generateLargeModule({ lines: 2000 });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-bench-inc-'));
  const rel = 'app/large_module.py';
  fs.mkdirSync(path.join(root, 'app'));
  fs.writeFileSync(path.join(root, rel), text);
  const engine = await CostEngine.create({ root });
  const parsers = new Parsers();
  await parsers.load(['python']);
  try {
    const versions = editedVersions(text, iterations);
    const first = engine.analyzeText(rel, text, false);
    // Warm-up: JIT, encoders, caches.
    for (const v of versions.slice(0, 40)) engine.analyzeText(rel, v, false);
    const analyze: number[] = [];
    const cpu0 = process.cpuUsage();
    for (const v of versions) {
      const t = performance.now();
      engine.analyzeText(rel, v, false);
      analyze.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    const full: number[] = [];
    for (const v of versions.slice(0, Math.min(150, versions.length))) {
      engine.forgetBuffer(rel);
      const t = performance.now();
      engine.analyzeText(rel, v, false);
      full.push(performance.now() - t);
    }
    const parse: number[] = [];
    for (const v of versions.slice(0, Math.min(150, versions.length))) {
      const t = performance.now();
      parsers.parse(v, 'python').delete();
      parse.push(performance.now() - t);
    }
    const p = stats(parse);
    return {
      file: { lines: text.split('\n').length - 1, bytes: Buffer.byteLength(text), callSites: first.callSites.length },
      analyze: stats(analyze),
      analyzeFullParse: stats(full),
      parse: p,
      parseMBps: Math.round((Buffer.byteLength(text) / 1e6 / (p.median / 1000)) * 10) / 10,
      cpuMsPerAnalyze: Math.round(((cpu.user + cpu.system) / 1000 / versions.length) * 100) / 100,
    };
  } finally {
    engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--iterations');
  void runIncremental(i >= 0 ? Number(args[i + 1]) : 400).then((r) => {
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
    else console.log(r);
  });
}
