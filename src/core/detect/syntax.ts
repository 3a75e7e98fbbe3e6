/**
 * Language-neutral helpers over tree-sitter nodes of the Python, TypeScript, TSX and JavaScript grammars.
 * Everything that knows grammar node type names lives here or in scope.ts, so the evaluator and the SDK rules can
 * stay about meaning rather than syntax.
 */
import type { Node } from './parser';
import type { SourceRange } from '../types';

export function rangeOf(node: Node): SourceRange {
  return {
    startLine: node.startPosition.row + 1,
    startColumn: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    endColumn: node.endPosition.column + 1,
    startOffset: node.startIndex,
    endOffset: node.endIndex,
  };
}

/** Node types of a call (Python `call`, JS `call_expression`, JS `new_expression`). */
export const CALL_TYPES = ['call', 'call_expression', 'new_expression'];

export function isCall(node: Node): boolean {
  return node.type === 'call' || node.type === 'call_expression' || node.type === 'new_expression';
}

export function calleeOf(call: Node): Node | null {
  return call.childForFieldName('function') ?? call.childForFieldName('constructor');
}

export function argumentsOf(call: Node): Node | null {
  return call.childForFieldName('arguments');
}

/** Wrappers that do not change a value: parentheses, `await`, TS casts, non-null assertions. */
const TRANSPARENT = new Set([
  'parenthesized_expression',
  'await',
  'await_expression',
  'as_expression',
  'satisfies_expression',
  'non_null_expression',
  'type_assertion',
]);

export function unwrap(node: Node): Node {
  let current = node;
  for (let guard = 0; guard < 64 && TRANSPARENT.has(current.type); guard++) {
    const inner =
      current.type === 'type_assertion'
        ? current.namedChildren[current.namedChildren.length - 1]
        : current.type === 'parenthesized_expression'
          ? current.namedChildren.find((c) => c && c.type !== 'comment')
          : current.namedChildren[0];
    if (!inner) break;
    current = inner;
  }
  return current;
}

export interface CallArguments {
  positional: Node[];
  /** Python keyword arguments by name. */
  keywords: Map<string, Node>;
  /** `**kwargs` / `...spread` arguments, which make the call's parameters partly unknown. */
  spreads: Node[];
}

export function callArguments(call: Node): CallArguments {
  const result: CallArguments = { positional: [], keywords: new Map(), spreads: [] };
  const args = argumentsOf(call);
  if (!args) return result;
  for (const child of args.namedChildren) {
    if (!child || child.type === 'comment') continue;
    if (child.type === 'keyword_argument') {
      const name = child.childForFieldName('name');
      const value = child.childForFieldName('value');
      if (name && value) result.keywords.set(name.text, value);
    } else if (child.type === 'list_splat' || child.type === 'dictionary_splat' || child.type === 'spread_element') {
      result.spreads.push(child);
    } else if (child.type === 'generator_expression') {
      result.positional.push(child);
    } else {
      result.positional.push(child);
    }
  }
  return result;
}

/** `a.b.c` → ['a','b','c'] when every part is a plain name (`this`/`self` included); otherwise null. */
export function memberPath(node: Node): string[] | null {
  const n = unwrap(node);
  switch (n.type) {
    case 'identifier':
    case 'this':
    case 'property_identifier':
    case 'shorthand_property_identifier':
      return [n.text];
    case 'attribute':
    case 'member_expression': {
      const object = n.childForFieldName('object');
      const property = n.childForFieldName(n.type === 'attribute' ? 'attribute' : 'property');
      if (!object || !property) return null;
      const base = memberPath(object);
      return base ? [...base, property.text] : null;
    }
    default:
      return null;
  }
}

/** The last identifier of a callee: `create` for `client.chat.completions.create`, `fetch` for `fetch`. */
export function calleeNameNode(callee: Node): Node {
  const n = unwrap(callee);
  if (n.type === 'attribute') return n.childForFieldName('attribute') ?? n;
  if (n.type === 'member_expression') return n.childForFieldName('property') ?? n;
  return n;
}

