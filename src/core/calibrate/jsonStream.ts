/**
 * A streaming JSON reader with bounded memory, for exports far larger than the memory they may use.
 *
 * It reads a sequence of top-level JSON values (one document, JSON lines, or concatenated pretty-printed objects)
 * chunk by chunk and hands out *items*: every element of an array chosen by `streamArray` (the spans of an OTLP
 * export, the rows of a JSON array, the buckets of an API page) and every top-level value that is not such a wrapper.
 * Only the item being read is kept, plus the small objects around it (`ancestors`, e.g. an OTLP resource); streamed
 * arrays keep nothing, and the values of `skipKeys` (prompts and replies) are scanned but not kept.
 *
 * No dependency: a hand-written tokenizer. Strings are found with `indexOf` and sliced, never built character by
 * character; a token cut by a chunk boundary is carried over. Errors name the line (and the character offset, for
 * one-line documents) and, at the end of a truncated file, what was still open.
 */

export type PathSeg = string | number;

export interface JsonStreamOptions {
  /** True for the arrays (by path from the top-level value) whose elements are handed out one by one. */
  streamArray(path: readonly PathSeg[]): boolean;
  /** Keys whose object, array and string values are read but not kept (numbers and booleans are kept). */
  skipKeys?: ReadonlySet<string>;
}

export interface JsonItem {
  value: unknown;
  /** Path from the top-level value (which is `[]`). */
  path: PathSeg[];
  /** 1-based line of the item's first character. */
  line: number;
  /** The partially read objects that enclose the item, outermost first. */
  ancestors: unknown[];
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly problem: string,
    readonly line: number,
    /** 0-based character offset in the file. */
    readonly offset: number,
  ) {
    super(`line ${line} (character ${offset + 1}): ${problem}`);
  }
}

const enum Mode {
  /** The container's value is built. */
  Build,
  /** An array whose elements are handed out and not kept. */
  Stream,
  /** Read and thrown away. */
  Skip,
}

const enum Expect {
  /** A top-level value or the end of the input. */
  Top,
  Value,
  ValueOrArrayEnd,
  KeyOrObjectEnd,
  Key,
  Colon,
  CommaOrEnd,
}

interface Frame {
  isArray: boolean;
  mode: Mode;
  /** The object or array being built (Build), else null. */
  value: Record<string, unknown> | unknown[] | null;
  /** Objects: the key whose value is being read. */
  key: string | null;
  /** Arrays: index of the next element. */
  index: number;
  /** Segment of this container in its parent. */
  seg: PathSeg | null;
  line: number;
  /** A descendant array is streamed: this container is a wrapper, not an item. */
  wrapper: boolean;
}

const CONTROL = /[\u0000-\u001f]/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const SKIPPED = Symbol('skipped');

export class JsonStreamReader {
  private readonly stack: Frame[] = [];
  private expect: Expect = Expect.Top;
  private line = 1;
  /** Characters consumed before the current chunk. */
  private consumed = 0;
  /** An unfinished short token (number, literal, escape) from the end of the previous chunk. */
  private carry = '';
  /** Unfinished string: its parts so far (null when the string is skipped). */
  private stringParts: string[] | null = null;
  private inString = false;
  private stringIsKey = false;
  private stringSkipped = false;
  private stringLine = 0;
  /** Line of the value being started, for items. */
  private valueLine = 0;
  private readonly items: JsonItem[] = [];
  private readonly skipKeys: ReadonlySet<string>;
  private topValues = 0;
  // Cached positions in the current chunk (recomputed only when passed), so scanning stays linear.
  private nextBackslash = -1;
  private nextNewline = -1;
  private chunk = '';

  constructor(private readonly options: JsonStreamOptions) {
    this.skipKeys = options.skipKeys ?? new Set();
  }

  /** Items completed in the chunk being read (for record numbers in errors). */
  get pendingItems(): number {
    return this.items.length;
  }

  /** Number of top-level values read so far. */
  get topLevelValues(): number {
    return this.topValues;
  }

