/**
 * Writing measurements into costlens.yml: `callSites."<id>".measured` blocks, keeping everything the person wrote —
 * comments, blank lines, key order, quoting and their own figures (`requestsPerDay`, `inputTokens` … stay as they are;
 * `measured` sits beside them).
 *
 * The same two-step method as `setCallSiteTraffic` (editUsageFile.ts): the intended result is stated with the `yaml`
 * Document API, then made as a minimal text splice (replace the old `measured` block, or insert one after the entry's
 * last setting, or add the entry at the end of `callSites`); the splice is used only when re-parsing it gives exactly
 * the intended data, else the Document API rendering (comments kept, spacing possibly normalised).
 */
import { isDeepStrictEqual } from 'node:util';

import { isMap, isScalar, Pair, parseDocument, Scalar, YAMLMap, type Document, type Node as YamlNode } from 'yaml';

import { UsageFileEditError, columnOf, detectIndent, entryInnerStep, findPair, isNullNode, lineStart, linesToInsert, nextLineStart, pairEnd, rangeOf, renderIdKey, skipIndentedComments, toData } from '../usage/yamlEdit';
import type { MeasuredUsage } from '../usage/schema';
import { YAML_PARSE_OPTIONS } from '../usage/usageFile';

const NEW_FILE_HEADER = [
  '# costlens usage file: the traffic behind the monthly cost estimates.',
  '# callSites keys are call-site ids (<file>#<function>#<n>) or globs over them; `measured` blocks are written by',
  '# `costlens calibrate --write` from production telemetry.',
];

/** Sets (or, with null, removes) the measured block of each call site, one after the other. */
export function setMeasuredBlocks(text: string, blocks: ReadonlyArray<{ id: string; measured: MeasuredUsage | null }>): string {
  let out = text;
  for (const block of blocks) out = setCallSiteMeasured(out, block.id, block.measured);
  return out;
}

/**
 * Sets `callSites."<id>".measured` to `measured` (null removes it), adding the section and the entry when missing and
 * creating a `version: 1` file from empty text. Throws `UsageFileEditError` when the file cannot be edited safely.
 */
export function setCallSiteMeasured(text: string, id: string, measured: MeasuredUsage | null): string {
  if (id.length === 0) throw new UsageFileEditError('the call-site id is empty');
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  if (doc.errors.length > 0) {
    const [first] = doc.errors;
    const line = text.slice(0, first.pos[0]).split('\n').length;
    throw new UsageFileEditError(`the usage file has YAML syntax errors (line ${line}: ${first.message}); fix them first`);
  }
  const plain = measured ? plainMeasured(measured) : null;
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    if (!plain) return text;
    const lines = [...(text.trim() === '' ? NEW_FILE_HEADER : []), 'version: 1', '', 'callSites:', `  ${JSON.stringify(id)}:`, ...renderMeasured(plain, 4, 2)];
    const body = lines.join(newline) + newline;
    return text.trim() === '' ? body : text.replace(/\s*$/, '') + newline + newline + body;
  }

  const intended = doc.clone();
  if (!applyMeasured(intended, id, plain)) return text; // nothing to remove
  const intendedData = toData(intended);

  const spliced = splice(text, doc, id, plain, newline);
  if (spliced !== undefined) {
    const check = parseDocument(spliced, YAML_PARSE_OPTIONS);
    if (check.errors.length === 0 && isDeepStrictEqual(toData(check), intendedData)) return spliced;
  }
  const out = intended.toString({ lineWidth: 0, minContentWidth: 0 });
  return newline === '\r\n' ? out.replace(/\r?\n/g, '\r\n') : out;
}

