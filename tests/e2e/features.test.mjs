/*
 * "Print this list" and "Text me a reminder" when the kiosk says they are
 * available.  The page's view of /api/v1/kiosk is switched to features on,
 * and the receipt, print-job and SMS routes (DESIGN.md's kiosk API) are
 * answered by the test, so every answer the daemon may give (a finished
 * print job, each refusal of a text sign-up) comes when the test wants it.
 * Everything else is the real daemon.  sms.test.mjs texts through the real
 * daemon.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon,
  launchBrowser,
  openKiosk,
  checkA11y,
  getInstrument,
  waitScreen,
  button,
  answer,
  stayAwake,
} from './harness.mjs';

let daemon;
let browser;
let en;

before(async () => {
  daemon = await startDaemon();
  browser = await launchBrowser();
  en = await getInstrument(daemon.url, 'en');
});

after(async () => {
  await browser?.close();
  await daemon?.cleanup();
});

async function withFeaturesOn(page) {
  await page.route('**/api/v1/kiosk', async (route) => {
    const real = await route.fetch();
    const body = await real.json();
    body.features = { ...body.features, receipt: true, sms: true };
    await route.fulfill({ response: real, json: body });
  });
}

async function toResults(page) {
  await button(page, 'Start').click();
  for (let n = 1; n <= en.items.length; n++) {
    const item = en.items[n - 1];
    await answer(page, en, n, item.type === 'multi' ? ['LA9-3'] : item.options[0].code);
  }
  await waitScreen(page, 'help');
  await button(page, 'No, thank you').click();
  await waitScreen(page, 'results');
}

test('"Print this list" queues a receipt and follows the job', { timeout: 90000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await withFeaturesOn(page);
  await page.reload();
  await waitScreen(page, 'welcome');

  const seen = [];
  let polls = 0;
  await page.route('**/api/v1/screenings/*/receipt', async (route) => {
    seen.push({ method: route.request().method(), auth: route.request().headers().authorization });
    await route.fulfill({ status: 202, json: { job_id: 'job-1', status: 'queued' } });
  });
  await page.route('**/api/v1/print-jobs/job-1', async (route) => {
    polls += 1;
    await route.fulfill({ json: { status: polls < 2 ? 'printing' : 'done', error: null } });
  });

  await toResults(page);
  const print = button(page, 'Print this list');
  assert.ok(await print.isEnabled());
  assert.equal(await page.getByText('Not available yet').count(), 0);
  await stayAwake(page);
  await checkA11y(page, 'the results with printing and texts on');
  await print.click();
  await page.getByText('Done. Please take your paper.').waitFor({ timeout: 8000 });
  assert.equal(seen.length, 1);
  assert.equal(seen[0].method, 'POST');
  assert.match(seen[0].auth || '', /^Bearer \S+$/);
  assert.ok(polls >= 2);
  await context.close();
});

/* Text me with every answer the daemon may give but rarely does on a test
 * machine: the consent and the sign-up are answered here, one refusal after
 * another, and each must come out in plain words with the number kept. */
