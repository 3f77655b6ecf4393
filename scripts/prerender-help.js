// Part of `npm run build`: render `llmc --help` once into dist/cli/root-help.txt,
// so the root help is printed without loading commander (see src/cli/root-help.ts).
import { writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli/program.js';
import { ROOT_HELP_FILE } from '../dist/cli/root-help.js';

writeFileSync(new URL(`../dist/cli/${ROOT_HELP_FILE}`, import.meta.url), buildProgram().helpInformation());
