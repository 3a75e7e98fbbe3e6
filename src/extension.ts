/**
 * Composition root: create the analysis service and register one adapter per surface. Every registration is
 * pushed to `context.subscriptions`, so deactivation disposes everything.
 */
import * as vscode from 'vscode';
import { AnalysisService } from './vscode/analysisService';
import * as callSiteTree from './vscode/callSiteTree';
import * as codeLens from './vscode/codeLens';
import * as commands from './vscode/commands';
import * as diagnostics from './vscode/diagnostics';
import * as hover from './vscode/hover';
import * as inlayHints from './vscode/inlayHints';
import * as quickFixes from './vscode/quickFixes';
import * as reportPanel from './vscode/reportPanel';
import * as statusBar from './vscode/statusBar';
import * as usageFileDiagnostics from './vscode/usageFileDiagnostics';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  const log = vscode.window.createOutputChannel('costlens', { log: true });
  const service = new AnalysisService(context, log);
  context.subscriptions.push(
    log,
    service,
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
  );
  log.info(`costlens activated in ${Date.now() - started} ms (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted mode'})`);
  // The first scan runs in the background; activation does not wait for it.
  void service.start();
}

export function deactivate(): void {}
