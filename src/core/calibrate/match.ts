/**
 * Which call site a telemetry record belongs to. The first rule that applies wins:
 *
 *   1. id        the record names the call site itself (`costlens.call_site` attribute, metadata key or property)
 *   2. location  its code location (`code.file.path` / `code.filepath` + `code.line.number` / `code.lineno`): the file
 *                is the scanned file whose path is a suffix of the recorded one (absolute paths from servers and
 *                containers match); the call site is the one whose call spans the line (the innermost), else the
 *                nearest within NEAR_LINES lines (in the record's function when it names one). A file with a single
 *                call site matches without a line.
 *   3. rule      the first `calibration.match` rule of costlens.yml whose conditions (tag, model, traceName) all hold
 *   4. function  `code.function.name` / `code.function` equals the site's enclosing function, or one ends with
 *                `.` + the other (`app.api.answers.answer_question` ~ `answer_question`, `answer` ~ `ChatService.answer`);
 *                within the record's file when it names a scanned file
 *
 * When a rule or a function names several call sites, the record is split evenly between them (each gets 1/k of its
 * requests, tokens and cost): telemetry cannot tell them apart, and an even split does not favour the assumptions.
 */
import { compileCallSitePattern } from '../usage/callSitePatterns';
import type { CalibrationMatchRule } from '../usage/schema';
import type { MatchKind } from './stats';
import type { TelemetryRecord } from './types';

/** Lines between a recorded line and a call site that still count as that call site. */
export const NEAR_LINES = 3;

/** What matching needs of a call site (an `EstimatedCallSite` fits). */
export interface MatchableSite {
  id: string;
  file: string;
  line: number;
  range: { startLine: number; endLine: number };
  enclosingFunction: string | null;
}

export type MatchResult<S extends MatchableSite = MatchableSite> =
  | { kind: MatchKind; sites: S[]; rule?: number | undefined }
  | { kind: 'unmatched'; reason: string };

interface CompiledRule<S> {
  index: number;
  tags: { key: string; value: string | undefined }[];
  model: RegExp | null;
  traceName: RegExp | null;
  sites: S[];
  text: string;
}

