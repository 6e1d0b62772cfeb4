// Findings across documents, grouped by rule and document: each with its page cropped around the
// evidence, the printed and the expected value, and the verdict buttons.
import type { FindingGroup, FindingJson } from '../types.js';
import { getJson, h, show } from './dom.js';
import { cropCanvas, openPdf } from './pdf.js';
import { verdictWidget } from './verdict.js';

// Findings shown per document and rule before "more".
const SHOWN_PER_DOCUMENT = 20;
// Rules shown opened when there are this few (else only the most frequent).
const OPEN_GROUPS = 3;

export async function findingsView(allowVerdicts: boolean, params: URLSearchParams): Promise<void> {
  const groups = await getJson<FindingGroup[]>(`/api/findings?${params.toString()}`);
  // Crops are rendered when they come into view, one at a time (each renders a whole page).
  const pending = new Map<Element, () => Promise<void>>();
  let queue = Promise.resolve();
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const render = e.isIntersecting ? pending.get(e.target) : undefined;
      if (!render) continue;
      pending.delete(e.target);
      observer.unobserve(e.target);
      queue = queue.then(render);
    }
  });
  const summaries = new Map<FindingGroup, HTMLElement>();
  function summary(g: FindingGroup): HTMLElement {
    const el = summaries.get(g) ?? summaries.set(g, h('span', { class: 'counts' })).get(g)!;
    el.textContent = `${g.count} · confirmed ${g.verdicts.confirmed} · false alarm ${g.verdicts.false_alarm} · unsure ${g.verdicts.unsure}`;
    return el;
  }
  const counts = (g: FindingGroup): FindingGroup['verdicts'] => {
    const c = { confirmed: 0, false_alarm: 0, unsure: 0 };
    for (const f of g.documents.flatMap((d) => d.findings)) if (f.verdict) c[f.verdict.verdict]++;
    return c;
  };

  const total = groups.reduce((s, g) => s + g.count, 0);
  show(
    h('h3', {}, `${total} findings in ${groups.length} rules`, allowVerdicts ? null : h('small', {}, ' (read-only: start with --allow-verdicts to record verdicts)')),
    ...groups.map((g, i) => h('details', { class: 'rule', 'data-rule': g.rule, open: i === 0 || groups.length <= OPEN_GROUPS },
      h('summary', {}, h('b', {}, g.rule), ' ', summary(g)),
      ...g.documents.map((d) => h('div', { class: 'doc' },
        h('h4', {}, h('a', { href: `#/doc/${d.id}` }, d.fileName)),
        ...d.findings.slice(0, SHOWN_PER_DOCUMENT).map((f) => findingCard(d.id, d.pdf, f, () => { g.verdicts = counts(g); summary(g); })),
        d.findings.length > SHOWN_PER_DOCUMENT ? h('p', {}, `… ${d.findings.length - SHOWN_PER_DOCUMENT} more in the document view`) : null)))),
  );

  function findingCard(documentId: number, pdf: boolean, f: FindingJson, onSaved: () => void): HTMLElement {
    const crop = h('div', { class: 'crop', 'data-pdf': pdf && f.page && f.box ? true : null }, pdf && f.page && f.box ? 'rendering…' : pdf ? 'no box' : 'no PDF');
    if (pdf && f.page && f.box) {
      const page = f.page;
      const box = f.box;
      observer.observe(crop);
      pending.set(crop, async () => {
        try {
          crop.replaceChildren(await cropCanvas(await openPdf(documentId), page, box));
        } catch (e) {
          crop.textContent = e instanceof Error ? e.message : String(e);
        }
      });
    }
    return h('div', { class: 'finding', 'data-finding': f.id },
      crop,
      h('div', {},
        h('div', {}, h('b', { class: `sev-${f.severity}` }, f.severity), ` page ${f.page ?? '-'} · `, h('a', { href: `#/doc/${documentId}?page=${f.page ?? 1}&finding=${f.id}` }, 'open page')),
        h('div', {}, f.message),
        h('div', {}, 'printed ', h('b', { class: 'printed' }, f.printed ?? '-'), ' · expected ', h('b', { class: 'expected' }, f.expected ?? '-')),
        verdictWidget(f, allowVerdicts, onSaved)));
  }

}
