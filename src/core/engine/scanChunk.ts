/**
 * The unit of work of a workspace scan, shared by the single-threaded scan (`CostEngine.scan`) and the parallel one
 * (`parallelScan`, which runs chunks in worker threads): the sorted file listing is cut into chunks of
 * SCAN_CHUNK_FILES files, and each chunk is analysed with a fresh Project whose parse trees (of its files and of the
 * files they import) are freed when the chunk is done, so memory stays bounded however large the workspace is. Each
 * file is evaluated with its own Evaluator, so what a file yields depends on the files it reads, never on which
 * files were analysed before it: both scans produce identical results, and the scan cache records every file a result
 * was read from.
 *
 * Nothing here loads prices or the tokenizer: the worker bundle (dist/scanChunkWorker.js) stays small.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectFile, type DetectedSite } from '../detect/detectFile';
import { Evaluator } from '../detect/evaluate';
import type { Parsers } from '../detect/parser';
import { Project, type SourceReader } from '../detect/project';
import type { SkippedFile } from '../types';
import { contentProblem, type FileListing, type FileStamp } from './files';
import { importedModules, isPackageIndex, markerLevel, weakFilesToParse, type Relevance } from './relevance';
import type { CacheEntry, ScanCache } from './scanCache';

/** Files per chunk (of the sorted listing, whether or not they are parsed). */
export const SCAN_CHUNK_FILES = 256;

/** What the analysis of one file produced. */
export interface FileAnalysis {
  sites: DetectedSite[];
  /** Workspace files read to resolve this file's values (for cache invalidation). */
  deps: string[];
  /** Why the file was skipped, or null. */
  skipped: string | null;
  parsed: boolean;
  /** What the scan's pre-filter needs to know of the file (relevance.ts); absent when it imports nothing that matters. */
  relevance?: Relevance | undefined;
  /** A weak file not parsed yet: the scan parses it afterwards if it imports an LLM module. */
  deferred?: boolean | undefined;
}

export interface AnalysisLogger {
  warn(message: string): void;
}

/**
 * Detection for one file of a scan, with the workspace files it depended on. Never throws. With `deferWeak`, a file
 * with weak markers only is not parsed but returned `deferred` with the modules it imports (see relevance.ts).
 */
export function analyzeFile(project: Project, evaluator: Evaluator, rel: string, reader: SourceReader, logger?: AnalysisLogger, deferWeak = false): FileAnalysis {
  const text = reader.read(rel);
  if (text === null) return { sites: [], deps: [], skipped: 'cannot read file', parsed: false };
  const problem = contentProblem(text);
  if (problem) return { sites: [], deps: [], skipped: problem, parsed: false };
  const level = markerLevel(text);
  if (level === 'none') {
    // A package index may re-export an LLM module: the pre-filter follows it.
    if (!isPackageIndex(rel)) return { sites: [], deps: [], skipped: null, parsed: false };
    const { imports, deps } = importsOf(project, text, rel);
    return { sites: [], deps, skipped: null, parsed: false, ...(imports.length ? { relevance: { kind: 'index', imports } } : {}) };
  }
  if (level === 'weak' && deferWeak) {
    const { imports, deps } = importsOf(project, text, rel);
    return { sites: [], deps, skipped: null, parsed: false, relevance: { kind: 'weak', imports }, deferred: true };
  }
  const relevance: Relevance = level === 'strong' ? { kind: 'llm' } : { kind: 'weak', imports: importsOf(project, text, rel).imports };
  const unit = project.addFile(rel, text);
  if (!unit) return { sites: [], deps: [], skipped: 'could not be parsed', parsed: false, relevance };
  project.trackDependencies();
  try {
    return { sites: detectFile(unit, evaluator), deps: project.takeDependencies().filter((d) => d !== rel), skipped: null, parsed: true, relevance };
  } catch (err) {
    project.takeDependencies();
    logger?.warn(`analysis of ${rel} failed: ${(err as Error).stack ?? String(err)}`);
    return { sites: [], deps: [], skipped: `analysis failed: ${(err as Error).message}`, parsed: true, relevance };
  }
}

/** The modules a file imports (relevance.ts), with the tsconfig files whose `paths` mapped them (dependencies of the decision). */
function importsOf(project: Project, text: string, rel: string): { imports: string[]; deps: string[] } {
  project.trackDependencies();
  const imports = importedModules(text, rel, (spec) => project.pathAliasTargets(rel, spec));
  return { imports, deps: project.takeDependencies() };
}

/**
 * The project of one chunk: parse trees live until `dispose()`. Each file is evaluated with a fresh Evaluator: a
 * value memoised while analysing another file would hide the files it was read from (a constant imported through
 * another module), and the scan cache must know every file a result depends on.
 */
export class ChunkContext {
  readonly project: Project;

  constructor(
    parsers: Parsers,
    readonly reader: SourceReader,
    maxFileBytes: number | undefined,
    private readonly logger?: AnalysisLogger,
  ) {
    this.project = new Project(parsers, reader, maxFileBytes);
  }

  analyze(rel: string, deferWeak = false): FileAnalysis {
    return analyzeFile(this.project, new Evaluator(this.project), rel, this.reader, this.logger, deferWeak);
  }

  dispose(): void {
    this.project.dispose();
  }
}

