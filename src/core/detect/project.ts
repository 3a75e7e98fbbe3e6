/**
 * The workspace as the detector sees it: source files parsed on demand, and module resolution so a constant
 * imported from another file of the workspace can be followed.
 */
import * as path from 'node:path';
import type { Language } from '../types';
import { grammarForPath, languageOfGrammar, type Grammar, type Node, type Parsers, type Tree } from './parser';
import type { BindingsCache } from './scope';

export interface FileUnit {
  /** POSIX path relative to the project root. */
  path: string;
  language: Language;
  grammar: Grammar;
  text: string;
  tree: Tree;
  root: Node;
  bindings: BindingsCache;
  /** Line offsets for fast offset → line mapping. */
  hasErrors: boolean;
}

/** Reads files of the workspace; injected so the core never touches the editor's buffers or the disk directly. */
export interface SourceReader {
  /** Text of a file (relative POSIX path), or null when it does not exist or cannot be read. */
  read(relPath: string): string | null;
  /** True when a relative path exists as a file. */
  exists(relPath: string): boolean;
}

export class Project {
  private readonly units = new Map<string, FileUnit | null>();

  constructor(
    private readonly parsers: Parsers,
    private readonly reader: SourceReader,
    /** Maximum size of a file parsed only to follow an import (bytes). */
    private readonly maxImportedFileBytes = 1_000_000,
  ) {}

  /**
   * Registers text for a file (the file being scanned, or an unsaved editor buffer). `oldTree`: the tree of an
   * earlier version of this text, edited to match (see `textEdit`), for an incremental parse; it stays the caller's.
   */
  addFile(relPath: string, text: string, oldTree?: Tree): FileUnit | null {
    const existing = this.units.get(relPath);
    if (existing && existing.text === text) return existing;
    if (existing) existing.tree.delete();
    const grammar = grammarForPath(relPath);
    if (!grammar || !this.parsers.isLoaded(grammar)) {
      this.units.set(relPath, null);
      return null;
    }
    const tree = this.parsers.parse(text, grammar, oldTree);
    const unit: FileUnit = {
      path: relPath,
      language: languageOfGrammar(grammar),
      grammar,
      text,
      tree,
      root: tree.rootNode,
      bindings: new Map(),
      hasErrors: tree.rootNode.hasError,
    };
    this.units.set(relPath, unit);
    return unit;
  }

  /** Files read to follow imports since `trackDependencies()` was called (for cache invalidation). */
  private touched: Set<string> | null = null;

  trackDependencies(): void {
    this.touched = new Set();
  }

  takeDependencies(): string[] {
    const deps = this.touched ? [...this.touched] : [];
    this.touched = null;
    return deps;
  }

  /** A file of the workspace, parsed on first request; null when absent, unparseable or too large. */
  unit(relPath: string): FileUnit | null {
    if (this.units.has(relPath)) {
      this.touched?.add(relPath);
      return this.units.get(relPath) ?? null;
    }
    const text = this.text(relPath);
    if (text === null) {
      this.units.set(relPath, null);
      return null;
    }
    return this.addFile(relPath, text);
  }

  /**
   * The text of a workspace file without parsing it (the parsed text when it was parsed already); null when absent,
   * binary or too large. For readers of text only, such as advice that looks for usage recording near a call.
   */
  text(relPath: string): string | null {
    this.touched?.add(relPath);
    const unit = this.units.get(relPath);
    if (unit !== undefined) return unit?.text ?? null;
    const cached = this.texts.get(relPath);
    if (cached !== undefined) return cached;
    const text = this.reader.read(relPath);
    const usable = text === null || text.length > this.maxImportedFileBytes || text.includes('\u0000') ? null : text;
    this.texts.set(relPath, usable);
    return usable;
  }

  private readonly texts = new Map<string, string | null>();

  /** Resolves an import specifier from a file to a workspace file, or null (external package or not found). */
  resolveModule(from: FileUnit, spec: string): FileUnit | null {
    const candidates = from.language === 'python' ? pythonCandidates(from.path, spec) : [...this.pathAliasCandidates(from.path, spec), ...jsCandidates(from.path, spec)];
    for (const candidate of candidates) {
      if (this.reader.exists(candidate)) {
        const unit = this.unit(candidate);
        if (unit) return unit;
      }
    }
    return null;
  }

  private readonly tsconfigs = new Map<string, TsPaths | null>();

  /** Candidates from the `paths` of the nearest tsconfig.json / jsconfig.json (`@/lib/x` → `web/lib/x`). */
  private pathAliasCandidates(fromPath: string, spec: string): string[] {
    return this.pathAliasTargets(fromPath, spec).flatMap((mapped) => jsCandidates('x', `./${mapped}`));
  }

