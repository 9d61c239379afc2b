/*
 * Privacy: a patient who walks away leaves nothing behind.  This file's
 * daemon alone has the timer cut to seconds (SHORT_IDLE: idle_warning_s = 3,
 * idle_reset_s = 3; the other files keep the product's timings): the
 * warning must come after about 3 s without a touch, "I'm still here" must
 * keep the answers, and 3 s more must bring back a clean welcome screen
 * with the result's token revoked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  SHORT_IDLE,
  startDaemon,
  launchBrowser,
  openKiosk,
  getInstrument,
  apiGet,
  waitScreen,
  waitQuestion,
  button,
  answer,
  pressedOptions,
  idleFor,
} from './harness.mjs';

const WARN_S = SHORT_IDLE.idle_warning_s;
const RESET_S = SHORT_IDLE.idle_reset_s;

let daemon;
let browser;
let en;

before(async () => {
  daemon = await startDaemon({ kiosk: SHORT_IDLE });
  /* Every wait below is timed from these: the page must be told them. */
  const { body: kiosk } = await apiGet(daemon.url, '/api/v1/kiosk');
  assert.equal(kiosk.idle_warning_s, WARN_S, 'the kiosk warns after SHORT_IDLE');
  assert.equal(kiosk.idle_reset_s, RESET_S, 'the kiosk resets after SHORT_IDLE');
  browser = await launchBrowser();
  en = await getInstrument(daemon.url, 'en');
});

after(async () => {
  await browser?.close();
  await daemon?.cleanup();
});

async function browserStorage(page) {
  return page.evaluate(async () => ({
    local: window.localStorage.length,
    session: window.sessionStorage.length,
    cookie: document.cookie,
    idb: indexedDB.databases ? (await indexedDB.databases()).length : 0,
  }));
}

/* Every item answered with its first option ("None of the above" for the
 * multi item): food, transportation and utilities come out positive. */
async function completeScreening(page) {
  const posted = page.waitForResponse(
    (r) => r.url().endsWith('/api/v1/screenings') && r.request().method() === 'POST',
    { timeout: 60000 },
  );
  for (let n = 1; n <= en.items.length; n++) {
    const item = en.items[n - 1];
    const codes = item.type === 'multi' ? [item.options.find((o) => o.exclusive).code] : item.options[0].code;
    await answer(page, en, n, codes);
  }
  const response = await posted;
  assert.equal(response.status(), 201);
  return response.json();
}

test('no warning on a fresh welcome screen', { timeout: 30000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await idleFor((WARN_S + 1) * 1000);
  assert.equal(await page.getByRole('dialog').count(), 0, 'no warning while nothing needs protecting');
  await waitScreen(page, 'welcome', 1000);
  await context.close();
});

test('warning, "I\'m still here", then a clean reset', { timeout: 60000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await button(page, 'Start').click();
  await answer(page, en, 1, 'LA31994-9');
  await answer(page, en, 2, ['LA31996-4', 'LA32001-2']);
  await answer(page, en, 3, 'LA6729-3');
  await waitQuestion(page, en, 4);

  /* Stop touching: the warning comes after about idle_warning_s. */
  const quiet = Date.now();
  const dialog = page.getByRole('dialog', { name: 'Are you still there?' });
  await dialog.waitFor({ timeout: (WARN_S + 4) * 1000 });
  const waited = (Date.now() - quiet) / 1000;
  assert.ok(waited >= WARN_S - 0.5 && waited <= WARN_S + 2.5, `the warning came after ${waited} s`);
  await page.getByText('This screen will clear soon to protect your privacy.').waitFor();
  await page.getByText(/^Clearing in [1-3] seconds?$/).waitFor();
  await button(page, "I'm still here").click();
  await dialog.waitFor({ state: 'hidden', timeout: 2000 });

  /* Still question 4, and the answers are still there. */
  await waitQuestion(page, en, 4);
  await button(page, 'Back').click();
  await waitQuestion(page, en, 3);
  assert.deepEqual(await pressedOptions(page), ['LA6729-3']);
  await button(page, 'Back').click();
  await waitQuestion(page, en, 2);
  assert.deepEqual(await pressedOptions(page), ['LA31996-4', 'LA32001-2']);

  /* Stop again: warning, then the reset and a fresh page. */
  const again = Date.now();
  await dialog.waitFor({ timeout: (WARN_S + 4) * 1000 });
  await waitScreen(page, 'welcome', (RESET_S + 5) * 1000);
  const cleared = (Date.now() - again) / 1000;
  assert.ok(cleared >= WARN_S + RESET_S - 1, `the screen cleared after ${cleared} s`);
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.deepEqual(await browserStorage(page), { local: 0, session: 0, cookie: '', idb: 0 });

  /* Start again: nothing chosen anywhere. */
  await button(page, 'Start').click();
  await waitQuestion(page, en, 1);
  assert.deepEqual(await pressedOptions(page), []);
  await button(page, "I'd rather not answer").click();
  await waitQuestion(page, en, 2);
  assert.deepEqual(await pressedOptions(page), []);
  await context.close();
});

