// The policy simulator: would this identity (a realm user, or a name with roles) be allowed to publish, subscribe or
// receive? Each answer names the rule that decided and where it is written.
import { html, nothing } from '../../lib.js';
import { post } from '../../api.js';
import { message, failed, formValues, text } from '../../shell/ui.js';

const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);

export function simulator(ctx) {
  let kind = 'user';
  let answer = null;
  let msg = null;

  async function check(e) {
    e.preventDefault();
    const v = formValues(e.target);
    const body = {
      listener: v.listener || undefined,
      clientId: v.clientId || undefined,
      checks: [{ action: v.action, topic: v.topic, qos: Number(v.qos), retain: v.action === 'publish' && v.retain === 'on' }],
    };
    if (kind === 'user') {
      body.user = v.user;
      body.realm = v.realm || undefined;
    } else {
      body.identity = { name: v.name, roles: list(v.roles), realm: v.realm || undefined };
    }
    try {
      answer = await post('/api/v1/policy/check', body);
      msg = null;
    } catch (err) {
      answer = null;
      msg = failed(err);
    }
    ctx.update();
  }

  const verdict = (allowed) => html`<span class="badge ${allowed ? 'ok' : 'bad'}" data-testid="verdict">${allowed
    ? 'allowed' : 'denied'}</span>`;

  function rule(r) {
    if (!r) return html`<span class="muted">no rule</span>`;
    return html`<span class="mono">${r.effect || 'allow'} ${r.activity || 'all'} ${r.topic ?? r.clientId}</span>${r.compiled
      && r.compiled !== (r.topic ?? r.clientId) ? html` <span class="muted">(here: <span class="mono">${r.compiled}</span>)</span>`
      : nothing}`;
  }

  function result() {
    if (!answer) return nothing;
    const a = answer;
    return html`<div class="panel" data-testid="policy-answer">
      <dl class="facts">
        <dt>Identity</dt><dd>${a.identity ? html`${a.identity.name} (${a.identity.source}${a.identity.realm
          ? `, realm ${a.identity.realm}` : ''}), roles ${a.identity.roles.length ? a.identity.roles.join(', ') : '–'}`
          : '–'}</dd>
        <dt>Listener</dt><dd>${text(a.listener)}, pipeline ${text(a.pipeline)}</dd>
        <dt>Connect</dt><dd data-testid="policy-connect">${a.connect ? html`${verdict(a.connect.allowed)}
          ${text(a.connect.reason)}` : '–'}</dd></dl>
      <div class="table-wrap"><table data-testid="policy-results"><thead><tr><th>Action</th><th>Topic</th><th>QoS</th>
        <th>Result</th><th>Why</th><th>Deciding rule</th><th>Written in</th></tr></thead>
        <tbody>${(a.results || []).map((r) => html`<tr><td>${r.action}${r.retain ? ' (retain)' : ''}</td>
          <td class="mono">${r.topic}</td><td>${r.qos}</td><td>${verdict(r.allowed)}</td>
          <td data-testid="policy-reason">${text(r.reason)}</td><td>${rule(r.rule)}</td>
          <td data-testid="policy-origin">${r.rule && r.rule.origin ? text(r.rule.origin.description) : '–'}</td>
          </tr>`)}</tbody></table></div></div>`;
  }

  return {
    view() {
      return html`<h2>Policy simulator</h2>
        <p class="muted">Would the broker let this identity do this? The answer comes from the broker's own policy,
          with the rule that decided.</p>
        <form class="filters" @submit=${check} data-testid="policy-form">
          <div class="field"><label for="p-kind">Who</label><select id="p-kind" name="kind"
            @change=${(e) => { kind = e.target.value; ctx.update(); }}>
            <option value="user" ?selected=${kind === 'user'}>a realm user</option>
            <option value="identity" ?selected=${kind === 'identity'}>a name with roles</option></select></div>
          ${kind === 'user' ? html`<div class="field"><label for="p-user">User name</label><input id="p-user" name="user"
            required></div>` : html`<div class="field"><label for="p-name">Identity</label><input id="p-name" name="name"
            required></div><div class="field"><label for="p-roles">Roles (comma separated)</label><input id="p-roles"
            name="roles"></div>`}
          <div class="field"><label for="p-realm">Realm (optional)</label><input id="p-realm" name="realm"></div>
          <div class="field"><label for="p-listener">Listener (optional)</label><input id="p-listener" name="listener">
          </div>
          <div class="field"><label for="p-client">Client id (optional)</label><input id="p-client" name="clientId">
          </div>
          <div class="field"><label for="p-action">Action</label><select id="p-action" name="action">
            <option value="publish">publish</option><option value="subscribe">subscribe</option>
            <option value="receive">receive</option></select></div>
          <div class="field"><label for="p-topic">Topic or filter</label><input id="p-topic" name="topic" required></div>
          <div class="field"><label for="p-qos">QoS</label><select id="p-qos" name="qos"><option value="0">0</option>
            <option value="1">1</option><option value="2">2</option></select></div>
          <div class="field"><label for="p-retain">Retain</label><input type="checkbox" id="p-retain" name="retain">
          </div>
          <button type="submit">Check</button></form>
        ${message(msg)}${result()}`;
    },
  };
}
