// One client: connection, TLS and certificate, identity and roles, session, inflight and queue, the limits in force,
// subscriptions, recent events (kept after it left); disconnect, delete the session, ban (each only with its permission).
import { html, nothing } from '../../lib.js';
import { get, del, post, segment, query } from '../../api.js';
import { message, ok, failed, time, text, fmt, ruleText } from '../../shell/ui.js';
import { protocol } from './clients.js';

export function clientDetail(ctx) {
  const id = ctx.param;
  let client = null;
  let events = null;
  let gone = false;
  let msg = null;
  let confirming = null;
  let reason = '';

  // The list answers 200 whether or not the client exists, so a client that left is no error in the console.
  async function load(background = false) {
    try {
      events = await loadEvents(id, background);
      const page = await get(`/api/v1/clients${query({ prefix: id, limit: 1 })}`, { background });
      if (!page.items.length || page.items[0].clientId !== id) {
        gone = true;
        client = null;
        clearInterval(refresh);
      } else {
        client = await get(`/api/v1/clients/${segment(id)}`, { background });
      }
    } catch (e) {
      msg = failed(e);
      clearInterval(refresh);
    }
    ctx.update();
  }
  const refresh = setInterval(() => load(true), 5000);
  load();

  async function act(action) {
    confirming = null;
    try {
      if (action === 'disconnect') {
        await del(`/api/v1/clients/${segment(id)}/connection${query({ reason })}`);
        msg = ok(`${id} was disconnected.`);
      } else if (action === 'delete') {
        await del(`/api/v1/clients/${segment(id)}/session${query({ reason })}`);
        msg = ok(`The session of ${id} was deleted.`);
      } else if (action === 'ban') {
        const ban = await post('/api/v1/bans', { kind: 'client-id', value: id, reason: reason || undefined });
        msg = ok(`${id} is banned (${ban.disconnectedSessions} session(s) disconnected).`);
      }
    } catch (e) {
      msg = failed(e);
    }
    await load();
  }

  function actionButton(action, label, permission, enabled = true) {
    if (!ctx.can(permission)) return nothing;
    return html`<button class="danger" ?disabled=${!enabled} data-testid="action-${action}"
      @click=${() => { confirming = action; ctx.update(); }}>${label}</button>`;
  }

  return {
    stop() { clearInterval(refresh); },
    view() {
      const c = client;
      return html`<p><a href="#/clients">← All clients</a></p>
        <h1>Client <span class="mono" data-testid="client-id">${id}</span></h1>
        ${message(msg)}
        ${gone ? html`<p class="msg" role="status" data-testid="client-gone">There is no session of this client (any
          more).</p>` : nothing}
        ${c ? html`
          <div class="actions bar">
            ${actionButton('disconnect', 'Disconnect', 'clients:disconnect', c.connected)}
            ${actionButton('delete', 'Delete session', 'sessions:delete')}
            ${actionButton('ban', 'Ban client id', 'bans:write')}
            <a class="button secondary" href="#/access-log/${segment(id)}" data-testid="client-access-log">Live access
              decisions</a>
          </div>
          ${confirming ? html`<div class="panel" role="dialog" aria-label="Confirm">
            <p>${confirming === 'disconnect' ? 'Disconnect' : confirming === 'delete' ? 'Delete the session of'
              : 'Ban'} <strong>${id}</strong>?</p>
            <div class="field"><label for="reason">Reason (optional, sent to MQTT 5 clients)</label>
              <input id="reason" maxlength="256" .value=${reason} @input=${(e) => { reason = e.target.value; }}></div>
            <div class="actions"><button class="danger" data-testid="confirm" @click=${() => act(confirming)}>Confirm
              </button><button class="secondary" @click=${() => { confirming = null; ctx.update(); }}>Cancel</button>
            </div></div>` : nothing}
          <div class="grid2">
            <section class="panel"><h2>Connection</h2><dl class="facts">
              <dt>State</dt><dd data-testid="client-state">${c.connected ? 'connected' : 'offline'}</dd>
              <dt>Listener</dt><dd>${text(c.listener)}</dd>
              ${'address' in c ? html`<dt>Address</dt><dd>${c.address ? `${c.address}:${c.port}` : '–'}</dd>` : nothing}
              <dt>Protocol</dt><dd>${protocol(c.protocolVersion)}</dd>
              <dt>Connected since</dt><dd>${time(c.connectedSince)}</dd>
              <dt>Keep alive</dt><dd>${c.keepAlive} s</dd>
              <dt>Clean start</dt><dd>${c.cleanStart === null ? '–' : c.cleanStart ? 'yes' : 'no'}</dd></dl></section>
            <section class="panel"><h2>Identity</h2><dl class="facts">
              <dt>User name</dt><dd>${text(c.username)}</dd>
              <dt>Identity</dt><dd>${text(c.identity)}</dd>
              <dt>Roles</dt><dd>${c.roles.length ? c.roles.join(', ') : '–'}</dd>
              <dt>Authenticated by</dt><dd>${text(c.authenticationManager)}</dd>
              <dt>Realm</dt><dd>${text(c.realm)}</dd></dl></section>
            <section class="panel"><h2>TLS</h2>${c.tls ? html`<dl class="facts">
              <dt>Protocol</dt><dd>${text(c.tls.protocol)}</dd><dt>Cipher</dt><dd>${text(c.tls.cipher)}</dd>
              <dt>Certificate</dt><dd>${text(c.tls.certificateSubject)}</dd>
              <dt>Serial</dt><dd>${text(c.tls.certificateSerial)}</dd>
              <dt>Issuer</dt><dd>${text(c.tls.certificateIssuer)}</dd>
              <dt>Valid until</dt><dd>${text(c.tls.certificateNotAfter)}</dd></dl>` : html`<p class="muted">Not over
              TLS.</p>`}</section>
            <section class="panel"><h2>Session</h2><dl class="facts">
              <dt>Session expiry</dt><dd>${c.sessionExpiryInterval} s</dd>
              <dt>Inflight</dt><dd>${c.inflight}</dd><dt>Queued</dt><dd>${c.queued}</dd></dl></section>
            ${c.limits ? limitsPanel(c.limits) : nothing}
          </div>
          <h2>Subscriptions</h2>
          <div class="table-wrap"><table data-testid="client-subscriptions">
            <thead><tr><th>Filter</th><th>QoS</th><th>Share group</th><th>No local</th><th>Retain as published</th>
              </tr></thead>
            <tbody>${c.subscriptions.map((s) => html`<tr><td class="mono">${s.filter}</td><td>${s.qos}</td>
              <td>${text(s.shareGroup)}</td><td>${s.noLocal ? 'yes' : 'no'}</td>
              <td>${s.retainAsPublished ? 'yes' : 'no'}</td></tr>`)}</tbody></table>
            ${c.subscriptions.length ? nothing : html`<p class="empty">No subscriptions.</p>`}</div>`
          : nothing}
        ${events ? eventsTable(events) : nothing}`;
    },
  };
}

