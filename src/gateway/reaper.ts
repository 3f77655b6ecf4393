import type { TokenRecord, TokenStore } from './store/types.js';

/**
 * Drops expired tokens every `intervalMs` and reports them (for
 * `token.expired` audit lines). The timer never keeps the process alive.
 */
export interface Reaper {
  runOnce(): Promise<TokenRecord[]>;
  stop(): void;
}

export function startReaper(options: {
  store: TokenStore;
  intervalMs: number;
  clock?: () => number;
  onExpired?: (records: TokenRecord[]) => void;
  onError?: (error: unknown) => void;
}): Reaper {
  const clock = options.clock ?? Date.now;
  let running: Promise<TokenRecord[]> | undefined;
  const runOnce = async (): Promise<TokenRecord[]> => {
    if (running) {
      await running;
      return [];
    }
    running = options.store.reapExpired(clock());
    try {
      const records = await running;
      if (records.length > 0) options.onExpired?.(records);
      return records;
    } finally {
      running = undefined;
    }
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => options.onError?.(error));
  }, options.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
