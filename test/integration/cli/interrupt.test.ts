import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, tempHome } from '../../helpers/cli.js';

let dir: string;
let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, home, cleanup } = await tempHome());
});
afterEach(() => cleanup());

const dist = (path: string) => JSON.stringify(join(repoRoot, 'dist', path));

/** Run a script in a child Node; its exit code and stdout. */
async function runScript(
  name: string,
  text: string,
  ...args: string[]
): Promise<{ code: number | null; stdout: string }> {
  const script = join(dir, name);
  await writeFile(script, text);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [script, ...args], (_error, stdout) =>
      resolve({ code: child.exitCode, stdout }),
    );
  });
}

describe('Ctrl-C taken over by a long-running command', () => {
  it('a second Ctrl-C right behind the first still exits 130 at once', async () => {
    const result = await runScript(
      'twice.mjs',
      `const { installInterruptHandler, onInterrupt } = await import(${dist('cli/interrupt.js')});
       installInterruptHandler();
       onInterrupt(() => setTimeout(() => { process.stdout.write('graceful'); process.exit(0); }, 300));
       setTimeout(() => { process.kill(process.pid, 'SIGINT'); process.kill(process.pid, 'SIGINT'); }, 50);
       setTimeout(() => process.exit(3), 5_000);`,
    );
    expect(result).toEqual({ code: 130, stdout: '' });
  });

  it('stays graceful after the command has read config.json', async () => {
    // A server-like command: reads its config, takes over Ctrl-C, finishes in-flight work, exits 0.
    const script = join(dir, 'server.mjs');
    await writeFile(
      script,
      `const { installInterruptHandler, onInterrupt } = await import(${dist('cli/interrupt.js')});
       const { readConfig } = await import(${dist('config/config-file.js')});
       installInterruptHandler();
       process.on('SIGINT', () => undefined); // a library's cleanup hook, as signal-exit installs
       await readConfig(process.argv[2]);
       onInterrupt(() => setTimeout(() => { process.stdout.write('graceful'); process.exit(0); }, 200));
       setTimeout(() => process.kill(process.pid, 'SIGINT'), 50);
       setTimeout(() => process.exit(3), 5_000);`,
    );
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, [script, home], (_error, stdout) =>
        resolve({ code: child.exitCode, stdout }),
      );
    });
    expect(result).toEqual({ code: 0, stdout: 'graceful' });
  });
});
