/*
 * When the daemon cannot be reached or says no, the patient sees a calm
 * message in their language and "Try again", and no answer is lost: the
 * retry stores exactly what was answered.  Failures are made by
 * intercepting the page's own requests (the daemon itself is real).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon,
  launchBrowser,
  openKiosk,
  checkA11y,
  getInstrument,
  sql,
  waitScreen,
  waitQuestion,
  button,
  answer,
} from './harness.mjs';

let daemon;
let browser;
let es;

before(async () => {
  daemon = await startDaemon();
  browser = await launchBrowser();
  es = await getInstrument(daemon.url, 'es');
});

after(async () => {
  await browser?.close();
  await daemon?.cleanup();
});

const ANSWERS = {
  '71802-3': 'LA31995-6',
  '96778-6': ['LA31998-0'],
  '88122-7': 'LA28398-8',
  '88123-5': 'LA28398-8',
  '93030-5': 'LA33-6',
  '96779-4': 'LA32002-0',
  '95618-5': 'LA6270-8',
  '95617-7': 'LA6270-8',
  '95616-9': 'LA6270-8',
  '95615-1': 'LA6270-8',
};

test('a kiosk that cannot load its settings says so and recovers', { timeout: 60000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  await page.route('**/api/v1/kiosk', (route) => route.abort('connectionrefused'));
  await page.goto(`${daemon.url}/`);
  await waitScreen(page, 'error');
  await page.getByRole('heading', { level: 1, name: 'Sorry, we could not connect' }).waitFor();
  await checkA11y(page, 'the error screen (en)');
  await page.unroute('**/api/v1/kiosk');
  await button(page, 'Try again').click();
  await waitScreen(page, 'welcome');
  await page.getByRole('heading', { level: 1, name: 'Riverton Community Clinic' }).waitFor();
  await context.close();
});

test('a failed save keeps every answer and "Intentar de nuevo" stores them', { timeout: 120000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url);
  await button(page, 'Español').click();
  await button(page, 'Empezar').click();
  for (let n = 1; n <= 9; n++) await answer(page, es, n, ANSWERS[es.items[n - 1].code]);
  await waitQuestion(page, es, 10);

  /* First the network fails, then the daemon answers 503. */
  let calls = 0;
  await page.route('**/api/v1/screenings', (route) => {
    calls += 1;
    if (calls === 1) return route.abort('connectionrefused');
    return route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'store_unavailable', message: 'try again' } }),
    });
  });
  await answer(page, es, 10, ANSWERS['95615-1']);
  await waitScreen(page, 'error');
  await page.getByRole('heading', { level: 1, name: 'Lo sentimos, no pudimos conectarnos' }).waitFor();
  await page.getByText('Sus respuestas siguen aquí.', { exact: false }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  await checkA11y(page, 'the error screen (es)');
  await button(page, 'Intentar de nuevo').click();
  await waitScreen(page, 'error');
  await page.waitForFunction(() => document.querySelector('#screen button.retry'));
  assert.equal(calls, 2);
  assert.equal(sql(daemon.db, 'SELECT count(*) AS n FROM screenings')[0].n, 0, 'nothing stored yet');

  /* The daemon is back. */
  await page.unroute('**/api/v1/screenings');
  await button(page, 'Intentar de nuevo').click();
  await waitScreen(page, 'help');

  /* The help answer fails once too. */
  let helpCalls = 0;
  await page.route('**/api/v1/screenings/*/help', (route) => {
    helpCalls += 1;
    return route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"x"}}' });
  });
  await page.locator('#screen button.option').first().click();
  await button(page, 'Sí, quiero ayuda con estas').click();
  await waitScreen(page, 'error');
  assert.equal(helpCalls, 1);
  await page.unroute('**/api/v1/screenings/*/help');
  await button(page, 'Intentar de nuevo').click();
  await waitScreen(page, 'results');
  await context.close();

  const rows = sql(daemon.db, 'SELECT id, language, wants_help, safety_score FROM screenings');
  assert.equal(rows.length, 1);
  assert.equal(rows[0].language, 'es');
  assert.equal(rows[0].wants_help, 1);
  assert.equal(rows[0].safety_score, 4);
  const answers = sql(daemon.db, `SELECT item_code, answer_code FROM screening_answers WHERE screening_id = '${rows[0].id}' AND skipped = 0`);
  const got = Object.fromEntries(answers.map((r) => [r.item_code, r.answer_code]));
  const want = Object.fromEntries(Object.entries(ANSWERS).map(([k, v]) => [k, [].concat(v)[0]]));
  assert.deepEqual(got, want);
});

test('the daemon stops cleanly on SIGTERM', { timeout: 15000 }, async () => {
  await browser.close();
  await daemon.stop();
});
