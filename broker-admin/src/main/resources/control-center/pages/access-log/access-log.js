// Access log: the broker's security decisions as they happen (Server-Sent Events), filtered on the server by
// client, user, address, result and action; pause keeps the lines back until resumed. #/access-log/<client id> opens
// it filtered to that client.
import { html, nothing } from '../../lib.js';
import { stream, query, segment } from '../../api.js';
import { formValues, text } from '../../shell/ui.js';

const KEEP = 500;

export function accessLog(ctx) {
  let filters = { client: ctx.param || '', user: '', address: '', result: '', action: '' };
  let lines = [];
  let held = [];
  let paused = false;
  let dropped = 0;
  let state = 'connecting';
  let close = () => {};

  function connect() {
    close();
    lines = [];
    held = [];
    dropped = 0;
    close = stream(`/api/v1/events/access-log${query(filters)}`, {
      access: (e) => {
        if (paused) {
          held.push(e);
          if (held.length > KEEP) held.shift();
        } else {
          lines.unshift(e);
          if (lines.length > KEEP) lines.pop();
        }
        ctx.update();
      },
      dropped: (e) => { dropped += e.count; ctx.update(); },
    }, (s) => { state = s; ctx.update(); });
  }
  connect();

  function resume() {
    paused = false;
    lines = [...held.reverse(), ...lines].slice(0, KEEP);
    held = [];
    ctx.update();
  }

  return {
    stop() { close(); },
    view() {
      return html`<h1>Access log</h1>
        <form class="filters" role="search" @submit=${(e) => { e.preventDefault(); filters = formValues(e.target);
          connect(); }} data-testid="access-filters">
          <div class="field"><label for="a-client">Client id</label><input id="a-client" name="client"
            .value=${filters.client}></div>
          <div class="field"><label for="a-user">User name</label><input id="a-user" name="user" .value=${filters.user}>
          </div>
          ${ctx.can('data:address') ? html`<div class="field"><label for="a-address">Address or network</label>
            <input id="a-address" name="address" .value=${filters.address}></div>` : nothing}
          <div class="field"><label for="a-result">Result</label><select id="a-result" name="result">
            ${['', 'ALLOWED', 'DENIED'].map((v) => html`<option value=${v} ?selected=${filters.result === v}>${v || 'any'}
            </option>`)}</select></div>
          <div class="field"><label for="a-action">Action</label><select id="a-action" name="action">
            ${['', 'CONNECT', 'PUBLISH', 'SUBSCRIBE', 'WILL', 'AUTH', 'EXPIRED', 'TLS'].map((v) => html`<option
              value=${v} ?selected=${filters.action === v}>${v || 'any'}</option>`)}</select></div>
          <button type="submit">Apply</button>
          ${paused ? html`<button type="button" class="secondary" data-testid="resume" @click=${resume}>Resume
            (${held.length} new)</button>` : html`<button type="button" class="secondary" data-testid="pause"
            @click=${() => { paused = true; ctx.update(); }}>Pause</button>`}
        </form>
        <p class="muted" role="status">Live: ${state === 'open' ? 'connected' : state}.
          ${dropped ? html`${dropped} line(s) skipped because they came faster than they could be shown.` : nothing}</p>
        <div class="table-wrap"><table class="log" data-testid="access-lines">
          <thead><tr><th>Time</th><th>Decision</th><th>Client id / user</th><th>Address</th><th>Topic</th>
            <th>Decided by</th><th>Reason</th></tr></thead>
          <tbody>${lines.map((l) => html`<tr>
            <td class="nowrap">${new Date(l.time).toLocaleTimeString()}</td>
            <td class="nowrap">${l.action} <span class="badge ${l.result === 'ALLOWED' ? 'ok' : 'bad'}">${l.result}</span>
              ${l.kind ? html`<div class="muted">${l.kind}</div>` : nothing}</td>
            <td class="wrap">${l.client ? html`<a href="#/clients/${segment(l.client)}">${l.client}</a>` : '–'}
              ${l.user ? html`<div class="muted">${l.user}</div>` : nothing}</td>
            <td>${text(l.address)}</td><td class="mono wrap">${text(l.topic)}</td>
            <td class="wrap">${text(l.manager)}${l.realm ? html`<div class="muted">realm ${l.realm}</div>` : nothing}</td>
            <td class="reason">${text(l.reason)}${l.subject ? html`<div class="muted">${l.subject}</div>` : nothing}</td>
          </tr>`)}</tbody></table>
          ${lines.length ? nothing : html`<p class="empty">Waiting for decisions…</p>`}</div>`;
    },
  };
}
