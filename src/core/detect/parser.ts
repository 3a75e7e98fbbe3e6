import * as fs from 'node:fs';
import { Language as TsLanguage, Parser, type Edit, type Node, type Tree } from '@vscode/tree-sitter-wasm';
import { locateAsset, type AssetName } from '../assets';
import type { Language } from '../types';

export type { Node, Tree };

/** The grammar a file is parsed with. TSX is separate from TypeScript (angle-bracket casts vs JSX). */
export type Grammar = 'python' | 'typescript' | 'tsx' | 'javascript';

const GRAMMAR_ASSET: Record<Grammar, AssetName> = {
  python: 'tree-sitter-python.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
};

const EXTENSION_GRAMMAR: Record<string, Grammar> = {
  '.py': 'python',
  '.pyi': 'python',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
};

export function grammarForPath(filePath: string): Grammar | null {
  const dot = filePath.lastIndexOf('.');
  if (dot < 0) return null;
  return EXTENSION_GRAMMAR[filePath.slice(dot).toLowerCase()] ?? null;
}

export function languageOfGrammar(grammar: Grammar): Language {
  return grammar === 'python' ? 'python' : grammar === 'javascript' ? 'javascript' : 'typescript';
}

export const SOURCE_EXTENSIONS = Object.keys(EXTENSION_GRAMMAR);

/**
 * Loads the tree-sitter runtime and grammars on first use (about 30 ms for the runtime, a few ms per grammar) and
 * keeps one parser per grammar. Parsing is synchronous once a grammar is loaded.
 */
export class Parsers {
  private runtime: Promise<void> | undefined;
  private readonly languages = new Map<Grammar, Promise<TsLanguage>>();
  private readonly parsers = new Map<Grammar, Parser>();

  /** Loads the grammars needed before `parse` can be called for them. */
  async load(grammars: Iterable<Grammar>): Promise<void> {
    this.runtime ??= Parser.init({
      locateFile: (file: string) => locateAsset(file === 'tree-sitter.wasm' ? 'tree-sitter.wasm' : (file as AssetName)),
    });
    await this.runtime;
    await Promise.all(
      [...new Set(grammars)].map(async (grammar) => {
        if (this.parsers.has(grammar)) return;
        let language = this.languages.get(grammar);
        if (!language) {
          language = TsLanguage.load(new Uint8Array(fs.readFileSync(locateAsset(GRAMMAR_ASSET[grammar]))));
          this.languages.set(grammar, language);
        }
        const parser = new Parser();
        parser.setLanguage(await language);
        this.parsers.set(grammar, parser);
      }),
    );
  }

  isLoaded(grammar: Grammar): boolean {
    return this.parsers.has(grammar);
  }

  /**
   * Parses text; the caller must `delete()` the tree when done. Throws if the grammar was not loaded. With `oldTree`
   * (the tree of an earlier version of the text, already `edit()`ed to match it), only what changed is re-parsed.
   */
  parse(text: string, grammar: Grammar, oldTree?: Tree): Tree {
    const parser = this.parsers.get(grammar);
    if (!parser) throw new Error(`grammar ${grammar} is not loaded`);
    const tree = parser.parse(text, oldTree);
    if (!tree) throw new Error(`tree-sitter returned no tree for a ${grammar} file`);
    return tree;
  }
}

/**
 * The edit that turns `before` into `after` (their common prefix and suffix are unchanged), in the UTF-16 indices
 * and row/column points of tree-sitter's JS binding, for `tree.edit()` before an incremental parse.
 */
export function textEdit(before: string, after: string): Edit {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < max - start && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const point = (text: string, index: number): { row: number; column: number } => {
    let row = 0;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
      row++;
      lineStart = i + 1;
    }
    return { row, column: index - lineStart };
  };
  return {
    startIndex: start,
    oldEndIndex: before.length - suffix,
    newEndIndex: after.length - suffix,
    startPosition: point(before, start),
    oldEndPosition: point(before, before.length - suffix),
    newEndPosition: point(after, after.length - suffix),
  };
}
