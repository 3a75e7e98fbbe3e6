/**
 * A webview panel with the house rules: CSP + nonce (html.ts), resources only from media/, every message from the
 * webview validated with the panel's zod schema before anything runs (rejected ones are logged), a ready handshake
 * before the first post, and state restored when the panel is hidden and shown again or VS Code restarts.
 */
import * as vscode from 'vscode';
import type * as z from 'zod';
import { webviewHtml } from './html';

export interface PanelOptions<In extends { type: string }> {
  viewType: string;
  title: string;
  /** Script under media/build/ (e.g. `report.js`). */
  script: string;
  /** Schema of the messages the webview may send. */
  incoming: z.ZodType<In>;
  initialState: unknown;
  log: vscode.LogOutputChannel;
  onMessage(message: In, panel: PanelHandle): void | Promise<void>;
  onDispose?(): void;
}

export interface PanelHandle {
  readonly panel: vscode.WebviewPanel;
  /** Posts to the webview once it said it is ready (messages before that are queued). */
  post<M extends { type: string }>(message: M): void;
}

export function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'media');
}

export function openPanel<In extends { type: string }>(extensionUri: vscode.Uri, options: PanelOptions<In>, existing?: vscode.WebviewPanel): PanelHandle {
  const panel =
    existing ??
    vscode.window.createWebviewPanel(options.viewType, options.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [mediaRoot(extensionUri)],
      enableCommandUris: false,
      enableFindWidget: true,
    });
  panel.webview.options = { enableScripts: true, localResourceRoots: [mediaRoot(extensionUri)], enableCommandUris: false };
  const asUri = (...segments: string[]): string => panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot(extensionUri), ...segments)).toString();
  panel.webview.html = webviewHtml(
    options.title,
    {
      cspSource: panel.webview.cspSource,
      styles: [asUri('build', 'codicon.css'), asUri('shared', 'webview.css')],
      scripts: [asUri('build', 'vscode-elements.js'), asUri('build', options.script)],
    },
    options.initialState,
  );
  let ready = false;
  const queue: Array<{ type: string }> = [];
  const handle: PanelHandle = {
    panel,
    post<M extends { type: string }>(message: M) {
      if (ready) void panel.webview.postMessage(message);
      else queue.push(message);
    },
  };
  const subscriptions: vscode.Disposable[] = [
    panel.webview.onDidReceiveMessage(async (raw: unknown) => {
      const parsed = options.incoming.safeParse(raw);
      if (!parsed.success) {
        // Hostile or malformed messages are rejected and logged, never acted on.
        options.log.warn(`${options.viewType}: rejected a message from the webview: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ').slice(0, 300)}`);
        return;
      }
      if (parsed.data.type === 'ready') {
        ready = true;
        for (const m of queue.splice(0)) void panel.webview.postMessage(m);
      }
      try {
        await options.onMessage(parsed.data, handle);
      } catch (err) {
        options.log.error(`${options.viewType}: ${(err as Error).stack ?? String(err)}`);
        handle.post({ type: 'error', message: (err as Error).message } as { type: string });
      }
    }),
  ];
  panel.onDidDispose(() => {
    for (const s of subscriptions) s.dispose();
    options.onDispose?.();
  });
  return handle;
}
