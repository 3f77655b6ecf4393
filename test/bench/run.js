// `npm run bench`: run every test/bench/*.bench.js in its own Node 24 process,
// one after another (they measure timings; running them side by side would
// skew each other), and print what each reports. Each bench starts what it
// measures itself and reports ratios against a baseline from the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.js'))
  .filter((name) => only.length === 0 || only.some((want) => name.includes(want)))
  .sort();

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n# ${file}\n`);
  const result = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`! ${file} exited with ${result.status ?? result.signal}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
