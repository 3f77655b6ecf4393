import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OidcProviderConfig } from '../config/schema.js';
import { LlmcError } from '../errors.js';
import type { ProfileRecord } from './token-cache.js';

/**
 * Identity providers as data. A preset supplies what is the same for every
 * user of that IdP (issuer shape, scopes, extra authorization parameters); the
 * user supplies their own OAuth client id by flag, environment or a named
 * entry in config.json `oidc_providers` (which may also define a provider
 * that is not a preset at all).
 */

export interface ProviderEndpoints {
  authorization_endpoint?: string | undefined;
  token_endpoint?: string | undefined;
  device_authorization_endpoint?: string | undefined;
  userinfo_endpoint?: string | undefined;
  revocation_endpoint?: string | undefined;
  jwks_uri?: string | undefined;
}

export interface ProviderProfile {
  /** What token.json records as `provider`: a preset, a config entry, or `custom`. */
  name: string;
  issuer: string;
  client_id: string;
  /** A secret reference such as `env:VAR`; never the secret itself. */
  client_secret_ref?: string | undefined;
  enable_discovery: boolean;
  well_known_url?: string | undefined;
  endpoints: ProviderEndpoints;
  scopes: string[];
  /** Extra authorization request parameters (Google's access_type=offline). */
  authorization_params: Record<string, string>;
  audience?: string | undefined;
  /**
   * Accept a discovery document whose `issuer` differs from the URL it came
   * from, on the same https host (Microsoft answers a tenant domain with its
   * tenant-id issuer). The document's issuer is then the one enforced.
   */
  issuer_from_document?: boolean | undefined;
}

export const presetNames = ['google', 'microsoft', 'okta', 'keycloak', 'dev'] as const;
export type PresetName = (typeof presetNames)[number];

const OIDC = ['openid', 'email', 'profile'];

interface Preset {
  issuer?: (input: PresetInput) => string;
  client_id?: string;
  scopes: string[];
  authorization_params?: Record<string, string>;
  /** Where to find your client id, for the error when it is missing. */
  client_hint: string;
}

