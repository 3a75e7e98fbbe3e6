/**
 * The pre-filter of a workspace scan: which files are worth parsing. Parsing is most of a scan's cost, and most files
 * that mention a generic method name (`.invoke(`, `.stream(`, `.chat(`, `completion(`) are not LLM calls at all —
 * subprocess helpers, HTTP clients, retry policies. So markers come in two strengths:
 *
 * - **strong** (an SDK or provider name, an endpoint, an SDK-specific method such as `completions.create`): the file
 *   is parsed;
 * - **weak** (a method name that an LLM client shares with many other libraries): the call can only be an LLM call if
 *   its receiver comes from a module that builds one — `from .chains import rag_chain; rag_chain.invoke(q)`, or
 *   `import { claude } from '../llm'`. A file with weak markers only is parsed when one of the modules it imports is
 *   an LLM module: a file with a strong marker, or (transitively) a weak file or a package index that imports one.
 *
 * Imports are matched against module paths without a full resolver: a relative import is resolved from the importing
 * file (`from .chains import x` in `app/web.py` → `app/chains`, `'../llm'` → `src/llm`); any other import is matched as
 * a path suffix (`from handbook.chains import x` → `…/handbook/chains`; `'@/lib/llm'` → `…/lib/llm`; an aliased
 * `'@app/llm'` → `…/llm`). A module's path is its file's without extension, or its folder's for a package index
 * (`__init__.py`, `index.ts`). Matching by suffix can only parse more files than an exact resolution would, never fewer.
 */
import * as path from 'node:path';

