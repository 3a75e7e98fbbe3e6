/**
 * Where a call runs: inside a loop, a request handler (someone is waiting: interactive), or a batch context (jobs,
 * workers, scripts: nobody is waiting). Decided from the syntax around the call, and from the other functions of the
 * same file that call the enclosing function.
 */
import type { CallContext } from '../types';
import type { Node } from './parser';
import type { FileUnit } from './project';
import { CLASS_TYPES, FUNCTION_TYPES, LOOP_TYPES, calleeNameNode, calleeOf, descendantsOfTypes, functionName, memberPath } from './syntax';

export interface ContextInfo {
  context: CallContext;
  reason: string;
  inLoop: boolean;
}

const HTTP_METHODS = /^(get|post|put|patch|delete|all|route|api_route|websocket|head|options|use)$/;
const ITERATING_METHODS = /^(map|forEach|flatMap|flat_map|filter|reduce|some|every|mapLimit|eachLimit|pMap)$/;

export class ContextClassifier {
  private readonly direct = new Map<number, ContextInfo | null>();
  private readonly callersByName = new Map<string, Node[]>();
  private allCalls: readonly Node[] | undefined;

  constructor(
    private readonly file: FileUnit,
    /** Every call node of the file (CALL_TYPES, in source order) when the caller already has them. */
    private readonly calls?: readonly Node[],
  ) {}

  classify(call: Node): ContextInfo {
    const inLoop = isInLoop(call);
    // Module-level `if __name__ == "__main__":` / `require.main === module` blocks and script files.
    const fns = enclosingFunctions(call);
    for (const fn of fns) {
      const info = this.directContext(fn);
      if (info) return { ...info, inLoop };
    }
    const main = mainGuard(call);
    if (main) return { context: 'batch', reason: main, inLoop };
    // Functions called from a handler / job in the same file take its context.
    const outer = fns[fns.length - 1];
    if (outer) {
      const viaCaller = this.fromCallers(outer, 0, new Set());
      if (viaCaller) return { ...viaCaller, inLoop };
    }
    if (fns.length === 0 || fns.every((f) => f.type === 'arrow_function' || f.type === 'function_expression')) {
      const script = this.scriptFile();
      if (script) return { context: 'batch', reason: script, inLoop };
    }
    const fileLevel = this.fileLevelContext();
    if (fileLevel) return { ...fileLevel, inLoop };
    return { context: 'unknown', reason: 'no request handler or batch job found around the call', inLoop };
  }

  /** Context given by the function itself: route decorators, framework registrations, job decorators. */
  private directContext(fn: Node): ContextInfo | null {
    if (this.direct.has(fn.id)) return this.direct.get(fn.id) ?? null;
    const info = this.computeDirect(fn);
    this.direct.set(fn.id, info);
    return info;
  }

