// Topics: the busiest topics and topic levels (messages and bytes per second, in and out) and the filters with the
// most subscribers, from GET /api/v1/insights/topics; refreshed every 5 s while the page is open.
import { html, nothing } from '../../lib.js';
import { get, query } from '../../api.js';
import { message, failed, rate, fmt, time, duration } from '../../shell/ui.js';

const ORDERS = [['messages-in', 'messages in'], ['bytes-in', 'bytes in'], ['messages-out', 'messages out'],
  ['bytes-out', 'bytes out']];

export function topics(ctx) {
  let by = 'messages-in';
  let data = null;
  let msg = null;
  let timer = null;

  async function load(background = false) {
    try {
      data = await get(`/api/v1/insights/topics${query({ by, limit: 20 })}`, { background });
      msg = null;
    } catch (e) {
      msg = failed(e);
    }
    ctx.update();
  }
  load();
  timer = setInterval(() => load(true), 5000);

  const rates = (rows, key, testid, label) => html`<div class="table-wrap"><table data-testid=${testid}>
    <thead><tr><th>${label}</th><th class="num">Messages in/s</th><th class="num">Bytes in/s</th>
      <th class="num">Messages out/s</th><th class="num">Bytes out/s</th><th class="num">Messages in</th>
      <th class="num">Messages out</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr><td class="mono">${r[key]}</td>
      <td class="num">${rate(r.messagesInPerSecond)}</td><td class="num">${rate(r.bytesInPerSecond)}</td>
      <td class="num">${rate(r.messagesOutPerSecond)}</td><td class="num">${rate(r.bytesOutPerSecond)}</td>
      <td class="num">${fmt(r.messagesIn)}</td><td class="num">${fmt(r.messagesOut)}</td></tr>`)}</tbody></table>
    ${rows.length ? nothing : html`<p class="empty">No traffic in this window yet.</p>`}</div>`;

  return {
    view() {
      return html`<h1>Topics</h1>
        <form class="filters" @submit=${(e) => e.preventDefault()}>
          <div class="field"><label for="t-by">Busiest by</label><select id="t-by" data-testid="topics-by"
            @change=${(e) => { by = e.target.value; load(); }}>
            ${ORDERS.map(([v, label]) => html`<option value=${v} ?selected=${by === v}>${label}</option>`)}</select>
          </div></form>
        ${message(msg)}
        ${data ? html`<p class="muted" data-testid="topics-span">Rates over the last ${duration(data.spanSeconds)},
            updated ${time(data.updated)}. Counts are estimates: never below the real count.</p>
          <h2>Topics</h2>${rates(data.topics, 'topic', 'topic-list', 'Topic')}
          <h2>Topic levels (first ${data.levelDepth} levels)</h2>${rates(data.levels, 'level', 'level-list', 'Level')}
          <h2>Filters with the most subscribers</h2>
          <div class="table-wrap"><table data-testid="filter-list">
            <thead><tr><th>Filter</th><th class="num">Subscribers</th><th class="num">Of them shared</th></tr></thead>
            <tbody>${data.filters.map((f) => html`<tr><td class="mono">${f.filter}</td>
              <td class="num">${fmt(f.subscribers)}</td><td class="num">${fmt(f.shared)}</td></tr>`)}</tbody></table>
            ${data.filters.length ? nothing : html`<p class="empty">No subscriptions.</p>`}</div>` : nothing}`;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
