/**
 * Saving a what-if scenario into costlens.yml: adds or replaces `scenarios.<name>` with the round-trip editor, so
 * comments, blank lines and every other entry stay as written, then checks that the file is still valid.
 */
import { promises as fs } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Document as YamlDocument, isMap, isScalar, Pair, parseDocument, Scalar, YAMLMap, type Document } from 'yaml';
import { writeFileAtomic } from '../usage/atomicWrite';
import { updateUsageFile, UsageFileEditError } from '../usage/editUsageFile';
import { formatUsageIssue, parseUsageFile, YAML_PARSE_OPTIONS } from '../usage/usageFile';
import type { UsageConfig } from '../usage/schema';
import { SCENARIO_NAME, SCENARIO_NAME_RULE, scenarioToSpec, type Scenario } from './scenario';

/** Header written when saving creates the file. */
const NEW_FILE_HEADER = '# costlens usage file: traffic assumptions and what-if scenarios for the cost report.\n';

/**
 * The usage file text with `scenarios.<name>` set to `scenario` (added at the end of `scenarios`, or replaced in
 * place). The change is made as a text splice of the `scenarios` section when the layout allows (block mappings), so
 * the rest of the file stays byte for byte; otherwise the YAML Document API renders the file (comments kept, spacing
 * may change). Throws `UsageFileEditError` when the file has syntax errors, when the name is not valid, or when the
 * result would not be a valid usage file (the message lists the problems).
 */
export function setScenario(text: string, name: string, scenario: Scenario, fileName = 'costlens.yml'): { text: string; config: UsageConfig } {
  if (!SCENARIO_NAME.test(name)) throw new UsageFileEditError(SCENARIO_NAME_RULE);
  const spec = scenarioToSpec(scenario);
  const source = text.trim() === '' ? `${NEW_FILE_HEADER}version: 1\n` : text;
  const viaDocument = updateUsageFile(source, (doc: Document) => {
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = doc.createNode({ version: 1 }) as unknown as typeof doc.contents;
    const root = doc.contents;
    if (!isMap(root)) throw new UsageFileEditError('the usage file must be a mapping at the top level');
    let pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'scenarios') as Pair | undefined;
    if (!pair) {
      pair = new Pair(new Scalar('scenarios'), new YAMLMap());
      if (root.items.length > 0) (pair.key as Scalar).spaceBefore = true;
      root.items.push(pair);
    } else if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) {
      pair.value = new YAMLMap();
    }
    const scenarios = pair.value;
    if (!isMap(scenarios)) throw new UsageFileEditError('scenarios must be a mapping of names to scenarios');
    if (scenarios.items.length === 0) scenarios.flow = false;
    const node = doc.createNode(spec) as YAMLMap;
    const existing = scenarios.items.find((p) => isScalar(p.key) && String(p.key.value) === name) as Pair | undefined;
    if (existing) {
      // Keep the comment written above or after the entry's key.
      existing.value = node;
    } else {
      scenarios.items.push(new Pair(new Scalar(name), node));
    }
  });
  const spliced = spliceScenario(source, name, spec);
  let out = viaDocument;
  if (spliced !== undefined) {
    const a = parseDocument(spliced, YAML_PARSE_OPTIONS);
    const b = parseDocument(viaDocument, YAML_PARSE_OPTIONS);
    if (a.errors.length === 0 && isDeepStrictEqual(a.toJS({ maxAliasCount: 100 }), b.toJS({ maxAliasCount: 100 }))) out = spliced;
  }
  const parsed = parseUsageFile(out, fileName);
  if (!parsed.ok) throw new UsageFileEditError(`the scenario would make ${fileName} invalid: ${parsed.issues.map(formatUsageIssue).join('; ')}`);
  return { text: out, config: parsed.config };
}

/** Reads the usage file (absent: a new file), sets the scenario, and writes it atomically. */
export async function saveScenarioToFile(filePath: string, name: string, scenario: Scenario): Promise<{ text: string; config: UsageConfig; created: boolean }> {
  let text = '';
  let created = false;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    created = true;
  }
  const result = setScenario(text, name, scenario, filePath.split(/[\\/]/).pop());
  await writeFileAtomic(filePath, result.text);
  return { ...result, created };
}

