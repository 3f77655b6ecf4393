import { open } from 'node:fs/promises';
import type { DocumentCacheStore } from '../config/http-cache.js';
import { SecretResolver } from '../config/secrets/index.js';
import { LlmcError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { type AuditLog, createAuditLog } from './audit.js';
import type { GatewayConfig } from './config.js';
import { createKeyServer, type KeyServer } from './keyserver.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { startReaper } from './reaper.js';
import { createGatewayServer } from './server.js';
import { memoryStore } from './store/memory.js';
import type { TokenStore } from './store/types.js';
import { createVerifier } from './verify.js';

/**
 * Assembles a running gateway from a loaded config: store, secrets,
 * verifier, audit log, key server, reaper and HTTP server. `llmc gateway
 * serve`, the dev stack, tests and the bench all start it through here.
 */

export interface StartGatewayOptions {
  logger?: Logger | undefined;
  audit?: AuditLog;
  clock?: () => number;
  store?: TokenStore;
  fetch?: typeof fetch;
  secrets?: SecretResolver;
  metrics?: GatewayMetrics;
  documentStore?: DocumentCacheStore;
  version?: string;
}

export interface RunningGateway {
  url: string;
  host: string;
  port: number;
  config: GatewayConfig;
  keyServer: KeyServer;
  store: TokenStore;
  metrics: GatewayMetrics;
  close(graceMs?: number): Promise<void>;
}

export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const { logger } = options;
  const clock = options.clock ?? Date.now;
  if (!options.store && config.store.type !== 'memory') {
    throw new LlmcError(
      'ERR_GATEWAY_CONFIG',
      `store type ${config.store.type} is not available in this version of llmc`,
      {
        hint: 'use `store: { type: memory }` for now',
      },
    );
  }
  for (const warning of config.warnings) logger?.warn(warning);
  const secrets =
    options.secrets ??
    new SecretResolver({
      onLiteral: (where) =>
        logger?.warn(`${where} in ${config.file} is a literal secret; prefer env:, file:, keychain: or exec:`),
    });
  // Fail at start, not on the first admin call, when a configured secret cannot be had.
  if (config.key_server.admin_token) await secrets.resolve(config.key_server.admin_token, 'key_server.admin_token');
  for (const [index, key] of config.auth.api_keys.entries()) await secrets.resolve(key.key, `auth.api_keys[${index}]`);

  const store = options.store ?? memoryStore();
  const metrics = options.metrics ?? createGatewayMetrics();
  if (!options.audit && config.audit.file) await checkAuditFile(config.audit.file);
  const audit =
    options.audit ??
    createAuditLog({
      file: config.audit.file,
      clock,
      onError: (error) => logger?.error({ err: error }, 'audit log write failed'),
    });
  const verifier = createVerifier({
    issuers: config.key_server.oidc,
    maxTokenAgeSecs: config.key_server.max_oidc_token_age_secs,
    allowHttp: config.dev.allow_http_issuers,
    clock,
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.documentStore ? { documentStore: options.documentStore } : {}),
  });
  const keyServer = createKeyServer({ config, store, verifier, audit, secrets, clock, logger, metrics });
  const http = createGatewayServer({
    config,
    keyServer,
    metrics,
    logger,
    ...(options.version ? { version: options.version } : {}),
  });
  const reaper = startReaper({
    store,
    intervalMs: config.key_server.cleanup_interval_ms,
    clock,
    onExpired: (records) => keyServer.expired(records),
    onError: (error) => logger?.error({ err: error }, 'token reaper failed'),
  });
  let address: { url: string; host: string; port: number };
  try {
    address = await http.listen();
  } catch (error) {
    reaper.stop();
    secrets.close();
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new LlmcError(
      'ERR_GATEWAY_LISTEN',
      `cannot listen on ${config.listen.host}:${config.listen.port}: ${code ?? (error as Error).message}`,
      {
        hint:
          code === 'EADDRINUSE'
            ? 'another process uses that port; change `listen` in the config'
            : 'check `listen` in the config',
        cause: error,
      },
    );
  }
  if (config.key_server.enabled) void verifier.warm();
  return {
    ...address,
    config,
    keyServer,
    store,
    metrics,
    async close(graceMs) {
      reaper.stop();
      await http.close(graceMs);
      await audit.close();
      secrets.close();
      await store.close();
    },
  };
}

/** Opens (creating, 0600) the audit file once, so an unwritable path fails the start with a config error. */
async function checkAuditFile(file: string): Promise<void> {
  try {
    await (await open(file, 'a', 0o600)).close();
  } catch (error) {
    throw new LlmcError(
      'ERR_GATEWAY_CONFIG',
      `cannot open audit.file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      { hint: 'point audit.file at a writable path, or leave it out to write audit lines to stdout', cause: error },
    );
  }
}

export { loadGatewayConfig, parseGatewayConfig } from './config.js';
