/** Inlay hint at the end of a call's line, when `costlens.hints.style` is `inlayHint`. */
import * as vscode from 'vscode';
import { explainMarkdown, lensText } from '../core/report/explain';
import type { AnalysisService } from './analysisService';
import { hintsEnabledFor, SUPPORTED_LANGUAGES } from './hintSettings';

class CostInlayHintsProvider implements vscode.InlayHintsProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.emitter.event;

  constructor(private readonly service: AnalysisService) {}

  refresh(): void {
    this.emitter.fire();
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const settings = this.service.currentSettings;
    if (settings.hintStyle !== 'inlayHint' || !hintsEnabledFor(document, settings)) return [];
    const hints: vscode.InlayHint[] = [];
    for (const site of this.service.sitesFor(document.uri)) {
      const line = site.line - 1;
      if (line < range.start.line || line > range.end.line || line >= document.lineCount) continue;
      const { text, flags } = lensText(site, settings.currency);
      // VS Code cuts inlay hints after `editor.inlayHints.maximumLength` characters (43 by default): the warning
      // marker goes first so that a figure resting on assumptions stays marked; the tooltip names the flags.
      const warn = flags.length ? '⚠ ' : '';
      const hint = new vscode.InlayHint(document.lineAt(line).range.end, `${warn}${text}${flags.length ? ` · ${flags.join(', ')}` : ''}`, vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      hint.tooltip = new vscode.MarkdownString(`${flags.length ? `**⚠ ${flags.join(', ')}**\n\n` : ''}${explainMarkdown(site, settings.currency)}`);
      hints.push(hint);
    }
    return hints;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function register(service: AnalysisService): vscode.Disposable {
  const provider = new CostInlayHintsProvider(service);
  return vscode.Disposable.from(
    provider,
    vscode.languages.registerInlayHintsProvider(SUPPORTED_LANGUAGES.map((language) => ({ language, scheme: 'file' })), provider),
    service.onDidChange(() => provider.refresh()),
  );
}
