// A finding's verdict buttons (confirmed / false alarm / unsure) and note; disabled when the server
// is read-only (started without --allow-verdicts).
import type { Verdict } from '../../analyze/verdicts.js';
import type { FindingJson, VerdictJson } from '../types.js';
import { h, postJson } from './dom.js';

const LABELS: Record<Verdict, string> = { confirmed: 'confirmed', false_alarm: 'false alarm', unsure: 'unsure' };

export function verdictWidget(f: FindingJson, allowVerdicts: boolean, onSaved?: () => void): HTMLElement {
  const note = h('input', { type: 'text', placeholder: 'note', size: 28, value: f.verdict?.note ?? '', disabled: !allowVerdicts, class: 'note' });
  const status = h('span', { class: 'status' });
  const buttons = (Object.keys(LABELS) as Verdict[]).map((v) => h('button', {
    'data-verdict': v, disabled: !allowVerdicts, class: f.verdict?.verdict === v ? 'on' : null,
    title: allowVerdicts ? '' : 'read-only: start yusuan serve with --allow-verdicts',
    onclick: () => void save(v),
  }, LABELS[v]));
  async function save(v: Verdict): Promise<void> {
    try {
      const saved = await postJson<VerdictJson>('/api/verdicts', { findingId: f.id, verdict: v, note: note.value });
      f.verdict = saved;
      for (const b of buttons) b.classList.toggle('on', b.dataset.verdict === saved.verdict);
      status.textContent = ` saved ${saved.decidedAt.slice(0, 19).replace('T', ' ')}`;
      onSaved?.();
    } catch (e) {
      status.textContent = ` ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return h('div', { class: 'verdict', 'data-finding': f.id }, ...buttons, note, status);
}
