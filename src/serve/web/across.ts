// Across documents: each department's totals, basic / project and 三公 over the years as small
// inline-SVG charts, and the vocabulary of table titles and column labels with rare variants marked.
import type { DepartmentJson, SeriesPoint, VocabularyJson } from '../types.js';
import { getJson, h, show } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 260;
const H = 120;
const PAD = 28;
const FEN_PER_WAN = 1_000_000; // 1 万元 = 10,000 元 = 1,000,000 分 (labels only; amounts stay integers)

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** A small line chart of some series over the years (one line per series). */
function chart(title: string, points: SeriesPoint[], series: { name: string; color: string; of: (p: SeriesPoint) => number | null }[]): Element {
  const years = [...new Set(points.map((p) => p.year))].sort((a, b) => a - b);
  const values = points.flatMap((p) => series.map((s) => s.of(p))).filter((v): v is number => v !== null);
  const max = Math.max(1, ...values);
  const x = (y: number) => PAD + (years.length === 1 ? (W - 2 * PAD) / 2 : ((years.indexOf(y)) / (years.length - 1)) * (W - 2 * PAD));
  const yOf = (v: number) => H - PAD / 2 - (v / max) * (H - PAD);
  const root = svg('svg', { width: W, height: H + 18, viewBox: `0 0 ${W} ${H + 18}`, class: 'chart' },
    svg('text', { x: 4, y: 12, 'font-size': 11 }, title),
    svg('text', { x: 4, y: 26, 'font-size': 9, fill: '#666' }, `max ${(max / FEN_PER_WAN).toFixed(2)} 万元`));
  root.append(svg('line', { x1: PAD / 2, y1: H - PAD / 2, x2: W - PAD / 2, y2: H - PAD / 2, stroke: '#bbb' }));
  for (const y of years) root.append(svg('text', { x: x(y) - 12, y: H + 12, 'font-size': 9 }, String(y)));
  series.forEach((s, i) => {
    const pts = points.filter((p) => s.of(p) !== null).map((p) => `${x(p.year)},${yOf(s.of(p)!)}`);
    if (pts.length > 1) root.append(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: s.color, 'stroke-width': 1.5 }));
    for (const p of pts) { const [cx, cy] = p.split(','); root.append(svg('circle', { cx, cy, r: 2.5, fill: s.color })); }
    root.append(svg('text', { x: W - 70, y: 12 + i * 11, 'font-size': 9, fill: s.color }, s.name));
  });
  return root;
}

export async function acrossView(): Promise<void> {
  const [deps, vocab] = await Promise.all([getJson<DepartmentJson[]>('/api/departments'), getJson<VocabularyJson>('/api/vocabulary')]);
  const withData = deps.filter((d) => d.series.length);
  show(
    h('h3', {}, `Departments over the years (${withData.length} with figures)`),
    ...withData.map((d) => h('div', { class: 'dept', 'data-department': d.id },
      h('h4', {}, `${d.name} `, h('small', {}, `${d.documents} documents`)),
      h('div', { class: 'charts' },
        chart('总计 / basic / project', d.series, [
          { name: 'total', color: '#2d3e50', of: (p) => p.totalFen },
          { name: 'basic', color: '#2a9d8f', of: (p) => p.basicFen },
          { name: 'project', color: '#e76f51', of: (p) => p.projectFen }]),
        chart('三公经费', d.series, [{ name: '三公', color: '#8e44ad', of: (p) => p.threePublicFen }])))),
    h('h3', {}, 'Vocabulary: table titles and column labels'),
    h('p', {}, 'Counts are documents; ', h('span', { class: 'rare' }, 'highlighted'), ' variants are rare beside a common one.'),
    vocabTable('Table titles by kind', vocab.titles),
    vocabTable('Column labels by key', vocab.columnLabels),
  );
}

function vocabTable(title: string, groups: VocabularyJson['titles']): HTMLElement {
  return h('details', { open: true }, h('summary', {}, title),
    h('table', { class: 'list vocab' }, h('tr', {}, h('th', {}, 'group'), h('th', {}, 'text'), h('th', { class: 'num' }, 'documents')),
      ...Object.entries(groups).flatMap(([g, entries]) => entries.map((e, i) => h('tr', { class: e.rare ? 'rare' : null },
        h('td', {}, i === 0 ? g : ''), h('td', {}, e.text), h('td', { class: 'num' }, String(e.count)))))));
}
