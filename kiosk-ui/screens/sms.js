/*
 * "Text me a reminder" (only when the daemon says features.sms): two
 * screens.
 *
 *   sms       an on-screen number pad for a 10-digit US cell number (never
 *             an <input>, so no system keyboard comes up), checked digit by
 *             digit with phone.js; the consent text from the daemon in the
 *             patient's language; a large "I agree to get texts" toggle
 *             that starts off; "remind me later" and "text me this list"
 *             when the daemon offers both; Cancel and Send.  Send stays
 *             disabled until the number is valid, the patient has agreed to
 *             the text on show and at least one kind of text is picked; a
 *             line by Send says what is still missing.
 *   sms-done  when the texts will come (dates in the patient's language),
 *             and that STOP ends them.
 *
 * The number lives in app.state.sms only (memory, never storage) until it
 * is sent, the patient cancels, or the kiosk resets.  Typing, agreeing and
 * picking update the screen in place (refreshSms), so the finger's button
 * keeps its focus and the screen does not jump.
 */
import { h } from '../dom.js';
import { checkPhone, formatPhone } from '../phone.js';

/* What the screen shows and allows, from the state; app.js sends from it. */
export function smsModel(app) {
  const { state, t } = app;
  const sms = state.sms;
  const offer = app.smsOffer();
  const entry = app.smsConsent();
  const check = checkPhone(sms.digits);
  const choose = offer.remindersOn && offer.sendList;
  const reminders = choose ? sms.reminders : offer.remindersOn;
  const list = choose ? sms.list : offer.sendList && !offer.remindersOn;
  const consent = entry.status === 'ready' ? entry.consent : null;
  const agreed =
    !!consent && !!sms.agreed && sms.agreed.version === consent.version && sms.agreed.language === consent.language;

  let hint = '';
  if (entry.status === 'off') hint = t.smsOff;
  else if (check.status === 'invalid') hint = t.smsHintCheck;
  else if (check.status !== 'valid') hint = t.smsHintNumber;
  else if (entry.status === 'failed') hint = t.smsConsentFailed;
  else if (!consent) hint = t.smsHintConsent;
  else if (!agreed) hint = t.smsHintAgree;
  else if (!reminders && !list) hint = t.smsHintPick;

  return {
    offer,
    choose,
    entry,
    consent,
    agreed,
    check,
    reminders,
    list,
    hint,
    canSend: !hint && !sms.sending,
  };
}

function problemText(t, check) {
  if (check.status !== 'invalid') return '';
  return t.phoneProblems[check.problem] || t.phoneProblems.other;
}

function sendErrorText(app) {
  const { t, state } = app;
  const code = state.sms.error;
  if (!code) return '';
  if (code === 'opted_out') return t.smsErrors.opted_out(app.smsStartNumber());
  return t.smsErrors[code] || t.smsErrors.network;
}

function toggle(props, label) {
  return h(
    'button',
    { type: 'button', class: `btn option multi ${props.class}`, 'aria-pressed': !!props.pressed, disabled: props.disabled, onclick: props.onclick },
    h('span', { class: 'mark', 'aria-hidden': 'true' }),
    h('span', { class: 'label' }, label),
  );
}

function consentBody(app, m) {
  const { t } = app;
  switch (m.entry.status) {
    case 'ready':
      return [h('p', { class: 'consent-text', lang: m.consent.language }, m.consent.text)];
    case 'off':
      return [h('p', { class: 'consent-problem' }, t.smsOff)];
    case 'failed':
      return [
        h('p', { class: 'consent-problem' }, t.smsConsentFailed),
        h('button', { type: 'button', class: 'btn secondary consent-retry', onclick: () => app.smsLoadConsent() }, t.tryAgain),
      ];
    default:
      return [h('p', { class: 'consent-loading' }, t.loading)];
  }
}

