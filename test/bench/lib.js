// Small helpers shared by the benches: timing whole processes and summarising.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Wall time of one run of `args` on this Node, in ms. */
export function timeProcess(args, options = {}) {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 400)}`);
  }
  return ms;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Interleave runs of each command (so drift in machine load hits all of them
 * alike), after warm-up runs that fill the OS and compile caches.
 */
export function compareProcesses(commands, { runs = 15, warmup = 3, env = process.env } = {}) {
  const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const ms = timeProcess(args, { env });
      if (i >= warmup) samples[name].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

export function ratioLine(label, ms, baselineLabel, baselineMs, goal) {
  const ratio = ms / baselineMs;
  const verdict = ratio <= goal ? 'meets' : 'MISSES';
  return `${label}: ${ms.toFixed(1)} ms vs ${baselineLabel} ${baselineMs.toFixed(1)} ms → ${ratio.toFixed(2)}× (goal ≤ ${goal}×, ${verdict})`;
}
