import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { binPath } from '../../helpers/cli.js';

/** The real `llmc gateway serve --config F` as a child on 127.0.0.1:0 (first stdout line: `listening on URL`). */
export interface ServedGateway {
  child: ChildProcess;
  url: string;
  /** stdout lines after the first: audit JSON lines. */
  lines: string[];
  stderr(): string;
  stop(): Promise<void>;
}

export function serveGateway(config: string, cwd: string, env: Record<string, string> = {}): Promise<ServedGateway> {
  const child = spawn(process.execPath, [binPath, 'gateway', 'serve', '--config', config], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', LLMC_HOME: join(cwd, 'gw-home'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let first: string | undefined;
    reader.on('line', (line) => {
      if (first !== undefined) {
        lines.push(line);
        return;
      }
      first = line;
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) resolve({ child, url: match[1] as string, lines, stderr: () => stderr, stop });
      else reject(new Error(`unexpected first line: ${line}`));
    });
    exited.then(() => reject(new Error(`gateway exited before listening: ${stderr}`)));
  });
}

/** RFC 7662 at the gateway, as its admin. */
export async function introspect(url: string, adminToken: string, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/auth/introspect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** A loopback port nobody listens on. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  const port = await new Promise<number>((resolve) =>
    probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
  );
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export const GATEWAY_KEYS = ['access_token', 'expires_at', 'jti', 'scope', 'token_type', 'url'];
export const RFC3339_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
