// Small helpers shared by the thin commands.

/** Print a usage error with the command's usage text; returns exit code 2. */
export function usageError(command: string, usage: string, message: string): number {
  console.error(`yusuan ${command}: ${message}\n\n${usage}`);
  return 2;
}

export { errorMessage } from '../errors.js';
