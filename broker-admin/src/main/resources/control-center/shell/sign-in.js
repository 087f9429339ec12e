// Signing in: user name and password (the admin pipeline's realms), or single sign-on through OpenID Connect.
// The first-run password must be changed before anything else.
import { html, nothing } from '../lib.js';
import { post, put } from '../api.js';

const form = { busy: false, error: null };

export function signInView(options, done) {
  const error = form.error || options.error;
  return html`<div class="signin"><div class="panel">
    <div class="brand"><img src="/app/icon.svg" alt=""><h1>Rampart Control Center</h1></div>
    ${options.message ? html`<p class="msg" role="status">${options.message}
      ${/^https?:\/\//.test(options.endSessionUrl || '') ? html`<br><a href=${options.endSessionUrl} data-testid="end-session">Also sign out at
        your identity provider</a>` : nothing}</p>` : nothing}
    ${error ? html`<p class="msg error" role="alert" data-testid="sign-in-error">${error}</p>` : nothing}
    <form @submit=${(e) => submit(e, done)} data-testid="sign-in-form">
      <div class="field"><label for="username">User name</label>
        <input id="username" name="username" autocomplete="username" required></div>
      <div class="field"><label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required></div>
      <button type="submit" ?disabled=${form.busy} data-testid="sign-in">Sign in</button>
    </form>
    ${options.sso ? html`<p class="or">or</p>
      <a class="button secondary" href="/api/v1/oidc/login" data-testid="sso">Sign in with single sign-on</a>`
      : nothing}
  </div></div>`;
}

async function submit(e, done) {
  e.preventDefault();
  const data = new FormData(e.target);
  form.busy = true;
  form.error = null;
  try {
    await post('/api/v1/session', { username: data.get('username'), password: data.get('password') });
    e.target.reset();
    form.busy = false;
    await done();
  } catch (err) {
    form.busy = false;
    form.error = err.status === 401 ? 'Wrong user name or password.' : err.message;
    document.dispatchEvent(new CustomEvent('rampart-rerender'));
  }
}

const change = { error: null, busy: false };

export function changePasswordView(session, done, signOut) {
  return html`<div class="signin"><div class="panel">
    <h1>Choose a new password</h1>
    <p>${session.user.name}, your password was set for the first start of the broker and must be changed before you
      continue.</p>
    ${change.error ? html`<p class="msg error" role="alert" data-testid="password-error">${change.error}</p>` : nothing}
    <form @submit=${(e) => submitChange(e, done)} data-testid="change-password-form">
      <div class="field"><label for="current">Current password</label>
        <input id="current" name="current" type="password" autocomplete="current-password" required></div>
      <div class="field"><label for="next">New password (at least 12 characters)</label>
        <input id="next" name="next" type="password" autocomplete="new-password" minlength="12" required></div>
      <div class="field"><label for="again">New password again</label>
        <input id="again" name="again" type="password" autocomplete="new-password" minlength="12" required></div>
      <div class="actions"><button type="submit" ?disabled=${change.busy} data-testid="change-password">Change
        password</button><button type="button" class="secondary" @click=${signOut}>Sign out</button></div>
    </form>
  </div></div>`;
}

async function submitChange(e, done) {
  e.preventDefault();
  const data = new FormData(e.target);
  if (data.get('next') !== data.get('again')) {
    change.error = 'The two new passwords differ.';
    document.dispatchEvent(new CustomEvent('rampart-rerender'));
    return;
  }
  change.busy = true;
  try {
    await put('/api/v1/session/password', { currentPassword: data.get('current'), newPassword: data.get('next') });
    change.error = null;
    change.busy = false;
    await done();
  } catch (err) {
    change.busy = false;
    change.error = err.message;
    document.dispatchEvent(new CustomEvent('rampart-rerender'));
  }
}
