/**
 * Reading the usage file: `parseUsageFile` turns text into a validated `UsageConfig` or into issues that name the
 * file, the line and column, and the field; `loadUsageFile` finds and reads the file at a repository root.
 *
 * Parsing never throws: YAML syntax errors, binary content, a document that is not a mapping, schema violations and
 * even unexpected internal failures all come back as `UsageIssue`s.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type * as z from 'zod';

import { describePatternProblem, isGlobPattern } from './callSitePatterns';
import { formatUsagePath, KNOWN_KEYS, OBJECT_KIND_LABEL, objectKindAt, usageConfigSchema, type ObjectKind, type UsageConfig } from './schema';
import { closestMatch } from './suggest';

/** File names looked for at the root, in this order. */
export const USAGE_FILE_NAMES = ['costlens.yml', 'costlens.yaml', '.costlens.yml'] as const;

/** Files larger than this are refused rather than parsed (a usage file is a few kilobytes). */
export const MAX_USAGE_FILE_BYTES = 2 * 1024 * 1024;

/** Options shared by every `parseDocument` call of this module (parse and edit must agree). */
export const YAML_PARSE_OPTIONS = {
  prettyErrors: false,
  uniqueKeys: true,
  /** `<<: *anchor` merge keys, handy for sharing settings between entries. */
  merge: true,
} as const;

/** A problem found in a usage file. Positions are 1-based; columns count UTF-16 code units; the end is exclusive. */
export interface UsageIssue {
  /** The file name as given to `parseUsageFile` (or the path read by `loadUsageFile`). */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The field, e.g. `callSites."app/chat.py#x#0".requestsPerDay`; empty for the document as a whole. */
  path: string;
  /** Self-contained text that starts with the field (when there is one), e.g. `defaults.daysPerMonth: must be ...`. */
  message: string;
  severity: 'error' | 'warning';
}

export type UsageParseResult =
  | { ok: true; config: UsageConfig; warnings: UsageIssue[] }
  | { ok: false; issues: UsageIssue[] };

/** `file:line:column: severity: message`, the conventional one-line form for terminals and logs. */
export function formatUsageIssue(issue: UsageIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.severity}: ${issue.message}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------------------------------

/** Maps 0-based offsets to 1-based line/column. Handles `\n`, `\r\n` and lone `\r` line ends. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (char === 10 /* \n */ || (char === 13 /* \r */ && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.starts[low] + 1 };
  }
}

/** Offsets `[start, end)` of a part of the source. */
type Span = [number, number];

/**
 * Finds the source of a data path in the YAML document. Returns the span of the value at the full path and the span
 * of the key that introduces it; when the path does not exist in full (a missing required field), the spans of the
 * deepest part that does.
 */
function locate(doc: Document, segments: readonly PropertyKey[]): { value?: Span; key?: Span; complete: boolean } {
  let node: unknown = doc.contents;
  let value: Span | undefined = spanOf(node);
  let key: Span | undefined;
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let nextKey: Span | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair) {
        next = pair.value;
        nextKey = spanOf(pair.key);
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined && nextKey === undefined) return { value, key, complete: false };
    node = next;
    key = nextKey;
    // A key with no value (`key:`) has no value node: the key stands for it.
    value = spanOf(next) ?? nextKey;
  }
  return { value, key, complete: true };
}

function spanOf(node: unknown): Span | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------------------

/** Context of one parse: builds issues with positions. */
class IssueCollector {
  private readonly list: UsageIssue[] = [];
  private readonly lines: LineIndex;
  /** Paths of fields proposed by a "did you mean". */
  private readonly suggestedPaths = new Set<string>();
  /** "is required" issues, with the path of the missing field. */
  private readonly missingIssues = new Map<UsageIssue, string>();

  constructor(
    readonly fileName: string,
    private readonly text: string,
  ) {
    this.lines = new LineIndex(text);
  }

  /**
   * The issues in source order. A missing required field that a "did you mean" proposes for a misspelt key is the
   * same mistake: only the misspelling is reported.
   */
  get issues(): UsageIssue[] {
    return this.list
      .filter((issue) => !this.suggestedPaths.has(this.missingIssues.get(issue) ?? '\u0000'))
      .sort((a, b) => a.line - b.line || a.column - b.column);
  }

  /** Records that a misspelt key was probably meant to be the field at `segments`. */
  noteSuggestion(segments: readonly PropertyKey[]): void {
    this.suggestedPaths.add(formatUsagePath(segments));
  }

