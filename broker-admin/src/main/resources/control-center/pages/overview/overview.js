// Overview: live charts of the broker's counters (Server-Sent Events, one sample a second), health, listeners,
// version and uptime.
import { html, nothing, UPlot } from '../../lib.js';
import { stream } from '../../api.js';
import { fmt, rate, duration, text } from '../../shell/ui.js';

const WINDOW = 180;
/** The charts show at least this many seconds, and up to WINDOW as samples come in. */
const MIN_SPAN = 30;

const CHARTS = [
  { id: 'connections', title: 'Connections', series: [['Open connections', (s) => s.connections]] },
  { id: 'connects', title: 'Connects per second', series: [
    ['Accepted', (s, p, dt) => perSecond(s.connectsAccepted, p && p.connectsAccepted, dt)],
    ['Refused', (s, p, dt) => perSecond(s.connectsRefused, p && p.connectsRefused, dt)]] },
  { id: 'messages', title: 'Messages per second', series: [
    ['In', (s, p, dt) => perSecond(s.messagesReceived, p && p.messagesReceived, dt)],
    ['Out', (s, p, dt) => perSecond(s.messagesSent, p && p.messagesSent, dt)]] },
  { id: 'dropped', title: 'Dropped messages per second', series: [
    ['Dropped', (s, p, dt) => perSecond(s.messagesDropped, p && p.messagesDropped, dt)]] },
  { id: 'security', title: 'Security refusals per second', series: [
    ['Authentication failures', (s, p, dt) => perSecond(s.authenticationFailures, p && p.authenticationFailures, dt)],
    ['Authorization denials', (s, p, dt) => perSecond(s.authorizationDenials, p && p.authorizationDenials, dt)],
    ['TLS handshake failures', (s, p, dt) => perSecond(s.tlsHandshakeFailures, p && p.tlsHandshakeFailures, dt)]] },
];

function perSecond(now, before, dt) {
  if (before === undefined || before === null || !dt) return null;
  return Math.max(0, (now - before) / dt);
}

export function overview(ctx) {
  const data = Object.fromEntries(CHARTS.map((c) => [c.id, [[], ...c.series.map(() => [])]]));
  const plots = {};
  let last = null;
  let lastTime = null;
  let connection = 'connecting';
  const close = stream('/api/v1/events/metrics', {
    metrics: (sample) => {
      const t = Date.parse(sample.time) / 1000;
      const dt = lastTime === null ? null : t - lastTime;
      for (const c of CHARTS) {
        const d = data[c.id];
        d[0].push(t);
        c.series.forEach(([, f], i) => d[i + 1].push(f(sample, last, dt)));
        if (d[0].length > WINDOW) d.forEach((a) => a.shift());
        if (plots[c.id]) plots[c.id].setData(d);
      }
      last = sample;
      lastTime = t;
      ctx.update();
    },
  }, (s) => { connection = s; ctx.update(); });
  const resize = () => Object.values(plots).forEach((p) => p.setSize(size(p.root.parentElement)));
  window.addEventListener('resize', resize);

  function latestRate(id, series) {
    const d = data[id][series];
    return d.length ? d[d.length - 1] : null;
  }

  return {
    stop() {
      close();
      window.removeEventListener('resize', resize);
      Object.values(plots).forEach((p) => p.destroy());
    },
    afterRender() {
      for (const c of CHARTS) {
        const el = document.getElementById(`plot-${c.id}`);
        if (el && !plots[c.id]) plots[c.id] = new UPlot(options(c, el), data[c.id], el);
      }
    },
    view() {
      const s = last;
      const health = s ? s.health : null;
      return html`
        <h1>Overview</h1>
        <p class="muted" data-testid="stream-state" data-samples=${data.connections[0].length}>Live updates:
          ${connection === 'open' ? 'connected' : connection}.</p>
        <div class="cards" data-testid="overview-cards">
          ${card('Health', health ? html`<span class="badge ${health.status === 'UP' ? 'ok' : 'bad'}"
            data-testid="health">${health.status}</span>` : '–')}
          ${card('Connections', fmt(s && s.connections), 'connections')}
          ${card('Sessions', fmt(s && s.sessions))}
          ${card('Subscriptions', fmt(s && s.subscriptions))}
          ${card('Retained messages', fmt(s && s.retainedMessages))}
          ${card('Messages in / s', rate(latestRate('messages', 1)))}
          ${card('Messages out / s', rate(latestRate('messages', 2)))}
          ${card('Uptime', duration(s && s.uptimeSeconds), 'uptime', true)}
          ${card('Version', text(s && s.version), 'version', true)}
        </div>
        ${health && health.reasons && health.reasons.length ? html`<div class="msg error" role="status">
          ${health.reasons.map((r) => html`<div>${r}</div>`)}</div>` : nothing}
        <div class="charts">
          ${CHARTS.map((c) => html`<section class="chart" aria-label=${c.title}><h3>${c.title}</h3>
            <div class="plot" id="plot-${c.id}"></div></section>`)}
        </div>
        <h2>Listeners</h2>
        <div class="table-wrap"><table data-testid="listeners">
          <thead><tr><th>Name</th><th>Type</th><th>Address</th><th class="num">Port</th><th>Status</th></tr></thead>
          <tbody>${(s ? s.listeners : []).map((l) => html`<tr><td>${l.name}</td><td>${l.type}</td><td>${l.bind}</td>
            <td class="num">${l.port ?? '–'}</td><td><span class="badge ${l.up ? 'ok' : 'bad'}">${l.up ? 'up'
              : 'down'}</span></td></tr>`)}</tbody></table></div>`;
    },
  };
}

function card(label, value, id, small = false) {
  return html`<div class="card"><div class="label">${label}</div>
    <div class="value ${small ? 'small' : ''}" data-testid=${id ? `card-${id}` : nothing}>${value}</div></div>`;
}

function size(el) {
  return { width: Math.max(200, el.clientWidth), height: 170 };
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** The time axis spans the samples there are, at least MIN_SPAN seconds back from the newest (a single sample too). */
function timeRange(u) {
  const times = u.data[0];
  const newest = times.length ? times[times.length - 1] : Date.now() / 1000;
  const oldest = times.length ? times[0] : newest;
  return [Math.min(oldest, newest - MIN_SPAN), newest];
}

function options(chart, el) {
  const colors = [cssVar('--chart-1'), cssVar('--chart-2'), cssVar('--chart-3')];
  const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--chart-grid'), width: 1 },
    ticks: { stroke: cssVar('--chart-grid'), width: 1 } };
  return {
    ...size(el),
    legend: { show: true, live: false },
    padding: [10, 36, 0, 0],
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: timeRange }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
    axes: [{ ...axis, space: 80, values: (u, splits) => splits.map((v) => new Date(v * 1000).toLocaleTimeString()) },
      { ...axis, size: 56 }],
    series: [{}, ...chart.series.map(([label], i) => ({ label, stroke: colors[i], width: 2,
      value: (u, v) => (v === null || v === undefined ? '–' : rate(v)) }))],
  };
}
