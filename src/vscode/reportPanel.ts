/**
 * `costlens: Show Cost Report`: the report in a webview, with what-if controls that re-estimate live (in the worker),
 * scenarios saved into costlens.yml, and exports (HTML, Markdown, CSV, JSON) written where the user chooses.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Report } from '../core/report/reportModel';
import { renderReportCsv, renderReportHtml, renderReportJson, renderReportMarkdown } from '../core/report/renderReport';
import { BASELINE_SCENARIO, scenarioFromSpec, type Scenario } from '../core/report/scenario';
import { saveScenarioToFile } from '../core/report/scenarioFile';
import { USAGE_FILE_NAMES } from '../core/usage/usageFile';
import { reportWebviewMessage, type ReportHostMessage, type ScenarioInput } from '../protocol/report';
import type { AnalysisService } from './analysisService';
import { COMMANDS } from './commandIds';
import { openPanel, type PanelHandle } from './webview/panelHost';

const VIEW_TYPE = 'costlens.report';

class ReportPanel {
  private handle: PanelHandle | undefined;
  private scenario: Scenario = BASELINE_SCENARIO;
  private last: Report | undefined;
  private generation = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: AnalysisService,
  ) {}

  private folder(): vscode.WorkspaceFolder | undefined {
    const active = vscode.window.activeTextEditor?.document.uri;
    return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  }

  show(existing?: vscode.WebviewPanel, restored?: unknown): void {
    if (this.handle && !existing) {
      this.handle.panel.reveal();
      return;
    }
    const saved = restored as { scenario?: ScenarioInput } | undefined;
    if (saved?.scenario) this.scenario = { ...saved.scenario };
    this.handle = openPanel(
      this.context.extensionUri,
      {
        viewType: VIEW_TYPE,
        title: 'costlens: Cost Report',
        script: 'report.js',
        incoming: reportWebviewMessage,
        initialState: { scenario: this.scenario },
        log: this.service.log,
        onMessage: (m) => this.onMessage(m),
        onDispose: () => {
          this.handle = undefined;
        },
      },
      existing,
    );
    this.handle.panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'costlens.svg');
  }

  /** Re-renders when the analysis changes (edits, usage file, settings). */
  refresh(): void {
    if (this.handle) void this.render();
  }

  private post(m: ReportHostMessage): void {
    this.handle?.post(m);
  }

  private async render(): Promise<void> {
    const folder = this.folder();
    if (!folder) {
      this.post({ type: 'error', message: 'Open a folder to see its cost report.' });
      return;
    }
    const generation = ++this.generation;
    try {
      const r = await this.service.report(folder, this.scenario);
      if (generation !== this.generation) return; // a newer what-if arrived meanwhile
      this.last = r.report;
      this.post({
        type: 'report',
        report: r.report,
        currency: this.service.currentSettings.currency,
        options: { targets: r.targets, models: r.models },
        scenario: toInput(this.scenario),
        elapsedMs: r.elapsedMs,
      });
    } catch (err) {
      this.post({ type: 'error', message: `The report could not be built: ${(err as Error).message.split('\n')[0]}` });
      this.service.log.error(`report: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private async onMessage(m: import('../protocol/report').ReportWebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.render();
        return;
      case 'setScenario':
        this.scenario = { ...m.scenario };
        await this.render();
        return;
      case 'saveScenario': {
        const folder = this.folder();
        if (!folder) return;
        const file = this.service.usageFor(folder)?.uri?.fsPath ?? path.join(folder.uri.fsPath, USAGE_FILE_NAMES[0]);
        try {
          await saveScenarioToFile(file, m.name, { ...m.scenario, name: m.name });
          this.post({ type: 'saved', name: m.name, file: vscode.workspace.asRelativePath(file) });
          void vscode.window.setStatusBarMessage(`$(check) costlens: scenario "${m.name}" saved in ${vscode.workspace.asRelativePath(file)}`, 4000);
        } catch (err) {
          this.post({ type: 'error', message: `Could not save the scenario: ${(err as Error).message}` });
        }
        return;
      }
      case 'loadScenario': {
        const folder = this.folder();
        const spec = folder ? (this.service.usageFor(folder)?.config?.scenarios as Record<string, unknown> | undefined)?.[m.name] : undefined;
        if (!spec) {
          this.post({ type: 'error', message: `No scenario "${m.name}" in costlens.yml.` });
          return;
        }
        this.scenario = scenarioFromSpec(m.name, spec as never);
        await this.render();
        return;
      }
      case 'export':
        await this.export(m.format);
        return;
      case 'reveal':
        await vscode.commands.executeCommand(COMMANDS.revealCallSite, m.siteId);
        return;
    }
  }

  private async export(format: 'html' | 'markdown' | 'csv' | 'json'): Promise<void> {
    if (!this.last) return;
    const ext = { html: 'html', markdown: 'md', csv: 'csv', json: 'json' }[format];
    const folder = this.folder();
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder.uri, `costlens-report.${ext}`) : undefined,
      filters: { [format.toUpperCase()]: [ext] },
      title: 'Export the cost report',
    });
    if (!target) return;
    const currency = this.service.currentSettings.currency;
    const text = format === 'html' ? renderReportHtml(this.last, { currency }) : format === 'markdown' ? renderReportMarkdown(this.last, { currency }) : format === 'csv' ? renderReportCsv(this.last) : renderReportJson(this.last);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(`costlens: report exported to ${vscode.workspace.asRelativePath(target)}`);
  }
}

function toInput(s: Scenario): ScenarioInput {
  const out: ScenarioInput = { trafficMultiplier: s.trafficMultiplier, featureModels: { ...s.featureModels } };
  if (s.cacheHitRate !== undefined) out.cacheHitRate = s.cacheHitRate;
  if (s.batchShare !== undefined) out.batchShare = s.batchShare;
  if (s.routedShare !== undefined) out.routedShare = s.routedShare;
  return out;
}

export function register(context: vscode.ExtensionContext, service: AnalysisService): vscode.Disposable {
  const panel = new ReportPanel(context, service);
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.showReport, () => panel.show()),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state) => panel.show(webviewPanel, state),
    }),
    service.onDidChange(() => panel.refresh()),
  );
}
