import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formBrowserCommand, type LiveCli, spawnLlmc, waitFor } from '../../helpers/auth.js';
import { runLlmc, tempHome } from '../../helpers/cli.js';

const children: LiveCli[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const child of children) child.kill();
  for (const cleanup of cleanups) await cleanup();
});

describe('llmc dev idp', () => {
  it('runs the dev IdP; auth login --provider dev finds it through the home record; stopping removes the record', async () => {
    const made = await tempHome('llmc-devidp-');
    cleanups.push(made.cleanup);
    const server = spawnLlmc(['dev', 'idp', '--access-token-ttl', '120'], {
      home: made.home,
      env: { LLMC_DEV_ISSUER: undefined },
    });
    children.push(server);
    const issuer = await waitFor(() => /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(server.stdout())?.[1]);
    const record = JSON.parse(await readFile(join(made.home, 'dev-idp.json'), 'utf8'));
    expect(record).toMatchObject({ issuer, pid: server.pid });

    const login = await runLlmc(['auth', 'login', '--provider', 'dev'], {
      home: made.home,
      env: { BROWSER: formBrowserCommand, LLMC_DEV_ISSUER: undefined },
    });
    expect(login.exitCode, login.stderr).toBe(0);
    const status = JSON.parse((await runLlmc(['auth', 'status', '--json'], { home: made.home })).stdout);
    expect(status.profiles[0].issuer).toBe(issuer);
    expect(status.profiles[0].access_token_expires_in_s).toBeLessThanOrEqual(120);

    process.kill(server.pid, 'SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(readFile(join(made.home, 'dev-idp.json'), 'utf8')).rejects.toThrow();
    const none = await runLlmc(['auth', 'login', '--provider', 'dev'], {
      home: made.home,
      env: { LLMC_DEV_ISSUER: undefined },
    });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('llmc: no dev IdP is running');
    expect(none.stderr).toContain('llmc dev idp');
  });

  it('Ctrl-C stops it gracefully: the record is removed and the exit code is 130', async () => {
    const made = await tempHome('llmc-devidp-');
    cleanups.push(made.cleanup);
    const server = spawnLlmc(['dev', 'idp'], { home: made.home, env: { LLMC_DEV_ISSUER: undefined } });
    children.push(server);
    await waitFor(() => /^http:\/\/127\.0\.0\.1:\d+$/m.exec(server.stdout())?.[0]);
    await readFile(join(made.home, 'dev-idp.json'), 'utf8');
    process.kill(server.pid, 'SIGINT');
    expect(await server.exited).toBe(130);
    await expect(readFile(join(made.home, 'dev-idp.json'), 'utf8')).rejects.toThrow();
  });
});