  private computeDirect(fn: Node): ContextInfo | null {
    const file = this.file;
    // Python decorators
    const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
    if (decorated) {
      for (const d of decorated.namedChildren) {
        if (d?.type !== 'decorator') continue;
        const text = d.text.replace(/\s+/g, '');
        const m = text.match(/^@([\w.]+?)\.(get|post|put|patch|delete|route|api_route|websocket|head|options)\(/);
        if (m) return { context: 'interactive', reason: `route handler ${shorten(d.text)}`, inLoop: false };
        if (/^@(api_view|require_(http_methods|GET|POST|safe)|login_required|csrf_exempt|action)\b/.test(text)) return { context: 'interactive', reason: `Django view ${shorten(d.text)}`, inLoop: false };
        if (/^@([\w.]+\.)?(task|shared_task|periodic_task|actor|job|flow|asset|op|scheduled_job|cron|on_schedule|schedule)\b/.test(text) && !/^@pytest\./.test(text)) return { context: 'batch', reason: `background job ${shorten(d.text)}`, inLoop: false };
        if (/^@([\w.]+\.)?command\b|^@click\.|^@([\w.]+\.)?callback\b/.test(text)) return { context: 'batch', reason: `CLI command ${shorten(d.text)}`, inLoop: false };
      }
    }
    if (file.language === 'python') {
      // Django function views: views.py with a first parameter named request; class-based views
      const name = functionName(fn);
      const params = fn.childForFieldName('parameters');
      const firstParam = params?.namedChildren.find((p) => p && p.text !== 'self')?.text.split(/[:=]/)[0]?.trim();
      if (/(^|\/)views(\.py|\/)/.test(file.path) && firstParam === 'request') return { context: 'interactive', reason: `Django view ${name ?? ''}`.trim(), inLoop: false };
      const cls = fn.parent?.parent && CLASS_TYPES.has(fn.parent.parent.type) ? fn.parent.parent : fn.parent?.parent?.parent && CLASS_TYPES.has(fn.parent.parent.parent.type) ? fn.parent.parent.parent : null;
      if (cls && name && /^(get|post|put|patch|delete|list|create|retrieve|update|partial_update|destroy|handle|dispatch)$/.test(name)) {
        const bases = cls.childForFieldName('superclasses')?.text ?? '';
        if (/View|ViewSet|APIView|Resource|Handler|Endpoint/.test(bases)) return { context: 'interactive', reason: `view method ${cls.childForFieldName('name')?.text}.${name}`, inLoop: false };
        if (/BaseCommand/.test(bases) && name === 'handle') return { context: 'batch', reason: `Django management command`, inLoop: false };
        if (/Consumer|Worker|Task/.test(bases)) return { context: 'batch', reason: `worker class ${cls.childForFieldName('name')?.text}`, inLoop: false };
      }
      return null;
    }
    // ---- JS / TS ----
    const name = functionName(fn);
    // Next.js route handlers and pages/api
    if (/(^|\/)app\/(.*\/)?route\.(t|j)sx?$/.test(file.path) && name && /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(name) && isTopLevel(fn)) {
      return { context: 'interactive', reason: `Next.js route handler ${name}`, inLoop: false };
    }
    if (/(^|\/)pages\/api\//.test(file.path) && isTopLevel(fn)) return { context: 'interactive', reason: 'Next.js API route', inLoop: false };
    if (hasUseServer(fn) || (isTopLevel(fn) && fileHasUseServer(file))) return { context: 'interactive', reason: `Next.js server action${name ? ` ${name}` : ''}`, inLoop: false };
    // Callback registered with a framework: app.post('/x', handler), new Worker('q', fn), cron.schedule('* * *', fn)
    const registration = registrationOf(fn);
    if (registration) return registration;
    return null;
  }

  private fromCallers(fn: Node, depth: number, seen: Set<number>): ContextInfo | null {
    if (depth > 3 || seen.has(fn.id)) return null;
    seen.add(fn.id);
    const name = functionName(fn);
    if (!name) return null;
    const callers = this.callSitesOf(name);
    const contexts: ContextInfo[] = [];
    for (const call of callers) {
      if (call.startIndex >= fn.startIndex && call.endIndex <= fn.endIndex) continue; // recursion
      const outerFns = enclosingFunctions(call);
      let found: ContextInfo | null = null;
      for (const f of outerFns) {
        found = this.directContext(f);
        if (found) break;
      }
      if (!found) {
        const main = mainGuard(call);
        if (main) found = { context: 'batch', reason: main, inLoop: false };
      }
      if (!found && outerFns.length) found = this.fromCallers(outerFns[outerFns.length - 1]!, depth + 1, seen);
      if (!found && outerFns.length === 0) {
        const script = this.scriptFile();
        if (script) found = { context: 'batch', reason: script, inLoop: false };
      }
      if (found) contexts.push(found);
    }
    if (!contexts.length) return null;
    const kinds = new Set(contexts.map((c) => c.context));
    if (kinds.size !== 1) return null;
    return { context: contexts[0]!.context, reason: `${name}() is called from ${contexts[0]!.reason}`, inLoop: false };
  }

  /**
   * Calls of `name` in this file, and calls that pass `name` as an argument (`app.post('/x', handler)`), in source
   * order (a call that does both is listed twice). Computed per name: only calls whose source text contains the
   * name are looked at.
   */
  private callSitesOf(name: string): Node[] {
    const cached = this.callersByName.get(name);
    if (cached) return cached;
    const text = this.file.text;
    const occurrences: number[] = [];
    for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) occurrences.push(at);
    const out: Node[] = [];
    this.allCalls ??= this.calls ? this.calls.filter((n) => n.type === 'call' || n.type === 'call_expression') : descendantsOfTypes(this.file.root, ['call', 'call_expression']);
    for (const n of this.allCalls) {
      // Skip calls whose text does not contain the name (first occurrence at or after the call's start).
      let lo = 0;
      let hi = occurrences.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (occurrences[mid]! < n.startIndex) lo = mid + 1;
        else hi = mid;
      }
      if (lo === occurrences.length || occurrences[lo]! + name.length > n.endIndex) continue;
      const callee = calleeOf(n);
      // The callee's last name: `handler` in handler(), self.handler(), this.handler(), obj.handler().
      if (callee && calleeNameNode(callee).text === name) out.push(n);
      // Functions passed by name: app.post('/x', handler); cron.schedule('...', job)
      const args = n.childForFieldName('arguments');
      for (const a of args?.namedChildren ?? []) if (a?.type === 'identifier' && a.text === name) out.push(n);
    }
    this.callersByName.set(name, out);
    return out;
  }

