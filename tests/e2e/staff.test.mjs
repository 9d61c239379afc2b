/*
 * The staff console against the real daemon (staff listener on HTTPS with
 * its self-signed certificate), in Debian's chromium: sign in (a wrong
 * password is named as such), the queue with a patient's visit and its
 * need chips, the submission with a referral moved to "connected" with a
 * note (checked in the API's answer and on screen after a reload),
 * follow-up (a referral due today, a check-in nobody answered), a
 * resource's clinic notes edited and verified, a report whose
 * numbers match the API's, exports downloaded, a viewer who gets no
 * change control, the audit log, an ended session, and sign out.  axe-core
 * runs on every screen; the CSP must report nothing.
 *
 * Visits are made through the kiosk API; accounts with `signpost user
 * add` while the daemon runs.  The screenshots in docs/staff-guide.md are
 * taken here (1366x768) when SIGNPOST_SCREENSHOTS=1; otherwise they go to
 * a scratch folder, so a test run leaves the repository as it was.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, checkA11y, sql, sqlWrite } from './harness.mjs';
import {
  startStaffDaemon, addUser, submitVisit, openConsole, signIn, waitHeading, routeExists, staffApi, screenshot, TABLET,
} from './staff-harness.mjs';

const PW = { nav: 'navigator pass phrase one', vera: 'viewer pass phrase two', ada: 'admin pass phrase three' };

let d;
let browser;
let visit; /* asked for help: housing and food */
let quiet; /* Spanish, did not ask for help */
const open = [];

before(async () => {
  d = await startStaffDaemon();
  addUser(d, 'nav', 'navigator', PW.nav);
  addUser(d, 'vera', 'viewer', PW.vera);
  addUser(d, 'ada', 'admin', PW.ada);
  addUser(d, 'lou', 'navigator', 'lou pass phrase four');
  quiet = await submitVisit(d.url, { language: 'es', food: false, transport: true, wantsHelp: false });
  visit = await submitVisit(d.url, { language: 'en', wantsHelp: true, texts: true });
  browser = await launchBrowser();
});

after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (d) {
    try {
      await d.stop();
    } finally {
      await d.cleanup();
    }
  }
});

async function consoleAs(user, opts) {
  const c = await openConsole(browser, d.staffUrl, opts);
  open.push(c.context);
  await c.page.getByLabel('Username').waitFor();
  if (user) await signIn(c.page, user, PW[user]);
  return c;
}

async function csrfOf(context) {
  const me = await staffApi(context, d.staffUrl, '/me');
  assert.equal(me.status, 200);
  return me.body.csrf_token;
}

function noProblems(problems) {
  assert.deepEqual(problems.csp, [], 'CSP violations');
  assert.deepEqual(problems.pageErrors, [], 'page errors');
}

/* Every route the test uses must be on the server: a missing one fails. */
async function needs(t, context, ...paths) {
  for (const p of paths)
    assert.ok(await routeExists(context, d.staffUrl, p), `the server has GET /staff/api/v1${p}`);
  return true;
}

test('sign in: a wrong password is named, the right one opens the queue', async () => {
  const { page, problems } = await consoleAs(null);
  assert.match(page.url(), /\/staff\/$/, 'the listener sends "/" to /staff/');
  await checkA11y(page, 'sign-in');
  await screenshot(page, 'sign-in');

  await page.getByLabel('Username').fill('nav');
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signin-error').filter({ hasText: 'Wrong username or password' }).waitFor();
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password field is cleared');
  await checkA11y(page, 'sign-in with an error');

  await page.getByLabel('Password').fill(PW.nav);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitHeading(page, 'Queue');
  assert.equal(await page.locator('#who .user').textContent(), 'nav (navigator)');
  assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 0, 'a navigator has no audit log link');
  noProblems(problems);
});

