// Cold start of `llmc --help` and `llmc --version` against `node -e 0`, same
// machine, same run, interleaved. Goal: ≤ 1.6×. The root help is prerendered at
// build time (src/cli/root-help.ts); `llmc config --help` shows what building
// the whole commander tree costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareProcesses, ratioLine } from './lib.js';

const bin = fileURLToPath(new URL('../../bin/llmc.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'llmc-bench-'));
try {
  const env = { ...process.env, LLMC_HOME: home, NO_COLOR: '1' };
  const result = compareProcesses(
    {
      baseline: ['-e', '0'],
      help: [bin, '--help'],
      version: [bin, '--version'],
      // Not a goal: the full commander tree, as any subcommand's help or parse error pays it.
      subHelp: [bin, 'config', '--help'],
    },
    { runs: 20, warmup: 3, env },
  );
  console.log(`node ${process.version}, ${result.baseline.toFixed(1)} ms for node -e 0 (median of 20)`);
  console.log(ratioLine('llmc --help', result.help, 'node -e 0', result.baseline, 1.6));
  console.log(ratioLine('llmc --version', result.version, 'node -e 0', result.baseline, 1.6));
  console.log(
    `llmc config --help (whole command tree, no goal): ${result.subHelp.toFixed(1)} ms → ${(result.subHelp / result.baseline).toFixed(2)}×`,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}
