/** Status bar item with the workspace's monthly total; click focuses the call-site tree. */
import * as vscode from 'vscode';
import { formatMoneyCompact } from '../core/format';
import type { AnalysisService } from './analysisService';
import { TREE_VIEW_ID } from './commandIds';

export function register(service: AnalysisService): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('costlens.total', vscode.StatusBarAlignment.Right, 100);
  item.name = 'costlens: monthly LLM cost';
  item.command = `${TREE_VIEW_ID}.focus`;
  const update = (): void => {
    const t = service.totals();
    if (!service.hasScanned()) {
      item.text = '$(sync~spin) costlens';
      item.tooltip = 'costlens: scanning the workspace for LLM calls…';
      item.accessibilityInformation = { label: 'costlens: scanning the workspace for LLM calls' };
    } else {
      const currency = service.currentSettings.currency;
      item.text = `$(graph) ${formatMoneyCompact(t.monthlyCostUsd, currency)}/mo${t.unpricedCallSites ? ' $(warning)' : ''}`;
      const md = new vscode.MarkdownString(
        `**costlens**: ${formatMoneyCompact(t.monthlyCostUsd, currency)}/mo estimated across ${t.callSites} LLM call site${t.callSites === 1 ? '' : 's'}` +
          (t.monthlyCostRangeUsd.low !== t.monthlyCostRangeUsd.high ? ` (range ${formatMoneyCompact(t.monthlyCostRangeUsd.low, currency)}–${formatMoneyCompact(t.monthlyCostRangeUsd.high, currency)})` : '') +
          (t.unpricedCallSites ? `\n\n$(warning) ${t.unpricedCallSites} call site${t.unpricedCallSites === 1 ? ' has' : 's have'} no known price and ${t.unpricedCallSites === 1 ? 'is' : 'are'} not in the total.` : '') +
          '\n\nClick to see the call sites.',
      );
      md.supportThemeIcons = true;
      item.tooltip = md;
      // Screen readers would otherwise read the icon name and the tooltip's Markdown syntax.
      item.accessibilityInformation = {
        label: `costlens: ${formatMoneyCompact(t.monthlyCostUsd, currency)} per month estimated across ${t.callSites} LLM call site${t.callSites === 1 ? '' : 's'}${t.unpricedCallSites ? `, ${t.unpricedCallSites} without a known price` : ''}`,
      };
    }
    item.show();
  };
  update();
  return vscode.Disposable.from(item, service.onDidChange(update));
}
