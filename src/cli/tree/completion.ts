import type { Command } from 'commander';
import { lazy } from '../lazy.js';

export function defineCompletion(program: Command): void {
  const completion = program.command('completion');
  completion
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(completion.createArgument('<shell>', 'the shell to complete for').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh parameter, printed literally
      '\nInstall:\n  bash: llmc completion bash > ~/.local/share/bash-completion/completions/llmc\n  zsh:  llmc completion zsh > "${fpath[1]}/_llmc"\n  fish: llmc completion fish > ~/.config/fish/completions/llmc.fish',
    )
    .action(lazy(() => import('../commands/completion.js'), 'completion'));
}
