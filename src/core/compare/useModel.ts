/**
 * "Use this model": the same edit as the right-size quick fix — the call site's model literal replaced, quotes kept.
 * When the site's right-size suggestion already proposes this model, its edit is used as is.
 */
import type { SuggestedEdit, Suggestion, TextChange } from '../advise/types';
import { canonicalProviderId } from '../pricing/providerRules';
import type { CallSite } from '../types';

export type UseModelEdit = { ok: true; edit: SuggestedEdit } | { ok: false; reason: string };

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * The edit that makes a call site use `model`. `readFile` returns the current text of a workspace file (an editor
 * buffer or the disk), relative to the scan root; the literal must still be where the scan found it.
 */
export function useModelEdit(
  site: Pick<CallSite, 'id' | 'file' | 'model' | 'provider'> & { suggestions?: Suggestion[] | undefined },
  model: string,
  readFile: (file: string) => string | null,
  options: { providerId?: string | undefined } = {},
): UseModelEdit {
  const wanted = model.trim();
  if (wanted === '') return { ok: false, reason: 'no model given' };
  const switching = providerSwitch(site.provider, options.providerId);
  if (switching) return { ok: false, reason: switching };
  if (site.model.resolved === wanted) return { ok: false, reason: `${site.id} already uses ${wanted}` };
  const rightSize = site.suggestions?.find((s) => s.kind === 'right-size' && s.edit && s.alternatives?.[0]?.model === wanted);
  if (rightSize?.edit) return { ok: true, edit: rightSize.edit };
  const literal = site.model.literal;
  if (!literal) {
    return { ok: false, reason: `the model of ${site.id} is not a string literal in the workspace (${site.model.resolution}): change it where it is set` };
  }
  if (/[\\'"`$\n\r]/.test(wanted)) return { ok: false, reason: `'${wanted}' cannot be written into a string literal safely` };
  const text = readFile(literal.file);
  if (text === null) return { ok: false, reason: `cannot read ${literal.file}` };
  const { startOffset, endOffset } = literal.range;
  const current = text.slice(startOffset, endOffset);
  const m = /^([rRuUbBfF]?)(['"`])/.exec(current);
  if (!m || !current.endsWith(m[2]!) || current.length < 2 || current.startsWith('"""') || current.startsWith("'''")) {
    return { ok: false, reason: `${literal.file}:${literal.range.startLine} changed since the scan: rescan and try again` };
  }
  const inner = current.slice(m[0].length, -1);
  if (site.model.resolved !== null && inner !== site.model.resolved) {
    return { ok: false, reason: `${literal.file}:${literal.range.startLine} changed since the scan (it reads ${current}): rescan and try again` };
  }
  const a = position(text, startOffset);
  const b = position(text, endOffset);
  const change: TextChange = {
    file: literal.file,
    range: { startOffset, endOffset, startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column },
    newText: `${m[1]}${m[2]}${wanted}${m[2]}`,
  };
  return { ok: true, edit: { title: `Use ${wanted}${literal.file !== site.file ? ` (edits ${literal.file}:${a.line})` : ''}`, changes: [change], newFiles: [] } };
}

/** Providers whose SDK and endpoint a call site is tied to: changing to one of them is more than a model name. */
const FIXED_ENDPOINTS = new Set(['openai', 'azure', 'anthropic', 'google', 'openrouter', 'ollama']);

/** Why a model of `targetProvider` cannot replace the model of a site calling `siteProvider`, or null if it can. */
export function providerSwitch(siteProvider: string, targetProvider: string | undefined): string | null {
  if (!targetProvider) return null;
  const a = canonicalProviderId(siteProvider);
  const b = canonicalProviderId(targetProvider);
  if (!FIXED_ENDPOINTS.has(a) || !FIXED_ENDPOINTS.has(b) || a === b) return null;
  return `the call site calls ${siteProvider}; a ${targetProvider} model needs a different client or base URL, not only a new model name`;
}