test('too many wrong passwords: the sign-in screen says how long to wait', async () => {
  const { page, problems } = await consoleAs(null);
  for (let i = 1; i <= 6; i++) {
    await page.getByLabel('Username').fill('lou');
    await page.getByLabel('Password').fill(`wrong guess number ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#signin-error').filter({ hasText: /\S/ }).waitFor();
    const text = await page.locator('#signin-error').textContent();
    if (/Too many/.test(text)) {
      assert.match(text, /Please wait \d+ (minutes|seconds), then try again\./);
      assert.ok(i >= 5, `locked after ${i} tries`);
      /* Even the right password waits now. */
      await page.getByLabel('Password').fill('lou pass phrase four');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#signin-error').filter({ hasText: 'Too many' }).waitFor();
      assert.equal(await page.locator('#top').isHidden(), true);
      await checkA11y(page, 'sign-in, throttled');
      noProblems(problems);
      return;
    }
    assert.match(text, /Wrong username or password/);
    /* Wait for the message to be cleared by the next try. */
    await page.evaluate(() => { document.getElementById('signin-error').textContent = ''; });
  }
  assert.fail('six wrong passwords never locked the account');
});

test('the queue shows the visit newest first with its need chips', async (t) => {
  const { page, context, problems } = await consoleAs('nav');
  if (!(await needs(t, context, '/submissions'))) return;
  await waitHeading(page, 'Queue');
  const row = page.locator(`#queue-table tr[data-id="${visit.id}"]`);
  await row.waitFor();
  const chips = await row.locator('td:nth-child(3) .chip').allTextContents();
  assert.deepEqual(chips, ['Housing', 'Food']);
  assert.match(await row.textContent(), /Wants help/);
  assert.match(await row.textContent(), /English/);
  const quietRow = page.locator(`#queue-table tr[data-id="${quiet.id}"]`);
  assert.match(await quietRow.textContent(), /Spanish/);
  /* Same day: the one who asked for help comes first. */
  const ids = await page.locator('#queue-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  assert.ok(ids.indexOf(visit.id) < ids.indexOf(quiet.id), `order ${ids}`);
  await checkA11y(page, 'queue');

  /* "More" adds the next page below (one visit a page here). */
  await page.goto(`${d.staffUrl}/staff/#/queue?limit=1`);
  await waitHeading(page, 'Queue');
  await page.locator('#queue-table tbody tr').first().waitFor();
  assert.equal(await page.locator('#queue-table tbody tr').count(), 1);
  await page.getByRole('button', { name: 'More' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#queue-table tbody tr').length === 2);
  assert.deepEqual(await page.locator('#queue-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id)), [visit.id, quiet.id]);
  assert.equal(await page.getByRole('button', { name: 'More' }).isHidden(), true, 'no more pages');

  /* A filter lives in the address and narrows the list. */
  await page.goto(`${d.staffUrl}/staff/#/queue`);
  await waitHeading(page, 'Queue');
  await page.getByLabel('Need').selectOption('food');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/need=food/);
  await page.locator('#queue-table, #queue-list p').first().waitFor();
  assert.equal(await page.locator(`#queue-table tr[data-id="${quiet.id}"]`).count(), 0, 'the visit without food is filtered out');
  noProblems(problems);
});

test('a referral moved to "connected" with a note is stored and shown after a reload', async (t) => {
  const { page, context, problems } = await consoleAs('nav');
  if (!(await needs(t, context, `/submissions/${visit.id}`))) return;
  await page.goto(`${d.staffUrl}/staff/#/submissions/${visit.id}`);
  await waitHeading(page, 'Submission from');
  assert.deepEqual(await page.locator('#positive-needs .chip').allTextContents(), ['Housing', 'Food']);
  assert.match(await page.locator('#scoring-rule').textContent(), /ahc-hrsn-core/);
  /* The answers, the staff's words beside the patient's. */
  const food = page.locator('#answers tr[data-code="88122-7"]');
  assert.match(await food.textContent(), /Often true/);
  await checkA11y(page, 'submission');
  await screenshot(page, 'submission');

  const first = visit.resources.find((r) => r.domain === 'food');
  assert.ok(first, 'the kiosk gave a food resource');
  const card = page.locator(`article.referral[data-service="${first.service_id}"][data-domain="food"]`);
  await card.getByLabel('Status').selectOption('connected');
  await card.getByLabel('Assigned to').selectOption('nav');
  await card.getByLabel('Note (added to the history)').fill('Called the pantry with her; pickup Thursday.');
  await card.getByRole('button', { name: 'Save' }).click();
  await page.locator(`article.referral[data-service="${first.service_id}"][data-domain="food"] .form-status`).filter({ hasText: 'Saved.' }).waitFor();

  const api = await staffApi(context, d.staffUrl, `/submissions/${visit.id}`);
  assert.equal(api.status, 200);
  const stored = api.body.referrals.find((r) => r.domain === 'food' && r.service_id === first.service_id);
  assert.equal(stored.status, 'connected');
  assert.equal(stored.assigned_to, 'nav');
  assert.ok(stored.events.some((e) => e.note === 'Called the pantry with her; pickup Thursday.' && e.status === 'connected' && e.username === 'nav'),
    JSON.stringify(stored.events));

  await page.reload();
  await waitHeading(page, 'Submission from');
  const again = page.locator(`article.referral[data-service="${first.service_id}"][data-domain="food"]`);
  assert.equal(await again.locator('.referral-status').textContent(), 'Connected');
  assert.equal(await again.getByLabel('Status').inputValue(), 'connected');
  assert.match(await again.locator('ol.history').textContent(), /nav: Connected\s*Called the pantry with her; pickup Thursday\./);
  await again.evaluate((el) => {
    el.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -16);
  });
  await screenshot(page, 'referral');
  noProblems(problems);
});

test('Reprint says what the server answered', async (t) => {
  const { page, context, problems } = await consoleAs('nav');
  if (!(await needs(t, context, `/submissions/${visit.id}`))) return;
  await page.goto(`${d.staffUrl}/staff/#/submissions/${visit.id}`);
  await waitHeading(page, 'Submission from');
  const before = await page.locator('#prints tbody tr').count();
  await page.getByRole('button', { name: 'Reprint receipt' }).click();
  await page.locator('#reprint-status').filter({ hasText: /\S/ }).waitFor();
  const text = await page.locator('#reprint-status').textContent();
  const api = await staffApi(context, d.staffUrl, `/submissions/${visit.id}`);
  if (/queued for printing/.test(text)) {
    assert.equal(await page.locator('#prints tbody tr').count(), before + 1);
    assert.equal(api.body.prints.length, before + 1);
  } else {
    /* This test config has no printer: the refusal is shown as it is. */
    assert.match(text, /^Cannot reprint: \S/);
    assert.equal(api.body.prints.length, before, 'nothing was queued');
  }
  noProblems(problems);
});

test('the submission in Spanish shows the patient’s words beside the staff language', async (t) => {
  const { page, context } = await consoleAs('nav');
  if (!(await needs(t, context, `/submissions/${quiet.id}`))) return;
  await page.goto(`${d.staffUrl}/staff/#/submissions/${quiet.id}`);
  await waitHeading(page, 'Submission from');
  const row = page.locator('#answers tr[data-code="71802-3"]');
  const cells = await row.locator('td').allTextContents();
  assert.notEqual(cells[0], '', 'the question in English');
  assert.match(cells[2], /[áéíóúñ¿]/i, 'the patient read it in Spanish');
  assert.equal(await page.locator('#wants-help').textContent(), 'No');
  /* The staff member's own column in Spanish: the same words the patient read. */
  await page.getByRole('link', { name: 'Español' }).click();
  await page.waitForURL(/lang=es/);
  await page.waitForFunction(() => document.querySelector('a[lang="es"][aria-current="true"]'));
  const es = await page.locator('#answers tr[data-code="71802-3"] td').allTextContents();
  assert.notEqual(es[0], cells[0], 'the question changed language');
  assert.ok(es[2].startsWith(es[0]), `${es[0]} | ${es[2]}`);
});

test('follow-up lists a referral due today and links to its submission', async (t) => {
  const { page, context, problems } = await consoleAs('nav');
  if (!(await needs(t, context, '/follow-up', `/submissions/${visit.id}`))) return;
  const fu = await staffApi(context, d.staffUrl, '/follow-up');
  const housing = visit.resources.find((r) => r.domain === 'housing_instability');
  assert.ok(housing, 'the kiosk gave a housing resource');
  const saved = await staffApi(context, d.staffUrl, `/submissions/${visit.id}/referrals`, {
    method: 'POST', csrf: await csrfOf(context),
    data: { domain: 'housing_instability', service_id: housing.service_id, status: 'referred', assigned_to: 'nav', next_follow_up: fu.body.today },
  });
  assert.ok(saved.status === 200 || saved.status === 201, JSON.stringify(saved.body));

  await page.goto(`${d.staffUrl}/staff/#/follow-up`);
  await waitHeading(page, 'Follow-up');
  const row = page.locator('#fu-due tbody tr').filter({ hasText: housing.name });
  await row.waitFor();
  assert.match(await row.textContent(), /Referred/);
  await checkA11y(page, 'follow-up');
  await screenshot(page, 'follow-up');
  await row.getByRole('link').click();
  await waitHeading(page, 'Submission from');
  assert.match(page.url(), new RegExp(`#/submissions/${visit.id}$`));

  /* "Assigned to: Me" finds it, "Nobody" does not. */
  await page.getByRole('link', { name: 'Queue', exact: true }).click();
  await waitHeading(page, 'Queue');
  await page.getByLabel('Assigned to').selectOption('none');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/assigned=none/);
  await waitHeading(page, 'Queue');
  await page.locator('#queue-count').filter({ hasText: /shown/ }).waitFor();
  assert.equal(await page.locator(`#queue-table tr[data-id="${visit.id}"]`).count(), 0);
  await page.getByLabel('Assigned to').selectOption('me');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/assigned=me/);
  await waitHeading(page, 'Queue');
  await page.locator(`#queue-table tr[data-id="${visit.id}"]`).waitFor();

  /* The queue now shows the work done (for the guide's picture). */
  await page.getByRole('link', { name: 'Clear' }).click();
  await page.waitForURL(/#\/queue$/);
  await waitHeading(page, 'Queue');
  const qrow = page.locator(`#queue-table tr[data-id="${visit.id}"]`);
  await qrow.waitFor();
  assert.match(await qrow.textContent(), /Open/);
  assert.match(await qrow.textContent(), /2 scheduled/);
  await screenshot(page, 'queue');
  noProblems(problems);
});

/*
 * A check-in "sent" three days ago (the outbox row moved back in time, as
 * the integration test does) with no reply is listed under "Texts with no
 * answer" and links to its submission; a reply would take it off.
 */
test('follow-up lists a check-in nobody answered and links to its submission', async (t) => {
  const { page, context, problems } = await consoleAs('nav');
  if (!(await needs(t, context, '/follow-up'))) return;
  const before = await staffApi(context, d.staffUrl, '/follow-up');
  assert.equal(before.body.no_answer.length, 0, 'no text is waiting yet');
  const reminder = sql(d.db, `SELECT id FROM sms_outbox WHERE screening_id = '${visit.id}'`
    + " AND kind = 'reminder' AND state = 'scheduled' ORDER BY due_at LIMIT 1")[0];
  assert.ok(reminder, 'the visit has a scheduled check-in');
  sqlWrite(d.db, "UPDATE sms_outbox SET state = 'sent', sent_at = CAST(strftime('%s', 'now') AS INTEGER) - 3 * 86400"
    + ` WHERE id = '${reminder.id}'`);

  await page.goto(`${d.staffUrl}/staff/#/follow-up`);
  await waitHeading(page, 'Follow-up');
  await page.getByRole('heading', { name: 'Texts with no answer (1)' }).waitFor();
  const row = page.locator('#fu-no-answer tbody tr');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /Check-in/);
  await checkA11y(page, 'follow-up, a text with no answer');
  await row.getByRole('link', { name: 'Open submission' }).click();
  await waitHeading(page, 'Submission from');
  assert.match(page.url(), new RegExp(`#/submissions/${visit.id}$`));
  noProblems(problems);
});

test('a resource: clinic notes edited, "Verified today", shown after a reload', async (t) => {
  const { page, context, problems } = await consoleAs('nav');
  if (!(await needs(t, context, '/resources'))) return;
  await page.goto(`${d.staffUrl}/staff/#/resources`);
  await waitHeading(page, 'Resources');
  await page.locator('#resources-table').waitFor();
  await page.getByRole('link', { name: 'Stale list' }).click();
  await page.waitForURL(/stale=1/);
  await page.locator('#resources-table').waitFor();
  assert.equal(await page.getByLabel('Only those that need verifying').isChecked(), true);
  await checkA11y(page, 'stale resources');
  await screenshot(page, 'resources');
  const target = visit.resources.find((r) => r.domain === 'food');
  await page.getByLabel('Only those that need verifying').uncheck();
  await page.getByLabel('Search', { exact: true }).fill(target.name);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const link = page.locator(`#resources-table tr[data-id="${target.service_id}"] a`);
  await link.waitFor();
  await checkA11y(page, 'resources');
  await link.click();
  await waitHeading(page, target.name);

  await page.getByLabel('Contact person or desk').fill('Rosa at the front desk');
  await page.getByLabel('What to ask for (English)').fill('the emergency food box');
  await page.getByLabel('What to ask for (Spanish)').fill('la caja de comida de emergencia');
  await page.getByLabel('Pinned: always first for its needs').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#curation-status').filter({ hasText: 'Saved.' }).waitFor();
  await page.getByRole('button', { name: 'Verified today' }).click();
  await page.locator('#curation-status').filter({ hasText: 'Marked as verified today.' }).waitFor();

  const api = await staffApi(context, d.staffUrl, `/resources/${encodeURIComponent(target.service_id)}`);
  assert.equal(api.status, 200);
  assert.equal(api.body.curation.contact_name, 'Rosa at the front desk');
  assert.equal(api.body.curation.ask_for.es, 'la caja de comida de emergencia');
  assert.equal(api.body.curation.pinned, true);
  assert.ok(api.body.curation.verified_on, 'verified_on is set');
  assert.equal(api.body.curation.verified_by, 'nav');

  await page.reload();
  await waitHeading(page, target.name);
  assert.equal(await page.getByLabel('What to ask for (English)').inputValue(), 'the emergency food box');
  assert.equal(await page.getByLabel('Pinned: always first for its needs').isChecked(), true);
  assert.match(await page.locator('#verified-on').textContent(), /by nav/);
  await checkA11y(page, 'resource');
  await screenshot(page, 'resource');
  noProblems(problems);
});

test('a report shows the API’s numbers, and the exports download', async (t) => {
  const { page, context, problems } = await consoleAs('nav');
  if (!(await needs(t, context, '/reports'))) return;
  await page.goto(`${d.staffUrl}/staff/#/reports`);
  await waitHeading(page, 'Reports');
  await page.locator('#stat-screenings').waitFor();
  const from = await page.getByLabel('From').inputValue();
  const to = await page.getByLabel('To (inclusive)').inputValue();
  const api = await staffApi(context, d.staffUrl, `/reports?from=${from}&to=${to}`);
  assert.equal(api.status, 200);
  assert.ok(api.body.screenings >= 2, `screenings ${api.body.screenings}`);
  assert.equal(await page.locator('#stat-screenings').textContent(), String(api.body.screenings));
  /* The chart's table says the same as the API. */
  const langRows = await page.locator('#chart-languages-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent]));
  assert.ok(langRows.length >= 2, JSON.stringify(langRows));
  assert.equal(await page.locator('#chart-per-day svg rect.bar').count(), api.body.screenings_per_day.length);
  await checkA11y(page, 'reports');
  await screenshot(page, 'reports');

  assert.ok(await routeExists(context, d.staffUrl, `/export/submissions.csv?from=${from}&to=${to}`),
    'the server has the exports');
  for (const [id, header] of [['#export-submissions', /^\uFEFF?"?[a-z_]+"?,/], ['#export-referrals', /^\uFEFF?"?[a-z_]+"?,/]]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(id).click()]);
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    const first = text.split(/\r?\n/)[0];
    assert.match(first, header, `${id}: ${first}`);
    if (id === '#export-submissions') assert.match(first, /id/, first);
    assert.match(download.suggestedFilename(), /\.csv$/);
    await page.locator('#export-status').filter({ hasText: 'Downloaded' }).waitFor();
  }
  const [fhir] = await Promise.all([page.waitForEvent('download'), page.locator('#export-fhir').click()]);
  const bundle = JSON.parse(readFileSync(await fhir.path(), 'utf8'));
  assert.equal(bundle.resourceType, 'Bundle');
  assert.ok(Array.isArray(bundle.entry) && bundle.entry.length > 0, 'the bundle has entries');
  noProblems(problems);
});

test('a viewer sees everything and no control that changes anything', async () => {
  const { page, context, problems } = await consoleAs('vera');
  assert.equal(await page.locator('#who .user').textContent(), 'vera (viewer)');
  await page.goto(`${d.staffUrl}/staff/#/submissions/${visit.id}`);
  await waitHeading(page, 'Submission from');
  assert.ok((await page.locator('article.referral').count()) > 0, 'the referrals are shown');
  assert.equal(await page.locator('main form, main select, main textarea').count(), 0, 'no referral form');
  assert.equal(await page.getByRole('button', { name: 'Reprint receipt' }).count(), 0);
  await checkA11y(page, 'submission as viewer');
  const target = visit.resources[0];
  await page.goto(`${d.staffUrl}/staff/#/resources/${encodeURIComponent(target.service_id)}`);
  await waitHeading(page, target.name);
  assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Verified today' }).count(), 0);
  assert.equal(await page.getByLabel('Contact person or desk').getAttribute('readonly'), '');
  await checkA11y(page, 'resource as viewer');
  await page.getByRole('link', { name: 'Reports' }).click();
  await waitHeading(page, 'Reports');
  await page.locator('#export-role').waitFor();
  assert.equal(await page.locator('#export-submissions').count(), 0, 'no export button for a viewer');
  /* The server refuses anyway. */
  const refused = await staffApi(context, d.staffUrl, `/submissions/${visit.id}/reprint`, { method: 'POST', csrf: await csrfOf(context) });
  assert.equal(refused.status, 403, 'viewer reprint');
  noProblems(problems);
});

test('an admin reads the audit log, which records the views, and downloads it', async () => {
  const { page, context, problems } = await consoleAs('ada');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await waitHeading(page, 'Audit log');
  const actions = await page.locator('#audit-table tbody td:nth-child(3)').allTextContents();
  assert.equal(actions[0], 'audit_read');
  assert.ok(actions.includes('login'), 'this sign-in is recorded');
  await checkA11y(page, 'audit log');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-audit').click()]);
  const first = readFileSync(await download.path(), 'utf8').split(/\r?\n/)[0];
  assert.match(first, /action/, first);
  noProblems(problems);
});

test('a session that ends on the server brings back the sign-in screen', async () => {
  const { page, context, problems } = await consoleAs('ada');
  await waitHeading(page, 'Queue');
  /* What an idle timeout looks like from the browser: the cookie is no
   * longer good.  The next request answers 401. */
  await context.clearCookies();
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.locator('#signin-note').filter({ hasText: 'Your session ended. Please sign in again.' }).waitFor();
  assert.equal(await page.locator('#top').isHidden(), true);
  await checkA11y(page, 'sign-in after the session ended');
  /* Signing in again returns to the screen asked for. */
  await signIn(page, 'ada', PW.ada);
  await waitHeading(page, 'Audit log');
  noProblems(problems);
});

test('sign out ends the session on the server', async () => {
  const { page, context, problems } = await consoleAs('nav', { viewport: TABLET });
  await waitHeading(page, 'Queue');
  await checkA11y(page, 'queue on a tablet');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#signin-note').filter({ hasText: 'You have signed out.' }).waitFor();
  const me = await staffApi(context, d.staffUrl, '/me');
  assert.equal(me.status, 401);
  await page.reload();
  await page.getByLabel('Username').waitFor();
  noProblems(problems);
});

test('the keyboard reaches every part of the top bar, with a visible focus', async () => {
  const { page } = await consoleAs('ada');
  await waitHeading(page, 'Queue');
  /* Start from the top bar's name, as a click there would. */
  await page.locator('.brand').click();
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  const seen = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      const cs = getComputedStyle(el);
      return { text: el.textContent.trim(), outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth) };
    });
    seen.push(info.text);
    assert.notEqual(info.outline, 'none', `${info.text} shows its focus`);
    assert.ok(info.width >= 2, `${info.text} focus ring ${info.width}px`);
  }
  for (const name of ['Queue', 'Follow-up', 'Resources', 'Reports', 'Audit log', 'Sign out']) {
    assert.ok(seen.includes(name), `${name} is reached by Tab: ${seen}`);
  }
});
