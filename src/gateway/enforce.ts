import type { KeyServer, Principal } from './keyserver.js';
import { allowsBackend, allowsTool } from './scopes.js';
import { type WireErrorCode, wireStatus } from './wire.js';

/**
 * The data plane's one check (used by /v1/* and /mcp/{backend}): who is
 * calling (static API key first, then an `mcpgw_` token, per-identity use
 * limit included) and whether their scopes reach this backend and tool
 * (globs). A refusal carries the HTTP status, the wire code and, for
 * `rate_limited`, the Retry-After seconds.
 */

export interface EnforceRequest {
  authorization: string | undefined;
  clientIp?: string | undefined;
  backend?: string | undefined;
  tool?: string | undefined;
}

export type EnforceResult =
  | { ok: true; principal: Principal }
  | { ok: false; status: number; error: WireErrorCode; retryAfterSecs?: number };

export async function enforce(keyServer: KeyServer, request: EnforceRequest): Promise<EnforceResult> {
  const result = await keyServer.authorize(request.authorization, request.clientIp);
  if (!result.ok) {
    const refusal: EnforceResult = { ok: false, status: wireStatus[result.error], error: result.error };
    return result.retryAfterSecs === undefined ? refusal : { ...refusal, retryAfterSecs: result.retryAfterSecs };
  }
  const { principal } = result;
  const backendOk = request.backend === undefined || allowsBackend(principal.scopes, request.backend);
  const toolOk = request.tool === undefined || allowsTool(principal.scopes, request.tool);
  if (!backendOk || !toolOk) {
    keyServer.refusedScope(principal, backendOk ? 'tool_scope' : 'backend_scope', request.clientIp);
    return { ok: false, status: 403, error: 'access_denied' };
  }
  return { ok: true, principal };
}
