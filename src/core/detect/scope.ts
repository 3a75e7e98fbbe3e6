/**
 * Name bindings of a file: what each identifier of a scope (module, function, class body) was bound to, for both
 * grammars. The evaluator asks "what is `client` at this node?" and gets the binding nodes; it then evaluates them.
 */
import type { Node } from './parser';
import { CLASS_TYPES, FUNCTION_TYPES, memberPath, propertyKey, unwrap } from './syntax';

export type Binding =
  /** `name = value`, `const name = value`, `name: T = value`. */
  | { kind: 'assign'; name: string; value: Node; at: Node }
  /** `def name` / `function name` / `class name`. */
  | { kind: 'function'; name: string; node: Node; at: Node }
  | { kind: 'class'; name: string; node: Node; at: Node }
  /** `import x`, `from m import x as y`, `import {x as y} from 'm'`, `const x = require('m')`. `member` null = the module itself. */
  | { kind: 'import'; name: string; module: string; member: string | null; at: Node }
  /** A function parameter, with its default value and type annotation when present. */
  | { kind: 'param'; name: string; fn: Node; defaultValue: Node | null; annotation: Node | null; index: number; at: Node }
  /** `const { chat } = openai` / `const [a] = xs`: `source` evaluated, then `.key`. */
  | { kind: 'destructure'; name: string; source: Node; key: string; at: Node }
  /** A loop variable or another binding whose value depends on runtime data. */
  | { kind: 'dynamic'; name: string; why: string; at: Node };

export type Bindings = Map<string, Binding[]>;

/** Per-file cache of scope bindings keyed by scope node id (ids are unique within one tree). */
export type BindingsCache = Map<number, Bindings>;

/** Bindings made directly in `scope` (a module root, a function, or a class body), not in nested functions. */
export function bindingsOf(scope: Node, cache: BindingsCache): Bindings {
  const hit = cache.get(scope.id);
  if (hit) return hit;
  const out: Bindings = new Map();
  const add = (b: Binding): void => {
    const list = out.get(b.name);
    if (list) list.push(b);
    else out.set(b.name, [b]);
  };
  if (FUNCTION_TYPES.has(scope.type)) collectParams(scope, add);
  const body = scopeBody(scope);
  if (body) for (const child of body.namedChildren) if (child) visitStatement(child, add);
  if (scope.type === 'program') jsImports(scope, add);
  cache.set(scope.id, out);
  return out;
}

function scopeBody(scope: Node): Node | null {
  if (scope.type === 'module' || scope.type === 'program') return scope;
  if (CLASS_TYPES.has(scope.type)) return scope.childForFieldName('body');
  return scope.childForFieldName('body');
}

function collectParams(fn: Node, add: (b: Binding) => void): void {
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!params) return;
  if (params.type === 'identifier') {
    add({ kind: 'param', name: params.text, fn, defaultValue: null, annotation: null, index: 0, at: params });
    return;
  }
  let index = 0;
  for (const p of params.namedChildren) {
    if (!p || p.type === 'comment') continue;
    const i = index++;
    switch (p.type) {
      case 'identifier':
        add({ kind: 'param', name: p.text, fn, defaultValue: null, annotation: null, index: i, at: p });
        break;
      case 'typed_parameter': {
        const name = p.namedChildren.find((c) => c?.type === 'identifier');
        if (name) add({ kind: 'param', name: name.text, fn, defaultValue: null, annotation: p.childForFieldName('type'), index: i, at: p });
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = p.childForFieldName('name');
        if (name) add({ kind: 'param', name: name.text, fn, defaultValue: p.childForFieldName('value'), annotation: p.childForFieldName('type'), index: i, at: p });
        break;
      }
      case 'required_parameter':
      case 'optional_parameter': {
        const pattern = p.childForFieldName('pattern');
        const annotation = p.childForFieldName('type');
        const value = p.childForFieldName('value');
        if (pattern?.type === 'identifier') add({ kind: 'param', name: pattern.text, fn, defaultValue: value, annotation: annotation?.namedChildren[0] ?? null, index: i, at: p });
        else if (pattern?.type === 'object_pattern') collectObjectPattern(pattern, fn, p, add);
        break;
      }
      case 'assignment_pattern': {
        const left = p.childForFieldName('left');
        if (left?.type === 'identifier') add({ kind: 'param', name: left.text, fn, defaultValue: p.childForFieldName('right'), annotation: null, index: i, at: p });
        else if (left?.type === 'object_pattern') collectObjectPattern(left, fn, p, add);
        break;
      }
      case 'object_pattern':
        collectObjectPattern(p, fn, p, add);
        break;
      default:
        break;
    }
  }
}

