/**
 * Cost findings in the Problems panel, each with a stable `code` quick fixes attach to:
 * - `costlens.unresolved-model`: the model cannot be known statically, so the cost is unknown;
 * - `costlens.unknown-price`: no price is known for the model;
 * - `costlens.unbounded-output`: no output limit, so the cost per request has no ceiling.
 */
import * as vscode from 'vscode';
import type { EstimatedCallSite } from '../core/engine/engine';
import type { AnalysisService } from './analysisService';
import { toRange } from './convert';

export const DIAGNOSTIC_CODES = {
  unresolvedModel: 'costlens.unresolved-model',
  unknownPrice: 'costlens.unknown-price',
  unboundedOutput: 'costlens.unbounded-output',
} as const;

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
    add(DIAGNOSTIC_CODES.unknownPrice, `No price known for ${site.model.resolved} (${site.provider}): ${site.estimate.priceUnknownReason ?? 'unknown'}. It is left out of totals.`, vscode.DiagnosticSeverity.Warning);
  }
  const generates = site.api !== 'embeddings' && site.role !== 'construct';
  if (generates && site.params.maxOutputTokens === null && !(site.role === 'invoke' && site.estimate?.outputSource === 'limit')) {
    add(DIAGNOSTIC_CODES.unboundedOutput, `No output limit: the cost of one request has no ceiling (${site.estimate?.outputTokens ?? '?'} output tokens assumed).`, vscode.DiagnosticSeverity.Information);
  }
  return out;
}

export function register(service: AnalysisService): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('costlens');
  const publish = (): void => {
    collection.clear();
    if (!service.currentSettings.diagnosticsEnabled) return;
    const byUri = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    for (const { site, uri } of service.allSites()) {
      const diagnostics = diagnosticsFor(site);
      if (!diagnostics.length) continue;
      const entry = byUri.get(uri.toString()) ?? { uri, diagnostics: [] };
      entry.diagnostics.push(...diagnostics);
      byUri.set(uri.toString(), entry);
    }
    for (const { uri, diagnostics } of byUri.values()) collection.set(uri, diagnostics);
  };
  publish();
  return vscode.Disposable.from(collection, service.onDidChange(publish));
}
