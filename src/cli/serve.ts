// `yusuan serve`: the review web app over the database (src/serve/). Runs until interrupted.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage } from '../errors.js';
import { DEFAULT_PORT, startServer } from '../serve/server.js';
import { STORE_HELP, STORE_OPTIONS, parseCommand, showStore, storeLocation, userError } from './args.js';
import { isPostgresLocation } from '../store/sql.js';
import { packageVersion } from './main.js';

export const SERVE_USAGE = `usage: yusuan serve [--store yusuan.db] [--port 8600] [--open] [--root DIR] [--allow-verdicts]

  A local web app for reviewing the database in the browser: the documents (filter, sort, search by
  name); a document's pages rendered from the original PDF beside its tables as grids (click a cell to
  see its box on the page, click the page to find the cell); the findings grouped by rule and document,
  each with its page cropped around the evidence, for a verdict (confirmed / false alarm / unsure,
  with a note); departments over the years and the vocabulary of titles and column labels.

  Safe by default: it listens on 127.0.0.1 only and refuses requests from other addresses; every
  script, font and worker is served from this machine; a PDF is read only from a path stored in the
  database; nothing is written unless --allow-verdicts. Stop it with Ctrl-C.

${STORE_HELP}
  --port <n>           port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --open               open the app in the default browser (xdg-open / open / start)
  --root <dir>         the original files now live under this folder: each stored path is looked for
                       under it (its relative path, then its file name) before where it was ingested
  --allow-verdicts     open the database for writing and record the reviewers' verdicts (table
                       verdicts; yusuan audit --verdicts sums them up; yusuan export includes them)`;

export async function runServe(argv: string[]): Promise<number> {
  const parsed = parseCommand('serve', SERVE_USAGE, {
    args: argv,
    allowPositionals: false,
    options: {
      ...STORE_OPTIONS,
      port: { type: 'string', default: String(DEFAULT_PORT) },
      open: { type: 'boolean', default: false },
      root: { type: 'string' },
      'allow-verdicts': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  const port = Number(v.port);
  if (!/^\d+$/.test(v.port) || port > 65535) return userError('serve', `--port must be a whole number from 0 to 65535 (got '${v.port}')`);
  let store: string;
  try {
    store = storeLocation(v);
  } catch (e) {
    return userError('serve', errorMessage(e));
  }
  if (!isPostgresLocation(store) && !existsSync(store)) return userError('serve', `no database at ${showStore(store)} (run yusuan ingest first)`);
  if (v.root !== undefined && !(existsSync(v.root) && statSync(v.root).isDirectory())) return userError('serve', `--root ${v.root} is not a folder`);
  let running;
  try {
    running = await startServer({ db: store, port, root: v.root === undefined ? undefined : resolve(v.root), allowVerdicts: v['allow-verdicts'], version: packageVersion() });
  } catch (e) {
    return userError('serve', `cannot serve ${showStore(store)}: ${errorMessage(e)}`);
  }
  console.log(`yusuan serve: ${running.url}  (${showStore(store)}, ${v['allow-verdicts'] ? 'verdicts recorded' : 'read-only'}; Ctrl-C to stop)`);
  if (v.open) openBrowser(running.url);
  await new Promise<void>((done) => {
    const stop = () => void running.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

function openBrowser(url: string): void {
  const [cmd, ...args] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`yusuan serve: could not open a browser (${cmd}); open ${url} yourself`));
  child.unref();
}
