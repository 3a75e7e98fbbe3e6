/**
 * Replacing a file so that readers (and a crash) see either the old content or the new one, never a mix or a
 * truncated file: write a temporary file in the same folder, flush it to disk, then rename it over the target
 * (rename within one file system is atomic on POSIX and, for files, on Windows).
 */
import { randomBytes } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import * as path from 'node:path';

/** The file-system operations used, so that tests can inject failures. `node:fs/promises` fits. */
export interface AtomicWriteFs {
  open: typeof nodeFs.open;
  rename: typeof nodeFs.rename;
  unlink: typeof nodeFs.unlink;
  stat: typeof nodeFs.stat;
  realpath: typeof nodeFs.realpath;
}

/**
 * Writes `text` (UTF-8) to `filePath` atomically. A symbolic link is followed (its target is replaced, the link kept);
 * an existing file's permission bits are kept. On failure the temporary file is removed, the original is untouched,
 * and the error is rethrown.
 */
export async function writeFileAtomic(filePath: string, text: string, fs: AtomicWriteFs = nodeFs): Promise<void> {
  const target = await resolveTarget(filePath, fs);
  const directory = path.dirname(target);
  const temporary = path.join(directory, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = await existingMode(target, fs);

  try {
    // `wx`: fail rather than follow or reuse anything already at the temporary name.
    const handle = await fs.open(temporary, 'wx', mode ?? 0o666);
    try {
      await handle.writeFile(text, 'utf8');
      if (mode !== undefined) await handle.chmod(mode); // `open`'s mode is filtered by the umask.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory, fs);
}

/** The real path of `filePath` when it exists (following links), else `filePath` itself. */
async function resolveTarget(filePath: string, fs: AtomicWriteFs): Promise<string> {
  try {
    return await fs.realpath(filePath);
  } catch {
    return path.resolve(filePath);
  }
}

async function existingMode(target: string, fs: AtomicWriteFs): Promise<number | undefined> {
  try {
    return (await fs.stat(target)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Flushes the rename itself to disk. Best effort: not possible on every platform (Windows refuses to open folders). */
async function syncDirectory(directory: string, fs: AtomicWriteFs): Promise<void> {
  try {
    const handle = await fs.open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is already safe in the renamed file; only durability of the rename across a power cut is at stake.
  }
}