interface PresetInput {
  tenant?: string | undefined;
  home: string;
  env: NodeJS.ProcessEnv;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const presets: Record<PresetName, Preset> = {
  google: {
    issuer: () => 'https://accounts.google.com',
    // Google has no offline_access scope; a refresh token comes from access_type=offline + prompt=consent.
    scopes: OIDC,
    authorization_params: { access_type: 'offline', prompt: 'consent' },
    client_hint:
      'create a "Desktop app" OAuth client in Google Cloud Console (APIs & Services → Credentials), then pass --client-id (and --client-secret-env) or set LLMC_GOOGLE_CLIENT_ID; see README "Log in"',
  },
  microsoft: {
    issuer: ({ tenant }) => `https://login.microsoftonline.com/${encodeURIComponent(tenant ?? 'organizations')}/v2.0`,
    scopes: [...OIDC, 'offline_access'],
    client_hint:
      'register a "Mobile and desktop" app in Microsoft Entra ID with redirect URI http://127.0.0.1, then pass --client-id and --tenant, or set LLMC_MICROSOFT_CLIENT_ID',
  },
  okta: {
    scopes: [...OIDC, 'offline_access'],
    client_hint: 'create a Native OIDC app in Okta (PKCE, refresh token grant) and pass --issuer and --client-id',
  },
  keycloak: {
    scopes: [...OIDC, 'offline_access'],
    client_hint:
      'create a public OpenID Connect client in your realm and pass --issuer https://HOST/realms/REALM and --client-id',
  },
  dev: {
    issuer: ({ home, env }) => devIssuer(home, env),
    client_id: 'llmc-cli',
    scopes: [...OIDC, 'offline_access', 'groups'],
    // oidc-provider grants offline_access (a refresh token) only with prompt=consent.
    authorization_params: { prompt: 'consent' },
    client_hint: 'the dev IdP always uses the client id llmc-cli',
  },
};

export const DEV_IDP_RECORD = 'dev-idp.json';

/** The dev IdP: `LLMC_DEV_ISSUER`, else the record a running `llmc dev idp` left in the home directory. */
export function devIssuer(home: string, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.LLMC_DEV_ISSUER?.trim();
  if (fromEnv) return fromEnv;
  try {
    const record = JSON.parse(readFileSync(join(home, DEV_IDP_RECORD), 'utf8')) as { issuer?: unknown; pid?: unknown };
    if (typeof record.issuer === 'string' && typeof record.pid === 'number' && processAlive(record.pid)) {
      return record.issuer;
    }
  } catch {
    // No record: fall through to the error below.
  }
  throw new LlmcError('ERR_PROVIDER_UNKNOWN', 'no dev IdP is running', {
    hint: 'start one with `llmc dev idp` (in another terminal), or set LLMC_DEV_ISSUER to its issuer URL',
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isPreset(name: string): name is PresetName {
  return (presetNames as readonly string[]).includes(name);
}

/**
 * Issuers must be https; plain http only on loopback (the dev IdP). Anything
 * else is refused before a single request is made.
 */
export function assertSecureUrl(value: string, what = 'issuer'): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LlmcError('ERR_INVALID_ARGUMENT', `the ${what} "${value}" is not a URL`, {
      hint: 'pass an absolute https:// URL',
    });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new LlmcError('ERR_INSECURE_ISSUER', `refusing the plain-http ${what} ${url.origin}`, {
    hint: 'use https; plain http is accepted only on loopback (http://127.0.0.1:PORT, http://localhost:PORT)',
  });
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

export interface ProviderFlags {
  provider?: string | undefined;
  issuer?: string | undefined;
  clientId?: string | undefined;
  clientSecretEnv?: string | undefined;
  tenant?: string | undefined;
  scope?: string | undefined;
  audience?: string | undefined;
}

export interface ResolveContext {
  home: string;
  env: NodeJS.ProcessEnv;
  oidcProviders?: Record<string, OidcProviderConfig> | undefined;
}

function envClientId(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const value = env[`LLMC_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CLIENT_ID`]?.trim();
  return value ? value : undefined;
}

function fromConfigEntry(name: string, entry: OidcProviderConfig): Partial<ProviderProfile> {
  return {
    issuer: entry.issuer,
    client_id: entry.client_id,
    client_secret_ref: entry.client_secret,
    enable_discovery: entry.enable_discovery ?? true,
    well_known_url: entry.well_known_url ?? undefined,
    endpoints: {
      authorization_endpoint: entry.authorization_endpoint,
      token_endpoint: entry.token_endpoint,
      device_authorization_endpoint: entry.device_authorization_endpoint,
      userinfo_endpoint: entry.userinfo_endpoint,
      revocation_endpoint: entry.revocation_endpoint,
      jwks_uri: entry.jwks_uri,
    },
    ...(entry.scopes ? { scopes: entry.scopes } : {}),
    audience: entry.audience,
    name,
  };
}

/** The provider `llmc auth login` talks to, from flags, presets and config.json. */
export function resolveProvider(flags: ProviderFlags, context: ResolveContext): ProviderProfile {
  const name = flags.provider ?? (flags.issuer ? 'custom' : undefined);
  if (!name) {
    throw new LlmcError('ERR_USAGE', 'which identity provider?', {
      hint: `pass --provider (${[...presetNames, ...Object.keys(context.oidcProviders ?? {})].join(', ')}) or --issuer URL --client-id ID`,
    });
  }
  const entry = context.oidcProviders?.[name];
  const preset = isPreset(name) ? presets[name] : undefined;
  if (!preset && !entry && name !== 'custom') {
    const known = [...presetNames, ...Object.keys(context.oidcProviders ?? {})];
    throw new LlmcError('ERR_PROVIDER_UNKNOWN', `unknown provider "${name}"`, {
      hint: `use one of ${known.join(', ')}, add it to config.json oidc_providers, or pass --issuer and --client-id`,
    });
  }
  const base: Partial<ProviderProfile> = entry ? fromConfigEntry(name, entry) : { name };
  const issuer =
    flags.issuer ?? base.issuer ?? preset?.issuer?.({ tenant: flags.tenant, home: context.home, env: context.env });
  if (!issuer) {
    throw new LlmcError('ERR_USAGE', `the ${name} provider needs --issuer`, {
      hint: preset?.client_hint ?? 'pass --issuer URL --client-id ID',
    });
  }
  const clientId = flags.clientId ?? base.client_id ?? envClientId(name, context.env) ?? preset?.client_id;
  if (!clientId) {
    throw new LlmcError('ERR_USAGE', `the ${name} provider needs your OAuth client id`, {
      hint: preset?.client_hint ?? 'pass --client-id ID (or add the provider to config.json oidc_providers)',
    });
  }
  assertSecureUrl(issuer);
  const tenant = flags.tenant ?? 'organizations';
  return {
    name,
    issuer: issuer.replace(/\/+$/, ''),
    client_id: clientId,
    client_secret_ref: flags.clientSecretEnv ? `env:${flags.clientSecretEnv}` : base.client_secret_ref,
    enable_discovery: base.enable_discovery ?? true,
    well_known_url: base.well_known_url,
    endpoints: base.endpoints ?? {},
    scopes: flags.scope ? flags.scope.split(/[\s,]+/).filter(Boolean) : (base.scopes ?? preset?.scopes ?? [...OIDC]),
    authorization_params: { ...preset?.authorization_params },
    audience: flags.audience ?? base.audience,
    issuer_from_document: name === 'microsoft' && !flags.issuer && !GUID.test(tenant),
  };
}

/**
 * The provider behind a stored profile, for refresh and revoke: the config
 * entry or preset it was made from, pinned to the issuer and client id that
 * were actually used at login.
 */
export function providerForProfile(profile: ProfileRecord, context: ResolveContext): ProviderProfile {
  const entry = context.oidcProviders?.[profile.provider];
  const preset = isPreset(profile.provider) ? presets[profile.provider] : undefined;
  const base: Partial<ProviderProfile> = entry ? fromConfigEntry(profile.provider, entry) : {};
  assertSecureUrl(profile.issuer);
  return {
    name: profile.provider,
    issuer: profile.issuer,
    client_id: profile.client_id,
    client_secret_ref: profile.client_secret_ref ?? base.client_secret_ref,
    enable_discovery: base.enable_discovery ?? true,
    well_known_url: base.well_known_url,
    endpoints: base.endpoints ?? {},
    scopes: profile.scope ? profile.scope.split(' ') : (base.scopes ?? preset?.scopes ?? [...OIDC]),
    authorization_params: { ...preset?.authorization_params },
    audience: base.audience,
  };
}
