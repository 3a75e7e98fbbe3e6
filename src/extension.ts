/**
 * Composition root: create the analysis service and register one adapter per surface. Every registration is
 * pushed to `context.subscriptions`, so deactivation disposes everything.
 */
import * as vscode from 'vscode';
import type { ScanTotals } from './core/engine/engine';
import { AnalysisService } from './vscode/analysisService';
import * as callSiteTree from './vscode/callSiteTree';
import * as codeLens from './vscode/codeLens';
import * as commands from './vscode/commands';
import * as diagnostics from './vscode/diagnostics';
import * as hover from './vscode/hover';
import * as inlayHints from './vscode/inlayHints';
import * as quickFixes from './vscode/quickFixes';
import * as reportPanel from './vscode/reportPanel';
import * as calculatorPanel from './vscode/calculatorPanel';
import * as apiKeys from './vscode/apiKeys';
import * as comparePanel from './vscode/comparePanel';
import * as telemetryImport from './vscode/telemetryImport';
import * as statusBar from './vscode/statusBar';
import * as usageFileDiagnostics from './vscode/usageFileDiagnostics';

/** What `activate` returns (`vscode.extensions.getExtension('costlens.costlens').exports`): read-only, for tests. */
export interface CostlensApi {
  /** The workspace totals that the status bar shows. */
  totals(): ScanTotals;
  /** Whether the first workspace scan has finished. */
  hasScanned(): boolean;
}

export async function activate(context: vscode.ExtensionContext): Promise<CostlensApi> {
  const started = Date.now();
  const log = vscode.window.createOutputChannel('costlens', { log: true });
  const service = new AnalysisService(context, log);
  const keys = new apiKeys.ApiKeyStore(context.secrets);
  context.subscriptions.push(
    log,
    service,
    keys,
    codeLens.register(service),
    inlayHints.register(service),
    hover.register(service),
    diagnostics.register(service),
    quickFixes.register(service),
    usageFileDiagnostics.register(service),
    callSiteTree.register(service),
    statusBar.register(service),
    commands.register(service),
    reportPanel.register(context, service),
    calculatorPanel.register(context, service),
    apiKeys.register(keys, log),
    comparePanel.register(context, service, keys),
    telemetryImport.register(service),
  );
  log.info(`costlens activated in ${Date.now() - started} ms (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted mode'})`);
  // The first scan runs in the background; activation does not wait for it.
  void service.start();
  return { totals: () => service.totals(), hasScanned: () => service.hasScanned() };
}

export function deactivate(): void {}
