import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

const TMP_MARK = '.llmc-tmp-';

/**
 * Replace `path` with `data` so that a crash at any instant leaves either the
 * old or the new content: write a temp file beside it (0600, exclusive), fsync
 * it, rename it over the target, then fsync the directory so the rename lasts.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = FILE_MODE): Promise<void> {
  const tmp = join(dirname(path), `${basename(path)}${TMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Remove temp files a killed writer left behind in `dir` (ours, conf's
 * `atomically` ones, and lock files a killed lock-breaker had moved aside),
 * once they are old enough that no live process owns them.
 */
export async function removeStaleTempFiles(dir: string, olderThanMs = 60_000): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.includes(TMP_MARK) && !/\.tmp-\d+[a-z0-9]*$/i.test(name) && !/\.lock\.stale-[0-9a-f]+$/.test(name)) {
      continue;
    }
    const full = join(dir, name);
    try {
      const info = await stat(full);
      if (now - info.mtimeMs < olderThanMs) continue;
      await unlink(full);
      removed.push(full);
    } catch {
      // Raced with another cleaner or the writer itself; nothing to do.
    }
  }
  return removed;
}
