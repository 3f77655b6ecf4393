import { unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileIfExists, writeFileAtomic } from '../config/fs-atomic.js';
import { ensureHome } from '../config/home.js';
import { withLock } from '../config/lock.js';
import { readTokenFile } from './token-cache.js';

/**
 * At most one browser login per profile at a time. The process that starts a
 * login leaves a record (`login-<profile>.pending`); a second `llmc auth
 * login` for the same profile opens no tab: it waits for the first to finish
 * and reports its result, and takes over only if the first one went away
 * without logging in.
 */

export interface PendingRecord {
  pid: number;
  host: string;
  started_at: string;
  url?: string | undefined;
}

export type Claim =
  | { kind: 'owner'; setUrl(url: string): Promise<void>; release(): Promise<void> }
  | { kind: 'busy'; record: PendingRecord };

function recordPath(home: string, profile: string): string {
  return join(home, `login-${profile.replace(/[^A-Za-z0-9_-]/g, '_')}.pending`);
}

function alive(record: PendingRecord): boolean {
  if (record.host !== hostname()) return true;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readRecord(path: string): Promise<PendingRecord | undefined> {
  try {
    const text = await readFileIfExists(path);
    if (!text) return undefined;
    const parsed = JSON.parse(text) as PendingRecord;
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function claimLogin(home: string, profile: string): Promise<Claim> {
  await ensureHome(home);
  const path = recordPath(home, profile);
  return withLock(path, async () => {
    const existing = await readRecord(path);
    if (existing && existing.pid !== process.pid && alive(existing)) return { kind: 'busy', record: existing };
    let record: PendingRecord = { pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
    await writeFileAtomic(path, JSON.stringify(record));
    return {
      kind: 'owner',
      async setUrl(url: string) {
        record = { ...record, url };
        await withLock(path, () => writeFileAtomic(path, JSON.stringify(record)));
      },
      async release() {
        await withLock(path, async () => {
          const current = await readRecord(path);
          if (current?.pid === process.pid) await unlink(path).catch(() => undefined);
        });
      },
    };
  });
}

export type WaitOutcome = { kind: 'completed' } | { kind: 'abandoned' };

/**
 * Wait while another process's login for `profile` is pending. `completed`
 * when the profile was written after `since`; `abandoned` when the other
 * process ended without logging in (the caller may then take over).
 */
export async function waitForPendingLogin(
  home: string,
  profile: string,
  since: number,
  options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<WaitOutcome | 'timeout'> {
  const path = recordPath(home, profile);
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    const record = await readRecord(path);
    if (!record || !alive(record)) {
      const file = await readTokenFile(home).catch(() => undefined);
      const updated = file?.profiles[profile]?.updated_at;
      if (updated && Date.parse(updated) >= Math.floor(since / 1000) * 1000) return { kind: 'completed' };
      return { kind: 'abandoned' };
    }
    await sleep(options.pollMs ?? 200);
  }
  return 'timeout';
}
