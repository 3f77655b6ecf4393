import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withLock } from '../../../src/config/lock.js';

/**
 * The interleavings that matter happen between two fs calls of one process.
 * `hooks.beforeRemove` runs just before lock.ts renames or unlinks a path, and
 * plays the other process (with the sync fs API, which is not intercepted).
 */
const hooks = vi.hoisted(() => ({ beforeRemove: undefined as ((path: string) => void) | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const before = (path: unknown) => hooks.beforeRemove?.(String(path));
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      before(from);
      return actual.rename(from, to);
    },
    unlink: async (path: string) => {
      before(path);
      return actual.unlink(path);
    },
  };
});

let dir: string;
let target: string;
let lockPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmc-lock-race-'));
  target = join(dir, 'file');
  lockPath = `${target}.lock`;
});
afterEach(async () => {
  hooks.beforeRemove = undefined;
  await rm(dir, { recursive: true, force: true });
});

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

function writeOwner(path: string, pid: number, nonce: string): void {
  writeFileSync(path, JSON.stringify({ pid, host: hostname(), nonce, created_at: '' }), { mode: 0o600 });
}

/** Run `act` once, the first time lock.ts is about to move or delete `path`. */
function onceBeforeRemoving(path: string, act: () => void): void {
  hooks.beforeRemove = (removed) => {
    if (removed !== path) return;
    hooks.beforeRemove = undefined;
    act();
  };
}

const nonceAt = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { nonce: string }).nonce;

describe('withLock races', () => {
  it('never removes a live lock that replaced the stale one it judged', async () => {
    writeOwner(lockPath, deadPid(), 'dead');
    onceBeforeRemoving(lockPath, () => {
      // Meanwhile: the stale lock went away and a live process took the lock.
      unlinkSync(lockPath);
      writeOwner(lockPath, process.pid, 'live');
    });
    await expect(withLock(target, async () => 'stole it', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'ERR_LOCK_TIMEOUT',
    });
    expect(nonceAt(lockPath)).toBe('live');
  });

  it('on release, never removes a lock another process holds now', async () => {
    await withLock(target, async () => {
      onceBeforeRemoving(lockPath, () => {
        // Meanwhile: ours was judged stale, broken, and another process took the lock.
        unlinkSync(lockPath);
        writeOwner(lockPath, process.pid, 'other');
      });
    });
    expect(nonceAt(lockPath)).toBe('other');
  });

  it('the heartbeat refreshes only its own lock file, never one someone else put at the path', async () => {
    const past = new Date(Date.now() - 60_000);
    await withLock(
      target,
      async () => {
        unlinkSync(lockPath);
        writeOwner(lockPath, process.pid, 'other');
        utimesSync(lockPath, past, past);
        await sleep(700); // several heartbeats at staleMs / 3
      },
      { staleMs: 300 },
    );
    expect(statSync(lockPath).mtimeMs).toBe(past.getTime());
    expect(nonceAt(lockPath)).toBe('other');
  });

  it('never removes a live breaker that replaced the stale one it judged', async () => {
    const breaker = `${lockPath}.break`;
    writeOwner(lockPath, deadPid(), 'dead');
    writeOwner(breaker, deadPid(), 'killed-breaker');
    const old = new Date(Date.now() - 10_000);
    utimesSync(breaker, old, old);
    onceBeforeRemoving(breaker, () => {
      unlinkSync(breaker);
      writeOwner(breaker, process.pid, 'live-breaker');
    });
    await expect(withLock(target, async () => 'took it', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'ERR_LOCK_TIMEOUT',
    });
    expect(nonceAt(breaker)).toBe('live-breaker');
  });

  it('a stale lock that cannot be moved this time (EPERM, EBUSY) is retried, not an error', async () => {
    writeOwner(lockPath, deadPid(), 'dead');
    onceBeforeRemoving(lockPath, () => {
      throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
    });
    expect(await withLock(target, async () => 'took over', { timeoutMs: 2_000 })).toBe('took over');
  });

  it('many waiters on a dead owner lock enter one at a time', async () => {
    writeOwner(lockPath, deadPid(), 'dead');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        withLock(target, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(2);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });
});
