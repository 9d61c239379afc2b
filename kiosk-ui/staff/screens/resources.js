/*
 * Resources: search the directory, find what has not been verified lately
 * (stale) or is hidden from patients, and keep the clinic's own notes on a
 * service: a direct contact, what a patient should ask for (English and
 * Spanish, printed on the receipt), pin and priority (which move it up in
 * matching), hide, notes, and "Verified today".  Outcomes show what became
 * of the referrals made to it.
 */
import { h, chips, DOMAINS, day, when, languageLabel } from '../dom.js';
import { get, post, query } from '../api.js';
import { failure, field, select } from './common.js';

const PAGE = 50;
const OUTCOMES = [['given', 'Given to patients'], ['referred', 'Referred'], ['contacted', 'Contacted'],
  ['connected', 'Connected'], ['declined', 'Declined'], ['unreachable', 'Could not reach']];

function flags(r) {
  const out = [];
  if (r.pinned) out.push(h('span', { class: 'badge' }, 'Pinned'));
  if (r.hidden) out.push(h('span', { class: 'badge' }, 'Hidden'));
  if (r.stale) out.push(h('span', { class: 'badge st-new' }, 'Needs verifying'));
  return out.length ? out : null;
}

function resourceLink(r) {
  return h('a', { href: `#/resources/${encodeURIComponent(r.service_id)}` }, r.name || r.service_id);
}

function listTable(rows) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Resources, table' }, h('table', { id: 'resources-table' },
    h('caption', { class: 'sr-only' }, 'Resources'),
    h('thead', null, h('tr', null, ['Service', 'Organization', 'Needs', 'Phone', 'Verified', 'Priority', 'Flags'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows.map((r) => h('tr', { 'data-id': r.service_id },
      h('td', null, resourceLink(r)), h('td', null, r.organization || '—'), h('td', null, chips(r.domains)),
      h('td', null, r.phone || '—'), h('td', null, r.verified_on ? day(r.verified_on) : 'Never'),
      h('td', { class: 'num' }, r.priority ?? '—'), h('td', null, flags(r)))))));
}

export async function renderResources(ctx) {
  ctx.title('Resources');
  const p = ctx.params;
  const q = h('input', { type: 'search', name: 'q', value: p.q || '' });
  const domain = select([['', 'Any need'], ...Object.entries(DOMAINS)], p.domain, { name: 'domain' });
  const stale = h('input', { type: 'checkbox', id: 'r-stale', checked: p.stale === '1' });
  const hidden = h('input', { type: 'checkbox', id: 'r-hidden', checked: p.hidden === '1' });
  /* stale=1 and hidden=1 ask the server for only those; absent means all. */
  function apply(ev) {
    ev.preventDefault();
    location.hash = `#/resources${query({ q: q.value.trim(), domain: domain.value, stale: stale.checked, hidden: hidden.checked })}`;
  }
  const list = h('div', { id: 'resources-list' }, h('p', { class: 'loading' }, 'Loading…'));
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, 'More');
  ctx.view.replaceChildren(
    h('h1', null, 'Resources'),
    h('form', { class: 'filters panel', onsubmit: apply, role: 'search', 'aria-label': 'Search resources' },
      field('r-q', 'Search', q), field('r-domain', 'Need', domain),
      h('label', { class: 'inline', for: 'r-stale' }, stale, 'Only those that need verifying'),
      h('label', { class: 'inline', for: 'r-hidden' }, hidden, 'Only hidden ones'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Search'),
        h('a', { href: '#/resources?stale=1', class: 'btn' }, 'Stale list'))),
    list, h('div', { class: 'actions' }, more));
  const rows = [];
  async function load() {
    const d = await get(`/resources${query({ q: p.q, domain: p.domain, stale: p.stale === '1', hidden: p.hidden === '1', limit: PAGE, offset: rows.length })}`);
    if (!ctx.current()) return;
    const got = Array.isArray(d.items) ? d.items : Array.isArray(d.resources) ? d.resources : [];
    rows.push(...got);
    const total = Number.isInteger(d.total) ? d.total : null;
    list.replaceChildren(
      h('p', { class: 'muted', id: 'resources-count' }, total === null ? `${rows.length} shown.` : `${rows.length} of ${total} shown.`),
      rows.length ? listTable(rows) : h('p', { class: 'panel' }, 'No resource matches.'));
    more.hidden = total === null ? got.length < PAGE : rows.length >= total;
  }
  more.addEventListener('click', () => load().catch((e) => e.status !== 401 && list.append(failure(e, 'More resources'))));
  try {
    await load();
  } catch (e) {
    if (e.status === 401) throw e;
    list.replaceChildren(failure(e, 'The resource list'));
  }
}

