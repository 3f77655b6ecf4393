import { randomBytes } from 'node:crypto';
import { type BigIntStats, constants as fsConstants } from 'node:fs';
import { type FileHandle, link, lstat, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { LlmcError } from '../errors.js';
import { FILE_MODE } from './fs-atomic.js';

export interface LockOptions {
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
  /** A lock whose owner is gone, or untouched this long, is stale (default 30 s). */
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
  created_at: string;
}

/**
 * Which file a path held when it was looked at. Inode numbers are reused at
 * once, so the birth time is part of it; `mtimeNs`, when set, also requires
 * that nobody touched the file since (a live owner's heartbeat would have).
 */
interface FileId {
  dev: bigint;
  ino: bigint;
  birthtimeNs: bigint;
  mtimeNs?: bigint | undefined;
}

/**
 * Run `fn` while holding a cross-process lock on `target` (a `<target>.lock`
 * file created with O_EXCL). A lock left by a dead process, or not refreshed
 * for `staleMs`, is broken; a live holder refreshes its lock's mtime so a long
 * critical section is not mistaken for a stale one.
 */
export async function withLock<T>(target: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = `${target}.lock`;
  const staleMs = options.staleMs ?? 30_000;
  const held = await acquire(lockPath, options.timeoutMs ?? 15_000, staleMs);
  // Through the descriptor, not the path: the heartbeat can only ever touch the
  // file this process created, never a lock someone else has put at the path.
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      held.handle.utimes(now, now).catch(() => undefined);
    },
    Math.max(250, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await held.handle.close().catch(() => undefined);
    await removeIf(
      lockPath,
      async (moved, aside) => sameFile(moved, held.id) && (await readOwner(aside))?.nonce === held.nonce,
    ).catch(() => undefined);
  }
}

interface Held {
  handle: FileHandle;
  id: FileId;
  nonce: string;
}

async function acquire(lockPath: string, timeoutMs: number, staleMs: number): Promise<Held> {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    nonce: randomBytes(8).toString('hex'),
    created_at: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const held = await tryCreate(lockPath, owner);
    if (held) return held;
    const stale = await staleLock(lockPath, staleMs);
    if (stale && (await breakStaleLock(lockPath, stale))) continue;
    if (Date.now() >= deadline) {
      const holder = await readOwner(lockPath);
      throw new LlmcError('ERR_LOCK_TIMEOUT', `timed out waiting for the lock on ${lockPath}`, {
        hint: holder
          ? `process ${holder.pid} holds it; wait for it to finish, or remove ${lockPath} if that process is gone`
          : `remove ${lockPath} if no other llmc command is running`,
      });
    }
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** Create `path` exclusively with `owner` in it; undefined when it exists already. */
async function tryCreate(path: string, owner: LockOwner): Promise<Held | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
    return { handle, id: fileId(await handle.stat({ bigint: true })), nonce: owner.nonce };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
}

function fileId(stats: BigIntStats, withMtime = false): FileId {
  return {
    dev: stats.dev,
    ino: stats.ino,
    birthtimeNs: stats.birthtimeNs,
    mtimeNs: withMtime ? stats.mtimeNs : undefined,
  };
}

function sameFile(stats: BigIntStats, id: FileId): boolean {
  return (
    stats.dev === id.dev &&
    stats.ino === id.ino &&
    stats.birthtimeNs === id.birthtimeNs &&
    (id.mtimeNs === undefined || stats.mtimeNs === id.mtimeNs)
  );
}

/**
 * Remove `path` only if `expected` holds for the file there. A path has no
 * compare-and-delete, so the file is first renamed to a private name (it moves
 * whole or not at all), then checked; a file moved by mistake — another
 * process's fresh lock — is linked back where it was.
 */
async function removeIf(
  path: string,
  expected: (moved: BigIntStats, aside: string) => boolean | Promise<boolean>,
): Promise<boolean> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = await lstat(aside, { bigint: true }).catch(() => undefined);
  if (moved && (await expected(moved, aside))) {
    await unlink(aside).catch(() => undefined);
    return true;
  }
  try {
    await link(aside, path);
  } catch (error) {
    // EEXIST: a new lock took the path meanwhile; the moved one cannot go back.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rename(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  return false;
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.nonce === 'string') return parsed as LockOwner;
  } catch {
    // Missing, or half-written by an owner that was killed mid-write.
  }
  return undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The identity of the lock at `lockPath` when it is stale, else undefined. */
async function staleLock(lockPath: string, staleMs: number): Promise<FileId | undefined> {
  let stats: BigIntStats;
  try {
    stats = await lstat(lockPath, { bigint: true });
  } catch {
    return undefined; // gone already: the next tryCreate wins or loses fairly
  }
  const age = Date.now() - Number(stats.mtimeMs);
  const id = fileId(stats, true);
  if (age > staleMs) return id;
  const owner = await readOwner(lockPath);
  if (!owner) return age > 1_000 ? id : undefined; // unreadable and not brand new: its writer died
  return owner.host === hostname() && !processIsAlive(owner.pid) ? id : undefined;
}

/**
 * Two processes may both judge a lock stale. Only one may remove it, or the
 * second would delete the lock the first has just taken. A short-lived
 * breaker lock serialises the breakers, and only the very file judged stale,
 * untouched since, is removed: a lock released and retaken meanwhile, or
 * refreshed by its owner's heartbeat, is not that file.
 */
async function breakStaleLock(lockPath: string, judged: FileId): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  const me: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), created_at: '' };
  const held = await tryCreate(breaker, me);
  if (!held) {
    // A breaker left by a process killed mid-break; removed only if it is still that one.
    const info = await lstat(breaker, { bigint: true }).catch(() => undefined);
    if (info && Date.now() - Number(info.mtimeMs) > 5_000) {
      const old = fileId(info, true);
      await removeIf(breaker, (moved) => sameFile(moved, old)).catch(() => undefined);
    }
    return false;
  }
  await held.handle.close().catch(() => undefined);
  try {
    return await removeIf(lockPath, (moved) => sameFile(moved, judged)).catch(() => false);
  } finally {
    await removeIf(breaker, (moved) => sameFile(moved, held.id)).catch(() => undefined);
  }
}
