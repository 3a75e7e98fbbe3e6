/**
 * The facade every face (CLI, editor, tests) calls: scan a workspace or one file, estimate each call site, and sum.
 * It owns the parsers, the tokenizer and the price catalogue; it reads files through an injected reader, so the
 * editor can feed unsaved buffers and the tests in-memory projects.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import packageJson from '../../../package.json';
import { Evaluator } from '../detect/evaluate';
import { detectFile, type DetectedSite } from '../detect/detectFile';
import { Parsers, grammarForPath, textEdit, type Grammar, type Tree } from '../detect/parser';
import { Project, type SourceReader } from '../detect/project';
import { estimateSite, type EstimateContext, type SiteEstimate } from '../estimate/estimate';
import { createPriceCatalogue, type PriceCatalogue, type PriceOverride } from '../pricing/catalogue';
import { createTokenizer, type Tokenizer } from '../tokens/tokenizer';
import type { CallSite, SkippedFile } from '../types';
import type { UsageConfig } from '../usage/schema';
import { contentProblem, listSourceFiles, type FileFilterOptions, type FileListing } from './files';
import { ChunkContext, ScanCollector, chunkRanges, diskReader } from './scanChunk';
import type { ScanCache } from './scanCache';
import { adviseSites } from '../advise/advise';
import { resolveAdviceSettings } from '../advise/context';
import type { Suggestion } from '../advise/types';

export { diskReader } from './scanChunk';

/** Cancellation without VS Code: `vscode.CancellationToken` satisfies it. */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
}

export class CancelledError extends Error {
  constructor() {
    super('scan cancelled');
    this.name = 'CancelledError';
  }
}

/**
 * The build of costlens that runs: the bundle's size and modification time (a rebuild changes them) and the package
 * version. Finished results stored in a scan cache by another build are not re-used.
 */
const BUILD = ((): string => {
  try {
    const st = fs.statSync(__filename);
    return `${packageJson.version}:${st.size}:${st.mtimeMs}`;
  } catch {
    return `${packageJson.version}:${process.pid}:${Date.now()}`;
  }
})();

/** Buffers whose last parse tree is kept for an incremental re-parse of their next version. */
const MAX_BUFFER_TREES = 8;

export interface EngineLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface EngineOptions {
  /** Absolute workspace root; call-site paths are relative to it. */
  root: string;
  usage?: UsageConfig | undefined;
  usageFileName?: string | undefined;
  priceOverrides?: PriceOverride[] | undefined;
  filters?: FileFilterOptions | undefined;
  /** Reads workspace files (default: the disk). */
  reader?: SourceReader | undefined;
  logger?: EngineLogger | undefined;
}

export interface EstimatedCallSite extends CallSite {
  /** Null for LangChain constructs whose invocations were found (their cost is on the invocations). */
  estimate: SiteEstimate | null;
  /** For constructs: ids of the invocations that use this model. */
  usedBy?: string[] | undefined;
  /** For invocations: where the construct they use is (file + offset), resolved to `constructId` by linkConstructs. */
  constructRef?: { file: string; offset: number } | undefined;
  /** Suggestions for this site, ranked by monthly saving. */
  suggestions?: Suggestion[] | undefined;
}

export interface ScanTotals {
  callSites: number;
  monthlyCostUsd: number;
  unpricedCallSites: number;
  /** Sum of the low and high monthly figures of the priced sites. */
  monthlyCostRangeUsd: { low: number; high: number };
}

export interface ScanResult {
  /** Each site carries its own `suggestions`; `allSuggestions` lists them all, ranked by saving. */
  callSites: EstimatedCallSite[];
  skipped: SkippedFile[];
  totals: ScanTotals;
  filesScanned: number;
  filesParsed: number;
  /** Files whose detection was re-used from the scan cache. */
  filesFromCache: number;
  /** Scan threads the detection ran on, when it ran on threads of its own (`parallelScan`); absent: the calling thread. */
  threads?: number | undefined;
}