function directoryFacts(d) {
  const c = d.curation || {};
  const x = d.directory || d;
  const phones = Array.isArray(x.phones) ? x.phones.join(', ') : x.phone;
  return h('section', { class: 'panel', 'aria-labelledby': 'dir-h' },
    h('h2', { id: 'dir-h' }, 'From the directory'),
    h('dl', { class: 'facts' },
      h('dt', null, 'Organization'), h('dd', null, x.organization || '—'),
      h('dt', null, 'Needs'), h('dd', null, chips(x.domains)),
      h('dt', null, 'Phone'), h('dd', null, phones || '—'),
      h('dt', null, 'Address'), h('dd', null, x.address || '—'),
      x.hours ? [h('dt', null, 'Hours'), h('dd', null, x.hours)] : null,
      Array.isArray(x.languages) && x.languages.length ? [h('dt', null, 'Languages'), h('dd', null, x.languages.map(languageLabel).join(', '))] : null,
      x.url ? [h('dt', null, 'Web'), h('dd', null, x.url)] : null,
      x.email ? [h('dt', null, 'Email'), h('dd', null, x.email)] : null,
      x.description ? [h('dt', null, 'About'), h('dd', null, x.description)] : null,
      x.assured_date ? [h('dt', null, 'Publisher checked'), h('dd', null, day(x.assured_date))] : null,
      h('dt', null, 'Verified'), h('dd', { id: 'verified-on' },
        c.verified_on ? `${day(c.verified_on)}${c.verified_by ? ` by ${c.verified_by}` : ''}` : 'Never',
        d.stale ? [' ', h('span', { class: 'badge st-new' }, 'Needs verifying')] : null),
      c.updated_at ? [h('dt', null, 'Clinic notes changed'), h('dd', null, when(c.updated_at))] : null));
}

function outcomesTable(o) {
  const x = o || {};
  return h('section', { class: 'panel', 'aria-labelledby': 'out-h' },
    h('h2', { id: 'out-h' }, 'Outcomes'),
    h('table', { id: 'outcomes' },
      h('caption', { class: 'sr-only' }, 'What became of referrals to this resource'),
      h('tbody', null, OUTCOMES.map(([k, label]) => h('tr', null, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, String(x[k] ?? 0)))))));
}

