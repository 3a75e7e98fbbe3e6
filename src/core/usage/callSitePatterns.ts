/**
 * Call-site ids and the globs over them used as keys of `callSites:` and in `features.<name>.callSites`.
 *
 * An id is `<posix file path relative to the root>#<enclosing function or <module>>#<ordinal>`, e.g.
 * `app/chat.py#ChatService.answer#0`. Globs use picomatch syntax with `dot: true`: `*` matches within one `/`-separated
 * segment (so `app/chat.py#*` matches every site of that file), `**` matches any number of whole segments
 * (`src/jobs/**` matches every site under src/jobs), and `?`, `[...]`, `{a,b}` work as usual.
 */
import picomatch from 'picomatch';

/** A compiled key or feature pattern. */
export interface CallSitePattern {
  /** The pattern as written. */
  pattern: string;
  /** True when the pattern contains glob syntax; false for a plain id (matched by string equality). */
  isGlob: boolean;
  /** Number of characters before the first glob character: the primary measure of specificity. */
  literalPrefix: number;
  /** Number of characters that are not glob syntax: breaks ties between equal prefixes. */
  literalChars: number;
  matches(id: string): boolean;
}

const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true };

/** True when `key` contains glob syntax (`*`, `?`, `[...]`, `{...}`, extglobs, leading `!`). */
export function isGlobPattern(key: string): boolean {
  return picomatch.scan(key).isGlob;
}

/** Index of the first character of `pattern` that is glob syntax, or its length when there is none. */
function firstGlobIndex(pattern: string): number {
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      i++; // An escaped character is literal.
      continue;
    }
    if (char === '*' || char === '?' || char === '[' || char === '{' || char === '(') return i;
    if (char === '!' && i === 0) return 0;
    if ((char === '@' || char === '+' || char === '!') && pattern[i + 1] === '(') return i;
  }
  return pattern.length;
}

/** Compiles a `callSites` key or a feature pattern. Invalid glob syntax compiles to a pattern that matches nothing. */
export function compileCallSitePattern(pattern: string): CallSitePattern {
  const isGlob = isGlobPattern(pattern);
  if (!isGlob) {
    return { pattern, isGlob, literalPrefix: pattern.length, literalChars: pattern.length, matches: (id) => id === pattern };
  }
  let matcher: (id: string) => boolean;
  try {
    matcher = picomatch(pattern, GLOB_OPTIONS);
  } catch {
    matcher = () => false;
  }
  return {
    pattern,
    isGlob,
    literalPrefix: firstGlobIndex(pattern),
    literalChars: pattern.replace(/[*?[\]{}()!@+]/g, '').length,
    matches: (id) => id === pattern || matcher(id),
  };
}

/**
 * Orders patterns from most to least specific: longer literal prefix first, then more literal characters; patterns
 * equal on both keep their order in the file (the sort is stable).
 */
export function bySpecificity(a: CallSitePattern, b: CallSitePattern): number {
  return b.literalPrefix - a.literalPrefix || b.literalChars - a.literalChars;
}

/** `<file>#<function>#<ordinal>`; the function part may itself contain `#` (JavaScript private methods). */
const CALL_SITE_ID = /^[^#]+#.+#\d+$/;

/** True when `text` has the shape of a call-site id. */
export function looksLikeCallSiteId(text: string): boolean {
  return CALL_SITE_ID.test(text);
}

/**
 * A problem with how a `callSites` key or feature pattern is written that would make it match no call site, with a
 * suggested replacement; undefined when the pattern looks usable.
 */
export function describePatternProblem(pattern: string): { message: string; suggestion?: string } | undefined {
  if (pattern.includes('\\') && !isGlobPattern(pattern)) {
    const fixed = pattern.replace(/\\/g, '/');
    return { message: `call-site ids use forward slashes; did you mean "${fixed}"?`, suggestion: fixed };
  }
  if (isGlobPattern(pattern)) {
    try {
      picomatch.makeRe(pattern, GLOB_OPTIONS);
    } catch (error) {
      return { message: `invalid glob: ${error instanceof Error ? error.message : String(error)}` };
    }
    // Ids always end in `#<function>#<n>`: a glob without `#` must end in `*` to reach that part.
    if (!pattern.includes('#') && !pattern.endsWith('*')) {
      const suggestion = `${pattern}#*`;
      return { message: `matches no call site: ids end in "#<function>#<n>"; did you mean "${suggestion}"?`, suggestion };
    }
    return undefined;
  }
  if (looksLikeCallSiteId(pattern)) return undefined;
  const hashes = pattern.split('#').length - 1;
  const suggestion = hashes >= 1 && /#$/.test(pattern) ? `${pattern}*` : `${pattern}#*`;
  const form = hashes === 0 ? 'a file path' : 'an id without its ordinal';
  return {
    message: `is ${form}, not a call-site id (<file>#<function>#<n>) or a glob; did you mean "${suggestion}"?`,
    suggestion,
  };
}
