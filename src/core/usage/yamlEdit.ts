/**
 * Helpers shared by the comment-keeping edits of costlens.yml (editUsageFile.ts: traffic and scenarios;
 * calibrate/writeMeasured.ts: `measured` blocks): reading the document, finding pairs, and the text positions and
 * layout (indentation step, quoting of ids) that minimal splices follow.
 */
import { isMap, isScalar, type Document, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';

/** The usage file cannot be edited safely (syntax errors, an unexpected shape, an invalid value). */
export class UsageFileEditError extends Error {
  override readonly name = 'UsageFileEditError';
}

/** The document as plain data; a document that has none (an alias to a missing anchor, ...) cannot be edited. */
export function toData(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new UsageFileEditError(`the usage file cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function isNullNode(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => (isScalar(pair.key) ? String(pair.key.value) : pair.key) === key) as Pair | undefined;
}

export function rangeOf(node: unknown): [number, number] | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}

/** Offset of the start of the line after the one containing `offset` (or the text length on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/** Offset of the start of the line containing `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** 0-based column of `offset`. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

export function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** End of a pair's source: its value's end, or its key's when the value is empty. */
export function pairEnd(pair: Pair): number | undefined {
  return rangeOf(pair.value)?.[1] ?? rangeOf(pair.key)?.[1];
}

/** The indentation step of the file's block mappings (2 when it cannot be told). */
export function detectIndent(text: string): number {
  const lines = text.split(/\r?\n/);
  let best: number | undefined;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!/^\s*[^#\s-][^#]*:\s*(#.*)?$/.test(lines[i]!)) continue; // `key:` with the value on the next lines
    const next = lines.slice(i + 1).find((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    if (next === undefined) continue;
    const step = indentOf(next) - indentOf(lines[i]!);
    if (step > 0 && !next.trimStart().startsWith('- ') && (best === undefined || step < best)) best = step;
  }
  return best ?? 2;
}

/** The id as a YAML key, quoted in the style of the existing keys (double quotes unless they use single quotes). */
export function renderIdKey(id: string, sites: YAMLMap | undefined): string {
  const first = sites?.items[0]?.key;
  if (isScalar(first) && first.type === 'QUOTE_SINGLE') return `'${id.replace(/'/g, "''")}'`;
  return JSON.stringify(id);
}

/** How much deeper than a `callSites` entry its settings are indented, from an existing block entry (or undefined). */
export function entryInnerStep(text: string, sites: YAMLMap, entryIndent: number): number | undefined {
  for (const pair of sites.items) {
    if (isMap(pair.value) && !pair.value.flow && pair.value.items.length > 0) {
      const start = rangeOf(pair.value.items[0].key)?.[0];
      if (start !== undefined && columnOf(text, start) > entryIndent) return columnOf(text, start) - entryIndent;
    }
  }
  return undefined;
}

/** Moves past comment lines indented deeper than `indent` (they belong to the entry above). */
export function skipIndentedComments(text: string, at: number, indent: number): number {
  let position = at;
  while (position < text.length) {
    const end = nextLineStart(text, position);
    const line = text.slice(position, end).replace(/\r?\n$/, '');
    if (!(line.trimStart().startsWith('#') && indentOf(line) > indent)) break;
    position = end;
  }
  return position;
}

/** The text that inserts whole lines at `at` (a line start, or the end of the text, adding its missing line end first). */
export function linesToInsert(text: string, at: number, lines: string[], newline: string): string {
  const needsBreak = at === text.length && text.length > 0 && !text.endsWith('\n');
  return (needsBreak ? newline : '') + lines.map((line) => line + newline).join('');
}
