/**
 * Keys never appear in results, errors, exports or logs. Every text that leaves the runner goes through `redact`:
 * the keys used in the comparison are replaced wherever they occur (a server echoing the key back in an error, a
 * model repeating it), and so are strings shaped like common API keys and bearer tokens.
 */

export const REDACTED = '[redacted]';

/** Shapes of well-known key formats (OpenAI/Anthropic/OpenRouter `sk-…`, Google `AIza…`) and bearer tokens. */
const KEY_SHAPES: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Secrets shorter than this are not keys (and replacing them would garble ordinary text). */
const MIN_SECRET_LENGTH = 6;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remembers a secret to redact from now on. */
  add(secret: string | undefined | null): void {
    if (typeof secret === 'string' && secret.trim().length >= MIN_SECRET_LENGTH) this.secrets.add(secret.trim());
  }

  text(value: string): string {
    let out = value;
    // Longest first, so a key that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const shape of KEY_SHAPES) {
      out = out.replace(shape, (match: string, prefix?: unknown) => (typeof prefix === 'string' ? `${prefix}${REDACTED}` : REDACTED));
    }
    return out;
  }

  /**
   * A writer for text that arrives in pieces (a streamed answer): a key split over several pieces would pass `text`
   * piece by piece, so the tail that could be the start of a key is held back until the next piece (or `flush`)
   * shows whether it is one. `write` receives the pieces to pass on; redact them with `text` (or `deep`).
   */
  stream(write: (text: string) => void): { push(text: string): void; flush(): void } {
    let pending = '';
    return {
      push: (text: string) => {
        pending += text;
        const hold = this.heldTail(pending);
        const out = pending.slice(0, pending.length - hold);
        pending = pending.slice(pending.length - hold);
        if (out) write(out);
      },
      flush: () => {
        if (pending) write(pending);
        pending = '';
      },
    };
  }

  /** Length of the longest end of `s` that is the start (not the whole) of a secret. */
  private heldTail(s: string): number {
    let hold = 0;
    for (const secret of this.secrets) {
      for (let k = Math.min(secret.length - 1, s.length); k > hold; k--) {
        if (s.endsWith(secret.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    return hold;
  }

  /** A deep copy of plain data with every string redacted. */
  deep<T>(value: T): T {
    return redactValue(value, (s) => this.text(s)) as T;
  }
}

function redactValue(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, f));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, f);
    return out;
  }
  return value;
}

/** One-off redaction of a text with the given secrets (and key shapes). */
export function redactSecrets(text: string, secrets: Iterable<string | undefined | null> = []): string {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r.text(text);
}