/** The limits in force on the connection: the strictest of its listener's and its identity's. */
function limitsPanel(l) {
  const perSecond = (r, burst, unit) => (r === null || r === undefined ? 'no limit'
    : `${fmt(r)} ${unit}/s${burst === null || burst === undefined ? '' : `, burst ${fmt(burst)}`}`);
  return html`<section class="panel" data-testid="client-limits"><h2>Limits</h2><dl class="facts">
    <dt>Publish</dt><dd>${perSecond(l.messagesPerSecond, l.messageBurst, 'messages')}</dd>
    <dt>Publish bytes</dt><dd>${perSecond(l.bytesPerSecond, l.byteBurst, 'bytes')}</dd>
    <dt>Delivery</dt><dd>${perSecond(l.deliveriesPerSecond, l.deliveryBurst, 'messages')}</dd>
    <dt>Delivery bytes</dt><dd>${perSecond(l.deliveryBytesPerSecond, l.deliveryByteBurst, 'bytes')}</dd>
    <dt>Max packet size</dt><dd>${fmt(l.maxPacketSize)} bytes</dd>
    <dt>Over the rates</dt><dd>${l.disconnectAfterSeconds === null || l.disconnectAfterSeconds === undefined
      ? 'held back' : `disconnected after ${fmt(l.disconnectAfterSeconds)} s`}</dd></dl></section>`;
}

// The broker keeps no history of an id it has not seen lately (404): no events, no error.
async function loadEvents(id, background) {
  try {
    return (await get(`/api/v1/clients/${segment(id)}/events${query({ limit: 50 })}`, { background })).items;
  } catch (e) {
    if (e.status === 404) return [];
    throw e;
  }
}

/** What happened, in a few words, for one event of the client's history. */
function eventDetail(e) {
  const who = e.manager ? ` (${e.manager}${e.realm ? `, realm ${e.realm}` : ''})` : '';
  switch (e.type) {
    case 'connected': return `${text(e.listener)}, user ${text(e.username)}, ${protocol(e.protocolVersion)}${
      e.tls ? `, ${e.tls.protocol}` : ''}`;
    case 'connect-refused': return `reason code ${text(e.reasonCode)}: ${text(e.reason)}`;
    case 'disconnected': return `${text(e.close)}${e.reasonCode === null || e.reasonCode === undefined ? ''
      : `, reason code ${e.reasonCode}`}${e.reason ? `: ${e.reason}` : ''}`;
    case 'subscribed': case 'unsubscribed': return `${e.filter}${e.qos === undefined ? '' : ` QoS ${e.qos}`}`;
    case 'subscribe-denied': return `${e.filter} QoS ${e.qos}: ${text(e.reason)}${who}`;
    case 'publish-denied': return `${e.topic} QoS ${e.qos}: ${text(e.reason)}${who}`;
    case 'will-published': return `${e.topic} QoS ${e.qos}${e.retain ? ', retained' : ''}`;
    default: return e.reason || '';
  }
}

/** The rule that decided a denial, as the policy simulator names it, and where it is written. */
function decidingRule(e) {
  if (!e.verdict) return nothing;
  const r = e.rule;
  if (!r) return html`<div class="deciding-rule" data-testid="event-rule">Deciding rule: none, ${e.verdict}</div>`;
  const written = r.topic ?? r.clientId;
  return html`<div class="deciding-rule" data-testid="event-rule">Deciding rule: <span class="mono">${ruleText(r)}</span>${
    r.compiled && r.compiled !== written ? html` (here <span class="mono">${r.compiled}</span>)` : nothing}${r.origin
    ? html`<span class="muted">, ${r.origin.description}</span>` : nothing}</div>`;
}

function eventsTable(events) {
  const bad = (t) => t.endsWith('-denied') || t === 'connect-refused';
  return html`<h2>Recent events</h2>
    <div class="table-wrap"><table class="log" data-testid="client-events"><thead><tr><th>Time</th><th>Event</th>
      <th>Address</th><th>Details</th></tr></thead>
      <tbody>${events.map((e) => html`<tr data-event=${e.type}><td>${time(e.time)}</td>
        <td><span class="badge ${bad(e.type) ? 'bad' : ''}">${e.type}</span></td>
        <td>${e.address ? `${e.address}:${e.port}` : '–'}</td><td class="reason">${eventDetail(e)}${decidingRule(e)}</td></tr>`)}
      </tbody></table>${events.length ? nothing : html`<p class="empty">No recorded events.</p>`}</div>`;
}
