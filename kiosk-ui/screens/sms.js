/*
 * "Text me a reminder" (only when the daemon says features.sms): a number
 * pad for a 10-digit US cell number, the consent sentence, Send and Cancel.
 * The number lives in app.state only until it is sent or the screen resets.
 */
import { h } from '../dom.js';

export function formatPhone(digits) {
  const d = digits.slice(0, 10);
  if (d.length <= 3) return d;
  if (d.length <= 6) return `(${d.slice(0, 3)}) ${d.slice(3)}`;
  return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
}

export function smsScreen(app) {
  const { t, state } = app;
  const digits = state.smsDigits;
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].map((d) =>
    h('button', { type: 'button', class: 'btn key', onclick: () => app.smsKey(d) }, d),
  );
  keys.push(
    h('button', { type: 'button', class: 'btn key secondary', 'aria-label': t.smsDelete, onclick: () => app.smsKey('del') }, '⌫'),
  );
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
          { class: 'sms-info' },
          h('h1', { tabindex: '-1' }, t.smsTitle),
          h('p', {}, t.smsIntro),
          h('p', { class: 'sms-number-label', id: 'sms-number-label' }, t.smsNumber),
          h(
            'output',
            { class: 'sms-number', 'aria-labelledby': 'sms-number-label', 'aria-live': 'polite' },
            formatPhone(digits) || '\u00a0',
          ),
          h('p', { class: 'note' }, t.smsConsent),
          state.smsError ? h('p', { class: 'hint', role: 'alert' }, t.smsBadNumber) : null,
        ),
        h('div', { class: 'keypad' }, keys),
      ),
    ],
    actions: [
      h('button', { type: 'button', class: 'btn secondary', onclick: () => app.closeSms() }, t.smsCancel),
      h('button', { type: 'button', class: 'btn primary', disabled: digits.length !== 10, onclick: () => app.sendSms() }, t.smsSend),
    ],
  };
}
