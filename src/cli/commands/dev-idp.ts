import { unlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_IDP_RECORD } from '../../auth/providers.js';
import { writeFileAtomic } from '../../config/fs-atomic.js';
import { ensureHome } from '../../config/home.js';
import { startDevIdp } from '../../dev/idp.js';
import { ExitCode } from '../../errors.js';
import type { CliContext } from '../context.js';
import { onInterrupt } from '../interrupt.js';
import { notice, print } from '../output.js';

interface IdpOptions {
  port?: number;
  accessTokenTtl?: number;
  idTokenTtl?: number;
  refreshTokenTtl?: number;
}

/**
 * `llmc dev idp`: the dev IdP in the foreground. Its issuer goes to stdout and
 * into `dev-idp.json` in the home directory, where `llmc auth login --provider
 * dev` finds it (LLMC_DEV_ISSUER overrides); the record is removed on exit.
 */
export async function idp(ctx: CliContext, options: IdpOptions): Promise<number> {
  const ttl = {
    ...(options.accessTokenTtl ? { AccessToken: options.accessTokenTtl } : {}),
    ...(options.idTokenTtl ? { IdToken: options.idTokenTtl } : {}),
    ...(options.refreshTokenTtl ? { RefreshToken: options.refreshTokenTtl } : {}),
  };
  const server = await startDevIdp({ port: options.port ?? 0, ttl });
  await ensureHome(ctx.home);
  const record = join(ctx.home, DEV_IDP_RECORD);
  await writeFileAtomic(
    record,
    `${JSON.stringify({ issuer: server.issuer, pid: process.pid, started_at: new Date().toISOString() })}\n`,
  );
  const removeRecord = () => {
    try {
      unlinkSync(record);
    } catch {
      // already gone
    }
  };
  process.once('exit', removeRecord);
  print(ctx, server.issuer);
  notice(
    ctx,
    `dev IdP running at ${server.issuer} (client id llmc-cli; any login and password work).\n` +
      'Log in with: llmc auth login --provider dev    Stop with Ctrl-C.',
  );
  // Ctrl-C and SIGTERM both stop it gracefully (the record is removed, the port closed);
  // a second Ctrl-C exits at once.
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    onInterrupt(() => resolve('SIGINT'));
  });
  const current = await readFile(record, 'utf8').catch(() => '');
  if (current.includes(`"pid":${process.pid}`)) removeRecord();
  await server.close();
  return signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.ok;
}