/** Key text of an object pair / dictionary pair (`model`, `"model"`, `'model'`), or null for computed keys. */
export function propertyKey(keyNode: Node): string | null {
  switch (keyNode.type) {
    case 'property_identifier':
    case 'identifier':
    case 'shorthand_property_identifier':
      return keyNode.text;
    case 'string': {
      const value = staticStringValue(keyNode);
      return value;
    }
    case 'number':
    case 'integer':
      return keyNode.text;
    default:
      return null;
  }
}

/**
 * The value of a string literal with no interpolation, or null. Handles Python prefixes (r, b, u, f without
 * interpolations), triple quotes, implicit concatenation, and JS strings / template strings without substitutions.
 */
export function staticStringValue(node: Node): string | null {
  const n = unwrap(node);
  if (n.type === 'concatenated_string') {
    let out = '';
    for (const part of n.namedChildren) {
      if (!part) continue;
      const v = staticStringValue(part);
      if (v === null) return null;
      out += v;
    }
    return out;
  }
  if (n.type === 'string' || n.type === 'template_string') {
    let out = '';
    for (const child of n.namedChildren) {
      if (!child) continue;
      switch (child.type) {
        case 'string_start':
        case 'string_end':
          break;
        case 'string_content':
        case 'string_fragment':
          out += child.text;
          break;
        case 'escape_sequence':
          out += unescapeSequence(child.text);
          break;
        case 'interpolation':
        case 'template_substitution':
          return null;
        default:
          break;
      }
    }
    // JS strings without fragments (e.g. '') and Python strings whose content is not split into children.
    if (n.type === 'string' && n.namedChildren.length === 0) {
      const raw = n.text;
      return raw.length >= 2 ? raw.slice(1, -1) : '';
    }
    return out;
  }
  return null;
}

export function unescapeSequence(seq: string): string {
  switch (seq) {
    case '\\n':
      return '\n';
    case '\\t':
      return '\t';
    case '\\r':
      return '\r';
    case '\\\\':
      return '\\';
    case "\\'":
      return "'";
    case '\\"':
      return '"';
    case '\\`':
      return '`';
    default:
      if (/^\\u[0-9a-fA-F]{4}$/.test(seq)) return String.fromCharCode(parseInt(seq.slice(2), 16));
      if (/^\\x[0-9a-fA-F]{2}$/.test(seq)) return String.fromCharCode(parseInt(seq.slice(2), 16));
      if (seq === '\\\n' || seq === '\\\r\n') return '';
      return seq.slice(1);
  }
}

/** Parts of an interpolated string (f-string or template literal): static text and the expressions between. */
export interface TemplateParts {
  text: string;
  holes: Node[];
}

export function templateParts(node: Node): TemplateParts | null {
  const n = unwrap(node);
  if (n.type === 'concatenated_string') {
    const out: TemplateParts = { text: '', holes: [] };
    for (const part of n.namedChildren) {
      if (!part) continue;
      const p = templateParts(part);
      if (!p) return null;
      out.text += p.text;
      out.holes.push(...p.holes);
    }
    return out;
  }
  if (n.type !== 'string' && n.type !== 'template_string') return null;
  const out: TemplateParts = { text: '', holes: [] };
  for (const child of n.namedChildren) {
    if (!child) continue;
    if (child.type === 'string_content' || child.type === 'string_fragment') out.text += child.text;
    else if (child.type === 'escape_sequence') out.text += unescapeSequence(child.text);
    else if (child.type === 'interpolation' || child.type === 'template_substitution') {
      const expr = child.namedChildren.find((c) => c && c.type !== 'format_specifier' && c.type !== 'type_conversion');
      if (expr) out.holes.push(expr);
    }
  }
  if (n.type === 'string' && n.namedChildren.length === 0) out.text = n.text.length >= 2 ? n.text.slice(1, -1) : '';
  return out;
}

