/*
 * The staff console's shell: who is signed in, the top bar, and a small
 * hash router (#/queue, #/submissions/ID, #/follow-up, #/resources,
 * #/resources/ID, #/reports, #/audit).  Hash routes keep every screen one
 * static file on the server and make the browser's Back button work.
 *
 * The session is the server's: an HttpOnly cookie and an idle timeout.  A
 * 401 from any request ends the console's idea of the session too and
 * shows the sign-in screen with a short explanation, then returns to the
 * same screen after signing in again.
 */
import { h } from './dom.js';
import * as api from './api.js';
import { renderLogin } from './screens/login.js';
import { renderQueue } from './screens/queue.js';
import { renderSubmission } from './screens/submission.js';
import { renderFollowUp } from './screens/followup.js';
import { renderResources, renderResource } from './screens/resources.js';
import { renderReports } from './screens/reports.js';
import { renderAudit } from './screens/audit.js';

const ROLE_RANK = { viewer: 1, navigator: 2, admin: 3 };

const state = { user: null, seq: 0 };

const NAV = [
  { hash: '#/queue', label: 'Queue', match: /^#\/(queue|submissions)/ },
  { hash: '#/follow-up', label: 'Follow-up', match: /^#\/follow-up/ },
  { hash: '#/resources', label: 'Resources', match: /^#\/resources/ },
  { hash: '#/reports', label: 'Reports', match: /^#\/reports/ },
  { hash: '#/audit', label: 'Audit log', match: /^#\/audit/, role: 'admin' },
];

const ROUTES = [
  [/^#\/queue$/, renderQueue],
  [/^#\/submissions\/([A-Za-z0-9_-]+)$/, renderSubmission],
  [/^#\/follow-up$/, renderFollowUp],
  [/^#\/resources$/, renderResources],
  [/^#\/resources\/([^/?]+)$/, renderResource],
  [/^#\/reports$/, renderReports],
  [/^#\/audit$/, renderAudit],
];

const view = () => document.getElementById('view');

export function announce(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => {
    live.textContent = text;
  }, 50);
}

function hasRole(min) {
  return !!state.user && (ROLE_RANK[state.user.role] || 0) >= (ROLE_RANK[min] || 99);
}

/* The hash without its query, and the query as an object. */
function parseHash() {
  const raw = location.hash || '#/queue';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const params = Object.fromEntries(new URLSearchParams(q >= 0 ? raw.slice(q + 1) : ''));
  return { path, params };
}

function renderTop() {
  const top = document.getElementById('top');
  top.hidden = !state.user;
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  nav.replaceChildren();
  who.replaceChildren();
  if (!state.user) return;
  const { path } = parseHash();
  nav.append(
    h(
      'ul',
      null,
      NAV.filter((n) => !n.role || hasRole(n.role)).map((n) =>
        h('li', null, h('a', { href: n.hash, 'aria-current': n.match.test(path) ? 'page' : null }, n.label)),
      ),
    ),
  );
  who.append(
    h('span', { class: 'user', 'data-role': state.user.role }, `${state.user.username} (${state.user.role})`),
    h('button', { type: 'button', class: 'btn', id: 'sign-out', onclick: signOut }, 'Sign out'),
  );
}

function showLogin(message) {
  state.user = null;
  api.setCsrf(null);
  state.seq++;
  renderTop();
  document.title = 'Sign in · signpost staff console';
  renderLogin(view(), { message, onSignedIn });
}

function onSignedIn(answer) {
  state.user = answer.user;
  api.setCsrf(answer.csrf_token);
  if (!location.hash || location.hash === '#/' || location.hash === '#') location.hash = '#/queue';
  else route();
}

async function signOut() {
  try {
    await api.post('/logout');
  } catch (e) {
    /* Whatever the server said, this browser forgets the session. */
  }
  showLogin('You have signed out.');
}

/* The context every screen gets. */
function context(seq, match, params) {
  return {
    view: view(),
    user: state.user,
    params,
    match,
    canChange: hasRole('navigator'),
    isAdmin: hasRole('admin'),
    current: () => seq === state.seq,
    title(text) {
      document.title = `${text} · signpost staff console`;
    },
    announce,
  };
}

function errorView(e) {
  return h(
    'div',
    { class: 'panel' },
    h('h1', { tabindex: '-1' }, 'Something went wrong'),
    h('p', { class: 'error' }, (e && e.message) || String(e)),
    h('p', null, h('a', { href: '#/queue' }, 'Back to the queue')),
  );
}

async function route() {
  if (!state.user) return;
  const seq = ++state.seq;
  const { path, params } = parseHash();
  renderTop();
  const hit = ROUTES.map(([re, fn]) => [re.exec(path), fn]).find(([m]) => m);
  const main = view();
  if (!hit) {
    location.replace('#/queue');
    return;
  }
  delete main.dataset.rendered;
  main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    await hit[1](context(seq, hit[0], params));
  } catch (e) {
    if (e && e.status === 401) return; /* the sign-in screen is already up */
    if (seq === state.seq) main.replaceChildren(errorView(e));
  }
  if (seq === state.seq) {
    /* Which address this content is for: lets a test (or a script) tell
     * a finished screen from the one before it. */
    main.dataset.rendered = location.hash || '#/queue';
    const h1 = main.querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
  }
}

async function start() {
  /* The skip link must not become a route: it moves focus, not the hash. */
  document.querySelector('.skip').addEventListener('click', (ev) => {
    ev.preventDefault();
    const h1 = view().querySelector('h1');
    (h1 || view()).focus();
  });
  api.setUnauthorizedHandler(() => {
    if (state.user) showLogin('Your session ended. Please sign in again.');
  });
  window.addEventListener('hashchange', route);
  try {
    const me = await api.get('/me');
    state.user = me.user;
    api.setCsrf(me.csrf_token);
    route();
  } catch (e) {
    showLogin(e && e.status === 401 ? null : e && e.message);
  }
}

start();