  /** Adds an error for a missing required field. */
  addMissing(span: Span | undefined, segments: readonly PropertyKey[], message: string): void {
    this.add('error', span, segments, message);
    this.missingIssues.set(this.list[this.list.length - 1], formatUsagePath(segments));
  }

  /** The part of `span` on its first line: for pointing at a multi-line object without covering all of it. */
  firstLineOf(span: Span | undefined): Span | undefined {
    if (!span) return span;
    const lineEnd = this.text.slice(span[0], span[1]).search(/[\r\n]/);
    return lineEnd < 0 ? span : [span[0], span[0] + lineEnd];
  }

  add(severity: UsageIssue['severity'], span: Span | undefined, segments: readonly PropertyKey[], message: string): void {
    const [start, end] = span ?? [0, 0];
    const from = this.lines.position(start);
    const to = this.lines.position(Math.max(end, start));
    const fieldPath = formatUsagePath(segments);
    this.list.push({
      file: this.fileName,
      line: from.line,
      column: from.column,
      endLine: to.line,
      endColumn: to.column,
      path: fieldPath,
      message: fieldPath === '' ? message : `${fieldPath}: ${message}`,
      severity,
    });
  }

  get hasErrors(): boolean {
    return this.list.some((issue) => issue.severity === 'error');
  }
}

/**
 * Parses and validates the text of a usage file. `fileName` is only used in issues. An empty (or comments-only)
 * document is a valid empty configuration.
 */
export function parseUsageFile(text: string, fileName: string): UsageParseResult {
  // A byte-order mark is not content, and editors do not count it as a column.
  const content = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const collector = new IssueCollector(fileName, content);
  try {
    return parseInto(content, collector);
  } catch (error) {
    // A bug in this module or a library must not break the scan: report it against the file instead.
    collector.add('error', undefined, [], `could not read the usage file: ${error instanceof Error ? error.message : String(error)}`);
    return { ok: false, issues: collector.issues };
  }
}

function parseInto(text: string, collector: IssueCollector): UsageParseResult {
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(text);
  if (control) {
    collector.add('error', [control.index, control.index + 1], [], 'not a text file (it contains control characters); a usage file is YAML text');
    return { ok: false, issues: collector.issues };
  }

  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  for (const error of doc.errors) collector.add('error', [error.pos[0], error.pos[1]], [], `YAML syntax: ${error.message}`);
  for (const warning of doc.warnings) collector.add('warning', [warning.pos[0], warning.pos[1]], [], `YAML: ${warning.message}`);
  if (collector.hasErrors) return { ok: false, issues: collector.issues };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    collector.add('error', spanOf(doc.contents), [], `YAML: ${error instanceof Error ? error.message : String(error)}`);
    return { ok: false, issues: collector.issues };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    collector.add(
      'error',
      spanOf(doc.contents),
      [],
      `the usage file must be a mapping of settings (version, defaults, callSites, features, prices ...), not ${describeValue(data)}`,
    );
    return { ok: false, issues: collector.issues };
  }

  const parsed = usageConfigSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportZodIssue(issue, [], doc, collector);
    return { ok: false, issues: collector.issues };
  }

  checkSemantics(parsed.data, doc, collector);
  if (collector.hasErrors) return { ok: false, issues: collector.issues };
  return { ok: true, config: parsed.data, warnings: collector.issues };
}

/** Turns one zod issue (possibly nested in a union) into usage issues at the right source position. */
function reportZodIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[], doc: Document, collector: IssueCollector): void {
  const segments = [...prefix, ...issue.path];
  const where = locate(doc, segments);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const kind = objectKindAt(segments);
      for (const key of issue.keys) {
        const keyPath = [...segments, key];
        const suggestion = kind && closestMatch(key, KNOWN_KEYS[kind]);
        if (suggestion) collector.noteSuggestion([...segments, suggestion]);
        collector.add('error', locate(doc, keyPath).key ?? where.value, keyPath, unknownKeyMessage(key, kind));
      }
      return;
    }
    case 'invalid_union': {
      // Amounts are `number | range`: report the branch that fits the kind of value written, so that a misspelt
      // range key is reported as such rather than as "expected a number".
      // The same goes for a feature's `callSites` (`string | string[]`).
      const chosen = issue.errors.find((branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
      if (chosen) {
        for (const inner of chosen) reportZodIssue(inner, segments, doc, collector);
        return;
      }
      const last = segments[segments.length - 1];
      const expected = (segments[0] === 'features' && segments[2] === 'callSites') || (segments[0] === 'calibration' && last === 'callSites')
        ? 'a glob or a list of globs'
        : segments[0] === 'calibration' && last === 'tag'
          ? 'a tag (key=value or key) or a list of tags'
          : 'a number or a range { low, expected, high }';
      collector.add('error', where.value, segments, valueMessage(issue.input, `must be ${expected}`));
      return;
    }
    case 'invalid_type': {
      if (!where.complete || issue.input === undefined) {
        // A required field is missing: point at the key of the object that lacks it (or its first line).
        const what = segments[segments.length - 1] === 'expected' ? 'is required: a range needs its expected value' : 'is required';
        collector.addMissing(where.key ?? collector.firstLineOf(where.value), segments, what);
        return;
      }
      collector.add('error', where.value, segments, valueMessage(issue.input, `must be ${describeExpected(issue.expected)}`));
      return;
    }
    case 'custom': {
      // Checks about a key being present (the "not both" rule) point at the key; the others at the value.
      const span = issue.params?.pointAt === 'key' ? (where.key ?? where.value) : where.value;
      collector.add('error', span, segments, issue.message);
      return;
    }
    default:
      collector.add('error', where.value, segments, issue.message);
  }
}

