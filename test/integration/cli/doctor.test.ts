import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLlmc, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ home, cleanup } = await tempHome());
});
afterEach(() => cleanup());

interface Check {
  name: string;
  status: string;
  detail: string;
  hint?: string;
}

async function doctor(args: string[] = []): Promise<{ exitCode: number; report: { ok: boolean; checks: Check[] } }> {
  const result = await runLlmc(['doctor', '--json', ...args], { home });
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) };
}

/** A server whose Date header is `skewMs` away from now. */
async function skewedServer(skewMs: number): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.setHeader('date', new Date(Date.now() + skewMs).toUTCString());
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('llmc doctor', () => {
  it('--json reports every check with a status', async () => {
    await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual(['node', 'home', 'config', 'keychain', 'clock']);
    for (const check of report.checks) expect(['ok', 'warn', 'skip']).toContain(check.status);
  });

  it('reports permissions loosened after the fact, and --fix tightens them', async () => {
    await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
    await mkdir(join(home, 'cache'), { mode: 0o700 });
    await writeFile(join(home, 'cache', 'jwks.json'), '{}', { mode: 0o600 });
    await chmod(home, 0o755);
    await chmod(join(home, 'config.json'), 0o644);
    await chmod(join(home, 'cache', 'jwks.json'), 0o640);
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    const loose = report.checks.filter((check) => check.name === 'permissions');
    expect(loose.map((check) => check.detail).sort()).toEqual(
      [
        `${home} is 0755, should be 0700`,
        `${join(home, 'config.json')} is 0644, should be 0600`,
        `${join(home, 'cache', 'jwks.json')} is 0640, should be 0600`,
      ].sort(),
    );
    expect(loose[0]?.hint).toContain('llmc doctor --fix');
    const fixed = await doctor(['--fix']);
    expect(fixed.exitCode).toBe(0);
    expect(fixed.report.checks.find((check) => check.name === 'home')?.detail).toContain('tightened 3');
    expect((await doctor()).report.checks.some((check) => check.name === 'permissions')).toBe(false);
  });

  it('the human form prints one ✓/✗ line per check with hints', async () => {
    await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
    await chmod(join(home, 'config.json'), 0o666);
    const result = await runLlmc(['doctor'], { home });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^✓ node: Node\.js v\d+/m);
    expect(result.stdout).toMatch(/^✗ permissions: .*config\.json is 0666, should be 0600$/m);
    expect(result.stdout).toMatch(/^ {2}hint: run `llmc doctor --fix`/m);
  });

  it('compares the clock with a server and flags skew beyond the 60 s leeway', async () => {
    const fine = await skewedServer(2_000);
    const off = await skewedServer(-10 * 60_000);
    try {
      const ok = await doctor(['--clock-url', fine.url]);
      expect(ok.report.checks.find((check) => check.name === 'clock')).toMatchObject({ status: 'ok' });
      const bad = await doctor(['--clock-url', off.url]);
      expect(bad.exitCode).toBe(1);
      expect(bad.report.checks.find((check) => check.name === 'clock')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/^(599|600|601) s ahead of http:\/\/127\.0\.0\.1:\d+$/),
        hint: expect.stringContaining('time sync'),
      });
    } finally {
      fine.server.close();
      off.server.close();
    }
  });

  it('reports a corrupt config.json', async () => {
    await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
    await writeFile(join(home, 'config.json'), '{"daemon": }', { mode: 0o600 });
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    expect(report.checks.find((check) => check.name === 'config')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('config.json:1:12'),
    });
  });
});