export interface ScanOptions {
  token?: CancellationLike | undefined;
  onProgress?: ((p: ScanProgress) => void) | undefined;
  /** Re-use detection of unchanged files, and store what was analysed. */
  cache?: ScanCache | undefined;
  /** Link LangChain invocations to their constructs (default true). */
  link?: boolean | undefined;
  /** Files per chunk (default SCAN_CHUNK_FILES): a memory bound; results do not depend on it. */
  chunkFiles?: number | undefined;
}

export interface ScanProgress {
  done: number;
  total: number;
  file: string;
}

export class CostEngine {
  private constructor(
    private readonly options: EngineOptions,
    private readonly parsers: Parsers,
    readonly tokenizer: Tokenizer,
    readonly prices: PriceCatalogue,
  ) {}

  /** The last parse tree of recently analysed buffers (least recent first), for incremental re-parsing. */
  private readonly buffers = new Map<string, { text: string; tree: Tree }>();

  static async create(options: EngineOptions): Promise<CostEngine> {
    const parsers = new Parsers();
    await parsers.load(['python', 'typescript', 'tsx', 'javascript']);
    const tokenizer = await createTokenizer();
    const overrides = [...(options.priceOverrides ?? [])];
    const prices = createPriceCatalogue({ overrides });
    return new CostEngine(options, parsers, tokenizer, prices);
  }

  get root(): string {
    return this.options.root;
  }

  get usage(): UsageConfig | undefined {
    return this.options.usage;
  }

  /** Tokenizer, prices and usage, for re-estimating (what-if scenarios) with the engine's own configuration. */
  estimateContext(): EstimateContext {
    return { tokenizer: this.tokenizer, prices: this.prices, usage: this.options.usage, usageFileName: this.options.usageFileName };
  }

  /** Filters that decide which files a scan reads. */
  get filters(): FileFilterOptions | undefined {
    return this.options.filters;
  }

  get logger(): EngineLogger | undefined {
    return this.options.logger;
  }

  /** True when files are read from the disk (no injected reader), so other threads can read them too. */
  get readsFromDisk(): boolean {
    return this.options.reader === undefined;
  }

  /**
   * Scans the workspace (or the given paths below the root) in this thread, one chunk of files at a time (see
   * scanChunk.ts). `parallelScan` produces the same result with worker threads.
   */
  async scan(targets: string[] = [], opts: ScanOptions = {}): Promise<ScanResult> {
    return this.scanListing(listSourceFiles(this.options.root, targets, this.options.filters), targets, opts);
  }

  /** The single-threaded scan of a listing made by `listSourceFiles` (with this engine's filters) for `targets`. */
  async scanListing(listing: FileListing, targets: readonly string[], opts: ScanOptions = {}): Promise<ScanResult> {
    const collected = new ScanCollector(this.options.root, listing, opts.cache);
    // A whole-workspace scan parses files with weak markers only when they import an LLM module (relevance.ts); a scan
    // of some paths cannot know the other modules, so it parses them all.
    const deferWeak = deferWeakFiles(targets);
    const analyse = async (files: readonly string[], first: boolean): Promise<void> => {
      for (const [start, end] of chunkRanges(files.length, opts.chunkFiles)) {
        const chunk = this.chunkContext();
        try {
          for (let i = start; i < end; i++) {
            // Yield to the event loop now and then so a host stays responsive and cancellation can arrive.
            if (i % 25 === 24) await new Promise<void>((r) => setImmediate(r));
            if (opts.token?.isCancellationRequested) throw new CancelledError();
            const rel = files[i]!;
            if (first) opts.onProgress?.({ done: i, total: files.length, file: rel });
            const hit = first ? collected.lookup(rel) : null;
            if (hit) collected.addCached(rel, hit);
            else collected.addAnalysis(rel, chunk.analyze(rel, first && deferWeak));
          }
        } finally {
          chunk.dispose();
        }
      }
    };
    await analyse(listing.files, true);
    await analyse(collected.deferredToParse(), false);
    return this.resultOf(collected, targets, opts.link !== false, opts.cache);
  }

