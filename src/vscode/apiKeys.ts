/**
 * API keys of the model-comparison providers. They live only in VS Code's SecretStorage (`context.secrets`, the OS
 * keychain on desktop): never in settings, never in a webview, never in a log line. "costlens: Set API Key…" and
 * "costlens: Clear API Key…" manage them per provider; the compare panel only learns whether a provider has one.
 */
import * as vscode from 'vscode';
import { PROVIDERS, providerById, type ProviderConfig } from '../core/compare/providers';
import { COMMANDS } from './commandIds';

const SECRET_PREFIX = 'costlens.apiKey.';
const PROVIDER_ID = /^[a-z][a-z0-9-]*$/;

export class ApiKeyStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the provider id whose key was stored or removed (in this window or another). */
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(SECRET_PREFIX)) this.emitter.fire(e.key.slice(SECRET_PREFIX.length));
    });
  }

  /** The key of a provider, or undefined (also for a malformed id: nothing else is ever read from the store). */
  async get(providerId: string): Promise<string | undefined> {
    if (!PROVIDER_ID.test(providerId)) return undefined;
    const key = (await this.secrets.get(SECRET_PREFIX + providerId))?.trim();
    return key ? key : undefined;
  }

  async has(providerId: string): Promise<boolean> {
    return (await this.get(providerId)) !== undefined;
  }

  /** Whether each known provider has a key stored (never the keys). */
  async status(): Promise<Record<string, boolean>> {
    const entries = await Promise.all(PROVIDERS.map(async (p) => [p.id, await this.has(p.id)] as const));
    return Object.fromEntries(entries);
  }

  async set(providerId: string, key: string): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + providerId, key.trim());
  }

  async clear(providerId: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + providerId);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

interface ProviderPick extends vscode.QuickPickItem {
  provider: ProviderConfig;
}

async function pickProvider(store: ApiKeyStore, title: string, onlyWithKey: boolean): Promise<ProviderConfig | undefined> {
  const status = await store.status();
  const items: ProviderPick[] = PROVIDERS.filter((p) => !onlyWithKey || status[p.id]).map((p) => ({
    label: p.label,
    description: p.id,
    detail: status[p.id] ? '$(key) a key is stored' : p.keyRequired ? 'no key stored' : 'no key needed unless the server was started with one',
    provider: p,
  }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage('costlens: no API key is stored.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Provider', matchOnDescription: true });
  return picked?.provider;
}

/** Resolves a provider given as a command argument (from the compare panel or a keybinding). */
function providerArg(arg: unknown): ProviderConfig | undefined {
  return typeof arg === 'string' && PROVIDER_ID.test(arg) ? providerById(arg) : undefined;
}

export function register(store: ApiKeyStore, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.setApiKey, async (arg?: unknown) => {
      const provider = providerArg(arg) ?? (await pickProvider(store, 'costlens: Set API Key', false));
      if (!provider) return;
      const key = await vscode.window.showInputBox({
        title: `costlens: API key for ${provider.label}`,
        prompt: `Stored in VS Code's secret storage only; sent only to ${provider.label}'s endpoint when you press Run in the compare panel. Keys: ${provider.docs}`,
        password: true,
        ignoreFocusOut: true,
        placeHolder: provider.apiKeyEnv[0] ?? 'API key',
        validateInput: (v) => (v.trim() === '' ? 'Enter a key (or press Escape).' : /\s/.test(v.trim()) ? 'A key has no spaces.' : undefined),
      });
      if (key === undefined || key.trim() === '') return;
      await store.set(provider.id, key);
      log.info(`API key for ${provider.id} stored in secret storage`);
      void vscode.window.showInformationMessage(`costlens: API key for ${provider.label} stored.`);
    }),
    vscode.commands.registerCommand(COMMANDS.clearApiKey, async (arg?: unknown) => {
      const provider = providerArg(arg) ?? (await pickProvider(store, 'costlens: Clear API Key', true));
      if (!provider) return;
      await store.clear(provider.id);
      log.info(`API key for ${provider.id} removed from secret storage`);
      void vscode.window.showInformationMessage(`costlens: API key for ${provider.label} removed.`);
    }),
  );
}
