/*
 * Sign in.  A wrong name or password gets the server's one answer for
 * both; a locked account (too many failures) gets how long to wait, in
 * minutes, from the Retry-After header.  The password field is cleared
 * after every attempt so it never lingers on a shared PC.
 */
import { h } from '../dom.js';
import { request } from '../api.js';

function waitText(seconds) {
  if (!seconds) return 'Too many failed sign-ins. Please wait a while, then try again.';
  const minutes = Math.ceil(seconds / 60);
  if (seconds < 90) return `Too many failed sign-ins. Please wait ${seconds} seconds, then try again.`;
  return `Too many failed sign-ins. Please wait ${minutes} minutes, then try again.`;
}

function messageFor(e) {
  if (e.status === 401) return 'Wrong username or password. Please check both and try again.';
  if (e.status === 429) return waitText(e.retryAfter);
  if (e.kind === 'network' || e.kind === 'timeout') return 'Cannot reach the signpost server. Check the network, then try again.';
  return `Cannot sign in: ${e.message}`;
}

export function renderLogin(view, { message, onSignedIn }) {
  const user = h('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('p', { id: 'signin-error', class: 'error', role: 'alert' });
  const note = message ? h('p', { class: 'notice', id: 'signin-note' }, message) : null;
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');

  async function onSubmit(ev) {
    ev.preventDefault();
    status.textContent = '';
    if (!user.value.trim() || !pass.value) {
      status.textContent = 'Please type your username and your password.';
      (user.value.trim() ? pass : user).focus();
      return;
    }
    submit.disabled = true;
    try {
      const answer = await request('POST', '/login', {
        body: { username: user.value.trim(), password: pass.value },
        auth: false,
      });
      pass.value = '';
      onSignedIn(answer);
    } catch (e) {
      pass.value = '';
      status.textContent = messageFor(e);
      pass.focus();
    } finally {
      submit.disabled = false;
    }
  }

  view.replaceChildren(
    h(
      'div',
      { class: 'signin panel' },
      h('h1', { tabindex: '-1' }, 'Sign in to the staff console'),
      note,
      h(
        'form',
        { onsubmit: onSubmit, novalidate: true, 'aria-describedby': 'signin-error' },
        h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), user),
        h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), pass),
        status,
        h('div', { class: 'actions' }, submit),
      ),
      h('p', { class: 'muted' }, 'Forgot your password? Ask the clinic’s signpost admin to reset it.'),
    ),
  );
  (message ? view.querySelector('h1') : user).focus();
}
