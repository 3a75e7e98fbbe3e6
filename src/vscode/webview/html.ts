/**
 * The HTML shell of every costlens webview: a strict Content-Security-Policy with a per-load nonce from a
 * cryptographic source, scripts and styles only from the extension's media folder, and the initial state in an
 * escaped data attribute (never interpolated into script).
 */
import * as crypto from 'node:crypto';

export interface WebviewAssets {
  /** `webview.cspSource`. */
  cspSource: string;
  /** URIs (as strings, from `webview.asWebviewUri`) of the scripts to load, in order. */
  scripts: string[];
  /** URIs of the style sheets. */
  styles: string[];
}

export function createNonce(): string {
  return crypto.randomBytes(24).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function webviewHtml(title: string, assets: WebviewAssets, initialState: unknown, nonce = createNonce()): string {
  const csp = contentSecurityPolicy(assets.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
${assets.styles.map((href) => `<link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(href)}">`).join('\n')}
</head>
<body data-initial-state="${escapeHtml(JSON.stringify(initialState ?? null))}">
<main id="app" aria-live="polite"></main>
${assets.scripts.map((src) => `<script type="module" nonce="${nonce}" src="${escapeHtml(src)}"></script>`).join("\n")}
</body>
</html>`;
}
