import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCompletion, type Shell } from '../../../src/cli/completion.js';
import { buildProgram } from '../../../src/cli/program.js';
import { binPath, repoRoot } from '../../helpers/cli.js';
import { haveTool } from '../../helpers/require-tool.js';

const files: Record<Shell, string> = {
  bash: 'completions/llmc.bash',
  zsh: 'completions/_llmc',
  fish: 'completions/llmc.fish',
};

describe('shell completions', () => {
  it.each(Object.entries(files))(
    'the checked-in %s script matches the command tree (run `npm run completions`)',
    async (shell, file) => {
      const checkedIn = await readFile(join(repoRoot, file), 'utf8');
      expect(checkedIn, `${file} is stale: run \`npm run completions\``).toBe(
        generateCompletion(buildProgram(), shell as Shell),
      );
    },
  );

  it('every command of the tree appears in every script', () => {
    const program = buildProgram();
    const names = program.commands.flatMap((command) => [command.name(), ...command.commands.map((sub) => sub.name())]);
    for (const shell of Object.keys(files) as Shell[]) {
      const script = generateCompletion(program, shell);
      for (const name of names) expect(script, `${shell} lacks ${name}`).toContain(name);
    }
  });

  const bashComplete = (line: string): string[] => {
    const words = line.split(' ');
    const script = `source ${join(repoRoot, files.bash)}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_llmc; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean);
  };

  it('bash completes nouns, verbs, flags and argument choices', () => {
    expect(bashComplete('llmc con')).toEqual(['config']);
    expect(bashComplete('llmc config s')).toEqual(['set']);
    expect(bashComplete('llmc --home /tmp/x config l')).toEqual(['list']);
    expect(bashComplete('llmc doctor --f')).toEqual(['--fix']);
    expect(bashComplete('llmc completion ')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
  });

  it.runIf(haveTool('fish'))('fish completes nouns and verbs', () => {
    const complete = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', `source ${join(repoRoot, files.fish)}; complete -C '${line}'`], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
        .map((row) => row.split('\t')[0]);
    expect(complete('llmc con')).toEqual(['config']);
    expect(complete('llmc config e')).toEqual(['edit']);
  });

  it.runIf(haveTool('zsh'))('the zsh script parses', () => {
    execFileSync('zsh', ['-n', join(repoRoot, files.zsh)]);
  });

  it('`llmc completion <shell>` prints exactly the checked-in script', () => {
    const printed = execFileSync(process.execPath, [binPath, 'completion', 'fish'], { encoding: 'utf8' });
    expect(printed).toBe(generateCompletion(buildProgram(), 'fish'));
  });
});
