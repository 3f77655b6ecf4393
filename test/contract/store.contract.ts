import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenRecord, TokenStore } from '../../src/gateway/store/types.js';
import { digestToken, mintToken } from '../../src/gateway/tokens.js';

/**
 * The semantics every key-server store must keep (src/gateway/store/types.ts).
 * A store runs it with `describeStoreContract('redis', () => redisStore(url))`;
 * each test gets a fresh store from `makeStore` and closes it afterwards, so
 * an external store should use a fresh key prefix or database per call.
 */

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const HOUR = 3_600_000;
const GOOGLE = 'https://accounts.google.com';
const GITHUB = 'https://token.actions.githubusercontent.com';

export function record(overrides: Partial<TokenRecord> = {}): TokenRecord {
  const { digest } = mintToken();
  return {
    digest,
    jti: randomUUID(),
    iss: GOOGLE,
    sub: 'user-1',
    email: 'ana@company.com',
    scopes: { backends: ['*'], tools: ['search', 'brave_*'], rate_limit: 100 },
    scope: 'backends:* tools:search,brave_*',
    issued_at: T0,
    expires_at: T0 + HOUR,
    client_ip: '127.0.0.1',
    ...overrides,
  };
}

export function describeStoreContract(name: string, makeStore: () => TokenStore | Promise<TokenStore>): void {
  describe(`token store contract: ${name}`, () => {
    let store: TokenStore;
    const reject = { maxPerIdentity: 5, onCap: 'reject' as const, now: T0 };

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('records', () => {
      it('finds a stored record by digest and by jti, with every field intact', async () => {
        const one = record();
        expect(await store.put(one, reject)).toEqual({ ok: true, evicted: [] });
        expect(await store.getByDigest(one.digest, T0)).toEqual(one);
        expect(await store.getByJti(one.jti, T0)).toEqual(one);
      });

      it('knows nothing of a digest or jti it never stored', async () => {
        await store.put(record(), reject);
        expect(await store.getByDigest(digestToken('mcpgw_nope'), T0)).toBeUndefined();
        expect(await store.getByJti(randomUUID(), T0)).toBeUndefined();
      });

      it('keys records by digest only: the token value is not a key', async () => {
        const { token, digest } = mintToken();
        await store.put(record({ digest }), reject);
        expect(await store.getByDigest(token, T0)).toBeUndefined();
        expect(await store.getByDigest(digest, T0)).toBeDefined();
      });

      it('keeps records without an email or client ip', async () => {
        const one = record({ email: undefined, client_ip: undefined });
        await store.put(one, reject);
        const found = await store.getByJti(one.jti, T0);
        expect(found?.sub).toBe('user-1');
        expect(found?.email ?? undefined).toBeUndefined();
      });
    });

    describe('expiry', () => {
      it('never returns an expired record as live', async () => {
        const one = record({ expires_at: T0 + 1000 });
        await store.put(one, reject);
        const later = T0 + 1000;
        for (const found of [await store.getByDigest(one.digest, later), await store.getByJti(one.jti, later)]) {
          if (found !== undefined) expect(found.expires_at).toBeLessThanOrEqual(later);
        }
        expect(await store.countForIdentity(GOOGLE, 'user-1', later)).toBe(0);
        expect(await store.listBySubject('user-1', later)).toEqual([]);
        expect(await store.revokeByJti(one.jti, later)).toBeUndefined();
      });

      it('does not count expired records against the cap', async () => {
        const cap = { maxPerIdentity: 1, onCap: 'reject' as const, now: T0 };
        await store.put(record({ expires_at: T0 + 10 }), cap);
        const result = await store.put(record({ issued_at: T0 + 10 }), { ...cap, now: T0 + 10 });
        expect(result.ok).toBe(true);
      });

      it('reaps exactly the expired records and returns them', async () => {
        const old = record({ expires_at: T0 + 10 });
        const fresh = record({ expires_at: T0 + HOUR });
        const other = record({ sub: 'user-2', expires_at: T0 + 20 });
        for (const one of [old, fresh, other]) await store.put(one, reject);
        const reaped = await store.reapExpired(T0 + 20);
        expect(reaped.map((one) => one.jti).sort()).toEqual([old.jti, other.jti].sort());
        expect(await store.getByJti(old.jti, T0)).toBeUndefined();
        expect(await store.getByDigest(other.digest, T0)).toBeUndefined();
        expect(await store.getByJti(fresh.jti, T0 + 20)).toEqual(fresh);
        expect(await store.reapExpired(T0 + 20)).toEqual([]);
      });
    });

    describe('per-identity cap', () => {
      it('refuses one more than the cap with reason "cap" and stores nothing', async () => {
        const cap = { maxPerIdentity: 2, onCap: 'reject' as const, now: T0 };
        await store.put(record(), cap);
        await store.put(record(), cap);
        const third = record();
        expect(await store.put(third, cap)).toEqual({ ok: false, reason: 'cap' });
        expect(await store.getByJti(third.jti, T0)).toBeUndefined();
        expect(await store.countForIdentity(GOOGLE, 'user-1', T0)).toBe(2);
      });

      it('counts an identity as (iss, sub): the same sub at another issuer is someone else', async () => {
        const cap = { maxPerIdentity: 1, onCap: 'reject' as const, now: T0 };
        expect((await store.put(record(), cap)).ok).toBe(true);
        expect((await store.put(record({ iss: GITHUB }), cap)).ok).toBe(true);
        expect((await store.put(record({ sub: 'user-2' }), cap)).ok).toBe(true);
        expect(await store.countForIdentity(GOOGLE, 'user-1', T0)).toBe(1);
        expect(await store.countForIdentity(GITHUB, 'user-1', T0)).toBe(1);
      });

      it('with evict_oldest, drops the oldest record and returns it', async () => {
        const cap = { maxPerIdentity: 2, onCap: 'evict_oldest' as const, now: T0 + 2 };
        const first = record({ issued_at: T0 });
        const second = record({ issued_at: T0 + 1 });
        const third = record({ issued_at: T0 + 2 });
        await store.put(first, cap);
        await store.put(second, cap);
        const result = await store.put(third, cap);
        expect(result).toEqual({ ok: true, evicted: [first] });
        expect(await store.getByJti(first.jti, T0 + 2)).toBeUndefined();
        expect(await store.getByDigest(first.digest, T0 + 2)).toBeUndefined();
        expect((await store.listBySubject('user-1', T0 + 2)).map((one) => one.jti)).toEqual([second.jti, third.jti]);
      });

      it('checks and inserts in one step: concurrent puts never exceed the cap', async () => {
        const cap = { maxPerIdentity: 3, onCap: 'reject' as const, now: T0 };
        const results = await Promise.all(Array.from({ length: 12 }, () => store.put(record(), cap)));
        expect(results.filter((result) => result.ok)).toHaveLength(3);
        expect(await store.countForIdentity(GOOGLE, 'user-1', T0)).toBe(3);
      });
    });

    describe('revocation', () => {
      it('revokes by jti once: the record, then undefined', async () => {
        const one = record();
        await store.put(one, reject);
        expect(await store.revokeByJti(one.jti, T0)).toEqual(one);
        expect(await store.revokeByJti(one.jti, T0)).toBeUndefined();
        expect(await store.getByDigest(one.digest, T0)).toBeUndefined();
        expect(await store.countForIdentity(GOOGLE, 'user-1', T0)).toBe(0);
      });

      it('revokes by digest (self-revocation)', async () => {
        const one = record();
        await store.put(one, reject);
        expect(await store.revokeByDigest(one.digest, T0)).toEqual(one);
        expect(await store.getByJti(one.jti, T0)).toBeUndefined();
        expect(await store.revokeByDigest(one.digest, T0)).toBeUndefined();
      });

      it('revokes every live record of a subject, across issuers unless one is named', async () => {
        const a = record();
        const b = record();
        const c = record({ iss: GITHUB });
        const other = record({ sub: 'user-2' });
        for (const one of [a, b, c, other]) await store.put(one, reject);
        const fromGithub = await store.revokeBySubject('user-1', T0, GITHUB);
        expect(fromGithub.map((one) => one.jti)).toEqual([c.jti]);
        const rest = await store.revokeBySubject('user-1', T0);
        expect(rest.map((one) => one.jti).sort()).toEqual([a.jti, b.jti].sort());
        expect(await store.listBySubject('user-1', T0)).toEqual([]);
        expect(await store.getByJti(other.jti, T0)).toEqual(other);
        expect(await store.revokeBySubject('nobody', T0)).toEqual([]);
      });

      it('frees cap room once a token is revoked', async () => {
        const cap = { maxPerIdentity: 1, onCap: 'reject' as const, now: T0 };
        const one = record();
        await store.put(one, cap);
        await store.revokeByJti(one.jti, T0);
        expect((await store.put(record(), cap)).ok).toBe(true);
      });
    });

    describe('listing', () => {
      it('lists a subject’s live records oldest first, filtered by issuer when asked', async () => {
        const late = record({ issued_at: T0 + 5 });
        const early = record({ issued_at: T0 + 1 });
        const github = record({ iss: GITHUB, issued_at: T0 + 3 });
        const expired = record({ issued_at: T0, expires_at: T0 + 6 });
        for (const one of [late, early, github, expired, record({ sub: 'user-2' })]) await store.put(one, reject);
        expect((await store.listBySubject('user-1', T0 + 6)).map((one) => one.jti)).toEqual([
          early.jti,
          github.jti,
          late.jti,
        ]);
        expect((await store.listBySubject('user-1', T0 + 6, GOOGLE)).map((one) => one.jti)).toEqual([
          early.jti,
          late.jti,
        ]);
      });
    });

    describe('rate-limit counters', () => {
      const minute = 60_000;
      const start = T0 - (T0 % minute);

      it('allows `limit` hits per window, then refuses with the time to the window’s end', async () => {
        for (let i = 1; i <= 3; i++) {
          expect(await store.hit('issue:ana', 3, minute, start + 1000)).toEqual({
            allowed: true,
            count: i,
            retryAfterMs: 0,
          });
        }
        expect(await store.hit('issue:ana', 3, minute, start + 15_000)).toEqual({
          allowed: false,
          count: 4,
          retryAfterMs: 45_000,
        });
      });

      it('starts counting again in the next window', async () => {
        await store.hit('use:ana', 1, minute, start);
        expect((await store.hit('use:ana', 1, minute, start + 10)).allowed).toBe(false);
        expect(await store.hit('use:ana', 1, minute, start + minute)).toEqual({
          allowed: true,
          count: 1,
          retryAfterMs: 0,
        });
      });

      it('counts each key on its own', async () => {
        await store.hit('use:ana', 1, minute, start);
        expect((await store.hit('use:bob', 1, minute, start)).allowed).toBe(true);
        expect((await store.hit('issue:ana', 1, minute, start)).allowed).toBe(true);
      });

      it('counts concurrent hits exactly', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => store.hit('burst', 5, minute, start)));
        expect(results.filter((result) => result.allowed)).toHaveLength(5);
        expect(Math.max(...results.map((result) => result.count))).toBe(20);
      });
    });
  });
}
