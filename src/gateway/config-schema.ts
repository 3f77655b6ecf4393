import { z } from 'zod';

/** The zod schema of gateway.yaml, as written (both spellings); config.ts normalises what it accepts. */

export const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
  'Ed25519',
] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

const nonEmpty = z.string().min(1);
const durationish = z.union([z.number().int().nonnegative(), z.string()]);

const issuerShape = {
  issuer: nonEmpty,
  audiences: z.array(nonEmpty).min(1),
  allowed_domains: z.array(nonEmpty).default([]),
  jwks_uri: nonEmpty.optional(),
  discovery_url: nonEmpty.optional(),
  auto_discover: z.boolean().default(true),
  algorithms: z.array(z.enum(ALGORITHMS)).min(1).optional(),
};
const matchShape = {
  domain: nonEmpty.optional(),
  issuer: nonEmpty.optional(),
  email: nonEmpty.optional(),
  group: nonEmpty.optional(),
  claims: z.record(z.string(), z.union([nonEmpty, z.array(nonEmpty).min(1)])).optional(),
};
const scopesShape = {
  backends: z.array(nonEmpty).optional(),
  tools: z.array(nonEmpty).optional(),
  rate_limit: z.number().int().min(0).default(0),
};
const policyShape = {
  name: nonEmpty.optional(),
  match: z.strictObject(matchShape).default({}),
  scopes: z.strictObject(scopesShape).default({ rate_limit: 0 }),
};
const keyServerShape = {
  enabled: z.boolean().default(true),
  token_ttl: durationish.optional(),
  token_ttl_secs: z.number().int().positive().optional(),
  max_tokens_per_identity: z.number().int().positive().default(5),
  on_token_cap: z.enum(['reject', 'evict_oldest']).default('reject'),
  max_oidc_token_age_secs: z.number().int().positive().default(300),
  cleanup_interval: durationish.optional(),
  cleanup_interval_secs: z.number().int().positive().optional(),
  issue_rate_limit: z.number().int().min(0).default(30),
  admin_token: nonEmpty.optional(),
  oidc: z.array(z.strictObject(issuerShape)).default([]),
  policies: z.array(z.strictObject(policyShape)).default([]),
};
const apiKeyObjectShape = {
  key: nonEmpty,
  name: nonEmpty.optional(),
  rate_limit: z.number().int().min(0).default(0),
  backends: z.array(nonEmpty).optional(),
  allowed_tools: z.array(nonEmpty).optional(),
  tools: z.array(nonEmpty).optional(),
};
const authShape = {
  enabled: z.boolean().optional(),
  bearer_token: nonEmpty.optional(),
  api_keys: z.array(z.union([nonEmpty, z.strictObject(apiKeyObjectShape)])).default([]),
  // mcp-gateway settings that have no meaning here; accepted so its files load.
  public_paths: z.array(z.string()).optional(),
  single_user: z.boolean().optional(),
  client_circuit_breaker: z.unknown().optional(),
};
const storeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory') }),
  z.strictObject({ type: z.literal('redis'), url: nonEmpty }),
]);
const devShape = { allow_http_issuers: z.boolean().default(false) };
const auditShape = { file: nonEmpty.optional() };
export const topShape = {
  listen: z.union([nonEmpty, z.number().int()]).optional(),
  server: z.looseObject({ host: nonEmpty.optional(), port: z.number().int().optional() }).optional(),
  trust_proxy: z.boolean().default(false),
  max_body_bytes: z.number().int().min(1024).default(65_536),
  auth: z.strictObject(authShape).default({ api_keys: [] }),
  key_server: z.strictObject(keyServerShape).optional(),
  backends: z.record(z.string(), z.looseObject({})).default({}),
  store: storeSchema.default({ type: 'memory' }),
  dev: z.strictObject(devShape).default({ allow_http_issuers: false }),
  audit: z.strictObject(auditShape).default({}),
};
export const schema = z.looseObject(topShape);
export type ParsedConfig = z.infer<typeof schema>;

/** Known keys at a path, for "did you mean" on a misspelt key. */
export function knownKeys(path: readonly PropertyKey[]): string[] {
  const names = path.filter((part) => typeof part === 'string');
  const last = names.at(-1);
  const shapes: Record<string, object> = {
    key_server: keyServerShape,
    oidc: issuerShape,
    policies: policyShape,
    match: matchShape,
    scopes: scopesShape,
    auth: authShape,
    api_keys: apiKeyObjectShape,
    dev: devShape,
    audit: auditShape,
  };
  if (last === undefined) return Object.keys(topShape);
  if (last === 'store') return ['type', 'url'];
  return Object.keys(shapes[last] ?? {});
}