  /**
   * What a non-relative specifier maps to through the `paths` of the nearest tsconfig.json / jsconfig.json, relative
   * to the root, as written there (`@/lib/x` → `web/lib/x`); the config file counts as a dependency.
   */
  pathAliasTargets(fromPath: string, spec: string): string[] {
    if (spec.startsWith('.')) return [];
    const config = this.nearestTsPaths(path.posix.dirname(fromPath));
    if (!config) return [];
    this.touched?.add(config.configFile);
    const out: string[] = [];
    for (const [pattern, targets] of Object.entries(config.paths)) {
      const star = pattern.indexOf('*');
      let rest: string | null = null;
      if (star < 0) rest = pattern === spec ? '' : null;
      else if (spec.startsWith(pattern.slice(0, star)) && spec.endsWith(pattern.slice(star + 1))) rest = spec.slice(star, spec.length - (pattern.length - star - 1));
      if (rest === null) continue;
      for (const target of targets) if (typeof target === 'string') out.push(path.posix.join(config.baseDir, target.replace('*', rest)));
    }
    return out;
  }

  private nearestTsPaths(dir: string): TsPaths | null {
    const cached = this.tsconfigs.get(dir);
    if (cached !== undefined) return cached;
    let found: TsPaths | null = null;
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const rel = dir === '.' ? name : `${dir}/${name}`;
      const text = this.reader.exists(rel) ? this.reader.read(rel) : null;
      if (text === null) continue;
      found = parseTsPaths(text, dir, rel);
      if (found) break;
    }
    if (!found && dir !== '.' && dir !== '') found = this.nearestTsPaths(path.posix.dirname(dir));
    this.tsconfigs.set(dir, found);
    return found;
  }

  /** Frees every parse tree. */
  dispose(): void {
    for (const unit of this.units.values()) unit?.tree.delete();
    this.units.clear();
  }
}

interface TsPaths {
  configFile: string;
  /** Folder the `paths` targets are relative to (baseUrl, else the config's folder), relative to the root. */
  baseDir: string;
  paths: Record<string, string[]>;
}

/** `compilerOptions.paths` of a tsconfig (JSON with comments and trailing commas), or null. */
export function parseTsPaths(text: string, configDir: string, configFile: string): TsPaths | null {
  try {
    const json = JSON.parse(
      text
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:"'])\/\/.*$/gm, '$1')
        .replace(/,(\s*[}\]])/g, '$1'),
    ) as { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } };
    const paths = json.compilerOptions?.paths;
    if (!paths || typeof paths !== 'object') return null;
    const baseDir = normalize(path.posix.join(configDir === '.' ? '' : configDir, json.compilerOptions?.baseUrl ?? '.')) || '.';
    return { configFile, baseDir: baseDir === '' ? '.' : baseDir, paths };
  } catch {
    return null;
  }
}

function normalize(p: string): string {
  return path.posix.normalize(p).replace(/^\.\//, '');
}

/** Python: relative imports from the file's package; absolute imports from the root, `src/`, and the file's ancestors. */
export function pythonCandidates(fromPath: string, spec: string): string[] {
  const dir = path.posix.dirname(fromPath);
  const out: string[] = [];
  const asFiles = (base: string): void => {
    out.push(normalize(`${base}.py`), normalize(`${base}/__init__.py`));
  };
  if (spec.startsWith('.')) {
    const dots = spec.match(/^\.+/)![0].length;
    let base = dir;
    for (let i = 1; i < dots; i++) base = path.posix.dirname(base);
    const rest = spec.slice(dots).replace(/\./g, '/');
    asFiles(rest ? path.posix.join(base, rest) : base);
    return out;
  }
  const rel = spec.replace(/\./g, '/');
  asFiles(rel);
  asFiles(`src/${rel}`);
  // Projects whose package lives in a sub-folder (backend/app/...): try each ancestor of the importing file.
  const parts = dir === '.' ? [] : dir.split('/');
  for (let i = parts.length; i > 0; i--) asFiles(`${parts.slice(0, i).join('/')}/${rel}`);
  return [...new Set(out)];
}

const JS_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];

/** JS/TS: relative specifiers, and the common path aliases `@/` and `~/` (to `src/` or the root). */
export function jsCandidates(fromPath: string, spec: string): string[] {
  let base: string[];
  if (spec.startsWith('./') || spec.startsWith('../')) base = [path.posix.join(path.posix.dirname(fromPath), spec)];
  else if (spec.startsWith('@/') || spec.startsWith('~/')) base = [`src/${spec.slice(2)}`, spec.slice(2), `app/${spec.slice(2)}`];
  else if (spec.startsWith('/')) base = [spec.slice(1)];
  else return [];
  const out: string[] = [];
  for (const b of base) {
    const n = normalize(b);
    // `./config.js` written in TS ESM code refers to config.ts
    const stripped = n.replace(/\.(m|c)?js$/, '');
    out.push(n);
    for (const ext of JS_EXTENSIONS) out.push(stripped + ext);
    for (const ext of JS_EXTENSIONS) out.push(`${stripped}/index${ext}`);
  }
  return [...new Set(out)];
}
