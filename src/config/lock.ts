import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
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
 * Run `fn` while holding a cross-process lock on `target` (a `<target>.lock`
 * file created with O_EXCL). A lock left by a dead process, or not refreshed
 * for `staleMs`, is broken; a live holder refreshes its lock's mtime so a long
 * critical section is not mistaken for a stale one.
 */
export async function withLock<T>(target: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = `${target}.lock`;
  const staleMs = options.staleMs ?? 30_000;
  const release = await acquire(lockPath, options.timeoutMs ?? 15_000, staleMs);
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(250, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release();
  }
}

async function acquire(lockPath: string, timeoutMs: number, staleMs: number): Promise<() => Promise<void>> {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    nonce: randomBytes(8).toString('hex'),
    created_at: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    if (await tryCreate(lockPath, owner)) {
      return async () => {
        const current = await readOwner(lockPath);
        if (current?.nonce === owner.nonce) await unlink(lockPath).catch(() => undefined);
      };
    }
    if (await isStale(lockPath, staleMs)) {
      await breakStaleLock(lockPath, staleMs);
      continue;
    }
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

async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  try {
    const handle = await open(lockPath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, FILE_MODE);
    try {
      await handle.writeFile(JSON.stringify(owner));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
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

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lockPath)).mtimeMs;
  } catch {
    return false; // gone already: the next tryCreate wins or loses fairly
  }
  if (Date.now() - mtimeMs > staleMs) return true;
  const owner = await readOwner(lockPath);
  if (!owner) return Date.now() - mtimeMs > 1_000; // unreadable and not brand new: its writer died
  return owner.host === hostname() && !processIsAlive(owner.pid);
}

/**
 * Two processes may both judge a lock stale. Only one may remove it, or the
 * second would delete the lock the first has just taken. A short-lived
 * breaker lock serialises the breakers, and the stale check is repeated under it.
 */
async function breakStaleLock(lockPath: string, staleMs: number): Promise<void> {
  const breaker = `${lockPath}.break`;
  const me: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), created_at: '' };
  if (!(await tryCreate(breaker, me))) {
    const info = await stat(breaker).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 5_000) await unlink(breaker).catch(() => undefined);
    await sleep(5);
    return;
  }
  try {
    if (await isStale(lockPath, staleMs)) {
      const aside = `${lockPath}.stale-${me.nonce}`;
      await rename(lockPath, aside).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
    }
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}
