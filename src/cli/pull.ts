// `yusuan pull --from postgres://… --db local.db`: a slice of a shared store into a SQLite file of
// one's own (src/queue/pull.ts), to query, audit and export on one machine.
import { openStore } from '../store/open.js';
import { errorMessage } from '../errors.js';
import { pullSlice } from '../queue/pull.js';
import { parseCommand, showStore, storeHelp, STORE_OPTIONS, storeLocation, userError } from './args.js';

export const PULL_USAGE = `usage: yusuan pull --from postgres://… --db local.db [--department S] [--year Y] [--force]

  Copies documents of a shared store, each whole (tables, line items, findings, narrative lines),
  into a store of one's own, usually a SQLite file, created when missing.

  --from <url|file>    the store to copy from (a postgres:// URL, or a SQLite file)
${storeHelp(23, 'the store to copy into')}
  --department <s>     only documents whose department (as printed, its canonical name or an alias)
                       contains s
  --year <Y>           only documents of this year
  --force              replace documents the target has already (default: keep them)`;

export async function runPull(argv: string[]): Promise<number> {
  const parsed = parseCommand('pull', PULL_USAGE, {
    args: argv,
    allowPositionals: false,
    options: {
      from: { type: 'string' },
      ...STORE_OPTIONS,
      department: { type: 'string' },
      year: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.from === undefined) return usageError('--from is needed: the store to copy from');
  const target = storeLocation(values);
  if (values.year !== undefined && !/^\d{4}$/.test(values.year)) return usageError('--year must be a year (four digits)');
  if (values.department !== undefined && values.department.trim() === '') return usageError('--department must not be empty');
  const from = values.from;
  if (from === target) return usageError('--from and --db name the same store');
  const src = await openStore(from, { readonly: true }).catch((e: unknown) => {
    throw new Error(`cannot open ${showStore(from)}: ${errorMessage(e)}`);
  });
  try {
    const dst = await openStore(target).catch((e: unknown) => {
      throw new Error(`cannot open ${showStore(target)}: ${errorMessage(e)}`);
    });
    try {
      const s = await pullSlice(src, dst, { department: values.department, year: values.year === undefined ? undefined : Number(values.year) }, { force: values.force });
      const o = s.byOutcome;
      console.log(`${s.documents} documents in the slice: ${o.inserted} copied, ${o.replaced} replaced, ${o.skipped} there already`
        + ` (${s.tables} tables, ${s.lineItems} line items) into ${showStore(target)}`);
      return 0;
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

const usageError = (message: string): number => userError('pull', message);
