import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor, isUnreachable, LlmcError } from '../../src/errors.js';

describe('LlmcError', () => {
  it('takes its exit code from the one map unless told otherwise', () => {
    expect(new LlmcError('ERR_LOGIN_REQUIRED', 'x').exitCode).toBe(ExitCode.loginRequired);
    expect(new LlmcError('ERR_IDP_UNREACHABLE', 'x').exitCode).toBe(ExitCode.unreachable);
    expect(new LlmcError('ERR_CONFIG_KEY', 'x').exitCode).toBe(ExitCode.usage);
    expect(new LlmcError('ERR_CONFIG_KEY', 'x', { exitCode: ExitCode.error }).exitCode).toBe(1);
    expect(exitCodeFor('ERR_INTERRUPTED')).toBe(130);
    expect(exitCodeFor('ERR_DENIED')).toBe(4);
  });

  it('keeps hint and cause', () => {
    const cause = new Error('inner');
    const error = new LlmcError('ERR_INTERNAL', 'outer', { hint: 'do this', cause });
    expect(error).toMatchObject({ code: 'ERR_INTERNAL', message: 'outer', hint: 'do this', cause });
  });
});

describe('isUnreachable', () => {
  it('finds connection failures anywhere in the cause chain', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isUnreachable(refused)).toBe(true);
    expect(isUnreachable(new TypeError('fetch failed', { cause: refused }))).toBe(true);
    expect(isUnreachable(new AggregateError([refused]))).toBe(true);
    expect(isUnreachable(new Error('HTTP 500'))).toBe(false);
  });

  it('counts a request that timed out (AbortSignal.timeout) as unreachable, a user abort not', async () => {
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    try {
      const timedOut = await fetch(url, { signal: AbortSignal.timeout(50) }).catch((error: unknown) => error);
      expect((timedOut as Error).name).toBe('TimeoutError');
      expect(isUnreachable(timedOut)).toBe(true);
      expect(isUnreachable(new Error('outer', { cause: timedOut }))).toBe(true);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const aborted = await fetch(url, { signal: controller.signal }).catch((error: unknown) => error);
      expect((aborted as Error).name).toBe('AbortError');
      expect(isUnreachable(aborted)).toBe(false);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