/** Parameter destructuring `({ model = 'gpt-4o', prompt }) => ...`: each name is a parameter, with its default. */
function collectObjectPattern(pattern: Node, fn: Node, at: Node, add: (b: Binding) => void): void {
  for (const prop of pattern.namedChildren) {
    if (!prop) continue;
    if (prop.type === 'shorthand_property_identifier_pattern') add({ kind: 'param', name: prop.text, fn, defaultValue: null, annotation: null, index: -1, at });
    else if (prop.type === 'object_assignment_pattern') {
      const left = prop.childForFieldName('left');
      if (left) add({ kind: 'param', name: left.text, fn, defaultValue: prop.childForFieldName('right'), annotation: null, index: -1, at });
    } else if (prop.type === 'pair_pattern') {
      const value = prop.childForFieldName('value');
      if (value?.type === 'identifier') add({ kind: 'param', name: value.text, fn, defaultValue: null, annotation: null, index: -1, at });
      else if (value?.type === 'assignment_pattern') {
        const left = value.childForFieldName('left');
        if (left) add({ kind: 'param', name: left.text, fn, defaultValue: value.childForFieldName('right'), annotation: null, index: -1, at });
      }
    }
  }
}

function visitStatement(node: Node, add: (b: Binding) => void): void {
  switch (node.type) {
    // ---- Python ----
    case 'expression_statement':
      for (const c of node.namedChildren) if (c) visitStatement(c, add);
      return;
    case 'assignment': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left) return;
      if (!right) return; // annotation only
      if (left.type === 'identifier') {
        // `a = b = value` parses as nested assignment on the right
        const value = right.type === 'assignment' ? (lastAssignedValue(right) ?? right) : right;
        add({ kind: 'assign', name: left.text, value, at: node });
        if (right.type === 'assignment') visitStatement(right, add);
      } else if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
        for (const target of left.namedChildren) if (target?.type === 'identifier') add({ kind: 'dynamic', name: target.text, why: 'tuple unpacking', at: node });
      }
      return;
    }
    case 'augmented_assignment': {
      const left = node.childForFieldName('left');
      if (left?.type === 'identifier') add({ kind: 'dynamic', name: left.text, why: 'augmented assignment', at: node });
      return;
    }
    case 'import_statement':
      for (const c of node.namedChildren) {
        if (!c) continue;
        if (c.type === 'dotted_name') {
          // `import a.b` binds `a` to the top package; the evaluator follows attributes.
          const top = c.text.split('.')[0] ?? c.text;
          add({ kind: 'import', name: top, module: top, member: null, at: node });
          if (c.text.includes('.')) add({ kind: 'import', name: `${c.text}`, module: c.text, member: null, at: node });
        } else if (c.type === 'aliased_import') {
          const name = c.childForFieldName('name');
          const alias = c.childForFieldName('alias');
          if (name && alias) add({ kind: 'import', name: alias.text, module: name.text, member: null, at: node });
        }
      }
      return;
    case 'import_from_statement': {
      const moduleNode = node.childForFieldName('module_name');
      if (!moduleNode) return;
      const module = moduleNode.text;
      for (const c of node.childrenForFieldName('name')) {
        if (!c) continue;
        if (c.type === 'dotted_name') add({ kind: 'import', name: c.text, module, member: c.text, at: node });
        else if (c.type === 'aliased_import') {
          const name = c.childForFieldName('name');
          const alias = c.childForFieldName('alias');
          if (name && alias) add({ kind: 'import', name: alias.text, module, member: name.text, at: node });
        }
      }
      return;
    }
    case 'future_import_statement':
      return;
    case 'function_definition':
    case 'function_declaration':
    case 'generator_function_declaration': {
      const name = node.childForFieldName('name');
      if (name) add({ kind: 'function', name: name.text, node, at: node });
      return;
    }
    case 'enum_declaration': {
      const name = node.childForFieldName('name');
      if (name) add({ kind: 'assign', name: name.text, value: node, at: node });
      return;
    }
    case 'class_definition':
    case 'class_declaration':
    case 'abstract_class_declaration': {
      const name = node.childForFieldName('name');
      if (name) add({ kind: 'class', name: name.text, node, at: node });
      return;
    }
    case 'decorated_definition': {
      const def = node.childForFieldName('definition');
      if (def) visitStatement(def, add);
      return;
    }
    case 'if_statement':
    case 'try_statement':
    case 'with_statement':
    case 'else_clause':
    case 'elif_clause':
    case 'except_clause':
    case 'finally_clause':
    case 'block':
    case 'statement_block':
    case 'match_statement':
    case 'case_clause':
    case 'switch_statement':
    case 'switch_body':
    case 'switch_case':
    case 'switch_default':
    case 'labeled_statement':
    case 'catch_clause':
      if (node.type === 'with_statement') collectWithTargets(node, add);
      for (const c of node.namedChildren) if (c) visitStatement(c, add);
      return;
    case 'for_statement':
    case 'for_in_statement':
    case 'while_statement':
    case 'do_statement': {
      const left = node.childForFieldName('left');
      if (left) for (const id of identifiersIn(left)) add({ kind: 'dynamic', name: id, why: 'loop variable', at: node });
      const body = node.childForFieldName('body');
      if (body) visitStatement(body, add);
      const init = node.childForFieldName('initializer');
      if (init) visitStatement(init, add);
      return;
    }
    // ---- TypeScript / JavaScript ----
    case 'lexical_declaration':
    case 'variable_declaration':
      for (const d of node.namedChildren) if (d?.type === 'variable_declarator') visitDeclarator(d, add);
      return;
    case 'export_statement': {
      const decl = node.childForFieldName('declaration');
      if (decl) {
        visitStatement(decl, add);
        return;
      }
      const value = node.childForFieldName('value');
      const source = node.childForFieldName('source');
      if (value) {
        add({ kind: 'assign', name: 'default', value, at: node });
        return;
      }
      const clause = node.namedChildren.find((c) => c?.type === 'export_clause');
      if (clause) {
        for (const spec of clause.namedChildren) {
          if (spec?.type !== 'export_specifier') continue;
          const name = spec.childForFieldName('name');
          const alias = spec.childForFieldName('alias');
          if (!name) continue;
          const exported = alias?.text ?? name.text;
          if (source) add({ kind: 'import', name: exported, module: stringText(source), member: name.text, at: node });
          else if (exported !== name.text) add({ kind: 'assign', name: exported, value: name, at: node });
        }
      } else if (source) {
        // export * from './x'
        add({ kind: 'import', name: '*', module: stringText(source), member: '*', at: node });
      }
      return;
    }
    case 'assignment_expression': {
      // module.exports = ..., exports.x = ..., top-level `x = ...`
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return;
      const path = memberPath(left);
      if (path && path.length === 2 && path[0] === 'module' && path[1] === 'exports') add({ kind: 'assign', name: 'default', value: right, at: node });
      else if (path && path.length === 2 && path[0] === 'exports') add({ kind: 'assign', name: path[1]!, value: right, at: node });
      else if (path && path.length === 3 && path[0] === 'module' && path[1] === 'exports') add({ kind: 'assign', name: path[2]!, value: right, at: node });
      else if (left.type === 'identifier') add({ kind: 'assign', name: left.text, value: right, at: node });
      return;
    }
    default:
      return;
  }
}