test('"Text me a reminder": the daemon\'s refusals in plain words, the number kept', { timeout: 90000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await page.route('**/api/v1/kiosk', async (route) => {
    const real = await route.fetch();
    const body = await real.json();
    body.features = { ...body.features, sms: true };
    body.sms = { reminders: 1, send_list: false };
    await route.fulfill({ response: real, json: body });
  });
  let consentCalls = 0;
  await page.route('**/api/v1/sms/consent?*', async (route) => {
    consentCalls += 1;
    if (consentCalls === 1) {
      await route.abort('connectionrefused');
      return;
    }
    const version = consentCalls <= 2 ? '2026-11-29.1' : '2026-12-01.1';
    await route.fulfill({ json: { version, language: 'en', text: `Consent text, version ${version}. Reply STOP to stop.` } });
  });
  const answers = [
    { status: 422, json: { error: { code: 'invalid_phone', message: 'no', field: 'phone' } } },
    { status: 409, json: { error: { code: 'opted_out', message: 'no' } } },
    'abort',
    { status: 409, json: { error: { code: 'consent_changed', message: 'no', field: 'consent_version' } } },
    { status: 404, json: { error: { code: 'sms_off', message: 'no' } } },
  ];
  const bodies = [];
  await page.route('**/api/v1/screenings/*/sms', async (route) => {
    bodies.push({ body: route.request().postDataJSON(), auth: route.request().headers().authorization });
    const next = answers.shift();
    if (next === 'abort') await route.abort('connectionreset');
    else await route.fulfill(next);
  });
  await page.reload();
  await waitScreen(page, 'welcome');

  await toResults(page);
  await button(page, 'Text me a reminder').click();
  await waitScreen(page, 'sms');

  /* The consent text could not be fetched: say so, and try again. */
  await page.getByText('We could not load this. Please try again.').waitFor();
  assert.ok(await button(page, 'I agree to get texts').isDisabled(), 'no agreeing to words not shown');
  await button(page, 'Try again').click();
  await page.getByText('Consent text, version 2026-11-29.1. Reply STOP to stop.').waitFor();

  /* Only reminders are offered (send_list off): no choice to make. */
  assert.equal(await page.locator('#screen button.pick-list').count(), 0);
  assert.equal(await page.locator('#screen button.pick-reminders').count(), 0);

  for (const d of '2175550199') await page.locator(`#screen .keypad button[data-key="${d}"]`).click();
  assert.equal((await page.locator('#sms-number').textContent()).trim(), '(217) 555-0199');
  const send = button(page, 'Send me texts');
  assert.ok(await send.isDisabled(), 'Send waits for consent');
  await button(page, 'I agree to get texts').click();
  assert.ok(await send.isEnabled());
  const error = page.locator('#sms-error');
  const number = async () => (await page.locator('#sms-number').textContent()).trim();

  await send.click();
  await error.filter({ hasText: 'This number cannot get texts. Please check it and try again.' }).waitFor();
  assert.equal(await number(), '(217) 555-0199', 'the number stays to be fixed');
  assert.equal(bodies[0].body.phone, '2175550199');
  assert.equal(bodies[0].body.consent_version, '2026-11-29.1');
  assert.equal(bodies[0].body.reminders, true);
  assert.equal(bodies[0].body.send_list, false);
  assert.match(bodies[0].auth || '', /^Bearer \S+$/);
  await stayAwake(page);
  await checkA11y(page, 'the Text me screen with a refusal');

  await send.click();
  await error
    .filter({ hasText: 'This number asked us to stop texting it. To get texts again, send the word START in a text to (217)\u00a0555-0100.' })
    .waitFor();

  /* No answer at all: the number is kept and Send works again. */
  await send.click();
  await error.filter({ hasText: 'We could not send this right now. Your number is still here. Please try again.' }).waitFor();
  assert.equal(await number(), '(217) 555-0199');
  assert.ok(await send.isEnabled(), 'Send is there to try again');

  /* The words changed: they are fetched again and "I agree" is asked again. */
  await send.click();
  await error.filter({ hasText: 'The words about the texts have changed.' }).waitFor();
  await page.getByText('Consent text, version 2026-12-01.1. Reply STOP to stop.').waitFor();
  assert.equal(await button(page, 'I agree to get texts').getAttribute('aria-pressed'), 'false');
  assert.ok(await send.isDisabled());
  await button(page, 'I agree to get texts').click();
  await send.click();
  await error.filter({ hasText: 'Texts are not working right now. Please ask the front desk.' }).waitFor();
  assert.equal(bodies[4].body.consent_version, '2026-12-01.1', 'the new words were agreed to');
  assert.equal(bodies.length, 5);

  /* Cancel forgets the number. */
  await button(page, 'Cancel').click();
  await waitScreen(page, 'results');
  assert.ok(!(await page.locator('body').innerText()).includes('0199'));
  await context.close();
});

test('"Text me a reminder": already signed up', { timeout: 90000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await withFeaturesOn(page);
  await page.route('**/api/v1/sms/consent?*', (route) =>
    route.fulfill({ json: { version: 'v1', language: 'en', text: 'Consent text. Reply STOP to stop.' } }),
  );
  await page.route('**/api/v1/screenings/*/sms', (route) =>
    route.fulfill({ status: 409, json: { error: { code: 'sms_exists', message: 'no' } } }),
  );
  await page.reload();
  await waitScreen(page, 'welcome');
  await toResults(page);
  await button(page, 'Text me a reminder').click();
  await waitScreen(page, 'sms');
  for (const d of '2175550199') await page.locator(`#screen .keypad button[data-key="${d}"]`).click();
  await button(page, 'I agree to get texts').click();
  await button(page, 'Send me texts').click();
  await page.locator('#sms-error').filter({ hasText: 'You already asked for these texts. You do not need to do anything else.' }).waitFor();
  await button(page, 'Cancel').click();
  await waitScreen(page, 'results');
  const textMe = page.locator('#screen button.sms');
  assert.ok(await textMe.isDisabled(), 'Text me is done for this visit');
  await textMe.filter({ hasText: 'You will get texts' }).waitFor();
  await context.close();
});

test('the daemon stops cleanly on SIGTERM', { timeout: 15000 }, async () => {
  await browser.close();
  await daemon.stop();
});
