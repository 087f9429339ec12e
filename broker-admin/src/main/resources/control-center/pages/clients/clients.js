// Clients: the server-side paged and filtered list, refreshed when clients connect or leave (Server-Sent Events),
// and a client's details with its actions.
import { html, nothing } from '../../lib.js';
import { get, stream, query, segment } from '../../api.js';
import { message, failed, pager, pagedList, formValues, time, text } from '../../shell/ui.js';
import { clientDetail } from './client-detail.js';

const PAGE_SIZE = 50;

export function clients(ctx) {
  return ctx.param ? clientDetail(ctx) : clientList(ctx);
}

function clientList(ctx) {
  const list = pagedList();
  let filters = { prefix: '', username: '', state: 'any', protocol: '' };
  let msg = null;
  let pending = null;

  async function load(cursor = null, background = false) {
    try {
      const f = filters.prefix.includes('*') ? { pattern: filters.prefix } : { prefix: filters.prefix };
      const page = await get(`/api/v1/clients${query({ ...f, username: filters.username,
        state: filters.state === 'any' ? '' : filters.state, protocol: filters.protocol, limit: PAGE_SIZE,
        cursor })}`, { background });
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

  // A change somewhere in the broker: reload the page shown (at most once a second).
  const close = stream('/api/v1/events/clients', {
    clients: () => {
      if (!pending) pending = setTimeout(() => { pending = null; load(list.cursor, true); }, 250);
    },
  });
  load();

  function search(e) {
    e.preventDefault();
    filters = { ...filters, ...formValues(e.target) };
    list.cursors = [];
    load();
  }

  return {
    stop() { close(); clearTimeout(pending); },
    view() {
      return html`<h1>Clients</h1>
        <form class="filters" @submit=${search} role="search" data-testid="client-filters">
          <div class="field"><label for="f-prefix">Client id (prefix, or pattern with *)</label>
            <input id="f-prefix" name="prefix" .value=${filters.prefix}></div>
          <div class="field"><label for="f-user">User name</label>
            <input id="f-user" name="username" .value=${filters.username}></div>
          <div class="field"><label for="f-state">State</label>
            <select id="f-state" name="state">${['any', 'connected', 'offline'].map((s) =>
              html`<option ?selected=${filters.state === s}>${s}</option>`)}</select></div>
          <div class="field"><label for="f-protocol">Protocol</label>
            <select id="f-protocol" name="protocol">${[['', 'any'], ['5', 'MQTT 5'], ['4', 'MQTT 3.1.1'],
              ['3', 'MQTT 3.1']].map(([v, l]) => html`<option value=${v} ?selected=${filters.protocol === v}>${l}
              </option>`)}</select></div>
          <button type="submit">Search</button>
        </form>
        ${message(msg)}
        <div class="table-wrap"><table data-testid="client-list">
          <thead><tr><th>Client id</th><th>State</th><th>User name</th><th>Listener</th><th>Protocol</th>
            <th>Connected since</th>${ctx.can('data:address') ? html`<th>Address</th>` : nothing}</tr></thead>
          <tbody>${list.items.map((c) => html`<tr data-client=${c.clientId}>
            <td><a href="#/clients/${segment(c.clientId)}" data-testid="client-link">${c.clientId}</a></td>
            <td><span class="badge ${c.connected ? 'ok' : ''}">${c.connected ? 'connected' : 'offline'}</span></td>
            <td>${text(c.username)}</td><td>${text(c.listener)}</td><td>${protocol(c.protocolVersion)}</td>
            <td>${time(c.connectedSince)}</td>
            ${ctx.can('data:address') ? html`<td>${c.address ? `${c.address}:${c.port}` : '–'}</td>` : nothing}
          </tr>`)}</tbody></table>
          ${list.loaded && !list.items.length ? html`<p class="empty">No client matches.</p>` : nothing}</div>
        ${pager(list, load)}`;
    },
  };
}

export function protocol(v) {
  return v === 5 ? 'MQTT 5' : v === 4 ? 'MQTT 3.1.1' : v === 3 ? 'MQTT 3.1' : '–';
}
