/*
 * The kiosk API (docs/api.md) as a handful of functions.  Every call has a
 * deadline (AbortController), sends no cookies and asks the browser not to
 * cache; a failure of any kind becomes one ApiError so the screens can show
 * a calm message and offer "Try again".
 *
 * Nothing here keeps state: the bearer token is passed in by the caller,
 * which holds it in memory only.
 */

const DEFAULT_TIMEOUT_MS = 10000;

export class ApiError extends Error {
  /* kind: "network" (no answer), "timeout", "http" (4xx/5xx) or "format"
   * (an answer that is not the JSON we expect). */
  constructor(kind, status, code, message, field) {
    super(message || kind);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.code = code || null;
    this.field = field || null;
  }
}

async function request(method, path, { body, token, timeoutMs = DEFAULT_TIMEOUT_MS, keepalive = false } = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;

  try {
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctl.signal,
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error',
        keepalive,
      });
    } catch (e) {
      throw new ApiError(ctl.signal.aborted ? 'timeout' : 'network', 0, null, String(e && e.message));
    }
    if (res.status === 204) return null;

    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      if (ctl.signal.aborted) throw new ApiError('timeout', res.status, null, 'timed out reading the answer');
      if (res.ok) throw new ApiError('format', res.status, null, 'the answer is not JSON');
    }
    if (!res.ok) {
      const err = (data && data.error) || {};
      throw new ApiError('http', res.status, err.code, err.message || `HTTP ${res.status}`, err.field);
    }
    if (data === null || typeof data !== 'object') {
      throw new ApiError('format', res.status, null, 'the answer is not a JSON object');
    }
    return data;
  } finally {
    clearTimeout(timer);
  }
}

export function getKiosk() {
  return request('GET', '/api/v1/kiosk');
}

export async function getInstrument(lang) {
  const data = await request('GET', `/api/v1/instrument?lang=${encodeURIComponent(lang)}`);
  if (!Array.isArray(data.items) || data.items.length === 0) {
    throw new ApiError('format', 200, null, 'the instrument has no items');
  }
  return data;
}

export async function createScreening(body) {
  const data = await request('POST', '/api/v1/screenings', { body, timeoutMs: 20000 });
  if (typeof data.id !== 'string' || typeof data.token !== 'string') {
    throw new ApiError('format', 201, null, 'the screening answer has no id or token');
  }
  return data;
}

export function setHelp(id, token, wantsHelp, domains) {
  return request('POST', `/api/v1/screenings/${encodeURIComponent(id)}/help`, {
    body: { wants_help: wantsHelp, domains },
    token,
  });
}

export function requestReceipt(id, token) {
  return request('POST', `/api/v1/screenings/${encodeURIComponent(id)}/receipt`, { token });
}

export function getPrintJob(jobId, token) {
  return request('GET', `/api/v1/print-jobs/${encodeURIComponent(jobId)}`, { token, timeoutMs: 5000 });
}

/* "Text me": the consent text the patient agrees to, in their language
 * (404 sms_off when texting is off). */
export async function getSmsConsent(lang) {
  const data = await request('GET', `/api/v1/sms/consent?lang=${encodeURIComponent(lang)}`);
  if (typeof data.version !== 'string' || typeof data.text !== 'string' || data.text.trim() === '') {
    throw new ApiError('format', 200, null, 'the consent answer has no version or text');
  }
  return { version: data.version, language: typeof data.language === 'string' ? data.language : lang, text: data.text };
}

/* Ask for texts: body is {phone: "2175550123", consent: true,
 * consent_version, language, reminders, send_list}.  201 answers
 * {scheduled: [{id, kind, send_at}], list: {id, status} | null}. */
export async function requestSms(id, token, body) {
  const data = await request('POST', `/api/v1/screenings/${encodeURIComponent(id)}/sms`, { body, token });
  if (data.scheduled !== undefined && !Array.isArray(data.scheduled)) {
    throw new ApiError('format', 201, null, 'the text answer has no schedule');
  }
  return { scheduled: data.scheduled || [], list: data.list && typeof data.list === 'object' ? data.list : null };
}

/* Best effort: the screen is being wiped whatever happens here.  keepalive
 * lets the request finish even if the page navigates away first. */
export function revokeToken(id, token, timeoutMs = 2000) {
  return request('DELETE', `/api/v1/screenings/${encodeURIComponent(id)}/token`, {
    token,
    timeoutMs,
    keepalive: true,
  });
}
