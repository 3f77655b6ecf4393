// `llmc auth token` with a valid cached token, cold process, against `node -e 0`
// in the same run (interleaved, medians). Goal: ≤ 2×. The fast path must not
// load openid-client, jose, undici, zod or the keychain module: a module hook
// lists every package the command loaded, and the bench says which it found.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareProcesses, ratioLine } from './lib.js';

const bin = fileURLToPath(new URL('../../bin/llmc.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llmc-bench-auth-'));
const home = join(dir, 'home');
mkdirSync(home, { mode: 0o700 });
const inAnHour = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
writeFileSync(
  join(home, 'token.json'),
  `${JSON.stringify(
    {
      version: 1,
      default_profile: 'dev',
      profiles: {
        dev: {
          provider: 'dev',
          issuer: 'http://127.0.0.1:1',
          client_id: 'llmc-cli',
          subject: 'bench',
          email: 'bench@example.com',
          id_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2ln',
          id_token_expires_at: inAnHour,
          access_token: 'bench-access-token',
          access_token_expires_at: inAnHour,
          refresh_token: { store: 'keyring', ref: 'llmc:dev' },
          scope: 'openid email profile offline_access',
          updated_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
      },
    },
    null,
    2,
  )}\n`,
  { mode: 0o600 },
);

const hook = join(dir, 'list-packages.mjs');
writeFileSync(
  hook,
  `import { registerHooks } from 'node:module';
import { writeSync } from 'node:fs';
const seen = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(result.url);
    if (match) seen.add(match[1]);
    return result;
  },
});
process.on('exit', () => writeSync(2, 'PACKAGES ' + [...seen].sort().join(',') + '\\n'));
`,
);

try {
  const env = { ...process.env, LLMC_HOME: home, NO_COLOR: '1', LLMC_KEYRING: '1' };
  const probe = spawnSync(process.execPath, ['--import', hook, bin, 'auth', 'token'], { env, encoding: 'utf8' });
  if (probe.status !== 0 || probe.stdout.trim() !== 'bench-access-token') {
    throw new Error(`auth token did not print the cached token: ${probe.status} ${probe.stderr}`);
  }
  const packages = (/PACKAGES (.*)/.exec(probe.stderr)?.[1] ?? '').split(',').filter(Boolean);
  const heavy = ['openid-client', 'oauth4webapi', 'jose', 'undici', 'zod', '@napi-rs/keyring', 'prom-client', 'conf'];
  const loaded = heavy.filter((name) => packages.includes(name));
  const result = compareProcesses(
    { baseline: ['-e', '0'], token: [bin, 'auth', 'token'] },
    { runs: 20, warmup: 3, env },
  );
  console.log(`packages loaded by auth token: ${packages.join(', ') || '(none)'}`);
  console.log(
    loaded.length
      ? `! heavy packages on the fast path: ${loaded.join(', ')}`
      : 'no OIDC/JWT/HTTP/zod/keychain package on the fast path',
  );
  console.log(ratioLine('auth token (cold, cached)', result.token, 'node -e 0', result.baseline, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
