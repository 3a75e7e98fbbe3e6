/** Hover on a call: the full cost breakdown, with links to set traffic, compare models and open the report. */
import * as vscode from 'vscode';
import { explainMarkdown } from '../core/report/explain';
import type { AnalysisService } from './analysisService';
import { COMMANDS } from './commandIds';
import { SUPPORTED_LANGUAGES } from './hintSettings';
import { toRange } from './convert';
import { impactUsd } from '../core/advise/advise';
import { formatMoneyCompact } from '../core/format';

class CostHoverProvider implements vscode.HoverProvider {
  constructor(private readonly service: AnalysisService) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const site = this.service.sitesFor(document.uri).find((s) => {
      const r = toRange(s.range);
      // the call expression, or its first line (where the lens sits)
      return r.contains(position) || position.line === s.line - 1;
    });
    if (!site) return undefined;
    const md = new vscode.MarkdownString(explainMarkdown(site, this.service.currentSettings.currency));
    md.supportThemeIcons = true;
    // Only our own commands may run from this hover.
    md.isTrusted = { enabledCommands: [COMMANDS.setTraffic, COMMANDS.showReport, COMMANDS.openUsageFile, COMMANDS.applySuggestion, COMMANDS.compareModels] };
    const arg = (v: unknown[]): string => encodeURIComponent(JSON.stringify(v));
    const currency = this.service.currentSettings.currency;
    const suggestions = (site.suggestions ?? []).filter((s) => impactUsd(s, site) >= this.service.currentSettings.adviceMinMonthlySaving);
    if (suggestions.length) {
      md.appendMarkdown('\n\n**Suggestions**\n');
      for (const s of suggestions) {
        const figure = s.monthlySavingUsd !== null && s.monthlySavingUsd > 0 ? `**−${formatMoneyCompact(s.monthlySavingUsd, currency)}/mo**` : s.atStake ? `${formatMoneyCompact(s.atStake.usd, currency)} at stake` : '';
        const fix = s.edit ? ` — [$(lightbulb) ${escapeLink(s.edit.title)}](command:${COMMANDS.applySuggestion}?${arg([s.id])})` : '';
        md.appendMarkdown(`\n- ${figure} ${escapeMd(s.message)} _(${s.confidence} confidence)_${fix}`);
      }
    }
    md.appendMarkdown(
      `\n\n[$(pulse) Set traffic…](command:${COMMANDS.setTraffic}?${arg([document.uri.toString(), site.id])} "Write this call's traffic to costlens.yml")` +
        ` · [$(beaker) Compare models…](command:${COMMANDS.compareModels}?${arg([site.id])} "Run this prompt on several models: cost, latency and quality side by side")` +
        ` · [$(graph) Open report](command:${COMMANDS.showReport} "Cost report of the workspace")` +
        ` · [$(go-to-file) Usage file](command:${COMMANDS.openUsageFile} "Open costlens.yml")`,
    );
    return new vscode.Hover(md, toRange(site.range));
  }
}

function escapeMd(s: string): string {
  return s.replace(/[\\*_[\]<>|]/g, (c) => `\\${c}`);
}

function escapeLink(s: string): string {
  return s.replace(/[[\]]/g, '');
}

export function register(service: AnalysisService): vscode.Disposable {
  return vscode.languages.registerHoverProvider(
    SUPPORTED_LANGUAGES.map((language) => ({ language, scheme: 'file' })),
    new CostHoverProvider(service),
  );
}
