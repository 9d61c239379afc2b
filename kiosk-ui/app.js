/*
 * The patient screen's entry point and state machine.
 *
 *   welcome -> question 1..N -> (saving) -> help (only if a need was found)
 *           -> results -> Finish = reset
 *   results -> Text me (sms) -> confirmation (sms-done) -> results
 *
 * plus two overlays that keep the screen underneath: "loading/saving" and
 * "error, try again".  Everything about the visit lives in the one `state`
 * object below, in memory only: nothing is ever written to localStorage,
 * sessionStorage, cookies or IndexedDB.  A reset revokes the result's token,
 * drops the state, and reloads the page from "/", so the next patient starts
 * from a clean page.
 *
 * Answers are kept by LOINC item code and LA answer code, never by text, so
 * switching language re-renders the same choices in the other language.
 */
import * as api from './api.js';
import { h, sleep } from './dom.js';
import { createIdleTimer } from './idle.js';
import { strings, BUILTIN_LANGUAGES } from './i18n.js';
import { welcomeScreen } from './screens/welcome.js';
import { questionScreen, refreshOptions } from './screens/question.js';
import { helpScreen, refreshHelp } from './screens/help.js';
import { resultsScreen } from './screens/results.js';
import { smsScreen, smsDoneScreen, smsModel, refreshSms } from './screens/sms.js';
import { pressKey } from './phone.js';
import { loadingScreen, errorScreen } from './screens/message.js';

/* How long a tapped single-choice answer shows as picked before moving on. */
const CONFIRM_MS = 350;
/* How long the reset waits for the token to be revoked before reloading. */
const REVOKE_WAIT_MS = 2000;

const state = {
  kiosk: null,
  lang: 'en',
  langChosen: false, // the patient picked a language (else the kiosk's default)
  instruments: new Map(), // language code -> instrument (as the API sent it)
  screen: 'welcome', // welcome | question | help | results | sms | sms-done
  overlay: null, // null | { kind: 'loading', text } | { kind: 'error', retry }
  index: 0, // the current item on the question screen
  answers: new Map(), // item code -> LA code (single) or [LA codes] (multi)
  skipped: new Set(), // item codes the patient chose not to answer
  session: null, // { id, token } once the screening is stored
  result: null, // the latest result from the daemon
  helpPick: new Set(), // domains the patient asked help with
  printStatus: null, // null | 'printing' | 'printed' | 'printFailed'
  /* "Text me" while its screen is open: { digits, agreed: {version,
   * language} | null, reminders, list, sending, error }.  The phone number
   * is here and nowhere else, and only until it is sent, Cancel, or reset. */
  sms: null,
  smsConsents: new Map(), // language -> { status: loading | ready | failed | off, consent }
  smsDone: null, // the daemon's answer once texts are set up: { scheduled, list } (no number)
  smsSignedUp: false, // texts are set up for this visit (or were already)
  busy: false, // an answer is being confirmed or a request is on its way
  resetting: false,
};

const els = {
  topbar: document.getElementById('topbar'),
  topLeft: document.getElementById('topbar-left'),
  langSwitch: document.getElementById('lang-switch'),
  live: document.getElementById('live'),
  screen: document.getElementById('screen'),
  dialog: document.getElementById('idle-dialog'),
  idleTitle: document.getElementById('idle-title'),
  idleText: document.getElementById('idle-text'),
  idleCountdown: document.getElementById('idle-countdown'),
  idleStay: document.getElementById('idle-stay'),
};

let idle = null;
const instrumentLoads = new Map();

/* ---- what the screens may read and do ------------------------------- */