export function smsScreen(app) {
  const { t } = app;
  const m = smsModel(app);
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) =>
    h('button', { type: 'button', class: 'btn key', 'data-key': d, onclick: () => app.smsKey(d) }, d),
  );
  keys.push(h('span', { class: 'key-gap', 'aria-hidden': 'true' }));
  keys.push(h('button', { type: 'button', class: 'btn key', 'data-key': '0', onclick: () => app.smsKey('0') }, '0'));
  keys.push(
    h(
      'button',
      { type: 'button', class: 'btn key secondary', 'data-key': 'del', 'aria-label': t.smsDelete, onclick: () => app.smsKey('del') },
      '⌫',
    ),
  );

  const offer = m.offer;
  const picks = m.choose
    ? h(
        'div',
        { class: 'sms-picks' },
        h('h2', { id: 'sms-picks-title' }, t.smsPickTitle),
        h(
          'div',
          { class: 'options', role: 'group', 'aria-labelledby': 'sms-picks-title' },
          toggle(
            { class: 'pick-reminders', pressed: m.reminders, onclick: () => app.smsPick('reminders') },
            t.smsPickReminders(offer.reminders),
          ),
          toggle({ class: 'pick-list', pressed: m.list, onclick: () => app.smsPick('list') }, t.smsPickList),
        ),
      )
    : null;

  return {
    name: 'sms',
    announce: t.smsTitle,
    topbar: true,
    body: [
      h(
        'div',
        { class: 'sms-layout' },
        h(
          'div',
          { class: 'sms-number-area' },
          h('h1', { tabindex: '-1' }, t.smsTitle),
          h('p', { class: 'sms-intro' }, t.smsIntro),
          h(
            'output',
            { class: m.check.status === 'invalid' ? 'sms-number invalid' : 'sms-number', id: 'sms-number', 'aria-label': t.smsNumber },
            formatPhone(app.state.sms.digits) || '\u00a0',
          ),
        ),
        h('div', { class: 'keypad', role: 'group', 'aria-label': t.smsKeypad }, keys),
        /* Under the pad in portrait, so the keys never move under a finger. */
        h('p', { class: 'sms-problem', id: 'sms-problem', role: 'alert' }, problemText(t, m.check)),
        h(
          'div',
          { class: 'sms-consent-area' },
          h('h2', { id: 'sms-consent-title' }, t.smsConsentTitle),
          h('div', { class: 'consent', id: 'sms-consent', 'data-status': m.entry.status }, consentBody(app, m)),
          h('p', { class: 'note' }, t.smsPrivate),
          toggle(
            { class: 'agree', pressed: m.agreed, disabled: !m.consent, onclick: () => app.smsAgree() },
            t.smsAgree,
          ),
          picks,
        ),
      ),
    ],
    actions: [
      h('p', { class: 'sms-error', id: 'sms-error', role: 'alert' }, sendErrorText(app)),
      h('p', { class: 'sms-hint', id: 'sms-hint' }, m.hint),
      h('button', { type: 'button', class: 'btn secondary sms-cancel', onclick: () => app.closeSms() }, t.smsCancel),
      h(
        'button',
        {
          type: 'button',
          class: 'btn primary sms-send',
          disabled: !m.canSend,
          'aria-describedby': 'sms-hint',
          onclick: () => app.sendSms(),
        },
        app.state.sms.sending ? t.smsSending : t.smsSend,
      ),
    ],
  };
}

/* Bring the sms screen up to date with the state without rebuilding it. */
export function refreshSms(root, app) {
  const { t } = app;
  const m = smsModel(app);
  const set = (sel, text) => {
    const el = root.querySelector(sel);
    if (el && el.textContent !== text) el.textContent = text;
  };
  const number = root.querySelector('#sms-number');
  if (number) {
    number.textContent = formatPhone(app.state.sms.digits) || '\u00a0';
    number.classList.toggle('invalid', m.check.status === 'invalid');
  }
  set('#sms-problem', problemText(t, m.check));
  set('#sms-error', sendErrorText(app));
  set('#sms-hint', m.hint);

  const consent = root.querySelector('#sms-consent');
  if (consent && consent.dataset.status !== m.entry.status) {
    consent.replaceChildren(...consentBody(app, m));
  }
  if (consent) consent.dataset.status = m.entry.status;

  const agree = root.querySelector('button.agree');
  if (agree) {
    agree.setAttribute('aria-pressed', String(m.agreed));
    agree.disabled = !m.consent;
  }
  root.querySelector('button.pick-reminders')?.setAttribute('aria-pressed', String(!!m.reminders));
  root.querySelector('button.pick-list')?.setAttribute('aria-pressed', String(!!m.list));

  const send = root.querySelector('button.sms-send');
  if (send) {
    send.disabled = !m.canSend;
    send.textContent = app.state.sms.sending ? t.smsSending : t.smsSend;
  }
}

/* "Sunday, December 6" / "domingo, 6 de diciembre", in the kiosk's time
 * zone (the clinic's), each day once, earliest first. */
export function reminderDays(scheduled, lang) {
  let fmt;
  try {
    fmt = new Intl.DateTimeFormat(lang, { weekday: 'long', month: 'long', day: 'numeric' });
  } catch (e) {
    fmt = new Intl.DateTimeFormat('en', { weekday: 'long', month: 'long', day: 'numeric' });
  }
  const times = (scheduled || [])
    .filter((s) => s && (s.kind === undefined || s.kind === 'reminder'))
    .map((s) => new Date(s.send_at))
    .filter((d) => !Number.isNaN(d.getTime()))
    .sort((a, b) => a - b);
  const days = [];
  for (const d of times) {
    const text = fmt.format(d);
    if (!days.includes(text)) days.push(text);
  }
  return days;
}

export function smsDoneScreen(app) {
  const { t, state } = app;
  const done = state.smsDone;
  const days = reminderDays(done.scheduled, state.lang);
  const body = [h('h1', { tabindex: '-1' }, t.smsDoneTitle)];
  if (days.length) {
    body.push(h('p', { class: 'lead', id: 'sms-days-title' }, t.smsDoneDays(days.length)));
    body.push(h('ul', { class: 'sms-days', 'aria-labelledby': 'sms-days-title' }, days.map((d) => h('li', {}, d))));
  }
  if (done.list) body.push(h('p', { class: 'lead sms-list-status' }, done.list.status === 'sent' ? t.smsDoneListSent : t.smsDoneList));
  body.push(h('p', { class: 'sms-stop' }, t.smsDoneStop));
  body.push(h('p', { class: 'note' }, t.smsPrivate));
  return {
    name: 'sms-done',
    announce: t.smsDoneTitle,
    topbar: true,
    body,
    actions: [
      h('button', { type: 'button', class: 'btn secondary sms-back', onclick: () => app.smsBack() }, t.smsBackToList),
      h('button', { type: 'button', class: 'btn primary finish', onclick: () => app.finish() }, t.finish),
    ],
  };
}
