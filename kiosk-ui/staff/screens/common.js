/*
 * Pieces several screens share: the staff list for "assigned to" selects,
 * how a receipt and the texts read in a table cell, and the message shown
 * when a route is not there yet or a request fails.
 */
import { h } from '../dom.js';
import { get, download } from '../api.js';

let staffCache = null;

/* Usernames of the clinic's staff, fetched once per page load. */
export async function staffNames() {
  if (!staffCache) {
    staffCache = get('/staff')
      .then((d) => (Array.isArray(d.staff) ? d.staff.map((u) => u.username).filter(Boolean) : []))
      .catch((e) => {
        staffCache = null;
        if (e.status === 401) throw e;
        return [];
      });
  }
  return staffCache;
}

export function personName(p) {
  if (!p) return '';
  return typeof p === 'string' ? p : p.username || '';
}

/* "assigned" may come as a list or as one comma-separated string. */
export function people(list) {
  if (typeof list === 'string') return list.split(',').map((x) => x.trim()).filter(Boolean);
  return (Array.isArray(list) ? list : []).map(personName).filter(Boolean);
}

/* A patient's reply by its kind (the server never hands out the words). */
const REPLY = {
  connected: '1: got help', not_yet: '2: not yet', need_help: '3: needs help',
  stop: 'STOP: no more texts', start: 'START: texts again', help: 'HELP', other: 'other words',
};

export function replyText(kind) {
  return REPLY[kind] || String(kind || '');
}

export const TEXT_KIND = {
  reminder: 'Check-in', list: 'List of places', help: 'Answer to HELP',
  stop_confirm: 'Stop confirmation', start_confirm: 'Start confirmation',
};

export const TEXT_STATE = {
  scheduled: 'scheduled', sending: 'sending', sent: 'sent', delivered: 'delivered',
  failed: 'failed', unknown: 'unknown', expired: 'expired (not sent)', cancelled: 'cancelled',
};

const RECEIPT = { none: 'Not printed', done: 'Printed', printed: 'Printed', queued: 'Printing', printing: 'Printing', failed: 'Print failed' };

export function receiptText(r) {
  if (r === null || r === undefined || r === false) return 'Not printed';
  if (r === true) return 'Printed';
  if (typeof r === 'string') return RECEIPT[r] || r;
  if (typeof r === 'object') return receiptText(r.status || null);
  return String(r);
}

export function textsText(t) {
  if (!t || typeof t !== 'object') return 'None';
  const parts = [];
  const n = (v) => Number(v) || 0;
  if (n(t.scheduled)) parts.push(`${n(t.scheduled)} scheduled`);
  if (n(t.sent)) parts.push(`${n(t.sent)} sent`);
  if (n(t.replies)) parts.push(`${n(t.replies)} ${n(t.replies) === 1 ? 'reply' : 'replies'}${t.last_reply ? ` (last: ${replyText(t.last_reply)})` : ''}`);
  return parts.length ? parts.join(' · ') : 'None';
}

export function failure(e, what) {
  const text = e && e.status === 404 && /route/.test(e.message || '')
    ? `${what} is not available on this server yet.`
    : `Cannot load ${what.toLowerCase()}: ${(e && e.message) || e}`;
  return h('p', { class: 'error', role: 'alert' }, text);
}

/* A labelled form field. */
export function field(id, label, control, extraClass) {
  control.id = id;
  return h('div', { class: `field ${extraClass || ''}`.trim() }, h('label', { for: id }, label), control);
}

export function select(options, value, props) {
  return h(
    'select',
    props || null,
    options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, label)),
  );
}

/*
 * A download link: a real link (it works from the context menu too), but
 * a click fetches the file so a refusal is shown here, in status, instead
 * of becoming a broken download.
 */
export function downloadLink(props, label, status) {
  const a = h('a', { class: 'btn', ...props }, label);
  a.addEventListener('click', async (ev) => {
    ev.preventDefault();
    status.className = 'muted';
    status.textContent = 'Preparing the file…';
    try {
      const name = await download(a.getAttribute('href'), a.getAttribute('download') || 'export');
      status.className = 'ok';
      status.textContent = `Downloaded ${name}.`;
    } catch (e) {
      if (e.status === 401) return;
      status.className = 'error';
      status.textContent = `Cannot download: ${e.message}`;
    }
  });
  return a;
}
