// Retained messages by topic filter; the payload (hex, UTF-8 or JSON) only for callers with data:payload, delete
// with retained:delete.
import { html, nothing } from '../../lib.js';
import { get, del, query, segment } from '../../api.js';
import { message, ok, failed, pager, pagedList, formValues, text } from '../../shell/ui.js';

export function retained(ctx) {
  const list = pagedList();
  let filter = '#';
  let msg = null;
  let selected = null;
  let mode = 'utf8';
  let confirmDelete = false;

  async function load(cursor = null) {
    try {
      const page = await get(`/api/v1/retained${query({ filter, limit: 100, cursor })}`);
      list.items = page.items;
      list.cursor = cursor;
      list.next = page.nextCursor;
      list.loaded = true;
    } catch (e) {
      msg = failed(e);
    }
    ctx.update();
  }
  load();

  async function open(topic) {
    confirmDelete = false;
    try {
      selected = await get(`/api/v1/retained/${segment(topic)}`);
      msg = null;
    } catch (e) {
      msg = failed(e);
    }
    ctx.update();
  }

  async function remove() {
    try {
      await del(`/api/v1/retained/${segment(selected.topic)}`);
      msg = ok(`The retained message of ${selected.topic} was deleted.`);
      selected = null;
    } catch (e) {
      msg = failed(e);
    }
    await load(list.cursor);
  }

  return {
    view() {
      return html`<h1>Retained messages</h1>
        <form class="filters" role="search" @submit=${(e) => { e.preventDefault(); filter = formValues(e.target).filter
          || '#'; list.cursors = []; selected = null; load(); }}>
          <div class="field"><label for="r-filter">Topic filter</label><input id="r-filter" name="filter"
            .value=${filter}></div><button type="submit">Search</button></form>
        ${message(msg)}
        <div class="grid2">
          <div><div class="table-wrap"><table data-testid="retained-list">
            <thead><tr><th>Topic</th><th class="num">QoS</th><th class="num">Size</th></tr></thead>
            <tbody>${list.items.map((m) => html`<tr><td><a href="#/retained" class="mono" data-testid="retained-link"
              @click=${(e) => { e.preventDefault(); open(m.topic); }}>${m.topic}</a></td><td class="num">${m.qos}</td>
              <td class="num">${m.payloadSize} B</td></tr>`)}</tbody></table>
            ${list.loaded && !list.items.length ? html`<p class="empty">No retained message matches.</p>` : nothing}
          </div>${pager(list, load)}</div>
          ${selected ? details(selected) : nothing}
        </div>`;
    },
  };

  function details(m) {
    const hasPayload = typeof m.payloadBase64 === 'string';
    return html`<section class="panel" data-testid="retained-details"><h2 class="mono">${m.topic}</h2>
      <dl class="facts"><dt>QoS</dt><dd>${m.qos}</dd><dt>Size</dt><dd>${m.payloadSize} bytes</dd>
        <dt>SHA-256</dt><dd class="mono">${m.payloadSha256}</dd><dt>Content type</dt><dd>${text(m.contentType)}</dd>
        <dt>Response topic</dt><dd>${text(m.responseTopic)}</dd></dl>
      ${hasPayload ? html`<div class="toolbar" role="group" aria-label="Payload view">
          ${[['utf8', 'UTF-8'], ['json', 'JSON'], ['hex', 'Hex']].map(([v, l]) => html`<button
            class=${mode === v ? '' : 'secondary'} aria-pressed=${mode === v} @click=${() => { mode = v;
            ctx.update(); }}>${l}</button>`)}</div>
        <pre data-testid="payload">${payloadText(m, mode)}</pre>
        ${m.userProperties && m.userProperties.length ? html`<h3>User properties</h3><dl class="facts">
          ${m.userProperties.map((p) => html`<dt>${p.name}</dt><dd>${p.value}</dd>`)}</dl>` : nothing}`
        : html`<p class="muted" data-testid="payload-hidden">The payload is shown only with the permission
          data:payload.</p>`}
      ${ctx.can('retained:delete') ? html`<div class="actions">${confirmDelete
        ? html`<span>Delete this retained message?</span><button class="danger" data-testid="confirm"
            @click=${remove}>Confirm</button><button class="secondary" @click=${() => { confirmDelete = false;
            ctx.update(); }}>Cancel</button>`
        : html`<button class="danger" data-testid="action-delete-retained" @click=${() => { confirmDelete = true;
            ctx.update(); }}>Delete</button>`}</div>` : nothing}
    </section>`;
  }
}

function bytes(base64) {
  const raw = atob(base64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function payloadText(m, mode) {
  const b = bytes(m.payloadBase64);
  if (mode === 'hex') {
    const lines = [];
    for (let i = 0; i < b.length; i += 16) {
      const chunk = Array.from(b.slice(i, i + 16));
      lines.push(`${i.toString(16).padStart(6, '0')}  ${chunk.map((x) => x.toString(16).padStart(2, '0')).join(' ')}`);
    }
    return lines.join('\n') || '(empty)';
  }
  if (m.payloadUtf8 === null || m.payloadUtf8 === undefined) return '(not UTF-8: use the hex view)';
  if (mode === 'json') {
    try { return JSON.stringify(JSON.parse(m.payloadUtf8), null, 2); } catch (e) { return `(not JSON) ${m.payloadUtf8}`; }
  }
  return m.payloadUtf8 || '(empty)';
}
