/** The commands of the "costlens" category. */
import * as vscode from 'vscode';
import { parseTrafficPragma } from '../core/usage/pragma';
import { setCallSiteTraffic } from '../core/usage/editUsageFile';
import { USAGE_FILE_NAMES } from '../core/usage/usageFile';
import type { AnalysisService, CallSiteRef } from './analysisService';
import { COMMANDS } from './commandIds';
import { toAnchor, toRange } from './convert';

export const USAGE_FILE_TEMPLATE = `# costlens usage file: the traffic behind the cost estimates.
# Every field is explained in the costlens README, section "The usage file".
version: 1

defaults:
  # requestsPerDay: 1000      # traffic of call sites nothing else covers
  # outputTokens: 350         # output assumed when a call sets no limit
  daysPerMonth: 30

# callSites:
#   "app/chat.py#answer#0":
#     requestsPerDay: 20000

# features:
#   chat:
#     callSites: ["app/chat.py#*"]
`;

export function register(service: AnalysisService): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.scanWorkspace, () => service.scanWorkspace({ silent: false })),
    vscode.commands.registerCommand(COMMANDS.refreshPrices, async () => {
      await service.refreshPrices();
      void vscode.window.setStatusBarMessage('$(check) costlens: prices and usage file re-read, estimates updated', 4000);
    }),
    vscode.commands.registerCommand(COMMANDS.openUsageFile, () => openUsageFile(service)),
    vscode.commands.registerCommand(COMMANDS.showBreakdown, (uri?: vscode.Uri, id?: string) => showBreakdown(service, uri, id)),
    vscode.commands.registerCommand(COMMANDS.revealCallSite, (id: string) => reveal(service, id)),
    // From the hover: (uri, id); from the tree's inline action: the tree node of the call; from the palette: nothing.
    vscode.commands.registerCommand(COMMANDS.setTraffic, (uri?: string | vscode.Uri | { ref?: CallSiteRef }, id?: string) =>
      uri && typeof uri === 'object' && !(uri instanceof vscode.Uri) ? setTraffic(service, undefined, uri.ref?.site.id) : setTraffic(service, uri, id),
    ),
  );
}

