/*
 * A visit that starts in English and switches to Spanish at question 4:
 * the answers already given must survive the switch (they are kept by LOINC
 * code, not by text), the questions must now be in Spanish, and the daemon
 * must store the screening as Spanish.  axe runs on every kind of screen in
 * Spanish.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon,
  launchBrowser,
  openKiosk,
  checkA11y,
  getInstrument,
  apiGet,
  sql,
  waitScreen,
  waitQuestion,
  button,
  answer,
  progress,
  pressedOptions,
  stayAwake,
  walkAway,
} from './harness.mjs';

let daemon;
let browser;
let en;
let es;

before(async () => {
  daemon = await startDaemon();
  browser = await launchBrowser();
  en = await getInstrument(daemon.url, 'en');
  es = await getInstrument(daemon.url, 'es');
});

after(async () => {
  await browser?.close();
  await daemon?.cleanup();
});

/* Food (sometimes true), housing quality (pests, mold) and safety
 * (5 + 4 + 3 + 2 = 14) positive; transportation skipped. */
const ANSWERS = {
  '71802-3': 'LA31993-1',
  '96778-6': ['LA31996-4', 'LA28580-1'],
  '88122-7': 'LA6729-3',
  '88123-5': 'LA28398-8',
  '96779-4': 'LA32-8',
  '95618-5': 'LA6482-9',
  '95617-7': 'LA16644-9',
  '95616-9': 'LA10082-8',
  '95615-1': 'LA10066-1',
};
const SKIPPED = '93030-5';

function domainLabel(instrument, name) {
  const d = instrument.domains.find((x) => x.name === name);
  assert.ok(d, `the instrument has domain ${name}`);
  return d.discreet_label || d.label;
}

function optionText(instrument, itemCode, code) {
  return instrument.items.find((i) => i.code === itemCode).options.find((o) => o.code === code).text;
}

test('the welcome screen in Spanish', { timeout: 60000 }, async () => {
  assert.equal(es.language, 'es');
  const { page, context } = await openKiosk(browser, daemon.url);
  await button(page, 'Español').click();
  await page.waitForFunction(() => document.documentElement.lang === 'es');
  assert.equal(await button(page, 'Español').getAttribute('aria-pressed'), 'true');
  assert.equal(await button(page, 'English').getAttribute('aria-pressed'), 'false');
  await button(page, 'Empezar').waitFor();
  await page.getByText('Solo su equipo de atención médica ve sus respuestas.', { exact: false }).waitFor();
  await checkA11y(page, 'the welcome screen (es)');
  await button(page, 'Empezar').click();
  await waitQuestion(page, es, 1);
  assert.equal((await progress(page)).text, 'Pregunta 1 de 10');
  await context.close();
});

