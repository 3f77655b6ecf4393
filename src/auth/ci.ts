import { readFile } from 'node:fs/promises';
import { ExitCode, isUnreachable, LlmcError } from '../errors.js';

/**
 * CI identities: the job's own OIDC id_token, no browser and no refresh token.
 * GitHub Actions hands one out on request (`permissions: id-token: write`);
 * other CIs (GitLab `id_tokens:`, CircleCI `$CIRCLE_OIDC_TOKEN_V2`, Buildkite
 * `buildkite-agent oidc request-token`) put one in a variable or a file.
 */

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
export const DEFAULT_CI_AUDIENCE = 'mcp-gateway';

/** Where a re-exchange gets its next id_token from (stored in the profile, never the token itself). */
export type CiSource =
  | { kind: 'github-actions'; audience: string }
  | { kind: 'env'; variable: string }
  | { kind: 'file'; path: string };

export async function ciIdToken(source: CiSource, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (source.kind === 'github-actions') return githubActionsIdToken(source.audience, env);
  if (source.kind === 'env') {
    const value = env[source.variable]?.trim();
    if (!value) {
      throw new LlmcError('ERR_CI_TOKEN', `the environment variable ${source.variable} holds no id_token`, {
        hint: "set it from your CI's OIDC token (GitLab: an `id_tokens` entry; CircleCI: $CIRCLE_OIDC_TOKEN_V2)",
      });
    }
    return requireJwt(value, `$${source.variable}`);
  }
  let text: string;
  try {
    text = await readFile(source.path, 'utf8');
  } catch (error) {
    throw new LlmcError('ERR_CI_TOKEN', `cannot read the id_token file ${source.path}`, {
      hint: "write the CI job's OIDC token to that file first (e.g. `buildkite-agent oidc request-token > FILE`)",
      cause: error,
    });
  }
  return requireJwt(text.trim(), source.path);
}

/**
 * GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD with the request token as a
 * bearer, as the official toolkit does; the answer is `{"value": "<jwt>"}`.
 */
export async function githubActionsIdToken(audience: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken) {
    throw new LlmcError(
      'ERR_CI_TOKEN',
      'this job cannot request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set)',
      {
        // Worded so that the redactor (which masks `token: x` and `token xxxxxx`) leaves it readable.
        hint: 'let the job request OIDC tokens (under `permissions:`, set `id-token` to `write`); outside GitHub Actions use --provider ci',
      },
    );
  }
  const url = new URL(requestUrl);
  url.searchParams.set('audience', audience);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${requestToken}`, accept: 'application/json; api-version=2.0' },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new LlmcError('ERR_CI_TOKEN', `could not reach the OIDC endpoint of GitHub Actions at ${url.origin}`, {
      hint: "retry the job; the runner's OIDC endpoint may be briefly unavailable",
      exitCode: isUnreachable(error) ? ExitCode.unreachable : ExitCode.error,
      cause: error,
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new LlmcError('ERR_CI_TOKEN', `the OIDC endpoint of GitHub Actions answered HTTP ${response.status}`, {
      hint: 'check that the job may request OIDC tokens (`id-token` set to `write`); the request token is only valid while the job runs',
    });
  }
  const body = (await response.json().catch(() => undefined)) as { value?: unknown } | undefined;
  if (typeof body?.value !== 'string') {
    throw new LlmcError('ERR_CI_TOKEN', 'the OIDC endpoint of GitHub Actions sent no id_token', {
      hint: 'retry the job',
    });
  }
  return requireJwt(body.value, 'the OIDC endpoint of GitHub Actions');
}

function requireJwt(value: string, from: string): string {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value)) {
    throw new LlmcError('ERR_CI_TOKEN', `${from} does not hold a JWT id_token`, {
      hint: 'pass the raw token (three base64url parts separated by dots), not a JSON wrapper',
    });
  }
  return value;
}

export interface IdTokenClaims {
  iss: string;
  sub: string;
  email?: string | undefined;
  iat?: number | undefined;
  exp?: number | undefined;
  [claim: string]: unknown;
}

/**
 * The claims of an id_token, unverified: only to label the profile (who, which
 * issuer, when it expires). The gateway is what verifies the token.
 */
export function readClaims(jwt: string): IdTokenClaims {
  const payload = jwt.split('.')[1] ?? '';
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new LlmcError('ERR_CI_TOKEN', 'the id_token payload is not JSON', { hint: 'pass the raw id_token' });
  }
  if (typeof claims.iss !== 'string' || typeof claims.sub !== 'string') {
    throw new LlmcError('ERR_CI_TOKEN', 'the id_token has no iss or sub claim', { hint: 'pass an OIDC id_token' });
  }
  return claims as IdTokenClaims;
}