async function reveal(service: AnalysisService, id: string): Promise<vscode.TextEditor | undefined> {
  const ref = service.findSite(id);
  if (!ref) {
    void vscode.window.showWarningMessage(`costlens: call site ${id} is no longer in the workspace.`);
    return undefined;
  }
  const editor = await vscode.window.showTextDocument(ref.uri, { preview: true });
  const range = toRange(ref.site.range);
  editor.selection = new vscode.Selection(toAnchor(ref.site), toAnchor(ref.site));
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

async function showBreakdown(service: AnalysisService, uri?: vscode.Uri, id?: string): Promise<void> {
  const site = id ? service.findSite(id) : undefined;
  if (!site) return;
  const editor = await reveal(service, site.site.id);
  if (editor && uri) await vscode.commands.executeCommand('editor.action.showHover');
}

/** The call site under the cursor, or one picked from the file's (or the workspace's) call sites. */
async function pickSite(service: AnalysisService, uri?: vscode.Uri, id?: string): Promise<CallSiteRef | undefined> {
  if (id) return service.findSite(id);
  const editor = vscode.window.activeTextEditor;
  const candidates = editor && (!uri || editor.document.uri.toString() === uri.toString()) ? service.allSites().filter((r) => r.uri.toString() === editor.document.uri.toString()) : service.allSites();
  if (editor) {
    const pos = editor.selection.active;
    const under = candidates.filter((r) => toRange(r.site.range).contains(pos) || r.site.line - 1 === pos.line);
    if (under.length === 1) return under[0];
  }
  if (!candidates.length) {
    void vscode.window.showInformationMessage('costlens: no LLM call site here. Put the cursor on a call, or scan the workspace.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((r) => ({ label: r.site.enclosingFunction ?? r.site.callee, description: `${r.site.file}:${r.site.line}`, detail: r.site.id, ref: r })),
    { title: 'costlens: set traffic for which call?', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.ref;
}

async function setTraffic(service: AnalysisService, uriArg?: string | vscode.Uri, id?: string): Promise<void> {
  const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg;
  const ref = await pickSite(service, uri, id);
  if (!ref) return;
  // Per day as the estimate counts days (defaults.daysPerMonth, 30 unless set).
  const daysPerMonth = service.usageFor(ref.folder)?.config?.defaults.daysPerMonth ?? 30;
  const current = ref.site.estimate ? `${Math.round(ref.site.estimate.requestsPerMonth / daysPerMonth).toLocaleString('en-US')}/day` : '';
  const input = await vscode.window.showInputBox({
    title: `Traffic of ${ref.site.id}`,
    prompt: 'Requests per day, hour, minute or month — e.g. 20000/day, 1.5k/day, 600k/month, 50/hour',
    value: current,
    valueSelection: [0, current.indexOf('/') >= 0 ? current.indexOf('/') : current.length],
    validateInput: (v) => (parseTrafficPragma(`costlens: ${v.trim()}`) ? null : 'Write a number and a unit, e.g. 20000/day or 600k/month'),
  });
  if (input === undefined) return;
  const parsed = parseTrafficPragma(`costlens: ${input.trim()}`);
  if (!parsed) return;
  const { count, unit } = parsed.rate;
  const perDay: Record<string, number> = { second: 86_400, minute: 1_440, hour: 24, day: 1 };
  const traffic = unit === 'month' ? { requestsPerMonth: count } : unit === 'year' ? { requestsPerMonth: count / 12 } : unit === 'week' ? { requestsPerDay: count / 7 } : { requestsPerDay: count * (perDay[unit] ?? 1) };
  const usage = service.usageFor(ref.folder);
  const target = usage?.uri ?? vscode.Uri.joinPath(ref.folder.uri, USAGE_FILE_NAMES[0]);
  let doc: vscode.TextDocument | undefined;
  try {
    doc = await vscode.workspace.openTextDocument(target);
  } catch {
    doc = undefined;
  }
  const before = doc?.getText() ?? '';
  let after: string;
  try {
    after = setCallSiteTraffic(before, ref.site.id, traffic);
  } catch (err) {
    void vscode.window.showErrorMessage(`costlens: cannot update ${vscode.workspace.asRelativePath(target)}: ${(err as Error).message}`);
    return;
  }
  // Edit through the document so unsaved changes in an open costlens.yml are kept and the edit can be undone.
  const edit = new vscode.WorkspaceEdit();
  if (!doc) {
    edit.createFile(target, { ignoreIfExists: true });
    edit.insert(target, new vscode.Position(0, 0), after);
  } else edit.replace(target, new vscode.Range(doc.positionAt(0), doc.positionAt(before.length)), after);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage('costlens: the usage file could not be edited.');
    return;
  }
  const saved = await vscode.workspace.openTextDocument(target);
  await saved.save();
  service.log.info(`set traffic of ${ref.site.id} to ${input.trim()} in ${vscode.workspace.asRelativePath(target)}`);
  void vscode.window.setStatusBarMessage(`$(check) costlens: ${ref.site.id} → ${input.trim()}`, 4000);
}

async function openUsageFile(service: AnalysisService): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showInformationMessage('costlens: open a folder first; the usage file lives at its root.');
    return;
  }
  const existing = service.usageFor(folder)?.uri;
  if (existing) {
    await vscode.window.showTextDocument(existing);
    return;
  }
  const target = vscode.Uri.joinPath(folder.uri, USAGE_FILE_NAMES[0]);
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(target, { ignoreIfExists: true });
  edit.insert(target, new vscode.Position(0, 0), USAGE_FILE_TEMPLATE);
  await vscode.workspace.applyEdit(edit);
  const doc = await vscode.workspace.openTextDocument(target);
  await doc.save();
  await vscode.window.showTextDocument(doc);
}
