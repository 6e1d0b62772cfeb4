// Small helpers shared by the thin commands: option parsing, user errors, output formats, paths.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { errorMessage } from '../errors.js';
import { isPostgresLocation, redactLocation } from '../store/sql.js';


/** A mistake of the user's (a bad option, a missing file, no matching document): one plain line, exit 2. */
export class UserError extends Error {}

let debug = false;
/** `--debug` (a global option): unexpected errors print their stack trace. */
export function setDebug(on: boolean): void {
  debug = on;
}

/** Print a user error: the message and where to find help, nothing more. Returns exit code 2. */
export function userError(command: string, message: string): number {
  const who = command ? `yusuan ${command}` : 'yusuan';
  console.error(`${who}: ${message}\nsee '${who} --help'`);
  return 2;
}

/** Same as userError; the usage argument is kept for the commands that pass it (the help has it). */
export function usageError(command: string, _usage: string, message: string): number {
  return userError(command, message);
}

/**
 * Anything a command threw: a UserError is a user error; anything else is printed as one line too (its
 * stack trace only with --debug). Exit code 2: the command could not run.
 */
export function reportFailure(command: string, e: unknown): number {
  if (e instanceof UserError) return userError(command, e.message);
  console.error(`${command ? `yusuan ${command}` : 'yusuan'}: ${errorMessage(e)}`);
  if (debug && e instanceof Error && e.stack) console.error(e.stack);
  else console.error('(run again with --debug for the stack trace)');
  return 2;
}

/** The options each command declared, by command, as they were last parsed (for the help test). */
export const declaredOptions = new Map<string, string[]>();

/** Printed after every command's own help. */
export const COMMON_HELP = `
  -h, --help           this help
  --debug              on an unexpected error, print its stack trace (any command)`;

/**
 * parseArgs for a command: a bad option is a user error (exit 2) and --help prints the usage (exit 0);
 * otherwise the parsed values. The config must declare `help`.
 */
export function parseCommand<T extends ParseArgsConfig>(command: string, usage: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  const options = config.options ?? {};
  declaredOptions.set(command, Object.keys(options));
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs({ ...config, args: joinNegativeValues([...(config.args ?? [])], options) }) as ReturnType<typeof parseArgs<T>>;
  } catch (e) {
    return userError(command, parseErrorMessage(e));
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage + '\n' + COMMON_HELP);
    return 0;
  }
  return parsed;
}

/**
 * `--jobs -1` as `--jobs=-1`: a value that looks like a negative number belongs to the option before
 * it, so the command can say what is wrong with it (Node calls it "ambiguous").
 */
function joinNegativeValues(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return [...out, ...args.slice(i)];
    const name = a.startsWith('--') ? a.slice(2) : null;
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Node's parseArgs messages, said plainly (they quote unevenly and suggest `--`). */
function parseErrorMessage(e: unknown): string {
  const code = (e as { code?: string }).code;
  const msg = errorMessage(e);
  const option = /'(-[^'\s]*)/.exec(msg)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option ?? msg}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(msg)) return `${option} takes no value`;
    return `${option} needs a value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${/'([^']*)'/.exec(msg)?.[1] ?? ''}`.trim();
  return msg;
}

// ------------------------------------------------------------------------------------------------
// Output formats: one vocabulary across commands.
//   table  aligned text for people (the default; `text` is an old spelling)
//   csv    RFC 4180 rows          jsonl  one JSON object per row
//   json   one JSON document      md     Markdown (audit)
//   parquet (export)

export const FORMAT_NAMES = ['table', 'csv', 'jsonl', 'json', 'md', 'parquet'] as const;
export type OutputFormat = (typeof FORMAT_NAMES)[number];
const FORMAT_ALIASES: Record<string, OutputFormat> = { text: 'table' };

/** The format named by --format among those a command prints, or a user error (exit 2). */
export function parseFormat<F extends OutputFormat>(command: string, value: string, allowed: readonly F[]): F | number {
  const f = (FORMAT_ALIASES[value] ?? value) as F;
  return allowed.includes(f) ? f : userError(command, `--format must be one of ${allowed.join(', ')} (got '${value}')`);
}

// ------------------------------------------------------------------------------------------------
// Paths: shown the same way everywhere: relative to the working folder when inside it, else absolute.

export function showPath(p: string): string {
  if (p === ':memory:') return p;
  const abs = resolve(p);
  const rel = relative(process.cwd(), abs);
  return rel === '' ? '.' : rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel) ? abs : rel;
}

// ------------------------------------------------------------------------------------------------
// The store a command reads or writes: `--store <path | postgres://…>`, `--db` its older synonym.

export const DEFAULT_STORE = 'yusuan.db';

/** The options to spread into a command's parseArgs config (no defaults: storeLocation gives one). */
export const STORE_OPTIONS = {
  store: { type: 'string' },
  db: { type: 'string' },
} as const;

/**
 * The help lines of --store and --db, their descriptions starting at `column` (to line up with the
 * command's other options), with `more` as a line of its own under the first.
 */
export function storeHelp(column = 23, more = ''): string {
  const line = (option: string, text: string) => `  ${option}`.padEnd(column - 1) + ' ' + text;
  return [
    line('--store <file|url>', `SQLite file or postgres://user@host/db (default ${DEFAULT_STORE})`),
    ...(more ? [line('', more)] : []),
    line('--db <file|url>', 'the same as --store (the older spelling)'),
  ].join('\n');
}

export const STORE_HELP = storeHelp();

/** The location named by --store or --db (a UserError when they name two), else the default. */
export function storeLocation(values: { store?: string; db?: string }): string {
  const { store, db } = values;
  if (store !== undefined && db !== undefined && store !== db) {
    throw new UserError(`--store and --db name different stores (${showStore(store)}, ${showStore(db)}); give one`);
  }
  return store ?? db ?? DEFAULT_STORE;
}

/** A store as shown in messages: a file as showPath shows it, a postgres URL without its password. */
export function showStore(location: string): string {
  return isPostgresLocation(location) ? redactLocation(location) : showPath(location);
}
