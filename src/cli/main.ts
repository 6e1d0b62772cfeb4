#!/usr/bin/env node
// The `yusuan` command: dispatch to a subcommand. Each command parses its own arguments and returns
// an exit code (0 success, 1 some inputs failed, 2 usage error).
// Also importable (test/readme.test.ts runs main() in-process).
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportFailure, setDebug } from './args.js';

interface Command {
  summary: string;
  // Loaded on demand, so a light command never pays for the PDF stack.
  run: (argv: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  ingest: {
    summary: 'read budget PDFs / text dumps into the SQLite database',
    run: async (argv) => (await import('./ingest.js')).runIngest(argv),
  },
  status: {
    summary: 'show the ingest ledger: files by status, the last run, the slowest and failed files',
    run: async (argv) => (await import('./status.js')).runStatus(argv),
  },
  enqueue: {
    summary: 'queue files for `yusuan work` on any machine (a PostgreSQL store)',
    run: async (argv) => (await import('./enqueue.js')).runEnqueue(argv),
  },
  work: {
    summary: 'process queued documents into the PostgreSQL store (run one per machine)',
    run: async (argv) => (await import('./work.js')).runWork(argv),
  },
  pull: {
    summary: 'copy a slice of a shared store (--department, --year) into a SQLite file',
    run: async (argv) => (await import('./pull.js')).runPull(argv),
  },
  export: {
    summary: 'write the dataset as CSV, JSON Lines or Parquet with datapackage.json',
    run: async (argv) => (await import('./export.js')).runExport(argv),
  },
  query: {
    summary: 'run a read-only SQL query (views: amounts, three_public, function_expenditure, …)',
    run: async (argv) => (await import('./query.js')).runQuery(argv),
  },
  compare: {
    summary: 'compare departments and years: three-public, totals, personnel-share, function, basic-econ',
    run: async (argv) => (await import('./compare.js')).runCompare(argv),
  },
  audit: {
    summary: 'check the stored documents: sums, cross-table figures, headers, codes, narrative; across documents',
    run: async (argv) => (await import('./audit.js')).runAudit(argv),
  },
  serve: {
    summary: 'review in the browser: pages beside their tables, findings with verdicts (127.0.0.1 only)',
    run: async (argv) => (await import('./serve.js')).runServe(argv),
  },
};

/** The package's version (package.json is two levels up from src/cli and from dist/cli). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length), 'version'.length);
  const list = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: yusuan <command> [options]', '', 'commands:', ...list,
    `  ${'version'.padEnd(width)}  print the version of yusuan and of its pipeline`, '',
    'options of every command:',
    '  -h, --help     the command\'s options (yusuan <command> --help)',
    '  --debug        on an unexpected error, print its stack trace',
    '  -V, --version  the version (yusuan --version)',
    '',
    'Exit codes: 0 done, 1 some inputs failed (ingest) or findings at --fail-on (audit), 2 could not run.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  if (head.includes('--debug')) {
    setDebug(true);
    argv = [...head.filter((a) => a !== '--debug'), ...(end < 0 ? [] : argv.slice(end))];
  }
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(usage());
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    if (rest[0] && Object.hasOwn(COMMANDS, rest[0])) return main([rest[0], '--help']);
    console.log(usage());
    return 0;
  }
  if (name === 'version' || name === '--version' || name === '-V') {
    const { PIPELINE_VERSION } = await import('../version.js');
    console.log(`yusuan ${packageVersion()} (pipeline ${PIPELINE_VERSION})`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`yusuan: unknown command '${name}' (one of ${Object.keys(COMMANDS).join(', ')})\nsee 'yusuan --help'`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    return reportFailure(name, e);
  }
}

/** Whether this file is the program being run (not imported). */
function isEntry(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  // `yusuan query … | head`: a reader that stops early is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = reportFailure('', err);
    },
  );
}