const app = {
  state,
  get t() {
    return strings(state.lang);
  },
  languages() {
    const list = (state.kiosk && state.kiosk.languages) || BUILTIN_LANGUAGES;
    return list.filter((l) => l && typeof l.code === 'string');
  },
  clinicName() {
    return (state.kiosk && state.kiosk.clinic && state.kiosk.clinic.name) || '';
  },
  instrument() {
    return state.instruments.get(state.lang);
  },
  domainLabel(name) {
    const inst = app.instrument();
    const d = inst && Array.isArray(inst.domains) ? inst.domains.find((x) => x.name === name) : null;
    if (!d) return name;
    return d.discreet_label || d.label || name;
  },
  hasAnswers: () => hasVisitData(),
  selectedFor(code) {
    const a = state.answers.get(code);
    if (a === undefined) return [];
    return Array.isArray(a) ? a : [a];
  },

  setLanguage,
  start,
  answerSingle,
  toggleMulti,
  next,
  skip,
  back,
  toggleHelp,
  answerHelp,
  print,
  openSms,
  smsKey,
  smsAgree,
  smsPick,
  smsLoadConsent: () => loadConsent(state.lang, { force: true }),
  sendSms,
  closeSms,
  smsBack,
  /* What the daemon offers by text: reminders (how many, null when it did
   * not say) and/or the list once. */
  smsOffer() {
    const cfg = (state.kiosk && state.kiosk.sms) || {};
    const n = Number.isInteger(cfg.reminders) && cfg.reminders >= 0 ? cfg.reminders : null;
    return { reminders: n, remindersOn: n === null || n > 0, sendList: cfg.send_list === true };
  },
  smsConsent() {
    return state.smsConsents.get(state.lang) || { status: 'loading', consent: null };
  },
  /* Where a number that sent STOP texts START to get texts again. */
  smsStartNumber() {
    const k = state.kiosk || {};
    const number = (k.sms && typeof k.sms.from === 'string' && k.sms.from) || (k.clinic && k.clinic.phone) || '';
    return number.replace(/ /g, '\u00a0'); /* never broken over two lines */
  },
  finish: () => reset(),
};

/* ---- rendering ------------------------------------------------------- */

function currentView() {
  if (state.overlay && state.overlay.kind === 'loading') return loadingScreen(app, state.overlay.text);
  if (state.overlay && state.overlay.kind === 'error') return errorScreen(app, state.overlay.retry);
  switch (state.screen) {
    case 'question':
      return questionScreen(app);
    case 'help':
      return helpScreen(app);
    case 'results':
      return resultsScreen(app);
    case 'sms':
      return smsScreen(app);
    case 'sms-done':
      return smsDoneScreen(app);
    default:
      return welcomeScreen(app);
  }
}

function renderTopbar(view) {
  const t = app.t;
  els.topbar.hidden = !view.topbar;
  if (view.progress) {
    const { n, total } = view.progress;
    const text = t.questionOf(n, total);
    const fill = h('div', { class: 'bar-fill' });
    fill.style.width = `${Math.round((n / total) * 100)}%`;
    els.topLeft.replaceChildren(
      h(
        'div',
        { class: 'progress' },
        h('p', { class: 'progress-text', 'aria-hidden': 'true' }, text),
        h(
          'div',
          {
            class: 'bar',
            role: 'progressbar',
            'aria-label': t.progressLabel,
            'aria-valuemin': 0,
            'aria-valuemax': total,
            'aria-valuenow': n,
            'aria-valuetext': text,
          },
          fill,
        ),
      ),
    );
  } else {
    els.topLeft.replaceChildren(h('p', { class: 'clinic-small' }, app.clinicName()));
  }
  const others = app.languages().filter((l) => l.code !== state.lang);
  els.langSwitch.setAttribute('aria-label', t.language);
  els.langSwitch.replaceChildren(
    ...others.map((l) =>
      h('button', { type: 'button', class: 'btn lang-small', lang: l.code, onclick: () => setLanguage(l.code) }, l.name),
    ),
  );
}

function announce(text) {
  /* Clear first so the same words are announced again when they repeat. */
  els.live.textContent = '';
  setTimeout(() => {
    els.live.textContent = text;
  }, 50);
}

