import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runLlmc, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ home, cleanup } = await tempHome());
});
afterAll(() => cleanup());

describe('llmc basics', () => {
  it('--help lists the commands and global flags', async () => {
    const result = await runLlmc(['--help'], { home });
    expect(result.exitCode).toBe(0);
    for (const word of [
      'config',
      'doctor',
      'completion',
      '--json',
      '--profile',
      '--home',
      '--quiet',
      '--verbose',
      '--no-color',
    ]) {
      expect(result.stdout).toContain(word);
    }
  });

  it('--version prints the package.json version', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await runLlmc(['--version'], { home });
    expect(result).toMatchObject({ exitCode: 0, stdout: pkg.version });
  });

  it('an unknown command exits 2 with a suggestion', async () => {
    const typo = await runLlmc(['doctr'], { home });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toBe('llmc: unknown command "doctr"\nhint: did you mean doctor?');
    const nope = await runLlmc(['nope'], { home });
    expect(nope.exitCode).toBe(2);
    expect(nope.stderr).toMatch(/^llmc: unknown command "nope"\nhint: did you mean one of: .*config.*doctor/);
  });

  it('an unknown flag exits 2 with a suggestion; --json puts the error as JSON on stderr', async () => {
    const result = await runLlmc(['doctor', '--fxi', '--json'], { home });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'ERR_UNKNOWN_OPTION', message: 'unknown option "--fxi"', hint: 'did you mean --fix?' },
    });
    expect(result.stdout).toBe('');
  });

  it('a noun without a verb shows its help and exits 2', async () => {
    const result = await runLlmc(['config'], { home });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Usage: llmc config');
  });

  it('with --json, a noun without a verb is a JSON usage error on stderr', async () => {
    const result = await runLlmc(['config', '--json'], { home });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    const { error } = JSON.parse(result.stderr) as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe('ERR_USAGE');
    expect(error.message).toContain('get, set, unset, list, path, edit');
    expect(error.hint).toContain('llmc config --help');
  });

  it('no stack trace without -v, a stack with -v', async () => {
    const quiet = await runLlmc(['config', 'set', 'daemon.port', '"x"'], { home });
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const verbose = await runLlmc(['config', 'set', 'daemon.port', '"x"', '-v'], { home });
    expect(verbose.exitCode).toBe(2);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('completion prints a script and refuses an unknown shell', async () => {
    const bash = await runLlmc(['completion', 'bash'], { home });
    expect(bash.exitCode).toBe(0);
    expect(bash.stdout).toContain('complete -F _llmc llmc');
    const bad = await runLlmc(['completion', 'tcsh'], { home });
    expect(bad.exitCode).toBe(2);
  });
});
