// The rules of one realm user or role as editable rows: topic rules with every option the admin API's rule model
// holds (effect, activity, QoS levels, retain, shared subscriptions and their groups), client-id rules, and admin
// permission entries. The API checks them; a refusal that names a field (permissions[2].qos) is shown next to it.
import { html, nothing } from '../../lib.js';

const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);
const FIELD = /^(permissions|adminPermissions)\[(\d+)\](?:\.([A-Za-z]+))?/;

/** A rule as the API shows it, as an editable row. */
function ruleRow(r) {
  if (r.clientId !== undefined) return { kind: 'clientId', effect: r.effect || 'allow', clientId: r.clientId };
  return { kind: 'topic', effect: r.effect || 'allow', activity: r.activity || 'all', topic: r.topic,
    qos: r.qos ? [...r.qos] : [0, 1, 2], retain: !!r.retain, sharedSubscription: !!r.sharedSubscription,
    shareGroups: (r.shareGroups || []).join(', '), location: r.origin ? r.origin.location : null };
}

/** An editable row as the rule the API takes: the allow-only options only on allow rules. */
function rule(d) {
  if (d.kind === 'clientId') return { clientId: d.clientId, effect: d.effect };
  const r = { topic: d.topic, activity: d.activity, effect: d.effect, qos: [...d.qos].sort() };
  if (d.effect === 'allow') {
    r.retain = d.retain;
    r.sharedSubscription = d.sharedSubscription;
    if (list(d.shareGroups).length) r.shareGroups = list(d.shareGroups);
  }
  return r;
}

function grantRow(g) {
  if (typeof g === 'string') return { template: g, permissions: '', clients: '', topics: '' };
  return { template: g.template || '', permissions: (g.permissions || []).join(', '), clients: g.clients || '',
    topics: g.topics || '' };
}

function grant(d) {
  const g = {};
  if (d.template) g.template = d.template;
  if (!d.template || list(d.permissions).length) g.permissions = list(d.permissions);
  if (d.clients) g.clients = d.clients;
  if (d.topics) g.topics = d.topics;
  return g;
}

/**
 * @param prefix the ids' prefix (one editor is open at a time per prefix)
 * @param rules the user's or role's rules as the API shows them
 * @param grants its admin permission entries
 */
