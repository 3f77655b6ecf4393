import type { LlmcError } from '../../src/errors.js';

/** The error `fn` throws synchronously (the test fails if it throws none). */
export function errorOf(fn: () => unknown): LlmcError {
  try {
    fn();
  } catch (error) {
    return error as LlmcError;
  }
  throw new Error('expected an error, got none');
}
