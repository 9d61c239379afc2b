/*
 * Reports for a date range (the clinic's days, inclusive): screenings per
 * day, how often each need screened positive, how many asked for help,
 * the referral funnel, texts delivered and answered, languages, and data
 * quality; with the CSV and FHIR exports for the same range.
 */
import { h, domainLabel, languageLabel, percent, ymd, day } from '../dom.js';
import { get, href, query } from '../api.js';
import { barChart, columnChart } from '../charts.js';
import { failure, field, downloadLink } from './common.js';

const FUNNEL = [['suggested', 'Suggested'], ['referred', 'Referred'], ['contacted', 'Contacted'],
  ['connected', 'Connected'], ['declined', 'Declined'], ['unreachable', 'Could not reach']];

const num = (v) => Number(v) || 0;

function stat(id, label, value, note) {
  return h('div', { class: 'stat panel' }, h('p', { class: 'muted' }, label), h('p', { class: 'bignum', id }, value), note ? h('p', { class: 'muted' }, note) : null);
}

function shortDay(ymdText) {
  const m = /^\d{4}-(\d{2})-(\d{2})/.exec(ymdText || '');
  return m ? `${Number(m[1])}/${Number(m[2])}` : ymdText;
}

function qualityList(q) {
  if (!q || typeof q !== 'object' || Object.keys(q).length === 0) return null;
  const words = (k) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  const show = (v) => (typeof v === 'number' && v > 0 && v < 1 && !Number.isInteger(v) ? percent(v) : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return h('section', { class: 'panel', 'aria-labelledby': 'q-h' }, h('h2', { id: 'q-h' }, 'Data quality'),
    h('dl', { class: 'facts', id: 'quality' }, Object.entries(q).map(([k, v]) => [h('dt', null, words(k)), h('dd', null, show(v))])));
}

function exportsBar(ctx, from, to) {
  if (!ctx.canChange) {
    return h('section', { class: 'panel', 'aria-labelledby': 'x-h' }, h('h2', { id: 'x-h' }, 'Export this period'),
      h('p', { class: 'muted', id: 'export-role' }, 'Exports contain patient answers and need a navigator’s or an admin’s account.'));
  }
  const range = { from, to };
  const status = h('p', { role: 'status', id: 'export-status' });
  return h('section', { class: 'panel', 'aria-labelledby': 'x-h' }, h('h2', { id: 'x-h' }, 'Export this period'),
    h('p', { class: 'muted' }, 'Exports contain patient answers. Keep the files on clinic computers only. Each export is recorded in the audit log.'),
    h('div', { class: 'actions' },
      downloadLink({ id: 'export-submissions', href: href('/export/submissions.csv', range), download: `submissions-${from}-${to}.csv` }, 'Submissions (CSV)', status),
      downloadLink({ id: 'export-referrals', href: href('/export/referrals.csv', range), download: `referrals-${from}-${to}.csv` }, 'Referrals (CSV)', status),
      downloadLink({ id: 'export-fhir', href: href('/export/fhir', range), download: `signpost-fhir-${from}-${to}.json` }, 'FHIR bundle (JSON)', status)),
    status);
}

function charts(r) {
  const perDay = (r.screenings_per_day || []).map((d) => ({ label: day(d.day), short: shortDay(d.day), value: num(d.count) }));
  const positive = (r.positive_rate || []).map((d) => ({ label: domainLabel(d.domain), value: num(d.rate), text: `${percent(d.rate)} (${num(d.positive)} of ${num(d.screened)})` }));
  const w = r.wants_help || {};
  const help = [['yes', 'Yes'], ['no', 'No'], ['unknown', 'Not asked']].map(([k, label]) => ({ label, value: num(w[k]) }));
  const f = r.funnel || {};
  const funnel = FUNNEL.map(([k, label]) => ({ label, value: num(f[k]) }));
  const m = r.sms || {};
  const sms = [['consents', 'Agreed to texts'], ['sent', 'Sent'], ['delivered', 'Delivered'], ['failed', 'Failed'], ['expired', 'Expired'],
    ['replies', 'Replies'], ['opt_outs', 'Stopped (STOP)']].map(([k, label]) => ({ label, value: num(m[k]) }));
  const langs = (r.languages || []).map((l) => ({ label: languageLabel(l.language), value: num(l.count) }));
  const anyHelp = help.some((x) => x.value);
  return h('div', { class: 'charts' },
    columnChart({ id: 'chart-per-day', title: 'Screenings per day', rows: perDay }),
    barChart({ id: 'chart-positive', title: 'Screened positive, by need', rows: positive, max: 1, headers: ['Need', 'Positive'] }),
    barChart({ id: 'chart-help', title: `Asked for help (${percent(w.rate)} of those asked)`, rows: anyHelp ? help : [], headers: ['Answer', 'Patients'], alt: true }),
    barChart({ id: 'chart-funnel', title: 'Referral funnel', rows: funnel.some((x) => x.value) ? funnel : [], headers: ['Status', 'Referrals'] }),
    barChart({ id: 'chart-sms', title: `Texts (delivered ${percent(num(m.sent) ? num(m.delivered) / num(m.sent) : null)}, replied ${percent(m.reply_rate)})`,
      rows: sms.some((x) => x.value) ? sms : [], headers: ['Texts', 'Count'], alt: true }),
    barChart({ id: 'chart-languages', title: 'Languages', rows: langs, headers: ['Language', 'Screenings'] }));
}

export async function renderReports(ctx) {
  ctx.title('Reports');
  const from = ctx.params.from || ymd(-29);
  const to = ctx.params.to || ymd(0);
  const fromIn = h('input', { type: 'date', value: from, required: true });
  const toIn = h('input', { type: 'date', value: to, required: true });
  const out = h('div', { id: 'report' }, h('p', { class: 'loading' }, 'Loading…'));
  ctx.view.replaceChildren(
    h('h1', null, 'Reports'),
    h('form', { class: 'filters panel', 'aria-label': 'Report period', onsubmit(ev) {
      ev.preventDefault();
      location.hash = `#/reports${query({ from: fromIn.value, to: toIn.value })}`;
    } },
    field('rp-from', 'From', fromIn), field('rp-to', 'To (inclusive)', toIn),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Run report'))),
    out);
  let r;
  try {
    r = await get(`/reports${query({ from, to })}`);
  } catch (e) {
    if (e.status === 401) throw e;
    if (ctx.current()) out.replaceChildren(failure(e, 'The report'), exportsBar(ctx, from, to));
    return;
  }
  if (!ctx.current()) return;
  const w = r.wants_help || {};
  const m = r.sms || {};
  const f = r.funnel || {};
  out.replaceChildren(
    h('p', null, `From ${day(r.from || from)} to ${day(r.to || to)}.`),
    h('div', { class: 'stats' },
      stat('stat-screenings', 'Screenings', String(num(r.screenings))),
      stat('stat-help', 'Asked for help', percent(w.rate), `${num(w.yes)} of ${num(w.yes) + num(w.no)} asked`),
      stat('stat-connected', 'Referrals connected', String(num(f.connected))),
      stat('stat-replies', 'Text reply rate', percent(m.reply_rate))),
    charts(r),
    qualityList(r.quality),
    exportsBar(ctx, from, to));
}