  private scriptFileCache: string | null | undefined;
  /** Files run as scripts: shebang, scripts/ or bin/ folders, or a `main()` call at module level. */
  private scriptFile(): string | null {
    if (this.scriptFileCache !== undefined) return this.scriptFileCache;
    let reason: string | null = null;
    if (this.file.text.startsWith('#!')) reason = 'script (shebang)';
    else if (/(^|\/)(scripts?|bin|cli|tools|jobs|cron|workers?)\//.test(this.file.path)) reason = `script in ${this.file.path.split('/').slice(0, -1).join('/')}/`;
    this.scriptFileCache = reason;
    return reason;
  }

  private fileLevelCache: ContextInfo | null | undefined;
  /** Files whose role is given by their location (workers/, jobs/, tasks.py). */
  private fileLevelContext(): ContextInfo | null {
    if (this.fileLevelCache !== undefined) return this.fileLevelCache;
    let info: ContextInfo | null = null;
    if (/(^|\/)(tasks|jobs|workers?|cron|batch)(\.py|\/)/.test(this.file.path) || /(^|\/)(jobs|workers?|cron|queues?)\/|\.(job|worker|cron)\.(t|j)s$/.test(this.file.path)) {
      info = { context: 'batch', reason: `file ${this.file.path} holds background jobs`, inLoop: false };
    }
    this.fileLevelCache = info;
    return info;
  }
}

function shorten(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
}

/** Function-like ancestors from the innermost outwards. */
export function enclosingFunctions(node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p; p = p.parent) if (FUNCTION_TYPES.has(p.type)) out.push(p);
  return out;
}

function isTopLevel(fn: Node): boolean {
  for (let p = fn.parent; p; p = p.parent) {
    if (FUNCTION_TYPES.has(p.type) || CLASS_TYPES.has(p.type)) return false;
    if (p.type === 'program') return true;
  }
  return true;
}

function hasUseServer(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  const first = body?.namedChildren[0];
  return !!first && first.type === 'expression_statement' && /^['"]use server['"]/.test(first.text);
}

function fileHasUseServer(file: FileUnit): boolean {
  const first = file.root.namedChildren.find((c) => c && c.type !== 'comment');
  return !!first && first.type === 'expression_statement' && /^['"]use server['"]/.test(first.text);
}

/** A function passed to a framework registration call. */
function registrationOf(fn: Node): ContextInfo | null {
  const args = fn.parent;
  if (!args || args.type !== 'arguments') return null;
  const call = args.parent;
  if (!call || (call.type !== 'call_expression' && call.type !== 'new_expression')) return null;
  const callee = calleeOf(call);
  if (!callee) return null;
  const path = memberPath(callee) ?? [calleeNameNode(callee).text];
  const last = path[path.length - 1] ?? '';
  const firstArg = args.namedChildren[0];
  if (call.type === 'new_expression' && /^(Worker|QueueWorker|CronJob)$/.test(last)) return { context: 'batch', reason: `${last} processor`, inLoop: false };
  if (path.length >= 2 && HTTP_METHODS.test(last) && firstArg && (firstArg.type === 'string' || firstArg.type === 'template_string')) {
    return { context: 'interactive', reason: `route handler ${path.join('.')}(${firstArg.text})`, inLoop: false };
  }
  if (path.length >= 2 && /^(mutation|query|subscription)$/.test(last)) return { context: 'interactive', reason: `RPC procedure .${last}()`, inLoop: false };
  if (/^(schedule|scheduleJob|define|every|process|cron|setInterval|createFunction|action|task)$/.test(last)) {
    const reason = last === 'action' ? 'CLI command action' : `job ${path.join('.')}()`;
    return { context: 'batch', reason, inLoop: false };
  }
  if (/^(on|handler|onRequest|fetch)$/.test(last) && path.length >= 2 && /^(app|server|router|fastify|hono|api)$/i.test(path[0] ?? '')) {
    return { context: 'interactive', reason: `request handler ${path.join('.')}()`, inLoop: false };
  }
  return null;
}

/** `if __name__ == "__main__":` (Python) or `if (require.main === module)` (JS) around the call. */
function mainGuard(node: Node): string | null {
  for (let p = node.parent; p; p = p.parent) {
    if (FUNCTION_TYPES.has(p.type)) return null;
    if (p.type === 'if_statement') {
      const cond = p.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
      if (/__name__==['"]__main__['"]/.test(cond) || /require\.main===module/.test(cond) || /import\.meta\.main/.test(cond)) return 'script entry point (__main__)';
    }
  }
  return null;
}

/** Lexically inside a loop or comprehension, or a callback passed to map/forEach/Promise.all. */
export function isInLoop(call: Node): boolean {
  for (let p = call.parent; p; p = p.parent) {
    if (LOOP_TYPES.has(p.type)) {
      // The iterable of a for statement is evaluated once, not per item.
      const right = p.childForFieldName('right');
      if (right && call.startIndex >= right.startIndex && call.endIndex <= right.endIndex) continue;
      return true;
    }
    if (p.type === 'arrow_function' || p.type === 'function_expression' || p.type === 'lambda') {
      const args = p.parent;
      if (args?.type === 'arguments' || args?.type === 'argument_list') {
        const outer = args.parent;
        const callee = outer ? calleeOf(outer) : null;
        if (callee && ITERATING_METHODS.test(calleeNameNode(callee).text)) return true;
      }
      continue;
    }
    if (p.type === 'function_definition' || p.type === 'function_declaration' || p.type === 'method_definition' || p.type === 'generator_function_declaration') return false;
  }
  return false;
}
