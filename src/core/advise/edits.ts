/**
 * Edits for quick fixes, built from the syntax tree so they leave valid code and touch only what they understood.
 * Each builder returns null when the code is not in a shape it can change safely.
 */
import type { Node } from '../detect/parser';
import type { Project } from '../detect/project';
import { argumentsOf, isCall, unwrap, walk } from '../detect/syntax';
import type { SourceRange } from '../types';
import type { TextChange } from './types';

/** Syntax access for edit builders: the files of the workspace, parsed on demand. */
export interface EditSource {
  project: Project;
}

function changeAt(file: string, text: string, start: number, end: number, newText: string): TextChange {
  const pos = (offset: number): { line: number; column: number } => {
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: offset - lineStart + 1 };
  };
  const a = pos(start);
  const b = pos(end);
  return { file, range: { startOffset: start, endOffset: end, startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column }, newText };
}

/** Replaces a string literal with another value, keeping its quotes (`"gpt-4o"` → `"gpt-4o-mini"`). */
export function replaceStringLiteral(src: EditSource, file: string, range: SourceRange, value: string): TextChange | null {
  const text = src.project.text(file);
  if (text === null) return null;
  const literal = text.slice(range.startOffset, range.endOffset);
  const m = literal.match(/^([rRuUbB]?)(['"`])/);
  if (!m || !literal.endsWith(m[2]!) || literal.startsWith('"""') || literal.startsWith("'''")) return null;
  if (/[\\'"`$\n]/.test(value)) return null;
  return changeAt(file, text, range.startOffset, range.endOffset, `${m[1]}${m[2]}${value}${m[2]}`);
}

/** The call node at a site's range, with its file text and argument list. */
function callWithArguments(src: EditSource, file: string, call: { startOffset: number; endOffset: number }): { node: Node; text: string; args: Node; isPython: boolean } | null {
  const found = callAt(src, file, call.startOffset, call.endOffset);
  const args = found ? argumentsOf(found.node) : null;
  return found && args ? { ...found, args, isPython: found.node.type === 'call' } : null;
}

function callAt(src: EditSource, file: string, startOffset: number, endOffset: number): { node: Node; text: string } | null {
  const unit = src.project.unit(file);
  if (!unit) return null;
  let found: Node | null = null;
  walk(unit.root, (n) => {
    if (found) return false;
    if (n.endIndex < startOffset || n.startIndex > endOffset) return false;
    if (isCall(n) && n.startIndex === startOffset && n.endIndex === endOffset) {
      found = n;
      return false;
    }
    return true;
  });
  return found ? { node: found, text: unit.text } : null;
}

/**
 * Adds a keyword argument (Python) or a property of the first object-literal argument (JS/TS) to a call:
 * `create(model=m, messages=x)` → `create(model=m, messages=x, max_completion_tokens=1024)`. Follows the call's
 * layout: one argument per line stays one per line, with the same indentation and trailing comma style.
 */
export function addCallArgument(src: EditSource, file: string, call: { startOffset: number; endOffset: number }, name: string, valueText: string): TextChange | null {
  const found = callWithArguments(src, file, call);
  if (!found) return null;
  const { text, args, isPython } = found;
  let container: Node = args;
  if (!isPython) {
    const first = args.namedChildren.find((c) => c && c.type !== 'comment');
    if (!first || unwrap(first).type !== 'object') return null;
    container = unwrap(first);
  }
  const items = container.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (isPython && items.some((c) => c.type === 'keyword_argument' && c.childForFieldName('name')?.text === name)) return null;
  if (!isPython && items.some((c) => c.type === 'pair' && c.childForFieldName('key')?.text === name)) return null;
  const entry = isPython ? `${name}=${valueText}` : `${name}: ${valueText}`;
  const close = container.endIndex - 1; // position of ')' or '}'
  if (items.length === 0) {
    return changeAt(file, text, close, close, isPython ? entry : ` ${entry} `);
  }
  const last = items[items.length - 1]!;
  const between = text.slice(last.endIndex, close);
  const trailingComma = /^\s*,/.test(between);
  // One argument per line: add ours on its own line with the same indentation.
  if (last.startPosition.row !== container.startPosition.row) {
    const indent = text.slice(text.lastIndexOf('\n', last.startIndex) + 1, last.startIndex).match(/^\s*/)![0];
    if (trailingComma) {
      const commaEnd = last.endIndex + between.indexOf(',') + 1;
      return changeAt(file, text, commaEnd, commaEnd, `\n${indent}${entry},`);
    }
    return changeAt(file, text, last.endIndex, last.endIndex, `,\n${indent}${entry}`);
  }
  if (trailingComma) {
    const commaEnd = last.endIndex + between.indexOf(',') + 1;
    return changeAt(file, text, commaEnd, commaEnd, ` ${entry}`);
  }
  return changeAt(file, text, last.endIndex, last.endIndex, `, ${entry}`);
}

/**
 * Anthropic prompt caching: turns a literal `system` string of a messages call into a text block marked with
 * `cache_control`. Only a plain string literal (not an f-string or template with substitutions) is changed.
 */
export function cacheControlSystem(src: EditSource, file: string, call: { startOffset: number; endOffset: number }): TextChange | null {
  const found = callWithArguments(src, file, call);
  if (!found) return null;
  const { text, args, isPython } = found;
  let value: Node | null = null;
  if (isPython) {
    for (const c of args.namedChildren) if (c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === 'system') value = c.childForFieldName('value');
  } else {
    const obj = args.namedChildren.find((c) => c && c.type !== 'comment');
    if (obj && unwrap(obj).type === 'object') {
      for (const p of unwrap(obj).namedChildren) if (p?.type === 'pair' && p.childForFieldName('key')?.text === 'system') value = p.childForFieldName('value');
    }
  }
  if (!value) return null;
  const literalTypes = new Set(['string', 'concatenated_string', 'template_string']);
  if (!literalTypes.has(value.type)) return null;
  if (value.namedChildren.some((c) => c?.type === 'interpolation' || c?.type === 'template_substitution')) return null;
  const original = text.slice(value.startIndex, value.endIndex);
  const block = isPython
    ? `[{"type": "text", "text": ${original}, "cache_control": {"type": "ephemeral"}}]`
    : `[{ type: 'text', text: ${original}, cache_control: { type: 'ephemeral' } }]`;
  return changeAt(file, text, value.startIndex, value.endIndex, block);
}
