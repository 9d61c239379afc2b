/*
 * The staff console API (docs/api.md, "Staff console API") as one request
 * function.  The session lives in an HttpOnly cookie the browser sends
 * itself; the CSRF token is held here in memory only and sent on every
 * request that changes something.  A 401 anywhere calls the handler the
 * app registers, which shows the sign-in screen.
 */

const TIMEOUT_MS = 15000;
export const BASE = '/staff/api/v1';

let csrfToken = null;
let onUnauthorized = () => {};

export class ApiError extends Error {
  /* kind: "network", "timeout", "http" or "format". */
  constructor(kind, status, code, message, field, retryAfter) {
    super(message || kind);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.code = code || null;
    this.field = field || null;
    this.retryAfter = retryAfter || null;
  }
}

export function setCsrf(token) {
  csrfToken = token || null;
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/* A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, v === true ? '1' : String(v));
  }
  const str = q.toString();
  return str ? `?${str}` : '';
}

async function readJson(res, ctl) {
  try {
    return await res.json();
  } catch {
    if (ctl.signal.aborted) throw new ApiError('timeout', res.status, null, 'The server took too long to answer.');
    return null;
  }
}

export async function request(method, path, { body, auth = true } = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  try {
    let res;
    try {
      res = await fetch(BASE + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
        signal: ctl.signal,
      });
    } catch (e) {
      throw new ApiError(ctl.signal.aborted ? 'timeout' : 'network', 0, null,
        ctl.signal.aborted ? 'The server took too long to answer.' : 'Cannot reach the server.');
    }
    if (res.status === 204) return null;
    const data = await readJson(res, ctl);
    if (!res.ok) {
      const err = (data && data.error) || {};
      const retry = Number(res.headers.get('Retry-After')) || null;
      const e = new ApiError('http', res.status, err.code, err.message || `HTTP ${res.status}`, err.field, retry);
      if (res.status === 401 && auth) onUnauthorized(e);
      throw e;
    }
    if (data === null || typeof data !== 'object') throw new ApiError('format', res.status, null, 'The answer is not JSON.');
    return data;
  } finally {
    clearTimeout(timer);
  }
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, { body });

/* A link to a download (CSV, FHIR): same-origin GET, the cookie goes along. */
export function href(path, params) {
  return BASE + path + query(params);
}

/* The file name from Content-Disposition, else fallback. */
function fileName(res, fallback) {
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename="?([^";]+)"?/i.exec(cd);
  return m ? m[1] : fallback;
}

/*
 * Downloads a file (CSV, FHIR) with fetch so that a refusal becomes a
 * readable message instead of a broken file: 401 shows the sign-in screen,
 * a 422 (range too large) says why.  The file is handed to the browser as
 * a blob link, clicked once and released.
 */
export async function download(url, fallbackName) {
  let res;
  try {
    res = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError('network', 0, null, 'Cannot reach the server.');
  }
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    const err = (data && data.error) || {};
    const e = new ApiError('http', res.status, err.code, err.message || `HTTP ${res.status}`, err.field);
    if (res.status === 401) onUnauthorized(e);
    throw e;
  }
  const blob = await res.blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName(res, fallbackName);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  return link.download;
}
