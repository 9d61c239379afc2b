/*
 * One submission: what the patient answered (in the staff member's
 * language beside the patient's own words), how it was scored, which
 * resources the kiosk gave and why, and for each of them the referral
 * record navigators keep: status, who owns it, the next follow-up date, a
 * note, and the history, where the patient's own text replies are marked
 * as such.  Then the receipt's print history (with Reprint) and the texts.
 *
 * Opening this screen is itself an audited view on the server.  Viewers
 * see everything but get no control that would change anything.
 */
import { h, chips, domainLabel, languageLabel, timeEl, when, day, STATUSES, statusLabel, LANGUAGES } from '../dom.js';
import { get, post, query } from '../api.js';
import { staffNames, personName, failure, field, select, replyText, TEXT_KIND, TEXT_STATE } from './common.js';

const PRINT = { done: 'Printed', queued: 'Waiting to print', printing: 'Printing', failed: 'Failed' };
const PATIENT_SOURCES = new Set(['sms', 'patient', 'reply', 'text', 'sms_reply']);

function fetchSubmission(id, lang) {
  return get(`/submissions/${encodeURIComponent(id)}${query({ lang })}`);
}

function langSwitch(ctx, lang) {
  const id = ctx.match[1];
  return h(
    'div',
    { class: 'actions', role: 'group', 'aria-label': 'Language of the questions' },
    h('span', { class: 'muted' }, 'Show questions in:'),
    Object.entries(LANGUAGES).map(([code, name]) =>
      h('a', { class: 'btn', href: `#/submissions/${encodeURIComponent(id)}?lang=${code}`, 'aria-current': code === lang ? 'true' : null, lang: code },
        code === 'es' ? 'Español' : name)),
  );
}

function instrumentText(i) {
  if (!i) return '—';
  if (typeof i === 'string') return i;
  return [i.id, i.version].filter(Boolean).join(', version ');
}

function summary(d) {
  const safety = d.safety_score === null || d.safety_score === undefined
    ? (d.safety_complete === false ? 'Not scored: a safety question was skipped' : '—')
    : `${d.safety_score}${d.safety_complete === false ? ' (incomplete)' : ''}`;
  const help = d.wants_help === true ? 'Yes' : d.wants_help === false ? 'No' : 'Not asked';
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'sum-h' },
    h('h2', { id: 'sum-h' }, 'Summary'),
    h('dl', { class: 'facts' },
      h('dt', null, 'Submitted'), h('dd', null, timeEl(d.created_at)),
      h('dt', null, 'Kiosk'), h('dd', null, d.kiosk_id || '—'),
      h('dt', null, 'Patient’s language'), h('dd', null, languageLabel(d.language)),
      h('dt', null, 'Asked for help'), h('dd', { id: 'wants-help' }, help),
      h('dt', null, 'Help asked with'), h('dd', null, chips(d.help_domains)),
      h('dt', null, 'Positive needs'), h('dd', { id: 'positive-needs' }, chips(d.positive_domains)),
      h('dt', null, 'Safety score'), h('dd', null, safety),
      h('dt', null, 'Instrument'), h('dd', null, instrumentText(d.instrument)),
      h('dt', null, 'Scoring rule'), h('dd', { id: 'scoring-rule' }, d.scoring_rule || '—')),
  );
}

function domainsTable(domains) {
  if (!Array.isArray(domains) || domains.length === 0) return null;
  return h('section', { class: 'panel', 'aria-labelledby': 'dom-h' },
    h('h2', { id: 'dom-h' }, 'Scores by need'),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Scores by need, table' }, h('table', null,
      h('thead', null, h('tr', null, ['Need', 'Result', 'Score', 'Asked for help'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, domains.map((x) => h('tr', null,
        h('th', { scope: 'row' }, domainLabel(x.name)),
        h('td', null, x.positive ? h('span', { class: 'badge help' }, 'Positive') : 'Negative'),
        h('td', { class: 'num' }, x.score === null || x.score === undefined ? '—' : String(x.score)),
        h('td', null, x.wants_help ? 'Yes' : 'No')))))));
}

function answersTable(d) {
  const rows = Array.isArray(d.answers) ? d.answers : [];
  return h('section', { class: 'panel', 'aria-labelledby': 'ans-h' },
    h('h2', { id: 'ans-h' }, 'Answers'),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Answers, table' }, h('table', { id: 'answers' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Question'), h('th', { scope: 'col' }, 'Answer'),
        h('th', { scope: 'col' }, `What the patient read (${languageLabel(d.language)})`))),
      h('tbody', null, rows.map((a) => {
        const q = a.question || {};
        const ans = a.answer;
        const skipped = a.skipped || !ans;
        return h('tr', { 'data-code': a.code },
          h('td', null, q.staff || q.patient || a.code),
          h('td', null, skipped ? h('span', { class: 'answer-skipped' }, 'Skipped') : ans.staff || ans.patient || ans.code),
          h('td', { lang: d.language || null }, h('div', null, q.patient || ''),
            h('div', { class: skipped ? 'answer-skipped' : 'ok' }, skipped ? '—' : `→ ${ans.patient || ans.code}`)));
      })))));
}

