/**
 * `costlens: Compare Models…`: one prompt on 2–6 models side by side, in a webview — cost from the usage each server
 * reports, time to first token and latency, a quality signal, and "Use this model" (the right-size edit).
 *
 * Opened from the palette (the call under the cursor, else the selection as the prompt, else a typed prompt), from a
 * call's hover ("Compare models…") or from a right-size quick fix ("Compare these models…"). The host keeps the draft
 * and the last result (so the panel comes back as it was when it is hidden and shown, or after a restart through the
 * serializer), validates every message from the webview, and is the only side that touches keys, the network, files
 * and workspace storage. Nothing is sent before the person presses Run, and never from an untrusted workspace.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CANDIDATES, tierOf } from '../core/advise/capabilityTiers';
import type { Suggestion } from '../core/advise/types';
import { lookupPrice } from '../core/compare/cost';
import { draftToRequest } from '../core/compare/draft';
import { estimateComparison } from '../core/compare/dryRun';
import { renderComparisonMarkdown } from '../core/compare/exportMarkdown';
import { promptFromCallSite, promptFromText, type PromptTemplate } from '../core/compare/prompt';
import {
  addRecentComparison,
  CompareDraftSchema,
  CompareWebviewMessageSchema,
  readRecentComparisons,
  type CompareDraft,
  type CompareHostMessage,
  type ComparePanelState,
  type CompareWebviewMessage,
  type ModelChoice,
  type PromptDraft,
  type ProviderStatus,
} from '../core/compare/protocol';
import { PROVIDERS, resolveTarget, type ProviderConfig, type TargetOptions } from '../core/compare/providers';
import { CompareRequestError, runComparison } from '../core/compare/runner';
import { COMPARE_DEFAULTS, COMPARE_LIMITS, type CompareEvent, type ComparisonResult } from '../core/compare/types';
import { useModelEdit } from '../core/compare/useModel';
import type { EstimatedCallSite } from '../core/engine/engine';
import { loadPriceOverrides } from '../core/engine/loadConfig';
import { createPriceCatalogue, type PriceCatalogue, type PriceOverride } from '../core/pricing/catalogue';
import { createTokenizer, type Tokenizer } from '../core/tokens/tokenizer';
import type { AnalysisService, CallSiteRef } from './analysisService';
import type { ApiKeyStore } from './apiKeys';
import { COMMANDS } from './commandIds';
import { readCompareSettings, readSettings } from './config';
import { toRange } from './convert';
import { workspaceEditFor } from './quickFixes';
import { openPanel, type PanelHandle } from './webview/panelHost';

export const COMPARE_VIEW_TYPE = 'costlens.compare';
/** workspaceState key of the recent comparisons (core `StoredComparisons`). */
export const RECENT_COMPARISONS_KEY = 'costlens.comparisons';
/** Live text is forwarded to the webview at most this often per column (fewer, larger messages). */
const DELTA_FLUSH_MS = 40;
const MAX_CHOICES = 18;

/** Arguments of `costlens.compareModels`: a call-site id (hover, quick fix) and optionally the models to start with. */
export type CompareArgs = [siteId?: unknown, models?: unknown];

/** What the webview keeps with `vscode.setState` (and the serializer hands back after a restart). */
interface WebviewSavedState {
  draft?: unknown;
  resultId?: unknown;
}

type RunStarted = Extract<CompareHostMessage, { type: 'runStarted' }>;

interface LiveRun {
  runId: string;
  controller: AbortController;
  started: RunStarted;
  /** Every event so far (consecutive text of a run merged), replayed when the webview is shown again. */
  replay: CompareEvent[];
  lastDelta: Map<string, number>;
  pending: Map<string, { model: string; run: number; text: string }>;
  timer: NodeJS.Timeout | undefined;
}