  /** Reads a chunk; returns the items completed in it (and forgets them). */
  write(text: string): JsonItem[] {
    let s = text;
    // `consumed` counts characters before the carried token, so it is the offset of the combined chunk.
    const base = this.consumed;
    if (this.carry) {
      s = this.carry + text;
      this.carry = '';
    }
    this.chunk = s;
    this.nextBackslash = -1;
    this.nextNewline = -1;
    const n = s.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        i = this.readString(s, i, base);
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13) {
        i++;
        continue;
      }
      if (c === 10) {
        this.line++;
        i++;
        continue;
      }
      i = this.token(s, i, c, base);
    }
    this.consumed = base + n - this.carry.length;
    return this.items.splice(0, this.items.length);
  }

  /** Ends the input; throws when a value is unfinished. */
  end(): JsonItem[] {
    if (this.inString || this.carry || this.stack.length > 0 || (this.expect !== Expect.Top)) {
      const what = this.inString ? 'a string' : this.carry ? `the token "${this.carry.slice(0, 20)}"` : this.stack.length > 0 ? this.openDescription() : 'a value';
      throw new JsonSyntaxError(`unexpected end of file inside ${what}: the file is incomplete (truncated?)`, this.line, this.consumed + this.carry.length);
    }
    return this.items.splice(0, this.items.length);
  }

  private openDescription(): string {
    const path = this.pathOf(this.stack.length);
    const top = this.stack[this.stack.length - 1];
    return `${top.isArray ? 'an array' : 'an object'}${path.length ? ` at ${formatPath(path)}` : ''} opened on line ${top.line}`;
  }

  private fail(problem: string, offset: number): never {
    throw new JsonSyntaxError(problem, this.line, offset);
  }

  private describeChar(s: string, i: number): string {
    const ch = s[i];
    return ch === undefined ? 'end of input' : JSON.stringify(ch);
  }

  /** Handles one non-whitespace character outside strings; returns the next index. */
  private token(s: string, i: number, c: number, base: number): number {
    const expect = this.expect;
    if (expect === Expect.Colon) {
      if (c !== 58 /* : */) return this.fail(`expected ":" after a key, found ${this.describeChar(s, i)}`, base + i);
      this.expect = Expect.Value;
      return i + 1;
    }
    if (expect === Expect.CommaOrEnd) {
      const top = this.stack[this.stack.length - 1];
      if (c === 44 /* , */) {
        this.expect = top.isArray ? Expect.Value : Expect.Key;
        return i + 1;
      }
      if ((c === 93 /* ] */ && top.isArray) || (c === 125 /* } */ && !top.isArray)) return this.close(i);
      return this.fail(`expected "," or "${top.isArray ? ']' : '}'}", found ${this.describeChar(s, i)}`, base + i);
    }
    if (expect === Expect.KeyOrObjectEnd || expect === Expect.Key) {
      if (c === 125 /* } */ && expect === Expect.KeyOrObjectEnd) return this.close(i);
      if (c !== 34 /* " */) return this.fail(`expected a key in double quotes, found ${this.describeChar(s, i)}`, base + i);
      this.startString(true, false);
      return i + 1;
    }
    if (expect === Expect.ValueOrArrayEnd && c === 93 /* ] */) return this.close(i);
    return this.startValue(s, i, c, base);
  }

  private startValue(s: string, i: number, c: number, base: number): number {
    this.valueLine = this.line;
    const skip = this.valueIsSkipped();
    if (c === 34 /* " */) {
      this.startString(false, skip);
      return i + 1;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      this.open(c === 91, skip);
      return i + 1;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      const n = s.length;
      while (j < n) {
        const d = s.charCodeAt(j);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j++;
        else break;
      }
      if (j === n) {
        this.carry = s.slice(i);
        return n;
      }
      const text = s.slice(i, j);
      if (!NUMBER.test(text)) this.fail(`invalid number ${JSON.stringify(text)}`, base + i);
      this.completeValue(Number(text));
      return j;
    }
    if (c === 116 /* t */ || c === 102 /* f */ || c === 110 /* n */) {
      const word = c === 116 ? 'true' : c === 102 ? 'false' : 'null';
      if (s.length - i < word.length) {
        if (word.startsWith(s.slice(i))) {
          this.carry = s.slice(i);
          return s.length;
        }
      } else if (s.startsWith(word, i)) {
        this.completeValue(c === 116 ? true : c === 102 ? false : null);
        return i + word.length;
      }
      this.fail(`unexpected ${JSON.stringify(s.slice(i, i + 12))} (expected a JSON value)`, base + i);
    }
    if (c === 0xfeff && this.consumed + i === 0) return i + 1; // byte-order mark
    this.fail(`unexpected character ${this.describeChar(s, i)} (expected a JSON value)`, base + i);
  }

  /** True when the value about to be read belongs to a skipped key or container. */
  private valueIsSkipped(): boolean {
    const top = this.stack[this.stack.length - 1];
    if (!top) return false;
    if (top.mode === Mode.Skip) return true;
    return !top.isArray && top.key !== null && this.skipKeys.has(top.key);
  }

  private startString(isKey: boolean, skipped: boolean): void {
    this.inString = true;
    this.stringIsKey = isKey;
    this.stringSkipped = skipped && !isKey;
    this.stringParts = this.stringSkipped ? null : [];
    this.stringLine = this.line;
  }

  /** Continues a string from index i; returns the index after it (or the chunk length when it goes on). */
  private readString(s: string, i: number, base: number): number {
    const n = s.length;
    let from = i;
    for (;;) {
      const quote = s.indexOf('"', from);
      if (this.nextBackslash !== n && this.nextBackslash < from) {
        const b = s.indexOf('\\', from);
        this.nextBackslash = b === -1 ? n : b;
      }
      if (this.nextNewline !== n && this.nextNewline < from) {
        const nl = s.indexOf('\n', from);
        this.nextNewline = nl === -1 ? n : nl;
      }
      const end = quote === -1 ? n : quote;
      if (this.nextNewline < end) this.fail('a string is not closed before the end of the line', base + this.nextNewline);
      if (this.nextBackslash < end) {
        const b = this.nextBackslash;
        this.part(s.slice(from, b), base + from);
        // An escape: \" \\ \/ \b \f \n \r \t \uXXXX.
        if (b + 1 >= n) {
          this.carry = s.slice(b);
          return n;
        }
        const e = s[b + 1];
        let decoded: string;
        let next = b + 2;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            decoded = e;
            break;
          case 'b':
            decoded = '\b';
            break;
          case 'f':
            decoded = '\f';
            break;
          case 'n':
            decoded = '\n';
            break;
          case 'r':
            decoded = '\r';
            break;
          case 't':
            decoded = '\t';
            break;
          case 'u': {
            if (b + 6 > n) {
              this.carry = s.slice(b);
              return n;
            }
            const hex = s.slice(b + 2, b + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`invalid escape \\u${hex}`, base + b);
            decoded = String.fromCharCode(parseInt(hex, 16));
            next = b + 6;
            break;
          }
          default:
            this.fail(`invalid escape \\${e}`, base + b);
        }
        if (this.stringParts) this.stringParts.push(decoded);
        from = next;
        continue;
      }
      if (quote === -1) {
        this.part(s.slice(from), base + from);
        return n;
      }
      this.part(s.slice(from, quote), base + from);
      this.finishString();
      return quote + 1;
    }
  }

  /** Adds raw string text (no escapes in it), refusing control characters as JSON does. */
  private part(text: string, offset: number): void {
    if (text.length === 0) return;
    if (CONTROL.test(text)) this.fail('control character in a string', offset + text.search(CONTROL));
    if (this.stringParts) this.stringParts.push(text);
  }

  private finishString(): void {
    const parts = this.stringParts;
    const text = parts === null ? '' : parts.length === 1 ? parts[0] : parts.join('');
    this.inString = false;
    this.stringParts = null;
    if (this.stringIsKey) {
      this.stack[this.stack.length - 1].key = text;
      this.expect = Expect.Colon;
      return;
    }
    this.valueLine = this.stringLine;
    this.completeValue(this.stringSkipped ? SKIPPED : text);
  }

  private pathOf(depth: number): PathSeg[] {
    const path: PathSeg[] = [];
    for (let k = 1; k < depth; k++) path.push(this.stack[k].seg as PathSeg);
    return path;
  }

  /** Path of the value about to be read (or just read) inside the top frame. */
  private childPath(): PathSeg[] {
    const path = this.pathOf(this.stack.length);
    const top = this.stack[this.stack.length - 1];
    if (top) path.push(top.isArray ? top.index : (top.key as string));
    return path;
  }

  private open(isArray: boolean, skip: boolean): void {
    const parent = this.stack[this.stack.length - 1];
    const seg: PathSeg | null = parent ? (parent.isArray ? parent.index : parent.key) : null;
    let mode = skip ? Mode.Skip : Mode.Build;
    if (!skip && isArray && this.options.streamArray(parent ? this.childPath() : [])) {
      mode = Mode.Stream;
      for (const frame of this.stack) frame.wrapper = true;
    }
    this.stack.push({
      isArray,
      mode,
      value: mode === Mode.Build ? (isArray ? [] : {}) : null,
      key: null,
      index: 0,
      seg,
      line: this.valueLine,
      wrapper: mode === Mode.Stream,
    });
    this.expect = isArray ? Expect.ValueOrArrayEnd : Expect.KeyOrObjectEnd;
  }

  private close(i: number): number {
    const frame = this.stack.pop()!;
    this.valueLine = frame.line;
    this.completeValue(frame.mode === Mode.Build ? frame.value : SKIPPED, frame.wrapper);
    return i + 1;
  }

  private completeValue(value: unknown, wrapper = false): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.topValues++;
      if (!wrapper && value !== SKIPPED) this.items.push({ value, path: [], line: this.valueLine, ancestors: [] });
      this.expect = Expect.Top;
      return;
    }
    if (top.isArray) {
      if (top.mode === Mode.Stream) {
        if (!wrapper && value !== SKIPPED) {
          this.items.push({ value, path: this.childPath(), line: this.valueLine, ancestors: this.ancestors() });
        }
      } else if (top.mode === Mode.Build && value !== SKIPPED) {
        (top.value as unknown[]).push(value);
      }
      top.index++;
    } else {
      if (top.mode === Mode.Build && value !== SKIPPED) {
        const object = top.value as Record<string, unknown>;
        const key = top.key as string;
        if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
        else object[key] = value;
      }
      top.key = null;
    }
    this.expect = Expect.CommaOrEnd;
  }

  private ancestors(): unknown[] {
    const out: unknown[] = [];
    for (const frame of this.stack) if (frame.value !== null && !frame.isArray) out.push(frame.value);
    return out;
  }
}

/** `resourceSpans[0].scopeSpans[1].spans[3]`. */
export function formatPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}