/* Make a scrolling area reachable by keyboard when it has nothing focusable
 * inside (axe: scrollable-region-focusable). */
function markScrollable() {
  const body = els.screen.querySelector('.screen-body');
  if (!body) return;
  if (body.scrollHeight > body.clientHeight + 1) body.setAttribute('tabindex', '0');
  else body.removeAttribute('tabindex');
}

function render({ focus = 'heading', say = true } = {}) {
  const t = app.t;
  document.documentElement.lang = state.lang;
  document.title = app.clinicName() ? `${t.pageTitle} – ${app.clinicName()}` : t.pageTitle;
  const view = currentView();
  renderTopbar(view);
  els.screen.dataset.screen = view.name;
  els.screen.replaceChildren(
    h('div', { class: 'screen-body' }, view.body),
    view.actions ? h('div', { class: 'screen-actions' }, view.actions) : null,
  );
  els.screen.querySelector('.screen-body').scrollTop = 0;
  markScrollable();
  if (say) announce(view.announce);
  if (focus === 'heading') {
    const h1 = els.screen.querySelector('h1');
    if (h1) h1.focus({ preventScroll: true });
  } else if (focus === 'lang') {
    const btn = els.langSwitch.querySelector('button') || els.screen.querySelector(`button[lang="${state.lang}"]`);
    if (btn) btn.focus({ preventScroll: true });
  }
  updateIdleText();
  updateIdleArming();
}

/* ---- loading data -------------------------------------------------------- */

function ensureInstrument(lang) {
  if (state.instruments.has(lang)) return Promise.resolve(state.instruments.get(lang));
  if (!instrumentLoads.has(lang)) {
    const p = api
      .getInstrument(lang)
      .then((inst) => {
        state.instruments.set(lang, inst);
        return inst;
      })
      .finally(() => instrumentLoads.delete(lang));
    instrumentLoads.set(lang, p);
  }
  return instrumentLoads.get(lang);
}

function showError(retry) {
  state.busy = false;
  state.overlay = { kind: 'error', retry };
  render();
}

function showLoading(text) {
  state.overlay = { kind: 'loading', text };
  render();
}

async function boot() {
  state.overlay = null;
  showLoading(app.t.loading);
  let kiosk;
  try {
    kiosk = await api.getKiosk();
  } catch (e) {
    showError(boot);
    return;
  }
  state.kiosk = kiosk;
  const offered = app.languages().map((l) => l.code);
  if (!state.langChosen || !offered.includes(state.lang)) {
    state.lang = offered.includes(kiosk.default_language) ? kiosk.default_language : offered[0] || 'en';
  }
  if (!idle) {
    const seconds = (v, d) => (Number.isFinite(v) && v > 0 ? v : d);
    idle = createIdleTimer({
      warnAfterMs: seconds(kiosk.idle_warning_s, 60) * 1000,
      resetAfterMs: seconds(kiosk.idle_reset_s, 30) * 1000,
      onWarn: openIdleWarning,
      onTick: updateCountdown,
      onStillHere: closeIdleWarning,
      onReset: () => reset(),
    });
  }
  state.overlay = null;
  state.screen = 'welcome';
  render();
  /* Fetch every language now, so a switch later is instant and works even if
   * the network hiccups; a failure here is retried when it is needed. */
  for (const code of offered) ensureInstrument(code).catch(() => {});
}

/* ---- actions ------------------------------------------------------------ */