function lastAssignedValue(assign: Node): Node | null {
  let cur: Node = assign;
  for (let i = 0; i < 16 && cur.type === 'assignment'; i++) {
    const r = cur.childForFieldName('right');
    if (!r) return null;
    cur = r;
  }
  return cur;
}

function collectWithTargets(node: Node, add: (b: Binding) => void): void {
  // Python `with X() as name:` → name bound to X() (context managers of SDK clients return the client)
  for (const clause of node.namedChildren) {
    if (clause?.type !== 'with_clause') continue;
    for (const item of clause.namedChildren) {
      if (item?.type !== 'with_item') continue;
      const value = item.childForFieldName('value');
      if (value?.type === 'as_pattern') {
        const target = value.childForFieldName('alias') ?? value.namedChildren[value.namedChildren.length - 1];
        const expr = value.namedChildren[0];
        const id = target?.type === 'as_pattern_target' ? target.namedChildren[0] : target;
        if (id?.type === 'identifier' && expr) add({ kind: 'assign', name: id.text, value: expr, at: node });
      }
    }
  }
}

function visitDeclarator(d: Node, add: (b: Binding) => void): void {
  const name = d.childForFieldName('name');
  const value = d.childForFieldName('value');
  if (!name) return;
  if (name.type === 'identifier') {
    if (!value) return;
    const req = requireCall(value);
    if (req) add({ kind: 'import', name: name.text, module: req.module, member: req.member, at: d });
    else add({ kind: 'assign', name: name.text, value, at: d });
    return;
  }
  if (name.type === 'object_pattern' && value) {
    const req = requireCall(value);
    for (const prop of name.namedChildren) {
      if (!prop) continue;
      let local: string | null = null;
      let key: string | null = null;
      if (prop.type === 'shorthand_property_identifier_pattern') {
        local = prop.text;
        key = prop.text;
      } else if (prop.type === 'pair_pattern') {
        const k = prop.childForFieldName('key');
        const v = prop.childForFieldName('value');
        key = k ? propertyKey(k) : null;
        local = v?.type === 'identifier' ? v.text : v?.type === 'assignment_pattern' ? (v.childForFieldName('left')?.text ?? null) : null;
      } else if (prop.type === 'object_assignment_pattern') {
        const left = prop.childForFieldName('left');
        local = left?.text ?? null;
        key = local;
      }
      if (!local || !key) continue;
      if (req) add({ kind: 'import', name: local, module: req.module, member: req.member ? `${req.member}.${key}` : key, at: d });
      else add({ kind: 'destructure', name: local, source: value, key, at: d });
    }
    return;
  }
  if (name.type === 'array_pattern') for (const id of identifiersIn(name)) add({ kind: 'dynamic', name: id, why: 'array destructuring', at: d });
}

