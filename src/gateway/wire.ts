/**
 * The key server's wire (ARCHITECTURE §6, mcp-gateway RFC-0043): grant and
 * token types, error codes, and one fixed message per code — a refusal never
 * says which check failed.
 */

export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TOKEN_TYPE_ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
/** GitHub Actions and other CI tokens are JWTs; accepted as subject tokens too. */
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';

export type WireErrorCode =
  | 'invalid_request'
  | 'unsupported_grant_type'
  | 'invalid_token'
  | 'access_denied'
  | 'too_many_tokens'
  | 'rate_limited'
  | 'temporarily_unavailable'
  | 'server_error'
  | 'not_found'
  | 'method_not_allowed'
  | 'token_not_found'
  | 'unauthorized'
  | 'admin_not_configured';

export const wireStatus: Record<WireErrorCode, number> = {
  invalid_request: 400,
  unsupported_grant_type: 400,
  invalid_token: 401,
  access_denied: 403,
  too_many_tokens: 429,
  rate_limited: 429,
  temporarily_unavailable: 503,
  server_error: 500,
  not_found: 404,
  method_not_allowed: 405,
  token_not_found: 404,
  unauthorized: 401,
  admin_not_configured: 503,
};

export const wireMessage: Record<WireErrorCode, string> = {
  invalid_request: 'The request is malformed: a parameter is missing, repeated or not understood.',
  unsupported_grant_type: `Only grant_type=${GRANT_TOKEN_EXCHANGE} is supported.`,
  invalid_token: 'The token could not be verified.',
  access_denied: 'No access policy grants this request.',
  too_many_tokens: 'This identity already holds the maximum number of active tokens; revoke one or let one expire.',
  rate_limited: 'Too many requests; try again after the delay in Retry-After.',
  temporarily_unavailable: "The identity provider's signing keys are unavailable; try again shortly.",
  server_error: 'The gateway failed to handle the request.',
  not_found: 'No such route.',
  method_not_allowed: 'This route does not take that method.',
  token_not_found: 'Token not found, revoked or expired.',
  unauthorized: 'Invalid admin token.',
  admin_not_configured: 'No admin token is configured; admin endpoints are disabled.',
};

export interface WireError {
  error: WireErrorCode;
  message: string;
}

export function wireError(code: WireErrorCode): WireError {
  return { error: code, message: wireMessage[code] };
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  jti: string;
}