async function setLanguage(code) {
  if (state.resetting || !app.languages().some((l) => l.code === code)) return;
  const itemCode = state.screen === 'question' && app.instrument() ? currentItem().code : null;
  state.lang = code;
  state.langChosen = true;
  /* Text me: the typed number stays; the consent text comes in the new
   * language, and "I agree" (given to the words on show) starts over. */
  if (state.sms && state.sms.agreed && state.sms.agreed.language !== code) state.sms.agreed = null;
  if (state.screen === 'sms' && state.sms) loadConsent(code);
  if (state.screen === 'welcome' && !state.overlay) {
    render({ focus: 'none' });
    els.screen.querySelector(`button[lang="${code}"]`)?.focus({ preventScroll: true });
    return;
  }
  if (state.screen === 'welcome' || state.instruments.has(code)) {
    realign(itemCode);
    render({ focus: 'lang' });
    return;
  }
  /* The screen needs the instrument in the new language (question text,
   * need labels): load it, keeping every answer and any error on show. */
  const earlier = state.overlay && state.overlay.kind === 'error' && !state.overlay.language ? state.overlay : null;
  showLoading(app.t.loading);
  try {
    await ensureInstrument(code);
  } catch (e) {
    state.overlay = { kind: 'error', language: true, retry: () => setLanguage(code) };
    render();
    return;
  }
  if (state.lang !== code || state.resetting) return;
  state.overlay = earlier;
  realign(itemCode);
  render({ focus: 'lang' });
}

/* Stay on the same question (by its LOINC code) in the other language's
 * instrument, whatever the order of the items there. */
function realign(itemCode) {
  const items = app.instrument() ? app.instrument().items : [];
  if (!itemCode || items.length === 0) return;
  const i = items.findIndex((it) => it.code === itemCode);
  state.index = i >= 0 ? i : Math.min(state.index, items.length - 1);
}

async function start() {
  if (state.busy) return;
  state.busy = true;
  if (!state.instruments.has(state.lang)) {
    showLoading(app.t.loading);
    try {
      await ensureInstrument(state.lang);
    } catch (e) {
      showError(() => {
        state.overlay = null;
        start();
      });
      return;
    }
  }
  state.busy = false;
  state.overlay = null;
  state.screen = 'question';
  state.index = 0;
  render();
}

function currentItem() {
  return app.instrument().items[state.index];
}

async function answerSingle(item, code, button) {
  if (state.busy || currentItem().code !== item.code) return;
  state.busy = true;
  state.answers.set(item.code, code);
  state.skipped.delete(item.code);
  refreshOptions(els.screen, [code]);
  if (button) button.classList.add('confirmed');
  await sleep(CONFIRM_MS);
  state.busy = false;
  if (state.resetting || state.screen !== 'question' || state.overlay || currentItem().code !== item.code) return;
  advance();
}

function toggleMulti(item, code) {
  if (state.busy) return;
  const option = item.options.find((o) => o.code === code);
  if (!option) return;
  let chosen = app.selectedFor(item.code);
  if (chosen.includes(code)) {
    chosen = chosen.filter((c) => c !== code);
  } else if (option.exclusive) {
    chosen = [code]; /* "None of the above" clears the others */
  } else {
    const exclusive = new Set(item.options.filter((o) => o.exclusive).map((o) => o.code));
    chosen = chosen.filter((c) => !exclusive.has(c)).concat(code);
  }
  /* Keep the instrument's order, whatever the order of the taps. */
  chosen = item.options.map((o) => o.code).filter((c) => chosen.includes(c));
  if (chosen.length) state.answers.set(item.code, chosen);
  else state.answers.delete(item.code);
  state.skipped.delete(item.code);
  refreshOptions(els.screen, chosen);
}

function next(item) {
  if (state.busy || app.selectedFor(item.code).length === 0) return;
  advance();
}

function skip(item) {
  if (state.busy) return;
  state.answers.delete(item.code);
  state.skipped.add(item.code);
  advance();
}

function back() {
  if (state.busy) return;
  if (state.index > 0) {
    state.index -= 1;
  } else {
    state.screen = 'welcome';
  }
  render();
}

function advance() {
  const items = app.instrument().items;
  if (state.index + 1 < items.length) {
    state.index += 1;
    render();
  } else {
    submit();
  }
}

