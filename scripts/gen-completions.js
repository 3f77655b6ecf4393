// Regenerate completions/ from the commander tree (run by `npm run completions`).
// test/unit/completions.test.ts fails when the checked-in files drift from this output.
import { writeFileSync } from 'node:fs';
import { generateCompletion } from '../dist/cli/completion.js';
import { buildProgram } from '../dist/cli/program.js';

export const completionFiles = {
  bash: 'completions/llmc.bash',
  zsh: 'completions/_llmc',
  fish: 'completions/llmc.fish',
};

for (const [shell, file] of Object.entries(completionFiles)) {
  writeFileSync(new URL(`../${file}`, import.meta.url), generateCompletion(buildProgram(), shell));
  console.log(`wrote ${file}`);
}
