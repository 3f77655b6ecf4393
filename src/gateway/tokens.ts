import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Gateway tokens: `mcpgw_` + 43 base64url characters (32 random bytes, 256
 * bits). Only the sha256 digest is ever stored; the token value exists in
 * the exchange response and in the caller's hands, nowhere else.
 */

export const TOKEN_PREFIX = 'mcpgw_';
const shape = /^mcpgw_[A-Za-z0-9_-]{43}$/;

export interface MintedToken {
  token: string;
  digest: string;
}

export function mintToken(): MintedToken {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, digest: digestToken(token) };
}

/** Hex sha256 of the token: the store's key. */
export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeToken(value: string): boolean {
  return value.length === 49 && shape.test(value);
}

export function newJti(): string {
  return randomUUID();
}