/** The block as plain data in the order it is written, without absent fields. */
function plainMeasured(m: MeasuredUsage): Record<string, unknown> {
  const out: Record<string, unknown> = { requestsPerDay: m.requestsPerDay };
  if (m.requests !== undefined) out.requests = m.requests;
  if (m.window) out.window = { from: m.window.from, to: m.window.to };
  if (m.inputTokens) out.inputTokens = distribution(m.inputTokens);
  if (m.outputTokens) out.outputTokens = distribution(m.outputTokens);
  if (m.cacheHitShare !== undefined) out.cacheHitShare = m.cacheHitShare;
  if (m.models && Object.keys(m.models).length > 0) out.models = { ...m.models };
  if (m.actualMonthlyCostUsd !== undefined) out.actualMonthlyCostUsd = m.actualMonthlyCostUsd;
  if (m.actualCostPerRequestUsd !== undefined) out.actualCostPerRequestUsd = m.actualCostPerRequestUsd;
  if (m.source !== undefined) out.source = m.source;
  return out;
}

function distribution(d: { median: number; p90: number; mean?: number | undefined }): Record<string, number> {
  return d.mean === undefined ? { median: d.median, p90: d.p90 } : { median: d.median, p90: d.p90, mean: d.mean };
}

/** YAML lines of `measured:` at `indent` spaces, its fields `step` deeper; nested objects as one-line flow maps. */
function renderMeasured(plain: Record<string, unknown>, indent: number, step: number): string[] {
  const pad = ' '.repeat(indent);
  const inner = ' '.repeat(indent + step);
  return [`${pad}measured:`, ...Object.entries(plain).map(([key, value]) => `${inner}${key}: ${flow(value)}`)];
}