export function ruleEditor(ctx, prefix, rules, grants) {
  const rows = (rules || []).map(ruleRow);
  const grantRows = (grants || []).map(grantRow);
  let error = null;

  const set = (row, key) => (e) => {
    row[key] = e.target.type === 'checkbox' ? e.target.checked : e.target.value;
    ctx.update();
  };
  const toggleQos = (row, level) => (e) => {
    row.qos = e.target.checked ? [...new Set([...row.qos, level])] : row.qos.filter((q) => q !== level);
    ctx.update();
  };
  const remove = (all, i) => () => {
    all.splice(i, 1);
    error = null;
    ctx.update();
  };

  /** The API's refusal next to its field, when it names one of these rows. */
  function errorAt(listName, index, key) {
    if (!error || error.list !== listName || error.index !== index) return nothing;
    if (key === undefined ? error.placed : error.key !== key) return nothing;
    return html`<span class="field-error" role="alert" data-testid="field-error">${error.text}</span>`;
  }
  const invalid = (listName, index, key) => !!error && error.list === listName && error.index === index
    && error.key === key;

  function topicCells(r, i) {
    const id = `${prefix}-rule-${i}`;
    const allow = r.effect === 'allow';
    return html`<td><select id="${id}-activity" aria-label="Activity of rule ${i + 1}" @change=${set(r, 'activity')}>
        ${['publish', 'subscribe', 'all'].map((a) => html`<option value=${a} ?selected=${r.activity === a}>${a}
        </option>`)}</select>${errorAt('permissions', i, 'activity')}</td>
      <td><input id="${id}-topic" class="mono" aria-label="Topic filter of rule ${i + 1}" .value=${r.topic || ''}
        aria-invalid=${invalid('permissions', i, 'topic') ? 'true' : 'false'} @input=${set(r, 'topic')}>
        ${errorAt('permissions', i, 'topic')}</td>
      <td><span class="checks" role="group" aria-label="QoS levels of rule ${i + 1}">${[0, 1, 2].map((q) => html`<label
        for="${id}-qos-${q}"><input type="checkbox" id="${id}-qos-${q}" .checked=${r.qos.includes(q)}
        @change=${toggleQos(r, q)}>${q}</label>`)}</span>${errorAt('permissions', i, 'qos')}</td>
      <td><input type="checkbox" id="${id}-retain" aria-label="Rule ${i + 1} allows retained messages"
        ?disabled=${!allow} .checked=${allow && r.retain} @change=${set(r, 'retain')}>${errorAt('permissions', i,
  'retain')}</td>
      <td><input type="checkbox" id="${id}-shared" aria-label="Rule ${i + 1} allows shared subscriptions"
        ?disabled=${!allow} .checked=${allow && r.sharedSubscription} @change=${set(r, 'sharedSubscription')}>
        <input id="${id}-groups" class="groups" aria-label="Share groups of rule ${i + 1} (comma separated, empty: any)"
          placeholder="any group" ?disabled=${!allow || !r.sharedSubscription} .value=${r.shareGroups}
          @input=${set(r, 'shareGroups')}>${errorAt('permissions', i, 'sharedSubscription')}${errorAt('permissions',
  i, 'shareGroups')}</td>`;
  }

  function clientIdCells(r, i) {
    const id = `${prefix}-rule-${i}`;
    return html`<td>client id</td><td><input id="${id}-client-id" class="mono" aria-label="Client-id pattern of rule
      ${i + 1}" .value=${r.clientId || ''} aria-invalid=${invalid('permissions', i, 'clientId') ? 'true' : 'false'}
      @input=${set(r, 'clientId')}>${errorAt('permissions', i, 'clientId')}</td>
      <td colspan="3" class="muted">the client ids this identity may use ('*': any run of characters)</td>`;
  }

  function ruleTable() {
    return html`<div class="table-wrap"><table class="rule-editor" data-testid="${prefix}-rules"><thead><tr>
      <th>Effect</th><th>Activity</th><th>Topic filter or client id</th><th>QoS</th><th>Retain</th>
      <th>Shared (groups)</th><th></th></tr></thead>
      <tbody>${rows.map((r, i) => html`<tr data-rule=${i}>
        <td><select id="${prefix}-rule-${i}-effect" aria-label="Effect of rule ${i + 1}" @change=${set(r, 'effect')}>
          <option value="allow" ?selected=${r.effect === 'allow'}>allow</option>
          <option value="deny" ?selected=${r.effect === 'deny'}>deny</option></select>${errorAt('permissions', i,
  'effect')}${errorAt('permissions', i)}</td>
        ${r.kind === 'topic' ? topicCells(r, i) : clientIdCells(r, i)}
        <td class="actions"><button type="button" class="secondary" data-testid="${prefix}-remove-rule-${i}"
          @click=${remove(rows, i)}>Remove</button></td></tr>`)}</tbody></table>
      ${rows.length ? nothing : html`<p class="empty">No rules: everything is denied unless another role allows it.</p>`}
      </div>
      <div class="actions"><button type="button" class="secondary" data-testid="${prefix}-add-topic-rule" @click=${() => {
        // As a rule written without options: every QoS level, retained messages and shared subscriptions allowed.
        rows.push({ kind: 'topic', effect: 'allow', activity: 'all', topic: '', qos: [0, 1, 2], retain: true,
          sharedSubscription: true, shareGroups: '' });
        ctx.update();
      }}>Add topic rule</button><button type="button" class="secondary" data-testid="${prefix}-add-client-id-rule"
        @click=${() => { rows.push({ kind: 'clientId', effect: 'allow', clientId: '' }); ctx.update(); }}>Add client-id
        rule</button></div>`;
  }

  function grantTable() {
    return html`<div class="table-wrap"><table class="rule-editor" data-testid="${prefix}-admin-permissions"><thead>
      <tr><th>Template</th><th>Permissions (comma separated)</th><th>Clients</th><th>Topics</th><th></th></tr></thead>
      <tbody>${grantRows.map((g, i) => {
        const id = `${prefix}-grant-${i}`;
        return html`<tr data-grant=${i}>
          <td><input id="${id}-template" aria-label="Template of admin permission ${i + 1}" placeholder="viewer"
            .value=${g.template} @input=${set(g, 'template')}>${errorAt('adminPermissions', i, 'template')}${errorAt(
  'adminPermissions', i)}</td>
          <td><input id="${id}-permissions" aria-label="Permissions of admin permission ${i + 1}"
            placeholder="clients:read" .value=${g.permissions} @input=${set(g, 'permissions')}>${errorAt(
  'adminPermissions', i, 'permissions')}</td>
          <td><input id="${id}-clients" aria-label="Client ids admin permission ${i + 1} reaches" placeholder="all"
            .value=${g.clients} @input=${set(g, 'clients')}>${errorAt('adminPermissions', i, 'clients')}</td>
          <td><input id="${id}-topics" aria-label="Topics admin permission ${i + 1} reaches" placeholder="all"
            .value=${g.topics} @input=${set(g, 'topics')}>${errorAt('adminPermissions', i, 'topics')}</td>
          <td class="actions"><button type="button" class="secondary" @click=${remove(grantRows, i)}>Remove</button></td>
          </tr>`;
      })}</tbody></table>${grantRows.length ? nothing : html`<p class="empty">No admin permissions.</p>`}</div>
      <div class="actions"><button type="button" class="secondary" data-testid="${prefix}-add-grant" @click=${() => {
        grantRows.push({ template: '', permissions: '', clients: '', topics: '' });
        ctx.update();
      }}>Add admin permission</button></div>`;
  }

  return {
    permissions: () => rows.map(rule),
    adminPermissions: () => grantRows.map(grant),
    /** Places the API's refusal next to the field it names; false when it names none of these rows. */
    showError(e) {
      const field = e.problem && e.problem.fields && e.problem.fields[0];
      const m = field ? FIELD.exec(field) : null;
      const all = m && (m[1] === 'permissions' ? rows : grantRows);
      if (!m || Number(m[2]) >= all.length) {
        error = null;
        return false;
      }
      const known = ['effect', 'activity', 'topic', 'qos', 'retain', 'sharedSubscription', 'shareGroups', 'clientId',
        'template', 'permissions', 'clients', 'topics'];
      const key = known.includes(m[3]) ? m[3] : undefined;
      error = { list: m[1], index: Number(m[2]), key, placed: key !== undefined, text: e.message };
      return true;
    },
    clearError() {
      error = null;
    },
    view() {
      return html`<h4>Topic and client-id rules</h4>${ruleTable()}<h4>Admin permissions</h4>${grantTable()}`;
    },
  };
}
