/**
 * Detection results per file, keyed by the file's size and modification time and those of every workspace file its
 * analysis followed (imported constants, config modules). A warm scan re-uses an entry without reading the file when
 * nothing it depends on changed. Entries hold detection only; estimates are recomputed (prices and traffic change
 * independently of code). Persisted as JSON in the editor's workspace storage or a CLI cache folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DetectedSite } from '../detect/detectFile';
import type { ScanResult } from './engine';
import type { FileStamp } from './files';
import { importsModule, type Relevance } from './relevance';

/** Bump when detection changes what it produces for the same input. */
export const DETECTOR_VERSION = 2;

export interface CacheEntry {
  stamp: FileStamp;
  /** Workspace files read to resolve this file's values, with their stamps at the time. */
  deps: Array<{ file: string; stamp: FileStamp | null }>;
  sites: DetectedSite[];
  /** Why the file produced no sites without being parsed (no SDK marker), or a skip reason. */
  skipped?: string | undefined;
  /** What the scan's pre-filter knows of the file (relevance.ts). */
  relevance?: Relevance | undefined;
  /** A weak file that was not parsed (it imported no LLM module then): the scan decides again each time. */
  deferred?: boolean | undefined;
}

/** The finished result of the last scan (estimates, advice, links) and the hash of everything it was computed from. */
export interface FinishedScan {
  key: string;
  result: Omit<ScanResult, 'filesParsed' | 'filesFromCache'>;
}

interface CacheFile {
  version: string;
  entries: Record<string, CacheEntry>;
  finished?: FinishedScan;
}

export class ScanCache {
  private entries = new Map<string, CacheEntry>();
  private finished: FinishedScan | undefined;
  private dirty = false;

  constructor(private readonly version = `detector-${DETECTOR_VERSION}`) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry for a file if the file and its dependencies are unchanged. `stampOf` gives current stamps. */
  lookup(file: string, stamp: FileStamp, stampOf: (file: string) => FileStamp | null): CacheEntry | null {
    const entry = this.entries.get(file);
    if (!entry || !sameStamp(entry.stamp, stamp)) return null;
    for (const dep of entry.deps) if (!sameStamp(dep.stamp, stampOf(dep.file))) return null;
    return entry;
  }

  set(file: string, entry: CacheEntry): void {
    this.entries.set(file, entry);
    this.dirty = true;
  }

  delete(file: string): void {
    if (this.entries.delete(file)) this.dirty = true;
  }

  /**
   * The finished result stored under `key` (a hash of the detected sites, the configuration and the code that
   * computed it: see CostEngine.resultOf), or undefined. Only the last scan's result is kept.
   */
  finishedResult(key: string): FinishedScan['result'] | undefined {
    return this.finished?.key === key ? this.finished.result : undefined;
  }

  setFinishedResult(key: string, result: FinishedScan['result']): void {
    this.finished = { key, result };
    this.dirty = true;
  }

  /**
   * Files whose cached analysis followed `file` (to re-analyse when it changes), and the files the scan's pre-filter
   * left unparsed because they imported no LLM module when `file` may be the module they import (it may be one now),
   * directly or through package indexes.
   */
  dependentsOf(file: string): string[] {
    const out = new Set<string>();
    for (const [f, e] of this.entries) if (e.deps.some((d) => d.file === file)) out.add(f);
    const seen = new Set([file]);
    const queue = [file];
    while (queue.length) {
      const imports = importsModule(queue.pop()!);
      for (const [f, e] of this.entries) {
        const r = e.relevance;
        if (seen.has(f) || !r || r.kind === 'llm' || !imports(r.imports)) continue;
        seen.add(f);
        if (e.deferred) out.add(f);
        else if (r.kind === 'index') queue.push(f);
      }
    }
    return [...out];
  }

  /** Drops entries of files not in `present` (deleted or now excluded). */
  retainOnly(present: Set<string>): void {
    for (const f of [...this.entries.keys()]) if (!present.has(f)) this.delete(f);
  }

  static load(file: string, version?: string): ScanCache {
    const cache = new ScanCache(version);
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
      if (data.version === cache.version && data.entries && typeof data.entries === 'object') {
        cache.entries = new Map(Object.entries(data.entries));
        if (data.finished && typeof data.finished.key === 'string' && data.finished.result) cache.finished = data.finished;
      }
    } catch {
      // absent or corrupt: start empty
    }
    return cache;
  }

  /** Writes the cache atomically (temp file + rename) when it changed. */
  save(file: string): void {
    if (!this.dirty) return;
    const data: CacheFile = { version: this.version, entries: Object.fromEntries(this.entries), ...(this.finished ? { finished: this.finished } : {}) };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, file);
    this.dirty = false;
  }
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  if (!a || !b) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
