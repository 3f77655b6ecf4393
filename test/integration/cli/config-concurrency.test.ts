import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runLlmc, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ home, cleanup } = await tempHome());
});
afterEach(() => cleanup());

describe('config.json under concurrency and crashes', () => {
  it('20 processes setting different keys at once lose no update', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        runLlmc(['config', 'set', `models.aliases.m${i}`, `provider/model-${i}`], { home, timeoutMs: 60_000 }),
      ),
    );
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(home, 'config.json'), 'utf8'));
    expect(Object.keys(config.models.aliases)).toHaveLength(20);
    for (let i = 0; i < 20; i++) expect(config.models.aliases[`m${i}`]).toBe(`provider/model-${i}`);
    expect((await readdir(home)).filter((name) => name.includes('.lock'))).toEqual([]);
  });

  it('SIGKILL in the middle of writes leaves the old or the new file, never a torn one, and no blocking lock', async () => {
    await mkdir(home, { recursive: true, mode: 0o700 });
    // A writer that rewrites a large config as fast as it can, under the real lock.
    const writer = join(home, '..', 'writer.mjs');
    await writeFile(
      writer,
      `import { setConfigValue } from ${JSON.stringify(join(repoRoot, 'dist/config/config-file.js'))};
       const home = process.argv[2];
       for (let i = 0; ; i++) {
         await setConfigValue(home, 'providers.big.headers.x-filler', String(i).padEnd(400_000, 'x'));
         await setConfigValue(home, 'daemon.port', 1000 + (i % 60000));
         if (i === 0) await setConfigValue(home, 'models.aliases.marker', String(900 + Number(process.argv[3])));
       }`,
    );
    const seen = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, [writer, home, String(round)], { stdio: 'ignore' });
      // Wait until it is in its write loop (its write has landed), then kill it at a varying point.
      const deadline = Date.now() + 20_000;
      while (!(await readFile(join(home, 'config.json'), 'utf8').catch(() => '')).includes(`"${900 + round}`)) {
        if (Date.now() > deadline) throw new Error('writer never wrote');
        await sleep(5);
      }
      await sleep(round * 9);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const config = JSON.parse(await readFile(join(home, 'config.json'), 'utf8')); // throws on a torn file
      expect(config.providers.big.headers['x-filler']).toMatch(/^\d+x+$/);
      seen.add(String(config.daemon.port));
      // The next command neither waits on the dead writer's lock nor fails.
      const next = await runLlmc(['config', 'set', 'models.default', `openai/round-${round}`], {
        home,
        timeoutMs: 20_000,
      });
      expect(next.exitCode, next.stderr).toBe(0);
      expect((await stat(join(home, 'config.json'))).mode & 0o777).toBe(0o600);
    }
    expect(seen.size).toBeGreaterThan(0);
  });
});
