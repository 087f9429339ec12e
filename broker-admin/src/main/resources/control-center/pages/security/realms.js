// Realm users and roles: edited in file and SQL realms, shown as read-only with the reason for the others. A new
// role's rules are written one a line ("allow|deny publish|subscribe|all <topic filter>"); editing a user or a role
// opens every option of its rules, its client-id rules and its admin permissions (rule-editor.js).
import { html, nothing } from '../../lib.js';
import { get, post, put, del, segment, query } from '../../api.js';
import { message, ok, failed, formValues, ruleText } from '../../shell/ui.js';
import { ruleEditor } from './rule-editor.js';

const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);

/** Rules from their one-line form; a line that is not a rule is an error naming it. */
export function parseRules(textValue) {
  return (textValue || '').split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const m = /^(allow|deny)\s+(publish|subscribe|all)\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`"${line}" is not a rule: write "allow|deny publish|subscribe|all <topic filter>".`);
    return { effect: m[1], activity: m[2], topic: m[3] };
  });
}

/** What a topic rule restricts beyond effect, activity and topic, in a few words ("QoS 0, 1; no retain"). */
function ruleOptions(r) {
  if (r.topic === undefined) return '';
  const parts = [];
  if (r.qos && r.qos.length < 3) parts.push(`QoS ${r.qos.join(', ')}`);
  if (r.effect !== 'deny') {
    if (r.retain === false) parts.push('no retain');
    if (r.sharedSubscription === false) parts.push('no shared subscriptions');
    else if (r.shareGroups && r.shareGroups.length) parts.push(`share groups ${r.shareGroups.join(', ')}`);
  }
  return parts.join('; ');
}

