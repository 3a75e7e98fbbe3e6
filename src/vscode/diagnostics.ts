/**
 * Cost findings in the Problems panel, each with a stable `code` quick fixes attach to:
 * - `costlens.unresolved-model`: the model cannot be known statically, so the cost is unknown;
 * - `costlens.unknown-price`: no price is known for the model;
 * - `costlens.unbounded-output`: no output limit, so the cost per request has no ceiling.
 */
import * as vscode from 'vscode';
import type { EstimatedCallSite } from '../core/engine/engine';
import type { AnalysisService } from './analysisService';
import { toAnchor, toRange } from './convert';
import { impactUsd } from '../core/advise/advise';
import { formatCostPerRequest, formatMoneyCompact, type Currency } from '../core/format';

export const DIAGNOSTIC_CODES = {
  unresolvedModel: 'costlens.unresolved-model',
  unknownPrice: 'costlens.unknown-price',
  unboundedOutput: 'costlens.unbounded-output',
} as const;

/** Suggestions appear as `costlens.advice.<kind>` diagnostics (right-size, route, cache, prompt-cache, batch, ...). */
export const ADVICE_CODE_PREFIX = 'costlens.advice.';

/**
 * Severity by the size of the saving (or of what is at stake). Never Hint: VS Code leaves Hint diagnostics out of the
 * Problems panel, and every suggestion above `costlens.advice.minMonthlySaving` is meant to be listed there.
 */
function adviceSeverity(usd: number): vscode.DiagnosticSeverity {
  if (usd >= 1000) return vscode.DiagnosticSeverity.Warning;
  return vscode.DiagnosticSeverity.Information;
}

export function adviceDiagnostics(site: EstimatedCallSite, minMonthlySaving: number, currency: Currency): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  for (const s of site.suggestions ?? []) {
    // Output bounds are reported by the `costlens.unbounded-output` finding, which carries their quick fix.
    if (s.kind === 'bound-output') continue;
    const impact = impactUsd(s, site);
    if (impact < minMonthlySaving) continue;
    const anchor = toAnchor(site);
    const d = new vscode.Diagnostic(new vscode.Range(anchor, anchor.translate(0, Math.max(1, site.callee.split('.').pop()!.length))), `${s.message}${s.monthlySavingUsd === null && s.atStake ? ` (${formatMoneyCompact(s.atStake.usd, currency)} at stake)` : ''}`, adviceSeverity(impact));
    d.source = 'costlens';
    d.code = `${ADVICE_CODE_PREFIX}${s.kind}`;
    out.push(d);
  }
  return out;
}

export function diagnosticsFor(site: EstimatedCallSite): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  const range = toRange(site.range);
  const first = new vscode.Range(range.start, range.start.line === range.end.line ? range.end : new vscode.Position(range.start.line, Number.MAX_SAFE_INTEGER));
  const add = (code: string, message: string, severity: vscode.DiagnosticSeverity): void => {
    const d = new vscode.Diagnostic(first, message, severity);
    d.source = 'costlens';
    d.code = code;
    out.push(d);
  };
  if (!site.model.resolved && site.role !== 'construct') {
    add(DIAGNOSTIC_CODES.unresolvedModel, `LLM call with an unresolved model (${site.model.resolution}); its cost is unknown. Set \`model\` for ${site.id} in costlens.yml or use a constant.`, vscode.DiagnosticSeverity.Warning);
  } else if (site.estimate && site.estimate.costPerRequestUsd === null) {
    add(DIAGNOSTIC_CODES.unknownPrice, `No price known for ${site.model.resolved} (${site.provider}): ${(site.estimate.priceUnknownReason ?? 'unknown').replace(/\.+$/, '')}. It is left out of totals.`, vscode.DiagnosticSeverity.Warning);
  }
  const generates = site.api !== 'embeddings' && site.role !== 'construct';
  if (generates && site.params.maxOutputTokens === null && !(site.role === 'invoke' && site.estimate?.outputSource === 'limit')) {
    const bound = site.suggestions?.find((s) => s.kind === 'bound-output');
    add(DIAGNOSTIC_CODES.unboundedOutput, `No output limit: the cost of one request has no ceiling (${site.estimate?.outputTokens ?? '?'} output tokens assumed)${bound?.atStake ? `; up to ${formatCostPerRequest(bound.atStake.usd)} per request` : ''}.`, vscode.DiagnosticSeverity.Information);
  }
  return out;
}

/** What a file's diagnostics show, to tell whether they changed. */
function fingerprint(diagnostics: vscode.Diagnostic[]): string {
  return JSON.stringify(diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.severity, d.code, d.message]));
}

export function register(service: AnalysisService): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('costlens');
  // Only files whose diagnostics changed are re-set: every re-set fires a marker change in the editors of that file,
  // which restarts their code-action request (a Quick Fix menu opened at that moment comes up empty).
  let published = new Map<string, { uri: vscode.Uri; fingerprint: string }>();
  const publish = (): void => {
    const byUri = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    const settings = service.currentSettings;
    if (settings.diagnosticsEnabled) {
      for (const { site, uri } of service.allSites()) {
        const diagnostics = [...diagnosticsFor(site), ...adviceDiagnostics(site, settings.adviceMinMonthlySaving, settings.currency)];
        if (!diagnostics.length) continue;
        const entry = byUri.get(uri.toString()) ?? { uri, diagnostics: [] };
        entry.diagnostics.push(...diagnostics);
        byUri.set(uri.toString(), entry);
      }
    }
    const next = new Map<string, { uri: vscode.Uri; fingerprint: string }>();
    const changes: Array<[vscode.Uri, vscode.Diagnostic[] | undefined]> = [];
    for (const [key, { uri, diagnostics }] of byUri) {
      const print = fingerprint(diagnostics);
      next.set(key, { uri, fingerprint: print });
      if (published.get(key)?.fingerprint !== print) changes.push([uri, diagnostics]);
    }
    for (const [key, { uri }] of published) if (!next.has(key)) changes.push([uri, undefined]);
    // One update for all files (one message to the editor, not one per file: a first scan changes hundreds).
    if (changes.length) collection.set(changes);
    published = next;
  };
  publish();
  // After a change, in a task of its own: after a full scan, the results arrive, are linked and reach the lenses, the
  // tree and the status bar in one task; building and sending hundreds of files' diagnostics in the same task would
  // make it one long stall of the editor's extension host.
  let pending: NodeJS.Immediate | undefined;
  const schedule = (): void => {
    pending ??= setImmediate(() => {
      pending = undefined;
      publish();
    });
  };
  return vscode.Disposable.from(collection, service.onDidChange(schedule), { dispose: () => pending && clearImmediate(pending) });
}
