// Small helpers shared by the thin commands.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../errors.js';

/** Print a usage error with the command's usage text; returns exit code 2. */
export function usageError(command: string, usage: string, message: string): number {
  console.error(`yusuan ${command}: ${message}\n\n${usage}`);
  return 2;
}

export { errorMessage } from '../errors.js';

/**
 * parseArgs for a command: a bad option is a usage error (exit 2) and --help prints the usage (exit
 * 0); otherwise the parsed values. The config must declare `help`.
 */
export function parseCommand<T extends ParseArgsConfig>(command: string, usage: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    return usageError(command, usage, errorMessage(e));
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return 0;
  }
  return parsed;
}
