/**
 * Which files of a workspace are scanned: source files by extension, minus what is excluded by default
 * (dependencies, VCS, build output, virtualenvs), by `.gitignore`, by the user's globs, by size, and files that are
 * binary, minified or generated. Every skipped candidate is reported with its reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { grammarForPath } from '../detect/parser';
import type { SkippedFile } from '../types';
import { STRONG_MARKER, WEAK_MARKER } from './relevance';

export const DEFAULT_EXCLUDED_DIRS = [
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'dist',
  'build',
  'out',
  '.next',
  '.nuxt',
  '.svelte-kit',
  '.turbo',
  '.cache',
  'coverage',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  'site-packages',
  '.eggs',
  'target',
  'vendor',
  '.vscode-test',
];

/** Folders that hold tests; skipped only when the user asks (`skipTests`). */
const TEST_DIR = /(^|\/)(tests?|__tests__|spec|__mocks__|fixtures|e2e)(\/|$)|(^|\/)(test_[^/]*|[^/]*_test)\.py$|\.(test|spec)\.[cm]?[jt]sx?$/;

export interface FileFilterOptions {
  /** Globs (relative POSIX paths) to include; empty means every source file. */
  include?: string[] | undefined;
  /** Extra globs to exclude. */
  exclude?: string[] | undefined;
  /** Skip files larger than this many bytes (default 1 MB). */
  maxFileBytes?: number | undefined;
  /** Skip test folders and test files. */
  skipTests?: boolean | undefined;
  /** Honour .gitignore files (default true). */
  respectGitignore?: boolean | undefined;
}

export const DEFAULT_MAX_FILE_BYTES = 1_000_000;

