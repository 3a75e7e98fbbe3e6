/**
 * What the ripgrep baseline must mirror, taken from the scanner itself (single source of truth), and the files
 * costlens reads and parses in a tree: listed, not minified/generated/binary, with an SDK marker (what ripgrep lists),
 * and of those the ones it parses (a strong marker, or weak markers and an import of an LLM module: relevance.ts).
 *
 *   node --import tsx bench/scanInfo.ts [ROOT]   → JSON on stdout
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SOURCE_EXTENSIONS } from '../src/core/detect/parser';
import { DEFAULT_EXCLUDED_DIRS, DEFAULT_MAX_FILE_BYTES, SDK_MARKER, contentProblem, listSourceFiles, mayContainCalls } from '../src/core/engine/files';
import { importedModules, isPackageIndex, markerLevel, weakFilesToParse, type Relevance } from '../src/core/engine/relevance';

/**
 * SDK_MARKER in ripgrep's (Rust regex) syntax. The JS source uses only literals, `|`, `?`, character classes and
 * escapes of punctuation; Rust's regex rejects the one escape that JS needs and Rust does not (`\/`), so it is
 * unescaped. Any other construct would make this throw rather than silently change the meaning.
 */
export function markerForRipgrep(source = SDK_MARKER.source): string {
  const translated = source.replace(/\\\//g, '/');
  const allowed = /^(?:[A-Za-z0-9_ :@'"\-|?]|\\[.()\/]|\[[A-Za-z'"]+\])*$/;
  if (!allowed.test(source)) throw new Error(`SDK_MARKER uses a construct this translation does not know: ${source}`);
  if (SDK_MARKER.flags.replace(/[gy]/g, '') !== '') throw new Error(`SDK_MARKER has flags (${SDK_MARKER.flags}) the translation ignores`);
  return translated;
}

export interface ScanInfo {
  marker: string;
  ripgrepMarker: string;
  excludedDirs: string[];
  maxFileBytes: number;
  extensions: string[];
  /** Only with a root: listed files with a marker, and listed files skipped for their content before the marker test. */
  candidates?: string[];
  skippedForContent?: string[];
  listed?: number;
  /** Of the candidates: those costlens parses (strong markers; weak ones that import an LLM module), and the weak ones. */
  parsed?: string[];
  weak?: number;
  /** Folders skipped as copies of LLM SDK packages. */
  sdkPackages?: string[];
}

export function scanInfo(root?: string): ScanInfo {
  const info: ScanInfo = {
    marker: SDK_MARKER.source,
    ripgrepMarker: markerForRipgrep(),
    excludedDirs: [...DEFAULT_EXCLUDED_DIRS],
    maxFileBytes: DEFAULT_MAX_FILE_BYTES,
    extensions: SOURCE_EXTENSIONS.map((e) => e.slice(1)),
  };
  if (root) {
    const listing = listSourceFiles(root, []);
    info.listed = listing.files.length;
    info.candidates = [];
    info.skippedForContent = [];
    info.sdkPackages = listing.skipped.filter((s) => /SDK package itself/.test(s.reason)).map((s) => s.file);
    const relevance = new Map<string, Relevance>();
    const strong: string[] = [];
    for (const f of listing.files) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      if (contentProblem(text)) info.skippedForContent.push(f);
      else {
        if (mayContainCalls(text)) info.candidates.push(f);
        const level = markerLevel(text);
        if (level === 'strong') {
          strong.push(f);
          relevance.set(f, { kind: 'llm' });
        } else if (level === 'weak') relevance.set(f, { kind: 'weak', imports: importedModules(text, f) });
        else if (isPackageIndex(f)) relevance.set(f, { kind: 'index', imports: importedModules(text, f) });
      }
    }
    const weak = weakFilesToParse(relevance);
    info.weak = [...relevance.values()].filter((r) => r.kind === 'weak').length;
    info.parsed = [...strong, ...weak].sort();
  }
  return info;
}

if (require.main === module) {
  const root = process.argv[2];
  process.stdout.write(`${JSON.stringify(scanInfo(root ? path.resolve(root) : undefined))}\n`);
}
