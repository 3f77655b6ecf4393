import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { LlmcError } from '../errors.js';
import { DIR_MODE, FILE_MODE, removeStaleTempFiles } from './fs-atomic.js';

export const HOME_DIR_NAME = '.mcp-gateway';

export interface HomeOptions {
  /** `--home DIR`, which wins over the environment. */
  home?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** `--home`, else `LLMC_HOME`, else `~/.mcp-gateway`. */
export function resolveHome(options: HomeOptions = {}): string {
  const env = options.env ?? process.env;
  const chosen = options.home ?? env.LLMC_HOME;
  if (chosen && chosen.trim() !== '') return resolve(chosen);
  return join(homedir(), HOME_DIR_NAME);
}

/** The files the home directory may hold (ARCHITECTURE §3). */
export const homeFiles = {
  config: 'config.json',
  token: 'token.json',
  clients: 'clients.json',
  daemon: 'daemon.json',
  daemonLog: 'daemon.log',
  cache: 'cache',
  tools: 'tools',
} as const;

export function homePath(home: string, name: keyof typeof homeFiles): string {
  return join(home, homeFiles[name]);
}

/**
 * Create the home directory (0700) if needed. A directory we own with looser
 * permissions is tightened; one owned by someone else is refused, since its
 * owner could read every token we would write there.
 */
export async function ensureHome(home: string): Promise<string> {
  await mkdir(home, { recursive: true, mode: DIR_MODE });
  await ensurePrivateDir(home);
  await removeStaleTempFiles(home);
  return home;
}

export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const info = await lstat(dir);
  if (!info.isDirectory()) {
    throw new LlmcError('ERR_HOME_PERMISSIONS', `${dir} is not a directory`, {
      hint: 'move it aside, or point LLMC_HOME / --home at another directory',
    });
  }
  if (typeof process.getuid === 'function' && info.uid !== process.getuid()) {
    throw new LlmcError('ERR_HOME_PERMISSIONS', `${dir} belongs to another user (uid ${info.uid})`, {
      hint: 'use a directory you own: set LLMC_HOME or pass --home',
    });
  }
  if ((info.mode & 0o777) !== DIR_MODE) await chmod(dir, DIR_MODE);
}

export interface PermissionFinding {
  path: string;
  kind: 'directory' | 'file';
  mode: number;
  expected: number;
}

/** Every entry under `home` whose mode is looser than 0700 (dirs) / 0600 (files). */
export async function findLoosePermissions(home: string): Promise<PermissionFinding[]> {
  const findings: PermissionFinding[] = [];
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return;
    const mode = info.mode & 0o777;
    if (info.isDirectory()) {
      if ((mode & ~DIR_MODE) !== 0) findings.push({ path, kind: 'directory', mode, expected: DIR_MODE });
      for (const name of await readdir(path)) await visit(join(path, name));
    } else if ((mode & ~FILE_MODE) !== 0) {
      findings.push({ path, kind: 'file', mode, expected: FILE_MODE });
    }
  };
  await visit(home);
  return findings;
}

/** Tighten what `findLoosePermissions` reported. */
export async function repairPermissions(findings: readonly PermissionFinding[]): Promise<void> {
  for (const finding of findings) await chmod(finding.path, finding.expected);
}
