/** Validation of costlens.yml in the editor: each problem at its line; the last valid configuration stays in force. */
import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import { issueRange } from './convert';

export function register(service: AnalysisService): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('costlens-usage');
  const publish = (): void => {
    collection.clear();
    for (const { usage } of service.usageStates()) {
      if (!usage.uri) continue;
      collection.set(
        usage.uri,
        usage.issues.map((issue) => {
          const d = new vscode.Diagnostic(
            issueRange(issue),
            usage.invalid && issue.severity === 'error' ? `${issue.message} (the last valid costlens.yml stays in force until this is fixed)` : issue.message,
            issue.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
          );
          d.source = 'costlens';
          d.code = 'costlens.usage-file';
          return d;
        }),
      );
    }
  };
  publish();
  return vscode.Disposable.from(collection, service.onDidChange(publish));
}
