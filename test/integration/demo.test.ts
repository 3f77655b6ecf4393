import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

/** The README's first command ends in `npm run demo`: it must work on a fresh machine. */
describe('npm run demo', () => {
  it('logs in against the dev IdP, exchanges at a real gateway, and cleans up', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          [join(repoRoot, 'scripts/demo.js')],
          { env: { ...process.env, NO_COLOR: '1' }, timeout: 90_000 },
          (_error, out, err) => resolve({ code: child.exitCode, stdout: out, stderr: err }),
        );
      },
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/✓ Logged in to 127\.0\.0\.1:\d+ as alice@example\.com/);
    expect(stdout).toMatch(/^mcpgw_[A-Za-z0-9_-]{43}$/m);
    expect(stdout).toMatch(/gateway token: {2}valid for/);
    expect(stderr).toContain('did you mean "providers.lmstudio.base_url"?');
  }, 120_000);
});
