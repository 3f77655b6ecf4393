import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withLock } from '../../../src/config/lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmc-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

describe('withLock', () => {
  it('serialises critical sections (no lost update)', async () => {
    const target = join(dir, 'counter');
    await writeFile(target, '0');
    await Promise.all(
      Array.from({ length: 25 }, () =>
        withLock(target, async () => {
          const value = Number(await readFile(target, 'utf8'));
          await sleep(1);
          await writeFile(target, String(value + 1));
        }),
      ),
    );
    expect(await readFile(target, 'utf8')).toBe('25');
  });

  it('releases the lock when the critical section throws', async () => {
    const target = join(dir, 'file');
    await expect(withLock(target, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(stat(`${target}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await withLock(target, async () => 'again')).toBe('again');
  });

  it('breaks a lock left by a process that died', async () => {
    const target = join(dir, 'file');
    await writeFile(`${target}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), nonce: 'x', created_at: '' }));
    expect(await withLock(target, async () => 'took over', { timeoutMs: 2_000 })).toBe('took over');
  });

  it('breaks a lock that nobody refreshed for longer than staleMs', async () => {
    const target = join(dir, 'file');
    await writeFile(
      `${target}.lock`,
      JSON.stringify({ pid: process.pid, host: 'elsewhere', nonce: 'y', created_at: '' }),
    );
    const past = new Date(Date.now() - 60_000);
    await utimes(`${target}.lock`, past, past);
    expect(await withLock(target, async () => 'ok', { timeoutMs: 2_000, staleMs: 30_000 })).toBe('ok');
  });

  it('times out with a hint naming the holder when a live process holds the lock', async () => {
    const target = join(dir, 'file');
    await writeFile(
      `${target}.lock`,
      JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'z', created_at: '' }),
    );
    await expect(withLock(target, async () => 'never', { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'ERR_LOCK_TIMEOUT',
      hint: expect.stringContaining(`process ${process.pid}`),
    });
  });
});