  /** A fresh project for analysing one chunk of a scan in this thread (dispose it when the chunk is done). */
  chunkContext(): ChunkContext {
    return new ChunkContext(this.parsers, this.options.reader ?? diskReader(this.options.root), this.options.filters?.maxFileBytes, this.options.logger);
  }

  /**
   * The result of a scan whose files were all collected: estimates, advice and (unless `link` is false) links. With a
   * scan cache, the finished result is stored in it and re-used as long as what it was computed from is the same:
   * the detected sites and skipped files, the usage file, the price overrides, the day (prices can change on a date)
   * and the build of costlens.
   */
  resultOf(collected: ScanCollector, targets: readonly string[], link = true, cache?: ScanCache): ScanResult {
    collected.finish(targets);
    const key = cache ? this.resultKey(collected, link) : null;
    let finished = key ? cache!.finishedResult(key) : undefined;
    if (!finished) {
      const callSites = this.finish(collected.detected, link);
      finished = { callSites, skipped: collected.skipped, totals: totalsOf(callSites), filesScanned: collected.listing.files.length };
      if (key) cache!.setFinishedResult(key, finished);
    }
    return { ...finished, filesParsed: collected.parsed, filesFromCache: collected.reused };
  }

  private resultKey(collected: ScanCollector, link: boolean): string {
    const o = this.options;
    const inputs = [BUILD, new Date().toISOString().slice(0, 10), link, o.usage ?? null, o.usageFileName ?? null, o.priceOverrides ?? [], collected.listing.files.length, collected.skipped, collected.detected];
    return crypto.createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
  }

  /** Detects and estimates the call sites of one file's text (an editor buffer). */
  analyzeText(relPath: string, text: string, link = true): { callSites: EstimatedCallSite[]; problem: string | null } {
    const grammar: Grammar | null = grammarForPath(relPath);
    if (!grammar) return { callSites: [], problem: 'not a supported language' };
    const problem = contentProblem(text);
    if (problem) return { callSites: [], problem };
    const max = this.options.filters?.maxFileBytes;
    if (max && text.length > max) return { callSites: [], problem: `larger than the maximum file size (${max} bytes)` };
    const reader = this.options.reader ?? diskReader(this.options.root);
    const project = new Project(this.parsers, reader, max);
    try {
      // Re-parse only what changed since the last analysis of this buffer.
      const previous = this.buffers.get(relPath);
      this.buffers.delete(relPath);
      let unit;
      try {
        previous?.tree.edit(textEdit(previous.text, text));
        unit = project.addFile(relPath, text, previous?.tree);
      } finally {
        previous?.tree.delete();
      }
      if (!unit) return { callSites: [], problem: 'could not be parsed' };
      this.buffers.set(relPath, { text, tree: unit.tree.copy() });
      for (const [file, old] of this.buffers) {
        if (this.buffers.size <= MAX_BUFFER_TREES) break;
        old.tree.delete();
        this.buffers.delete(file);
      }
      const detected = detectFile(unit, new Evaluator(project));
      // Advice edits are made against this buffer's text and tree, not the file on disk (which may be older).
      return { callSites: this.finish(detected, link, project), problem: null };
    } finally {
      project.dispose();
    }
  }

  /** Drops the kept parse tree of a buffer (closed, or to make the next analysis parse from scratch). */
  forgetBuffer(relPath: string): void {
    this.buffers.get(relPath)?.tree.delete();
    this.buffers.delete(relPath);
  }