export interface FileListing {
  /** Relative POSIX paths of files to scan, sorted. */
  files: string[];
  /** Size and modification time of each listed file (from the listing's own stat, for cache checks). */
  stats: Map<string, FileStamp>;
  skipped: SkippedFile[];
}

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/** Lists the source files under `root` (or the given paths below it) that a scan should read. */
export function listSourceFiles(root: string, targets: string[], options: FileFilterOptions = {}): FileListing {
  const files: string[] = [];
  const stats = new Map<string, FileStamp>();
  const skipped: SkippedFile[] = [];
  const include = options.include?.length ? picomatch(options.include, { dot: true }) : null;
  const exclude = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : null;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const useGitignore = options.respectGitignore !== false;
  const excludedDirs = new Set(DEFAULT_EXCLUDED_DIRS);

  /** Whether a file passes the checks made on its path alone; records why when it does not and that is reported. */
  const admitsName = (rel: string): boolean => {
    if (!grammarForPath(rel)) return false;
    if (include && !include(rel)) return false;
    if (exclude && exclude(rel)) {
      skipped.push({ file: rel, reason: 'excluded by a glob' });
      return false;
    }
    if (options.skipTests && TEST_DIR.test(rel)) {
      skipped.push({ file: rel, reason: 'test file (tests are skipped)' });
      return false;
    }
    if (/\.min\.[cm]?js$|[.-]bundle\.[cm]?js$|\.d\.ts$|_pb2(_grpc)?\.py$/.test(rel)) {
      skipped.push({ file: rel, reason: rel.endsWith('.d.ts') ? 'type declarations' : 'generated or minified file' });
      return false;
    }
    return true;
  };

  /** A file whose path was admitted, with its size and modification time. */
  const consider = (rel: string, size: number, mtimeMs: number): void => {
    if (size > maxBytes) {
      skipped.push({ file: rel, reason: `larger than ${formatBytes(maxBytes)} (${formatBytes(size)})` });
      return;
    }
    files.push(rel);
    stats.set(rel, { size, mtimeMs });
  };

  const walkDir = (absDir: string, relDir: string, ignores: Array<{ base: string; ig: Ignore }>, isTarget = false): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absDir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ file: relDir || '.', reason: `cannot read folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      return;
    }
    // A Python virtualenv below a scan target (looked up only when the listing has the name).
    if (!isTarget && entries.some((e) => e.name === 'pyvenv.cfg') && fs.existsSync(path.join(absDir, 'pyvenv.cfg'))) return;
    // An installed or vendored copy of an LLM SDK (outside node_modules): its own code is not calls to it.
    if (!isTarget && mayBeSdkFolder(relDir) && entries.some((e) => e.name === 'package.json' && e.isFile())) {
      const sdk = llmSdkPackage(path.join(absDir, 'package.json'));
      if (sdk) {
        skipped.push({ file: relDir, reason: `the ${sdk} SDK package itself (package.json): costlens looks for calls to SDKs, not inside them` });
        return;
      }
    }
    let scoped = ignores;
    if (useGitignore && entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        const ig = ignore().add(fs.readFileSync(path.join(absDir, '.gitignore'), 'utf8'));
        scoped = [...ignores, { base: relDir, ig }];
      } catch {
        // unreadable .gitignore: keep the parent rules
      }
    }
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (excludedDirs.has(entry.name)) continue;
        if (isIgnored(scoped, rel, true)) continue;
        walkDir(path.join(absDir, entry.name), rel, scoped);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        if (!grammarForPath(entry.name)) continue;
        if (isIgnored(scoped, rel, false)) continue;
        // A regular file skipped for its path needs no stat; a symbolic link is followed first (it may not be a file).
        const regular = entry.isFile();
        if (regular && !admitsName(rel)) continue;
        let st: fs.Stats;
        try {
          st = fs.statSync(path.join(absDir, entry.name));
          if (!st.isFile()) continue;
        } catch (err) {
          skipped.push({ file: rel, reason: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
          continue;
        }
        if (!regular && !admitsName(rel)) continue;
        consider(rel, st.size, st.mtimeMs);
      }
    }
  };

  const rootIgnores: Array<{ base: string; ig: Ignore }> = [];
  for (const target of targets.length ? targets : ['.']) {
    const abs = path.resolve(root, target);
    const rel = toPosix(path.relative(root, abs));
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      skipped.push({ file: rel || target, reason: 'does not exist' });
      continue;
    }
    if (st.isDirectory()) {
      const inherited = useGitignore ? ancestorIgnores(root, rel) : rootIgnores;
      walkDir(abs, rel === '' ? '' : rel, inherited, true);
    } else if (grammarForPath(abs)) {
      if (admitsName(rel)) consider(rel, st.size, st.mtimeMs);
    }
    else skipped.push({ file: rel, reason: 'not a Python, TypeScript or JavaScript file' });
  }
  return { files: [...new Set(files)].sort(), stats, skipped };
}

/** .gitignore rules of the folders above a scan target (so scanning `src/` still honours the root .gitignore). */
function ancestorIgnores(root: string, rel: string): Array<{ base: string; ig: Ignore }> {
  const out: Array<{ base: string; ig: Ignore }> = [];
  if (!rel) return out;
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const base = parts.slice(0, i).join('/');
    const file = path.join(root, base, '.gitignore');
    try {
      out.push({ base, ig: ignore().add(fs.readFileSync(file, 'utf8')) });
    } catch {
      // none here
    }
  }
  return out;
}

function isIgnored(ignores: Array<{ base: string; ig: Ignore }>, rel: string, isDir: boolean): boolean {
  for (const { base, ig } of ignores) {
    const sub = base ? (rel.startsWith(`${base}/`) ? rel.slice(base.length + 1) : null) : rel;
    if (sub === null || sub === '') continue;
    if (ig.ignores(isDir ? `${sub}/` : sub)) return true;
  }
  return false;
}

/**
 * npm packages of LLM SDKs and frameworks: a folder that is one of them is not scanned. `@scope/*` is any package of
 * the scope; a `*` elsewhere is any rest of the name.
 */
const LLM_SDK_PACKAGES = [
  'openai', 'ai', 'langchain', 'llamaindex', 'ollama', 'cohere-ai', 'groq-sdk', 'together-ai', 'replicate',
  '@anthropic-ai/*', '@ai-sdk/*', '@langchain/*', '@google/genai', '@google/generative-ai', '@google-cloud/vertexai', '@mistralai/*',
  '@aws-sdk/client-bedrock*', '@azure/openai', '@huggingface/inference', '@openrouter/*',
];

const LLM_SDK_PACKAGE = new RegExp(
  `^(?:${LLM_SDK_PACKAGES.map((p) => p.replace(/\./g, '\\.').replace(/\/\*$/, '/[\\w.-]+').replace(/\*/g, '[\\w.-]*')).join('|')})$`,
);
/** Folder names an installed copy of one of them has: the package's name, or its name within a scope folder. */
const SDK_FOLDER_NAMES = new Set(LLM_SDK_PACKAGES.filter((p) => !p.startsWith('@')));
const SDK_SCOPES = new Set(LLM_SDK_PACKAGES.filter((p) => p.startsWith('@')).map((p) => p.split('/')[0]!));

/**
 * Whether a folder is named like an installed SDK package (`…/openai`, `…/@langchain/core`): only those have their
 * package.json read, so that a tree of thousands of packages is not slowed down by reading every manifest.
 */
function mayBeSdkFolder(relDir: string): boolean {
  const parts = relDir.split('/');
  const name = parts[parts.length - 1] ?? '';
  return SDK_FOLDER_NAMES.has(name) || (parts.length > 1 && SDK_SCOPES.has(parts[parts.length - 2]!));
}

/** The package's name when `packageJson` describes an LLM SDK package (a copy of its published code), else null. */
export function llmSdkPackage(packageJson: string): string | null {
  try {
    const text = fs.readFileSync(packageJson, 'utf8');
    if (text.length > 1_000_000) return null;
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === 'string' && LLM_SDK_PACKAGE.test(name) ? name : null;
  } catch {
    return null;
  }
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function formatBytes(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)} MB`;
  if (n >= 1000) return `${Math.round(n / 1000)} kB`;
  return `${n} B`;
}

/** Why the content of a file should not be parsed, or null. */
export function contentProblem(text: string): string | null {
  const head = text.slice(0, 8192);
  if (head.includes('\u0000')) return 'binary file';
  if (head.includes('\uFFFD\uFFFD')) return 'not valid UTF-8 text';
  const lines = text.length > 0 ? text.split('\n', 50) : [];
  // Minified code: very long lines with almost no spaces (a long prose string literal has plenty).
  if (lines.some((l) => l.length > 2000 && spaceShare(l) < 0.08)) return 'minified file';
  if (/@generated\b|DO NOT EDIT|Code generated by .* DO NOT EDIT|autogenerated by/i.test(lines.slice(0, 5).join('\n'))) return 'generated file';
  return null;
}

function spaceShare(line: string): number {
  let spaces = 0;
  const n = Math.min(line.length, 20_000);
  for (let i = 0; i < n; i++) if (line.charCodeAt(i) === 32) spaces++;
  return spaces / n;
}

/**
 * Cheap text test before parsing: can this file contain an LLM call? Files without any SDK or endpoint marker are
 * not parsed (they can still be parsed on demand when another file imports a constant from them). A workspace scan
 * goes further with the two strengths of markers (relevance.ts): files with weak markers only are parsed when they
 * import an LLM module.
 */
export const SDK_MARKER = new RegExp(`${STRONG_MARKER.source}|${WEAK_MARKER.source}`);

export function mayContainCalls(text: string): boolean {
  return SDK_MARKER.test(text);
}
