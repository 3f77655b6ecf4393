import * as client from 'openid-client';
import { isUnreachable, LlmcError } from '../errors.js';
import type { ProviderProfile } from './providers.js';
import { type VerifyFailure, verifyError } from './verify.js';

/** openid-client / oauth4webapi / network failures → one LlmcError each, never a stack of library text. */
export function mapOidcError(error: unknown, oidc: { provider: ProviderProfile }, during: string): LlmcError {
  if (error instanceof LlmcError) return error;
  const host = new URL(oidc.provider.issuer).host;
  if (isUnreachable(error) || (error as Error)?.name === 'TimeoutError') {
    return new LlmcError('ERR_IDP_UNREACHABLE', `could not reach the IdP at ${host} while ${during}`, {
      hint: 'check the network (and proxy settings), then try again',
      cause: error,
    });
  }
  if (error instanceof client.ResponseBodyError || error instanceof client.AuthorizationResponseError) {
    const code = error.error;
    const description = error.error_description ? `: ${error.error_description}` : '';
    if (code === 'invalid_grant' && during === 'refreshing the token') {
      return new LlmcError(
        'ERR_LOGIN_REQUIRED',
        `the IdP no longer accepts the refresh token (invalid_grant${description})`,
        {
          hint: 'run llmc auth login',
          cause: error,
        },
      );
    }
    if (code === 'access_denied') {
      return new LlmcError('ERR_LOGIN_DENIED', `the login was denied${description}`, {
        hint: 'approve the request, or ask your IdP admin',
        cause: error,
      });
    }
    if (code === 'expired_token') {
      return new LlmcError('ERR_LOGIN_TIMEOUT', 'the device code expired before the login was approved', {
        hint: 'run llmc auth login --device again and approve it sooner',
        cause: error,
      });
    }
    return new LlmcError('ERR_OIDC_PROTOCOL', `the IdP refused ${during}: ${code}${description}`, {
      hint: 'check the provider settings (client id, scopes, redirect URI http://127.0.0.1/callback)',
      cause: error,
    });
  }
  const reason = jwtFailureReason(error);
  if (reason) return verifyError(reason, undefined, error);
  return new LlmcError(
    'ERR_OIDC_PROTOCOL',
    `unexpected answer from the IdP while ${during}: ${(error as Error)?.message ?? String(error)}`,
    {
      hint: 'run again with -v for details',
      cause: error,
    },
  );
}

/** openid-client's own id_token checks (they run before ours) → our failure reasons. */
function jwtFailureReason(error: unknown): VerifyFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const message = (current as Error).message ?? '';
    const claim = ((current as { cause?: { claim?: unknown } }).cause as { claim?: unknown } | undefined)?.claim;
    if (typeof claim === 'string' && ['iss', 'aud', 'azp', 'exp', 'iat', 'nonce', 'sub'].includes(claim)) {
      return claim as VerifyFailure;
    }
    if (/"alg"|JWS algorithm/.test(message)) return 'alg';
    const named = /"(iss|aud|azp|exp|iat|nonce)"/.exec(message)?.[1];
    if (named) return named as VerifyFailure;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
