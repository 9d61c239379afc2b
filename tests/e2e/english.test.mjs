/*
 * A whole visit in English: food, utilities and safety come out positive,
 * one food item is skipped, the patient asks for help with food only.  Checks
 * what the patient sees (the discreet "Support services", places to call)
 * and what the daemon stored, and runs axe on every kind of screen.
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
  progress,
  pressedOptions,
  stayAwake,
  walkAway,
  apiGet,
} from './harness.mjs';

let daemon;
let browser;

before(async () => {
  daemon = await startDaemon();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await daemon?.cleanup();
});

/* Safety items: Fairly often (4) + Sometimes (3) + Sometimes (3) + Rarely (2) = 12 >= 11. */
const ANSWERS = {
  '71802-3': 'LA31993-1', // steady place to live: housing not positive
  '96778-6': ['LA9-3'], // none of the above: housing quality not positive
  '88122-7': 'LA28397-0', // often true: food positive
  // 88123-5 skipped
  '93030-5': 'LA32-8', // no: transportation not positive
  '96779-4': 'LA33-6', // yes: utilities positive
  '95618-5': 'LA16644-9',
  '95617-7': 'LA10082-8',
  '95616-9': 'LA10082-8',
  '95615-1': 'LA10066-1',
};
const SKIPPED = '88123-5';

test('a full visit in English is shown, stored and accessible', { timeout: 120000 }, async () => {
  const en = await getInstrument(daemon.url, 'en');
  assert.equal(en.items.length, 10);
  const { page, context } = await openKiosk(browser, daemon.url, { clock: true });

  /* Welcome */
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByRole('heading', { level: 1, name: 'Riverton Community Clinic' }).waitFor();
  await page.getByText('Only your care team sees your answers.', { exact: false }).waitFor();
  assert.equal(await button(page, 'English').getAttribute('aria-pressed'), 'true');
  assert.equal(await button(page, 'Español').getAttribute('lang'), 'es');
  await checkA11y(page, 'the welcome screen (en)');
  await button(page, 'Start').click();

  /* Question 1, single choice */
  const q1 = await waitQuestion(page, en, 1);
  assert.deepEqual(await progress(page), { now: 1, max: 10, text: 'Question 1 of 10' });
  await button(page, "I'd rather not answer").waitFor();
  await checkA11y(page, 'question 1 (single choice, en)');
  await answer(page, en, 1, ANSWERS[q1.code]);

  /* Question 2, choose all that apply: "None of the above" is exclusive. */
  const q2 = await waitQuestion(page, en, 2);
  assert.equal(q2.type, 'multi');
  const opt = (code) => button(page, q2.options.find((o) => o.code === code).text);
  await opt('LA31996-4').click();
  await opt('LA28580-1').click();
  assert.deepEqual(await pressedOptions(page), ['LA31996-4', 'LA28580-1']);
  await checkA11y(page, 'question 2 (choose all that apply, en)');
  await opt('LA9-3').click();
  assert.deepEqual(await pressedOptions(page), ['LA9-3'], '"None of the above" clears the others');
  await opt('LA31996-4').click();
  assert.deepEqual(await pressedOptions(page), ['LA31996-4'], 'another answer clears "None of the above"');
  await opt('LA31996-4').click();
  assert.deepEqual(await pressedOptions(page), []);
  assert.ok(await page.locator('#screen button.next').isDisabled(), 'Next waits for an answer');
  await answer(page, en, 2, ANSWERS[q2.code]);

  /* Question 3 has the food preamble above it. */
  const q3 = await waitQuestion(page, en, 3);
  assert.ok(q3.preamble, 'item 3 has a preamble in the instrument');
  await page.locator('#screen .preamble').filter({ hasText: q3.preamble }).waitFor();
  await answer(page, en, 3, ANSWERS[q3.code]);

  /* Question 4: "I'd rather not answer" */
  const q4 = await waitQuestion(page, en, 4);
  assert.equal(q4.code, SKIPPED);
  await button(page, "I'd rather not answer").click();

  for (let n = 5; n <= 10; n++) {
    const item = en.items[n - 1];
    await answer(page, en, n, ANSWERS[item.code]);
  }

  /* Help: the positive needs, safety under its discreet label. */
  await waitScreen(page, 'help');
  await page.getByRole('heading', { level: 1, name: 'Would you like help with any of these?' }).waitFor();
  const needs = await page.locator('#screen button.option').allTextContents();
  assert.deepEqual(needs.map((s) => s.trim()), ['Food', 'Heat, power and water', 'Support services']);
  assert.ok(!(await page.locator('#screen').innerText()).match(/safety/i), 'the help screen never says "safety"');
  await checkA11y(page, 'the help question (en)');
  await button(page, 'Food').click();
  assert.equal(await button(page, 'Food').getAttribute('aria-pressed'), 'true');
  await button(page, 'Yes, help with these').click();

  /* Results */
  await waitScreen(page, 'results');
  await stayAwake(page);
  await page.getByRole('heading', { level: 2, name: 'Food', exact: true }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Support services', exact: true }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Heat, power and water', exact: true }).waitFor();
  const headings = await page.locator('#screen h1, #screen h2').allTextContents();
  assert.ok(!headings.some((h) => /safety/i.test(h)), `no heading says "Safety": ${headings.join(' | ')}`);
  const food = page.locator('#screen section[data-domain="food"]');
  const firstName = (await food.locator('.resource h3').first().textContent()).trim();
  assert.ok(firstName.length > 0, 'a place for food has a name');
  const firstPhone = (await food.locator('.resource .phone .value').first().textContent()).trim();
  assert.match(firstPhone, /\(\d{3}\) \d{3}-\d{4}/);
  assert.ok(await food.locator('.resource .hours').first().isVisible());
  /* Print and Text me follow what the kiosk says it can do. */
  const { body: kiosk } = await apiGet(daemon.url, '/api/v1/kiosk');
  for (const [name, on] of [['Print this list', kiosk.features.receipt], ['Text me a reminder', kiosk.features.sms]]) {
    const b = page.getByRole('button', { name: new RegExp(`^${name}`) });
    if (on) {
      assert.ok(await b.isEnabled(), `${name} is enabled: the feature is on`);
      assert.doesNotMatch(await b.innerText(), /Not available yet/);
    } else {
      assert.ok(await b.isDisabled(), `${name} is disabled while the feature is off`);
      assert.match(await b.innerText(), /Not available yet/);
    }
  }
  if (kiosk.features.receipt) {
    await button(page, 'Print this list').click();
    await page.getByText('Done. Please take your paper.').waitFor({ timeout: 15000 });
    await stayAwake(page);
  }
  await button(page, 'Finish').waitFor();
  await checkA11y(page, 'the results (en)');

  /* The idle warning, on top of the results. */
  await walkAway(page, daemon.url);
  await page.getByRole('dialog', { name: 'Are you still there?' }).waitFor({ timeout: 8000 });
  await page.getByText(/Clearing in \d+ seconds?/).waitFor();
  await checkA11y(page, 'the idle warning (en)');
  await button(page, "I'm still here").click();
  await page.getByRole('dialog').waitFor({ state: 'hidden', timeout: 3000 });
  await page.getByRole('heading', { level: 2, name: 'Food', exact: true }).waitFor();
  await context.close();

  /* What the daemon stored */
  const screenings = sql(daemon.db, 'SELECT * FROM screenings');
  assert.equal(screenings.length, 1, 'one screening stored (this test runs first)');
  const s = screenings[0];
  assert.equal(s.language, 'en');
  assert.equal(s.instrument_id, 'ahc-hrsn-core');
  assert.equal(s.safety_score, 12);
  assert.equal(s.safety_complete, 1);
  assert.equal(s.wants_help, 1);

  const rows = sql(
    daemon.db,
    `SELECT item_code, answer_code, skipped FROM screening_answers WHERE screening_id = '${s.id}' ORDER BY item_code, answer_code`,
  );
  const expected = [];
  for (const [item, a] of Object.entries(ANSWERS)) {
    for (const code of [].concat(a)) expected.push({ item_code: item, answer_code: code, skipped: 0 });
  }
  expected.push({ item_code: SKIPPED, answer_code: null, skipped: 1 });
  const order = (x, y) => (x.item_code + (x.answer_code || '')).localeCompare(y.item_code + (y.answer_code || ''));
  assert.deepEqual([...rows].sort(order), expected.sort(order));

  const domains = sql(daemon.db, `SELECT domain, positive, wants_help FROM screening_domains WHERE screening_id = '${s.id}'`);
  const positive = domains.filter((d) => d.positive === 1).map((d) => d.domain).sort();
  assert.deepEqual(positive, ['food', 'safety', 'utilities']);
  const help = domains.filter((d) => d.wants_help === 1).map((d) => d.domain);
  assert.deepEqual(help, ['food']);
});

