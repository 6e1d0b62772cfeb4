// The review app's front end: a hash router over four views (documents, a document, findings,
// across documents). Bundled by esbuild (src/serve/assets.ts); pdf.js is loaded from /pdfjs/.
import type { DocumentRow, InfoJson } from '../types.js';
import { acrossView } from './across.js';
import { documentView } from './docview.js';
import { findingsView } from './findings.js';
import { getJson, h, show } from './dom.js';

let info: InfoJson;

const SORTS: [string, string][] = [['id', 'id'], ['name', 'file'], ['department', 'department'], ['year', 'year'], ['phase', 'phase'], ['status', 'status'], ['pages', 'pages'], ['tables', 'tables'], ['findings', 'findings']];

async function documentsView(params: URLSearchParams): Promise<void> {
  const rows = await getJson<DocumentRow[]>(`/api/documents?${params.toString()}`);
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    location.hash = `#/?${p.toString()}`;
  };
  const search = h('input', { type: 'search', placeholder: 'search file, department, table title', size: 36, value: params.get('q') ?? '', id: 'search' });
  search.addEventListener('change', () => set('q', search.value));
  const select = (name: string, options: string[]) => {
    const el = h('select', {}, ...['', ...options].map((o) => h('option', { value: o, selected: params.get(name) === o }, o || `any ${name}`)));
    el.addEventListener('change', () => set(name, el.value));
    return el;
  };
  const year = h('input', { type: 'number', placeholder: 'year', value: params.get('year') ?? '', style: 'width: 6em' });
  year.addEventListener('change', () => set('year', year.value));
  const sort = params.get('sort') ?? 'id';
  const desc = params.get('desc') === '1';
  const th = ([key, label]: [string, string]) => h('th', {
    class: ['pages', 'tables', 'findings', 'id'].includes(key) ? 'num' : null,
    onclick: () => { const p = new URLSearchParams(params); p.set('sort', key); p.set('desc', sort === key && !desc ? '1' : '0'); location.hash = `#/?${p.toString()}`; },
  }, label + (sort === key ? (desc ? ' ▼' : ' ▲') : ''));
  show(
    h('div', {}, search, ' ', select('status', ['ok', 'partial', 'failed']), ' ', select('phase', ['budget', 'final']), ' ', year, ` ${rows.length} documents`),
    h('table', { class: 'list docs' }, h('tr', {}, ...SORTS.map(th)),
      ...rows.map((r) => h('tr', { 'data-document': r.id },
        h('td', { class: 'num' }, String(r.id)), h('td', {}, h('a', { href: `#/doc/${r.id}` }, r.fileName)), h('td', {}, r.department ?? ''),
        h('td', {}, String(r.year ?? '')), h('td', {}, r.phase ?? ''), h('td', {}, r.status), h('td', { class: 'num' }, String(r.pages)),
        h('td', { class: 'num' }, String(r.tables)),
        h('td', { class: 'num' }, h('span', { class: 'sev-error' }, `${r.findings.error}E `), h('span', { class: 'sev-warning' }, `${r.findings.warning}W `), h('span', { class: 'sev-info' }, `${r.findings.info}I`))))));
}

async function route(): Promise<void> {
  const [path, query] = (location.hash.slice(1) || '/').split('?');
  const params = new URLSearchParams(query ?? '');
  for (const a of document.querySelectorAll('header a')) a.classList.toggle('on', a.getAttribute('href') === `#${path}`);
  try {
    const doc = /^\/doc\/(\d+)$/.exec(path);
    if (doc) {
      const page = Number(params.get('page')) || undefined;
      const finding = Number(params.get('finding')) || undefined;
      await documentView(Number(doc[1]), info.allowVerdicts, { page, finding });
    } else if (path === '/findings') await findingsView(info.allowVerdicts, params);
    else if (path === '/across') await acrossView();
    else await documentsView(params);
  } catch (e) {
    show(h('div', { class: 'msg' }, e instanceof Error ? e.message : String(e)));
  }
}

async function start(): Promise<void> {
  info = await getJson<InfoJson>('/api/info');
  document.getElementById('mode')!.textContent = `${info.documents} documents · ${info.allowVerdicts ? 'verdicts recorded' : 'read-only'}`;
  window.addEventListener('hashchange', () => void route());
  await route();
}

void start();