function historyList(events) {
  const list = Array.isArray(events) ? events : [];
  if (list.length === 0) return h('p', { class: 'muted' }, 'No history yet.');
  return h('ol', { class: 'history' }, list.map((e) => {
    const fromPatient = PATIENT_SOURCES.has(String(e.source || '').toLowerCase());
    return h('li', null,
      timeEl(e.at), ' — ',
      fromPatient ? h('span', { class: 'from-patient' }, 'from the patient’s text') : h('span', null, e.username || e.source || 'system'),
      e.status ? [': ', h('strong', null, statusLabel(e.status))] : null,
      e.note ? h('div', null, fromPatient ? `“${e.note}”` : e.note) : null);
  }));
}

function referralForm(ctx, d, r, names, onSaved) {
  const key = `${r.domain}-${r.service_id}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const status = select(STATUSES, r.status || 'suggested', { name: 'status' });
  const assigned = select([['', 'Nobody'], ...names.map((n) => [n, n])], personName(r.assigned_to), { name: 'assigned_to' });
  const next = h('input', { type: 'date', name: 'next_follow_up', value: (r.next_follow_up || '').slice(0, 10) });
  const note = h('textarea', { name: 'note', rows: 2 });
  const msg = h('p', { class: 'form-status', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn primary' }, 'Save');
  async function submit(ev) {
    ev.preventDefault();
    /* The form says what the record should be: an empty choice clears. */
    const body = {
      domain: r.domain, service_id: r.service_id, status: status.value,
      assigned_to: assigned.value || null, next_follow_up: next.value || null,
    };
    if (note.value.trim()) body.note = note.value.trim();
    save.disabled = true;
    msg.className = 'form-status';
    msg.textContent = 'Saving…';
    try {
      await post(`/submissions/${encodeURIComponent(d.id)}/referrals`, body);
      note.value = '';
      await onSaved(r, 'Saved.');
    } catch (e) {
      if (e.status === 401) return;
      msg.className = 'form-status error';
      msg.textContent = `Not saved: ${e.message}${e.field ? ` (${e.field})` : ''}`;
    } finally {
      save.disabled = false;
    }
  }
  return h('form', { class: 'referral-form', onsubmit: submit, 'aria-label': `Referral to ${r.name || r.service_id}` },
    h('div', { class: 'fields' },
      field(`st-${key}`, 'Status', status),
      field(`as-${key}`, 'Assigned to', assigned),
      field(`nf-${key}`, 'Next follow-up', next),
      field(`no-${key}`, 'Note (added to the history)', note, 'wide')),
    h('div', { class: 'actions' }, save, msg));
}

function referralCard(ctx, d, r, names, onSaved, message) {
  const card = h('article', { class: 'panel referral', 'data-service': r.service_id, 'data-domain': r.domain },
    h('h3', null, r.name || r.service_id, ' ', chips([r.domain])),
    h('div', { class: 'referral-body' }, h('dl', { class: 'facts' },
      h('dt', null, 'Status'), h('dd', null, h('span', { class: `badge st-${r.status} referral-status` }, statusLabel(r.status))),
      h('dt', null, 'Phone'), h('dd', null, r.phone || '—'),
      h('dt', null, 'Assigned to'), h('dd', null, personName(r.assigned_to) || 'Nobody'),
      h('dt', null, 'Next follow-up'), h('dd', null, r.next_follow_up ? day(r.next_follow_up) : '—'),
      h('dt', null, 'Why given'), h('dd', { class: 'why' }, r.why || '—'),
      r.updated_at ? [h('dt', null, 'Last change'), h('dd', null, when(r.updated_at), r.updated_by ? ` by ${r.updated_by}` : '')] : null),
    ctx.canChange ? referralForm(ctx, d, r, names, onSaved) : null),
    h('h4', null, 'History'),
    historyList(r.events));
  if (message) {
    const status = card.querySelector('.form-status');
    if (status) {
      status.className = 'form-status ok';
      status.textContent = message;
    }
  }
  return card;
}

function referralsSection(ctx, d, names) {
  const section = h('section', { 'aria-labelledby': 'ref-h', id: 'referrals' }, h('h2', { id: 'ref-h' }, 'Resources given and referrals'));
  const refs = Array.isArray(d.referrals) ? d.referrals : [];
  if (refs.length === 0) section.append(h('p', { class: 'panel' }, 'The kiosk gave no resources for this visit.'));
  async function onSaved(r, message) {
    const fresh = await fetchSubmission(d.id, ctx.params.lang);
    if (!ctx.current()) return;
    const nr = (fresh.referrals || []).find((x) => x.domain === r.domain && x.service_id === r.service_id) || r;
    const old = section.querySelector(`article[data-service="${CSS.escape(String(r.service_id))}"][data-domain="${CSS.escape(String(r.domain))}"]`);
    const card = referralCard(ctx, fresh, nr, names, onSaved, message);
    old.replaceWith(card);
    const btn = card.querySelector('button[type="submit"]');
    if (btn) btn.focus();
    ctx.announce(`Referral to ${nr.name || nr.service_id} saved: ${statusLabel(nr.status)}.`);
  }
  refs.forEach((r) => section.append(referralCard(ctx, d, r, names, onSaved)));
  return section;
}

function printsSection(ctx, d) {
  const prints = Array.isArray(d.prints) ? d.prints : [];
  const msg = h('p', { role: 'status', id: 'reprint-status' });
  const body = h('tbody', null, prints.map((p) => h('tr', null,
    h('td', null, timeEl(p.created_at)), h('td', null, PRINT[p.status] || p.status || '—'),
    h('td', { class: 'num' }, String(p.attempts ?? '—')), h('td', null, p.error || '—'))));
  async function reprint(ev) {
    ev.target.disabled = true;
    try {
      const job = await post(`/submissions/${encodeURIComponent(d.id)}/reprint`);
      body.prepend(h('tr', null, h('td', null, 'Just now'), h('td', null, PRINT[job.status] || job.status || 'Waiting to print'), h('td', { class: 'num' }, '0'), h('td', null, '—')));
      msg.className = 'ok';
      msg.textContent = 'The receipt is queued for printing.';
    } catch (e) {
      if (e.status === 401) return;
      msg.className = 'error';
      msg.textContent = `Cannot reprint: ${e.message}`;
    } finally {
      ev.target.disabled = false;
    }
  }
  return h('section', { class: 'panel', 'aria-labelledby': 'pr-h' },
    h('h2', { id: 'pr-h' }, 'Receipt'),
    prints.length === 0 ? h('p', { class: 'muted' }, 'No receipt was printed.') : null,
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Receipt prints, table' }, h('table', { id: 'prints' },
      h('thead', null, h('tr', null, ['Queued', 'Status', 'Attempts', 'Problem'].map((t) => h('th', { scope: 'col' }, t)))),
      body)),
    ctx.canChange ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: reprint }, 'Reprint receipt'), msg) : null);
}

function smsSection(d) {
  const sms = d.sms || {};
  const items = [];
  for (const t of Array.isArray(sms.texts) ? sms.texts : []) {
    items.push({ at: t.sent_at || t.due_at, node: [h('strong', null, TEXT_KIND[t.kind] || t.kind || 'Text'), ` — ${TEXT_STATE[t.state] || t.state || ''}`,
      t.sent_at ? '' : ` (due ${when(t.due_at)})`, t.error ? h('span', { class: 'error' }, ` ${t.error}`) : null] });
  }
  for (const r of Array.isArray(sms.replies) ? sms.replies : []) {
    items.push({ at: r.at, node: [h('span', { class: 'from-patient' }, 'Reply from the patient: '), replyText(r.reply)] });
  }
  items.sort((a, b) => String(a.at).localeCompare(String(b.at)));
  const c = sms.consent;
  return h('section', { class: 'panel', 'aria-labelledby': 'sms-h', id: 'sms' },
    h('h2', { id: 'sms-h' }, 'Texts'),
    c ? h('p', null, `The patient agreed to texts on ${when(c.at)} (${languageLabel(c.language)}, consent text ${c.version}).`)
      : h('p', { class: 'muted' }, 'The patient did not ask for texts.'),
    items.length ? h('ol', { class: 'history' }, items.map((i) => h('li', null, timeEl(i.at), ' — ', i.node))) : null);
}

export async function renderSubmission(ctx) {
  const id = ctx.match[1];
  const lang = ctx.params.lang || 'en';
  ctx.title('Submission');
  let d;
  try {
    d = await fetchSubmission(id, lang);
  } catch (e) {
    if (e.status === 401) throw e;
    if (!ctx.current()) return;
    const gone = e.status === 404 && !/route/.test(e.message);
    ctx.view.replaceChildren(h('h1', null, 'Submission'),
      gone ? h('p', { class: 'error', role: 'alert' }, 'There is no such submission (it may have been removed after the retention period).')
        : failure(e, 'This submission'),
      h('p', null, h('a', { href: '#/queue' }, 'Back to the queue')));
    return;
  }
  const names = ctx.canChange ? await staffNames() : [];
  if (!ctx.current()) return;
  ctx.title(`Submission ${when(d.created_at)}`);
  ctx.view.replaceChildren(
    h('p', null, h('a', { href: '#/queue' }, '← Queue')),
    h('h1', null, `Submission from ${when(d.created_at)}`),
    langSwitch(ctx, lang),
    h('div', { class: 'grid2' }, summary(d), domainsTable(d.domains)),
    referralsSection(ctx, d, names),
    answersTable(d),
    h('div', { class: 'grid2' }, printsSection(ctx, d), smsSection(d)),
  );
}