function flow(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k)}: ${flow(v)}`);
  return `{ ${entries.join(', ')} }`;
}

/** The edit through the Document API; false when there is nothing to do (removing an absent block). */
function applyMeasured(doc: Document, id: string, plain: Record<string, unknown> | null): boolean {
  const root = doc.contents;
  if (!isMap(root)) throw new UsageFileEditError('the usage file must be a mapping at the top level');
  let sitesPair = findPair(root, 'callSites');
  if (!sitesPair || isNullNode(sitesPair.value)) {
    if (!plain) return false;
    if (!sitesPair) {
      sitesPair = new Pair(new Scalar('callSites'), new YAMLMap());
      root.items.push(sitesPair);
    } else sitesPair.value = new YAMLMap();
  }
  const sites = sitesPair.value;
  if (!isMap(sites)) throw new UsageFileEditError('callSites must be a mapping of call-site ids to settings');
  if (sites.items.length === 0) sites.flow = false;
  let entryPair = findPair(sites, id);
  if (!entryPair || isNullNode(entryPair.value)) {
    if (!plain) return false;
    if (!entryPair) {
      const key = new Scalar(id);
      key.type = 'QUOTE_DOUBLE';
      entryPair = new Pair(key, new YAMLMap());
      sites.items.push(entryPair);
    } else entryPair.value = new YAMLMap();
  }
  const entry = entryPair.value;
  if (!isMap(entry)) throw new UsageFileEditError(`callSites entry "${id}" must be a mapping of settings`);
  const existing = findPair(entry, 'measured');
  if (!plain) {
    if (!existing) return false;
    entry.items.splice(entry.items.indexOf(existing), 1);
    return true;
  }
  const node = doc.createNode(plain) as YamlNode;
  if (existing) existing.value = node;
  else entry.items.push(new Pair(new Scalar('measured'), node));
  return true;
}

// ---------------------------------------------------------------------------------------------------------------------
// Minimal splices
// ---------------------------------------------------------------------------------------------------------------------

/** Start of the line after the node ending at `end` (block collections end after their last line break). */
function afterNode(text: string, end: number): number {
  return end > 0 && text[end - 1] === '\n' ? end : nextLineStart(text, end);
}

function insertAt(text: string, at: number, lines: string[], newline: string): string {
  return text.slice(0, at) + linesToInsert(text, at, lines, newline) + text.slice(at);
}

function splice(text: string, doc: Document, id: string, plain: Record<string, unknown> | null, newline: string): string | undefined {
  const root = doc.contents;
  if (!isMap(root) || root.flow) return undefined;
  const step = detectIndent(text);
  const sitesPair = findPair(root, 'callSites');
  if (!sitesPair) {
    if (!plain) return undefined;
    const rootIndent = columnOf(text, rangeOf(root)?.[0] ?? 0);
    const separator = text.trim() === '' || /\n\s*\n\s*$/.test(text) ? [] : [''];
    const pad = ' '.repeat(rootIndent);
    return insertAt(text, text.length, [...separator, `${pad}callSites:`, `${pad}${' '.repeat(step)}${renderIdKey(id, undefined)}:`, ...renderMeasured(plain, rootIndent + 2 * step, step)], newline);
  }
  const sitesKey = rangeOf(sitesPair.key);
  if (!sitesKey) return undefined;
  const sitesIndent = columnOf(text, sitesKey[0]);
  if (isNullNode(sitesPair.value)) {
    if (!plain) return undefined;
    const at = afterNode(text, pairEnd(sitesPair) ?? sitesKey[1]);
    return insertAt(text, at, [`${' '.repeat(sitesIndent + step)}${renderIdKey(id, undefined)}:`, ...renderMeasured(plain, sitesIndent + 2 * step, step)], newline);
  }
  const sites = sitesPair.value;
  if (!isMap(sites) || sites.flow || sites.items.length === 0) return undefined;
  const entryIndent = columnOf(text, rangeOf(sites.items[0].key)?.[0] ?? 0);
  const innerStep = entryInnerStep(text, sites, entryIndent) ?? step;
  const entryPair = findPair(sites, id);
  if (!entryPair) {
    if (!plain) return undefined;
    const last = sites.items[sites.items.length - 1];
    const lastEnd = pairEnd(last);
    if (lastEnd === undefined) return undefined;
    const at = skipIndentedComments(text, afterNode(text, lastEnd), entryIndent);
    const spaced = sites.items.length > 1 && isScalar(last.key) && last.key.spaceBefore === true;
    return insertAt(text, at, [...(spaced ? [''] : []), `${' '.repeat(entryIndent)}${renderIdKey(id, sites)}:`, ...renderMeasured(plain, entryIndent + innerStep, step)], newline);
  }
  const entryKey = rangeOf(entryPair.key);
  if (!entryKey) return undefined;
  if (isNullNode(entryPair.value)) {
    if (!plain) return undefined;
    const at = afterNode(text, pairEnd(entryPair) ?? entryKey[1]);
    return insertAt(text, at, renderMeasured(plain, entryIndent + innerStep, step), newline);
  }
  const entry = entryPair.value;
  if (!isMap(entry) || entry.flow || entry.items.length === 0) return undefined;
  const settingIndent = columnOf(text, rangeOf(entry.items[0].key)?.[0] ?? 0);
  const existing = findPair(entry, 'measured');
  if (existing) {
    const keyRange = rangeOf(existing.key);
    const end = pairEnd(existing);
    if (!keyRange || end === undefined) return undefined;
    const from = lineStart(text, keyRange[0]);
    if (text.slice(from, keyRange[0]).trim() !== '') return undefined; // `measured` does not start its line
    const to = afterNode(text, end);
    if (!plain) return text.slice(0, from) + text.slice(to);
    const lines = renderMeasured(plain, columnOf(text, keyRange[0]), step);
    const tail = to === text.length && !text.endsWith('\n') ? '' : newline;
    return text.slice(0, from) + lines.join(newline) + tail + text.slice(to);
  }
  if (!plain) return undefined;
  const last = entry.items[entry.items.length - 1];
  const lastEnd = pairEnd(last);
  if (lastEnd === undefined) return undefined;
  return insertAt(text, afterNode(text, lastEnd), renderMeasured(plain, settingIndent, step), newline);
}

