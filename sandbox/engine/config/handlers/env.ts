/**
 * mod_env's SetEnv and UnsetEnv (modules/metadata/mod_env.c). Both are per-directory: the lines
 * are kept in order and folded when the request's sections are merged (see envFixup).
 */
import type { SplitArguments } from '../argument-splitter.ts';
import type { CommandContext, HandlerError, HandlerTable } from '../process-phase.ts';

type Result = HandlerError | string | null;

function setEnv(context: CommandContext, args: SplitArguments): Result {
  const [name, value] = args.words;
  (context.scope.envOps ??= []).push({ action: 'set', name: name.value, value: value?.value ?? '' });
  return null;
}

function unsetEnv(context: CommandContext, args: SplitArguments): Result {
  for (const name of args.words) (context.scope.envOps ??= []).push({ action: 'unset', name: name.value, value: '' });
  return null;
}

/** Handlers for mod_env. */
export const envHandlers: HandlerTable = {
  setenv: setEnv,
  unsetenv: unsetEnv,
};