function screeningBody() {
  const answers = {};
  const skipped = [];
  for (const item of app.instrument().items) {
    const a = state.answers.get(item.code);
    if (a !== undefined && (!Array.isArray(a) || a.length > 0)) {
      answers[item.code] = item.type === 'multi' ? [].concat(a) : Array.isArray(a) ? a[0] : a;
    } else {
      skipped.push(item.code);
    }
  }
  return { language: state.lang, answers, skipped };
}

async function submit() {
  if (state.resetting) return;
  state.busy = true;
  showLoading(app.t.saving);
  let result;
  try {
    result = await api.createScreening(screeningBody());
  } catch (e) {
    showError(submit);
    return;
  }
  state.session = { id: result.id, token: result.token };
  state.result = result;
  state.busy = false;
  state.overlay = null;
  state.helpPick = new Set();
  state.screen = (result.positive_domains || []).length > 0 ? 'help' : 'results';
  render();
}

function toggleHelp(domain) {
  if (state.busy) return;
  if (state.helpPick.has(domain)) state.helpPick.delete(domain);
  else state.helpPick.add(domain);
  refreshHelp(els.screen, state.helpPick);
}

async function answerHelp(wants) {
  if (state.busy || state.resetting) return;
  const positive = state.result.positive_domains || [];
  const domains = wants ? positive.filter((d) => state.helpPick.has(d)) : [];
  if (wants && domains.length === 0) return;
  state.busy = true;
  showLoading(app.t.saving);
  try {
    const updated = await api.setHelp(state.session.id, state.session.token, wants, domains);
    state.result = updated;
  } catch (e) {
    if (e.status === 401) {
      /* The token has expired: the choice cannot be recorded any more, but
       * the patient still gets the list of places to call. */
      state.result = { ...state.result, wants_help: null };
    } else {
      showError(() => answerHelp(wants));
      return;
    }
  }
  state.busy = false;
  state.overlay = null;
  state.screen = 'results';
  render();
}

async function print() {
  if (state.busy || !state.session || state.printStatus === 'printing') return;
  const session = state.session;
  setPrintStatus('printing');
  const deadline = Date.now() + 60000;
  let outcome = 'printFailed';
  try {
    const job = await api.requestReceipt(session.id, session.token);
    let status = job.status;
    while (status !== 'done' && status !== 'failed' && Date.now() < deadline && !state.resetting) {
      await sleep(1000);
      status = (await api.getPrintJob(job.job_id, session.token)).status;
    }
    if (status === 'done') outcome = 'printed';
  } catch (e) {
    /* outcome stays printFailed */
  }
  if (!state.resetting) setPrintStatus(outcome);
}

/* The status line under the list changes in place, so the list does not
 * jump back to the top while the patient reads it. */
function setPrintStatus(status) {
  state.printStatus = status;
  const line = els.screen.querySelector('.print-status');
  if (line && state.screen === 'results' && !state.overlay) line.textContent = app.t[status] || '';
}

/* ---- "Text me" ----------------------------------------------------------- */

function openSms() {
  if (state.busy || state.resetting || !state.session || state.smsSignedUp) return;
  state.sms = { digits: '', agreed: null, reminders: true, list: false, sending: false, error: null };
  state.screen = 'sms';
  loadConsent(state.lang);
  render();
}

/* The sms screen changes in place: the button under the finger keeps its
 * focus and nothing jumps. */
function refreshSmsScreen() {
  if (state.resetting || state.overlay || state.screen !== 'sms' || !state.sms) return;
  const problemBefore = els.screen.querySelector('#sms-problem')?.textContent;
  refreshSms(els.screen, app);
  markScrollable();
  /* A new problem with the number, or a failed send: show the number and
   * what is wrong (the pad stays put beside it, see style.css). */
  const problem = els.screen.querySelector('#sms-problem');
  if (problem && problem.textContent && problem.textContent !== problemBefore) problem.scrollIntoView({ block: 'nearest' });
}

/* Fetch the consent text in lang once per visit (again with force, or
 * after a failure); the screen follows when it arrives. */
