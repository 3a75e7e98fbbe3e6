/**
 * Round-trip edits of the usage file that keep what the person wrote: comments, blank lines, key order, quoting,
 * spacing and every unrelated entry.
 *
 * `setCallSiteTraffic` works in two steps:
 *   1. It states the intended result with the `yaml` Document API (the reference semantics of the edit).
 *   2. It makes the same change as a minimal text splice at the source ranges of the YAML nodes (replace one value,
 *      rename one key, or insert a few lines), so everything else stays byte-for-byte as it was.
 * The splice is accepted only when re-parsing it gives exactly the data of step 1; for layouts the splice does not
 * handle (flow-style maps, an entry that is a block range, ...) the Document API's own rendering of step 1 is used,
 * which still keeps comments, blank lines and order but may re-space the file.
 */
import { isDeepStrictEqual } from 'node:util';

import { isMap, isScalar, Pair, parseDocument, Scalar, YAMLMap, type Document, type ToStringOptions } from 'yaml';

import { YAML_PARSE_OPTIONS } from './usageFile';
import { UsageFileEditError, columnOf, detectIndent, entryInnerStep, findPair, isNullNode, linesToInsert, nextLineStart, pairEnd, rangeOf, renderIdKey, skipIndentedComments, toData } from './yamlEdit';

/** The edit cannot be made: the file has YAML syntax errors, or `callSites` (or the entry) is not a mapping. */
export { UsageFileEditError };

/** Traffic to set on one call site: exactly one of the two, a finite number >= 0. */
export interface TrafficEdit {
  requestsPerDay?: number;
  requestsPerMonth?: number;
}

type TrafficKey = 'requestsPerDay' | 'requestsPerMonth';

/** Header written when the edit creates the file's content. */
const NEW_FILE_HEADER = [
  '# costlens usage file: the traffic behind the monthly cost estimates.',
  '# callSites keys are call-site ids (<file>#<function>#<n>) or globs over them, e.g. "src/jobs/**".',
];

/**
 * Sets the traffic of call site `id` (adding `callSites` and the entry when they do not exist; creating a
 * `version: 1` file when `text` is empty). Setting requestsPerDay on an entry that has requestsPerMonth replaces that
 * key (and vice versa), keeping its comments. Throws `UsageFileEditError` when the file cannot be edited safely.
 */
export function setCallSiteTraffic(text: string, id: string, traffic: TrafficEdit): string {
  if (id.length === 0) throw new UsageFileEditError('the call-site id is empty');
  const { key, other, value } = checkTraffic(traffic);
  const newline = text.includes('\r\n') ? '\r\n' : '\n';

  const doc = parseForEdit(text);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return createContent(text, id, key, value, newline);
  }

  // 1. The intended result, through the Document API.
  const intended = doc.clone();
  applyTraffic(intended, id, key, other, value);
  const intendedData = toData(intended);

  // 2. The same change as a minimal splice, if the layout allows it and it means the same.
  const spliced = spliceTraffic(text, doc, id, key, other, value, newline);
  if (spliced !== undefined) {
    const check = parseDocument(spliced, YAML_PARSE_OPTIONS);
    if (check.errors.length === 0 && isDeepStrictEqual(toData(check), intendedData)) return spliced;
  }
  return renderDocument(intended, text);
}

/**
 * Applies `mutate` to the parsed document and renders it again, keeping comments, blank lines and key order; the
 * indentation style is taken from the original text (unchanged parts may still be re-spaced, e.g. the spaces before a
 * trailing comment). Throws `UsageFileEditError` when the text has YAML syntax errors.
 */
export function updateUsageFile(text: string, mutate: (doc: Document) => void): string {
  const doc = parseForEdit(text);
  mutate(doc);
  return renderDocument(doc, text);
}

function parseForEdit(text: string): Document {
  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  if (doc.errors.length > 0) {
    const [first] = doc.errors;
    const line = text.slice(0, first.pos[0]).split('\n').length;
    throw new UsageFileEditError(`the usage file has YAML syntax errors (line ${line}: ${first.message}); fix them first`);
  }
  return doc;
}

function checkTraffic(traffic: TrafficEdit): { key: TrafficKey; other: TrafficKey; value: number } {
  const perDay = traffic.requestsPerDay;
  const perMonth = traffic.requestsPerMonth;
  if ((perDay === undefined) === (perMonth === undefined)) {
    throw new UsageFileEditError('give exactly one of requestsPerDay and requestsPerMonth');
  }
  const [key, other, value] = perDay !== undefined
    ? (['requestsPerDay', 'requestsPerMonth', perDay] as const)
    : (['requestsPerMonth', 'requestsPerDay', perMonth as number] as const);
  if (!Number.isFinite(value) || value < 0) throw new UsageFileEditError(`${key} must be a finite number >= 0, got ${value}`);
  return { key, other, value };
}

