// The Control Center shell: sign-in, the navigation (only pages the caller's permissions allow), the idle warning,
// and hash routing (#/clients/...). Every page lives in pages/<page>/ and renders with lit-html templates, which
// escape every value: nothing from the broker is ever inserted as HTML.
import { html, render, nothing } from './lib.js';
import { get, del, setCsrfToken, onSessionExpiry, onUnauthorized } from './api.js';
import { signInView, changePasswordView } from './shell/sign-in.js';
import { PAGES } from './shell/pages.js';

const SSO_ERRORS = {
  state: 'the sign-in expired, was already used or was started in another browser.',
  nonce: "the identity provider's answer did not belong to this sign-in.",
  token: "the identity provider's token was refused.",
  code: 'the identity provider sent no authorization code.',
  provider: 'the identity provider refused the sign-in or cannot be reached.',
  busy: 'too many sign-ins are in progress; try again.',
};

const root = document.getElementById('app');
root.textContent = '';
const state = {
  phase: 'loading',       // loading | sign-in | change-password | ready
  session: null,          // the answer of GET /api/v1/session
  signIn: { sso: false, message: null, error: null, endSessionUrl: null },
  page: null,             // { def, instance, key }
  expiresAt: null,
  idleTimeoutSeconds: 1800,
  now: Date.now(),
};

const permissions = () => new Set(state.session ? state.session.user.permissions : []);
const can = (permission) => permissions().has(permission);
const visiblePages = () => PAGES.filter((p) => p.allowed(can));

// Renders at most every 50 ms: a burst of live events (access-log lines, samples) becomes one render.
let renderTimer = null;
function update() {
  if (renderTimer === null) renderTimer = setTimeout(renderNow, 50);
}

function renderNow() {
  renderTimer = null;
  render(view(), root);
  if (state.phase === 'ready' && state.page && state.page.instance.afterRender) state.page.instance.afterRender();
}

function view() {
  switch (state.phase) {
    case 'loading': return html`<p class="loading">Loading the Control Center…</p>`;
    case 'sign-in': return signInView(state.signIn, signedIn);
    case 'change-password': return changePasswordView(state.session, async () => { await loadSession(); }, signOut);
    default: return shell();
  }
}

function shell() {
  const current = state.page;
  const user = state.session.user;
  return html`
    <a class="skip" href="#main" @click=${skipToMain}>Skip to content</a>
    <header class="topbar">
      <div class="brand"><img src="/app/icon.svg" alt=""><span>Rampart Control Center</span></div>
      <div class="spacer"></div>
      <span class="who" data-testid="who">Signed in as <strong>${user.name}</strong>
        ${user.roles.length ? html`(${user.roles.join(', ')})` : nothing}</span>
      <button class="secondary" data-testid="sign-out" @click=${signOut}>Sign out</button>
    </header>
    <nav class="side" aria-label="Pages">
      <ul>
        ${visiblePages().map((p) => html`<li><a href="#/${p.id}" data-testid="nav-${p.id}"
            aria-current=${current && current.def.id === p.id ? 'page' : 'false'}>${p.title}</a></li>`)}
      </ul>
    </nav>
    <main id="main" tabindex="-1">
      ${current ? current.instance.view() : html`<h1>Nothing to show</h1>
        <p>Your roles give you no permission for any page of the Control Center. Ask an administrator.</p>`}
    </main>
    ${idleBanner()}`;
}

function skipToMain(e) {
  e.preventDefault();
  document.getElementById('main').focus();
}

function idleBanner() {
  if (!state.expiresAt) return nothing;
  const left = Math.round((state.expiresAt.getTime() - state.now) / 1000);
  const warnAt = Math.max(10, Math.min(60, Math.floor(state.idleTimeoutSeconds / 4)));
  if (left > warnAt) return nothing;
  return html`<div class="banner" role="alert" data-testid="idle-warning">
    <span>You will be signed out in ${Math.max(0, left)} s because of inactivity.</span>
    <button data-testid="stay-signed-in" @click=${stay}>Stay signed in</button></div>`;
}

async function stay() {
  try { await get('/api/v1/session'); } catch (e) { /* the 401 handler signs out */ }
  update();
}

function route() {
  if (state.phase !== 'ready') return;
  const [, id = '', ...rest] = (location.hash || '').split('/');
  const pages = visiblePages();
  const def = pages.find((p) => p.id === id) || pages[0];
  if (!def) { stopPage(); state.page = null; update(); return; }
  if (def.id !== id) { location.replace(`#/${def.id}`); return; }
  let param = null;
  try {
    param = rest.length ? decodeURIComponent(rest.join('/')) : null;
  } catch (e) {
    location.replace(`#/${def.id}`);
    return;
  }
  const key = `${def.id}/${param ?? ''}`;
  if (state.page && state.page.key === key) return;
  stopPage();
  const ctx = { can, update, me: state.session.user, param, go: (h) => { location.hash = h; } };
  state.page = { def, key, instance: def.create(ctx) };
  document.title = `${def.title} - Rampart Control Center`;
  update();
}

function stopPage() {
  if (state.page && state.page.instance.stop) state.page.instance.stop();
}

async function start() {
  onSessionExpiry((at) => { state.expiresAt = at; });
  onUnauthorized(() => { if (state.phase === 'ready') toSignIn('Your session has ended. Please sign in again.'); });
  window.addEventListener('hashchange', route);
  document.addEventListener('rampart-rerender', update);
  setInterval(tick, 1000);
  const options = await get('/api/v1/sign-in', { background: true });
  state.signIn.sso = options.sso;
  const problem = new URLSearchParams(location.hash.split('?')[1] || '').get('error');
  if (problem) state.signIn.error = `Single sign-on failed: ${SSO_ERRORS[problem] || 'the sign-in was refused.'}`;
  if (options.signedIn) {
    await loadSession();
  } else {
    state.phase = 'sign-in';
    update();
  }
}

function tick() {
  state.now = Date.now();
  if (state.phase === 'ready' && state.expiresAt && state.expiresAt.getTime() <= state.now) {
    toSignIn('You were signed out after a period of inactivity.');
    return;
  }
  if (state.phase === 'ready' && state.expiresAt) update();
}

async function loadSession() {
  const session = await get('/api/v1/session');
  state.session = session;
  state.idleTimeoutSeconds = session.idleTimeoutSeconds || state.idleTimeoutSeconds;
  state.expiresAt = new Date(session.expiresAt);
  setCsrfToken(session.csrfToken);
  if (session.mustChangePassword) {
    state.phase = 'change-password';
    update();
    return;
  }
  state.phase = 'ready';
  if (location.hash.startsWith('#/sign-in')) location.replace('#/');
  route();
  update();
}

async function signedIn() {
  state.signIn.error = null;
  state.signIn.message = null;
  await loadSession();
}

function toSignIn(message, endSessionUrl = null) {
  stopPage();
  state.page = null;
  state.session = null;
  state.expiresAt = null;
  setCsrfToken(null);
  state.phase = 'sign-in';
  state.signIn.message = message;
  state.signIn.endSessionUrl = endSessionUrl;
  update();
}

async function signOut() {
  let answer = null;
  try { answer = await del('/api/v1/session'); } catch (e) { /* already gone */ }
  toSignIn('You have signed out.', answer && answer.endSessionUrl ? answer.endSessionUrl : null);
}

start().catch((e) => {
  render(html`<div class="signin"><div class="panel msg error" role="alert">The Control Center cannot reach the
    broker's admin API: ${e.message}</div></div>`, root);
});
