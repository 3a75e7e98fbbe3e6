/** `costlens: Estimate a Feature`: what a feature with no code yet would cost, on candidate models side by side. */
import * as vscode from 'vscode';
import { calculatorWebviewMessage, type CalculatorHostMessage, type CalculatorWebviewMessage, type FeatureSpecInput } from '../protocol/calculator';
import type { AnalysisService } from './analysisService';
import { COMMANDS } from './commandIds';
import { openPanel, type PanelHandle } from './webview/panelHost';

const VIEW_TYPE = 'costlens.calculator';
const DEFAULT_SPEC: FeatureSpecInput = { model: 'gpt-4o', inputTokens: 1200, outputTokens: 300, requestsPerDay: 5000, mode: 'interactive', cacheHitRate: 0.3 };

export function register(context: vscode.ExtensionContext, service: AnalysisService): vscode.Disposable {
  let handle: PanelHandle | undefined;
  const onMessage = async (m: CalculatorWebviewMessage, h: PanelHandle): Promise<void> => {
    if (m.type !== 'calculate') return;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      h.post({ type: 'error', message: 'Open a folder: prices come from its costlens.yml and settings.' } satisfies CalculatorHostMessage);
      return;
    }
    try {
      const result = await service.calculate(folder, m.spec);
      h.post({ type: 'result', result, currency: service.currentSettings.currency } satisfies CalculatorHostMessage);
    } catch (err) {
      h.post({ type: 'error', message: (err as Error).message.split('\n')[0] ?? 'error' } satisfies CalculatorHostMessage);
    }
  };
  const show = (existing?: vscode.WebviewPanel, state?: unknown): void => {
    if (handle && !existing) {
      handle.panel.reveal();
      return;
    }
    const restored = (state as { spec?: FeatureSpecInput } | undefined)?.spec;
    handle = openPanel(
      context.extensionUri,
      {
        viewType: VIEW_TYPE,
        title: 'costlens: Estimate a Feature',
        script: 'calculator.js',
        incoming: calculatorWebviewMessage,
        initialState: { spec: restored ?? DEFAULT_SPEC },
        log: service.log,
        onMessage,
        onDispose: () => {
          handle = undefined;
        },
      },
      existing,
    );
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.estimateFeature, () => show()),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, { deserializeWebviewPanel: async (panel, state) => show(panel, state) }),
  );
}
