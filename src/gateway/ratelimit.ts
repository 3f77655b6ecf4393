import type { TokenStore } from './store/types.js';

/**
 * Per-identity limits over the store's shared fixed-window counters, so
 * several gateway instances count together. A limit of 0 means unlimited.
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds for `Retry-After` (at least 1 when refused). */
  retryAfterSecs: number;
}

export interface RateLimiter {
  check(key: string, limitPerWindow: number, now: number): Promise<RateDecision>;
}

export function createRateLimiter(store: TokenStore, name: string, windowMs = 60_000): RateLimiter {
  return {
    async check(key, limit, now) {
      if (limit <= 0) return { allowed: true, retryAfterSecs: 0 };
      const result = await store.hit(`${name}:${key}`, limit, windowMs, now);
      return {
        allowed: result.allowed,
        retryAfterSecs: result.allowed ? 0 : Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
      };
    },
  };
}
