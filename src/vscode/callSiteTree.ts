/**
 * The call-site tree in its own activity-bar container: the workspace total on top, then groups (features from the
 * usage file, or folders/files), sorted by monthly cost; each call shows its model and cost and reveals on click.
 */
import * as vscode from 'vscode';
import type { EstimatedCallSite } from '../core/engine/engine';
import { formatMoneyCompact } from '../core/format';
import { explainMarkdown, lensText } from '../core/report/explain';
import type { AnalysisService, CallSiteRef } from './analysisService';
import { COMMANDS, TREE_VIEW_ID } from './commandIds';
import type { Currency } from '../core/format';

export type GroupBy = 'feature' | 'folder';

type Node =
  | { kind: 'total' }
  | { kind: 'group'; label: string; refs: CallSiteRef[]; monthly: number; unpriced: number; path: string; children?: Node[] }
  | { kind: 'site'; ref: CallSiteRef }
  | { kind: 'skipped'; count: number };

const monthlyOf = (s: EstimatedCallSite): number => s.estimate?.monthlyCostUsd ?? 0;

class CallSiteTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  groupBy: GroupBy = 'feature';

  constructor(private readonly service: AnalysisService) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const refs = this.service.allSites();
      if (!refs.length) return this.service.hasScanned() ? [] : [];
      const groups = this.groupBy === 'feature' && refs.some((r) => r.site.estimate?.feature) ? this.byFeature(refs) : this.byFolder(refs, '');
      const out: Node[] = [{ kind: 'total' }, ...groups];
      const skipped = this.service.skipped().length;
      if (skipped) out.push({ kind: 'skipped', count: skipped });
      return out;
    }
    if (node.kind === 'group') return node.children ?? sortSites(node.refs).map((ref) => ({ kind: 'site', ref }));
    return [];
  }

  private byFeature(refs: CallSiteRef[]): Node[] {
    const groups = new Map<string, CallSiteRef[]>();
    for (const r of refs) {
      const key = r.site.estimate?.feature ?? (r.site.usedBy?.length ? featureOfUsers(r, refs) : null) ?? '(no feature)';
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return sortGroups([...groups].map(([label, list]) => group(label, list, `feature:${label}`)));
  }

  /** Folder → file hierarchy, collapsing folders with a single child folder. */
  private byFolder(refs: CallSiteRef[], prefix: string): Node[] {
    const dirs = new Map<string, CallSiteRef[]>();
    const files = new Map<string, CallSiteRef[]>();
    for (const r of refs) {
      const rest = r.site.file.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) files.set(rest, [...(files.get(rest) ?? []), r]);
      else {
        const dir = rest.slice(0, slash);
        dirs.set(dir, [...(dirs.get(dir) ?? []), r]);
      }
    }
    const out: Node[] = [];
    for (const [dir, list] of dirs) {
      const g = group(`${dir}/`, list, `dir:${prefix}${dir}`);
      g.children = this.byFolder(list, `${prefix}${dir}/`);
      out.push(g);
    }
    for (const [file, list] of files) out.push(group(file, list, `file:${prefix}${file}`));
    return sortGroups(out as Array<Extract<Node, { kind: 'group' }>>);
  }

  /** The site's full breakdown as the tooltip, made when the item is hovered. */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind === 'site' && item.tooltip === undefined) item.tooltip = new vscode.MarkdownString(explainMarkdown(node.ref.site, this.service.currentSettings.currency));
    return item;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const currency = this.service.currentSettings.currency;
    switch (node.kind) {
      case 'total': {
        const t = this.service.totals();
        const item = new vscode.TreeItem(`Workspace total: ${formatMoneyCompact(t.monthlyCostUsd, currency)}/mo`, vscode.TreeItemCollapsibleState.None);
        item.id = 'total';
        item.description = `${t.callSites} call site${t.callSites === 1 ? '' : 's'}${t.unpricedCallSites ? ` · ${t.unpricedCallSites} unpriced` : ''}`;
        item.iconPath = new vscode.ThemeIcon('graph');
        item.tooltip = t.monthlyCostRangeUsd.low !== t.monthlyCostRangeUsd.high ? `Range ${formatMoneyCompact(t.monthlyCostRangeUsd.low, currency)}–${formatMoneyCompact(t.monthlyCostRangeUsd.high, currency)} per month` : undefined;
        item.contextValue = 'total';
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.path;
        item.description = `${formatMoneyCompact(node.monthly, currency)}/mo${node.unpriced ? ` · ${node.unpriced} unpriced` : ''}`;
        item.iconPath = new vscode.ThemeIcon(node.path.startsWith('feature:') ? 'symbol-event' : node.path.startsWith('dir:') ? 'folder' : 'file-code');
        item.contextValue = 'group';
        return item;
      }
      case 'site': {
        const { site, uri } = node.ref;
        const label = site.enclosingFunction ? `${site.enclosingFunction}()` : site.callee;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.id = `site:${site.id}`;
        item.description = treeDescription(site, currency);
        // The breakdown is built when the item is hovered (resolveTreeItem), not for every item of a large tree.
        const unpriced = site.estimate?.costPerRequestUsd === null || (!site.model.resolved && site.role !== 'construct');
        item.iconPath = new vscode.ThemeIcon(unpriced ? 'warning' : site.role === 'construct' ? 'symbol-class' : 'symbol-method', unpriced ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        item.resourceUri = uri;
        item.contextValue = `callSite.${site.role}`;
        item.command = { command: COMMANDS.revealCallSite, title: 'Go to Call Site', arguments: [site.id] };
        return item;
      }
      case 'skipped': {
        const item = new vscode.TreeItem(`${node.count} file${node.count === 1 ? '' : 's'} skipped`, vscode.TreeItemCollapsibleState.None);
        item.id = 'skipped';
        item.iconPath = new vscode.ThemeIcon('info');
        item.tooltip = this.service
          .skipped()
          .slice(0, 30)
          .map((s) => `${s.file}: ${s.reason}`)
          .join('\n');
        return item;
      }
    }
  }
}

