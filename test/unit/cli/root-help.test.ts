import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { binPath, repoRoot } from '../../helpers/cli.js';

const prerendered = join(repoRoot, 'dist/cli/root-help.txt');
const llmc = (...args: string[]) => execFileSync(process.execPath, [binPath, ...args], { encoding: 'utf8' });

describe('prerendered root help', () => {
  it('`npm run build` rendered exactly what commander renders from the tree', () => {
    expect(readFileSync(prerendered, 'utf8')).toBe(buildProgram().helpInformation());
  });

  it('`llmc --help`, `-h` and bare `llmc` print it', () => {
    const expected = buildProgram().helpInformation();
    expect(llmc('--help')).toBe(expected);
    expect(llmc('-h')).toBe(expected);
    expect(llmc()).toBe(expected);
  });

  it('is not used once a tree module is newer (tsc -w without the prerender): commander renders instead', async () => {
    const source = join(repoRoot, 'dist/cli/tree/config.js');
    const { prerenderedRootHelp } = await import(join(repoRoot, 'dist/cli/root-help.js'));
    expect(prerenderedRootHelp(['--help'])).toBeDefined();
    expect(prerenderedRootHelp(['config', '--help'])).toBeUndefined();
    const before = statSync(source);
    try {
      const later = new Date(statSync(prerendered).mtimeMs + 60_000);
      utimesSync(source, later, later);
      expect(prerenderedRootHelp(['--help'])).toBeUndefined();
      expect(llmc('--help')).toBe(buildProgram().helpInformation());
    } finally {
      utimesSync(source, before.atime, before.mtime);
    }
  });
});
