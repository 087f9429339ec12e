// The admin API, the Control Center's only back end: JSON calls with the session cookie and its CSRF header.

let csrfToken = null;
let expiryListener = () => {};
let unauthorizedListener = () => {};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `the broker answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function setCsrfToken(token) { csrfToken = token; }
/** Called with the session's end (a Date) whenever an answer tells it. */
export function onSessionExpiry(listener) { expiryListener = listener; }
/** Called when the broker no longer knows the session. */
export function onUnauthorized(listener) { unauthorizedListener = listener; }

/**
 * One call. `background` marks refreshes the operator did not ask for: they do not count as activity, so the
 * session still ends after its idle timeout.
 */
export async function api(method, path, { body, contentType, background } = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['X-Rampart-CSRF'] = csrfToken;
  if (background) headers['X-Rampart-Background'] = '1';
  const answer = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  const expires = answer.headers.get('X-Rampart-Session-Expires');
  if (expires) expiryListener(new Date(expires));
  if (answer.status === 204) return null;
  const type = answer.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await answer.json() : await answer.text();
  if (!answer.ok) {
    if (answer.status === 401) unauthorizedListener();
    throw new ApiError(answer.status, typeof data === 'object' ? data : { detail: String(data) });
  }
  return data;
}

export const get = (path, options) => api('GET', path, options);
export const post = (path, body, options) => api('POST', path, { ...options, body });
export const put = (path, body, options) => api('PUT', path, { ...options, body });
export const del = (path, options) => api('DELETE', path, options);

/** A query string from the non-empty values of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString().replaceAll('+', '%20');
  return s ? `?${s}` : '';
}

/** A client id or topic as one path segment (a '/' becomes %2F, which the API decodes once). */
export const segment = (value) => encodeURIComponent(value);

/**
 * A Server-Sent Events stream of the admin API. `handlers` maps event names to functions of the parsed data.
 * Returns a function that closes it.
 */
export function stream(path, handlers, onState = () => {}) {
  const source = new EventSource(path, { withCredentials: true });
  source.onopen = () => onState('open');
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => handler(JSON.parse(e.data)));
  }
  source.addEventListener('end', () => { source.close(); onState('closed'); });
  return () => source.close();
}