// ---------------------------------------------------------------------------------------------------------------------
// Reference semantics: the Document API
// ---------------------------------------------------------------------------------------------------------------------

function applyTraffic(doc: Document, id: string, key: TrafficKey, other: TrafficKey, value: number): void {
  const root = doc.contents;
  if (!isMap(root)) throw new UsageFileEditError('the usage file must be a mapping at the top level');

  let sitesPair = findPair(root, 'callSites');
  if (!sitesPair) {
    sitesPair = new Pair(new Scalar('callSites'), new YAMLMap());
    root.items.push(sitesPair);
  } else if (isNullNode(sitesPair.value)) {
    sitesPair.value = new YAMLMap();
  }
  const sites = sitesPair.value;
  if (!isMap(sites)) throw new UsageFileEditError('callSites must be a mapping of call-site ids to settings');
  if (sites.items.length === 0) sites.flow = false;

  let entryPair = findPair(sites, id);
  if (!entryPair) {
    const idKey = new Scalar(id);
    idKey.type = 'QUOTE_DOUBLE';
    entryPair = new Pair(idKey, new YAMLMap());
    sites.items.push(entryPair);
  } else if (isNullNode(entryPair.value)) {
    entryPair.value = new YAMLMap();
  }
  const entry = entryPair.value;
  if (!isMap(entry)) throw new UsageFileEditError(`callSites entry "${id}" must be a mapping of settings`);

  const same = findPair(entry, key);
  const switched = findPair(entry, other);
  const target = same ?? switched;
  if (!target) {
    entry.items.push(new Pair(new Scalar(key), new Scalar(value)));
  } else {
    if (target === switched && isScalar(target.key)) target.key.value = key;
    if (isScalar(target.value)) {
      // Keep the node, and with it a trailing comment such as `# peak season`.
      target.value.value = value;
      target.value.type = 'PLAIN';
    } else {
      target.value = new Scalar(value);
    }
  }
  // An entry that had both (an invalid file) keeps only the unit being set.
  if (same && switched) entry.items.splice(entry.items.indexOf(switched), 1);
}

/** Renders a document with the indentation style and line ends of the original text, without re-wrapping lines. */
function renderDocument(doc: Document, original: string): string {
  const options: ToStringOptions = { lineWidth: 0, minContentWidth: 0, indent: detectIndent(original), indentSeq: detectIndentSeq(original) };
  const out = doc.toString(options);
  return original.includes('\r\n') ? out.replace(/\r?\n/g, '\r\n') : out;
}

/** False when block sequences sit at the same column as their parent key (`key:\n- a`). */
function detectIndentSeq(text: string): boolean {
  const match = /^( *)[^\s#-][^\n]*:[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)- /m.exec(text);
  return match ? match[2].length > match[1].length : true;
}

// ---------------------------------------------------------------------------------------------------------------------
// Minimal splices
// ---------------------------------------------------------------------------------------------------------------------

/** Text edits `[start, end) → replacement`, applied from the end so offsets stay valid. */
type Splice = { start: number; end: number; text: string };

function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const { start, end, text: replacement } of [...splices].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, start) + replacement + out.slice(end);
  }
  return out;
}

/** Inserts whole lines at a line start (or at the end of the text, adding the missing line end first). */
function insertLines(text: string, at: number, lines: string[], newline: string): Splice {
  return { start: at, end: at, text: linesToInsert(text, at, lines, newline) };
}

function formatNumber(value: number): string {
  return String(value);
}

/**
 * The edit as splices on the original text, or undefined when the layout is not one this function handles (the caller
 * then uses the Document API rendering).
 */