/** A case-insensitive glob with `*` (any text, `/` included) and `?` (one character). */
export function simpleGlob(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

/** `key=value` → { key, value }; `key` → { key, value: undefined }. Keys are compared lower-cased. */
export function parseTagCondition(tag: string): { key: string; value: string | undefined } {
  const eq = tag.indexOf('=');
  return eq === -1 ? { key: tag.trim().toLowerCase(), value: undefined } : { key: tag.slice(0, eq).trim().toLowerCase(), value: tag.slice(eq + 1).trim() };
}

/** A recorded path in POSIX form without `file://`, `./` and duplicate slashes. */
export function normalizeRecordedPath(recorded: string): string {
  return recorded
    .trim()
    .replace(/^file:\/\//, '')
    .replace(/\\/g, '/')
    .replace(/\/\.\//g, '/')
    .replace(/^\.\//, '')
    .replace(/\/{2,}/g, '/');
}

function normalizeFunction(name: string): string {
  return name.trim().replace(/::|#|\//g, '.').replace(/\(\)$/, '');
}

/** True when a recorded function name denotes the site's enclosing function. */
export function functionMatches(siteFunction: string | null, recorded: string): boolean {
  if (!siteFunction) return false;
  const site = normalizeFunction(siteFunction);
  const rec = normalizeFunction(recorded);
  return rec === site || rec.endsWith(`.${site}`) || site.endsWith(`.${rec}`);
}

export class CallSiteMatcher<S extends MatchableSite = MatchableSite> {
  private readonly byId = new Map<string, S>();
  private readonly byFile = new Map<string, S[]>();
  private readonly files: string[];
  private readonly fileMemo = new Map<string, string | null>();
  private readonly rules: CompiledRule<S>[];
  /** Requests matched by each rule (index in `calibration.match`). */
  readonly ruleRequests: number[];

  constructor(
    private readonly sites: readonly S[],
    rules: readonly CalibrationMatchRule[] = [],
  ) {
    for (const site of sites) {
      this.byId.set(site.id, site);
      const list = this.byFile.get(site.file) ?? [];
      list.push(site);
      this.byFile.set(site.file, list);
    }
    this.files = [...this.byFile.keys()];
    this.rules = rules.map((rule, index) => {
      const patterns = rule.callSites.map((p) => compileCallSitePattern(p));
      return {
        index,
        tags: (rule.tag ?? []).map(parseTagCondition),
        model: rule.model ? simpleGlob(rule.model) : null,
        traceName: rule.traceName ? simpleGlob(rule.traceName) : null,
        sites: sites.filter((site) => patterns.some((p) => p.matches(site.id))),
        text: describeRule(rule),
      };
    });
    this.ruleRequests = rules.map(() => 0);
  }

  /** Rules whose `callSites` match no scanned call site (worth a warning). */
  get emptyRules(): { index: number; text: string }[] {
    return this.rules.filter((r) => r.sites.length === 0).map((r) => ({ index: r.index, text: r.text }));
  }

  /** The scanned file a recorded path denotes, or null. */
  fileFor(recorded: string): string | null {
    const memo = this.fileMemo.get(recorded);
    if (memo !== undefined) return memo;
    const path = normalizeRecordedPath(recorded);
    let best: string | null = null;
    for (const file of this.files) {
      if ((path === file || path.endsWith(`/${file}`)) && (best === null || file.length > best.length)) best = file;
    }
    if (best === null) {
      // A recorded path shorter than the scanned one (`answers.py`, `api/answers.py` from another root): unique suffix.
      const shorter = this.files.filter((file) => file.endsWith(`/${path}`));
      if (shorter.length === 1) best = shorter[0];
    }
    if (this.fileMemo.size < 100_000) this.fileMemo.set(recorded, best);
    return best;
  }

  match(record: TelemetryRecord): MatchResult<S> {
    // 1. The record names its call site.
    if (record.callSiteId) {
      const site = this.byId.get(record.callSiteId);
      if (site) return { kind: 'id', sites: [site] };
      return { kind: 'unmatched', reason: `names call site ${record.callSiteId}, which the scan did not find` };
    }

    // 2. Code location.
    const loc = record.location;
    let file: string | null = null;
    let locationReason: string | undefined;
    if (loc?.file) {
      file = this.fileFor(loc.file);
      if (file) {
        const inFile = this.byFile.get(file)!;
        if (loc.line !== undefined) {
          const site = this.atLine(inFile, loc.line, loc.function);
          if (site) return { kind: 'location', sites: [site] };
          locationReason = `no call site at or near ${file}:${loc.line}`;
        } else if (!loc.function && inFile.length === 1) {
          return { kind: 'location', sites: [inFile[0]] };
        } else if (!loc.function) {
          locationReason = `${file} has ${inFile.length} call sites and the record gives no line or function`;
        }
      } else {
        locationReason = `code location ${normalizeRecordedPath(loc.file)}${loc.line !== undefined ? `:${loc.line}` : ''} is not in a scanned file with call sites`;
      }
    }

    // 3. Rules of costlens.yml.
    for (const rule of this.rules) {
      if (!this.ruleApplies(rule, record)) continue;
      if (rule.sites.length === 0) return { kind: 'unmatched', reason: `calibration.match rule ${rule.index + 1} (${rule.text}) applies but its callSites match no call site` };
      this.ruleRequests[rule.index] += record.requests;
      return { kind: 'rule', sites: rule.sites, rule: rule.index };
    }

    // 4. Function name (in the recorded file when known).
    if (loc?.function) {
      const pool = file ? this.byFile.get(file)! : this.sites;
      const sites = pool.filter((site) => functionMatches(site.enclosingFunction, loc.function!));
      if (sites.length > 0) return { kind: 'function', sites };
      locationReason ??= `no call site in function ${loc.function}${file ? ` of ${file}` : ''}`;
    }

    return { kind: 'unmatched', reason: locationReason ?? 'no code location, and no calibration.match rule applies' };
  }

  private atLine(inFile: S[], line: number, fn: string | undefined): S | null {
    let best: S | null = null;
    for (const site of inFile) {
      if (site.range.startLine <= line && line <= site.range.endLine) {
        if (!best || site.range.endLine - site.range.startLine < best.range.endLine - best.range.startLine) best = site;
      }
    }
    if (best) return best;
    let bestDistance = Infinity;
    for (const site of inFile) {
      if (fn && site.enclosingFunction && !functionMatches(site.enclosingFunction, fn)) continue;
      const distance = Math.min(Math.abs(site.range.startLine - line), Math.abs(site.range.endLine - line));
      if (distance <= NEAR_LINES && distance < bestDistance) {
        best = site;
        bestDistance = distance;
      }
    }
    return best;
  }

  private ruleApplies(rule: CompiledRule<S>, record: TelemetryRecord): boolean {
    for (const { key, value } of rule.tags) {
      if (!Object.hasOwn(record.tags, key)) return false;
      if (value !== undefined && record.tags[key] !== value) return false;
    }
    if (rule.model && !(record.model && rule.model.test(record.model))) return false;
    if (rule.traceName && !(record.traceName && rule.traceName.test(record.traceName))) return false;
    return true;
  }
}

/** `tag feature=chat, model gpt-4o*` */
export function describeRule(rule: CalibrationMatchRule): string {
  const parts: string[] = [];
  if (rule.tag?.length) parts.push(`tag ${rule.tag.join(' & ')}`);
  if (rule.model) parts.push(`model ${rule.model}`);
  if (rule.traceName) parts.push(`traceName ${rule.traceName}`);
  return parts.join(', ');
}
