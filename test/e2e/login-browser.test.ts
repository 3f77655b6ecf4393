import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevIdp, type LiveCli, readTokenJson, spawnLlmc, startIdp, waitFor } from '../helpers/auth.js';
import { runLlmc, tempHome } from '../helpers/cli.js';
import { haveTool } from '../helpers/require-tool.js';

const hasChromium = haveTool('chromium');
const script = join(import.meta.dirname, '../helpers/chromium-browser.mjs');

describe.skipIf(!hasChromium)('e2e: real chromium against oidc-provider', () => {
  let idp: DevIdp;
  const cleanups: Array<() => Promise<void>> = [];
  const children: LiveCli[] = [];

  beforeAll(async () => {
    idp = await startIdp({ users: { erin: { name: 'Erin Example', email: 'erin@company.com' } } });
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    await idp.close();
    for (const cleanup of cleanups) await cleanup();
  });

  it('llmc auth login --provider dev: chromium signs in and the CLI receives the callback', async () => {
    const made = await tempHome('llmc-e2e-');
    cleanups.push(made.cleanup);
    const resultFile = join(made.dir, 'page.txt');
    const result = await runLlmc(['auth', 'login', '--provider', 'dev'], {
      home: made.home,
      timeoutMs: 60_000,
      env: {
        LLMC_DEV_ISSUER: idp.issuer,
        BROWSER: `${process.execPath} ${script}`,
        CHROMIUM_BROWSER_LOGIN: 'erin',
        CHROMIUM_BROWSER_RESULT: resultFile,
      },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('as erin@company.com (profile dev)');
    const profile = (await readTokenJson(made.home)).profiles.dev as Record<string, any>;
    expect(profile).toMatchObject({ subject: 'erin', name: 'Erin Example', refresh_token: { store: 'file' } });
    expect(await idp.isActive(profile.access_token, 'AccessToken')).toBe(true);
    // The tab the user is left with says plainly that it can be closed.
    const page = await waitFor(async () => (await readFile(resultFile, 'utf8').catch(() => '')) || undefined);
    expect(page).toContain('Logged in');
    expect(page).toContain('llmc is logged in as erin@company.com');
    expect(page).toContain('You can close this tab');
  });

  it('llmc auth login --device: the user step is completed in chromium', async () => {
    const made = await tempHome('llmc-e2e-');
    cleanups.push(made.cleanup);
    const cli = spawnLlmc(['auth', 'login', '--provider', 'dev', '--device'], {
      home: made.home,
      env: { LLMC_DEV_ISSUER: idp.issuer },
    });
    children.push(cli);
    const url = await waitFor(() => /Then open (\S+) on any device/.exec(cli.stderr())?.[1]);
    const code = /one-time code: (\S+)/.exec(cli.stderr())?.[1];
    expect(code).toBeTruthy();
    expect(url).toContain(`${idp.issuer}/device`);
    // @ts-expect-error plain ESM helper without types
    const { approveDeviceCode } = await import('../helpers/chromium-browser.mjs');
    const page = await approveDeviceCode(url, 'erin');
    expect(page).toMatch(/Sign-in Success|success/i);
    expect(await cli.exited, cli.stderr()).toBe(0);
    expect(cli.stdout()).toContain('as erin@company.com (profile dev)');
    expect(idp.counters.grants['urn:ietf:params:oauth:grant-type:device_code']).toBeGreaterThanOrEqual(1);
    const profile = (await readTokenJson(made.home)).profiles.dev as Record<string, any>;
    expect(profile.refresh_token).toMatchObject({ store: 'file' });
  });
});
