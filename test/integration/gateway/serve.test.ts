import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, runLlmc, tempHome } from '../../helpers/cli.js';
import { formBody, GRANT, gatewayYaml, ID_TOKEN_TYPE } from '../../helpers/gateway-harness.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/jwt-issuer.js';

/**
 * The real `llmc gateway serve` as a child process on 127.0.0.1:0, and the
 * admin commands against it, as an operator would run them.
 */

const ADMIN = 'serve-test-admin-token-0123456789';

interface Served {
  child: ChildProcess;
  url: string;
  /** stdout lines after the first (audit JSON lines). */
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

function serve(config: string, cwd: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [binPath, 'gateway', 'serve', '--config', config], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', LLMC_HOME: join(cwd, 'home'), LLMC_TEST_ADMIN: ADMIN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let first: string | undefined;
    reader.on('line', (line) => {
      if (first === undefined) {
        first = line;
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (match) resolve({ child, url: match[1] as string, lines, stderr: () => stderr, exited });
        else reject(new Error(`unexpected first line: ${line}`));
      } else {
        lines.push(line);
      }
    });
    exited.then((code) => reject(new Error(`gateway exited ${code} before listening: ${stderr}`)));
  });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('llmc gateway serve (child process)', () => {
  let idp: TestIssuer;
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: Served;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    idp = await startTestIssuer();
    ({ dir, cleanup } = await tempHome('llmc-gw-serve-'));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'gateway.yaml'), gatewayYaml({ issuers: [{ issuer: idp.issuer }] }));
    gateway = await serve('gateway.yaml', dir);
    children.push(gateway.child);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    await idp?.close();
    await cleanup?.();
  });

  const exchange = async (token: string) =>
    fetch(`${gateway.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody([
        ['grant_type', GRANT],
        ['subject_token', token],
        ['subject_token_type', ID_TOKEN_TYPE],
      ]),
    });
  const admin = (args: string[], env: Record<string, string> = { LLMC_GATEWAY_ADMIN_TOKEN: ADMIN }) =>
    runLlmc(['gateway', ...args, '--url', gateway.url], { home: join(dir, 'home'), env });

  it('announces its real port first, warns about http issuers, and writes audit lines to stdout', async () => {
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gateway.stderr()).toContain('dev.allow_http_issuers is on');
    const res = await exchange(await idp.idToken());
    expect(res.status).toBe(200);
    const { access_token: token, jti } = (await res.json()) as { access_token: string; jti: string };
    await until(() => gateway.lines.some((line) => line.includes(jti)));
    const audit = JSON.parse(gateway.lines.find((line) => line.includes(jti)) as string);
    expect(audit).toMatchObject({ event: 'token.issued', jti, identity: { sub: 'user-1' }, client_ip: '127.0.0.1' });
    expect(audit.timestamp).toMatch(/Z$/);
    expect(gateway.lines.join('\n')).not.toContain(token);
    expect(gateway.stderr()).not.toContain(token);
  });

  it('lists, revokes by jti and by subject through the admin commands', async () => {
    const a = (await (await exchange(await idp.idToken({ sub: 'ops-1' }))).json()) as { jti: string };
    await exchange(await idp.idToken({ sub: 'ops-1' }));
    const listed = await admin(['tokens', 'list', '--subject', 'ops-1', '--json']);
    expect(listed.exitCode).toBe(0);
    const list = JSON.parse(listed.stdout);
    expect(list.subject).toBe('ops-1');
    expect(list.tokens).toHaveLength(2);
    expect(listed.stdout).not.toContain('mcpgw_');
    const table = await admin(['tokens', 'list', '--subject', 'ops-1']);
    expect(table.stdout.split('\n')[0]).toMatch(/^JTI\s+ISSUED\s+EXPIRES\s+SCOPE$/);

    const revoked = await admin(['token', 'revoke', a.jti]);
    expect(revoked.exitCode).toBe(0);
    expect(revoked.stderr).toContain(`revoked token ${a.jti}`);
    const again = await admin(['token', 'revoke', a.jti]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`llmc: no live token with jti ${a.jti}`);

    const bulk = await admin(['tokens', 'revoke', '--subject', 'ops-1']);
    expect(bulk.exitCode).toBe(0);
    expect(bulk.stdout.trim()).toBe('revoked 1 token of ops-1');
    expect(JSON.parse((await admin(['tokens', 'list', '--subject', 'ops-1', '--json'])).stdout).tokens).toEqual([]);
  });

  it('maps admin failures to exit codes: 4 refused, 2 no token variable, 5 unreachable', async () => {
    const refused = await admin(['tokens', 'list', '--subject', 'x'], { LLMC_GATEWAY_ADMIN_TOKEN: 'wrong' });
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain('refused the admin token');
    const missing = await admin(['tokens', 'list', '--subject', 'x'], {});
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('LLMC_GATEWAY_ADMIN_TOKEN is not set');
    const custom = await admin(['tokens', 'list', '--subject', 'x', '--admin-token-env', 'MY_ADMIN'], {
      MY_ADMIN: ADMIN,
    });
    expect(custom.exitCode).toBe(0);
    const unreachable = await runLlmc(['gateway', 'tokens', 'list', '--subject', 'x', '--url', 'http://127.0.0.1:9'], {
      home: join(dir, 'home'),
      env: { LLMC_GATEWAY_ADMIN_TOKEN: ADMIN },
    });
    expect(unreachable.exitCode).toBe(5);
    const json = await admin(['tokens', 'list', '--subject', 'x', '--json'], {});
    expect(JSON.parse(json.stderr)).toEqual({
      error: expect.objectContaining({ code: 'ERR_GATEWAY_ADMIN' }),
    });
  });

  it('refuses a bad config with file:line:col and exit code 2', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'listen: 127.0.0.1:0\nkey_server:\n  token_ttl: soon\n');
    const result = await runLlmc(['gateway', 'serve', '--config', 'bad.yaml'], { home: join(dir, 'home'), cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'llmc: bad.yaml:3:14: key_server.token_ttl expected a duration like 1h, 30m or 90s',
    );
    expect(result.stderr).toContain('hint:');
    const missingFile = await runLlmc(['gateway', 'serve', '--config', 'nope.yaml'], {
      home: join(dir, 'home'),
      cwd: dir,
    });
    expect(missingFile.exitCode).toBe(2);
    expect(missingFile.stderr).toContain('cannot read nope.yaml: ENOENT');
  });

  it('fails at start when the admin token secret cannot be resolved', async () => {
    await writeFile(join(dir, 'noenv.yaml'), gatewayYaml({ issuers: [{ issuer: idp.issuer }] }));
    const result = await runLlmc(['gateway', 'serve', '--config', 'noenv.yaml'], {
      home: join(dir, 'home'),
      cwd: dir,
      env: { LLMC_TEST_ADMIN: '' },
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('LLMC_TEST_ADMIN is not set');
  });

  it('stops gracefully on SIGTERM: exit 0, port closed', async () => {
    const second = await serve('gateway.yaml', dir);
    children.push(second.child);
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    process.kill(second.child.pid as number, 'SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.stderr()).toContain('gateway stopped');
    await expect(fetch(`${second.url}/healthz`)).rejects.toThrow();
  });

  it('stops on SIGINT with exit code 130', async () => {
    const third = await serve('gateway.yaml', dir);
    children.push(third.child);
    process.kill(third.child.pid as number, 'SIGINT');
    expect(await third.exited).toBe(130);
    expect(third.stderr()).toContain('gateway stopped');
  });
});