test('no needs found: straight to a kind message, no help question', { timeout: 90000 }, async () => {
  const en = await getInstrument(daemon.url, 'en');
  const { page, context } = await openKiosk(browser, daemon.url);
  const none = {
    '71802-3': 'LA31993-1',
    '96778-6': ['LA9-3'],
    '88122-7': 'LA28398-8',
    '88123-5': 'LA28398-8',
    '93030-5': 'LA32-8',
    '96779-4': 'LA32-8',
    '95618-5': 'LA6270-8',
    '95617-7': 'LA6270-8',
    '95616-9': 'LA6270-8',
    '95615-1': 'LA6270-8',
  };
  await button(page, 'Start').click();
  for (let n = 1; n <= en.items.length; n++) await answer(page, en, n, none[en.items[n - 1].code]);
  await waitScreen(page, 'results');
  await stayAwake(page);
  await page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor();
  await page.getByText('Your answers do not show any needs right now.', { exact: false }).waitFor();
  assert.equal(await page.locator('#screen section.need').count(), 0, 'no need headings');
  await page.getByText('Questions? Call the clinic: (217) 555-0100').waitFor();
  await checkA11y(page, 'the results with no needs (en)');
  await button(page, 'Finish').click();
  await waitScreen(page, 'welcome');
  await context.close();
  const rows = sql(daemon.db, "SELECT s.id, s.wants_help, s.safety_score, (SELECT count(*) FROM screening_domains d WHERE d.screening_id = s.id AND d.positive = 1) AS positives FROM screenings s ORDER BY created_at DESC LIMIT 1");
  assert.equal(rows[0].positives, 0);
  assert.equal(rows[0].safety_score, 4);
  assert.equal(rows[0].wants_help, null);
});

test('the daemon stops cleanly on SIGTERM', { timeout: 15000 }, async () => {
  await browser.close();
  await daemon.stop();
});
