/**
 * A small abstract interpreter: what does an expression evaluate to, following names through scopes, class fields,
 * imports across workspace files, default parameters, env defaults, dict/object literals and factory functions?
 * Results are memoized per node; cycles and depth are bounded so hostile code cannot hang a scan.
 */
import type { Node } from './parser';
import type { FileUnit, Project } from './project';
import { bindingsOf, type Binding } from './scope';
import { CLIENT_CLASSES, LANGCHAIN_CLASSES, LANGCHAIN_WRAPPERS, canonicalModule, providerOfBaseUrl, providerOfModelId, type ClientClass } from './sdkCatalog';
import {
  CLASS_TYPES,
  FUNCTION_TYPES,
  argumentsOf,
  calleeOf,
  callArguments,
  propertyKey,
  staticStringValue,
  templateParts,
  unescapeSequence,
  unwrap,
} from './syntax';
import { describeVia, stringOf, templateOf, unknown, withVia, type BoundModel, type ClientInfo, type TemplateSegment, type Value } from './values';

const MAX_DEPTH = 40;

export class Evaluator {
  private readonly memo = new Map<string, Value>();
  private readonly inProgress = new Set<string>();

  constructor(readonly project: Project) {}

  /** Evaluates an expression node of `file`. */
  eval(node: Node, file: FileUnit, depth = 0): Value {
    const key = `${file.path}:${node.id}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    if (this.inProgress.has(key)) return unknown(node.text, 'circular definition');
    if (depth > MAX_DEPTH) return unknown(node.text, 'too deeply nested to follow');
    this.inProgress.add(key);
    let value: Value;
    try {
      value = this.evalUncached(unwrap(node), file, depth + 1);
    } finally {
      this.inProgress.delete(key);
    }
    this.memo.set(key, value);
    return value;
  }

  private evalUncached(n: Node, file: FileUnit, depth: number): Value {
    switch (n.type) {
      case 'identifier':
      case 'type_identifier':
        return this.lookup(n.text, n, file, depth);
      case 'type':
      case 'type_annotation':
      case 'generic_type': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'type_arguments');
        return inner ? this.eval(inner, file, depth) : unknown(n.text, 'type');
      }
      case 'nested_type_identifier': {
        const parts = n.text.split('.');
        let v = this.lookup(parts[0]!, n, file, depth);
        for (const part of parts.slice(1)) v = this.member(v, part, n, file, depth);
        return v;
      }
      case 'this':
        return this.thisValue(n, file);
      case 'attribute':
      case 'member_expression': {
        const object = n.childForFieldName('object');
        const property = n.childForFieldName(n.type === 'attribute' ? 'attribute' : 'property');
        if (!object || !property) return unknown(n.text, 'incomplete expression');
        return this.member(this.eval(object, file, depth), property.text, n, file, depth);
      }
      case 'subscript':
      case 'subscript_expression': {
        const object = n.childForFieldName('value') ?? n.childForFieldName('object');
        const index = n.childForFieldName('subscript') ?? n.childForFieldName('index');
        if (!object || !index) return unknown(n.text, 'incomplete expression');
        const base = this.eval(object, file, depth);
        const keyValue = this.eval(index, file, depth);
        const key = keyValue.kind === 'str' ? keyValue.value : keyValue.kind === 'num' ? String(keyValue.value) : null;
        if (key === null) return unknown(n.text, `computed key ${index.text}`);
        if (base.kind === 'sdk' && base.module === 'os' && base.path.join('.') === 'environ') return { kind: 'env', name: key, fallback: null };
        if (base.kind === 'arr') {
          const item = base.items[Number(key)];
          return item ? this.eval(item, base.file, depth) : unknown(n.text, 'index out of range');
        }
        return this.member(base, key, n, file, depth);
      }
      case 'call':
      case 'call_expression':
      case 'new_expression':
        return this.evalCall(n, file, depth);
      case 'string':
      case 'template_string':
      case 'concatenated_string':
        return this.evalString(n, file, depth);
      case 'integer':
      case 'float':
      case 'number': {
        const v = Number(n.text.replace(/_/g, ''));
        return Number.isFinite(v) ? { kind: 'num', value: v, via: [] } : unknown(n.text, 'not a finite number');
      }
      case 'unary_operator':
      case 'unary_expression': {
        const operand = n.childForFieldName('argument') ?? n.childForFieldName('operand');
        if (operand && n.text.trim().startsWith('-')) {
          const v = this.eval(operand, file, depth);
          if (v.kind === 'num') return { kind: 'num', value: -v.value, via: v.via };
        }
        return unknown(n.text, 'expression');
      }
      case 'true':
        return { kind: 'bool', value: true };
      case 'false':
        return { kind: 'bool', value: false };
      case 'none':
      case 'null':
      case 'undefined':
        return { kind: 'none' };
      case 'dictionary':
      case 'object':
        return this.evalObject(n, file);
      case 'enum_declaration': {
        // TS enum: members with string/number initialisers behave as an object
        const props = new Map<string, Node>();
        for (const member of n.childForFieldName('body')?.namedChildren ?? []) {
          if (member?.type === 'enum_assignment') {
            const key = member.childForFieldName('name');
            const value = member.childForFieldName('value');
            if (key && value) props.set(propertyKey(key) ?? key.text, value);
          }
        }
        return { kind: 'obj', props, file, node: n, spreads: [] };
      }
      case 'list':
      case 'array':
      case 'tuple':
        return { kind: 'arr', items: n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment'), file, node: n };
      case 'boolean_operator':
      case 'binary_operator':
      case 'binary_expression':
        return this.evalBinary(n, file, depth);
      case 'conditional_expression':
      case 'ternary_expression': {
        const [a, b] = n.type === 'ternary_expression'
          ? [n.childForFieldName('consequence'), n.childForFieldName('alternative')]
          : [n.namedChildren[0], n.namedChildren[2]];
        if (!a || !b) return unknown(n.text, 'conditional');
        const va = this.eval(a, file, depth);
        const vb = this.eval(b, file, depth);
        if (va.kind === 'str' && vb.kind === 'str' && va.value === vb.value) return va;
        if (va.kind === 'model' && vb.kind !== 'model') return va;
        if (vb.kind === 'model' && va.kind !== 'model') return vb;
        if (va.kind === 'client' && vb.kind !== 'client') return va;
        if (vb.kind === 'client' && va.kind !== 'client') return vb;
        const options = [va, vb].map((v) => stringOf(v) ?? (v.kind === 'unknown' ? v.expression : v.kind));
        return unknown(n.text, `conditional: ${options.map((o) => JSON.stringify(o)).join(' or ')}`);
      }
      case 'lambda':
      case 'arrow_function':
      case 'function_expression':
      case 'function':
        return { kind: 'function', node: n, file };
      case 'class':
        return { kind: 'class', node: n, file };
      default:
        return unknown(n.text, n.type.replace(/_/g, ' '));
    }
  }

  private evalString(n: Node, file: FileUnit, depth: number): Value {
    const literal = staticStringValue(n);
    if (literal !== null) return { kind: 'str', value: literal, origin: { file, node: n }, via: [] };
    const parts = templateParts(n);
    if (!parts) return unknown(n.text, 'string');
    // Interpolations that resolve to constants make a known string (f"{PROVIDER}/{MODEL}"); the others are the
    // template's dynamic holes, kept in order (a value placed before the static text matters for prompt caching).
    const template = templateOf(this.templateSegments(n, file, depth));
    if (template.holes.length === 0) return { kind: 'str', value: template.text, origin: null, via: ['interpolated string'] };
    return template;
  }

  private templateSegments(n: Node, file: FileUnit, depth: number): TemplateSegment[] {
    if (n.type === 'concatenated_string') return n.namedChildren.flatMap((c) => (c ? this.templateSegments(c, file, depth) : []));
    const out: TemplateSegment[] = [];
    for (const child of n.namedChildren) {
      if (!child) continue;
      if (child.type === 'string_content' || child.type === 'string_fragment') out.push({ kind: 'text', text: child.text });
      else if (child.type === 'escape_sequence') out.push({ kind: 'text', text: unescapeSequence(child.text) });
      else if (child.type === 'interpolation' || child.type === 'template_substitution') {
        const expr = child.namedChildren.find((c) => c && c.type !== 'format_specifier' && c.type !== 'type_conversion');
        if (!expr) continue;
        const v = this.eval(expr, file, depth);
        const known = scalarText(v);
        if (known !== null) out.push({ kind: 'text', text: known });
        else if (v.kind === 'template') out.push(...v.segments);
        else out.push({ kind: 'hole', expression: expr.text });
      }
    }
    return out;
  }

  private evalObject(n: Node, file: FileUnit): Value {
    const props = new Map<string, Node>();
    const spreads: Node[] = [];
    for (const child of n.namedChildren) {
      if (!child) continue;
      if (child.type === 'pair') {
        const key = child.childForFieldName('key');
        const value = child.childForFieldName('value');
        const k = key ? propertyKey(key) : null;
        if (k !== null && value) props.set(k, value);
      } else if (child.type === 'shorthand_property_identifier') {
        props.set(child.text, child);
      } else if (child.type === 'method_definition') {
        const name = child.childForFieldName('name');
        if (name) props.set(name.text, child);
      } else if (child.type === 'spread_element' || child.type === 'dictionary_splat') {
        const inner = child.namedChildren[0];
        if (inner) spreads.push(inner);
      }
    }
    return { kind: 'obj', props, file, node: n, spreads };
  }

  private evalBinary(n: Node, file: FileUnit, depth: number): Value {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    const op = n.childForFieldName('operator')?.text ?? n.children.find((c) => c && !c.isNamed)?.text ?? '';
    if (!left || !right) return unknown(n.text, 'expression');
    if (op === '??' || op === '||' || op === 'or') {
      const l = this.eval(left, file, depth);
      if (l.kind === 'env' && !l.fallback) return { kind: 'env', name: l.name, fallback: this.eval(right, file, depth) };
      if (l.kind === 'str' && l.value !== '') return l;
      if (l.kind === 'client' || l.kind === 'model' || l.kind === 'obj') return l;
      const r = this.eval(right, file, depth);
      if (l.kind === 'none') return r;
      if (r.kind === 'str') return withVia(r, `fallback when ${left.text} is unset`);
      return l.kind === 'unknown' ? r.kind === 'unknown' ? l : r : l;
    }
    if (op === '+') {
      const l = this.eval(left, file, depth);
      const r = this.eval(right, file, depth);
      if (l.kind === 'num' && r.kind === 'num') return { kind: 'num', value: l.value + r.value, via: [] };
      const ls = stringOf(l);
      const rs = stringOf(r);
      if (ls !== null && rs !== null) return { kind: 'str', value: ls + rs, origin: null, via: ['concatenation'] };
      if (ls !== null || rs !== null || l.kind === 'template' || r.kind === 'template') {
        const segs = (v: Value, s: string | null, node: Node): TemplateSegment[] =>
          s !== null ? [{ kind: 'text', text: s }] : v.kind === 'template' ? v.segments : [{ kind: 'hole', expression: node.text }];
        return templateOf([...segs(l, ls, left), ...segs(r, rs, right)]);
      }
      return unknown(n.text, 'expression');
    }
    if (op === '*') {
      const l = this.eval(left, file, depth);
      const r = this.eval(right, file, depth);
      if (l.kind === 'num' && r.kind === 'num') return { kind: 'num', value: l.value * r.value, via: [] };
      return unknown(n.text, 'expression');
    }
    if (op === '|') {
      // LangChain Expression Language: prompt | llm | parser
      const l = this.eval(left, file, depth);
      const r = this.eval(right, file, depth);
      const model = l.kind === 'model' ? l : r.kind === 'model' ? r : null;
      if (model) {
        const template = l.kind === 'promptTemplate' ? l : null;
        return template ? { ...model, model: { ...model.model, promptTemplate: template.messages, promptTemplateFile: template.file } } : model;
      }
      return unknown(n.text, 'expression');
    }
    return unknown(n.text, 'expression');
  }

  // ---------------------------------------------------------------- names

  /** Value of `name` as seen from node `at`. */
  lookup(name: string, at: Node, file: FileUnit, depth: number): Value {
    const binding = this.bindingOf(name, at, file);
    if (binding) return this.evalBinding(binding, file, depth);
    if (name === 'process' && file.language !== 'python') return { kind: 'sdk', module: 'process', path: [] };
    if (name === 'fetch' && file.language !== 'python') return { kind: 'sdk', module: 'fetch', path: [] };
    if (name === 'JSON' && file.language !== 'python') return { kind: 'sdk', module: 'json', path: [] };
    if (name === 'self' || name === 'cls') return this.selfValue(at, file);
    return unknown(name, `name ${name} is not defined in this file`);
  }

  /** The binding a name refers to at a node, or null for globals and undefined names. */
  bindingOf(name: string, at: Node, file: FileUnit): Binding | null {
    for (let scope = enclosingScope(at); scope; scope = enclosingScope(scope)) {
      if (CLASS_TYPES.has(scope.type)) continue;
      const bindings = bindingsOf(scope, file.bindings).get(name);
      if (bindings && bindings.length) return pickBinding(bindings, at, scope);
      if (scope.type === 'module' || scope.type === 'program') break;
    }
    return null;
  }

  private evalBinding(b: Binding, file: FileUnit, depth: number): Value {
    switch (b.kind) {
      case 'assign': {
        const v = this.eval(b.value, file, depth);
        const isModuleLevel = !!b.at.parent && (b.at.parent.type === 'module' || b.at.parent.type === 'program' || b.at.parent.parent?.type === 'module' || b.at.parent.type === 'export_statement' || b.at.parent.parent?.type === 'program' || b.at.parent.parent?.type === 'export_statement');
        const where = isModuleLevel ? `${b.name} (${file.path}:${b.at.startPosition.row + 1})` : `variable ${b.name} (line ${b.at.startPosition.row + 1})`;
        return withVia(v, where);
      }
      case 'function':
        return { kind: 'function', node: b.node, file };
      case 'class':
        return { kind: 'class', node: b.node, file };
      case 'import':
        return this.importValue(b.module, b.member, file, depth);
      case 'param': {
        if (isSelfParam(b)) return this.selfValue(b.fn, file);
        if (b.defaultValue) {
          const v = this.eval(b.defaultValue, file, depth);
          if (v.kind !== 'none') return withVia(v, `default of parameter ${b.name}`);
        }
        if (b.annotation) {
          const t = this.eval(b.annotation, file, depth);
          const fromType = this.instanceOfType(t, b.annotation.text);
          if (fromType) return fromType;
        }
        const fnName = b.fn.childForFieldName('name')?.text;
        return unknown(b.name, `parameter ${b.name}${fnName ? ` of ${fnName}()` : ''}`);
      }
      case 'destructure':
        return this.member(this.eval(b.source, file, depth), b.key, b.at, file, depth);
      case 'dynamic':
        return unknown(b.name, `${b.why} ${b.name}`);
    }
  }

  /** A parameter annotated with an SDK client class or a workspace class stands for an instance of it. */
  private instanceOfType(t: Value, annotation: string): Value | null {
    if (t.kind === 'sdk') {
      const cls = clientClassOf(t);
      if (cls) return { kind: 'client', client: { family: cls.family, provider: cls.provider, providerReason: `type annotation ${annotation}` }, path: [] };
      const last = t.path[t.path.length - 1];
      if (t.module === 'langchain' && last && LANGCHAIN_CLASSES[last]) {
        const lc = LANGCHAIN_CLASSES[last]!;
        return { kind: 'model', path: [], model: { family: 'langchain', provider: lc.provider, providerReason: `type annotation ${annotation}`, model: null, modelExpression: null, api: lc.api, construct: null, settings: null } };
      }
    }
    if (t.kind === 'class') return { kind: 'instance', cls: t.node, file: t.file };
    return null;
  }

  private importValue(module: string, member: string | null, file: FileUnit, depth: number): Value {
    const lang = file.language === 'python' ? 'python' : 'js';
    const canonical = canonicalModule(module, lang);
    if (canonical) {
      let base: Value = { kind: 'sdk', module: canonical, path: [] };
      if (canonical === 'google' && member) return this.member(base, member, file.root, file, depth);
      if (canonical.startsWith('ai-provider:') && member && member !== 'default' && !member.startsWith('create')) {
        return { kind: 'aiProvider', provider: canonical.slice('ai-provider:'.length), providerReason: `${module} provider`, path: [] };
      }
      if (member) for (const part of member.split('.')) base = this.member(base, part, file.root, file, depth);
      return base;
    }
    const unit = this.project.resolveModule(file, module);
    // `from app import settings` / `from . import settings` where settings is a submodule
    const submodule = (): FileUnit | null =>
      file.language === 'python' && member ? this.project.resolveModule(file, module.endsWith('.') ? `${module}${member}` : `${module}.${member}`) : null;
    if (!unit) {
      const sub = submodule();
      return sub ? { kind: 'module', file: sub } : unknown(member ?? module, `imported from ${module} (not in the workspace)`);
    }
    if (member === null) return { kind: 'module', file: unit };
    const exported = this.moduleMember(unit, member, depth);
    if (exported.kind === 'unknown') {
      const sub = submodule();
      if (sub) return { kind: 'module', file: sub };
    }
    return exported;
  }

  /** A name exported by a workspace module. */
  moduleMember(unit: FileUnit, name: string, depth: number): Value {
    const bindings = bindingsOf(unit.root, unit.bindings);
    const own = bindings.get(name);
    if (own && own.length) return this.evalBinding(own[own.length - 1]!, unit, depth + 1);
    // `export * from './x'`
    for (const star of bindings.get('*') ?? []) {
      if (star.kind !== 'import') continue;
      const target = this.project.resolveModule(unit, star.module);
      if (target && target !== unit) {
        const v = this.moduleMember(target, name, depth + 1);
        if (v.kind !== 'unknown') return v;
      }
    }
    // CommonJS `module.exports = { MODEL }` → default object
    const def = bindings.get('default');
    if (def && def.length && name !== 'default') {
      const d = this.evalBinding(def[def.length - 1]!, unit, depth + 1);
      if (d.kind === 'obj' && d.props.has(name)) return this.eval(d.props.get(name)!, d.file, depth + 1);
    }
    if (unit.language === 'python') {
      const sub = this.project.resolveModule(unit, `.${unit.path.endsWith('__init__.py') ? '' : '.'}${name}`);
      if (sub && sub !== unit) return { kind: 'module', file: sub };
    }
    return unknown(name, `${name} is not defined in ${unit.path}`);
  }

  // ---------------------------------------------------------------- members

  member(base: Value, name: string, at: Node, file: FileUnit, depth: number): Value {
    switch (base.kind) {
      case 'obj': {
        const prop = base.props.get(name);
        if (prop) {
          const v = prop.type === 'shorthand_property_identifier' ? this.lookup(prop.text, prop, base.file, depth) : this.eval(prop, base.file, depth);
          return withVia(v, `key ${JSON.stringify(name)} (${base.file.path}:${prop.startPosition.row + 1})`);
        }
        for (const spread of base.spreads) {
          const v = this.member(this.eval(spread, base.file, depth), name, at, file, depth);
          if (v.kind !== 'unknown') return v;
        }
        return unknown(name, `no key ${JSON.stringify(name)} in ${truncate(base.node.text)}`);
      }
      case 'sdk': {
        if (base.module === 'process' && base.path.length === 1 && base.path[0] === 'env') return { kind: 'env', name, fallback: null };
        if (base.module === 'google' && base.path.length === 0) {
          if (name === 'genai') return { kind: 'sdk', module: 'google-genai', path: [] };
          if (name === 'generativeai') return { kind: 'sdk', module: 'google-generativeai', path: [] };
        }
        return { kind: 'sdk', module: base.module, path: [...base.path, name] };
      }
      case 'client':
        return { kind: 'client', client: base.client, path: [...base.path, name] };
      case 'model':
        return { kind: 'model', model: base.model, path: [...base.path, name] };
      case 'aiProvider':
        return { ...base, path: [...base.path, name] };
      case 'module':
        return this.moduleMember(base.file, name, depth);
      case 'instance':
      case 'class':
        return this.classMember(base.kind === 'instance' ? base.cls : base.node, base.file, name, depth);
      case 'unknown':
        return unknown(`${base.expression}.${name}`, base.reason);
      default:
        return unknown(`${name}`, `attribute of a ${base.kind}`);
    }
  }

  /** A field, property or method of a workspace class (and its workspace base classes). */
  private classMember(cls: Node, file: FileUnit, name: string, depth: number, seen = new Set<number>()): Value {
    if (seen.has(cls.id) || depth > MAX_DEPTH) return unknown(name, 'class hierarchy too deep');
    seen.add(cls.id);
    const body = cls.childForFieldName('body');
    if (body) {
      const found = this.findClassMember(body, file, name, depth);
      if (found) return found;
    }
    // Base classes
    const bases = cls.childForFieldName('superclasses') ?? cls.namedChildren.find((c) => c?.type === 'class_heritage');
    if (bases) {
      for (const b of bases.namedChildren) {
        if (!b) continue;
        const expr = b.type === 'extends_clause' ? b.namedChildren[0] : b;
        if (!expr || expr.type === 'keyword_argument') continue;
        const v = this.eval(expr, file, depth);
        if (v.kind === 'class') {
          const inherited = this.classMember(v.node, v.file, name, depth + 1, seen);
          if (inherited.kind !== 'unknown') return inherited;
        }
      }
    }
    return unknown(name, `attribute ${name} of class ${cls.childForFieldName('name')?.text ?? '?'}`);
  }

  private findClassMember(body: Node, file: FileUnit, name: string, depth: number): Value | null {
    let methodValue: Value | null = null;
    const selfAssigns: Node[] = [];
    for (const raw of body.namedChildren) {
      if (!raw) continue;
      const stmt = raw.type === 'decorated_definition' ? raw.childForFieldName('definition') ?? raw : raw;
      // Python class attribute (`model: str = "x"`) and TS/JS fields (`model = 'x'`)
      if (stmt.type === 'expression_statement') {
        const a = stmt.namedChildren[0];
        if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) {
          const right = a.childForFieldName('right');
          if (right) return withVia(this.eval(right, file, depth), `class attribute ${name} (${file.path}:${a.startPosition.row + 1})`);
        }
      }
      if (stmt.type === 'public_field_definition' || stmt.type === 'field_definition') {
        const n = stmt.childForFieldName('name') ?? stmt.childForFieldName('property');
        const value = stmt.childForFieldName('value');
        if (n?.text === name && value) return withVia(this.eval(value, file, depth), `field ${name} (${file.path}:${stmt.startPosition.row + 1})`);
      }
      if (stmt.type === 'function_definition' || stmt.type === 'method_definition') {
        const fnName = stmt.childForFieldName('name')?.text;
        if (fnName === name) {
          const isProperty = raw.type === 'decorated_definition' && raw.namedChildren.some((d) => d?.type === 'decorator' && /^@(property|cached_property|functools\.cached_property)\b/.test(d.text));
          const isGetter = stmt.type === 'method_definition' && stmt.children.some((c) => c?.type === 'get');
          methodValue = isProperty || isGetter ? this.returnValue(stmt, file, depth) : { kind: 'function', node: stmt, file };
        }
        if (fnName === '__init__' || fnName === 'constructor' || fnName === 'setup' || fnName === '__post_init__') selfAssigns.unshift(stmt);
        else selfAssigns.push(stmt);
        // TS constructor parameter properties: constructor(private readonly client: OpenAI)
        if (fnName === 'constructor') {
          const params = stmt.childForFieldName('parameters');
          for (const p of params?.namedChildren ?? []) {
            if (!p || (p.type !== 'required_parameter' && p.type !== 'optional_parameter')) continue;
            const hasModifier = p.namedChildren.some((c) => c?.type === 'accessibility_modifier' || c?.type === 'override_modifier') || p.children.some((c) => c?.type === 'readonly');
            const pattern = p.childForFieldName('pattern');
            if (hasModifier && pattern?.text === name) return this.lookup(name, pattern, file, depth);
          }
        }
      }
    }
    if (methodValue) return methodValue;
    for (const method of selfAssigns) {
      const assigned = findSelfAssignment(method, name);
      if (assigned) return withVia(this.eval(assigned.value, file, depth), `${assigned.target} (${file.path}:${assigned.value.startPosition.row + 1})`);
    }
    return null;
  }

  private thisValue(at: Node, file: FileUnit): Value {
    for (let p = at.parent; p; p = p.parent) {
      if (CLASS_TYPES.has(p.type)) return { kind: 'instance', cls: p, file };
      if (p.type === 'object') return this.evalObject(p, file);
    }
    return unknown('this', 'this outside a class');
  }

  private selfValue(at: Node, file: FileUnit): Value {
    for (let p: Node | null = at; p; p = p.parent) if (CLASS_TYPES.has(p.type)) return { kind: 'instance', cls: p, file };
    return unknown('self', 'self outside a class');
  }

  // ---------------------------------------------------------------- calls

  evalCall(call: Node, file: FileUnit, depth: number): Value {
    const calleeNode = calleeOf(call);
    if (!calleeNode) return unknown(call.text, 'call');
    const callee = this.eval(calleeNode, file, depth);
    const args = callArguments(call);
    switch (callee.kind) {
      case 'sdk':
        return this.sdkCall(callee, call, file, depth);
      case 'client': {
        const last = callee.path[callee.path.length - 1];
        if (last === 'with_options' || last === 'withOptions' || last === 'copy') return { ...callee, path: callee.path.slice(0, -1) };
        // google-genai: client.chats.create(model=...) ; @google/generative-ai: genAI.getGenerativeModel({ model })
        if ((callee.client.family === 'google-genai' && callee.path.join('.') === 'chats.create') || last === 'getGenerativeModel') {
          const model = this.argValue(call, file, depth, ['model', 'model_name', 'modelName'], 0);
          return {
            kind: 'model',
            path: [],
            model: {
              family: last === 'getGenerativeModel' ? 'google-generativeai' : 'google-genai-chat',
              provider: 'google',
              providerReason: 'Google Gen AI SDK',
              model: model?.value ?? null,
              modelExpression: model?.expression ?? null,
              api: 'generate',
              construct: { file, node: call },
              settings: this.argObject(call, file, depth),
            },
          };
        }
        return unknown(call.text, `result of ${calleeNode.text}()`);
      }
      case 'model': {
        const last = callee.path[callee.path.length - 1];
        if (last && (LANGCHAIN_WRAPPERS.has(last) || last === 'start_chat' || last === 'startChat')) {
          return { kind: 'model', model: callee.model, path: callee.path.slice(0, -1) };
        }
        return unknown(call.text, `result of ${calleeNode.text}()`);
      }
      case 'aiProvider': {
        const first = args.positional[0];
        if (callee.path.length > 1) return unknown(call.text, 'provider method');
        const method = callee.path[0];
        const modelValue = first ? this.eval(first, file, depth) : null;
        const api: BoundModel['api'] = method && /embed/i.test(method) ? 'embeddings' : 'chat';
        return {
          kind: 'model',
          path: [],
          model: {
            family: 'vercel-ai',
            provider: callee.provider,
            providerReason: callee.providerReason,
            model: modelValue,
            modelExpression: first?.text ?? null,
            api,
            construct: { file, node: call },
            settings: null,
          },
        };
      }
      case 'function':
        return this.returnValue(callee.node, callee.file, depth);
      case 'class':
        return { kind: 'instance', cls: callee.node, file: callee.file };
      case 'str': {
        return unknown(call.text, `string method ${calleeNode.text}`);
      }
      case 'unknown': {
        // `.format(...)` on a template string, `prompt.pipe(model)` on an unresolved prompt
        const fn = unwrap(calleeNode);
        const prop = fn.type === 'attribute' ? fn.childForFieldName('attribute') : fn.type === 'member_expression' ? fn.childForFieldName('property') : null;
        if (prop?.text === 'pipe' && args.positional[0]) {
          const piped = this.eval(args.positional[0], file, depth);
          if (piped.kind === 'model') return piped;
        }
        return unknown(call.text, callee.reason);
      }
      case 'promptTemplate': {
        return unknown(call.text, 'prompt template call');
      }
      default:
        return unknown(call.text, `call of a ${callee.kind}`);
    }
  }

  /** What a call into an SDK or library module returns: clients, model objects, env reads, JSON bodies. */
  private sdkCall(callee: Extract<Value, { kind: 'sdk' }>, call: Node, file: FileUnit, depth: number): Value {
    const { module, path } = callee;
    const last = path[path.length - 1] ?? '';
    const args = callArguments(call);
    const cls = clientClassOf(callee);
    if (cls) return { kind: 'client', client: this.clientInfo(cls, call, file, depth), path: [] };

    switch (module) {
      case 'os':
        if (last === 'getenv' || (path.length === 2 && path[0] === 'environ' && last === 'get')) {
          const name = args.positional[0] ? this.eval(args.positional[0], file, depth) : null;
          const def = args.positional[1] ?? args.keywords.get('default');
          const nameStr = stringOf(name);
          if (nameStr === null) return unknown(call.text, 'environment variable with a computed name');
          return { kind: 'env', name: nameStr, fallback: def ? this.eval(def, file, depth) : null };
        }
        break;
      case 'pydantic':
        if (last === 'Field') {
          const def = args.keywords.get('default') ?? args.positional[0];
          if (def) return withVia(this.eval(def, file, depth), 'Field default');
        }
        break;
      case 'json':
        if ((last === 'dumps' || last === 'stringify') && args.positional[0]) return this.eval(args.positional[0], file, depth);
        break;
      case 'boto3':
        if (last === 'client' || last === 'Session') {
          if (last === 'Session') return { kind: 'sdk', module: 'boto3', path: [...path, '()'] };
          const service = this.argValue(call, file, depth, ['service_name'], 0);
          if (stringOf(service?.value) === 'bedrock-runtime') {
            return { kind: 'client', client: { family: 'bedrock', provider: 'aws', providerReason: 'boto3 bedrock-runtime client' }, path: [] };
          }
          return unknown(call.text, `boto3 client for ${service?.expression ?? 'another service'}`);
        }
        break;
      case 'requests':
      case 'httpx':
      case 'aiohttp':
        if (last === 'Session' || last === 'Client' || last === 'AsyncClient' || last === 'ClientSession') {
          const base = this.argValue(call, file, depth, ['base_url'], -1);
          return { kind: 'client', client: { family: 'http', provider: 'unknown', providerReason: `${module} client`, baseUrl: stringOf(base?.value) ?? undefined }, path: [] };
        }
        break;
      case 'axios':
        if (last === 'create') {
          const base = this.argValue(call, file, depth, ['baseURL'], 0);
          return { kind: 'client', client: { family: 'http', provider: 'unknown', providerReason: 'axios instance', baseUrl: stringOf(base?.value) ?? undefined }, path: [] };
        }
        break;
      case 'litellm':
        if (last === 'Router') return { kind: 'client', client: { family: 'litellm-router', provider: 'unknown', providerReason: 'LiteLLM Router' }, path: [] };
        break;
      case 'bedrock-runtime':
        if (/Command$/.test(last)) return { kind: 'command', name: last, input: args.positional[0] ?? null, file };
        break;
      case 'langchain': {
        const lc = LANGCHAIN_CLASSES[last];
        if (lc) return this.langchainModel(call, file, depth, last, lc.provider, lc.api);
        if (last === 'init_chat_model' || last === 'initChatModel') return this.langchainModel(call, file, depth, last, null, 'chat');
        if (/^(from_messages|fromMessages|from_template|fromTemplate)$/.test(last) || last === 'ChatPromptTemplate' || last === 'PromptTemplate') {
          const first = args.positional[0] ?? args.keywords.get('messages') ?? args.keywords.get('template');
          if (first) return { kind: 'promptTemplate', messages: first, file };
        }
        if (last === 'from' && path[path.length - 2] === 'RunnableSequence') {
          const list = args.positional[0] ? this.eval(args.positional[0], file, depth) : null;
          if (list?.kind === 'arr') {
            let template: Extract<Value, { kind: 'promptTemplate' }> | null = null;
            for (const item of list.items) {
              const v = this.eval(item, list.file, depth);
              if (v.kind === 'promptTemplate') template = v;
              if (v.kind === 'model') return template ? { ...v, model: { ...v.model, promptTemplate: template.messages, promptTemplateFile: template.file } } : v;
            }
          }
        }
        break;
      }
      case 'google-generativeai':
        if (last === 'GenerativeModel') {
          const model = this.argValue(call, file, depth, ['model_name', 'model'], 0);
          return {
            kind: 'model',
            path: [],
            model: { family: 'google-generativeai', provider: 'google', providerReason: 'google.generativeai', model: model?.value ?? null, modelExpression: model?.expression ?? null, api: 'generate', construct: { file, node: call }, settings: this.argObject(call, file, depth) },
          };
        }
        if (last === 'GoogleGenerativeAI' || last === 'VertexAI') {
          return { kind: 'client', client: { family: 'google-generativeai', provider: 'google', providerReason: '@google/generative-ai' }, path: [] };
        }
        break;
      case 'vercel-ai':
        if (last === 'gateway' && args.positional[0]) {
          const v = this.eval(args.positional[0], file, depth);
          return this.vercelGatewayModel(v, args.positional[0].text, file, call);
        }
        break;
      default:
        if (module.startsWith('ai-provider:') && last.startsWith('create')) {
          let provider = module.slice('ai-provider:'.length);
          let reason = `${last}()`;
          const base = this.argValue(call, file, depth, ['baseURL', 'baseUrl'], 0);
          const url = stringOf(base?.value);
          if (url) {
            const p = providerOfBaseUrl(url);
            if (p) {
              provider = p;
              reason = `${last}({ baseURL: ${url} })`;
            }
          }
          return { kind: 'aiProvider', provider, providerReason: reason, path: [] };
        }
    }
    // SDK request/config classes (`types.GenerateContentConfig(max_output_tokens=512)`, `Content(parts=[...])`):
    // their arguments are the values they carry.
    if (/^[A-Z]/.test(last) && !/Client$|Session$/.test(last)) {
      const obj = this.argObject(call, file, depth);
      if (obj) return obj;
    }
    return unknown(call.text, `result of ${module}.${path.join('.')}()`);
  }

  /** Vercel AI SDK gateway ids: `'openai/gpt-4o'` strings passed as `model`. */
  vercelGatewayModel(v: Value, expression: string, file: FileUnit, node: Node): Value {
    const s = stringOf(v);
    const split = s ? providerOfModelId(s) : null;
    const literal = v.kind === 'str' ? v : v.kind === 'env' && v.fallback?.kind === 'str' ? v.fallback : null;
    return {
      kind: 'model',
      path: [],
      model: {
        family: 'vercel-ai',
        provider: split?.provider ?? 'unknown',
        providerReason: s ? `gateway model id ${s}` : 'gateway model id',
        model: split && literal ? { ...literal, value: split.model, origin: null, via: [...(v.kind === 'env' ? [describeVia(v)] : literal.via), 'gateway id'] } : v,
        modelExpression: expression,
        api: 'chat',
        construct: { file, node },
        settings: null,
      },
    };
  }

  private langchainModel(call: Node, file: FileUnit, depth: number, className: string, provider: string | null, api: BoundModel['api']): Value {
    const settings = this.argObject(call, file, depth);
    let model = this.argValue(call, file, depth, LANGCHAIN_CLASSES.ChatOpenAI!.modelKeys, className === 'init_chat_model' || className === 'initChatModel' ? 0 : -1);
    let resolvedProvider = provider;
    let providerReason = `${className}`;
    let modelValue = model?.value ?? null;
    if (!provider) {
      const explicit = this.argValue(call, file, depth, ['model_provider', 'modelProvider'], -1);
      const p = stringOf(explicit?.value);
      const s = stringOf(modelValue);
      if (p) {
        resolvedProvider = normalizeLangchainProvider(p);
        providerReason = `${className}(model_provider=${p})`;
      } else if (s && s.includes(':')) {
        const [prefix, rest] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
        resolvedProvider = normalizeLangchainProvider(prefix);
        providerReason = `${className} provider prefix ${prefix}:`;
        if (modelValue?.kind === 'str') modelValue = { ...modelValue, value: rest };
      } else if (s) {
        resolvedProvider = providerOfModelId(s)?.provider ?? 'unknown';
        providerReason = `${className} infers the provider from the model name`;
      }
    }
    if (provider === 'openai' || provider === 'azure') {
      const base = this.argValue(call, file, depth, ['base_url', 'openai_api_base', 'baseURL', 'configuration'], -1);
      const url = stringOf(base?.value) ?? (base?.value.kind === 'obj' ? stringOf(this.member(base.value, 'baseURL', call, file, depth)) : null);
      if (url) {
        const p = providerOfBaseUrl(url);
        if (p) {
          resolvedProvider = p;
          providerReason = `${className} with base URL ${url}`;
        }
      }
      if (provider === 'azure' && !model) model = this.argValue(call, file, depth, ['azure_deployment', 'deployment_name'], -1);
    }
    return {
      kind: 'model',
      path: [],
      model: {
        family: 'langchain',
        provider: resolvedProvider ?? 'unknown',
        providerReason,
        model: modelValue,
        modelExpression: model?.expression ?? null,
        api,
        construct: { file, node: call },
        settings,
      },
    };
  }

  private clientInfo(cls: ClientClass, call: Node, file: FileUnit, depth: number): ClientInfo {
    const info: ClientInfo = { family: cls.family, provider: cls.provider, providerReason: `${cls.family} SDK client` };
    if (cls.family === 'openai' || cls.family === 'anthropic') {
      const base = this.argValue(call, file, depth, ['base_url', 'baseURL', 'endpoint', 'azure_endpoint'], 0);
      if (base) {
        const url = stringOf(base.value);
        if (url) {
          const p = providerOfBaseUrl(url);
          if (p && p !== cls.provider) {
            info.provider = p;
            info.providerReason = `base URL ${url}`;
          } else if (!p && cls.provider !== 'azure') {
            info.provider = 'unknown';
            info.providerReason = `base URL ${url} is not a known provider`;
          }
        } else if (base.value.kind === 'env' && !base.value.fallback) {
          info.providerReason = `base URL from env ${base.value.name} (assumed ${cls.provider})`;
        } else if (base.value.kind !== 'none') {
          info.providerReason = `base URL ${base.expression} could not be resolved (assumed ${cls.provider})`;
        }
      }
      const deployment = this.argValue(call, file, depth, ['azure_deployment', 'deployment'], -1);
      const d = stringOf(deployment?.value);
      if (d) info.deployment = d;
    }
    return info;
  }

  // ---------------------------------------------------------------- arguments

  /**
   * The value of a named argument: a Python keyword, a property of the first object argument (JS), or the
   * positional argument at `position` (-1: none).
   */
  argValue(call: Node, file: FileUnit, depth: number, keys: string[], position: number): { value: Value; expression: string; node: Node } | null {
    const args = callArguments(call);
    for (const key of keys) {
      const kw = args.keywords.get(key);
      if (kw) return { value: this.eval(kw, file, depth), expression: kw.text, node: kw };
    }
    const obj = this.argObject(call, file, depth);
    if (obj && obj.kind === 'obj') {
      for (const key of keys) {
        const found = this.objectProp(obj, key, depth);
        if (found) return found;
      }
    }
    if (position >= 0) {
      const p = args.positional[position];
      if (p && (file.language === 'python' || unwrap(p).type !== 'object')) return { value: this.eval(p, file, depth), expression: p.text, node: p };
    }
    return null;
  }

  /** A property of an object value with the node it came from (following spreads). */
  objectProp(obj: Extract<Value, { kind: 'obj' }>, key: string, depth: number): { value: Value; expression: string; node: Node } | null {
    const prop = obj.props.get(key);
    if (prop) {
      const value = prop.type === 'shorthand_property_identifier' ? this.lookup(prop.text, prop, obj.file, depth) : this.eval(prop, obj.file, depth);
      return { value, expression: prop.text, node: prop };
    }
    for (const spread of obj.spreads) {
      const inner = this.eval(spread, obj.file, depth);
      if (inner.kind === 'obj') {
        const found = this.objectProp(inner, key, depth + 1);
        if (found) return found;
      }
    }
    return null;
  }

  /** The first object-literal (or object-valued) argument of a JS call; Python keyword args as an object. */
  argObject(call: Node, file: FileUnit, depth: number): Extract<Value, { kind: 'obj' }> | null {
    const args = callArguments(call);
    if (file.language === 'python') {
      const argsNode = argumentsOf(call);
      if (!argsNode) return null;
      const props = new Map<string, Node>(args.keywords);
      const spreads = args.spreads.filter((s) => s.type === 'dictionary_splat').map((s) => s.namedChildren[0]).filter((n): n is Node => !!n);
      return { kind: 'obj', props, file, node: argsNode, spreads };
    }
    for (const p of args.positional) {
      const v = this.eval(p, file, depth);
      if (v.kind === 'obj') return v;
    }
    return null;
  }

  /** What a workspace function returns (first return whose value is known), for factories like get_client(). */
  returnValue(fn: Node, file: FileUnit, depth: number): Value {
    const body = fn.childForFieldName('body');
    if (!body) return unknown(fn.text.slice(0, 40), 'function without body');
    if (fn.type === 'arrow_function' && body.type !== 'statement_block') return this.eval(body, file, depth);
    if (fn.type === 'lambda') return this.eval(body, file, depth);
    let fallback: Value | null = null;
    for (const ret of returnStatements(body)) {
      const expr = ret.namedChildren[0];
      if (!expr) continue;
      const v = this.eval(expr, file, depth);
      if (v.kind !== 'unknown' && v.kind !== 'none') return v;
      fallback ??= v;
    }
    const name = fn.childForFieldName('name')?.text ?? 'function';
    return fallback ?? unknown(`${name}()`, `return value of ${name}()`);
  }

  /** Human-readable resolution of a model value. */
  describe(v: Value): string {
    return describeVia(v);
  }
}

// ---------------------------------------------------------------- helpers

export function clientClassOf(v: Extract<Value, { kind: 'sdk' }>): ClientClass | null {
  const table = CLIENT_CLASSES[v.module];
  if (!table) return null;
  const last = v.path[v.path.length - 1];
  // CommonJS `const OpenAI = require('openai'); new OpenAI()`: the module itself is the client class
  if (last === undefined) return table.default ?? null;
  if (v.path.length === 1 || (v.path.length === 2 && v.path[0] === 'default')) return table[last] ?? null;
  return null;
}

function normalizeLangchainProvider(p: string): string {
  const map: Record<string, string> = {
    openai: 'openai',
    azure_openai: 'azure',
    anthropic: 'anthropic',
    google_genai: 'google',
    google_vertexai: 'google',
    'google-genai': 'google',
    bedrock: 'aws',
    bedrock_converse: 'aws',
    mistralai: 'mistral',
    groq: 'groq',
    cohere: 'cohere',
    ollama: 'ollama',
    deepseek: 'deepseek',
    together: 'together',
    fireworks: 'fireworks',
    xai: 'x-ai',
  };
  return map[p] ?? p;
}

function enclosingScope(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) {
    if (FUNCTION_TYPES.has(p.type) || CLASS_TYPES.has(p.type) || p.type === 'module' || p.type === 'program') return p;
  }
  return null;
}

function isInside(node: Node, container: Node): boolean {
  return node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

/** The binding in force at `at`: the last one before it in the same scope, else (used from a nested function) the last one. */
function pickBinding(bindings: Binding[], at: Node, scope: Node): Binding {
  const usedInNestedFunction = (() => {
    for (let p = at.parent; p && p.id !== scope.id; p = p.parent) if (FUNCTION_TYPES.has(p.type)) return true;
    return false;
  })();
  if (usedInNestedFunction || scope.type === 'module' || scope.type === 'program') {
    // Prefer a non-dynamic binding made at module level; module code usually defines then uses.
    const before = bindings.filter((b) => b.at.startIndex <= at.startIndex);
    const pool = usedInNestedFunction ? bindings : before.length ? before : bindings;
    return pool[pool.length - 1]!;
  }
  let chosen: Binding | null = null;
  for (const b of bindings) if (b.at.startIndex <= at.startIndex || isInside(at, b.at)) chosen = b;
  return chosen ?? bindings[0]!;
}

function isSelfParam(b: Extract<Binding, { kind: 'param' }>): boolean {
  if (b.index !== 0) return false;
  if (b.name !== 'self' && b.name !== 'cls') return false;
  return true;
}

function returnStatements(body: Node): Node[] {
  const out: Node[] = [];
  const visit = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (FUNCTION_TYPES.has(c.type) || CLASS_TYPES.has(c.type)) continue;
      if (c.type === 'return_statement') out.push(c);
      else visit(c);
    }
  };
  visit(body);
  return out;
}

/** `self.name = value` / `this.name = value` inside a method body (not nested functions). */
function findSelfAssignment(method: Node, name: string): { value: Node; target: string } | null {
  const body = method.childForFieldName('body');
  if (!body) return null;
  let found: { value: Node; target: string } | null = null;
  const visit = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (!c || found) continue;
      if (FUNCTION_TYPES.has(c.type) || CLASS_TYPES.has(c.type)) continue;
      if (c.type === 'assignment' || c.type === 'assignment_expression') {
        const left = c.childForFieldName('left');
        const right = c.childForFieldName('right');
        if (left && right && (left.type === 'attribute' || left.type === 'member_expression')) {
          const obj = left.childForFieldName('object');
          const prop = left.childForFieldName(left.type === 'attribute' ? 'attribute' : 'property');
          if (obj && prop && (obj.text === 'self' || obj.text === 'this') && prop.text === name) {
            found = { value: right, target: left.text };
            continue;
          }
        }
      }
      visit(c);
    }
  };
  visit(body);
  return found;
}

function scalarText(v: Value): string | null {
  return stringOf(v) ?? (v.kind === 'num' ? String(v.value) : null);
}

function truncate(s: string, n = 40): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
