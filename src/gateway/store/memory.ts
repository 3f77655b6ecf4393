import type { HitResult, PutOptions, PutResult, TokenRecord, TokenStore } from './types.js';

/**
 * The default store: three maps in this process. Lookups by digest and by
 * jti are O(1); per-identity sets keep caps and subject revocation away from
 * full scans. Expired records stay until the reaper drops them, so a late
 * use can be reported as `token.expired` rather than unknown.
 */
export function memoryStore(): TokenStore {
  const byDigest = new Map<string, TokenRecord>();
  const byJti = new Map<string, string>();
  /** identity key → digests, in insertion order (oldest first). */
  const byIdentity = new Map<string, Set<string>>();
  const bySubject = new Map<string, Set<string>>();
  const windows = new Map<string, { start: number; count: number }>();
  let windowSweepAt = 0;

  const identityKey = (iss: string, sub: string) => `${iss.length}:${iss}${sub}`;
  const live = (record: TokenRecord | undefined, now: number) =>
    record !== undefined && record.expires_at > now ? record : undefined;

  const remove = (record: TokenRecord): void => {
    byDigest.delete(record.digest);
    byJti.delete(record.jti);
    const key = identityKey(record.iss, record.sub);
    const set = byIdentity.get(key);
    set?.delete(record.digest);
    if (set?.size === 0) byIdentity.delete(key);
    const subjects = bySubject.get(record.sub);
    subjects?.delete(record.digest);
    if (subjects?.size === 0) bySubject.delete(record.sub);
  };

  const liveForIdentity = (iss: string, sub: string, now: number): TokenRecord[] => {
    const out: TokenRecord[] = [];
    for (const digest of byIdentity.get(identityKey(iss, sub)) ?? []) {
      const record = live(byDigest.get(digest), now);
      if (record) out.push(record);
    }
    return out;
  };

  const liveForSubject = (sub: string, now: number, iss?: string): TokenRecord[] => {
    const out: TokenRecord[] = [];
    for (const digest of bySubject.get(sub) ?? []) {
      const record = live(byDigest.get(digest), now);
      if (record && (iss === undefined || record.iss === iss)) out.push(record);
    }
    return out.sort((a, b) => a.issued_at - b.issued_at);
  };

  return {
    kind: 'memory',
    async put(record: TokenRecord, options: PutOptions): Promise<PutResult> {
      const existing = liveForIdentity(record.iss, record.sub, options.now).sort((a, b) => a.issued_at - b.issued_at);
      const evicted: TokenRecord[] = [];
      if (existing.length >= options.maxPerIdentity) {
        if (options.onCap === 'reject') return { ok: false, reason: 'cap' };
        for (const old of existing.slice(0, existing.length - options.maxPerIdentity + 1)) {
          remove(old);
          evicted.push(old);
        }
      }
      byDigest.set(record.digest, record);
      byJti.set(record.jti, record.digest);
      const key = identityKey(record.iss, record.sub);
      addTo(byIdentity, key, record.digest);
      addTo(bySubject, record.sub, record.digest);
      return { ok: true, evicted };
    },
    async getByDigest(digest) {
      return byDigest.get(digest);
    },
    async getByJti(jti) {
      const digest = byJti.get(jti);
      return digest === undefined ? undefined : byDigest.get(digest);
    },
    async revokeByJti(jti, now) {
      const digest = byJti.get(jti);
      const record = digest === undefined ? undefined : byDigest.get(digest);
      if (!record) return undefined;
      remove(record);
      return live(record, now);
    },
    async revokeByDigest(digest, now) {
      const record = byDigest.get(digest);
      if (!record) return undefined;
      remove(record);
      return live(record, now);
    },
    async revokeBySubject(sub, now, iss) {
      const records = liveForSubject(sub, now, iss);
      for (const record of records) remove(record);
      return records;
    },
    async listBySubject(sub, now, iss) {
      return liveForSubject(sub, now, iss);
    },
    async countForIdentity(iss, sub, now) {
      return liveForIdentity(iss, sub, now).length;
    },
    async reapExpired(now) {
      const expired: TokenRecord[] = [];
      for (const record of byDigest.values()) if (record.expires_at <= now) expired.push(record);
      for (const record of expired) remove(record);
      return expired;
    },
    async hit(key, limit, windowMs, now): Promise<HitResult> {
      const start = now - (now % windowMs);
      if (now - windowSweepAt > windowMs) {
        windowSweepAt = now;
        for (const [name, window] of windows) if (window.start + windowMs <= now) windows.delete(name);
      }
      let window = windows.get(key);
      if (!window || window.start !== start) {
        window = { start, count: 0 };
        windows.set(key, window);
      }
      window.count++;
      const allowed = window.count <= limit;
      return { allowed, count: window.count, retryAfterMs: allowed ? 0 : start + windowMs - now };
    },
    async close() {
      byDigest.clear();
      byJti.clear();
      byIdentity.clear();
      bySubject.clear();
      windows.clear();
    },
  };
}

function addTo(index: Map<string, Set<string>>, key: string, digest: string): void {
  const set = index.get(key);
  if (set) set.add(digest);
  else index.set(key, new Set([digest]));
}
