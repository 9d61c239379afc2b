/*
 * Follow-up: the referrals whose next follow-up date is today, those whose
 * date has passed, and texts the patient has not answered.  Each row links
 * to its submission, where the referral is updated.
 */
import { h, chips, timeEl, day, statusLabel } from '../dom.js';
import { get } from '../api.js';
import { personName, failure, TEXT_KIND } from './common.js';

function subLink(id, label) {
  return h('a', { href: `#/submissions/${encodeURIComponent(id)}` }, label);
}

function referralTable(id, caption, items, empty) {
  if (!items.length) return h('p', { class: 'muted', id }, empty);
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${caption}, table` }, h('table', { id },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', null, h('tr', null, ['Resource', 'Need', 'Status', 'Assigned to', 'Follow up on', 'Submission'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, items.map((i) => h('tr', null,
      h('td', null, i.name || i.service_id),
      h('td', null, chips([i.domain])),
      h('td', null, h('span', { class: `badge st-${i.status}` }, statusLabel(i.status))),
      h('td', null, personName(i.assigned_to) || 'Nobody'),
      h('td', null, day(i.next_follow_up)),
      h('td', null, subLink(i.submission_id, i.created_at ? timeEl(i.created_at) : 'Open')))))));
}

function noAnswerTable(items) {
  if (!items.length) return h('p', { class: 'muted', id: 'fu-no-answer' }, 'Every text has been answered, or none is waiting.');
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Texts with no answer, table' }, h('table', { id: 'fu-no-answer' },
    h('caption', { class: 'sr-only' }, 'Texts with no answer'),
    h('thead', null, h('tr', null, ['Text', 'Sent', 'Submission'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, items.map((i) => h('tr', null,
      h('td', null, TEXT_KIND[i.kind] || i.kind || 'Text'),
      h('td', null, timeEl(i.sent_at)),
      h('td', null, subLink(i.submission_id, 'Open submission')))))));
}

export async function renderFollowUp(ctx) {
  ctx.title('Follow-up');
  let d;
  try {
    d = await get('/follow-up');
  } catch (e) {
    if (e.status === 401) throw e;
    if (ctx.current()) ctx.view.replaceChildren(h('h1', null, 'Follow-up'), failure(e, 'The follow-up list'));
    return;
  }
  if (!ctx.current()) return;
  const list = (x) => (Array.isArray(x) ? x : []);
  const due = list(d.due_today);
  const overdue = list(d.overdue);
  const none = list(d.no_answer);
  ctx.view.replaceChildren(
    h('h1', null, 'Follow-up'),
    h('p', { class: 'muted' }, `Today is ${day(d.today)}. ${overdue.length} overdue, ${due.length} due today, ${none.length} text${none.length === 1 ? '' : 's'} with no answer.`),
    h('section', { class: 'panel', 'aria-labelledby': 'fu-over-h' },
      h('h2', { id: 'fu-over-h' }, `Overdue (${overdue.length})`),
      referralTable('fu-overdue', 'Overdue follow-ups', overdue, 'Nothing is overdue.')),
    h('section', { class: 'panel', 'aria-labelledby': 'fu-due-h' },
      h('h2', { id: 'fu-due-h' }, `Due today (${due.length})`),
      referralTable('fu-due', 'Follow-ups due today', due, 'Nothing is due today.')),
    h('section', { class: 'panel', 'aria-labelledby': 'fu-none-h' },
      h('h2', { id: 'fu-none-h' }, `Texts with no answer (${none.length})`),
      noAnswerTable(none)),
  );
}
