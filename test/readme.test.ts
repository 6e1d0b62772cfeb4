// The README cannot drift: every command of the sh blocks of its usage sections (Usage, Bulk import,
// Audit, For researchers) and the `yusuan …` examples of "Worked examples" run here, in that order,
// from a scratch folder laid out like the project (samples/, ../shared/corpus), and must exit as
// stated (0 unless the line ends `# exit N`). Lines marked `# corpus` (and examples on corpus.db) run
// only where the corpus is. The synopses (text blocks) may name only options the commands accept.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredOptions } from '../src/cli/args.js';
import { yusuan } from './fixtures/cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const CORPUS = resolve(ROOT, '../shared/corpus');
const HAVE_CORPUS = existsSync(join(CORPUS, 'real'));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const USAGE_SECTIONS = ['## Usage', '## Bulk import', '## Audit', '## For researchers'];

interface Command { line: string; argv: string[]; redirect: string | null; exit: number; corpus: boolean }

/** The level-2 sections named, as text. */
function sections(md: string, names: string[]): string[] {
  const parts = md.split(/^(?=## )/m);
  return parts.filter((p) => names.some((n) => p.startsWith(n + '\n') || p.startsWith(n + ':') || p.startsWith(n + ' ')));
}

/** Shell words: single and double quotes, no expansion; `> file` kept apart. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let inWord = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unbalanced quote in: ${line}`);
  if (inWord) words.push(cur);
  return words;
}

const PREFIXES = [['npx', 'yusuan'], ['npm', 'run', '-s', 'yusuan', '--'], ['yusuan']];

function toCommand(raw: string): Command | null {
  const comment = /\s#\s*(.*)$/.exec(raw);
  const marks = comment?.[1] ?? '';
  const line = (comment ? raw.slice(0, comment.index) : raw).trim();
  const words = shellWords(line);
  const prefix = PREFIXES.find((p) => p.every((w, i) => words[i] === w));
  if (!prefix) return null;
  let argv = words.slice(prefix.length);
  let redirect: string | null = null;
  const gt = argv.indexOf('>');
  if (gt >= 0) {
    redirect = argv[gt + 1];
    argv = argv.slice(0, gt);
  }
  return {
    line, argv, redirect,
    exit: Number(/exit (\d+)/.exec(marks)?.[1] ?? 0),
    corpus: /\bcorpus\b/.test(marks) || argv.includes('corpus.db'),
  };
}

function readmeCommands(): { commands: Command[]; strays: string[]; synopses: string[] } {
  const commands: Command[] = [];
  const strays: string[] = [];
  const synopses: string[] = [];
  for (const sec of sections(README, USAGE_SECTIONS)) {
    for (const block of sec.matchAll(/```(sh|text)\n([\s\S]*?)```/g)) {
      for (const raw of block[2].split('\n').filter((l) => l.trim())) {
        if (block[1] === 'text') {
          if (/^yusuan [a-z]/.test(raw)) synopses.push(raw);
          continue;
        }
        const c = toCommand(raw);
        if (c) commands.push(c);
        else if (!/#\s*corpus\b/.test(raw)) strays.push(raw);
      }
    }
    const worked = sec.indexOf('### Worked examples');
    if (worked >= 0) {
      for (const m of sec.slice(worked).matchAll(/`(yusuan [^`]+)`/g)) {
        const c = toCommand(m[1]);
        if (c) commands.push(c);
      }
    }
  }
  return { commands, strays, synopses };
}

describe('README', () => {
  const { commands, strays, synopses } = readmeCommands();
  let work: string;
  let cwd: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'yusuan-readme-'));
    const project = join(work, 'project');
    mkdirSync(project);
    symlinkSync(join(ROOT, 'samples'), join(project, 'samples'));
    if (HAVE_CORPUS) {
      mkdirSync(join(work, 'shared'));
      symlinkSync(CORPUS, join(work, 'shared', 'corpus'));
    }
    cwd = process.cwd();
    process.chdir(project);
  });
  afterAll(() => {
    process.chdir(cwd);
    rmSync(work, { recursive: true, force: true });
  });

  it('has runnable commands in its usage sections, and no other lines in their sh blocks', () => {
    expect(commands.length).toBeGreaterThan(10);
    expect(commands[0].argv[0]).toBe('ingest'); // the database the others read comes first
    expect(strays).toEqual([]);
  });

  it('names in its synopses only options the commands accept', async () => {
    for (const line of synopses) {
      const command = line.split(' ')[1];
      if (command.startsWith('<')) continue;
      await yusuan(command, '--help');
      const accepted = declaredOptions.get(command);
      expect(accepted, line).toBeDefined();
      for (const m of line.matchAll(/--([a-z][a-z-]*)/g)) expect(accepted, `${line}: --${m[1]}`).toContain(m[1]);
    }
  });

  it('runs every command with the exit code it states', async () => {
    let ran = 0;
    for (const c of commands) {
      if (c.corpus && !HAVE_CORPUS) continue;
      const r = await yusuan(...c.argv);
      expect(r.code, `${c.line}\n${r.err.slice(0, 2000)}`).toBe(c.exit);
      if (c.redirect) writeFileSync(c.redirect, r.out);
      ran++;
    }
    expect(ran).toBeGreaterThan(10);
    expect(readFileSync('q.csv', 'utf8')).toMatch(/^label,amount_yuan\n/); // stdout holds the data only
  }, 600_000);
});
