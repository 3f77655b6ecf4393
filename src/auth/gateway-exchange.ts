import { isUnreachable, LlmcError } from '../errors.js';
import { assertSecureUrl } from './providers.js';

/**
 * The client half of the key server's wire (ARCHITECTURE §6, mcp-gateway
 * RFC-0043): an RFC 8693 token exchange of an OIDC id_token for an opaque
 * `mcpgw_` token, form-encoded as mcp-gateway's own client sends it.
 */

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

/** token.json → profiles.<name>.gateway (absolute expiry, never `expires_in`). */
export interface GatewayTokenRecord {
  url: string;
  access_token: string;
  token_type: string;
  expires_at: string;
  scope: string;
  jti?: string | undefined;
}

export interface ExchangeOptions {
  gateway: string;
  idToken: string;
  scope?: string | undefined;
  now?: () => number;
}

/** The gateway's base URL, normalised (https, or http on loopback only). */
export function gatewayBaseUrl(value: string): string {
  const url = assertSecureUrl(value, 'gateway');
  return url.href.replace(/\/+$/, '');
}

export async function exchangeIdToken(options: ExchangeOptions): Promise<GatewayTokenRecord> {
  const base = gatewayBaseUrl(options.gateway);
  const form = new URLSearchParams({
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: options.idToken,
    subject_token_type: ID_TOKEN_TYPE,
  });
  if (options.scope) form.set('scope', options.scope);
  let response: Response;
  try {
    response = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      redirect: 'error',
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    throw new LlmcError('ERR_GATEWAY_UNREACHABLE', `could not reach the gateway at ${new URL(base).origin}`, {
      hint: isUnreachable(error)
        ? 'check the --gateway URL and that the gateway is running'
        : 'retry; check the network',
      cause: error,
    });
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok) throw gatewayError(response, body);
  const now = (options.now ?? Date.now)();
  if (
    typeof body?.access_token !== 'string' ||
    typeof body.expires_in !== 'number' ||
    !Number.isFinite(body.expires_in) ||
    body.expires_in <= 0
  ) {
    throw new LlmcError(
      'ERR_GATEWAY_REJECTED',
      `the gateway at ${new URL(base).origin} sent an unusable answer to the exchange`,
      {
        hint: 'is --gateway pointing at an llmc or mcp-gateway key server?',
      },
    );
  }
  return {
    url: base,
    access_token: body.access_token,
    token_type: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    expires_at: new Date(now + body.expires_in * 1000).toISOString(),
    scope: typeof body.scope === 'string' ? body.scope : '',
    jti: typeof body.jti === 'string' ? body.jti : undefined,
  };
}

/** Map the wire's error codes (never which check failed — the gateway does not say) to ours. */
function gatewayError(response: Response, body: Record<string, unknown> | undefined): LlmcError {
  const code = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
  const said = typeof body?.message === 'string' ? `: ${body.message}` : '';
  const origin = new URL(response.url).origin;
  switch (code) {
    case 'invalid_token':
      return new LlmcError(
        'ERR_LOGIN_REQUIRED',
        `the gateway at ${origin} did not accept your id_token (invalid_token)`,
        {
          hint: 'run `llmc auth login --gateway URL` again; if it persists, the gateway may not trust this issuer or audience — ask its admin',
        },
      );
    case 'access_denied':
      return new LlmcError(
        'ERR_GATEWAY_DENIED',
        `the gateway at ${origin} has no policy that admits you (access_denied)`,
        {
          hint: 'ask the gateway admin to add a policy for your domain, group or repository',
        },
      );
    case 'too_many_tokens':
      return new LlmcError(
        'ERR_GATEWAY_REJECTED',
        `the gateway at ${origin} holds the most tokens it allows for you (too_many_tokens)`,
        {
          hint: "wait for one to expire, or revoke one (`llmc auth logout --gateway` revokes this profile's)",
        },
      );
    case 'rate_limited': {
      const retry = response.headers.get('retry-after');
      return new LlmcError('ERR_GATEWAY_REJECTED', `the gateway at ${origin} is rate-limiting you (rate_limited)`, {
        hint: retry ? `retry in ${retry} s` : 'retry in a minute',
      });
    }
    case 'temporarily_unavailable':
      return new LlmcError(
        'ERR_GATEWAY_UNREACHABLE',
        `the gateway at ${origin} cannot verify tokens right now (temporarily_unavailable)`,
        {
          hint: 'retry shortly; the gateway cannot reach your identity provider',
        },
      );
    default:
      return new LlmcError('ERR_GATEWAY_REJECTED', `the gateway at ${origin} refused the exchange (${code})${said}`, {
        hint: 'check that --gateway points at a key server (POST /auth/token)',
      });
  }
}

/**
 * RFC 7009 at the gateway (`POST {url}/auth/revoke`, form `token=…`): the
 * token revokes itself, no credentials needed. Best effort: returns why it
 * did not work instead of throwing, so a logout always completes.
 */
export async function revokeGatewayToken(
  record: GatewayTokenRecord,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  let base: string;
  try {
    base = gatewayBaseUrl(record.url);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  try {
    const response = await fetch(`${base}/auth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: record.access_token }),
      redirect: 'error',
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    return response.ok ? { ok: true } : { ok: false, reason: `the gateway answered HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, reason: `could not reach ${new URL(base).origin}${cause ? ` (${cause})` : ''}` };
  }
}
