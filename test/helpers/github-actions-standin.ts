import { randomBytes, randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { startTestIssuer, type TestIssuer } from './jwt-issuer.js';

/**
 * A stand-in for GitHub Actions' OIDC token service on 127.0.0.1:0.
 *
 * It is an issuer (discovery + JWKS, RS256 keys made with jose) and the
 * runner's token endpoint: `GET ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD`
 * with `Authorization: Bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN` answers
 * `{"value":"<JWT>"}` carrying GitHub's claim set — iss, sub, aud (the
 * requested audience, else `https://github.com/OWNER` as GitHub does),
 * repository, repository_owner, repository_id, repository_owner_id, ref,
 * ref_type, sha, workflow, workflow_ref, job_workflow_ref, environment (when
 * set), event_name, run_id, run_number, run_attempt, actor, actor_id,
 * runner_environment, iat, nbf, exp, jti. Like GitHub, numeric ids are
 * strings, and `sub` is `repo:OWNER/REPO:environment:ENV` when the job has an
 * environment, else `repo:OWNER/REPO:ref:REF`. A wrong or missing request
 * token gets 401. Only `iss` differs from the real service (it is this
 * server's URL, so its discovery works).
 *
 * Used by the gateway's tests (policies on `repository_owner`) and by the
 * CLI's `--provider github-actions` tests (through `env`).
 */

export interface GithubActionsRun {
  owner: string;
  repo: string;
  ref: string;
  environment?: string | undefined;
  eventName: string;
  actor: string;
  workflow: string;
  /** Token lifetime (GitHub's are short). */
  ttlSecs: number;
  /** Extra or replacement claims. */
  claims?: Record<string, unknown>;
}

export interface GithubActionsStandin {
  /** The issuer URL to configure in a gateway (`key_server.oidc[].issuer`). */
  issuer: string;
  /** As GitHub sets it: already carries a query string; clients append `&audience=…`. */
  requestUrl: string;
  requestToken: string;
  /** What a job's environment holds: ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, GITHUB_ACTIONS, GITHUB_REPOSITORY… */
  env(): Record<string, string>;
  /** Change the simulated run (owner/repo/ref/environment…) for the next tokens. */
  configure(run: Partial<GithubActionsRun>): void;
  /** The claims a token for `audience` would carry now. */
  claims(audience?: string): JWTPayload;
  /** A token straight from the issuer, without the HTTP round trip. */
  mint(audience?: string, overrides?: Record<string, unknown>): Promise<string>;
  /** Token endpoint requests seen. */
  requests: Array<{ audience: string | undefined; authorized: boolean }>;
  issuerHandle: TestIssuer;
  close(): Promise<void>;
}

const defaults: GithubActionsRun = {
  owner: 'octo-org',
  repo: 'octo-repo',
  ref: 'refs/heads/main',
  eventName: 'push',
  actor: 'octocat',
  workflow: 'CI',
  ttlSecs: 300,
};

export async function startGithubActionsStandin(
  run: Partial<GithubActionsRun> = {},
  options: { now?: () => number } = {},
): Promise<GithubActionsStandin> {
  const now = options.now ?? Date.now;
  let current: GithubActionsRun = { ...defaults, ...run };
  const requestToken = randomBytes(24).toString('base64url');
  const requests: GithubActionsStandin['requests'] = [];
  const runId = String(1_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
  const sha = randomBytes(20).toString('hex');
  let handle: TestIssuer | undefined;

  const claims = (audience?: string): JWTPayload => {
    const issuer = (handle as TestIssuer).issuer;
    const { owner, repo, ref, environment } = current;
    const repository = `${owner}/${repo}`;
    const iat = Math.floor(now() / 1000);
    const refType = ref.startsWith('refs/tags/') ? 'tag' : 'branch';
    const workflowPath = `${repository}/.github/workflows/ci.yml@${ref}`;
    const base: Record<string, unknown> = {
      jti: randomUUID(),
      sub: environment ? `repo:${repository}:environment:${environment}` : `repo:${repository}:ref:${ref}`,
      aud: audience ?? `https://github.com/${owner}`,
      ref,
      sha,
      repository,
      repository_owner: owner,
      repository_owner_id: String(stableId(owner)),
      repository_id: String(stableId(repository)),
      repository_visibility: 'private',
      run_id: runId,
      run_number: '42',
      run_attempt: '1',
      runner_environment: 'github-hosted',
      actor: current.actor,
      actor_id: String(stableId(current.actor)),
      workflow: current.workflow,
      workflow_ref: workflowPath,
      workflow_sha: sha,
      job_workflow_ref: workflowPath,
      job_workflow_sha: sha,
      head_ref: '',
      base_ref: '',
      event_name: current.eventName,
      ref_type: refType,
      ref_protected: 'false',
      ...(environment ? { environment } : {}),
      iss: issuer,
      nbf: iat - 5,
      iat,
      exp: iat + current.ttlSecs,
      ...current.claims,
    };
    return base as JWTPayload;
  };

  handle = await startTestIssuer({
    now,
    route: async (req, res, url) => {
      if (url.pathname !== '/_apis/idtoken') return false;
      const audience = url.searchParams.get('audience') ?? undefined;
      const authorized = req.headers.authorization === `Bearer ${requestToken}`;
      requests.push({ audience, authorized });
      if (req.method !== 'GET') {
        res.writeHead(405, { 'content-type': 'application/json' }).end('{"message":"method not allowed"}');
      } else if (!authorized) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Unauthorized"}');
      } else {
        const value = await (handle as TestIssuer).sign(claims(audience));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value }));
      }
      return true;
    },
  });
  const issuer = handle.issuer;
  const requestUrl = `${issuer}/_apis/idtoken?api-version=2.0`;

  return {
    issuer,
    requestUrl,
    requestToken,
    env: () => ({
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
      GITHUB_REPOSITORY: `${current.owner}/${current.repo}`,
      GITHUB_REPOSITORY_OWNER: current.owner,
      GITHUB_REF: current.ref,
      GITHUB_SHA: sha,
      GITHUB_RUN_ID: runId,
      GITHUB_ACTOR: current.actor,
      GITHUB_WORKFLOW: current.workflow,
      GITHUB_EVENT_NAME: current.eventName,
    }),
    configure(next) {
      current = { ...current, ...next };
    },
    claims,
    async mint(audience, overrides = {}) {
      return (handle as TestIssuer).sign({ ...claims(audience), ...overrides } as JWTPayload);
    },
    requests,
    issuerHandle: handle,
    close: () => (handle as TestIssuer).close(),
  };
}

/** GitHub's ids are numbers rendered as strings; stable per name here. */
function stableId(name: string): number {
  let hash = 7;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) % 900_000_000;
  return 100_000_000 + hash;
}
