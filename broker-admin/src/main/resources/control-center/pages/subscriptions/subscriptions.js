// Subscriptions in (client id, filter) order, by client or filter; shared subscriptions with their group's members.
import { html, nothing } from '../../lib.js';
import { get, query, segment } from '../../api.js';
import { message, failed, pager, pagedList, formValues, text } from '../../shell/ui.js';

export function subscriptions(ctx) {
  const list = pagedList();
  let filters = { client: '', filter: '' };
  let msg = null;

  async function load(cursor = null) {
    try {
      const page = await get(`/api/v1/subscriptions${query({ ...filters, limit: 100, cursor })}`);
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
      return html`<h1>Subscriptions</h1>
        <form class="filters" role="search" @submit=${(e) => { e.preventDefault(); filters = formValues(e.target);
          list.cursors = []; load(); }}>
          <div class="field"><label for="s-client">Client id</label><input id="s-client" name="client"
            .value=${filters.client}></div>
          <div class="field"><label for="s-filter">Topic filter (exactly as subscribed, $share/... included)</label>
            <input id="s-filter" name="filter" .value=${filters.filter}></div>
          <button type="submit">Search</button></form>
        ${message(msg)}
        <div class="table-wrap"><table data-testid="subscription-list">
          <thead><tr><th>Client id</th><th>Filter</th><th>QoS</th><th>Shared group</th><th>Group members</th></tr>
          </thead><tbody>${list.items.map((s) => html`<tr>
            <td>${ctx.can('clients:read') ? html`<a href="#/clients/${segment(s.clientId)}">${s.clientId}</a>`
              : s.clientId}</td>
            <td class="mono">${s.filter}</td><td>${s.qos}</td><td>${text(s.shareGroup)}</td>
            <td>${s.groupMembers && s.groupMembers.length ? s.groupMembers.join(', ') : '–'}</td></tr>`)}</tbody>
        </table>${list.loaded && !list.items.length ? html`<p class="empty">No subscription matches.</p>` : nothing}
        </div>${pager(list, load)}`;
    },
  };
}
