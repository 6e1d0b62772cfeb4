// `yusuan enqueue`: files and folders (or a manifest of paths) → one job per new document on the
// queue in a PostgreSQL store (src/queue/enqueue.ts), for `yusuan work` processes on any machine.
import { collectFiles, EXTENSIONS } from '../ingest/plan.js';
import { openStore } from '../store/open.js';
import { isPostgresLocation } from '../store/sql.js';
import { errorMessage } from '../errors.js';
import { DEFAULT_EXPIRE_S, DEFAULT_RETRY_DELAY_S, DEFAULT_RETRY_LIMIT, openQueue } from '../queue/jobs.js';
import { enqueueFiles, readManifest } from '../queue/enqueue.js';
import { parseCommand, parseFormat, showPath, showStore, storeHelp, STORE_OPTIONS, storeLocation, userError } from './args.js';

export const ENQUEUE_USAGE = `usage: yusuan enqueue <files or folders…> [--manifest FILE] --store postgres://… [options]

  Hashes each file, records it in the store's ledger and puts one job per document to process on
  the queue, for \`yusuan work\` on any machine. Folders are searched recursively for .pdf and .txt
  files. A document stored already is not queued; the same content queued twice is one job.
  Workers read files by the path recorded here (absolute): every worker must see the same paths.

${storeHelp(23, 'a postgres:// URL: the queue lives in its database')}
  --manifest <file>    a file listing paths, one per line (# comments, blank lines skipped; a relative
                       path is taken from the manifest's folder); may be given more than once
  --retry              queue again files that failed, or whose job was lost (ledger: running)
  --force              queue every file, to be processed again and replaced
  --dry-run            list what would be queued and why; change nothing
  --expire <seconds>   a job active this long is taken to be lost (its worker killed) and retried; keep
                       it above the workers' --timeout plus a minute (default ${DEFAULT_EXPIRE_S})
  --retries <n>        attempts after the first for a document whose processing failed (default ${DEFAULT_RETRY_LIMIT})
  --retry-delay <s>    seconds before the first retry, doubled for each further one (default ${DEFAULT_RETRY_DELAY_S})
  --format <f>         table (a line per file and the counts; the default) or jsonl (one JSON object
                       per file, then one with the counts)

  Exit code: 0 done, 1 some files could not be read, 2 could not run.`;

export async function runEnqueue(argv: string[]): Promise<number> {
  const parsed = parseCommand('enqueue', ENQUEUE_USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      manifest: { type: 'string', multiple: true },
      retry: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      expire: { type: 'string', default: String(DEFAULT_EXPIRE_S) },
      retries: { type: 'string', default: String(DEFAULT_RETRY_LIMIT) },
      'retry-delay': { type: 'string', default: String(DEFAULT_RETRY_DELAY_S) },
      format: { type: 'string', default: 'table' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const store = storeLocation(values);
  if (!isPostgresLocation(store)) return usageError(`the queue needs a PostgreSQL store (--store postgres://…), not ${showStore(store)}`);
  const expire = wholeNumber(values.expire);
  if (expire === null || expire < 1) return usageError('--expire must be a whole number of seconds, at least 1');
  const retries = wholeNumber(values.retries);
  if (retries === null) return usageError('--retries must be a whole number (0 or more)');
  const retryDelay = wholeNumber(values['retry-delay']);
  if (retryDelay === null || retryDelay < 1) return usageError('--retry-delay must be a whole number of seconds, at least 1');
  const format = parseFormat('enqueue', values.format, ['table', 'jsonl'] as const);
  if (typeof format === 'number') return format;
  const inputs = [...positionals];
  for (const m of values.manifest ?? []) {
    try {
      inputs.push(...(await readManifest(m)));
    } catch (e) {
      return usageError(`cannot read the manifest ${showPath(m)}: ${errorMessage(e)}`);
    }
  }
  if (inputs.length === 0) return usageError('no files, folders or --manifest given');
  let files: string[];
  try {
    files = await collectFiles(inputs);
  } catch (e) {
    return usageError(errorMessage(e));
  }
  if (files.length === 0) return usageError(`no ${EXTENSIONS.join(' or ')} files found in ${inputs.join(', ')}`);

  const sql = await openStore(store).catch((e: unknown) => {
    throw new Error(`cannot open ${showStore(store)}: ${errorMessage(e)}`);
  });
  try {
    const boss = await openQueue(store);
    try {
      const summary = await enqueueFiles(sql, boss, files, {
        force: values.force, retry: values.retry, dryRun: values['dry-run'],
        settings: { expireInSeconds: expire, retryLimit: retries, retryDelay },
      });
      const c = summary.counts;
      if (format === 'jsonl') {
        for (const f of summary.files) console.log(JSON.stringify(f));
        console.log(JSON.stringify({ counts: c, hashMs: Math.round(summary.hashMs) }));
      } else {
        for (const f of summary.files) console.log(`${f.action.padEnd(14)} ${showPath(f.path)}  ${f.reason}`);
        console.log(`${files.length} files: ${c.queued} queued, ${c['already-queued']} queued already, ${c.skipped} skipped`
          + `${c.unreadable ? `, ${c.unreadable} unreadable` : ''}${values['dry-run'] ? ` (dry run: ${c['would-queue']} would be queued)` : ''}`);
      }
      return c.unreadable > 0 ? 1 : 0;
    } finally {
      await boss.stop({ graceful: false });
    }
  } finally {
    await sql.close();
  }
}

function wholeNumber(s: string): number | null {
  return /^\d+$/.test(s.trim()) ? Number(s) : null;
}

const usageError = (message: string): number => userError('enqueue', message);
