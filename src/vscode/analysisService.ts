/**
 * The extension's model of the workspace: the call sites of every workspace folder, kept current as files are
 * edited, saved, created, deleted or checked out, and the usage file that sets their traffic. All parsing runs in
 * the analysis worker; this class schedules work (debounced, stale work dropped) and publishes results to the
 * surfaces through `onDidChange`.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore from 'ignore';
import * as vscode from 'vscode';
import { linkConstructs, totalsOf, type EstimatedCallSite, type ScanTotals } from '../core/engine/engine';
import { SOURCE_EXTENSIONS } from '../core/detect/parser';
import { DEFAULT_EXCLUDED_DIRS, listSourceFiles } from '../core/engine/files';
import { loadPriceOverrides } from '../core/engine/loadConfig';
import { AnalysisWorker, WorkerCancelledError } from '../core/engine/workerClient';
import type { WorkerConfig, WorkerToHost } from '../core/engine/workerProtocol';
import type { Scenario } from '../core/report/scenario';
import type { CalculatorResult, FeatureSpec } from '../core/report/calculator';
import type { CalibrationResult } from '../core/calibrate/calibrate';
import type { PriceOverride } from '../core/pricing/catalogue';
import type { Suggestion } from '../core/advise/types';
import type { Range, UsageConfig } from '../core/usage/schema';
import { USAGE_FILE_NAMES, parseUsageFile, type UsageIssue } from '../core/usage/usageFile';
import { readSettings, type CostlensSettings } from './config';

const SOURCE_GLOB = `**/*.{${SOURCE_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
const EDIT_DEBOUNCE_MS = 300;
const DISK_DEBOUNCE_MS = 500;
const EXCLUDED_DIRS = new Set(DEFAULT_EXCLUDED_DIRS);

/** The usage file of a folder: the last valid configuration stays in force while the file is invalid. */
export interface UsageState {
  uri: vscode.Uri | null;
  config: UsageConfig | undefined;
  issues: UsageIssue[];
  /** True when the file currently on disk / in the editor is invalid (and `config` is the last valid one). */
  invalid: boolean;
  pricesFilePath: string | null;
}

class FolderState {
  /** Unlinked sites per relative file, as analysed (from disk or from an open buffer). */
  readonly raw = new Map<string, EstimatedCallSite[]>();
  /** Linked view over all files (recomputed on change). */
  linked: EstimatedCallSite[] = [];
  byFile = new Map<string, EstimatedCallSite[]>();
  usage: UsageState = { uri: null, config: undefined, issues: [], invalid: false, pricesFilePath: null };
  skipped: Array<{ file: string; reason: string }> = [];
  scanned = false;
  constructor(readonly folder: vscode.WorkspaceFolder) {}
  get root(): string {
    return this.folder.uri.fsPath;
  }
  relink(): void {
    this.linked = linkConstructs([...this.raw.values()].flat());
    this.byFile = new Map();
    for (const s of this.linked) {
      const list = this.byFile.get(s.file);
      if (list) list.push(s);
      else this.byFile.set(s.file, [s]);
    }
  }
}

export interface CallSiteRef {
  folder: vscode.WorkspaceFolder;
  site: EstimatedCallSite;
  uri: vscode.Uri;
}

export class AnalysisService implements vscode.Disposable {
  private readonly folders = new Map<string, FolderState>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when call sites, estimates or the usage file changed. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter];
  private readonly worker: AnalysisWorker;
  private readonly editVersions = new Map<string, number>();
  private pendingDisk = new Map<string, Set<string>>();
  private diskTimer: NodeJS.Timeout | undefined;
  private scanCts: vscode.CancellationTokenSource | undefined;
  private settings: CostlensSettings = readSettings();
  private started = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.worker = new AnalysisWorker(path.join(context.extensionPath, 'dist', 'scanWorker.js'), {
      info: (m) => log.info(m),
      warn: (m) => log.warn(m),
      error: (m) => log.error(m),
    });
  }

  get currentSettings(): CostlensSettings {
    return this.settings;
  }

  /** Starts watching and runs the first background scan. Called once, lazily, by the extension. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const watcher = vscode.workspace.createFileSystemWatcher(SOURCE_GLOB);
    const usageWatcher = vscode.workspace.createFileSystemWatcher(`**/{${USAGE_FILE_NAMES.join(',')}}`);
    // A folder that appears or disappears with its files (copy, unzip, checkout, rm -r) is often reported as one event
    // for the folder only, which SOURCE_GLOB does not match: expand it to the source files below it.
    const folderWatcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      watcher,
      usageWatcher,
      folderWatcher,
      watcher.onDidChange((uri) => this.onDiskChange(uri)),
      watcher.onDidCreate((uri) => this.onDiskChange(uri)),
      watcher.onDidDelete((uri) => this.onDiskChange(uri)),
      folderWatcher.onDidCreate((uri) => void this.onFolderCreated(uri)),
      folderWatcher.onDidDelete((uri) => this.onFolderDeleted(uri)),
      usageWatcher.onDidChange((uri) => void this.reloadUsage(uri)),
      usageWatcher.onDidCreate((uri) => void this.reloadUsage(uri)),
      usageWatcher.onDidDelete((uri) => void this.reloadUsage(uri)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)),
      vscode.workspace.onDidOpenTextDocument((d) => this.onEdit(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.onClose(d)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.syncFolders().then(() => this.scanWorkspace({ silent: true }))),
      // Trust lets the workspace's price file in: re-estimate with it (not only on the next edit).
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reconfigureAll().then(() => this.scanWorkspace({ silent: true }))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('costlens')) return;
        this.settings = readSettings();
        if (['costlens.prices', 'costlens.include', 'costlens.exclude', 'costlens.skipTests', 'costlens.maxFileSize', 'costlens.traffic', 'costlens.defaultOutputTokens'].some((k) => e.affectsConfiguration(k))) {
          void this.reconfigureAll().then(() => this.scanWorkspace({ silent: true }));
        } else this.changeEmitter.fire();
      }),
    );
    await this.syncFolders();
    void this.scanWorkspace({ silent: false });
  }

  // ---------------------------------------------------------------- queries

  /** Call sites of a document (linked view), or an empty list. */
  sitesFor(uri: vscode.Uri): EstimatedCallSite[] {
    const f = this.folderOf(uri);
    if (!f) return [];
    return f.byFile.get(relPath(f, uri)) ?? [];
  }

  allSites(): CallSiteRef[] {
    const out: CallSiteRef[] = [];
    for (const f of this.folders.values()) for (const site of f.linked) out.push({ folder: f.folder, site, uri: vscode.Uri.joinPath(f.folder.uri, site.file) });
    return out;
  }

  /** The cost report of a folder (with a what-if scenario), built in the worker. */
  async report(folder: vscode.WorkspaceFolder, scenario: Scenario | null): Promise<Extract<WorkerToHost, { type: 'reported' }>> {
    const f = this.folders.get(folder.uri.toString());
    if (!f) throw new Error(`${folder.name} is not a scanned folder`);
    const version = (this.context.extension.packageJSON as { version?: string }).version ?? '';
    return this.worker.report(f.root, f.linked, f.skipped, scenario, folder.name, version);
  }

  /** The feature calculator, priced with a folder's configuration. */
  async calculate(folder: vscode.WorkspaceFolder, spec: FeatureSpec): Promise<CalculatorResult> {
    const f = this.folders.get(folder.uri.toString());
    if (!f) throw new Error(`${folder.name} is not a scanned folder`);
    return this.worker.calculate(f.root, spec);
  }

  /** Matches telemetry exports to a folder's call sites (in the worker); nothing is written. */
  async calibrate(folder: vscode.WorkspaceFolder, files: string[]): Promise<CalibrationResult> {
    const f = this.folders.get(folder.uri.toString());
    if (!f) throw new Error(`${folder.name} is not a scanned folder`);
    return this.worker.calibrate(f.root, files, f.linked);
  }

  findSuggestion(id: string): { folder: vscode.WorkspaceFolder; site: CallSiteRef; suggestion: Suggestion } | undefined {
    for (const ref of this.allSites()) {
      const suggestion = ref.site.suggestions?.find((s) => s.id === id);
      if (suggestion) return { folder: ref.folder, site: ref, suggestion };
    }
    return undefined;
  }

  findSite(id: string): CallSiteRef | undefined {
    return this.allSites().find((r) => r.site.id === id);
  }

  totals(): ScanTotals {
    return totalsOf([...this.folders.values()].flatMap((f) => f.linked));
  }

  skipped(): Array<{ folder: vscode.WorkspaceFolder; file: string; reason: string }> {
    return [...this.folders.values()].flatMap((f) => f.skipped.map((s) => ({ folder: f.folder, ...s })));
  }

  usageStates(): Array<{ folder: vscode.WorkspaceFolder; usage: UsageState }> {
    return [...this.folders.values()].map((f) => ({ folder: f.folder, usage: f.usage }));
  }

  usageFor(folder: vscode.WorkspaceFolder): UsageState | undefined {
    return this.folders.get(folder.uri.toString())?.usage;
  }

  hasScanned(): boolean {
    return [...this.folders.values()].some((f) => f.scanned);
  }

  // ---------------------------------------------------------------- scanning

  /** Scans every folder in the background, with a cancellable progress notification unless silent. */
  async scanWorkspace(opts: { silent: boolean } = { silent: false }): Promise<void> {
    this.scanCts?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.scanCts = cts;
    const run = async (progress?: vscode.Progress<{ message?: string; increment?: number }>, token?: vscode.CancellationToken): Promise<void> => {
      const started = Date.now();
      for (const f of this.folders.values()) {
        if (cts.token.isCancellationRequested || token?.isCancellationRequested) return;
        let reported = 0;
        const result = await this.worker.scan(f.root, [], {
          onProgress: (p) => {
            if (!progress || p.total === 0) return;
            const pct = Math.floor((p.done / p.total) * 100);
            progress.report({ message: `${p.done}/${p.total} files`, increment: pct - reported });
            reported = pct;
          },
          signal: {
            onCancel: (listener) => {
              cts.token.onCancellationRequested(listener);
              token?.onCancellationRequested(listener);
            },
          },
        });
        // Sites of open, edited buffers stay as analysed from the buffer.
        const dirty = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty && this.folderOf(d.uri) === f).map((d) => relPath(f, d.uri)));
        for (const file of [...f.raw.keys()]) if (!dirty.has(file)) f.raw.delete(file);
        for (const s of result.callSites) {
          if (dirty.has(s.file)) continue;
          const list = f.raw.get(s.file);
          if (list) list.push(s);
          else f.raw.set(s.file, [s]);
        }
        f.skipped = result.skipped;
        f.scanned = true;
        f.relink();
        this.log.info(`scanned ${f.folder.name}: ${result.filesScanned} files (${result.filesParsed} parsed, ${result.filesFromCache} from cache), ${result.callSites.length} call sites in ${Date.now() - started} ms${result.threads ? ` on ${result.threads} threads` : ''}`);
      }
      this.changeEmitter.fire();
    };
    try {
      if (opts.silent) await run();
      else {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'costlens: scanning for LLM calls', cancellable: true },
          (progress, token) => run(progress, token),
        );
      }
    } catch (err) {
      if (err instanceof WorkerCancelledError) this.log.info('scan cancelled');
      else {
        this.log.error(`scan failed: ${(err as Error).stack ?? String(err)}`);
        void vscode.window.showErrorMessage(`costlens: the workspace scan failed (${(err as Error).message.split('\n')[0]}). See the costlens output for details.`);
      }
    } finally {
      if (this.scanCts === cts) this.scanCts = undefined;
      cts.dispose();
    }
  }

  /** Re-reads prices and the usage file and re-estimates everything (no network: prices are offline data). */
  async refreshPrices(): Promise<void> {
    for (const f of this.folders.values()) await this.reloadUsage(f.usage.uri ?? vscode.Uri.joinPath(f.folder.uri, USAGE_FILE_NAMES[0]), false);
    await this.reconfigureAll();
    await this.scanWorkspace({ silent: true });
  }

  // ---------------------------------------------------------------- incremental updates

  private onEdit(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    const f = this.folderOf(doc.uri);
    if (!f) return;
    if (USAGE_FILE_NAMES.some((n) => doc.uri.fsPath === path.join(f.root, n))) {
      this.debounce(`usage:${doc.uri}`, EDIT_DEBOUNCE_MS, () => this.applyUsageText(f, doc.uri, doc.getText()));
      return;
    }
    if (!SOURCE_EXTENSIONS.includes(path.extname(doc.uri.fsPath).toLowerCase())) return;
    const key = doc.uri.toString();
    const version = doc.version;
    this.editVersions.set(key, version);
    this.debounce(key, EDIT_DEBOUNCE_MS, async () => {
      const rel = relPath(f, doc.uri);
      // A file the workspace scan skips (build output, dependencies, .gitignored, excluded by settings) stays out
      // when it is opened or edited.
      if (!this.inScanScope(f, rel)) return;
      const text = doc.getText();
      try {
        const { callSites, problem } = await this.worker.analyze(f.root, rel, text);
        // A newer edit arrived while this one was analysed: its result is stale.
        if (this.editVersions.get(key) !== version) return;
        if (problem) this.log.info(`${rel}: ${problem}`);
        if (callSites.length) f.raw.set(rel, callSites);
        else f.raw.delete(rel);
        f.relink();
        this.changeEmitter.fire();
      } catch (err) {
        if (!(err instanceof WorkerCancelledError)) this.log.warn(`analysis of ${rel} failed: ${(err as Error).message}`);
      }
    });
  }

  private onClose(doc: vscode.TextDocument): void {
    // A closed buffer with unsaved edits no longer decides its file's sites: go back to the disk.
    if (doc.isDirty) this.onDiskChange(doc.uri);
  }

  private onDiskChange(uri: vscode.Uri): void {
    const f = this.folderOf(uri);
    if (!f) return;
    const rel = relPath(f, uri);
    // Files the scan skips (e.g. a rebuilt dist/ bundle) must not come in through file events; a deleted file is
    // always processed so that its sites go away.
    if (!f.raw.has(rel) && fileExists(uri.fsPath) && !this.inScanScope(f, rel)) return;
    const key = f.folder.uri.toString();
    const set = this.pendingDisk.get(key) ?? new Set<string>();
    set.add(rel);
    this.pendingDisk.set(key, set);
    // Many files change at once on git checkout: batch them.
    if (this.diskTimer) clearTimeout(this.diskTimer);
    this.diskTimer = setTimeout(() => void this.flushDiskChanges(), DISK_DEBOUNCE_MS);
  }

  private async onFolderCreated(uri: vscode.Uri): Promise<void> {
    if (SOURCE_EXTENSIONS.includes(path.extname(uri.fsPath).toLowerCase())) return; // the source watcher has it
    const f = this.folderOf(uri);
    if (!f || !dirExists(uri.fsPath)) return;
    const rel = relPath(f, uri);
    if (!rel || rel.startsWith('..') || !this.inScanScope(f, `${rel}/_`)) return;
    // The scan's own listing: default exclusions, .gitignore and the user's filters below the new folder.
    for (const file of listSourceFiles(f.root, [rel], this.filtersOf(f)).files) this.onDiskChange(vscode.Uri.joinPath(f.folder.uri, file));
  }

  private onFolderDeleted(uri: vscode.Uri): void {
    const f = this.folderOf(uri);
    if (!f) return;
    const prefix = `${relPath(f, uri)}/`;
    for (const file of f.raw.keys()) if (file.startsWith(prefix)) this.onDiskChange(vscode.Uri.joinPath(f.folder.uri, file));
  }

  /** Whether a workspace scan reads `rel`: not under an excluded, virtualenv or .gitignored folder, and passing the user's filters. */
  private inScanScope(f: FolderState, rel: string): boolean {
    const parts = rel.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      if (EXCLUDED_DIRS.has(parts[i]!) || fileExists(path.join(f.root, ...parts.slice(0, i + 1), 'pyvenv.cfg'))) return false;
    }
    for (let i = 0; i < parts.length; i++) {
      let rules: string;
      try {
        rules = fs.readFileSync(path.join(f.root, ...parts.slice(0, i), '.gitignore'), 'utf8');
      } catch {
        continue;
      }
      if (ignore().add(rules).ignores(parts.slice(i).join('/'))) return false;
    }
    // Globs, test files, size and generated files: the scan's own rules for an explicit file.
    return !fileExists(path.join(f.root, rel)) || listSourceFiles(f.root, [rel], this.filtersOf(f)).files.includes(rel);
  }

  private filtersOf(f: FolderState): { include: string[]; exclude: string[]; skipTests: boolean; maxFileBytes: number } {
    const settings = readSettings(f.folder);
    return { include: settings.include, exclude: settings.exclude, skipTests: settings.skipTests, maxFileBytes: settings.maxFileSize };
  }

  private async flushDiskChanges(): Promise<void> {
    const pending = this.pendingDisk;
    this.pendingDisk = new Map();
    for (const [key, files] of pending) {
      const f = this.folders.get(key);
      if (!f) continue;
      try {
        const dependents = await this.worker.invalidate(f.root, [...files]);
        const open = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
        const targets = [...new Set([...files, ...dependents])].filter((rel) => !open.has(vscode.Uri.joinPath(f.folder.uri, rel).toString()));
        if (!targets.length) continue;
        const existing = targets.filter((rel) => fileExists(path.join(f.root, rel)));
        for (const rel of targets) f.raw.delete(rel);
        if (existing.length) {
          const result = await this.worker.scan(f.root, existing);
          for (const s of result.callSites) {
            const list = f.raw.get(s.file);
            if (list) list.push(s);
            else f.raw.set(s.file, [s]);
          }
          f.skipped = [...f.skipped.filter((s) => !targets.includes(s.file)), ...result.skipped];
        }
        f.relink();
        this.log.debug(`updated ${targets.length} changed file(s) in ${f.folder.name}`);
      } catch (err) {
        if (!(err instanceof WorkerCancelledError)) this.log.warn(`update after file changes failed: ${(err as Error).message}`);
      }
    }
    this.changeEmitter.fire();
  }

  // ---------------------------------------------------------------- usage file and configuration

  private async syncFolders(): Promise<void> {
    const current = new Set((vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.toString()));
    for (const key of [...this.folders.keys()]) if (!current.has(key)) this.folders.delete(key);
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file' || this.folders.has(folder.uri.toString())) continue;
      const state = new FolderState(folder);
      this.folders.set(folder.uri.toString(), state);
      await this.loadUsage(state);
      await this.configure(state);
    }
  }

  private async loadUsage(f: FolderState): Promise<void> {
    for (const name of USAGE_FILE_NAMES) {
      const uri = vscode.Uri.joinPath(f.folder.uri, name);
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        this.applyUsageText(f, uri, open ? open.getText() : Buffer.from(bytes).toString('utf8'), false);
        return;
      } catch {
        // not this name
      }
    }
    f.usage = { uri: null, config: undefined, issues: [], invalid: false, pricesFilePath: null };
  }

  private async reloadUsage(uri: vscode.Uri, rescan = true): Promise<void> {
    const f = this.folderOf(uri);
    if (!f) return;
    await this.loadUsage(f);
    if (rescan) {
      await this.configure(f);
      await this.scanWorkspace({ silent: true });
    }
  }

  /** Parses usage-file text; on errors the previous valid configuration stays in force. */
  private applyUsageText(f: FolderState, uri: vscode.Uri, text: string, reconfigure = true): void {
    const parsed = parseUsageFile(text, uri.fsPath);
    if (parsed.ok) {
      const pricesFile = parsed.config.pricesFile;
      f.usage = {
        uri,
        config: parsed.config,
        issues: parsed.warnings,
        invalid: false,
        pricesFilePath: pricesFile ? path.resolve(path.dirname(uri.fsPath), pricesFile) : null,
      };
    } else {
      f.usage = { ...f.usage, uri, issues: parsed.issues, invalid: true };
      this.log.warn(`${vscode.workspace.asRelativePath(uri)} is invalid (${parsed.issues.length} problem(s)); the last valid configuration stays in force`);
    }
    this.changeEmitter.fire();
    if (reconfigure && parsed.ok) void this.configure(f).then(() => this.scanWorkspace({ silent: true }));
  }

  private async reconfigureAll(): Promise<void> {
    for (const f of this.folders.values()) await this.configure(f);
  }

  private async configure(f: FolderState): Promise<void> {
    const settings = readSettings(f.folder);
    const trusted = vscode.workspace.isTrusted;
    // The workspace's price file is only read in a trusted workspace.
    const overrides = loadPriceOverrides(f.usage.config, trusted ? f.usage.pricesFilePath : null, f.usage.uri ? path.basename(f.usage.uri.fsPath) : 'costlens.yml');
    let priceOverrides: PriceOverride[] = settings.prices;
    if (overrides.ok) priceOverrides = [...settings.prices, ...overrides.overrides];
    else {
      for (const e of overrides.errors) this.log.error(e);
      void vscode.window.showWarningMessage(`costlens: the price file is invalid and was ignored: ${overrides.errors[0]?.split('\n')[0] ?? ''}`);
    }
    const config: WorkerConfig = {
      root: f.root,
      usage: withSettingDefaults(f.usage.config, settings),
      usageFileName: f.usage.uri ? path.basename(f.usage.uri.fsPath) : 'costlens.yml',
      priceOverrides,
      filters: { include: settings.include, exclude: settings.exclude, skipTests: settings.skipTests, maxFileBytes: settings.maxFileSize },
      cacheFile: this.context.storageUri ? path.join(this.context.storageUri.fsPath, `scan-cache-${hash(f.root)}.json`) : null,
    };
    await this.worker.configure(config);
  }

  // ---------------------------------------------------------------- helpers

  folderOf(uri: vscode.Uri): FolderState | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.folders.get(folder.uri.toString()) : undefined;
  }

  private readonly timers = new Map<string, NodeJS.Timeout>();
  private debounce(key: string, ms: number, fn: () => void | Promise<void>): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void fn();
      }, ms),
    );
  }

  dispose(): void {
    this.scanCts?.cancel();
    for (const t of this.timers.values()) clearTimeout(t);
    if (this.diskTimer) clearTimeout(this.diskTimer);
    this.worker.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function relPath(f: FolderState, uri: vscode.Uri): string {
  return path.relative(f.root, uri.fsPath).split(path.sep).join('/');
}

function hash(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);
}

function dirExists(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function fileExists(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Settings give defaults below the usage file's own `defaults` (the file wins). */
function withSettingDefaults(usage: UsageConfig | undefined, settings: CostlensSettings): UsageConfig | undefined {
  if (settings.defaultRequestsPerDay === null && settings.defaultOutputTokens === null) return usage;
  const point = (n: number): Range => ({ low: n, expected: n, high: n });
  const base: UsageConfig = usage ?? { version: 1, defaults: {}, callSites: {}, features: {}, prices: [], scenarios: {}, advice: {} };
  const defaults = { ...base.defaults };
  if (settings.defaultRequestsPerDay !== null && !defaults.requestsPerDay && !defaults.requestsPerMonth) defaults.requestsPerDay = point(settings.defaultRequestsPerDay);
  if (settings.defaultOutputTokens !== null && !defaults.outputTokens) defaults.outputTokens = point(settings.defaultOutputTokens);
  return { ...base, defaults };
}
