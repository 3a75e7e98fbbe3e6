import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('costlens', { log: true });
  context.subscriptions.push(log);
  log.info('costlens activated');
}

export function deactivate(): void {}
