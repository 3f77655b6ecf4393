import { globCovers, matchesAny } from './glob.js';

/**
 * Token scopes: which backends and tools a token may reach, and its
 * per-identity rate limit (requests per minute, 0 = unlimited). On the wire
 * they are one string, `backends:a,b tools:x,y` (mcp-gateway's format).
 */
export interface Scopes {
  backends: string[];
  tools: string[];
  rate_limit: number;
}

/** What a client asked for in `scope=`; an absent category asks for everything the policy allows. */
export interface RequestedScopes {
  backends?: string[];
  tools?: string[];
}

/** `backends:a,b tools:x,y` → lists; unknown parts are ignored (as mcp-gateway does), empty lists count as absent. */
export function parseScope(scope: string | undefined): RequestedScopes {
  const requested: RequestedScopes = {};
  if (!scope) return requested;
  for (const part of scope.split(/\s+/)) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    const kind = part.slice(0, colon);
    if (kind !== 'backends' && kind !== 'tools') continue;
    const names = part
      .slice(colon + 1)
      .split(',')
      .filter((name) => name !== '');
    if (names.length === 0) continue;
    requested[kind] = [...new Set([...(requested[kind] ?? []), ...names])];
  }
  return requested;
}

export function formatScope(scopes: Pick<Scopes, 'backends' | 'tools'>): string {
  const parts: string[] = [];
  if (scopes.backends.length > 0) parts.push(`backends:${scopes.backends.join(',')}`);
  if (scopes.tools.length > 0) parts.push(`tools:${scopes.tools.join(',')}`);
  return parts.join(' ');
}

export type NarrowResult = { ok: true; scopes: Scopes } | { ok: false; widening: string[] };

/**
 * The policy's scopes narrowed to what was requested. Every requested name
 * or pattern must lie inside the policy's grant; one that does not is a
 * request to widen, and the whole request is refused rather than trimmed.
 */
export function narrowScopes(policy: Scopes, requested: RequestedScopes): NarrowResult {
  const widening: string[] = [];
  const narrow = (allowed: string[], asked: string[] | undefined, kind: string): string[] => {
    if (asked === undefined) return [...allowed];
    for (const name of asked) {
      if (!allowed.some((pattern) => globCovers(pattern, name))) widening.push(`${kind}:${name}`);
    }
    return asked;
  };
  const backends = narrow(policy.backends, requested.backends, 'backends');
  const tools = narrow(policy.tools, requested.tools, 'tools');
  if (widening.length > 0) return { ok: false, widening };
  return { ok: true, scopes: { backends, tools, rate_limit: policy.rate_limit } };
}

export function allowsBackend(scopes: Pick<Scopes, 'backends'>, backend: string): boolean {
  return matchesAny(scopes.backends, backend);
}

export function allowsTool(scopes: Pick<Scopes, 'tools'>, tool: string): boolean {
  return matchesAny(scopes.tools, tool);
}