export function realms(ctx) {
  const canWrite = ctx.can('users:write');
  let all = [];
  let selected = null;
  let users = [];
  let roles = [];
  let readOnly = null;
  let editing = null;
  let editor = null;
  let msg = null;

  async function loadRealms() {
    try {
      all = (await get('/api/v1/realms')).items;
      if (!selected && all.length) selected = (all.find((r) => r.editable) || all[0]).name;
      await loadRealm();
    } catch (e) {
      msg = failed(e);
      ctx.update();
    }
  }

  async function loadRealm() {
    const realm = all.find((r) => r.name === selected);
    users = [];
    roles = [];
    readOnly = null;
    if (realm && !realm.editable) {
      readOnly = realm.readOnlyReason || `A ${realm.type} realm is not changed here.`;
    } else if (realm) {
      try {
        const base = `/api/v1/realms/${segment(selected)}`;
        users = (await get(`${base}/users${query({ limit: 100 })}`)).items;
        roles = (await get(`${base}/roles${query({ limit: 100 })}`)).items;
      } catch (e) {
        if (e.status === 409) readOnly = e.message;
        else msg = failed(e);
      }
    }
    ctx.update();
  }
  loadRealms();

  async function run(action, success) {
    try {
      await action();
      msg = ok(success);
      editing = null;
      editor = null;
    } catch (e) {
      // A refusal that names a rule's field is shown next to it; the form stays open to correct it.
      msg = editor && editor.showError(e) ? null : failed(e);
    }
    await loadRealm();
  }

  async function edit(key, load) {
    msg = null;
    try {
      const item = await load();
      editor = ruleEditor(ctx, key.startsWith('user-') ? 'u-edit' : 'r-edit', item.permissions,
        item.adminPermissions);
      editing = key;
    } catch (e) {
      msg = failed(e);
    }
    ctx.update();
  }

  const base = () => `/api/v1/realms/${segment(selected)}`;

  function addUser(e) {
    e.preventDefault();
    const v = formValues(e.target);
    const form = e.target;
    run(async () => {
      await post(`${base()}/users`, { username: v.username, password: v.password || undefined, roles: list(v.roles) });
      form.reset();
    }, `User ${v.username} added to realm ${selected}.`);
  }

  function saveUser(e, u) {
    e.preventDefault();
    const v = formValues(e.target);
    const body = { roles: list(v.roles), permissions: editor.permissions(), adminPermissions: editor.adminPermissions() };
    if (isSql()) body.enabled = v.enabled === 'on';
    run(async () => {
      await put(`${base()}/users/${segment(u.username)}`, body);
      if (v.password) await put(`${base()}/users/${segment(u.username)}/password`, { password: v.password });
    }, `User ${u.username} saved.`);
  }

  function addRole(e) {
    e.preventDefault();
    const v = formValues(e.target);
    const form = e.target;
    run(async () => {
      await post(`${base()}/roles`, { name: v.name, permissions: parseRules(v.rules) });
      form.reset();
    }, `Role ${v.name} added to realm ${selected}.`);
  }

  function saveRole(e, r) {
    e.preventDefault();
    run(() => put(`${base()}/roles/${segment(r.name)}`, { permissions: editor.permissions(),
      adminPermissions: editor.adminPermissions() }), `Role ${r.name} saved.`);
  }

  const isSql = () => (all.find((r) => r.name === selected) || {}).type === 'sql';
  const editButton = (key, load) => (canWrite ? html`<button class="secondary" data-testid="edit-${key}"
    @click=${() => edit(key, load)}>Edit</button>` : nothing);
  const cancel = html`<button type="button" class="secondary" @click=${() => { editing = null; editor = null;
    msg = null; ctx.update(); }}>Cancel</button>`;

  function userRow(u) {
    const key = `user-${u.username}`;
    if (editing === key) {
      return html`<tr data-user=${u.username}><td class="mono">${u.username}</td><td colspan="3">
        <form class="editor" @submit=${(e) => saveUser(e, u)} data-testid="user-edit-form">
          <div class="filters"><div class="field"><label for="u-edit-roles">Roles (comma separated)</label>
            <input id="u-edit-roles" name="roles" .value=${u.roles.join(', ')}></div>
          <div class="field"><label for="u-edit-password">New password (optional, 12+ characters)</label>
            <input id="u-edit-password" name="password" type="password" autocomplete="new-password"></div>
          ${isSql() ? html`<div class="field"><label for="u-edit-enabled">Enabled (may log in)</label>
            <input id="u-edit-enabled" name="enabled" type="checkbox" .checked=${u.enabled !== false}></div>`
            : nothing}</div>
          ${editor.view()}
          <div class="actions"><button type="submit">Save</button>${cancel}</div></form></td></tr>`;
    }
    return html`<tr data-user=${u.username}><td class="mono">${u.username}</td><td>${u.roles.length ? u.roles.join(', ')
      : '–'}</td><td>${u.hasPassword ? 'yes' : 'no'}${u.enabled === false ? ', disabled' : ''}</td>
      <td class="actions">${editButton(key, () => get(`${base()}/users/${segment(u.username)}`))}${canWrite
        ? html`<button class="danger" data-testid="delete-${key}"
        @click=${() => run(() => del(`${base()}/users/${segment(u.username)}`), `User ${u.username} deleted.`)}>Delete
        </button>` : nothing}</td></tr>`;
  }

  function roleRow(r) {
    const key = `role-${r.name}`;
    if (editing === key) {
      return html`<tr data-role=${r.name}><td class="mono">${r.name}</td><td colspan="2">
        <form class="editor" @submit=${(e) => saveRole(e, r)} data-testid="role-edit-form">${editor.view()}
          <div class="actions"><button type="submit">Save</button>${cancel}</div></form></td></tr>`;
    }
    const admin = (r.adminPermissions || []).map((a) => (typeof a === 'string' ? a
      : a.template || (a.permissions || []).join(', ')));
    return html`<tr data-role=${r.name}><td class="mono">${r.name}</td><td>${(r.permissions || []).length ? html`<ul
      class="rules">${r.permissions.map((p) => html`<li><span class="mono">${ruleText(p)}</span>${ruleOptions(p)
        ? html` <span class="rule-options">${ruleOptions(p)}</span>` : nothing}${p.origin
        && p.origin.location ? html` <span class="muted">${p.origin.location}</span>` : nothing}</li>`)}</ul>`
      : html`<span class="muted">no topic rules</span>`}${admin.length ? html`<p class="muted">Admin permissions:
        ${admin.join('; ')}</p>` : nothing}</td>
      <td class="actions">${editButton(key, () => get(`${base()}/roles/${segment(r.name)}`))}${canWrite
        ? html`<button class="danger" data-testid="delete-${key}"
        @click=${() => run(() => del(`${base()}/roles/${segment(r.name)}`), `Role ${r.name} deleted.`)}>Delete</button>`
        : nothing}</td></tr>`;
  }

  return {
    view() {
      const realm = all.find((r) => r.name === selected);
      return html`<h2>Realm users and roles</h2>${message(msg)}
        <div class="toolbar"><div class="field"><label for="realm-select">Realm</label>
          <select id="realm-select" data-testid="realm-select" @change=${(e) => { selected = e.target.value;
            editing = null; msg = null; loadRealm(); }}>${all.map((r) => html`<option value=${r.name}
            ?selected=${r.name === selected}>${r.name} (${r.type}${r.editable ? '' : ', read-only'})</option>`)}</select>
        </div></div>
        ${readOnly ? html`<p class="msg" role="status" data-testid="realm-read-only">Realm ${selected}${realm
          ? ` (${realm.type})` : ''} is read-only here: ${readOnly}</p>` : realm ? html`
          <h3>Users</h3>
          ${canWrite ? html`<form class="filters" @submit=${addUser} data-testid="user-form">
            <div class="field"><label for="u-name">User name</label><input id="u-name" name="username" required
              maxlength="256"></div>
            <div class="field"><label for="u-password">Password (12+ characters)</label><input id="u-password"
              name="password" type="password" autocomplete="new-password"></div>
            <div class="field"><label for="u-roles">Roles (comma separated)</label><input id="u-roles" name="roles">
            </div><button type="submit">Add user</button></form>` : nothing}
          <div class="table-wrap"><table data-testid="realm-users"><thead><tr><th>User</th><th>Roles</th>
            <th>Password</th><th></th></tr></thead><tbody>${users.map(userRow)}</tbody></table>
            ${users.length ? nothing : html`<p class="empty">No users.</p>`}</div>
          <h3>Roles</h3>
          ${canWrite ? html`<form class="filters" @submit=${addRole} data-testid="role-form">
            <div class="field"><label for="ro-name">Role name</label><input id="ro-name" name="name" required
              maxlength="256"></div>
            <div class="field grow"><label for="ro-rules">Topic rules, one a line (allow|deny
              publish|subscribe|all filter)</label><textarea id="ro-rules" name="rules" rows="2"
              placeholder="allow publish devices/+/telemetry"></textarea></div>
            <button type="submit">Add role</button></form>` : nothing}
          <div class="table-wrap"><table data-testid="realm-roles"><thead><tr><th>Role</th><th>Rules</th><th></th>
            </tr></thead><tbody>${roles.map(roleRow)}</tbody></table>
            ${roles.length ? nothing : html`<p class="empty">No roles.</p>`}</div>` : nothing}`;
    },
  };
}
