// Security: bans, API tokens (the secret shown once), the policy simulator, realm users and roles, and the caller's
// own permissions with where each comes from.
import { html, nothing } from '../../lib.js';
import { get, post, del, segment } from '../../api.js';
import { message, ok, failed, formValues, time, text } from '../../shell/ui.js';
import { simulator } from './simulator.js';
import { realms } from './realms.js';

export function security(ctx) {
  let bans = [];
  let tokens = [];
  let msg = null;
  let created = null;
  const policy = ctx.can('policy:check') ? simulator(ctx) : null;
  const realmUsers = ctx.can('users:read') ? realms(ctx) : null;

  async function load() {
    try {
      if (ctx.can('bans:read')) bans = (await get('/api/v1/bans?limit=1000')).items;
      if (ctx.can('tokens:write')) tokens = (await get('/api/v1/tokens?limit=1000')).items;
    } catch (e) {
      msg = failed(e);
    }
    ctx.update();
  }
  load();

  async function run(action, success) {
    try {
      const result = await action();
      msg = ok(success(result));
    } catch (e) {
      msg = failed(e);
    }
    await load();
  }

  function ban(e) {
    e.preventDefault();
    const v = formValues(e.target);
    const form = e.target;
    run(() => post('/api/v1/bans', { kind: v.kind, value: v.value, reason: v.reason || undefined,
      expiresIn: v.expiresIn || undefined }), (b) => {
      form.reset();
      return `Banned ${b.kind} ${b.value}; ${b.disconnectedSessions} live session(s) disconnected.`;
    });
  }

  function token(e) {
    e.preventDefault();
    const v = formValues(e.target);
    const form = e.target;
    run(() => post('/api/v1/tokens', { roles: v.roles.split(',').map((r) => r.trim()).filter(Boolean),
      expiresIn: v.expiresIn || undefined, source: v.source || undefined, description: v.description || undefined }),
    (t) => {
      created = t;
      form.reset();
      return `Token ${t.id} created.`;
    });
  }

  return {
    view() {
      return html`<h1>Security</h1>${message(msg)}
        ${ctx.can('bans:read') ? html`<h2>Bans</h2>
          ${ctx.can('bans:write') ? html`<form class="filters" @submit=${ban} data-testid="ban-form">
            <div class="field"><label for="b-kind">Kind</label><select id="b-kind" name="kind">
              <option value="client-id">client id</option><option value="username">user name</option>
              <option value="address">address or network</option></select></div>
            <div class="field"><label for="b-value">Value</label><input id="b-value" name="value" required></div>
            <div class="field"><label for="b-reason">Reason</label><input id="b-reason" name="reason" maxlength="512">
            </div>
            <div class="field"><label for="b-expires">Expires in (e.g. 12h, 7d; empty: never)</label>
              <input id="b-expires" name="expiresIn"></div>
            <button type="submit">Ban</button></form>` : nothing}
          <div class="table-wrap"><table data-testid="ban-list"><thead><tr><th>Kind</th><th>Value</th><th>Reason</th>
            <th>By</th><th>Since</th><th>Expires</th>${ctx.can('bans:write') ? html`<th></th>` : nothing}</tr></thead>
            <tbody>${bans.map((b) => html`<tr><td>${b.kind}</td><td class="mono">${b.value}</td><td>${text(b.reason)}</td>
              <td>${b.createdBy}</td><td>${time(b.createdAt)}</td><td>${b.expiresAt ? time(b.expiresAt) : 'never'}</td>
              ${ctx.can('bans:write') ? html`<td><button class="secondary" @click=${() => run(() =>
                del(`/api/v1/bans/${segment(b.id)}`), () => `The ban of ${b.value} was lifted.`)}>Lift</button></td>`
                : nothing}</tr>`)}</tbody></table>
            ${bans.length ? nothing : html`<p class="empty">No bans.</p>`}</div>` : nothing}
        ${ctx.can('tokens:write') ? html`<h2>API tokens</h2>
          ${created ? html`<div class="panel" role="status" data-testid="token-secret"><p>Copy the token now: it is
            shown only this once.</p><div class="secret">${created.token}</div>
            <p><button class="secondary" @click=${() => { created = null; ctx.update(); }}>Done</button></p></div>`
            : nothing}
          <form class="filters" @submit=${token} data-testid="token-form">
            <div class="field"><label for="t-roles">Roles (comma separated)</label><input id="t-roles" name="roles"
              required placeholder="viewer"></div>
            <div class="field"><label for="t-expires">Expires in</label><input id="t-expires" name="expiresIn"
              placeholder="90d"></div>
            <div class="field"><label for="t-source">Source network</label><input id="t-source" name="source"
              placeholder="10.0.0.0/8"></div>
            <div class="field"><label for="t-description">Description</label><input id="t-description"
              name="description" maxlength="256"></div>
            <button type="submit">Create token</button></form>
          <div class="table-wrap"><table data-testid="token-list"><thead><tr><th>Id</th><th>Roles</th><th>Description</th>
            <th>Created by</th><th>Expires</th><th>Source</th><th>Last used</th><th></th></tr></thead>
            <tbody>${tokens.map((t) => html`<tr><td class="mono">${t.id}</td><td>${t.roles.join(', ')}</td>
              <td>${text(t.description)}</td><td>${t.createdBy}</td><td>${time(t.expiresAt)}</td><td>${text(t.source)}</td>
              <td>${time(t.lastUsedAt)}</td><td><button class="secondary" @click=${() => run(() =>
                del(`/api/v1/tokens/${segment(t.id)}`), () => `Token ${t.id} revoked.`)}>Revoke</button></td></tr>`)}
            </tbody></table>${tokens.length ? nothing : html`<p class="empty">No API tokens.</p>`}</div>` : nothing}
        ${policy ? policy.view() : nothing}
        ${realmUsers ? realmUsers.view() : nothing}
        <h2>Your permissions</h2>
        <div class="table-wrap"><table data-testid="my-grants"><thead><tr><th>From</th><th>Permissions</th><th>Clients</th>
          <th>Topics</th></tr></thead><tbody>${ctx.me.grants.map((g) => html`<tr><td class="mono">${g.origin}</td>
          <td>${g.permissions.join(', ')}</td><td>${g.scoped ? text(g.clients) : 'all'}</td>
          <td>${g.scoped ? text(g.topics) : 'all'}</td></tr>`)}</tbody></table></div>`;
    },
  };
}