/** Providers as the panel uses them: `custom` takes models written `custom/<model>` once it has a base URL. */
function panelProviders(): ProviderConfig[] {
  return PROVIDERS.map((p) => (p.id === 'custom' ? { ...p, modelPrefix: 'custom/' } : p));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A prompt template in the shape (and within the limits) of the protocol's PromptDraft. */
function toPromptDraft(t: PromptTemplate): PromptDraft {
  return {
    messages: t.messages.map((m) => ({ role: m.role, content: clip(m.content, COMPARE_LIMITS.maxPromptChars) })).slice(0, 200),
    placeholders: t.placeholders.slice(0, 100).map((p) => ({ name: p.name.slice(0, 80), expression: clip(p.expression, 2000), value: p.value })),
    source: t.source,
    ...(t.siteId ? { siteId: clip(t.siteId, 200) } : {}),
    notes: t.notes.slice(0, 20).map((n) => clip(n, 500)),
  };
}

class ComparePanel implements vscode.Disposable {
  private handle: PanelHandle | undefined;
  private draft: CompareDraft;
  private lastResult: ComparisonResult | null = null;
  /** Results of this session by id (the stored ones are trimmed). */
  private readonly results = new Map<string, ComparisonResult>();
  private live: LiveRun | undefined;
  private tokenizer: Promise<Tokenizer> | undefined;
  private prices: PriceCatalogue | undefined;
  private openedAt = 0;
  private siteShown: string | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: AnalysisService,
    private readonly keys: ApiKeyStore,
  ) {
    this.draft = this.typedDraft('');
    this.disposables.push(
      keys.onDidChange(() => void this.postKeyStatus()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.postState()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('costlens.compare') && !e.affectsConfiguration('costlens.prices')) return;
        this.prices = undefined;
        if (!this.live) void this.postState();
      }),
      service.onDidChange(() => {
        this.prices = undefined;
        // A restored panel learns its call site once the first scan has found it.
        const siteId = this.draft.siteId;
        if (this.handle && !this.live && siteId && this.siteShown !== siteId && this.service.findSite(siteId)) void this.postState();
      }),
    );
  }

  // ------------------------------------------------------------------ opening

  /** The command: a call site by id, else the call under the cursor, else the selection, else a typed prompt. */
  async open(siteIdArg?: unknown, modelsArg?: unknown): Promise<void> {
    this.openedAt = Date.now();
    let ref: CallSiteRef | undefined;
    if (typeof siteIdArg === 'string' && siteIdArg) {
      ref = this.service.findSite(siteIdArg);
      if (!ref) void vscode.window.showWarningMessage(`costlens: the call ${siteIdArg} is no longer in the analysis; compare with a typed prompt instead.`);
    }
    const editor = vscode.window.activeTextEditor;
    if (!ref && editor && typeof siteIdArg !== 'string') {
      const pos = editor.selection.active;
      const site = this.service.sitesFor(editor.document.uri).find((s) => toRange(s.range).contains(pos) || pos.line === s.line - 1);
      if (site) ref = this.service.findSite(site.id);
    }
    const models = Array.isArray(modelsArg) ? modelsArg.filter((m): m is string => typeof m === 'string' && m.trim() !== '' && m.length <= 200) : [];
    let next: CompareDraft | null = null;
    if (ref) next = this.siteDraft(ref.site, models);
    else if (editor && !editor.selection.isEmpty && typeof siteIdArg !== 'string') {
      next = this.typedDraft(editor.document.getText(editor.selection), 'selection');
    } else if (!this.handle) next = this.typedDraft('');
    if (next) {
      // A comparison still running belongs to the previous prompt: it is cancelled (and kept in the recent list).
      if (this.live) {
        this.live.controller.abort();
        this.live = undefined;
      }
      this.draft = next;
      this.lastResult = null;
    }
    if (this.handle) {
      this.handle.panel.reveal();
      if (next) await this.postState();
      return;
    }
    this.show();
  }

  /** After a restart: the panel as the webview last saved it. */
  restore(panel: vscode.WebviewPanel, saved: unknown): void {
    this.openedAt = Date.now();
    const s = (saved && typeof saved === 'object' ? saved : {}) as WebviewSavedState;
    const parsed = CompareDraftSchema.safeParse(s.draft);
    if (parsed.success) this.draft = parsed.data;
    if (typeof s.resultId === 'string') this.lastResult = this.findResult(s.resultId);
    this.show(panel);
  }

  private show(existing?: vscode.WebviewPanel): void {
    this.handle = openPanel(
      this.context.extensionUri,
      {
        viewType: COMPARE_VIEW_TYPE,
        title: 'costlens: Compare Models',
        script: 'compare.js',
        incoming: CompareWebviewMessageSchema,
        initialState: null,
        log: this.service.log,
        onMessage: (m) => this.onMessage(m),
        onDispose: () => {
          this.handle = undefined;
          this.live?.controller.abort();
          void this.tokenizer?.then((t) => t.dispose());
          this.tokenizer = undefined;
        },
      },
      existing,
    );
    this.handle.panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'costlens.svg');
    // Tokenizer and prices only when the panel opens; the encoders load in the background so the dry run is quick.
    void this.getTokenizer().then((t) => t.ensureLoaded());
  }

  private getTokenizer(): Promise<Tokenizer> {
    this.tokenizer ??= createTokenizer();
    return this.tokenizer;
  }

  private folder(): vscode.WorkspaceFolder | undefined {
    const siteId = this.draft.siteId;
    const ref = siteId ? this.service.findSite(siteId) : undefined;
    if (ref) return ref.folder;
    const active = vscode.window.activeTextEditor?.document.uri;
    return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  }

  /** The catalogue with the same overrides as the estimates: settings, then costlens.yml and its price file (trusted only). */
  private getPrices(): PriceCatalogue {
    if (this.prices) return this.prices;
    const folder = this.folder();
    const settings = readSettings(folder);
    let overrides: PriceOverride[] = [...settings.prices];
    const usage = folder ? this.service.usageFor(folder) : undefined;
    if (usage) {
      const loaded = loadPriceOverrides(usage.config, vscode.workspace.isTrusted ? usage.pricesFilePath : null, usage.uri ? path.basename(usage.uri.fsPath) : 'costlens.yml');
      if (loaded.ok) overrides = [...overrides, ...loaded.overrides];
      else this.service.log.warn(`compare: the workspace's price overrides were ignored: ${loaded.errors[0] ?? ''}`);
    }
    this.prices = createPriceCatalogue({ overrides });
    return this.prices;
  }

  private targetOptions(): TargetOptions {
    return { providers: panelProviders(), baseURLs: readCompareSettings().baseURLs, prices: this.getPrices() };
  }

  // ------------------------------------------------------------------ drafts and choices

  private typedDraft(text: string, source: 'selection' | 'typed' = 'typed'): CompareDraft {
    return {
      prompt: toPromptDraft(promptFromText(text, { source })),
      models: ['gpt-4o', 'gpt-4o-mini'],
      params: { runs: COMPARE_DEFAULTS.runs, temperature: null, maxOutputTokens: COMPARE_DEFAULTS.maxOutputTokens, requestsPerMonth: null, stream: true },
      quality: null,
      currentModel: null,
      currentCostPerRequestUsd: null,
      siteId: null,
    };
  }

  private siteDraft(site: EstimatedCallSite, models: string[]): CompareDraft {
    const current = site.model.resolved;
    const defaults = models.length ? models : [...(current ? [current] : []), ...this.cheaperDefaults(site)];
    const unique = [...new Set(defaults)].slice(0, COMPARE_LIMITS.maxModels);
    const prompt = toPromptDraft(promptFromCallSite(site));
    if (site.api === 'embeddings') prompt.notes = [...(prompt.notes ?? []), 'this call computes embeddings: the comparison sends its text as a chat prompt'].slice(0, 20);
    const limit = site.params.maxOutputTokens?.value;
    const temperature = site.params.temperature?.value;
    const draft: CompareDraft = {
      prompt,
      models: unique.length ? unique : ['gpt-4o-mini'],
      params: {
        runs: COMPARE_DEFAULTS.runs,
        temperature: typeof temperature === 'number' && temperature >= 0 && temperature <= 2 ? temperature : null,
        maxOutputTokens: typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= COMPARE_LIMITS.maxOutputTokens ? limit : COMPARE_DEFAULTS.maxOutputTokens,
        requestsPerMonth: site.estimate && Number.isFinite(site.estimate.requestsPerMonth) ? site.estimate.requestsPerMonth : null,
        stream: true,
      },
      quality: null,
      currentModel: current ? clip(current, 200) : null,
      currentCostPerRequestUsd: site.estimate?.costPerRequestUsd ?? null,
      siteId: clip(site.id, 200),
    };
    const checked = CompareDraftSchema.safeParse(draft);
    if (checked.success) return checked.data;
    this.service.log.warn(`compare: the draft of ${site.id} does not fit the protocol (${checked.error.issues[0]?.message ?? ''}); starting from a typed prompt`);
    return { ...this.typedDraft(''), models: draft.models, currentModel: draft.currentModel, siteId: draft.siteId };
  }

  /** The right-size alternatives of a call, else up to two cheaper models of its provider (its own family first). */
  private cheaperDefaults(site: EstimatedCallSite): string[] {
    const rightSize = (site.suggestions ?? []).filter((s) => s.kind === 'right-size').flatMap((s) => (s.alternatives ?? []).map((a) => a.model));
    if (rightSize.length) return rightSize.slice(0, 2);
    const current = site.model.resolved;
    if (!current) return [];
    const tier = tierOf(current);
    const prices = this.getPrices();
    const own = prices.lookup(site.provider, current);
    const ownInput = own.status === 'found' ? own.price.inputPerMTok : Number.POSITIVE_INFINITY;
    const candidates = (CANDIDATES[site.provider] ?? []).filter((m) => {
      const t = tierOf(m);
      const p = prices.lookup(site.provider, m);
      return m !== current && t?.kind === (tier?.kind ?? 'chat') && (tier === null || t.tier > tier.tier) && p.status === 'found' && p.price.inputPerMTok < ownInput;
    });
    const family = candidates.filter((m) => m.startsWith(`${current}-`));
    return [...new Set([...family, ...candidates])].slice(0, 2);
  }

  private modelChoices(): ModelChoice[] {
    const options = this.targetOptions();
    const prices = options.prices!;
    const siteId = this.draft.siteId;
    const site = siteId ? this.service.findSite(siteId)?.site : undefined;
    const seen = new Set<string>();
    const choices: ModelChoice[] = [];
    const add = (model: string, reason: ModelChoice['reason']): void => {
      if (seen.has(model) || choices.length >= MAX_CHOICES) return;
      const r = resolveTarget(model, options);
      if (!r.ok) return;
      seen.add(model);
      const { price } = lookupPrice(r.target, prices);
      choices.push({ model, providerId: r.target.providerId, label: `${model} · ${r.target.providerLabel}`, inputPerMTok: price?.inputPerMTok ?? null, outputPerMTok: price?.outputPerMTok ?? null, reason });
    };
    const current = site?.model.resolved ?? this.draft.currentModel;
    if (current) add(current, 'current');
    for (const s of site?.suggestions ?? []) if (s.kind === 'right-size') for (const a of s.alternatives ?? []) add(a.model, 'suggested');
    const provider = site?.provider ?? 'openai';
    const chat = (m: string): boolean => tierOf(m)?.kind !== 'embeddings';
    for (const m of (CANDIDATES[provider] ?? []).filter(chat)) add(m, 'catalogue');
    for (const other of ['openai', 'anthropic', 'google']) if (other !== provider) for (const m of (CANDIDATES[other] ?? []).filter(chat).slice(0, 3)) add(m, 'catalogue');
    return choices;
  }

  private async providerStatus(): Promise<ProviderStatus[]> {
    const { baseURLs } = readCompareSettings();
    const has = await this.keys.status();
    return PROVIDERS.map((p) => ({ id: p.id, label: p.label, baseURL: baseURLs[p.id] ?? p.baseURL, local: p.local, keyRequired: p.keyRequired, hasKey: has[p.id] ?? false, docs: p.docs }));
  }

  private siteInfo(): ComparePanelState['site'] {
    const siteId = this.draft.siteId;
    const ref = siteId ? this.service.findSite(siteId) : undefined;
    if (!ref) return null;
    const s = ref.site;
    const canUseModel = !!s.model.literal || (s.suggestions ?? []).some((x) => x.kind === 'right-size' && x.edit);
    return { id: s.id, file: s.file, line: s.line, model: s.model.resolved, canUseModel };
  }

  private async state(): Promise<ComparePanelState> {
    const site = this.siteInfo();
    this.siteShown = site?.id ?? null;
    return {
      draft: this.draft,
      site,
      modelChoices: this.modelChoices(),
      providers: await this.providerStatus(),
      recent: readRecentComparisons(this.context.workspaceState.get(RECENT_COMPARISONS_KEY)).items.map((i) => i.summary),
      lastResult: this.lastResult,
      canRun: vscode.workspace.isTrusted,
    };
  }

  private post(m: CompareHostMessage): void {
    this.handle?.post(m);
  }

  private async postState(): Promise<void> {
    if (this.handle) this.post({ type: 'state', state: await this.state() });
  }

  private async postKeyStatus(): Promise<void> {
    if (this.handle) this.post({ type: 'keyStatus', providers: await this.keys.status() });
  }

  // ------------------------------------------------------------------ messages

  private async onMessage(m: CompareWebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready': {
        // Text still pending for a running comparison is recorded (and replayed below) before the state goes out.
        if (this.live) this.flush(this.live);
        await this.postState();
        if (this.openedAt) {
          this.service.log.info(`compare: panel ready ${Date.now() - this.openedAt} ms after it was opened`);
          this.openedAt = 0;
        }
        const live = this.live;
        if (live) {
          this.post(live.started);
          for (const event of live.replay) this.post({ type: 'event', runId: live.runId, event });
        }
        return;
      }
      case 'setPrompt':
        this.draft = { ...this.draft, prompt: m.prompt };
        return;
      case 'setModels':
        if (m.models.length) this.draft = { ...this.draft, models: m.models };
        return;
      case 'setParams':
        this.draft = { ...this.draft, params: m.params };
        return;
      case 'setQuality':
        this.draft = { ...this.draft, quality: m.quality };
        return;
      case 'dryRun':
        await this.dryRun(m.requestId, m.draft);
        return;
      case 'run':
        await this.run(m.requestId, m.draft);
        return;
      case 'cancel':
        if (this.live?.runId === m.runId) this.live.controller.abort();
        return;
      case 'useModel':
        await this.useModel(m.runId, m.model);
        return;
      case 'export':
        await this.export(m.runId);
        return;
      case 'openRecent': {
        const result = this.findResult(m.comparisonId);
        if (!result) {
          this.post({ type: 'error', message: 'That comparison is no longer stored.' });
          return;
        }
        this.lastResult = result;
        await this.postState();
        return;
      }
      case 'deleteRecent': {
        const stored = readRecentComparisons(this.context.workspaceState.get(RECENT_COMPARISONS_KEY));
        await this.context.workspaceState.update(RECENT_COMPARISONS_KEY, { ...stored, items: stored.items.filter((i) => i.summary.id !== m.comparisonId) });
        this.results.delete(m.comparisonId);
        if (this.lastResult?.id === m.comparisonId) this.lastResult = null;
        await this.postState();
        return;
      }
      case 'setApiKey':
        await vscode.commands.executeCommand(COMMANDS.setApiKey, m.providerId);
        return;
    }
  }

  /** The draft resolved to a request, with a hint where a provider needs configuring. */
  private resolve(draft: CompareDraft): ReturnType<typeof draftToRequest> {
    const resolved = draftToRequest(draft, { ...this.targetOptions(), timeoutMs: readCompareSettings().timeoutMs });
    return { ...resolved, problems: resolved.problems.map((p) => (/needs (a|your resource's) base URL/.test(p) ? `${p}: set it in the costlens.compare.providers setting` : p)) };
  }

  private async dryRun(requestId: string, draft: CompareDraft): Promise<void> {
    this.draft = draft;
    const resolved = this.resolve(draft);
    if (!resolved.ok || !resolved.request) {
      this.post({ type: 'dryRunResult', requestId, estimate: null, problems: resolved.problems, warnings: resolved.warnings });
      return;
    }
    const tokenizer = await this.getTokenizer();
    const estimate = estimateComparison(resolved.request, { tokenizer, prices: this.getPrices() });
    this.post({ type: 'dryRunResult', requestId, estimate, problems: [], warnings: resolved.warnings });
  }

  private async run(requestId: string, draft: CompareDraft): Promise<void> {
    this.draft = draft;
    if (!vscode.workspace.isTrusted) {
      this.post({ type: 'error', requestId, message: 'This workspace is in Restricted Mode: comparisons send prompts to model providers, so they only run in a trusted workspace.' });
      return;
    }
    if (this.live) {
      this.post({ type: 'error', requestId, message: 'A comparison is already running: cancel it or wait for it to finish.' });
      return;
    }
    const resolved = this.resolve(draft);
    if (!resolved.ok || !resolved.request) {
      this.post({ type: 'error', requestId, message: 'The comparison cannot run yet.', problems: resolved.problems });
      return;
    }
    const request = resolved.request;
    const current = request.currentModel ? (request.targets.find((t) => t.id === request.currentModel) ?? request.targets.find((t) => t.model === request.currentModel)) : undefined;
    const runId = randomUUID();
    const started: RunStarted = {
      type: 'runStarted',
      requestId,
      runId,
      columns: request.targets.map((t) => ({ model: t.id, modelId: t.model, providerLabel: t.providerLabel, baseURL: t.baseURL, isCurrent: t.id === current?.id })),
      runs: request.runs,
    };
    const live: LiveRun = { runId, controller: new AbortController(), started, replay: [], lastDelta: new Map(), pending: new Map(), timer: undefined };
    this.live = live;
    this.post(started);
    const labels = new Map(PROVIDERS.map((p) => [p.id, p.label]));
    const t0 = Date.now();
    let result: ComparisonResult;
    try {
      const tokenizer = await this.getTokenizer();
      result = await runComparison(request, {
        getKey: (id) => this.keys.get(id),
        keyHint: (id) => `run "costlens: Set API Key…" for ${labels.get(id) ?? id}`,
        prices: this.getPrices(),
        tokenizer,
        signal: live.controller.signal,
        onEvent: (event) => this.onRunEvent(live, event),
      });
    } catch (err) {
      this.flush(live);
      if (this.live !== live) return;
      this.live = undefined;
      if (err instanceof CompareRequestError) this.post({ type: 'error', requestId, message: 'The comparison cannot run.', problems: err.problems });
      else {
        this.service.log.error(`compare: ${(err as Error).stack ?? String(err)}`);
        this.post({ type: 'error', requestId, message: `The comparison failed: ${(err as Error).message.split('\n')[0]}` });
      }
      return;
    }
    this.flush(live);
    this.results.set(result.id, result);
    // Superseded (the panel was opened on another call meanwhile): stored, not shown.
    if (this.live === live) {
      this.live = undefined;
      this.lastResult = result;
      this.post({ type: 'runFinished', runId, result });
    }
    const ok = result.models.filter((s) => s.okRuns > 0).length;
    this.service.log.info(`compare: ${result.models.length} model(s) × ${result.params.runs} run(s) in ${Date.now() - t0} ms: ${ok} answered${result.cancelled ? ' (cancelled)' : ''}`);
    try {
      await this.context.workspaceState.update(RECENT_COMPARISONS_KEY, addRecentComparison(this.context.workspaceState.get(RECENT_COMPARISONS_KEY), result));
    } catch (err) {
      this.service.log.warn(`compare: the comparison could not be kept in workspace storage: ${(err as Error).message}`);
    }
  }

  /** Text is gathered per run and sent every DELTA_FLUSH_MS; any other event first flushes what is pending. */
  private onRunEvent(live: LiveRun, event: CompareEvent): void {
    if (event.type === 'delta') {
      const key = `${event.model}\u0000${event.run}`;
      const pending = live.pending.get(key);
      if (pending) pending.text += event.text;
      else live.pending.set(key, { model: event.model, run: event.run, text: event.text });
      live.timer ??= setTimeout(() => this.flush(live), DELTA_FLUSH_MS);
      return;
    }
    this.flush(live);
    this.record(live, event);
    if (this.live === live) this.post({ type: 'event', runId: live.runId, event });
  }

  private flush(live: LiveRun): void {
    if (live.timer) clearTimeout(live.timer);
    live.timer = undefined;
    for (const p of live.pending.values()) {
      const event: CompareEvent = { type: 'delta', model: p.model, run: p.run, text: p.text };
      this.record(live, event);
      if (this.live === live) this.post({ type: 'event', runId: live.runId, event });
    }
    live.pending.clear();
  }

  private record(live: LiveRun, event: CompareEvent): void {
    const key = `${event.model}\u0000${event.run}`;
    if (event.type === 'delta') {
      const i = live.lastDelta.get(key);
      const last = i === undefined ? undefined : live.replay[i];
      if (last?.type === 'delta' && i === live.replay.length - 1) {
        live.replay[i] = { ...last, text: last.text + event.text };
        return;
      }
      live.lastDelta.set(key, live.replay.length);
    }
    live.replay.push(event);
  }

  private findResult(id: string): ComparisonResult | null {
    if (this.lastResult?.id === id) return this.lastResult;
    const own = this.results.get(id);
    if (own) return own;
    return readRecentComparisons(this.context.workspaceState.get(RECENT_COMPARISONS_KEY)).items.find((i) => i.summary.id === id)?.result ?? null;
  }

  // ------------------------------------------------------------------ use this model, export

  private async useModel(resultId: string, column: string): Promise<void> {
    const reply = (ok: boolean, message: string): void => this.post({ type: 'useModelResult', ok, message });
    const result = this.findResult(resultId);
    const summary = result?.models.find((s) => s.model === column);
    if (!result || !summary) return reply(false, 'That comparison is no longer available: run it again.');
    const siteId = result.siteId ?? this.draft.siteId;
    const ref = siteId ? this.service.findSite(siteId) : undefined;
    if (!ref) return reply(false, siteId ? `The call ${siteId} is no longer in the analysis.` : 'This comparison was not opened from a call in the code: there is no model to change.');
    const root = ref.folder.uri.fsPath;
    const readFile = (file: string): string | null => {
      try {
        return fs.readFileSync(path.join(root, file), 'utf8');
      } catch {
        return null;
      }
    };
    const edit = useModelEdit(ref.site, summary.modelId, readFile, { providerId: summary.providerId });
    if (!edit.ok) return reply(false, edit.reason);
    const built = await workspaceEditFor(ref.folder, { edit: edit.edit } as Suggestion);
    if (!built) return reply(false, 'The file changed since it was analysed (or has unsaved changes before the model): save it and try again in a moment.');
    // The file that holds the model (a settings module): saved afterwards when it had no unsaved changes, as the quick fix does.
    const others = [...new Set(edit.edit.changes.map((c) => c.file))]
      .map((file) => vscode.Uri.joinPath(ref.folder.uri, file))
      .filter((uri) => uri.toString() !== ref.uri.toString())
      .filter((uri) => !vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty));
    if (!(await vscode.workspace.applyEdit(built.edit))) return reply(false, `Could not apply "${edit.edit.title}".`);
    for (const uri of others) {
      if (vscode.workspace.getConfiguration('files', uri).get<boolean>('refactoring.autoSave', true)) await (await vscode.workspace.openTextDocument(uri)).save();
    }
    const where = edit.edit.changes.map((c) => `${c.file}:${c.range.startLine}`).join(', ');
    this.service.log.info(`compare: ${ref.site.id} now uses ${summary.modelId} (${where})`);
    reply(true, `${ref.site.id} now uses ${summary.modelId} (${where}).`);
  }

  private async export(resultId: string): Promise<void> {
    const result = this.findResult(resultId);
    if (!result) {
      this.post({ type: 'error', message: 'Nothing to export: run a comparison first.' });
      return;
    }
    const folder = this.folder();
    const stamp = result.startedAt.slice(0, 16).replace(/[-:T]/g, '');
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder.uri, `costlens-comparison-${stamp}.md`) : undefined,
      filters: { Markdown: ['md'] },
      title: 'Export the comparison as Markdown',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(renderComparisonMarkdown(result)));
    this.post({ type: 'exported', path: vscode.workspace.asRelativePath(target) });
  }

  dispose(): void {
    this.live?.controller.abort();
    this.handle?.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export function register(context: vscode.ExtensionContext, service: AnalysisService, keys: ApiKeyStore): vscode.Disposable {
  const panel = new ComparePanel(context, service, keys);
  return vscode.Disposable.from(
    panel,
    vscode.commands.registerCommand(COMMANDS.compareModels, (...args: CompareArgs) => panel.open(args[0], args[1])),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state) => panel.restore(webviewPanel, state),
    }),
  );
}