function treeDescription(site: EstimatedCallSite, currency: Currency): string {
  const { text, flags } = lensText(site, currency);
  return `${text.replace(/^≈ /, '')} · ${site.file.split('/').pop()}:${site.line}${flags.length ? ` · ${flags.join(', ')}` : ''}`;
}

function featureOfUsers(construct: CallSiteRef, refs: CallSiteRef[]): string | null {
  const users = refs.filter((r) => construct.site.usedBy?.includes(r.site.id));
  return users.find((u) => u.site.estimate?.feature)?.site.estimate?.feature ?? null;
}

function group(label: string, refs: CallSiteRef[], path: string): Extract<Node, { kind: 'group' }> {
  return {
    kind: 'group',
    label,
    refs,
    path,
    monthly: refs.reduce((sum, r) => sum + monthlyOf(r.site), 0),
    unpriced: refs.filter((r) => r.site.estimate?.costPerRequestUsd === null).length,
  };
}

function sortGroups<T extends Extract<Node, { kind: 'group' }>>(groups: T[]): T[] {
  return groups.sort((a, b) => b.monthly - a.monthly || a.label.localeCompare(b.label));
}

function sortSites(refs: CallSiteRef[]): CallSiteRef[] {
  return [...refs].sort((a, b) => monthlyOf(b.site) - monthlyOf(a.site) || a.site.file.localeCompare(b.site.file) || a.site.line - b.site.line);
}

export function register(service: AnalysisService): vscode.Disposable {
  const provider = new CallSiteTreeProvider(service);
  const view = vscode.window.createTreeView(TREE_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const setGroupBy = (g: GroupBy): void => {
    provider.groupBy = g;
    void vscode.commands.executeCommand('setContext', 'costlens.groupBy', g);
    provider.refresh();
  };
  setGroupBy('feature');
  const updateBadge = (): void => {
    const t = service.totals();
    view.message = service.hasScanned() ? undefined : 'Scanning the workspace for LLM calls…';
    view.badge = t.unpricedCallSites ? { value: t.unpricedCallSites, tooltip: `${t.unpricedCallSites} call site(s) without a known price` } : undefined;
  };
  return vscode.Disposable.from(
    view,
    service.onDidChange(() => {
      provider.refresh();
      updateBadge();
    }),
    vscode.commands.registerCommand(COMMANDS.groupByFeature, () => setGroupBy('feature')),
    vscode.commands.registerCommand(COMMANDS.groupByFolder, () => setGroupBy('folder')),
  );
}
