/**
 * Read-modify-write of the usage file that loses no update when several writers run at once (the CLI's
 * `calibrate --write`, a report's "save scenario", another costlens process): writers take an exclusive lock file next
 * to the usage file, read the current text, apply their edit, and replace the file atomically. A lock left by a
 * crashed process is taken over after `staleMs`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicWrite';

export interface LockedUpdateOptions {
  /** Give up waiting for the lock after this long (default 10 s). */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned (default 30 s). */
  staleMs?: number;
}

export class UsageFileBusyError extends Error {
  constructor(file: string) {
    super(`${file} is being updated by another process (lock ${path.basename(lockPath(file))}); try again`);
    this.name = 'UsageFileBusyError';
  }
}

function lockPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

async function acquire(file: string, timeoutMs: number, staleMs: number): Promise<() => Promise<void>> {
  const lock = lockPath(file);
  const deadline = Date.now() + timeoutMs;
  let wait = 5;
  for (;;) {
    try {
      const handle = await fs.open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await fs.unlink(lock).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        const age = Date.now() - (await fs.stat(lock)).mtimeMs;
        if (age > staleMs) await fs.unlink(lock).catch(() => undefined);
      } catch {
        // the holder just released it
      }
      if (Date.now() > deadline) throw new UsageFileBusyError(file);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(100, wait * 2);
    }
  }
}

/**
 * Applies `edit` to the current text of `file` ('' when it does not exist) under the lock and writes the result
 * atomically. Returns the new text. `edit` must be a pure function of the text it is given.
 */
export async function updateFileLocked(file: string, edit: (text: string) => string, options: LockedUpdateOptions = {}): Promise<string> {
  const release = await acquire(file, options.timeoutMs ?? 10_000, options.staleMs ?? 30_000);
  try {
    let text = '';
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const next = edit(text);
    if (next !== text) await writeFileAtomic(file, next);
    return next;
  } finally {
    await release();
  }
}
