import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/cli.js';

/**
 * `npm run lint` runs dependency-cruiser with .dependency-cruiser.cjs. Here it
 * runs on a tiny tree with known good and forbidden imports, to prove the
 * rules catch what ARCHITECTURE §2 forbids (and only that).
 */
const dir = mkdtempSync(join(tmpdir(), 'llmc-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function cruise(): { code: number; output: string } {
  try {
    const output = execFileSync(
      join(repoRoot, 'node_modules/.bin/depcruise'),
      ['src', '--config', join(dir, '.dependency-cruiser.cjs')],
      {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { code: failed.status, output: failed.stdout };
  }
}

describe('import layering (dependency-cruiser)', () => {
  cpSync(join(repoRoot, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  cpSync(join(repoRoot, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  file('src/errors.ts', 'export const x = 1;\n');
  file('src/config/home.ts', "import { x } from '../errors.js';\nexport const home = x;\n");
  file(
    'src/cli/main.ts',
    "import { home } from '../config/home.js';\nimport { gw } from '../gateway/server.js';\nexport const main = home + gw;\n",
  );

  it('passes a tree that keeps to the rules', () => {
    file('src/gateway/server.ts', "import { home } from '../config/home.js';\nexport const gw = home;\n");
    file('src/auth/oidc.ts', "import { home } from '../config/home.js';\nexport const auth = home;\n");
    const result = cruise();
    expect(result.output).toContain('no dependency violations');
    expect(result.code).toBe(0);
  });

  it('fails on gateway → auth, auth → cli and config → auth', () => {
    file('src/gateway/server.ts', "import { auth } from '../auth/oidc.js';\nexport const gw = auth;\n");
    file('src/auth/oidc.ts', "import { main } from '../cli/main.js';\nexport const auth = main;\n");
    file('src/config/secret.ts', "import { auth } from '../auth/oidc.js';\nexport const s = auth;\n");
    const result = cruise();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/layer-gateway: src\/gateway\/server\.ts → src\/auth\/oidc\.ts/);
    expect(result.output).toMatch(/layer-auth: src\/auth\/oidc\.ts → src\/cli\/main\.ts/);
    expect(result.output).toMatch(/layer-config: src\/config\/secret\.ts → src\/auth\/oidc\.ts/);
    expect(result.output).not.toMatch(/src\/cli\/main\.ts → src\/gateway/);
  });
});