function loadConsent(lang, { force = false } = {}) {
  const have = state.smsConsents.get(lang);
  if (have && !force && (have.status === 'ready' || have.status === 'loading' || have.status === 'off')) return;
  const entry = { status: 'loading', consent: null };
  state.smsConsents.set(lang, entry);
  refreshSmsScreen();
  api
    .getSmsConsent(lang)
    .then(
      (consent) => {
        entry.status = 'ready';
        entry.consent = consent;
      },
      (e) => {
        entry.status = e.status === 404 && e.code === 'sms_off' ? 'off' : 'failed';
      },
    )
    .finally(() => {
      if (state.smsConsents.get(lang) === entry && lang === state.lang) refreshSmsScreen();
    });
}

function smsKey(key) {
  const sms = state.sms;
  if (!sms || sms.sending || state.screen !== 'sms' || state.overlay) return;
  sms.digits = pressKey(sms.digits, key);
  sms.error = null;
  refreshSmsScreen();
}

/* "I agree" is agreement to the text on show: it goes off by itself when
 * another text (another language, a new version) takes its place. */
function smsAgree() {
  const sms = state.sms;
  const consent = app.smsConsent().consent;
  if (!sms || sms.sending || !consent) return;
  const agreed = smsModel(app).agreed;
  sms.agreed = agreed ? null : { version: consent.version, language: consent.language };
  sms.error = null;
  refreshSmsScreen();
}

function smsPick(kind) {
  const sms = state.sms;
  if (!sms || sms.sending) return;
  if (kind === 'reminders') sms.reminders = !sms.reminders;
  else if (kind === 'list') sms.list = !sms.list;
  sms.error = null;
  refreshSmsScreen();
}

/* What went wrong, as one of the codes i18n.js has words for. */
function smsErrorCode(e) {
  if (!e || e.kind !== 'http') return 'network';
  if (e.status === 401) return 'expired';
  if (e.status === 422 && (e.code === 'invalid_phone' || e.field === 'phone')) return 'invalid_phone';
  if (e.status === 422 && e.code === 'consent_required') return 'consent_required';
  if (e.status === 409 && ['consent_changed', 'opted_out', 'sms_exists'].includes(e.code)) return e.code;
  if (e.status === 404 && e.code === 'sms_off') return 'sms_off';
  return 'network';
}

async function sendSms() {
  const sms = state.sms;
  if (!sms || sms.sending || state.resetting || !state.session) return;
  const m = smsModel(app);
  if (!m.canSend) return;
  const session = state.session;
  sms.sending = true;
  sms.error = null;
  refreshSmsScreen();
  let answer;
  try {
    answer = await api.requestSms(session.id, session.token, {
      phone: sms.digits,
      consent: true,
      consent_version: m.consent.version,
      language: state.lang,
      reminders: !!m.reminders,
      send_list: !!m.list,
    });
  } catch (e) {
    if (state.resetting || state.sms !== sms) return;
    /* The number stays on screen, so the patient can fix it or retry. */
    sms.sending = false;
    sms.error = smsErrorCode(e);
    if (sms.error === 'consent_required' || sms.error === 'consent_changed') sms.agreed = null;
    if (sms.error === 'consent_changed') {
      state.smsConsents.clear();
      loadConsent(state.lang, { force: true });
    }
    if (sms.error === 'sms_exists') state.smsSignedUp = true;
    refreshSmsScreen();
    els.screen.querySelector('#sms-number')?.scrollIntoView({ block: 'nearest' });
    return;
  }
  if (state.resetting || state.sms !== sms) return;
  state.sms = null; /* sent: the number is forgotten */
  state.smsSignedUp = true;
  state.smsDone = answer;
  state.screen = 'sms-done';
  render();
}

function closeSms() {
  if (state.sms && state.sms.sending) return;
  state.sms = null;
  state.screen = 'results';
  render();
}

function smsBack() {
  state.screen = 'results';
  render();
}