/** `unknown key "requestPerDay" — did you mean "requestsPerDay"?`, or where the key belongs when it is misplaced. */
function unknownKeyMessage(key: string, kind: ObjectKind | undefined): string {
  const base = `unknown key ${JSON.stringify(key)}`;
  if (kind === undefined) return base;
  const known = KNOWN_KEYS[kind];
  const suggestion = closestMatch(key, known);
  if (suggestion) return `${base} — did you mean ${JSON.stringify(suggestion)}?`;
  const elsewhere = (Object.keys(KNOWN_KEYS) as ObjectKind[]).filter((other) => other !== kind && (KNOWN_KEYS[other] as readonly string[]).includes(key));
  if (elsewhere.length > 0) {
    return `${base}: ${key} is not allowed in ${OBJECT_KIND_LABEL[kind]}; it belongs in ${elsewhere.map((other) => OBJECT_KIND_LABEL[other]).join(' or ')}`;
  }
  return `${base} (expected one of: ${known.join(', ')})`;
}

/** zod's name of an expected type, in the words of YAML. */
function describeExpected(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping (key: value lines)';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'string':
      return 'text';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

function valueMessage(value: unknown, requirement: string): string {
  const hint = typeof value === 'string' && /^\s*[\d.]+\s*%\s*$/.test(value) ? ' (write a share as 0.3, not 30%)' : '';
  return `${requirement}, got ${describeValue(value)}${hint}`;
}

/** Short description of a YAML value for messages. */
function describeValue(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Checks that span several fields: key shapes, feature references, duplicate prices. */
function checkSemantics(config: UsageConfig, doc: Document, collector: IssueCollector): void {
  for (const key of Object.keys(config.callSites)) {
    const problem = describePatternProblem(key);
    if (problem) collector.add('warning', locate(doc, ['callSites', key]).key, ['callSites', key], problem.message);
  }

  const featureNames = Object.keys(config.features);
  for (const [name, feature] of Object.entries(config.features)) {
    feature.callSites.forEach((pattern, index) => {
      const problem = describePatternProblem(pattern);
      const segments = ['features', name, 'callSites', index];
      if (problem) collector.add('warning', locate(doc, segments).value ?? locate(doc, segments.slice(0, 3)).value, segments, `${JSON.stringify(pattern)} ${problem.message}`);
    });
  }

  // A site may name a feature that is not declared (a plain label), but once features are declared a name that is
  // close to a declared one is most likely a typo.
  if (featureNames.length > 0) {
    for (const [key, entry] of Object.entries(config.callSites)) {
      if (entry.feature === undefined || featureNames.includes(entry.feature)) continue;
      const suggestion = closestMatch(entry.feature, featureNames);
      const segments = ['callSites', key, 'feature'];
      collector.add(
        'warning',
        locate(doc, segments).value,
        segments,
        suggestion
          ? `feature ${JSON.stringify(entry.feature)} is not declared under features — did you mean ${JSON.stringify(suggestion)}?`
          : `feature ${JSON.stringify(entry.feature)} is not declared under features (it is used as a plain label)`,
      );
    }
  }

  // Measured figures describe one call site: on a glob they would be copied to every site it matches.
  for (const [key, entry] of Object.entries(config.callSites)) {
    if (entry.measured !== undefined && isGlobPattern(key)) {
      collector.add('warning', locate(doc, ['callSites', key, 'measured']).key, ['callSites', key, 'measured'], 'measured figures belong to one call site; on a glob key they are ignored (costlens calibrate writes them under exact ids)');
    }
  }

  config.calibration?.match.forEach((rule, index) => {
    rule.callSites.forEach((pattern, inner) => {
      const problem = describePatternProblem(pattern);
      const segments = ['calibration', 'match', index, 'callSites', inner];
      if (problem) collector.add('warning', locate(doc, segments).value ?? locate(doc, segments.slice(0, 4)).value, segments, `${JSON.stringify(pattern)} ${problem.message}`);
    });
    (rule.tag ?? []).forEach((tag, inner) => {
      const [key] = tag.split('=', 1);
      if (key.trim() === '') {
        const segments = ['calibration', 'match', index, 'tag', inner];
        collector.add('error', locate(doc, segments).value ?? locate(doc, segments.slice(0, 4)).value, segments, `tag ${JSON.stringify(tag)} has no key: write key=value or key`);
      }
    });
  });

  const seenPrices = new Map<string, number>();
  config.prices.forEach((price, index) => {
    const identity = `${price.provider ?? '*'}\u0000${price.model}`;
    const first = seenPrices.get(identity);
    if (first === undefined) {
      seenPrices.set(identity, index);
      return;
    }
    const segments = ['prices', index, 'model'];
    const who = price.provider ? `${price.provider}/${price.model}` : price.model;
    collector.add('error', locate(doc, segments).value, segments, `duplicate price for ${who} (already set by prices[${first}])`);
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------------------

export type UsageFileLoad =
  /** No usage file at the root (only when no explicit path was given). */
  | { status: 'absent'; searched: string[] }
  /** The file exists (or was named explicitly) but cannot be read: missing, a directory, no permission, too large. */
  | { status: 'unreadable'; path: string; issue: UsageIssue }
  | {
      status: 'loaded';
      /** Absolute path of the file read. */
      path: string;
      /** The text read (for round-trip edits and for showing the file). */
      text: string;
      result: UsageParseResult;
      /** Absolute path of `pricesFile`, resolved against the usage file's folder; null when not set or invalid. */
      pricesFilePath: string | null;
    };

/**
 * Finds and parses the usage file. With `explicitPath` (absolute, or relative to `rootDir`) only that file is read;
 * otherwise the first of `USAGE_FILE_NAMES` that exists at `rootDir`. When several candidates exist, the others are
 * reported as warnings on the one used.
 */
export async function loadUsageFile(rootDir: string, explicitPath?: string): Promise<UsageFileLoad> {
  let filePath: string;
  const others: string[] = [];
  if (explicitPath !== undefined) {
    filePath = path.resolve(rootDir, explicitPath);
  } else {
    const candidates = USAGE_FILE_NAMES.map((name) => path.join(rootDir, name));
    const present: string[] = [];
    for (const candidate of candidates) if (await isFile(candidate)) present.push(candidate);
    if (present.length === 0) return { status: 'absent', searched: candidates };
    [filePath] = present;
    others.push(...present.slice(1));
  }

  const unreadable = (reason: string): UsageFileLoad => ({
    status: 'unreadable',
    path: filePath,
    issue: { file: filePath, line: 1, column: 1, endLine: 1, endColumn: 1, path: '', message: reason, severity: 'error' },
  });
  let bytes: Buffer;
  try {
    const stat = await fs.stat(filePath);
    if (!stat.isFile()) return unreadable('cannot read the usage file: it is not a regular file');
    if (stat.size > MAX_USAGE_FILE_BYTES) return unreadable(`the usage file is too large (${stat.size} bytes; at most ${MAX_USAGE_FILE_BYTES})`);
    bytes = await fs.readFile(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return unreadable(code === 'ENOENT' ? 'usage file not found' : `cannot read the usage file: ${(error as Error).message}`);
  }

  const text = bytes.toString('utf8');
  const result = parseUsageFile(text, filePath);
  for (const other of others) {
    const warning: UsageIssue = {
      file: filePath,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      path: '',
      message: `${path.basename(other)} is ignored: ${path.basename(filePath)} takes precedence (keep one usage file)`,
      severity: 'warning',
    };
    if (result.ok) result.warnings.push(warning);
    else result.issues.push(warning);
  }
  const pricesFilePath = result.ok && result.config.pricesFile !== undefined ? path.resolve(path.dirname(filePath), result.config.pricesFile) : null;
  return { status: 'loaded', path: filePath, text, result, pricesFilePath };
}

async function isFile(candidate: string): Promise<boolean> {
  try {
    return (await fs.stat(candidate)).isFile();
  } catch {
    return false;
  }
}