test('switching to Spanish at question 4 keeps every answer', { timeout: 120000 }, async () => {
  const { page, context } = await openKiosk(browser, daemon.url, { clock: true });
  await button(page, 'Start').click();

  /* Questions 1-3 in English. */
  await answer(page, en, 1, ANSWERS['71802-3']);
  await answer(page, en, 2, ANSWERS['96778-6']);
  await answer(page, en, 3, ANSWERS['88122-7']);
  await waitQuestion(page, en, 4);

  /* Switch at question 4. */
  await button(page, 'Español').click();
  const q4 = await waitQuestion(page, es, 4);
  assert.notEqual(q4.text, en.items[3].text, 'the Spanish text differs from the English');
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.equal((await page.locator('#screen h1').textContent()).trim(), q4.text);
  assert.deepEqual(await progress(page), { now: 4, max: 10, text: 'Pregunta 4 de 10' });
  await button(page, 'Prefiero no contestar').waitFor();
  await button(page, 'English').waitFor();
  await checkA11y(page, 'question 4 (single choice, es)');

  /* Back to question 3: the English answer is still chosen, now in Spanish. */
  await button(page, 'Atrás').click();
  await waitQuestion(page, es, 3);
  assert.deepEqual(await pressedOptions(page), [ANSWERS['88122-7']]);
  const pressed3 = page.locator('#screen button.option[aria-pressed="true"]');
  assert.equal((await pressed3.textContent()).trim(), optionText(es, '88122-7', ANSWERS['88122-7']));
  await page.locator('#screen .preamble').filter({ hasText: es.items[2].preamble }).waitFor();

  /* Back to question 2: both choices of the multi item survive. */
  await button(page, 'Atrás').click();
  await waitQuestion(page, es, 2);
  assert.deepEqual(await pressedOptions(page), ANSWERS['96778-6']);
  await checkA11y(page, 'question 2 (choose all that apply, es)');
  await button(page, 'Siguiente').click();

  /* Forward again: question 3 keeps its answer; tap it to go on. */
  await waitQuestion(page, es, 3);
  await answer(page, es, 3, ANSWERS['88122-7']);
  await answer(page, es, 4, ANSWERS['88123-5']);
  await waitQuestion(page, es, 5);
  await button(page, 'Prefiero no contestar').click();
  for (let n = 6; n <= 10; n++) await answer(page, es, n, ANSWERS[es.items[n - 1].code]);

  /* Help, in Spanish, with safety under its discreet label. */
  await waitScreen(page, 'help');
  await page.getByRole('heading', { level: 1, name: '¿Quiere ayuda con alguna de estas cosas?' }).waitFor();
  const needs = (await page.locator('#screen button.option').allTextContents()).map((s) => s.trim());
  assert.deepEqual(needs, [domainLabel(es, 'housing_quality'), domainLabel(es, 'food'), domainLabel(es, 'safety')]);
  assert.ok(needs.includes('Servicios de apoyo'));
  assert.ok(!(await page.locator('#screen').innerText()).match(/seguridad/i), 'the help screen never says "seguridad"');
  await checkA11y(page, 'the help question (es)');
  await button(page, 'No, gracias').click();

  /* Results, in Spanish. */
  await waitScreen(page, 'results');
  await stayAwake(page);
  await page.getByRole('heading', { level: 1, name: 'Lugares que pueden ayudar' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Servicios de apoyo', exact: true }).waitFor();
  await page.getByRole('heading', { level: 2, name: domainLabel(es, 'food'), exact: true }).waitFor();
  const headings = await page.locator('#screen h1, #screen h2').allTextContents();
  assert.ok(!headings.some((h) => /seguridad|safety/i.test(h)), `no heading names safety: ${headings.join(' | ')}`);
  await page.getByText('Aquí hay lugares a los que puede llamar si cambia de opinión.').waitFor();
  const food = page.locator('#screen section[data-domain="food"]');
  assert.match((await food.locator('.resource .phone').first().innerText()).trim(), /^Teléfono: \(\d{3}\) \d{3}-\d{4}$/);
  assert.match((await food.locator('.resource .hours').first().innerText()).trim(), /^Horario: /);
  /* Print and Text me follow what the kiosk says it can do, in Spanish. */
  const { body: kiosk } = await apiGet(daemon.url, '/api/v1/kiosk');
  for (const [name, on] of [['Imprimir esta lista', kiosk.features.receipt], ['Recordarme por texto', kiosk.features.sms]]) {
    const b = page.getByRole('button', { name: new RegExp(`^${name}`) });
    assert.equal(await b.isEnabled(), !!on, `${name} follows the kiosk's features`);
    if (on) assert.doesNotMatch(await b.innerText(), /Todavía no disponible/);
    else assert.match(await b.innerText(), /Todavía no disponible/);
  }
  await button(page, 'Terminar').waitFor();
  await checkA11y(page, 'the results (es)');

  /* The idle warning in Spanish. */
  await walkAway(page, daemon.url);
  await page.getByRole('dialog', { name: '¿Sigue ahí?' }).waitFor({ timeout: 8000 });
  await page.getByText(/Se borrará en \d+ segundos?/).waitFor();
  await checkA11y(page, 'the idle warning (es)');
  await button(page, 'Sigo aquí').click();
  await page.getByRole('dialog').waitFor({ state: 'hidden', timeout: 3000 });
  await context.close();

  /* Stored: in Spanish, with the answers given before the switch. */
  const rows = sql(daemon.db, 'SELECT * FROM screenings');
  assert.equal(rows.length, 1);
  const s = rows[0];
  assert.equal(s.language, 'es');
  assert.equal(s.safety_score, 14);
  assert.equal(s.safety_complete, 1);
  assert.equal(s.wants_help, 0);
  const answers = sql(
    daemon.db,
    `SELECT item_code, answer_code, skipped FROM screening_answers WHERE screening_id = '${s.id}'`,
  );
  const expected = [];
  for (const [item, a] of Object.entries(ANSWERS)) {
    for (const code of [].concat(a)) expected.push(`${item}=${code}`);
  }
  expected.push(`${SKIPPED}=skipped`);
  const got = answers.map((r) => `${r.item_code}=${r.skipped ? 'skipped' : r.answer_code}`);
  assert.deepEqual(got.sort(), expected.sort());
  const domains = sql(daemon.db, `SELECT domain, positive, wants_help FROM screening_domains WHERE screening_id = '${s.id}'`);
  assert.deepEqual(
    domains.filter((d) => d.positive === 1).map((d) => d.domain).sort(),
    ['food', 'housing_quality', 'safety'],
  );
  assert.deepEqual(domains.filter((d) => d.wants_help === 1), []);
});

test('the daemon stops cleanly on SIGTERM', { timeout: 15000 }, async () => {
  await browser.close();
  await daemon.stop();
});
