/*
 * The audit log, for admins: the newest entries (reading them is itself
 * an entry) and a link to the whole log as CSV.
 */
import { h, timeEl, ymd } from '../dom.js';
import { get, href, query } from '../api.js';
import { failure, field, downloadLink } from './common.js';

export async function renderAudit(ctx) {
  ctx.title('Audit log');
  if (!ctx.isAdmin) {
    ctx.view.replaceChildren(h('h1', null, 'Audit log'), h('p', { class: 'notice' }, 'Only admins can read the audit log.'));
    return;
  }
  const limit = Math.min(Math.max(Number(ctx.params.limit) || 100, 1), 1000);
  let d;
  try {
    d = await get(`/audit${query({ limit })}`);
  } catch (e) {
    if (e.status === 401) throw e;
    if (ctx.current()) ctx.view.replaceChildren(h('h1', null, 'Audit log'), failure(e, 'The audit log'));
    return;
  }
  if (!ctx.current()) return;
  const rows = Array.isArray(d.entries) ? d.entries : [];
  /* The CSV covers a range of the clinic's days, both included. */
  const from = h('input', { type: 'date', value: ymd(-29) });
  const to = h('input', { type: 'date', value: ymd(0) });
  const status = h('p', { role: 'status', id: 'export-status' });
  const link = downloadLink({ id: 'export-audit', download: 'audit.csv' }, 'Download the audit log (CSV)', status);
  const relink = () => link.setAttribute('href', href('/export/audit.csv', { from: from.value, to: to.value }));
  from.addEventListener('change', relink);
  to.addEventListener('change', relink);
  relink();
  ctx.view.replaceChildren(
    h('h1', null, 'Audit log'),
    h('p', null, `The newest ${rows.length} entries. Every view, change and export in the console is recorded here, with who did it and from where.`),
    limit < 1000 ? h('p', null, h('a', { href: '#/audit?limit=1000' }, 'Show the newest 1000 entries')) : null,
    h('div', { class: 'filters panel', role: 'group', 'aria-label': 'Download the audit log' },
      field('au-from', 'From', from), field('au-to', 'To (inclusive)', to),
      h('div', { class: 'actions' }, link, status)),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Audit log entries, table' }, h('table', { id: 'audit-table' },
      h('caption', { class: 'sr-only' }, 'Audit log, newest first'),
      h('thead', null, h('tr', null, ['When', 'Who', 'Action', 'Target', 'Detail', 'From'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((r) => h('tr', null,
        h('td', null, timeEl(r.at)), h('td', null, r.username || '—'), h('td', null, r.action),
        h('td', null, r.target || ''), h('td', null, r.detail || ''), h('td', null, r.ip || '')))))),
  );
}
