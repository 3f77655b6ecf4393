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
});
