/**
 * Quick fixes for cost findings, tied to diagnostics by `code`: every suggestion that carries an edit becomes a
 * code action that applies it as one WorkspaceEdit (changed files and new scaffold files), which can be undone.
 */
import * as vscode from 'vscode';
import type { Suggestion } from '../core/advise/types';
import type { AnalysisService } from './analysisService';
import { COMMANDS } from './commandIds';
import { SUPPORTED_LANGUAGES } from './hintSettings';
import { ADVICE_CODE_PREFIX, DIAGNOSTIC_CODES } from './diagnostics';

/** Builds the WorkspaceEdit of a suggestion; null when the files changed since they were analysed. */
export async function workspaceEditFor(folder: vscode.WorkspaceFolder, s: Suggestion): Promise<{ edit: vscode.WorkspaceEdit; created: vscode.Uri[] } | null> {
  if (!s.edit) return null;
  const edit = new vscode.WorkspaceEdit();
  for (const change of s.edit.changes) {
    const uri = vscode.Uri.joinPath(folder.uri, change.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = new vscode.Range(change.range.startLine - 1, change.range.startColumn - 1, change.range.endLine - 1, change.range.endColumn - 1);
    // The edit was computed on the text as analysed; refuse it if that text moved (the analysis will catch up).
    if (doc.offsetAt(range.start) !== change.range.startOffset || doc.offsetAt(range.end) !== change.range.endOffset) return null;
    edit.replace(uri, range, change.newText);
  }
  const created: vscode.Uri[] = [];
  for (const file of s.edit.newFiles) {
    const uri = vscode.Uri.joinPath(folder.uri, file.file);
    try {
      await vscode.workspace.fs.stat(uri);
      continue; // never overwrite an existing file
    } catch {
      // absent: create it
    }
    edit.createFile(uri, { ignoreIfExists: true, contents: new TextEncoder().encode(file.content) });
    created.push(uri);
  }
  return { edit, created };
}

class CostQuickFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly service: AnalysisService) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const sites = this.service.sitesFor(document.uri);
    for (const diagnostic of context.diagnostics) {
      const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
      if (typeof code !== 'string') continue;
      const kind = code === DIAGNOSTIC_CODES.unboundedOutput ? 'bound-output' : code.startsWith(ADVICE_CODE_PREFIX) ? code.slice(ADVICE_CODE_PREFIX.length) : null;
      if (!kind) continue;
      for (const site of sites) {
        if (site.line - 1 !== diagnostic.range.start.line) continue;
        for (const s of site.suggestions ?? []) {
          if (s.kind !== kind || !s.edit) continue;
          const action = new vscode.CodeAction(s.edit.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [diagnostic];
          action.isPreferred = s.confidence === 'high';
          action.command = { command: COMMANDS.applySuggestion, title: s.edit.title, arguments: [s.id] };
          actions.push(action);
        }
      }
    }
    return actions;
  }
}

export function register(service: AnalysisService): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerCodeActionsProvider(
      SUPPORTED_LANGUAGES.map((language) => ({ language, scheme: 'file' })),
      new CostQuickFixProvider(service),
      { providedCodeActionKinds: CostQuickFixProvider.kinds },
    ),
    vscode.commands.registerCommand(COMMANDS.applySuggestion, async (id: string) => {
      const found = service.findSuggestion(id);
      if (!found) {
        void vscode.window.showWarningMessage('costlens: this suggestion no longer applies (the code changed).');
        return;
      }
      const built = await workspaceEditFor(found.folder, found.suggestion);
      if (!built) {
        void vscode.window.showWarningMessage('costlens: the file changed since it was analysed; try again in a moment.');
        return;
      }
      if (!(await vscode.workspace.applyEdit(built.edit))) {
        void vscode.window.showErrorMessage(`costlens: could not apply "${found.suggestion.edit?.title}".`);
        return;
      }
      service.log.info(`applied ${found.suggestion.id}: ${found.suggestion.edit?.title}`);
      if (built.created[0]) await vscode.window.showTextDocument(built.created[0], { preview: false });
    }),
  );
}
