// What the browser loads, all from this machine: the page, the front end's bundle (built into dist/ by
// `npm run build`; bundled on the fly by esbuild when running from src/ under tsx) and pdf.js with its
// worker, CMaps and standard fonts from node_modules/pdfjs-dist. File names come from fixed folders
// and are checked against their listings: never a path taken from the request.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundle as `npm run build` writes it, beside this file (dist/serve/public/app.js). */
export const BUNDLE_PATH = fileURLToPath(new URL('./public/app.js', import.meta.url));
// The front end's source: beside this file under tsx, in src/ when building from dist/.
const WEB_ENTRY = [new URL('./web/app.ts', import.meta.url), new URL('../../src/serve/web/app.ts', import.meta.url)].map((u) => fileURLToPath(u)).find((p) => existsSync(p)) ?? '';

let bundle: Promise<string> | undefined;

/** The front end as one ES module. */
export function appBundle(): Promise<string> {
  bundle ??= existsSync(BUNDLE_PATH) ? Promise.resolve(readFileSync(BUNDLE_PATH, 'utf8')) : buildBundle();
  return bundle;
}

/** Bundle src/serve/web with esbuild (a devDependency: present wherever src/ is run). */
export async function buildBundle(outfile?: string): Promise<string> {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [WEB_ENTRY], bundle: true, format: 'esm', target: 'es2022', platform: 'browser', write: false,
    minify: Boolean(outfile), sourcemap: false, legalComments: 'none', logLevel: 'silent',
  });
  const text = r.outputFiles[0].text;
  if (outfile) {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dirname(outfile), { recursive: true });
    writeFileSync(outfile, text);
  }
  return text;
}

const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

// The served folders of pdfjs-dist, under /pdfjs/<prefix>.
const VENDOR: { prefix: string; dir: string; names?: string[] }[] = [
  { prefix: '', dir: join(PDFJS_DIR, 'build'), names: ['pdf.mjs', 'pdf.worker.mjs'] },
  { prefix: 'cmaps/', dir: join(PDFJS_DIR, 'cmaps') },
  { prefix: 'standard_fonts/', dir: join(PDFJS_DIR, 'standard_fonts') },
  { prefix: 'wasm/', dir: join(PDFJS_DIR, 'wasm') },
];

const listings = new Map<string, Set<string>>();
const listing = (dir: string) => {
  let s = listings.get(dir);
  if (!s) listings.set(dir, (s = new Set(existsSync(dir) ? readdirSync(dir) : [])));
  return s;
};

const TYPES: Record<string, string> = { mjs: 'text/javascript; charset=utf-8', bcmap: 'application/octet-stream', pfb: 'application/octet-stream', ttf: 'font/ttf', wasm: 'application/wasm' };

/** A pdf.js file by its name under /pdfjs/, or null: only names listed in the vendor folders. */
export function vendorFile(name: string): { path: string; type: string } | null {
  for (const v of VENDOR) {
    if (v.prefix && !name.startsWith(v.prefix)) continue;
    const file = name.slice(v.prefix.length);
    if (!/^[\w.-]+$/.test(file) || file.startsWith('.')) continue;
    if (v.names ? !v.names.includes(file) : !listing(v.dir).has(file)) continue;
    return { path: join(v.dir, file), type: TYPES[file.split('.').pop()!] ?? 'application/octet-stream' };
  }
  return null;
}

export const INDEX_HTML = `<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>yusuan review</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; margin: 0; color: #222; }
header { background: #2d3e50; color: #fff; padding: 6px 12px; display: flex; gap: 16px; align-items: center; }
header a { color: #fff; text-decoration: none; } header a.on { text-decoration: underline; }
main { padding: 8px 12px; }
table.list { border-collapse: collapse; } table.list th, table.list td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }
table.list th { cursor: pointer; background: #f3f3f3; } td.num, th.num { text-align: right; }
.sev-error { color: #b00020; } .sev-warning { color: #b26a00; } .sev-info { color: #555; }
.docview { display: flex; gap: 12px; align-items: flex-start; }
.pagepane { position: sticky; top: 0; flex: none; }
.pagebox { position: relative; border: 1px solid #aaa; display: inline-block; }
.pagebox canvas { display: block; }
.hl { position: absolute; border: 2px solid #e00; background: rgba(255, 230, 0, .35); box-sizing: border-box; pointer-events: none; }
.hl.finding { border-color: #b00020; background: rgba(176, 0, 32, .15); }
.tablespane { flex: 1; overflow: auto; max-height: calc(100vh - 60px); }
table.grid { border-collapse: collapse; margin-bottom: 14px; font-size: 12px; }
table.grid td, table.grid th { border: 1px solid #ccc; padding: 1px 4px; }
table.grid td.cell { text-align: right; cursor: pointer; font-variant-numeric: tabular-nums; }
table.grid td.cell.sel { outline: 2px solid #e00; background: #fff3b0; }
table.grid td.total { font-weight: bold; }
table.grid td.lowconf { background: #fde2e2; }
.conf { color: #b00020; font-size: 10px; margin-left: 3px; }
.msg { background: #fff3cd; border: 1px solid #e0c060; padding: 8px; margin: 8px 0; }
.finding { border: 1px solid #ddd; padding: 6px; margin: 6px 0; display: flex; gap: 10px; }
.finding canvas { border: 1px solid #aaa; }
.verdict button { margin-right: 4px; } .verdict button.on { background: #2d3e50; color: #fff; }
.rare { background: #ffe08a; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; }
.pager button { margin: 0 4px; }
</style>
</head>
<body>
<header><b>yusuan</b><a href="#/">Documents</a><a href="#/findings">Findings</a><a href="#/across">Across documents</a><span id="mode"></span></header>
<main id="main">Loading…</main>
<script type="module" src="/app.js"></script>
</body>
</html>
`;

/** `node dist/serve/assets.js` (npm run build): write the bundle beside the compiled server. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildBundle(BUNDLE_PATH);
  console.log(`wrote ${BUNDLE_PATH}`);
}
