// Installing: `npm pack` builds dist/ (the `prepare` script) into a tarball holding everything the
// command needs at run time, and `npm install -g` of it gives a working `yusuan` on PATH. Offline: the
// tarball's dependencies are taken from this project's node_modules rather than the registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const HAVE_NPM = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!HAVE_NPM)('npm pack + npm install -g', () => {
  const work = mkdtempSync(join(tmpdir(), 'yusuan-install-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('puts a working yusuan on PATH', () => {
    const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    npm(['pack', '--pack-destination', work, '--silent'], ROOT);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    execFileSync('tar', ['xzf', join(work, tarball!), '-C', work]);
    const pkg = join(work, 'package');
    const files = readdirSync(join(pkg, 'dist', 'cli'));
    expect(files).toContain('main.js');
    expect(readdirSync(join(pkg, 'dist', 'serve', 'public'))).toContain('app.js'); // the review app's bundle (yusuan serve)
    expect(readdirSync(pkg)).toEqual(expect.arrayContaining(['db', 'schemas', 'departments.aliases.tsv', 'package.json', 'README.md']));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    const prefix = join(work, 'prefix');
    npm(['install', '-g', '--prefix', prefix, pkg, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], work);
    const bin = join(prefix, 'bin', 'yusuan');
    const version = execFileSync(bin, ['--version'], { cwd: work, encoding: 'utf8' });
    expect(version).toMatch(/^yusuan \d+\.\d+\.\d+ \(pipeline /);
    const status = spawnSync(bin, ['status', '--db', join(work, 'none.db')], { cwd: work, encoding: 'utf8' });
    expect(status.status).toBe(2);
    expect(status.stderr).toMatch(/^yusuan status: no database at /);
  }, 300_000);
});
