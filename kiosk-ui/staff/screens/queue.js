/*
 * The queue: submissions, newest day first and, within a day, those who
 * asked for help first.  Filters (dates, need, status, navigator) live in
 * the address (#/queue?from=...) so a filtered queue can be bookmarked and
 * Back returns to it.  "More" asks for the next page with the cursor the
 * server gave and adds it below.
 */
import { h, chips, DOMAINS, languageLabel, timeEl, day, statusLabel } from '../dom.js';
import { get, query } from '../api.js';
import { staffNames, people, receiptText, textsText, failure, field, select } from './common.js';

const STATUS = [['', 'Any status'], ['new', 'New'], ['open', 'Open'], ['closed', 'Closed']];
const STATUS_TEXT = { new: 'New', open: 'Open', closed: 'Closed' };
const PAGE = 50;

function localDay(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toDateString();
}

/* Newest day first; inside a day "wants help" first, then newest. */
function order(rows) {
  return rows.slice().sort((a, b) => {
    const da = new Date(a.created_at).getTime() || 0;
    const db = new Date(b.created_at).getTime() || 0;
    const sameDay = localDay(a.created_at) === localDay(b.created_at);
    if (sameDay && !!a.wants_help !== !!b.wants_help) return a.wants_help ? -1 : 1;
    return db - da;
  });
}

function helpCell(s) {
  if (s.wants_help === true) {
    return [h('span', { class: 'badge help' }, 'Wants help'), s.help_domains && s.help_domains.length ? chips(s.help_domains) : null];
  }
  if (s.wants_help === false) return 'No';
  return h('span', { class: 'muted' }, 'Not asked');
}

function row(s) {
  const assigned = people(s.assigned);
  return h(
    'tr',
    { class: s.wants_help ? 'wants-help' : null, 'data-id': s.id },
    h('td', null, h('a', { href: `#/submissions/${encodeURIComponent(s.id)}`, class: 'open' }, timeEl(s.created_at))),
    h('td', null, helpCell(s)),
    h('td', null, chips(s.positive_domains)),
    h('td', null, languageLabel(s.language)),
    h('td', null, receiptText(s.receipt)),
    h('td', null, textsText(s.texts)),
    h('td', null, s.follow_up_due ? day(s.follow_up_due) : '—'),
    h('td', null, h('span', { class: `badge st-${s.status}` }, STATUS_TEXT[s.status] || statusLabel(s.status) || '—'),
      assigned.length ? h('div', { class: 'muted' }, assigned.join(', ')) : null),
  );
}

function table(rows) {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Submissions, table' },
    h(
      'table',
      { id: 'queue-table' },
      h('caption', { class: 'sr-only' }, 'Submissions, newest first, those who asked for help first'),
      h('thead', null, h('tr', null,
        ['Submitted', 'Asked for help', 'Positive needs', 'Language', 'Receipt', 'Texts', 'Follow-up due', 'Status']
          .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, order(rows).map(row)),
    ),
  );
}

function filterForm(params, names) {
  const from = h('input', { type: 'date', name: 'from', value: params.from || '' });
  const to = h('input', { type: 'date', name: 'to', value: params.to || '' });
  const need = select([['', 'Any need'], ...Object.entries(DOMAINS)], params.need, { name: 'need' });
  const status = select(STATUS, params.status, { name: 'status' });
  const assigned = select([['', 'Anyone'], ['me', 'Me'], ['none', 'Nobody'], ...names.map((n) => [n, n])], params.assigned, { name: 'assigned' });
  function apply(ev) {
    ev.preventDefault();
    location.hash = `#/queue${query({ from: from.value, to: to.value, need: need.value, status: status.value, assigned: assigned.value })}`;
  }
  return h(
    'form',
    { class: 'filters panel', onsubmit: apply, 'aria-label': 'Filter the queue' },
    field('q-from', 'From', from),
    field('q-to', 'To', to),
    field('q-need', 'Need', need),
    field('q-status', 'Status', status),
    field('q-assigned', 'Assigned to', assigned),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, 'Apply filters'),
      h('a', { href: '#/queue', class: 'btn' }, 'Clear')),
  );
}

export async function renderQueue(ctx) {
  ctx.title('Queue');
  const params = ctx.params;
  const names = await staffNames();
  const filters = { from: params.from, to: params.to, need: params.need, status: params.status, assigned: params.assigned };
  /* ?limit= in the address changes the page size (1..200), e.g. for a short screen. */
  const pageSize = Math.min(Math.max(Number.parseInt(params.limit, 10) || PAGE, 1), 200);
  const rows = [];
  const list = h('div', { id: 'queue-list' });
  const more = h('button', { type: 'button', class: 'btn', id: 'more', hidden: true }, 'More');
  const count = h('p', { class: 'muted', id: 'queue-count' });
  let next = null;

  async function load(before) {
    const data = await get(`/submissions${query({ ...filters, limit: pageSize, before })}`);
    if (!ctx.current()) return;
    rows.push(...(Array.isArray(data.submissions) ? data.submissions : []));
    next = data.next || null;
    list.replaceChildren(rows.length ? table(rows) : h('p', { class: 'panel' }, 'No submissions match these filters.'));
    more.hidden = !next;
    const range = data.from && data.to ? ` from ${day(data.from)} to ${day(data.to)}` : '';
    count.textContent = `${rows.length} submission${rows.length === 1 ? '' : 's'}${range} shown${next ? '; more are available' : ''}.`;
  }

  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      await load(next);
      ctx.announce(count.textContent);
    } catch (e) {
      if (e.status !== 401) list.append(failure(e, 'More submissions'));
    } finally {
      more.disabled = false;
    }
  });

  ctx.view.replaceChildren(
    h('h1', null, 'Queue'),
    filterForm(params, names),
    count,
    list,
    h('div', { class: 'actions' }, more),
  );
  try {
    await load(null);
  } catch (e) {
    if (e.status === 401) throw e;
    list.replaceChildren(failure(e, 'The queue'));
  }
}
