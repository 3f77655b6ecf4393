import { z } from 'zod';

/**
 * config.json (ARCHITECTURE §3). One zod schema is the single source: it types
 * the config, gives `config set` its precise errors, and is handed to `conf`
 * as JSON Schema so every read and write through conf is validated too.
 * Unknown keys are refused at every level, so a typo never silently "works".
 */

const url = z.string().refine((value) => URL.canParse(value), { message: 'must be an absolute URL' });
/** A secret reference (`env:`, `file:`, `keychain:`, `exec:`) or a literal. */
const secretRef = z.string().min(1);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a name of letters, digits, "_" or "-"');

export const providerTypes = ['openai', 'anthropic', 'openai-compatible', 'lmstudio', 'ollama', 'gateway'] as const;

export const ProviderSchema = z.strictObject({
  type: z.enum(providerTypes).optional(),
  base_url: url.optional(),
  api_key: secretRef.optional(),
  profile: z.string().optional(),
  headers: z.record(z.string(), secretRef).optional(),
  models: z.array(z.string()).optional(),
  timeout_ms: z.number().int().positive().optional(),
});

export const McpAuthSchema = z.strictObject({
  type: z.enum(['none', 'apiKey', 'basicAuth', 'mtls', 'oauth2']),
  flow: z.enum(['clientCredentials', 'authorizationCode']).optional(),
  api_key: secretRef.optional(),
  header: z.string().optional(),
  username: z.string().optional(),
  password: secretRef.optional(),
  client_id: z.string().optional(),
  client_secret: secretRef.optional(),
  token_url: url.optional(),
  scopes: z.array(z.string()).optional(),
  cert: secretRef.optional(),
  key: secretRef.optional(),
  ca: secretRef.optional(),
});

export const McpServerSchema = z.strictObject({
  url: url.optional(),
  command: z.array(z.string()).min(1).optional(),
  env: z.record(z.string(), secretRef).optional(),
  headers: z.record(z.string(), secretRef).optional(),
  auth: McpAuthSchema.optional(),
  tools: z.array(z.string()).optional(),
});

export const OidcProviderSchema = z.strictObject({
  issuer: url,
  client_id: z.string().min(1),
  client_secret: secretRef.optional(),
  enable_discovery: z.boolean().optional(),
  well_known_url: url.nullable().optional(),
  authorization_endpoint: url.optional(),
  token_endpoint: url.optional(),
  device_authorization_endpoint: url.optional(),
  userinfo_endpoint: url.optional(),
  revocation_endpoint: url.optional(),
  jwks_uri: url.optional(),
  scopes: z.array(z.string()).optional(),
  audience: z.string().optional(),
});

export const ConfigSchema = z.strictObject({
  providers: z.record(name, ProviderSchema).optional(),
  models: z
    .strictObject({
      default: z.string().optional(),
      aliases: z.record(name, z.string()).optional(),
    })
    .optional(),
  mcp_servers: z.record(name, McpServerSchema).optional(),
  oidc_providers: z.record(name, OidcProviderSchema).optional(),
  daemon: z
    .strictObject({
      port: z.number().int().min(1).max(65535).optional(),
      max_body_bytes: z.number().int().positive().optional(),
      log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).optional(),
    })
    .optional(),
  defaults: z
    .strictObject({
      profile: z.string().optional(),
      gateway: url.optional(),
    })
    .optional(),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ProviderConfig = z.infer<typeof ProviderSchema>;
export type McpServerConfig = z.infer<typeof McpServerSchema>;
export type OidcProviderConfig = z.infer<typeof OidcProviderSchema>;

/** The JSON Schema form conf validates with (draft-07, as conf's ajv expects). */
export function configJsonSchema(): { properties: Record<string, unknown>; additionalProperties?: unknown } {
  const schema = z.toJSONSchema(ConfigSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  return schema as { properties: Record<string, unknown> };
}
