/**
 * A git revision's files in a temporary folder, for scanning it like a working tree: `git archive <commit> -- <dir>`
 * piped into `tar -x` (the repository is not touched), or, where no `tar` program exists, a detached
 * `git worktree add` that is removed again. `cleanup()` deletes everything; call it in a `finally`.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export class GitRevisionError extends Error {
  override readonly name = 'GitRevisionError';
}

export interface MaterializedRevision {
  /** The folder that corresponds to `dir` at the revision (it may be empty if `dir` did not exist then). */
  root: string;
  /** Full commit id. */
  commit: string;
  /** Path of `dir` inside the repository, POSIX, '' at the top (for SARIF locations). */
  pathInRepo: string;
  /** False when `dir` did not exist at the revision. */
  existed: boolean;
  cleanup(): void;
}

function git(cwd: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new GitRevisionError(`cannot run git: ${r.error.message}`);
  return { ok: r.status === 0, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

/** The top folder of the repository containing `dir`, or null when `dir` is not in a git repository. */
export function gitTopLevel(dir: string): string | null {
  const r = git(dir, ['rev-parse', '--show-toplevel']);
  return r.ok && r.stdout ? r.stdout : null;
}

/** The commit a revision names (`origin/main`, `HEAD~1`, a tag, a sha), or throws GitRevisionError. */
export function resolveCommit(dir: string, rev: string): string {
  if (rev.startsWith('-')) throw new GitRevisionError(`'${rev}' is not a revision`);
  const r = git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  if (!r.ok || !r.stdout) throw new GitRevisionError(`unknown revision '${rev}' (fetch it first; in CI check out with enough history, e.g. fetch-depth: 0)`);
  return r.stdout;
}

/** Checks out `rev`'s version of `dir` (a folder inside a git repository) into a temporary folder. */
export async function materializeRevision(dir: string, rev: string): Promise<MaterializedRevision> {
  const top = gitTopLevel(dir);
  if (!top) throw new GitRevisionError(`${dir} is not inside a git repository`);
  const commit = resolveCommit(dir, rev);
  const rel = path.relative(fs.realpathSync(top), fs.realpathSync(dir)).split(path.sep).join('/');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-rev-'));
  const cleanups: Array<() => void> = [() => fs.rmSync(tmp, { recursive: true, force: true })];
  const cleanup = (): void => {
    for (const c of cleanups.reverse()) {
      try {
        c();
      } catch {
        // best effort: a temporary folder left behind must not fail the command
      }
    }
  };
  try {
    const exists = git(top, ['cat-file', '-e', `${commit}:${rel === '' ? '' : rel}`]).ok || rel === '';
    if (!exists) return { root: tmp, commit, pathInRepo: rel, existed: false, cleanup };
    const extracted = await archiveInto(top, commit, rel, tmp);
    if (extracted === 'no-tar') {
      // No tar program: a detached worktree of the commit instead.
      const wt = path.join(tmp, 'worktree');
      const add = git(top, ['worktree', 'add', '--detach', '--quiet', wt, commit]);
      if (!add.ok) throw new GitRevisionError(`git worktree add failed: ${add.stderr}`);
      cleanups.push(() => {
        git(top, ['worktree', 'remove', '--force', wt]);
        git(top, ['worktree', 'prune']);
      });
      return { root: rel ? path.join(wt, rel) : wt, commit, pathInRepo: rel, existed: true, cleanup };
    }
    return { root: rel ? path.join(tmp, rel) : tmp, commit, pathInRepo: rel, existed: true, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** `git archive | tar -x`; 'no-tar' when tar cannot be started. */
function archiveInto(top: string, commit: string, rel: string, into: string): Promise<'ok' | 'no-tar'> {
  return new Promise((resolve, reject) => {
    const args = ['archive', '--format=tar', commit, ...(rel ? ['--', rel] : [])];
    const tar = spawn('tar', ['-x', '-f', '-', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    let tarStarted = true;
    let tarErr = '';
    let gitErr = '';
    let pending = 2;
    let gitCode: number | null = null;
    let tarCode: number | null = null;
    const done = (): void => {
      if (--pending > 0) return;
      if (!tarStarted) return resolve('no-tar');
      if (gitCode !== 0) return reject(new GitRevisionError(`git archive failed: ${gitErr.trim()}`));
      if (tarCode !== 0) return reject(new GitRevisionError(`tar failed: ${tarErr.trim()}`));
      resolve('ok');
    };
    tar.on('error', () => {
      tarStarted = false;
    });
    tar.stderr.on('data', (c: Buffer) => (tarErr += c.toString()));
    tar.stdin.on('error', () => undefined); // EPIPE when tar is missing or fails early
    tar.on('close', (code) => {
      tarCode = code;
      done();
    });
    const g = spawn('git', args, { cwd: top, stdio: ['ignore', 'pipe', 'pipe'] });
    g.on('error', (err) => reject(new GitRevisionError(`cannot run git: ${err.message}`)));
    g.stderr.on('data', (c: Buffer) => (gitErr += c.toString()));
    g.stdout.pipe(tar.stdin);
    g.on('close', (code) => {
      gitCode = code;
      done();
    });
  });
}
