/*
 * "Print this list" and "Text me a reminder" when the kiosk says they are
 * available.  The daemon under test has neither a printer nor an SMS gateway,
 * so the page's view of /api/v1/kiosk is switched to features on, and the
 * receipt, print-job and SMS routes (DESIGN.md's kiosk API) are answered by
 * the test.  Everything else is the real daemon.
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

test('"Text me a reminder" takes a number and asks the daemon', { timeout: 90000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await withFeaturesOn(page);
  await page.reload();
  await waitScreen(page, 'welcome');

  const bodies = [];
  await page.route('**/api/v1/screenings/*/sms', async (route) => {
    bodies.push(route.request().postDataJSON());
    await route.fulfill({ status: 201, json: { scheduled: ['2026-12-01T15:00:00Z'] } });
  });

  await toResults(page);
  await button(page, 'Text me a reminder').click();
  await waitScreen(page, 'sms');
  const send = button(page, 'Send me texts');
  assert.ok(await send.isDisabled(), 'Send waits for 10 digits');
  for (const d of '2175550199') await page.locator('#screen .keypad button', { hasText: new RegExp(`^${d}$`) }).click();
  assert.equal((await page.locator('#screen output').textContent()).trim(), '(217) 555-0199');
  await checkA11y(page, 'the text-me screen');
  await send.click();
  await waitScreen(page, 'results');
  assert.equal(bodies.length, 1);
  assert.equal(bodies[0].consent, true);
  assert.equal(bodies[0].phone, '+12175550199');
  await context.close();
});

test('the daemon stops cleanly on SIGTERM', { timeout: 15000 }, async () => {
  await browser.close();
  await daemon.stop();
});
