import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = join(repoRoot, 'bin', 'llmc.js');

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  home: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

/**
 * Settings of the developer's own shell that would steer the CLI under test
 * (VISUAL beats the EDITOR a test passes; a profile or gateway picks other
 * state). Unset unless a test passes them.
 */
const unsetFromRunner = { VISUAL: undefined, EDITOR: undefined, LLMC_PROFILE: undefined, LLMC_GATEWAY_URL: undefined };

/** Run the real CLI (bin/llmc.js on this Node) as a child process. */
export async function runLlmc(args: string[], options: RunOptions): Promise<RunResult> {
  const execaOptions: Options = {
    reject: false,
    env: { ...unsetFromRunner, LLMC_HOME: options.home, NO_COLOR: '1', LLMC_KEYRING: '0', ...options.env },
    extendEnv: true,
    timeout: options.timeoutMs ?? 30_000,
    cwd: options.cwd ?? tmpdir(),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
  };
  const result = await execa(process.execPath, [binPath, ...args], execaOptions);
  if (result.exitCode === undefined) throw new Error(`llmc ${args.join(' ')} did not run: ${result.message}`);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A fresh private home directory per test; `cleanup` removes it. */
export async function tempHome(
  prefix = 'llmc-test-',
): Promise<{ dir: string; home: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, home: join(dir, 'home'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