export function numberValue(node: Node): number | null {
  const n = unwrap(node);
  if (n.type === 'integer' || n.type === 'float' || n.type === 'number') {
    const cleaned = n.text.replace(/_/g, '').replace(/[nlLjJ]$/, '');
    const value = Number(cleaned);
    return Number.isFinite(value) ? value : null;
  }
  if (n.type === 'unary_operator' || n.type === 'unary_expression') {
    const operand = n.childForFieldName('argument') ?? n.childForFieldName('operand') ?? n.namedChildren[0];
    const op = n.childForFieldName('operator')?.text ?? n.text.trim()[0];
    if (operand && op === '-') {
      const v = numberValue(operand);
      return v === null ? null : -v;
    }
  }
  return null;
}

export function booleanValue(node: Node): boolean | null {
  const n = unwrap(node);
  if (n.type === 'true') return true;
  if (n.type === 'false') return false;
  return null;
}

export function isNullish(node: Node): boolean {
  const n = unwrap(node);
  return n.type === 'none' || n.type === 'null' || n.type === 'undefined';
}

/** Function-like nodes: their bodies are scopes. */
export const FUNCTION_TYPES = new Set([
  'function_definition',
  'lambda',
  'function_declaration',
  'function_expression',
  'function',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
]);

export const CLASS_TYPES = new Set(['class_definition', 'class_declaration', 'class', 'abstract_class_declaration']);

export const LOOP_TYPES = new Set([
  'for_statement',
  'while_statement',
  'for_in_statement',
  'do_statement',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

export function isComment(node: Node): boolean {
  return node.type === 'comment';
}

/** Name of a function-like node, or null for anonymous functions. */
export function functionName(fn: Node): string | null {
  const name = fn.childForFieldName('name');
  if (name) return name.text;
  // `const handler = async () => {}` / `handler: function () {}` / `exports.x = () => {}`
  const parent = fn.parent;
  if (!parent) return null;
  if (parent.type === 'variable_declarator') return parent.childForFieldName('name')?.text ?? null;
  if (parent.type === 'pair') {
    const key = parent.childForFieldName('key');
    return key ? propertyKey(key) : null;
  }
  if (parent.type === 'assignment_expression' || parent.type === 'assignment') {
    const left = parent.childForFieldName('left');
    const path = left ? memberPath(left) : null;
    return path ? path[path.length - 1] ?? null : null;
  }
  if (parent.type === 'public_field_definition' || parent.type === 'field_definition') {
    return (parent.childForFieldName('name') ?? parent.childForFieldName('property'))?.text ?? null;
  }
  return null;
}

/** Nearest ancestor (excluding the node itself) whose type is in `types`. */
export function ancestor(node: Node, types: Set<string>): Node | null {
  for (let p = node.parent; p; p = p.parent) if (types.has(p.type)) return p;
  return null;
}

/**
 * Named descendants of `root` (and `root` itself) whose type is one of `types`, depth first in source order — the
 * nodes `walk` would visit, found by tree-sitter's C traversal instead of a JS-driven cursor (no JS object is made
 * for the nodes that do not match).
 */
export function descendantsOfTypes(root: Node, types: string[]): Node[] {
  const out: Node[] = [];
  for (const node of root.descendantsOfType(types)) if (node && node.isNamed) out.push(node);
  return out;
}

/** Walks every named descendant, depth first, in source order. `visit` returns false to skip a subtree. */
export function walk(root: Node, visit: (node: Node) => boolean | void): void {
  const cursor = root.walk();
  let descend = true;
  for (;;) {
    if (descend) {
      const node = cursor.currentNode;
      const goInto = node.isNamed ? visit(node) !== false : true;
      if (goInto && cursor.gotoFirstChild()) continue;
      if (node.id === root.id) break;
    }
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    if (!cursor.gotoParent()) break;
    descend = false;
    if (cursor.currentNode.id === root.id) break;
  }
  cursor.delete();
}
