// Small pieces shared by the pages.
import { html, nothing } from '../lib.js';

export const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
export const rate = (n) => (n === null || n === undefined ? '–'
  : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n < 10 ? 2 : 1));
export const time = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
export const text = (v) => (v === null || v === undefined || v === '' ? '–' : String(v));

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

/** A topic or client-id rule in one line: "allow publish plant/+/telemetry", "deny client id test-*". */
export const ruleText = (r) => (r.topic !== undefined ? `${r.effect || 'allow'} ${r.activity || 'all'} ${r.topic}`
  : `${r.effect || 'allow'} client id ${r.clientId}`);

/** An error or success line. */
export function message(m) {
  if (!m) return nothing;
  return html`<p class="msg ${m.error ? 'error' : 'ok'}" role=${m.error ? 'alert' : 'status'}
    data-testid=${m.error ? 'error' : 'status'}>${m.text}</p>`;
}

export const ok = (textValue) => ({ error: false, text: textValue });
export const failed = (e) => ({ error: true, text: e.message || String(e) });

/** Previous/next buttons over cursor paging. */
export function pager(list, load) {
  return html`<div class="pager">
    <button class="secondary" ?disabled=${list.cursors.length === 0} @click=${() => load(list.cursors.pop() ?? null, true)}
      data-testid="previous">Previous</button>
    <button class="secondary" ?disabled=${!list.next} @click=${() => { list.cursors.push(list.cursor); load(list.next); }}
      data-testid="next">Next</button>
    <span class="muted">${list.items.length} shown</span></div>`;
}

/** A paged list's state: items, the cursor of this page, the next one and those before. */
export const pagedList = () => ({ items: [], cursor: null, next: null, cursors: [], loaded: false });

/** Reads a form's named fields into an object. */
export function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}