function curationForm(ctx, id, d, reload) {
  const c = d.curation || {};
  const ask = c.ask_for || {};
  const ro = !ctx.canChange;
  const f = {
    contact_name: h('input', { type: 'text', value: c.contact_name || '', readonly: ro }),
    contact_phone: h('input', { type: 'tel', value: c.contact_phone || '', readonly: ro }),
    ask_en: h('input', { type: 'text', value: ask.en || '', readonly: ro, lang: 'en' }),
    ask_es: h('input', { type: 'text', value: ask.es || '', readonly: ro, lang: 'es' }),
    priority: h('input', { type: 'number', value: c.priority ?? 0, min: -9, max: 9, step: 1, readonly: ro }),
    pinned: h('input', { type: 'checkbox', id: 'c-pinned', checked: !!c.pinned, disabled: ro }),
    hidden: h('input', { type: 'checkbox', id: 'c-hidden', checked: !!c.hidden, disabled: ro }),
    notes: h('textarea', { rows: 3, readonly: ro }, c.notes || ''),
  };
  const msg = h('p', { role: 'status', id: 'curation-status' });
  const save = h('button', { type: 'submit', class: 'btn primary' }, 'Save');
  async function submit(ev) {
    ev.preventDefault();
    /* Only what changed goes: the audit row names the fields changed. */
    const body = {};
    const text = (key, el, was) => {
      if (el.value.trim() !== (was || '')) body[key] = el.value.trim();
    };
    text('contact_name', f.contact_name, c.contact_name);
    text('contact_phone', f.contact_phone, c.contact_phone);
    text('notes', f.notes, c.notes);
    const ask = {};
    if (f.ask_en.value.trim() !== (c.ask_for?.en || '')) ask.en = f.ask_en.value.trim();
    if (f.ask_es.value.trim() !== (c.ask_for?.es || '')) ask.es = f.ask_es.value.trim();
    if (Object.keys(ask).length) body.ask_for = ask;
    const priority = Number(f.priority.value);
    if (!Number.isInteger(priority) || priority < -9 || priority > 9) {
      msg.className = 'error';
      msg.textContent = 'Not saved: priority is a whole number from -9 to 9.';
      f.priority.focus();
      return;
    }
    if (priority !== (c.priority || 0)) body.priority = priority;
    if (f.pinned.checked !== !!c.pinned) body.pinned = f.pinned.checked;
    if (f.hidden.checked !== !!c.hidden) body.hidden = f.hidden.checked;
    if (Object.keys(body).length === 0) {
      msg.className = '';
      msg.textContent = 'Nothing has changed.';
      return;
    }
    save.disabled = true;
    try {
      await post(`/resources/${encodeURIComponent(id)}`, body);
      await reload('Saved.');
    } catch (e) {
      if (e.status === 401) return;
      msg.className = 'error';
      msg.textContent = `Not saved: ${e.message}${e.field ? ` (${e.field})` : ''}`;
      save.disabled = false;
    }
  }
  async function verify(ev) {
    ev.target.disabled = true;
    try {
      await post(`/resources/${encodeURIComponent(id)}/verify`);
      await reload('Marked as verified today.');
    } catch (e) {
      if (e.status === 401) return;
      msg.className = 'error';
      msg.textContent = `Not verified: ${e.message}`;
      ev.target.disabled = false;
    }
  }
  return h('section', { class: 'panel', 'aria-labelledby': 'cur-h' },
    h('h2', { id: 'cur-h' }, 'Clinic notes'),
    ro ? h('p', { class: 'muted' }, 'Your role can read these notes but not change them.') : null,
    h('form', { id: 'curation', onsubmit: submit },
      h('div', { class: 'fields' },
        field('c-contact-name', 'Contact person or desk', f.contact_name),
        field('c-contact-phone', 'Direct phone', f.contact_phone),
        field('c-ask-en', 'What to ask for (English)', f.ask_en),
        field('c-ask-es', 'What to ask for (Spanish)', f.ask_es),
        field('c-priority', 'Priority (-9 to 9, higher first)', f.priority),
        h('div', { class: 'field wide' }, h('label', { class: 'inline', for: 'c-pinned' }, f.pinned, 'Pinned: always first for its needs'),
          h('label', { class: 'inline', for: 'c-hidden' }, f.hidden, 'Hidden: never given to patients')),
        field('c-notes', 'Notes for staff', f.notes, 'wide')),
      ro ? null : h('div', { class: 'actions' }, save,
        h('button', { type: 'button', class: 'btn', id: 'verify', onclick: verify }, 'Verified today'), msg)));
}

export async function renderResource(ctx) {
  const id = decodeURIComponent(ctx.match[1]);
  ctx.title('Resource');
  async function draw(message) {
    const d = await get(`/resources/${encodeURIComponent(id)}`);
    if (!ctx.current()) return;
    const name = (d.directory && d.directory.name) || d.name || id;
    ctx.title(name);
    ctx.view.replaceChildren(
      h('p', null, h('a', { href: '#/resources' }, '← Resources')),
      h('h1', null, name),
      h('div', { class: 'resource-layout' }, curationForm(ctx, id, d, draw),
        h('div', null, directoryFacts(d), outcomesTable(d.outcomes))));
    if (message) {
      const msg = ctx.view.querySelector('#curation-status');
      msg.className = 'ok';
      msg.textContent = message;
      ctx.announce(message);
    }
  }
  try {
    await draw(null);
  } catch (e) {
    if (e.status === 401) throw e;
    if (ctx.current()) ctx.view.replaceChildren(h('h1', null, 'Resource'), failure(e, 'This resource'), h('p', null, h('a', { href: '#/resources' }, 'Back to resources')));
  }
}
