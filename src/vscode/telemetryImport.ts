/**
 * `costlens: Import Telemetry…`: reads production exports (OpenTelemetry GenAI spans, LiteLLM spend logs, Langfuse,
 * Helicone, OpenAI usage), shows what matched which call site and how far the assumptions were off, and — when the
 * user confirms — writes the measurements into costlens.yml (comments kept, locked against concurrent writers).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { measuredBlocksOf } from '../core/calibrate';
import { formatErrorPct } from '../core/calibrate/present';
import { formatMoneyCompact } from '../core/format';
import { updateFileLocked } from '../core/usage/lockedUpdate';
import { setMeasuredBlocks } from '../core/calibrate/writeMeasured';
import { USAGE_FILE_NAMES } from '../core/usage/usageFile';
import type { AnalysisService } from './analysisService';
import { COMMANDS } from './commandIds';

export function register(service: AnalysisService): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.importTelemetry, async (files?: string[]) => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showInformationMessage('costlens: open a folder first; measurements are written to its costlens.yml.');
      return;
    }
    let paths = Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : [];
    if (!paths.length) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: true,
        title: 'Telemetry exports to import (OpenTelemetry, LiteLLM, Langfuse, Helicone, OpenAI usage)',
        filters: { Exports: ['json', 'jsonl', 'ndjson', 'csv', 'gz'], 'All files': ['*'] },
        defaultUri: folder.uri,
      });
      if (!picked?.length) return;
      paths = picked.map((u) => u.fsPath);
    }
    let result;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'costlens: importing telemetry', cancellable: false }, () => service.calibrate(folder, paths));
    } catch (err) {
      // Nothing is imported half-way: the message names the file, record and field.
      void vscode.window.showErrorMessage(`costlens: ${(err as Error).message.split('\n')[0]}`);
      service.log.error(`telemetry import: ${(err as Error).message}`);
      return;
    }
    for (const line of [`imported ${paths.length} file(s)`, ...result.sites.map((s) => `${s.id}: ${s.measured.requestsPerDay}/day measured, assumptions ${s.errorPct === null ? 'n/a' : formatErrorPct(s.errorPct)} vs actual`), `unmatched records: ${result.unmatched.records}`]) service.log.info(line);
    if (!result.sites.length) {
      void vscode.window.showWarningMessage(`costlens: no record matched a call site (${result.unmatched.records} unmatched). Add rules under calibration.match in costlens.yml; see the costlens output for what was found.`);
      return;
    }
    const worst = result.sites.filter((s) => s.errorPct !== null).sort((a, b) => Math.abs(b.errorPct!) - Math.abs(a.errorPct!))[0];
    const summary = `${result.sites.length} call site(s) measured, ${result.unmatched.records} record(s) unmatched${worst ? `; largest miss ${formatErrorPct(worst.errorPct!)} at ${worst.id} (actual ${formatMoneyCompact(worst.measured.actualMonthlyCostUsd ?? null)}/mo)` : ''}.`;
    const choice = await vscode.window.showInformationMessage(`costlens: ${summary} Write the measurements to costlens.yml?`, 'Write', 'Show details');
    if (choice === 'Show details') {
      service.log.show(true);
      return;
    }
    if (choice !== 'Write') return;
    const usagePath = service.usageFor(folder)?.uri?.fsPath ?? path.join(folder.uri.fsPath, USAGE_FILE_NAMES[0]);
    await updateFileLocked(usagePath, (text) => setMeasuredBlocks(text, measuredBlocksOf(result)));
    void vscode.window.setStatusBarMessage(`$(check) costlens: measurements for ${result.sites.length} call site(s) written to ${vscode.workspace.asRelativePath(usagePath)}`, 5000);
  });
}
