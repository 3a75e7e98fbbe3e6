/** CodeLens above each call site: `≈ $0.0042/req · $1.3k/mo · gpt-4o`, flagged when it rests on assumptions. */
import * as vscode from 'vscode';
import { lensText } from '../core/report/explain';
import type { AnalysisService } from './analysisService';
import { COMMANDS } from './commandIds';
import { hintsEnabledFor, SUPPORTED_LANGUAGES } from './hintSettings';
import { toAnchor } from './convert';

class CostCodeLensProvider implements vscode.CodeLensProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly service: AnalysisService) {}

  refresh(): void {
    this.emitter.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const settings = this.service.currentSettings;
    if (settings.hintStyle !== 'codeLens' || !hintsEnabledFor(document, settings)) return [];
    return this.service.sitesFor(document.uri).map((site) => {
      const { text, flags } = lensText(site, settings.currency);
      const range = new vscode.Range(toAnchor(site), toAnchor(site));
      const marker = flags.length ? ` $(warning) ${flags.join(', ')}` : '';
      return new vscode.CodeLens(range, {
        title: `$(graph) ${text}${marker}`,
        tooltip: `costlens: click for the cost breakdown (${site.id})`,
        command: COMMANDS.showBreakdown,
        arguments: [document.uri, site.id],
      });
    });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function register(service: AnalysisService): vscode.Disposable {
  const provider = new CostCodeLensProvider(service);
  return vscode.Disposable.from(
    provider,
    vscode.languages.registerCodeLensProvider(SUPPORTED_LANGUAGES.map((language) => ({ language, scheme: 'file' })), provider),
    service.onDidChange(() => provider.refresh()),
  );
}