/** Analyses the given files of one chunk, in order, with one fresh project. */
export function analyzeChunk(parsers: Parsers, reader: SourceReader, files: readonly string[], maxFileBytes: number | undefined, logger?: AnalysisLogger, deferWeak = false): FileAnalysis[] {
  const ctx = new ChunkContext(parsers, reader, maxFileBytes, logger);
  try {
    return files.map((rel) => ctx.analyze(rel, deferWeak));
  } finally {
    ctx.dispose();
  }
}

/** The chunks of a listing: [start, end) index ranges of SCAN_CHUNK_FILES files. */
export function chunkRanges(fileCount: number, size = SCAN_CHUNK_FILES): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start < fileCount; start += size) out.push([start, Math.min(fileCount, start + size)]);
  return out;
}

/**
 * Gathers the outcome of each listed file, in listing order: re-used from the scan cache, or analysed (and then
 * stored in the cache with the stamps of the files it depended on).
 */
export class ScanCollector {
  detected: DetectedSite[] = [];
  skipped: SkippedFile[];
  parsed = 0;
  reused = 0;
  private readonly stamps: Map<string, FileStamp | null>;
  /** The pre-filter's knowledge of each file that has some (relevance.ts). */
  private readonly relevance = new Map<string, Relevance>();
  /** Weak files not parsed in the first pass, in listing order. */
  private readonly deferred: string[] = [];
  private laterAnalyses = false;

  constructor(
    private readonly root: string,
    readonly listing: FileListing,
    private readonly cache: ScanCache | undefined,
  ) {
    this.skipped = [...listing.skipped];
    this.stamps = new Map<string, FileStamp | null>(listing.stats);
  }

  /**
   * After the first pass over every file: the deferred weak files that import an LLM module, in listing order. The
   * scan analyses them (without deferring) and adds them with `addAnalysis`.
   */
  deferredToParse(): string[] {
    if (this.deferred.length === 0) return [];
    const wanted = weakFilesToParse(this.relevance);
    const out = this.deferred.filter((f) => wanted.has(f));
    this.laterAnalyses = out.length > 0;
    return out;
  }

  /** Puts sites and skipped files in listing order again after a second pass (a scan's result does not depend on it). */
  private order(): void {
    if (!this.laterAnalyses) return;
    const index = new Map(this.listing.files.map((f, i) => [f, i]));
    const rank = (file: string): number => index.get(file) ?? -1;
    const byFile = <T extends { file: string }>(xs: T[]): T[] => xs.map((x, i) => ({ x, i, r: rank(x.file) })).sort((a, b) => a.r - b.r || a.i - b.i).map((e) => e.x);
    this.detected = byFile(this.detected);
    const listed = this.listing.skipped.length;
    this.skipped = [...this.skipped.slice(0, listed), ...byFile(this.skipped.slice(listed))];
    this.laterAnalyses = false;
  }

  private note(rel: string, relevance: Relevance | undefined, deferred: boolean | undefined): void {
    if (relevance) this.relevance.set(rel, relevance);
    if (deferred) this.deferred.push(rel);
  }

  private stampOf = (file: string): FileStamp | null => {
    if (this.stamps.has(file)) return this.stamps.get(file) ?? null;
    const s = statStamp(path.join(this.root, file));
    this.stamps.set(file, s);
    return s;
  };

  /** The cached analysis of a listed file, when it and everything it depended on are unchanged. */
  lookup(rel: string): CacheEntry | null {
    return this.cache?.lookup(rel, this.listing.stats.get(rel)!, this.stampOf) ?? null;
  }

  addCached(rel: string, hit: CacheEntry): void {
    this.reused++;
    this.note(rel, hit.relevance, hit.deferred);
    if (hit.skipped) this.skipped.push({ file: rel, reason: hit.skipped });
    this.detected.push(...hit.sites);
  }

  addAnalysis(rel: string, analysis: FileAnalysis): void {
    if (analysis.parsed) this.parsed++;
    this.note(rel, analysis.relevance, analysis.deferred);
    if (analysis.skipped) this.skipped.push({ file: rel, reason: analysis.skipped });
    this.detected.push(...analysis.sites);
    this.cache?.set(rel, {
      stamp: this.listing.stats.get(rel)!,
      deps: analysis.deps.map((file) => ({ file, stamp: this.stampOf(file) })),
      sites: analysis.sites,
      skipped: analysis.skipped ?? undefined,
      ...(analysis.relevance ? { relevance: analysis.relevance } : {}),
      ...(analysis.deferred ? { deferred: true } : {}),
    });
  }

  /** Listing order again, and drops cache entries of files no longer listed (after a scan of the whole workspace). */
  finish(targets: readonly string[]): void {
    this.order();
    if (this.cache && targets.length === 0) this.cache.retainOnly(new Set(this.listing.files));
  }
}

export function statStamp(abs: string): FileStamp | null {
  try {
    const st = fs.statSync(abs);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
  } catch {
    return null;
  }
}

/** Reads files relative to a root from the disk. Never throws. */
export function diskReader(root: string): SourceReader {
  return {
    read(rel) {
      try {
        return fs.readFileSync(path.join(root, rel), 'utf8');
      } catch {
        return null;
      }
    },
    exists(rel) {
      try {
        return fs.statSync(path.join(root, rel), { throwIfNoEntry: false })?.isFile() ?? false;
      } catch {
        return false;
      }
    },
  };
}