test('back on the welcome screen with answers given, the timer still runs', { timeout: 60000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await button(page, 'Start').click();
  await answer(page, en, 1, 'LA31994-9');
  await waitQuestion(page, en, 2);
  await button(page, 'Back').click();
  await waitQuestion(page, en, 1);
  await button(page, 'Back').click();
  await waitScreen(page, 'welcome');
  await page.getByRole('dialog', { name: 'Are you still there?' }).waitFor({ timeout: (WARN_S + 4) * 1000 });
  await page.waitForFunction(() => !document.querySelector('dialog[open]'), null, { timeout: (RESET_S + 5) * 1000 });
  await waitScreen(page, 'welcome');
  await button(page, 'Start').click();
  await waitQuestion(page, en, 1);
  assert.deepEqual(await pressedOptions(page), [], 'the answer went with the reset');
  await context.close();
});

test('idling on the results revokes the token', { timeout: 90000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await button(page, 'Start').click();
  const result = await completeScreening(page);
  assert.ok(result.positive_domains.includes('food'), `positive: ${result.positive_domains}`);
  await waitScreen(page, 'help');
  await button(page, 'No, thank you').click();
  await waitScreen(page, 'results');

  const path = `/api/v1/screenings/${result.id}`;
  const before = await apiGet(daemon.url, path, result.token);
  assert.equal(before.status, 200, 'the token opens the result while the patient is there');
  assert.equal(before.body.wants_help, false);

  await page.getByRole('dialog', { name: 'Are you still there?' }).waitFor({ timeout: (WARN_S + 4) * 1000 });
  await waitScreen(page, 'welcome', (RESET_S + 5) * 1000);
  assert.deepEqual(await browserStorage(page), { local: 0, session: 0, cookie: '', idb: 0 });
  assert.equal(await page.locator('text=Places that can help').count(), 0);

  const after = await apiGet(daemon.url, path, result.token);
  assert.equal(after.status, 401, 'the token is revoked by the reset');
  await context.close();
});

test('"Finish" clears the screen and revokes the token at once', { timeout: 90000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await button(page, 'Start').click();
  const result = await completeScreening(page);
  await waitScreen(page, 'help');
  await button(page, 'Food').click();
  await button(page, 'Yes, help with these').click();
  await waitScreen(page, 'results');
  const finished = Date.now();
  await button(page, 'Finish').click();
  await waitScreen(page, 'welcome', 5000);
  assert.ok(Date.now() - finished < WARN_S * 1000, 'Finish does not wait for the idle timer');
  const after = await apiGet(daemon.url, `/api/v1/screenings/${result.id}`, result.token);
  assert.equal(after.status, 401);
  assert.deepEqual(await browserStorage(page), { local: 0, session: 0, cookie: '', idb: 0 });
  await context.close();
});

test('the daemon stops cleanly on SIGTERM', { timeout: 15000 }, async () => {
  await browser.close();
  await daemon.stop();
});