/* A keyboard, where there is one, types on the number pad too. */
function installSmsKeys() {
  window.addEventListener('keydown', (e) => {
    if (state.screen !== 'sms' || !state.sms || state.overlay || els.dialog.open) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-9]$/.test(e.key)) {
      e.preventDefault();
      smsKey(e.key);
    } else if (e.key === 'Backspace') {
      e.preventDefault();
      smsKey('del');
    }
  });
}

/* ---- privacy ------------------------------------------------------------ */

function hasVisitData() {
  return state.answers.size > 0 || state.skipped.size > 0 || state.session !== null;
}

/* No timer on a fresh welcome screen: nothing to protect there.  (If the
 * patient went Back to it with answers given, the timer keeps running.) */
function updateIdleArming() {
  if (!idle) return;
  const freshWelcome = state.screen === 'welcome' && !hasVisitData();
  const bootError = !state.kiosk;
  if (freshWelcome || bootError || state.resetting) idle.disable();
  else idle.enable();
}

function updateIdleText() {
  const t = app.t;
  els.dialog.lang = state.lang;
  els.idleTitle.textContent = t.idleTitle;
  els.idleText.textContent = t.idleText;
  els.idleStay.textContent = t.stillHere;
}

function updateCountdown(seconds) {
  els.idleCountdown.textContent = app.t.idleCountdown(seconds);
}

function openIdleWarning(seconds) {
  updateIdleText();
  updateCountdown(seconds);
  if (!els.dialog.open) els.dialog.showModal();
  els.idleStay.focus();
}

function closeIdleWarning() {
  if (els.dialog.open) els.dialog.close();
}

els.idleStay.addEventListener('click', () => idle && idle.stillHere());
/* Escape closes a modal dialog by itself; treat it as "still here". */
els.dialog.addEventListener('cancel', () => idle && idle.stillHere());

/* The end of a visit: Finish, or nobody there.  Revoke the token (best
 * effort, bounded), forget everything, and reload the page clean. */
async function reset() {
  if (state.resetting) return;
  state.resetting = true;
  if (idle) idle.disable();
  closeIdleWarning();
  const session = state.session;

  state.answers.clear();
  state.skipped.clear();
  state.helpPick.clear();
  state.session = null;
  state.result = null;
  state.sms = null;
  state.smsDone = null;
  state.smsSignedUp = false;
  state.smsConsents.clear();
  state.overlay = null;
  state.screen = 'welcome';
  els.screen.replaceChildren();
  els.screen.dataset.screen = 'resetting';
  els.topbar.hidden = true;
  els.topLeft.replaceChildren();
  els.live.textContent = '';

  if (session) {
    await Promise.race([api.revokeToken(session.id, session.token, REVOKE_WAIT_MS).catch(() => {}), sleep(REVOKE_WAIT_MS)]);
  }
  location.replace('/');
}

/* ---- kiosk guards --------------------------------------------------------- */

function installGuards() {
  /* No long-press menu, no dragging pictures or text around. */
  document.addEventListener('contextmenu', (e) => e.preventDefault());
  document.addEventListener('dragstart', (e) => e.preventDefault());
  /* No zooming with a trackpad pinch or Ctrl + wheel / keys (touch pinch is
   * stopped by touch-action in style.css). */
  window.addEventListener('wheel', (e) => e.ctrlKey && e.preventDefault(), { passive: false });
  window.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && ['+', '-', '=', '0'].includes(e.key)) e.preventDefault();
  });
  for (const type of ['gesturestart', 'gesturechange']) document.addEventListener(type, (e) => e.preventDefault());
  /* Touches with more than one finger are pinches: not here. */
  document.addEventListener(
    'touchmove',
    (e) => {
      if (e.touches.length > 1) e.preventDefault();
    },
    { passive: false },
  );
  /* A page from the back/forward cache would show the last visit: reload. */
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) location.replace('/');
  });
}

window.addEventListener('resize', markScrollable);
installGuards();
installSmsKeys();
boot();
