// `virtkeeper completion bash|zsh|fish`: prints a completion script for the shell, generated from
// the registered commands (main.ts registers every command before this one).
import { Argument, type Command } from 'commander';
import { MANIFEST_KINDS } from '../../resources/definitions.js';
import { describeProgram, renderCompletion, SHELLS, type Shell } from '../completion.js';

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(virtkeeper completion bash)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .action((shell: Shell) => {
      const spec = describeProgram(program, { schema: MANIFEST_KINDS, completion: SHELLS, run: [] });
      process.stdout.write(renderCompletion(shell, spec));
    });
}
