// One document: a page rendered from the original PDF beside the extracted tables as grids. A click
// on a cell shows its page with the cell's box highlighted; a click on the page selects the cell
// under it. A table continued over pages is one grid; OCR cells show their confidence.
import type { Box } from '../../types.js';
import type { CellJson, DocumentJson, FindingJson, TableJson } from '../types.js';
import { getJson, h, show } from './dom.js';
import { openPdf, pageSize, renderPage } from './pdf.js';
import { verdictWidget } from './verdict.js';

// The page is drawn this wide (CSS pixels) at most, and never above MAX_SCALE pixels per point.
const PAGE_WIDTH_PX = 760;
const MAX_SCALE = 1.5;
// A click this close to a cell's box (points) still selects it.
const CLICK_TOLERANCE_PT = 1;
// Below this confidence an OCR cell is shown as doubtful.
const LOW_CONFIDENCE = 0.8;

export async function documentView(id: number, allowVerdicts: boolean, focus: { page?: number; finding?: number } = {}): Promise<void> {
  const started = performance.now();
  const json = await getJson<DocumentJson>(`/api/documents/${id}`);
  const d = json.document;
  const cells = json.tables.flatMap((t) => t.rows.flatMap((r) => Object.values(r.cells)));
  const tdOf = new Map<number, HTMLTableCellElement>();
  const canvas = h('canvas');
  const box = h('div', { class: 'pagebox', id: 'pagebox' }, canvas);
  const pageLabel = h('span');
  let pageNo = focus.page ?? 1;
  let scale = 1;
  let pdf: Awaited<ReturnType<typeof openPdf>> | null = null;
  let selected: CellJson | null = null;

  const title = h('h3', {}, `${d.fileName}`, h('small', {}, `  ${d.department ?? ''} ${d.year ?? ''} ${d.phase ?? ''} · ${d.status} · ${d.pages} pages · ${d.tables} tables`));
  const pagePane = h('div', { class: 'pagepane' },
    h('div', { class: 'pager' }, h('button', { onclick: () => void goto(pageNo - 1) }, '◀'), pageLabel, h('button', { onclick: () => void goto(pageNo + 1) }, '▶')),
    json.pdf.available ? box : h('div', { class: 'msg', id: 'pdf-missing' }, json.pdf.message ?? 'no file'));
  const tablesPane = h('div', { class: 'tablespane' }, findingsList(json.findings), ...json.tables.map(grid));
  show(title, h('div', { class: 'docview' }, pagePane, tablesPane));

  async function goto(n: number, then?: () => void): Promise<void> {
    if (n < 1 || n > d.pages) return;
    pageNo = n;
    pageLabel.textContent = ` page ${n} / ${d.pages} `;
    if (!pdf) return then?.();
    const size = await pageSize(pdf, n);
    scale = Math.min(MAX_SCALE, PAGE_WIDTH_PX / size.width);
    box.querySelectorAll('.hl').forEach((e) => e.remove());
    await renderPage(canvas, pdf, n, scale);
    box.dataset.page = String(n);
    box.dataset.scale = String(scale);
    box.dataset.rendered = String(Date.now());
    then?.();
  }

  function highlight(b: Box, cls: string): HTMLElement {
    box.querySelectorAll('.hl').forEach((e) => e.remove());
    const el = h('div', { class: `hl ${cls}` });
    Object.assign(el.style, { left: `${b[0] * scale}px`, top: `${b[1] * scale}px`, width: `${(b[2] - b[0]) * scale}px`, height: `${(b[3] - b[1]) * scale}px` });
    box.append(el);
    return el;
  }

  function select(cell: CellJson, scroll: boolean): void {
    selected?.id !== undefined && tdOf.get(selected.id)?.classList.remove('sel');
    selected = cell;
    const td = tdOf.get(cell.id)!;
    td.classList.add('sel');
    if (scroll) td.scrollIntoView({ block: 'center', inline: 'nearest' });
    const mark = () => { if (pdf) highlight(cell.box, 'cell').dataset.cell = String(cell.id); };
    if (cell.page !== pageNo || !box.dataset.rendered) void goto(cell.page, mark);
    else mark();
  }

  canvas.addEventListener('click', (e) => {
    const r = canvas.getBoundingClientRect();
    const x = (e.clientX - r.left) / scale;
    const y = (e.clientY - r.top) / scale;
    const t = CLICK_TOLERANCE_PT;
    const hit = cells.find((c) => c.page === pageNo && x >= c.box[0] - t && x <= c.box[2] + t && y >= c.box[1] - t && y <= c.box[3] + t);
    if (hit) select(hit, true);
  });

  function grid(t: TableJson): HTMLElement {
    const head = h('tr', {}, h('th', {}, '行 / row'), ...t.columns.map((c) => h('th', { title: c.key }, c.label || c.key)));
    const rows = t.rows.map((r) => h('tr', {},
      h('td', {}, [r.funcCode, r.econCode].filter(Boolean).join(' ') + (r.funcCode || r.econCode ? ' ' : '') + r.label),
      ...t.columns.map((c) => {
        const cell = r.cells[c.id];
        if (!cell) return h('td');
        const low = cell.confidence < 1;
        const td = h('td', { class: `cell${cell.isTotal ? ' total' : ''}${cell.confidence < LOW_CONFIDENCE ? ' lowconf' : ''}`, 'data-cell': cell.id, 'data-page': cell.page, title: `page ${cell.page}` , onclick: () => select(cell, false) },
          cell.text, low ? h('span', { class: 'conf' }, `${Math.round(cell.confidence * 100)}%`) : null);
        tdOf.set(cell.id, td);
        return td;
      })));
    const pages = t.pageStart === t.pageEnd ? `page ${t.pageStart}` : `pages ${t.pageStart}–${t.pageEnd}`;
    return h('div', { class: 'tablewrap', 'data-table': t.index },
      h('h4', {}, `${t.title} `, h('small', {}, `${t.kind} · ${pages} · ${t.unit ?? ''} · ${t.source}`)),
      h('table', { class: 'grid' }, head, ...rows));
  }

  function findingsList(findings: FindingJson[]): HTMLElement {
    if (!findings.length) return h('p', {}, 'No findings.');
    return h('details', { class: 'findings' }, h('summary', {}, `${findings.length} findings`),
      ...findings.map((f) => h('div', { class: 'finding', 'data-finding': f.id },
        h('div', {},
          h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); if (f.page) void goto(f.page, () => { if (f.box) highlight(f.box, 'finding'); }); } },
            h('b', { class: `sev-${f.severity}` }, f.severity), ` ${f.rule} · page ${f.page ?? '-'}`),
          h('div', {}, f.message), h('div', {}, `printed ${f.printed ?? '-'} · expected ${f.expected ?? '-'}`),
          verdictWidget(f, allowVerdicts)))));
  }

  if (json.pdf.available) {
    try {
      pdf = await openPdf(id);
    } catch (e) {
      box.replaceWith(h('div', { class: 'msg' }, `the PDF could not be opened: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
  await goto(pageNo);
  const f = json.findings.find((x) => x.id === focus.finding);
  if (f?.box && pdf) highlight(f.box, 'finding');
  box.dataset.firstPageMs = String(Math.round(performance.now() - started));
}