/**
 * The same edit as a splice of the `scenarios` section of a block-style file, or undefined for layouts it does not
 * handle (flow mappings, tabs, ...). The caller checks that the result means the same as the Document API's.
 */
function spliceScenario(text: string, name: string, spec: object): string | undefined {
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  const root = doc.contents;
  if (doc.errors.length || !isMap(root) || root.flow) return undefined;
  const column = (offset: number): number => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const lineStart = (offset: number): number => text.lastIndexOf('\n', offset - 1) + 1;
  const nextLine = (offset: number): number => {
    const i = text.indexOf('\n', offset);
    return i === -1 ? text.length : i + 1;
  };
  const rootIndent = column((root.range ?? [0])[0]);
  const step = indentStep(text);
  const render = (indent: number): string[] => {
    const block = new YamlDocument({ [name]: spec }).toString({ indent: step, lineWidth: 0, minContentWidth: 0 });
    return block.replace(/\n$/, '').split('\n').map((l) => ' '.repeat(indent) + l);
  };
  const insertAt = (at: number, lines: string[]): string => {
    const needsBreak = at === text.length && text.length > 0 && !text.endsWith('\n');
    return text.slice(0, at) + (needsBreak ? nl : '') + lines.map((l) => l + nl).join('') + text.slice(at);
  };
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'scenarios') as Pair | undefined;
  if (!pair) {
    const blank = /\n\s*\n\s*$/.test(text) || text.trim() === '' ? [] : [''];
    return insertAt(text.length, [...blank, `${' '.repeat(rootIndent)}scenarios:`, ...render(rootIndent + step)]);
  }
  const keyRange = (pair.key as Scalar).range;
  if (!keyRange) return undefined;
  const sectionIndent = column(keyRange[0]);
  const value = pair.value;
  if (value === null || (isScalar(value) && value.value === null)) {
    return insertAt(nextLine(keyRange[1]), render(sectionIndent + step));
  }
  if (!isMap(value) || value.flow || value.items.length === 0) return undefined;
  const firstKey = (value.items[0]!.key as Scalar | null)?.range;
  if (!firstKey) return undefined;
  const entryIndent = column(firstKey[0]);
  const existing = value.items.find((p) => isScalar(p.key) && String(p.key.value) === name) as Pair | undefined;
  if (existing) {
    const k = (existing.key as Scalar).range;
    const end = (existing.value as { range?: [number, number, number] } | null)?.range?.[1] ?? k?.[1];
    if (!k || end === undefined) return undefined;
    // Replace the entry's lines (its key line to the end of its value), keeping comments above it.
    const from = lineStart(k[0]);
    let to = nextLine(Math.max(k[1], end - 1));
    if (end > 0 && text[end - 1] === '\n') to = end;
    return text.slice(0, from) + render(entryIndent).map((l) => l + nl).join('') + text.slice(to);
  }
  const last = value.items[value.items.length - 1]!;
  const lastEnd = (last.value as { range?: [number, number, number] } | null)?.range?.[1] ?? (last.key as Scalar | null)?.range?.[1];
  if (lastEnd === undefined) return undefined;
  let at = text[lastEnd - 1] === '\n' ? lastEnd : nextLine(lastEnd);
  // Comment lines indented under the last entry belong to it.
  while (at < text.length) {
    const line = text.slice(at, nextLine(at)).replace(/\r?\n$/, '');
    if (!(line.trimStart().startsWith('#') && line.length - line.trimStart().length > entryIndent)) break;
    at = nextLine(at);
  }
  return insertAt(at, render(entryIndent));
}

/** The indentation step of block mappings in `text` (2 unless the file uses another). */
function indentStep(text: string): number {
  const lines = text.split(/\r?\n/);
  let best: number | undefined;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!/^\s*[^#\s-][^#]*:\s*(#.*)?$/.test(lines[i]!)) continue;
    const next = lines.slice(i + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    if (next === undefined) continue;
    const d = next.length - next.trimStart().length - (lines[i]!.length - lines[i]!.trimStart().length);
    if (d > 0 && !next.trimStart().startsWith('- ') && (best === undefined || d < best)) best = d;
  }
  return best ?? 2;
}
