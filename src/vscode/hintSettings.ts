/** Which documents get inline hints (CodeLens or inlay hints), per the `costlens.hints.*` settings. */
import type * as vscode from 'vscode';
import type { CostlensSettings } from './config';

export const SUPPORTED_LANGUAGES = ['python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'];

export function hintsEnabledFor(document: vscode.TextDocument, settings: CostlensSettings): boolean {
  return SUPPORTED_LANGUAGES.includes(document.languageId) && !settings.disabledLanguages.includes(document.languageId);
}
