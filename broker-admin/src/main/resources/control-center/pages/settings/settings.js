// Settings: the configuration in force (secrets redacted), checking a YAML file, reloading, log levels.
import { html, nothing } from '../../lib.js';
import { get, post, put, segment } from '../../api.js';
import { message, ok, failed, formValues, text } from '../../shell/ui.js';

export function settings(ctx) {
  let config = null;
  let msg = null;
  let validation = null;
  let reload = null;
  let logger = null;

  (async () => {
    try {
      config = await get('/api/v1/config');
    } catch (e) {
      msg = failed(e);
    }
    ctx.update();
  })();

  async function validate(e) {
    e.preventDefault();
    try {
      validation = await post('/api/v1/config/validate', formValues(e.target).yaml, { contentType: 'application/yaml' });
      msg = null;
    } catch (err) {
      msg = failed(err);
    }
    ctx.update();
  }

  async function doReload() {
    try {
      reload = await post('/api/v1/reload');
      msg = ok('Reloaded.');
    } catch (e) {
      msg = failed(e);
    }
    ctx.update();
  }

  async function showLogger(e) {
    e.preventDefault();
    try {
      logger = await get(`/api/v1/loggers/${segment(formValues(e.target).name || 'root')}`);
      msg = null;
    } catch (err) {
      msg = failed(err);
    }
    ctx.update();
  }

  async function setLevel(e) {
    e.preventDefault();
    try {
      logger = await put(`/api/v1/loggers/${segment(logger.logger)}`, { level: formValues(e.target).level });
      msg = ok(`Logger ${logger.logger} now logs at ${logger.level}.`);
    } catch (err) {
      msg = failed(err);
    }
    ctx.update();
  }

  return {
    view() {
      return html`<h1>Settings</h1>${message(msg)}
        <div class="grid2">
          <section class="panel"><h2>Log levels</h2>
            <form class="filters" @submit=${showLogger}><div class="field"><label for="l-name">Logger (root for the root
              logger)</label><input id="l-name" name="name" value="io.rampart"></div><button type="submit">Show</button>
            </form>
            ${logger ? html`<p>${logger.logger}: <strong data-testid="logger-level">${logger.level}</strong>
              <span class="muted">(set by ${text(logger.configuredBy)})</span></p>
              ${ctx.can('loggers:write') ? html`<form class="filters" @submit=${setLevel}><div class="field">
                <label for="l-level">New level</label><select id="l-level" name="level">${['OFF', 'FATAL', 'ERROR', 'WARN',
                  'INFO', 'DEBUG', 'TRACE', 'ALL'].map((l) => html`<option ?selected=${l === logger.level}>${l}</option>`)}
                </select></div><button type="submit">Set level</button></form>` : nothing}` : nothing}
          </section>
          ${ctx.can('config:reload') ? html`<section class="panel"><h2>Reload</h2>
            <p>Re-reads file realms, checks TLS files, re-reads bans and tokens.</p>
            <button @click=${doReload} data-testid="reload">Reload now</button>
            ${reload ? html`<table><thead><tr><th>Kind</th><th>Name</th><th>Outcome</th><th>Detail</th></tr></thead>
              <tbody>${reload.steps.map((s) => html`<tr><td>${s.kind}</td><td>${s.name}</td><td>${s.outcome}</td>
              <td>${text(s.detail)}</td></tr>`)}</tbody></table>` : nothing}</section>` : nothing}
        </div>
        <section class="panel"><h2>Check a configuration</h2>
          <form @submit=${validate}><div class="field"><label for="yaml">YAML (checked exactly as at startup; nothing is
            applied)</label><textarea id="yaml" name="yaml" spellcheck="false" required></textarea></div>
            <p><button type="submit">Check</button></p></form>
          ${validation ? (validation.valid ? html`<p class="msg ok" role="status" data-testid="validation">The configuration
            is valid.</p>` : html`<div class="msg error" role="alert" data-testid="validation">${validation.errors.map((er) =>
            html`<div><code>${er.keyPath || '(file)'}</code>: ${er.reason}</div>`)}</div>`) : nothing}
        </section>
        <section class="panel"><h2>Configuration in force</h2>
          <pre data-testid="config">${config ? JSON.stringify(config, null, 2) : 'Loading…'}</pre></section>`;
    },
  };
}
