import { LlmcError } from '../../errors.js';
import { generateCompletion, type Shell, shells } from '../completion.js';
import type { CliContext } from '../context.js';
import { buildProgram } from '../program.js';

export async function completion(ctx: CliContext, _options: object, shell: string): Promise<void> {
  if (!(shells as readonly string[]).includes(shell)) {
    throw new LlmcError('ERR_INVALID_ARGUMENT', `no completion for shell "${shell}"`, {
      hint: `use one of: ${shells.join(', ')}`,
    });
  }
  ctx.stdout.write(generateCompletion(buildProgram(), shell as Shell));
}
