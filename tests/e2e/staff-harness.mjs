/*
 * Helpers for the staff console's browser tests, on top of harness.mjs:
 * the staff listener's address (HTTPS, a self-signed certificate made at
 * first start), accounts made with `signpost user add` the way an admin
 * makes them, patient visits made through the kiosk API, a browser
 * context that accepts the self-signed certificate, and a check for
 * whether a console route exists yet (so a test can say what it waits on
 * instead of failing on a 404).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { startDaemon, SIGNPOST_BIN, REPO } from './harness.mjs';

/* docs/img when asked (SIGNPOST_SCREENSHOTS=1, to refresh the staff guide),
 * else a scratch folder: a test run must not rewrite tracked files. */
export const IMG_DIR = process.env.SIGNPOST_SCREENSHOTS === '1'
  ? path.join(REPO, 'docs', 'img')
  : path.join(tmpdir(), 'signpost-staff-screenshots');
export const DESKTOP = { width: 1366, height: 768 };
export const TABLET = { width: 820, height: 1180 };
const STAFF_LISTENING = /staff listening on (https:\/\/127\.0\.0\.1:\d+)\//;

/* The daemon, with staffUrl next to the kiosk's url. */
export async function startStaffDaemon() {
  const d = await startDaemon();
  const m = STAFF_LISTENING.exec(d.log());
  if (!m) {
    await d.cleanup();
    throw new Error(`no "staff listening on https://..." line in the log:\n${d.log()}`);
  }
  d.staffUrl = m[1];
  return d;
}

/* An account, made with the binary while the daemon runs, from the
 * daemon's own config file; the password goes on standard input, never on
 * the command line. */
export function addUser(d, name, role, password) {
  execFileSync(SIGNPOST_BIN, ['user', 'add', name, '--role', role, '--config', d.config, '--state-dir', d.stateDir], {
    input: `${password}\n`,
    timeout: 20000,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/*
 * A patient's visit through the kiosk API: answers chosen so that housing
 * screens positive, food unless food is false, transportation when asked,
 * then the help choice, and with texts, a sign-up for check-in texts.  Returns the kiosk's answer (id, positive_domains, resources).
 */
export async function submitVisit(kioskUrl, { language = 'en', food = true, transport = false, wantsHelp = true, helpDomains, texts = false } = {}) {
  const answers = {
    '71802-3': 'LA31994-9', /* a place to live, worried about losing it */
    '96778-6': ['LA9-3'],
    '88122-7': food ? 'LA28397-0' : 'LA28398-8', /* often true, or never */
    '88123-5': food ? 'LA6729-3' : 'LA28398-8',
    '93030-5': transport ? 'LA33-6' : 'LA32-8',
    '96779-4': 'LA32-8',
    '95618-5': 'LA6270-8',
    '95617-7': 'LA6270-8',
    '95616-9': 'LA6270-8',
    '95615-1': 'LA6270-8',
  };
  const res = await fetch(`${kioskUrl}/api/v1/screenings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ language, answers }),
    signal: AbortSignal.timeout(15000),
  });
  const body = await res.json();
  assert.equal(res.status, 201, `POST /api/v1/screenings: ${JSON.stringify(body)}`);
  const help = await fetch(`${kioskUrl}/api/v1/screenings/${body.id}/help`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${body.token}` },
    body: JSON.stringify(wantsHelp ? { wants_help: true, ...(helpDomains ? { domains: helpDomains } : {}) } : { wants_help: false }),
    signal: AbortSignal.timeout(15000),
  });
  assert.equal(help.status, 200, `POST /help: ${await help.text()}`);
  if (texts) await signUpForTexts(kioskUrl, body, language);
  return body;
}

/* The patient agrees to check-in texts (a demo number; the e2e config's
 * gateway only writes to the log). */
async function signUpForTexts(kioskUrl, visit, language) {
  const consent = await (await fetch(`${kioskUrl}/api/v1/sms/consent?lang=${language}`, { signal: AbortSignal.timeout(10000) })).json();
  const res = await fetch(`${kioskUrl}/api/v1/screenings/${visit.id}/sms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${visit.token}` },
    body: JSON.stringify({ phone: '(217) 555-0168', consent: true, consent_version: consent.version, language, reminders: true, send_list: false }),
    signal: AbortSignal.timeout(15000),
  });
  assert.equal(res.status, 201, `POST /sms: ${await res.text()}`);
}

/* A fresh browser context on the console: certificate accepted, cookies
 * kept, downloads allowed, and console errors and CSP reports collected. */
export async function openConsole(browser, staffUrl, { viewport = DESKTOP } = {}) {
  const context = await browser.newContext({ viewport, ignoreHTTPSErrors: true, acceptDownloads: true, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.setDefaultNavigationTimeout(15000);
  const problems = { console: [], pageErrors: [], csp: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.console.push(msg.text());
  });
  page.on('pageerror', (err) => problems.pageErrors.push(String(err && err.stack ? err.stack : err)));
  await page.exposeFunction('__signpostStaffCsp', (v) => problems.csp.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__signpostStaffCsp(`${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  await page.goto(`${staffUrl}/`);
  return { context, page, problems };
}

export async function signIn(page, username, password) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#top:not([hidden])').waitFor();
}

/* Wait until the screen for the current address has drawn (the console
 * marks <main> with the hash it drew), and check its heading. */
export async function waitHeading(page, text) {
  await page.waitForFunction(() => {
    const main = document.getElementById('view');
    return main && main.dataset.rendered === (location.hash || '#/queue') && !main.querySelector('.loading');
  });
  try {
    await page.locator('main h1').filter({ hasText: text }).waitFor();
  } catch (e) {
    /* Say what the screen showed instead (an error panel names the cause). */
    const shown = await page.locator('main').innerText().catch(() => '(unreadable)');
    throw new Error(`expected the heading "${text}"; the screen shows: ${shown.slice(0, 300)}`, { cause: e });
  }
}

/* True when the console route answers something other than the router's
 * "no such staff API route" 404, i.e. the server side has landed. */
export async function routeExists(context, staffUrl, apiPath) {
  const res = await context.request.get(`${staffUrl}/staff/api/v1${apiPath}`, { failOnStatusCode: false });
  if (res.status() !== 404) return true;
  const body = await res.json().catch(() => ({}));
  return !/no such staff API route/.test((body.error && body.error.message) || '');
}

/* The console's own API from the signed-in context (cookie included). */
export async function staffApi(context, staffUrl, apiPath, { method = 'GET', csrf, data } = {}) {
  const opts = { failOnStatusCode: false, headers: { Accept: 'application/json' } };
  if (csrf) opts.headers['X-CSRF-Token'] = csrf;
  if (data !== undefined) opts.data = data;
  const res = await context.request.fetch(`${staffUrl}/staff/api/v1${apiPath}`, { method, ...opts });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status(), body };
}

export async function screenshot(page, name) {
  mkdirSync(IMG_DIR, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(IMG_DIR, `staff-${name}.png`), fullPage: false });
}