/** SDK and provider names, endpoints and SDK-specific methods: a file that has one is parsed. */
export const STRONG_MARKER =
  /openai|anthropic|genai|generativeai|generative-ai|litellm|mistral|cohere|bedrock|langchain|@ai-sdk|from ['"]ai['"]|require\(['"]ai['"]\)|generateText|streamText|generateObject|streamObject|embedMany|googleapis\.com|openrouter|api\.groq|api\.deepseek|api\.together|api\.x\.ai|fireworks\.ai|:11434|chat\/completions|ChatCompletion|completions\.create|messages\.create|responses\.create|embeddings\.create|generate_content|generateContent|invoke_model/;

/** Method names LLM clients share with other libraries: a file with only these is parsed if it imports an LLM module. */
export const WEAK_MARKER = /a?invoke\(|\.a?stream\(|\.a?batch\(|send_?[mM]essage|converse|\.embed|\.complete\(|\.chat\(|completion\(/;

export type MarkerLevel = 'strong' | 'weak' | 'none';

export function markerLevel(text: string): MarkerLevel {
  if (STRONG_MARKER.test(text)) return 'strong';
  return WEAK_MARKER.test(text) ? 'weak' : 'none';
}

/**
 * What the pre-filter needs to know of a file, kept with its analysis (and in the scan cache): an LLM module (strong
 * markers), or a weak file / package index with the module names it imports.
 */
export type Relevance = { kind: 'llm' } | { kind: 'weak' | 'index'; imports: string[] };

const INDEX_FILE = /^(__init__\.pyi?|index\.(?:[cm]?[jt]sx?))$/;

/** A package index (`__init__.py`, `index.ts` …): it may re-export an LLM module under its folder's name. */
export function isPackageIndex(rel: string): boolean {
  return INDEX_FILE.test(path.posix.basename(rel));
}

/** The path other files import a module by: the file's path without extension, or its folder's for a package index. */
export function modulePath(rel: string): string {
  const base = path.posix.basename(rel);
  if (INDEX_FILE.test(base)) return path.posix.dirname(rel);
  return rel.replace(/\.[^./]*$/, '');
}

// Written so that no input makes them backtrack: the dots and the module name cannot share characters, and a
// parenthesised list is looked for within a bounded stretch (an unclosed one does not scan the rest of the file).
const PY_FROM = /^[ \t]*from[ \t]+(\.*)(\w[\w.]*)?[ \t]+import[ \t]+(\([^)]{0,4000}\)|[^\n#;]+)/gm;
const PY_IMPORT = /^[ \t]*import[ \t]+([^\n#;]+)/gm;
const JS_SPECIFIER = /(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*['"]([^'"\n]+)['"]/g;
const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The modules a file imports, as the pre-filter matches them: `/dir/mod` (resolved from the importing file, relative
 * to the workspace root) or `dir/mod` (a path suffix). Python's `from pkg import name` also yields `pkg/name`, since
 * `name` may be a submodule. `aliasTargets` maps a JavaScript specifier through the project's tsconfig `paths`.
 */
export function importedModules(text: string, rel: string, aliasTargets?: (spec: string) => string[]): string[] {
  const out = new Set<string>();
  const dir = path.posix.dirname(`/${rel}`);
  const exact = (p: string): void => {
    const n = path.posix.normalize(p);
    if (n.startsWith('/') && n !== '/') out.add(n.replace(/\/$/, ''));
  };
  if (/\.pyi?$/.test(rel)) {
    for (const m of text.matchAll(PY_FROM)) {
      const dots = m[1]!.length;
      const mod = (m[2] ?? '').split('.').filter(Boolean).join('/');
      const names = m[3]!.replace(/[()\\]/g, ' ').split(',').map((item) => item.trim().split(/\s+/)[0] ?? '').filter((n) => IDENT.test(n));
      if (dots > 0) {
        let base = dir;
        for (let i = 1; i < dots; i++) base = path.posix.dirname(base);
        const target = mod ? `${base}/${mod}` : base;
        exact(target);
        for (const n of names) exact(`${target}/${n}`);
      } else if (mod) {
        out.add(mod);
        for (const n of names) out.add(`${mod}/${n}`);
      }
    }
    for (const m of text.matchAll(PY_IMPORT)) {
      for (const item of m[1]!.split(',')) {
        const mod = (item.trim().split(/\s+/)[0] ?? '').split('.').filter((seg) => IDENT.test(seg)).join('/');
        if (mod) out.add(mod);
      }
    }
  } else {
    for (const m of text.matchAll(JS_SPECIFIER)) {
      const spec = m[1]!.replace(/\.(?:[cm]?[jt]sx?|json)$/, '').replace(/\/index$/, '');
      if (spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..') {
        exact(`${dir}/${spec}`);
        continue;
      }
      // A path alias of the nearest tsconfig/jsconfig: what it maps to.
      for (const target of aliasTargets?.(spec) ?? []) exact(`/${target.replace(/\.(?:[cm]?[jt]sx?)$/, '').replace(/\/index$/, '')}`);
      // A path alias (`@/lib/llm`, `~/lib/llm`, `#lib/llm`), a baseUrl import (`lib/llm`) or a package: as a suffix,
      // whole and without its first segment (`@app/llm` → `llm`).
      const plain = spec.replace(/^[@~#]\//, '').replace(/^#/, '');
      const segments = plain.split('/').filter(Boolean);
      if (segments.length === 0 || segments.some((seg) => seg === '.' || seg === '..')) continue;
      if (!plain.startsWith('@')) out.add(segments.join('/'));
      if (segments.length > 1) out.add(segments.slice(1).join('/'));
    }
  }
  return [...out].sort();
}

/** Every name an import may use for a module: its path from the root (`/a/b/c`) and each of its suffixes (`c`, `b/c`, `a/b/c`). */
function moduleKeys(file: string): string[] {
  const p = modulePath(file);
  const segments = p.split('/');
  return [`/${p}`, ...segments.map((_, i) => segments.slice(i).join('/'))];
}

/** A test of whether a file's imports (from `importedModules`) may name `file`. */
export function importsModule(file: string): (imports: readonly string[]) => boolean {
  const keys = new Set(moduleKeys(file));
  return (imports) => imports.some((m) => keys.has(m));
}

/**
 * The weak files worth parsing: those that import an LLM module, where LLM modules are the files with strong markers
 * and, transitively, the weak files and package indexes that import one. `files` gives each file's relevance (files
 * without one import nothing that matters); the result depends on nothing else.
 */
export function weakFilesToParse(files: Iterable<[string, Relevance]>): Set<string> {
  /** Every LLM module path (`/a/b/c`) and each of its suffixes (`c`, `b/c`, `a/b/c`). */
  const known = new Set<string>();
  const addModule = (file: string): boolean => {
    const [exact, ...suffixes] = moduleKeys(file);
    if (known.has(exact!)) return false;
    known.add(exact!);
    for (const k of suffixes) known.add(k);
    return true;
  };
  let pending: Array<{ file: string; kind: 'weak' | 'index'; imports: string[] }> = [];
  for (const [file, r] of files) {
    if (r.kind === 'llm') addModule(file);
    else pending.push({ file, kind: r.kind, imports: r.imports });
  }
  const out = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    const rest: typeof pending = [];
    for (const p of pending) {
      if (p.imports.some((m) => known.has(m))) {
        if (p.kind === 'weak') out.add(p.file);
        if (addModule(p.file)) changed = true;
      } else rest.push(p);
    }
    pending = rest;
  }
  return out;
}
