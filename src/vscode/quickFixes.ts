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

/**
 * Builds the WorkspaceEdit of a suggestion; null when the files changed since they were analysed. `analysedAt` is when
 * the analysis last published results (a file written on disk after it has not been re-analysed yet).
 */
export async function workspaceEditFor(
  folder: vscode.WorkspaceFolder,
  s: Suggestion,
  analysedAt = Number.POSITIVE_INFINITY,
): Promise<{ edit: vscode.WorkspaceEdit; created: vscode.Uri[]; existing: vscode.Uri[] } | null> {
  if (!s.edit) return null;
  const edit = new vscode.WorkspaceEdit();
  for (const change of s.edit.changes) {
    const uri = vscode.Uri.joinPath(folder.uri, change.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = new vscode.Range(change.range.startLine - 1, change.range.startColumn - 1, change.range.endLine - 1, change.range.endColumn - 1);
    // The edit was computed on the text as analysed; refuse it if that text moved (the analysis will catch up).
    if (doc.offsetAt(range.start) !== change.range.startOffset || doc.offsetAt(range.end) !== change.range.endOffset) return null;
    // Edits are computed on the file as it is on disk (also when its buffer was analysed). Offsets alone miss an edit
    // on the same line before the target (`TAG_MODEL: str = "gpt-4o"`) or inside it: the text up to the end of the
    // change must still be what was analysed, and the file must not have been written since the last analysis.
    let disk: string;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.mtime > analysedAt) return null;
      disk = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return null;
    }
    const end = change.range.endOffset;
    if (disk.length < end || doc.getText().slice(0, end) !== disk.slice(0, end)) return null;
    edit.replace(uri, range, change.newText);
  }
  const created: vscode.Uri[] = [];
  const existing: vscode.Uri[] = [];
  for (const file of s.edit.newFiles) {
    const uri = vscode.Uri.joinPath(folder.uri, file.file);
    try {
      await vscode.workspace.fs.stat(uri);
      existing.push(uri);
      continue; // never overwrite an existing file
    } catch {
      // absent: create it
    }
    edit.createFile(uri, { ignoreIfExists: true, contents: new TextEncoder().encode(file.content) });
    created.push(uri);
  }
  return { edit, created, existing };
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
        // Advice diagnostics sit on the call's anchor (the line of its opening parenthesis); the unbounded-output one
        // on the first line of the call expression, which differs for a chained call (`openai.chat.completions\n.create(`).
        const line = code === DIAGNOSTIC_CODES.unboundedOutput ? site.range.startLine : site.line;
        if (line - 1 !== diagnostic.range.start.line) continue;
        for (const s of site.suggestions ?? []) {
          if (s.kind !== kind || !s.edit) continue;
          const action = new vscode.CodeAction(s.edit.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [diagnostic];
          action.isPreferred = s.confidence === 'high';
          action.command = { command: COMMANDS.applySuggestion, title: s.edit.title, arguments: [s.id] };
          actions.push(action);
          if (s.kind === 'right-size' && s.alternatives?.length) {
            // Measure before switching: the same prompt on the current model and the cheaper ones, side by side.
            const models = [...new Set([...(site.model.resolved ? [site.model.resolved] : []), ...s.alternatives.map((a) => a.model)])].slice(0, 6);
            const compare = new vscode.CodeAction('Compare these models…', vscode.CodeActionKind.QuickFix);
            compare.diagnostics = [diagnostic];
            compare.command = { command: COMMANDS.compareModels, title: 'Compare these models…', arguments: [site.id, models] };
            actions.push(compare);
          }
        }
      }
    }
    return actions;
  }
}

export function register(service: AnalysisService): vscode.Disposable {
  // When the analysis last published: a file written after that has not been re-analysed yet (see workspaceEditFor).
  let analysedAt = Date.now();
  return vscode.Disposable.from(
    service.onDidChange(() => (analysedAt = Date.now())),
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
      const built = await workspaceEditFor(found.folder, found.suggestion, analysedAt);
      if (!built) {
        void vscode.window.showWarningMessage('costlens: the file changed since it was analysed; try again in a moment.');
        return;
      }
      if (!built.created.length && !found.suggestion.edit?.changes.length) {
        // Only scaffolds, and they all exist already: never overwritten; show the existing file instead.
        const names = built.existing.map((uri) => vscode.workspace.asRelativePath(uri, false)).join(', ');
        void vscode.window.showInformationMessage(`costlens: ${names} already exists and was not overwritten.`);
        if (built.existing[0]) await vscode.window.showTextDocument(built.existing[0], { preview: false });
        return;
      }
      // Other files the fix changes (the constant a right-size edits): saved afterwards when they had no unsaved changes,
      // as VS Code does for refactorings, so that the calls that import them are re-estimated (that happens on save).
      const others = [...new Set((found.suggestion.edit?.changes ?? []).map((c) => c.file))]
        .map((file) => vscode.Uri.joinPath(found.folder.uri, file))
        .filter((uri) => uri.toString() !== found.site.uri.toString())
        .filter((uri) => !vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty));
      if (!(await vscode.workspace.applyEdit(built.edit))) {
        void vscode.window.showErrorMessage(`costlens: could not apply "${found.suggestion.edit?.title}".`);
        return;
      }
      service.log.info(`applied ${found.suggestion.id}: ${found.suggestion.edit?.title}`);
      for (const uri of others) {
        if (vscode.workspace.getConfiguration('files', uri).get<boolean>('refactoring.autoSave', true)) await (await vscode.workspace.openTextDocument(uri)).save();
      }
      if (built.created[0]) await vscode.window.showTextDocument(built.created[0], { preview: false });
    }),
  );
}
