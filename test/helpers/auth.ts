import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DevIdp, type DevIdpOptions, startDevIdp } from '../../src/dev/idp.js';
import { binPath, type RunOptions, type RunResult, runLlmc } from './cli.js';

export const formBrowser = fileURLToPath(new URL('./form-browser.mjs', import.meta.url));
/** `BROWSER` for the CLI: the scripted form-filling browser on this Node. */
export const formBrowserCommand = `${process.execPath} ${formBrowser}`;

export { type DevIdp, startDevIdp };

export async function startIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  return startDevIdp(options);
}

/** `llmc auth login --provider dev` through the scripted browser. */
export function loginDev(
  idp: DevIdp,
  options: RunOptions & { args?: string[]; login?: string; action?: string },
): Promise<RunResult> {
  return runLlmc(['auth', 'login', '--provider', 'dev', ...(options.args ?? [])], {
    ...options,
    env: {
      LLMC_DEV_ISSUER: idp.issuer,
      BROWSER: formBrowserCommand,
      FORM_BROWSER_LOGIN: options.login ?? 'alice',
      FORM_BROWSER_ACTION: options.action ?? 'approve',
      ...options.env,
    },
  });
}

export interface TokenJson {
  version: number;
  default_profile?: string;
  profiles: Record<string, Record<string, any>>;
}

export async function readTokenJson(home: string): Promise<TokenJson> {
  return JSON.parse(await readFile(join(home, 'token.json'), 'utf8')) as TokenJson;
}

export async function writeTokenJson(home: string, data: TokenJson): Promise<void> {
  await writeFile(join(home, 'token.json'), `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
}

/** Make the stored access (and id) token look expired, as if time had passed. */
export async function expireTokens(home: string, profile = 'dev'): Promise<void> {
  const data = await readTokenJson(home);
  const record = data.profiles[profile];
  if (!record) throw new Error(`no profile ${profile}`);
  record.access_token_expires_at = '2020-01-01T00:00:00Z';
  record.id_token_expires_at = '2020-01-01T00:00:00Z';
  await writeTokenJson(home, data);
}

/** Poll `check` until it returns a value (tests wait on events, not on wall-clock assertions). */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface LiveCli {
  pid: number;
  stderr(): string;
  stdout(): string;
  write(text: string): void;
  /** Resolves with the exit code. */
  exited: Promise<number>;
  kill(): void;
}

/** The real CLI as a long-running child (for flows that need stdin or a second process meanwhile). */
export function spawnLlmc(
  args: string[],
  options: { home: string; env?: Record<string, string | undefined> },
): LiveCli {
  const child = spawn(process.execPath, [binPath, ...args], {
    env: { ...process.env, LLMC_HOME: options.home, NO_COLOR: '1', LLMC_KEYRING: '0', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: tmpdir(),
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  return {
    pid: child.pid ?? -1,
    stderr: () => err,
    stdout: () => out,
    write: (text) => child.stdin.write(text),
    exited,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The authorization URL a CLI printed (or the scripted browser logged). */
export function authUrlIn(text: string): URL | undefined {
  const match = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(text);
  return match?.[1] ? new URL(match[1]) : undefined;
}
