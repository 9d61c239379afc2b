/*
 * The in-between screens: "Loading…" / "Saving your answers…" while the
 * daemon works, and a calm error with "Try again" when it cannot be reached
 * or says no.  Neither touches the patient's answers: the screen they were
 * on is still in app.state and comes back after a successful retry.
 */
import { h } from '../dom.js';

export function loadingScreen(app, text) {
  return {
    name: 'loading',
    announce: text,
    topbar: false,
    body: [h('h1', { tabindex: '-1', class: 'waiting' }, text)],
    actions: null,
  };
}

export function errorScreen(app, retry) {
  const { t } = app;
  return {
    name: 'error',
    announce: t.errorTitle,
    topbar: true,
    body: [
      h('h1', { tabindex: '-1' }, t.errorTitle),
      h('p', { class: 'lead' }, app.hasAnswers() ? `${t.errorText} ${t.errorKept}` : t.errorText),
      h('p', {}, t.errorHint),
    ],
    actions: [h('button', { type: 'button', class: 'btn primary wide retry', onclick: () => retry() }, t.tryAgain)],
  };
}