function spliceTraffic(text: string, doc: Document, id: string, key: TrafficKey, other: TrafficKey, value: number, newline: string): string | undefined {
  const root = doc.contents;
  if (!isMap(root) || root.flow) return undefined;
  const step = detectIndent(text);
  const setting = `${key}: ${formatNumber(value)}`;

  const sitesPair = findPair(root, 'callSites');
  if (!sitesPair) {
    // No callSites section: append one at the end, after a blank line.
    const separator = text.trim() === '' || /\n\s*\n\s*$/.test(text) ? [] : [''];
    const rootIndent = ' '.repeat(columnOf(text, rangeOf(root)?.[0] ?? 0));
    const lines = [...separator, `${rootIndent}callSites:`, `${rootIndent}${' '.repeat(step)}${renderIdKey(id, undefined)}:`, `${rootIndent}${' '.repeat(2 * step)}${setting}`];
    return applySplices(text, [insertLines(text, text.length, lines, newline)]);
  }

  const sitesKeyStart = rangeOf(sitesPair.key)?.[0];
  if (sitesKeyStart === undefined) return undefined;
  const sitesIndent = columnOf(text, sitesKeyStart);

  if (isNullNode(sitesPair.value)) {
    // `callSites:` with nothing below: add the entry under it.
    const at = nextLineStart(text, pairEnd(sitesPair) ?? sitesKeyStart);
    const lines = [`${' '.repeat(sitesIndent + step)}${renderIdKey(id, undefined)}:`, `${' '.repeat(sitesIndent + 2 * step)}${setting}`];
    return applySplices(text, [insertLines(text, at, lines, newline)]);
  }

  const sites = sitesPair.value;
  if (!isMap(sites) || sites.flow || sites.items.length === 0) return undefined;
  const entryIndent = columnOf(text, rangeOf(sites.items[0].key)?.[0] ?? 0);
  const innerStep = entryInnerStep(text, sites, entryIndent) ?? step;

  const entryPair = findPair(sites, id);
  if (!entryPair) {
    // A new entry after the last one (and after comment lines that are indented under it), spaced like the others.
    const last = sites.items[sites.items.length - 1];
    const lastEnd = pairEnd(last);
    if (lastEnd === undefined) return undefined;
    const at = skipIndentedComments(text, nextLineStart(text, lastEnd), entryIndent);
    const spaced = sites.items.length > 1 && isScalar(last.key) && last.key.spaceBefore === true;
    const lines = [...(spaced ? [''] : []), `${' '.repeat(entryIndent)}${renderIdKey(id, sites)}:`, `${' '.repeat(entryIndent + innerStep)}${setting}`];
    return applySplices(text, [insertLines(text, at, lines, newline)]);
  }

  const entryKeyEnd = rangeOf(entryPair.key)?.[1];
  if (entryKeyEnd === undefined) return undefined;
  if (isNullNode(entryPair.value)) {
    // `"id":` with nothing below.
    const at = nextLineStart(text, pairEnd(entryPair) ?? entryKeyEnd);
    return applySplices(text, [insertLines(text, at, [`${' '.repeat(entryIndent + innerStep)}${setting}`], newline)]);
  }

  const entry = entryPair.value;
  if (!isMap(entry) || entry.flow || entry.items.length === 0) return undefined;
  const same = findPair(entry, key);
  const switched = findPair(entry, other);
  if (same && switched) return undefined;
  const target = same ?? switched;

  if (!target) {
    // Add the setting after the entry's last setting, at its indentation.
    const last = entry.items[entry.items.length - 1];
    const lastEnd = pairEnd(last);
    const firstKey = rangeOf(entry.items[0].key);
    if (lastEnd === undefined || firstKey === undefined) return undefined;
    const at = nextLineStart(text, lastEnd);
    return applySplices(text, [insertLines(text, at, [`${' '.repeat(columnOf(text, firstKey[0]))}${setting}`], newline)]);
  }

  // Replace the value (a scalar or a flow range) and, when switching units, the key.
  const valueRange = rangeOf(target.value);
  const keyRange = rangeOf(target.key);
  if (!valueRange || !keyRange || isNullNode(target.value)) return undefined;
  if (!isScalar(target.value) && !(isMap(target.value) && target.value.flow)) return undefined;
  const splices: Splice[] = [{ start: valueRange[0], end: valueRange[1], text: formatNumber(value) }];
  if (target === switched) splices.push({ start: keyRange[0], end: keyRange[1], text: key });
  return applySplices(text, splices);
}

/** Content for an empty (or comments-only) file: a short header, `version: 1` and the entry. */
function createContent(text: string, id: string, key: TrafficKey, value: number, newline: string): string {
  const lines = [
    ...(text.trim() === '' ? NEW_FILE_HEADER : []),
    'version: 1',
    '',
    'callSites:',
    `  ${JSON.stringify(id)}:`,
    `    ${key}: ${formatNumber(value)}`,
  ];
  const body = lines.join(newline) + newline;
  if (text.trim() === '') return body;
  return text.replace(/\s*$/, '') + newline + newline + body;
}