  /**
   * Estimates every site and attaches its suggestions; then (unless `link` is false) links invocations to their
   * constructs. Advice always sees the linked view (a LangChain invocation's output limit belongs on its construct).
   */
  private finish(detected: DetectedSite[], link = true, parsed?: Project): EstimatedCallSite[] {
    const ctx = { tokenizer: this.tokenizer, prices: this.prices, usage: this.options.usage, usageFileName: this.options.usageFileName };
    const estimated = detected.map((site): EstimatedCallSite => ({ ...site, estimate: estimateSite(site, ctx) }));
    const linked = linkConstructs(estimated);
    const bySite = new Map<string, Suggestion[]>();
    // The caller's project when it has the files parsed already (one buffer); else a fresh one, disposed here.
    const project = parsed ?? new Project(this.parsers, this.options.reader ?? diskReader(this.options.root), this.options.filters?.maxFileBytes);
    try {
      const suggestions = adviseSites(linked, { estimate: ctx, settings: resolveAdviceSettings(this.options.usage?.advice), source: { project }, sites: linked });
      for (const s of suggestions) bySite.set(s.siteId, [...(bySite.get(s.siteId) ?? []), s]);
    } catch (err) {
      this.options.logger?.warn(`advice failed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      if (!parsed) project.dispose();
    }
    const attach = (s: EstimatedCallSite): EstimatedCallSite => (bySite.has(s.id) ? { ...s, suggestions: bySite.get(s.id) } : s);
    return (link ? linked : estimated).map(attach);
  }

  dispose(): void {
    this.tokenizer.dispose();
    for (const b of this.buffers.values()) b.tree.delete();
    this.buffers.clear();
  }
}

/**
 * Links each LangChain invocation to the construct whose model it uses (`constructId` / `usedBy`). A construct with
 * invocations carries no cost of its own (estimate null), so nothing is counted twice; one without invocations keeps
 * its estimate, costed as one request per trigger. Pure: returns new objects, so a host can re-link after partial
 * updates from the same unlinked sites.
 */
export function linkConstructs(sites: EstimatedCallSite[]): EstimatedCallSite[] {
  const byLocation = new Map<string, EstimatedCallSite>();
  for (const s of sites) byLocation.set(`${s.file}@${s.range.startOffset}`, s);
  const usedBy = new Map<string, string[]>();
  const constructOf = new Map<EstimatedCallSite, string>();
  for (const s of sites) {
    if (!s.constructRef) continue;
    const construct = byLocation.get(`${s.constructRef.file}@${s.constructRef.offset}`);
    if (!construct) continue;
    constructOf.set(s, construct.id);
    const list = usedBy.get(construct.id) ?? [];
    list.push(s.id);
    usedBy.set(construct.id, list);
  }
  return sites.map((s) => {
    const users = usedBy.get(s.id);
    if (s.role === 'construct' && users?.length) return { ...s, estimate: null, usedBy: users };
    if (s.role === 'construct' && s.estimate) {
      const note = 'no invocation of this model was found: it is costed as one request per trigger';
      return { ...s, usedBy: undefined, estimate: { ...s.estimate, assumptions: [...s.estimate.assumptions.filter((a) => a !== note), note] } };
    }
    const constructId = constructOf.get(s);
    return constructId ? { ...s, constructId } : s;
  });
}

/** Whether a scan defers files with weak markers only (whole-workspace scans; see relevance.ts). */
export function deferWeakFiles(targets: readonly string[]): boolean {
  return targets.length === 0;
}

/** Every suggestion of a set of sites, ranked by monthly saving (largest first). */
export function allSuggestions(sites: EstimatedCallSite[]): Suggestion[] {
  return sites.flatMap((s) => s.suggestions ?? []).sort((a, b) => (b.monthlySavingUsd ?? -1) - (a.monthlySavingUsd ?? -1) || a.id.localeCompare(b.id));
}

export function totalsOf(sites: EstimatedCallSite[]): ScanTotals {
  let monthly = 0;
  let low = 0;
  let high = 0;
  let unpriced = 0;
  for (const s of sites) {
    if (!s.estimate) continue;
    if (s.estimate.monthlyCostUsd === null) unpriced++;
    else {
      monthly += s.estimate.monthlyCostUsd;
      low += s.estimate.monthlyCostRange?.low ?? s.estimate.monthlyCostUsd;
      high += s.estimate.monthlyCostRange?.high ?? s.estimate.monthlyCostUsd;
    }
  }
  return { callSites: sites.length, monthlyCostUsd: monthly, unpricedCallSites: unpriced, monthlyCostRangeUsd: { low, high } };
}
