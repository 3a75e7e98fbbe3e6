/**
 * Finds the LLM call sites of one file: walks its calls, applies the SDK rules, reads each request, classifies the
 * context, and gives every site its stable id.
 */
import type { CallSite, ModelRef, TrafficPragma } from '../types';
import { parseTrafficPragma } from '../usage/pragma';
import { ContextClassifier, enclosingFunctions } from './context';
import type { Evaluator } from './evaluate';
import type { Node } from './parser';
import type { FileUnit } from './project';
import { readRequest } from './request';
import { matchCall, type SiteMatch } from './rules';
import { CALL_TYPES, CLASS_TYPES, calleeNameNode, calleeOf, descendantsOfTypes, functionName, rangeOf } from './syntax';
import { describeVia, stringOf, type Value } from './values';

/** A call site plus the location of the construct it uses, resolved to an id once every file is scanned. */
export interface DetectedSite extends CallSite {
  constructRef?: { file: string; offset: number } | undefined;
}

export function detectFile(unit: FileUnit, ev: Evaluator): DetectedSite[] {
  const calls = descendantsOfTypes(unit.root, CALL_TYPES);
  const contexts = new ContextClassifier(unit, calls);
  const sites: DetectedSite[] = [];
  const ordinals = new Map<string, number>();
  for (const call of calls) {
    let match: SiteMatch | null;
    try {
      match = matchCall(call, unit, ev);
    } catch (err) {
      // A rule failing on odd code must not lose the rest of the file.
      match = null;
      void err;
    }
    if (!match) continue;
    const enclosing = enclosingName(call);
    const ordinal = ordinals.get(enclosing) ?? 0;
    ordinals.set(enclosing, ordinal + 1);
    const request = readRequest(match, call, unit, ev);
    const ctx = contexts.classify(call);
    const args = call.childForFieldName('arguments');
    const nameNode = calleeNameNode(calleeOf(call)!);
    const line = (args ?? call).startPosition.row + 1;
    const column = nameNode.startPosition.row + 1 === line ? nameNode.startPosition.column + 1 : call.startPosition.column + 1;
    const site: DetectedSite = {
      id: `${unit.path}#${enclosing}#${ordinal}`,
      file: unit.path,
      line,
      column,
      range: rangeOf(call),
      language: unit.language,
      sdk: match.sdk,
      api: match.api,
      role: match.role,
      provider: match.provider,
      providerReason: match.providerReason,
      model: modelRef(match),
      callee: calleeOf(call)!.text.replace(/\s+/g, ''),
      enclosingFunction: enclosing === MODULE ? null : enclosing,
      streaming: match.streamingByApi ?? (request.stream.present ? request.stream.value : false),
      inLoop: ctx.inLoop,
      context: ctx.context,
      contextReason: ctx.reason,
      prompt: request.prompt,
      params: request.params,
      pragma: findPragma(unit, call),
    };
    if (match.role === 'invoke' && match.bound?.construct) {
      site.constructRef = { file: match.bound.construct.file.path, offset: match.bound.construct.node.startIndex };
    }
    sites.push(site);
  }
  return sites;
}

const MODULE = '<module>';

/** `Class.method`, `function`, or `<module>`; anonymous callbacks take the name of their nearest named ancestor. */
export function enclosingName(node: Node): string {
  for (const fn of enclosingFunctions(node)) {
    const name = functionName(fn);
    if (!name) continue;
    const cls = classOf(fn);
    return cls ? `${cls}.${name}` : name;
  }
  return MODULE;
}

function classOf(fn: Node): string | null {
  for (let p = fn.parent; p; p = p.parent) {
    if (CLASS_TYPES.has(p.type)) return p.childForFieldName('name')?.text ?? null;
    if (p.type === 'function_definition' || p.type === 'function_declaration') return null;
  }
  return null;
}

function modelRef(match: SiteMatch): ModelRef {
  const value: Value | null = match.model;
  const boundPrefix = match.bound?.construct ? `bound at ${match.bound.construct.file.path}:${match.bound.construct.node.startPosition.row + 1}` : null;
  const withPrefix = (s: string): string => (boundPrefix && match.role === 'invoke' ? `${s} (${boundPrefix})` : s);
  if (!value || value.kind === 'none' || (value.kind === 'str' && value.value === '' && match.deployment)) {
    if (match.deployment) return { expression: null, resolved: match.deployment, resolution: 'Azure deployment bound to the client' };
    return { expression: match.modelExpression, resolved: null, resolution: withPrefix(match.modelExpression ? describeVia(value ?? { kind: 'none' }) : 'unresolved: no model argument (library default)') };
  }
  const resolved = stringOf(value);
  const literalValue = value.kind === 'str' ? value : value.kind === 'env' && value.fallback?.kind === 'str' ? value.fallback : null;
  const ref: ModelRef = {
    expression: match.modelExpression,
    resolved,
    resolution: withPrefix(describeVia(value)),
  };
  if (literalValue?.origin && literalValue.value === resolved) ref.literal = { file: literalValue.origin.file.path, range: rangeOf(literalValue.origin.node) };
  return ref;
}

/** `# costlens: 20000/day` on the call's line or on the line just above it. */
function findPragma(unit: FileUnit, call: Node): TrafficPragma | undefined {
  const lines = [call.startPosition.row, call.startPosition.row - 1];
  const text = unit.text;
  for (const row of lines) {
    if (row < 0) continue;
    const lineText = lineAt(text, row);
    const idx = lineText.search(/(#|\/\/|\/\*)\s*costlens\s*:/i);
    if (idx < 0) continue;
    const parsed = parseTrafficPragma(lineText.slice(idx));
    if (parsed) return { requestsPerMonth: parsed.requestsPerMonth, text: parsed.text, line: row + 1 };
  }
  return undefined;
}

function lineAt(text: string, row: number): string {
  let start = 0;
  for (let i = 0; i < row; i++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}
