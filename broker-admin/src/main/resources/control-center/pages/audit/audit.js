// Audit log: every administrative action, filtered by actor, action, target and time, newest first (or in file order).
import { html, nothing } from '../../lib.js';
import { get, query } from '../../api.js';
import { message, failed, pager, pagedList, formValues, time, text } from '../../shell/ui.js';

export function audit(ctx) {
  const list = pagedList();
  let filters = { actor: '', action: '', target: '', since: '', until: '', order: 'newest' };
  let msg = null;

  async function load(cursor = null) {
    try {
      const iso = (v) => (v ? new Date(v).toISOString() : '');
      const page = await get(`/api/v1/audit${query({ ...filters, since: iso(filters.since), until: iso(filters.until),
        limit: 100, cursor })}`);
      list.items = page.items;
      list.cursor = cursor;
      list.next = page.nextCursor;
      list.loaded = true;
      msg = null;
    } catch (e) {
      msg = failed(e);
    }
    ctx.update();
  }
  load();

  return {
    view() {
      return html`<h1>Audit log</h1>
        <form class="filters" role="search" @submit=${(e) => { e.preventDefault(); filters = formValues(e.target);
          list.cursors = []; load(); }}>
          <div class="field"><label for="au-actor">Actor</label><input id="au-actor" name="actor" .value=${filters.actor}>
          </div>
          <div class="field"><label for="au-action">Action (or prefix ending in .)</label><input id="au-action"
            name="action" .value=${filters.action}></div>
          <div class="field"><label for="au-target">Target</label><input id="au-target" name="target"
            .value=${filters.target}></div>
          <div class="field"><label for="au-since">Since</label><input id="au-since" name="since" type="datetime-local"
            .value=${filters.since}></div>
          <div class="field"><label for="au-until">Until</label><input id="au-until" name="until" type="datetime-local"
            .value=${filters.until}></div>
          <div class="field"><label for="au-order">Order</label><select id="au-order" name="order">
            ${[['newest', 'newest first'], ['oldest', 'oldest first']].map(([v, label]) => html`<option value=${v}
              ?selected=${filters.order === v}>${label}</option>`)}</select></div>
          <button type="submit">Search</button></form>
        ${message(msg)}
        <div class="table-wrap"><table class="log" data-testid="audit-list">
          <thead><tr><th class="num">Line</th><th>Time</th><th>Actor</th><th>Method</th><th>Action</th><th>Target</th>
            <th>Result</th><th class="num">Status</th><th>Detail</th></tr></thead>
          <tbody>${list.items.map((a) => html`<tr><td class="num">${a.line}</td><td>${time(a.time)}</td>
            <td>${a.actor}</td><td>${text(a.method)}</td><td>${a.action}</td><td class="wrap">${text(a.target)}</td>
            <td><span class="badge ${a.result === 'success' ? 'ok' : 'bad'}">${a.result}</span></td>
            <td class="num">${a.status}</td><td class="reason">${text(a.detail)}</td></tr>`)}</tbody></table>
          ${list.loaded && !list.items.length ? html`<p class="empty">No audit line matches.</p>` : nothing}</div>
        ${pager(list, load)}`;
    },
  };
}
