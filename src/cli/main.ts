#!/usr/bin/env node
// The `yusuan` command: dispatch to a subcommand. Each command parses its own arguments and returns
// an exit code (0 success, 1 some inputs failed, 2 usage error).

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
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const list = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: yusuan <command> [options]', '', 'commands:', ...list, '', 'yusuan <command> --help for its options'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(usage());
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`yusuan: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
