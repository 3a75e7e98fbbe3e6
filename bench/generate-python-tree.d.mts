// Types of bench/generate-python-tree.mjs for the TypeScript parts of the benchmark.
export interface Rng {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}
export function rng(seed: number): Rng;
export function generatePythonTree(options: { out: string; files?: number; seed?: number; llmShare?: number }): { files: number; llmFiles: number; bytes: number };
export function generateLargeModule(options?: { lines?: number; seed?: number }): string;
