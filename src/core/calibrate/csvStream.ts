/**
 * A streaming CSV reader (RFC 4180: comma-separated, `"`-quoted fields that may hold commas, quotes written `""`, and
 * line breaks; CRLF or LF line ends). The first record is the header. Rows are handed out as objects of header →
 * cell text as they complete, so memory holds one row; the cells of `skipColumns` (prompts, bodies) are not kept.
 */

export interface CsvRow {
  cells: Record<string, string>;
  /** 1-based line on which the row starts. */
  line: number;
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    readonly problem: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

export class CsvStreamReader {
  private header: string[] | null = null;
  private fields: string[] = [];
  /** Parts of the current field (a quoted field may span chunks). */
  private parts: string[] = [];
  private inQuotes = false;
  /** The previous chunk ended right after a quote inside a quoted field: `""` or the closing quote? */
  private quotePending = false;
  /** The field was quoted (after its closing quote only a delimiter or line end may follow). */
  private fieldWasQuoted = false;
  /** The previous chunk ended with `\r`: a `\n` may follow. */
  private crPending = false;
  private line = 1;
  private rowLine = 1;
  private rowHasContent = false;
  private skipIndexes = new Set<number>();
  private readonly rows: CsvRow[] = [];
  private first = true;

  constructor(private readonly skipColumns: ReadonlySet<string> = new Set()) {}

  /** Rows completed in the chunk being read (for record numbers in errors). */
  get pendingRows(): number {
    return this.rows.length;
  }

  get columns(): readonly string[] | null {
    return this.header;
  }

  write(text: string): CsvRow[] {
    let s = text;
    if (this.first) {
      this.first = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    const n = s.length;
    let i = 0;
    if (this.crPending) {
      this.crPending = false;
      if (s.charCodeAt(0) === 10) i = 1;
    }
    while (i < n) {
      if (this.quotePending) {
        this.quotePending = false;
        if (s.charCodeAt(i) === 34) {
          this.parts.push('"');
          i++;
          continue;
        }
        this.inQuotes = false;
        this.fieldWasQuoted = true;
      }
      if (this.inQuotes) {
        const q = s.indexOf('"', i);
        if (q === -1) {
          this.addText(s.slice(i));
          return this.drain();
        }
        this.addText(s.slice(i, q));
        if (q + 1 === n) {
          this.quotePending = true;
          return this.drain();
        }
        if (s.charCodeAt(q + 1) === 34) {
          this.parts.push('"');
          i = q + 2;
        } else {
          this.inQuotes = false;
          this.fieldWasQuoted = true;
          i = q + 1;
        }
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 44 /* , */) {
        this.endField();
        i++;
        continue;
      }
      if (c === 10 || c === 13) {
        this.endRow();
        this.line++;
        this.rowLine = this.line;
        if (c === 13) {
          if (i + 1 === n) this.crPending = true;
          else if (s.charCodeAt(i + 1) === 10) i++;
        }
        i++;
        continue;
      }
      if (c === 34 /* " */) {
        if (this.parts.length > 0 || this.fieldWasQuoted) throw new CsvSyntaxError(`a quote inside an unquoted field (column ${this.fields.length + 1}); quote the whole field and double the quote`, this.line);
        this.inQuotes = true;
        this.rowHasContent = true;
        i++;
        continue;
      }
      if (this.fieldWasQuoted) throw new CsvSyntaxError(`text after the closing quote of column ${this.fields.length + 1}`, this.line);
      // Plain text up to the next delimiter, quote or line end.
      let j = i + 1;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13 || d === 34) break;
        j++;
      }
      this.parts.push(s.slice(i, j));
      this.rowHasContent = true;
      i = j;
    }
    return this.drain();
  }

  end(): CsvRow[] {
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
      this.fieldWasQuoted = true;
    }
    if (this.inQuotes) throw new CsvSyntaxError('a quoted field is not closed before the end of the file (truncated?)', this.rowLine);
    this.endRow();
    return this.drain();
  }

  private addText(text: string): void {
    for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) this.line++;
    // A lone \r inside a quoted field also ends a line for editors, but counting \n is what line numbers use.
    this.parts.push(text);
  }

  private drain(): CsvRow[] {
    return this.rows.splice(0, this.rows.length);
  }

  private endField(): void {
    const index = this.fields.length;
    const value = this.skipIndexes.has(index) ? '' : this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.fields.push(value);
    this.parts = [];
    this.fieldWasQuoted = false;
    this.rowHasContent = true;
  }

  private endRow(): void {
    if (!this.rowHasContent && this.parts.length === 0 && this.fields.length === 0 && !this.fieldWasQuoted) return; // blank line
    this.endField();
    const fields = this.fields;
    this.fields = [];
    this.rowHasContent = false;
    if (!this.header) {
      this.header = fields.map((f) => f.trim());
      const seen = new Set<string>();
      this.header.forEach((name, index) => {
        if (name === '') throw new CsvSyntaxError(`header column ${index + 1} has no name`, this.rowLine);
        if (seen.has(name)) throw new CsvSyntaxError(`header column "${name}" appears twice`, this.rowLine);
        seen.add(name);
        if (this.skipColumns.has(name)) this.skipIndexes.add(index);
      });
      return;
    }
    if (fields.length !== this.header.length) {
      throw new CsvSyntaxError(`expected ${this.header.length} fields (as in the header), found ${fields.length}`, this.rowLine);
    }
    const cells: Record<string, string> = {};
    for (let k = 0; k < fields.length; k++) if (!this.skipIndexes.has(k)) cells[this.header[k]] = fields[k];
    this.rows.push({ cells, line: this.rowLine });
  }
}