/** `require('m')`, `require('m').x`, `await import('m')` → module and member. */
export function requireCall(node: Node): { module: string; member: string | null } | null {
  const n = unwrap(node);
  if (n.type === 'member_expression') {
    const inner = requireCall(n.childForFieldName('object')!);
    const prop = n.childForFieldName('property');
    if (inner && prop && inner.member === null) return { module: inner.module, member: prop.text };
    return null;
  }
  if (n.type !== 'call_expression') return null;
  const fn = n.childForFieldName('function');
  const args = n.childForFieldName('arguments');
  if (!fn || !args) return null;
  if (fn.type !== 'identifier' && fn.type !== 'import') return null;
  if (fn.type === 'identifier' && fn.text !== 'require') return null;
  const first = args.namedChildren[0];
  if (!first || first.type !== 'string') return null;
  return { module: stringText(first), member: null };
}

function stringText(node: Node): string {
  const t = node.text;
  return t.length >= 2 ? t.slice(1, -1) : t;
}

function identifiersIn(node: Node): string[] {
  if (node.type === 'identifier') return [node.text];
  const out: string[] = [];
  for (const c of node.namedChildren) if (c) out.push(...identifiersIn(c));
  return out;
}

/** JS/TS `import` statements of a program: local name → (module, member). member 'default' or '*' for namespace. */
function jsImports(program: Node, add: (b: Binding) => void): void {
  for (const stmt of program.namedChildren) {
    if (stmt?.type !== 'import_statement') continue;
    const source = stmt.childForFieldName('source');
    if (!source) continue;
    const module = stringText(source);
    const clause = stmt.namedChildren.find((c) => c?.type === 'import_clause');
    if (!clause) continue;
    for (const part of clause.namedChildren) {
      if (!part) continue;
      if (part.type === 'identifier') add({ kind: 'import', name: part.text, module, member: 'default', at: stmt });
      else if (part.type === 'namespace_import') {
        const id = part.namedChildren.find((c) => c?.type === 'identifier');
        if (id) add({ kind: 'import', name: id.text, module, member: null, at: stmt });
      } else if (part.type === 'named_imports') {
        for (const spec of part.namedChildren) {
          if (spec?.type !== 'import_specifier') continue;
          const name = spec.childForFieldName('name');
          const alias = spec.childForFieldName('alias');
          if (name) add({ kind: 'import', name: alias?.text ?? name.text, module, member: name.text, at: stmt });
        }
      }
    }
  }
}

