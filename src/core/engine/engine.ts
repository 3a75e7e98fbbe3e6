/**
 * The facade every face (CLI, editor, tests) calls: scan a workspace or one file, estimate each call site, and sum.
 * It owns the parsers, the tokenizer and the price catalogue; it reads files through an injected reader, so the
 * editor can feed unsaved buffers and the tests in-memory projects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Evaluator } from '../detect/evaluate';
import { detectFile, type DetectedSite } from '../detect/detectFile';
import { Parsers, grammarForPath, type Grammar } from '../detect/parser';
import { Project, type SourceReader } from '../detect/project';
import { estimateSite, type EstimateContext, type SiteEstimate } from '../estimate/estimate';
import { createPriceCatalogue, type PriceCatalogue, type PriceOverride } from '../pricing/catalogue';
import { createTokenizer, type Tokenizer } from '../tokens/tokenizer';
import type { CallSite, SkippedFile } from '../types';
import type { UsageConfig } from '../usage/schema';
import { contentProblem, listSourceFiles, mayContainCalls, type FileFilterOptions, type FileStamp } from './files';
import type { ScanCache } from './scanCache';
import { adviseSites } from '../advise/advise';
import { resolveAdviceSettings } from '../advise/context';
import type { Suggestion } from '../advise/types';

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

  /** Scans the workspace (or the given paths below the root). */
  async scan(targets: string[] = [], opts: { token?: CancellationLike; onProgress?: (p: ScanProgress) => void; cache?: ScanCache; link?: boolean } = {}): Promise<ScanResult> {
    const root = this.options.root;
    const listing = listSourceFiles(root, targets, this.options.filters);
    const reader = this.options.reader ?? diskReader(root);
    const project = new Project(this.parsers, reader, this.options.filters?.maxFileBytes);
    const evaluator = new Evaluator(project);
    const skipped: SkippedFile[] = [...listing.skipped];
    const detected: DetectedSite[] = [];
    const cache = opts.cache;
    const stamps = new Map<string, FileStamp | null>(listing.stats);
    const stampOf = (file: string): FileStamp | null => {
      if (stamps.has(file)) return stamps.get(file) ?? null;
      const s = statStamp(path.join(root, file));
      stamps.set(file, s);
      return s;
    };
    let parsed = 0;
    let reused = 0;
    try {
      for (let i = 0; i < listing.files.length; i++) {
        // Yield to the event loop now and then so a host stays responsive and cancellation can arrive.
        if (i % 25 === 24) await new Promise<void>((r) => setImmediate(r));
        if (opts.token?.isCancellationRequested) throw new CancelledError();
        const rel = listing.files[i]!;
        opts.onProgress?.({ done: i, total: listing.files.length, file: rel });
        const stamp = listing.stats.get(rel)!;
        const hit = cache?.lookup(rel, stamp, stampOf);
        if (hit) {
          reused++;
          if (hit.skipped) skipped.push({ file: rel, reason: hit.skipped });
          detected.push(...hit.sites);
          continue;
        }
        const analysis = this.analyzeFile(project, evaluator, rel, reader);
        if (analysis.parsed) parsed++;
        if (analysis.skipped) skipped.push({ file: rel, reason: analysis.skipped });
        detected.push(...analysis.sites);
        cache?.set(rel, { stamp, deps: analysis.deps.map((file) => ({ file, stamp: stampOf(file) })), sites: analysis.sites, skipped: analysis.skipped ?? undefined });
      }
    } finally {
      project.dispose();
    }
    if (cache && targets.length === 0) cache.retainOnly(new Set(listing.files));
    const callSites = this.finish(detected, opts.link !== false);
    return { callSites, skipped, totals: totalsOf(callSites), filesScanned: listing.files.length, filesParsed: parsed, filesFromCache: reused };
  }

  /** Detection for one file of a scan, with the workspace files it depended on. Never throws. */
  private analyzeFile(project: Project, evaluator: Evaluator, rel: string, reader: SourceReader): { sites: DetectedSite[]; deps: string[]; skipped: string | null; parsed: boolean } {
    const text = reader.read(rel);
    if (text === null) return { sites: [], deps: [], skipped: 'cannot read file', parsed: false };
    const problem = contentProblem(text);
    if (problem) return { sites: [], deps: [], skipped: problem, parsed: false };
    if (!mayContainCalls(text)) return { sites: [], deps: [], skipped: null, parsed: false };
    const unit = project.addFile(rel, text);
    if (!unit) return { sites: [], deps: [], skipped: 'could not be parsed', parsed: false };
    project.trackDependencies();
    try {
      return { sites: detectFile(unit, evaluator), deps: project.takeDependencies().filter((d) => d !== rel), skipped: null, parsed: true };
    } catch (err) {
      project.takeDependencies();
      this.options.logger?.warn(`analysis of ${rel} failed: ${(err as Error).stack ?? String(err)}`);
      return { sites: [], deps: [], skipped: `analysis failed: ${(err as Error).message}`, parsed: true };
    }
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
      const unit = project.addFile(relPath, text);
      if (!unit) return { callSites: [], problem: 'could not be parsed' };
      const detected = detectFile(unit, new Evaluator(project));
      return { callSites: this.finish(detected, link), problem: null };
    } finally {
      project.dispose();
    }
  }

  /**
   * Estimates every site and attaches its suggestions; then (unless `link` is false) links invocations to their
   * constructs. Advice always sees the linked view (a LangChain invocation's output limit belongs on its construct).
   */
  private finish(detected: DetectedSite[], link = true): EstimatedCallSite[] {
    const ctx = { tokenizer: this.tokenizer, prices: this.prices, usage: this.options.usage, usageFileName: this.options.usageFileName };
    const estimated = detected.map((site): EstimatedCallSite => ({ ...site, estimate: estimateSite(site, ctx) }));
    const linked = linkConstructs(estimated);
    const bySite = new Map<string, Suggestion[]>();
    const project = new Project(this.parsers, this.options.reader ?? diskReader(this.options.root), this.options.filters?.maxFileBytes);
    try {
      const suggestions = adviseSites(linked, { estimate: ctx, settings: resolveAdviceSettings(this.options.usage?.advice), source: { project }, sites: linked });
      for (const s of suggestions) bySite.set(s.siteId, [...(bySite.get(s.siteId) ?? []), s]);
    } catch (err) {
      this.options.logger?.warn(`advice failed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      project.dispose();
    }
    const attach = (s: EstimatedCallSite): EstimatedCallSite => (bySite.has(s.id) ? { ...s, suggestions: bySite.get(s.id) } : s);
    return (link ? linked : estimated).map(attach);
  }

  dispose(): void {
    this.tokenizer.dispose();
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

function statStamp(abs: string): FileStamp | null {
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
        return fs.statSync(path.join(root, rel)).isFile();
      } catch {
        return false;
      }
    },
  };
}
