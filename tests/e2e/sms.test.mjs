/*
 * "Text me a reminder" against the real daemon ([sms] gateway = log in
 * kiosk.conf, reminders 7d,14d, send_list yes), in English and in Spanish:
 * the on-screen keypad (never an <input>) flags an impossible number at the
 * digit that makes it so (an area code starting with 1 or 0, a 911-style
 * N11 code), takes (217) 555-0168, keeps Send disabled until the patient
 * taps "I agree" under the daemon's consent text, sends, and shows the days
 * the texts will come in the patient's language.  axe runs on the keypad
 * and the confirmation in both languages.  The typed number survives a
 * language switch and goes with Cancel and with the inactivity reset.
 *
 * What the daemon stores is checked by the daemon's own tests; this file
 * checks the screen, and what the screen sent.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  SHORT_IDLE,
  startDaemon,
  launchBrowser,
  openKiosk,
  checkA11y,
  getInstrument,
  waitScreen,
  button,
  answer,
  stayAwake,
  idleFor,
} from './harness.mjs';

/* The inactivity reset test's daemon alone has the timer cut to seconds. */
const WARN_S = SHORT_IDLE.idle_warning_s;
const RESET_S = SHORT_IDLE.idle_reset_s;

/* The words the patient should see, as written in kiosk-ui/i18n.js. */
const T = {
  en: {
    results: 'Places that can help',
    noThanks: 'No, thank you',
    textMe: 'Text me a reminder',
    title: 'Text me a reminder',
    send: 'Send me texts',
    cancel: 'Cancel',
    agree: 'I agree to get texts',
    reminders: 'Reminders later (2 texts)',
    list: 'This list of places (1 text)',
    hintNumber: 'Type your 10-digit cell phone number.',
    hintCheck: 'Please check the number.',
    hintAgree: 'Read about the texts. Then tap "I agree to get texts".',
    hintPick: 'Pick reminders, this list, or both.',
    leadingOne: 'Please start with the area code. You do not need to type 1 first.',
    zero: 'An area code cannot start with 0. Please check the number.',
    n11: 'That is a service number like 911, not an area code. Please type your cell phone number.',
    exchangeN11: 'This is not a real phone number. Please check the numbers after the area code.',
    doneTitle: 'You are all set',
    doneDays: 'We will send you a text on each of these days:',
    doneList: 'We will text you this list of places soon.',
    doneStop: 'To stop the texts, reply STOP to any of them.',
    back: 'Back to the list',
    signedUp: 'You will get texts',
    finish: 'Finish',
    weekday: /^(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday), (January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}$/,
  },
  es: {
    results: 'Lugares que pueden ayudar',
    noThanks: 'No, gracias',
    textMe: 'Recordarme por texto',
    title: 'Recordarme por texto',
    send: 'Enviarme textos',
    cancel: 'Cancelar',
    agree: 'Acepto recibir textos',
    reminders: 'Recordatorios más tarde (2 textos)',
    list: 'Esta lista de lugares (1 texto)',
    hintNumber: 'Escriba su número de celular de 10 dígitos.',
    hintCheck: 'Por favor, revise el número.',
    hintAgree: 'Lea sobre los textos. Luego toque "Acepto recibir textos".',
    hintPick: 'Elija recordatorios, esta lista o las dos cosas.',
    leadingOne: 'Por favor, empiece con el código de área. No necesita marcar 1 primero.',
    zero: 'Un código de área no puede empezar con 0. Por favor, revise el número.',
    n11: 'Ese es un número de servicio, como el 911. No es un código de área. Por favor, escriba su número de celular.',
    exchangeN11: 'Este no es un número de teléfono real. Por favor, revise los números después del código de área.',
    doneTitle: 'Todo está listo',
    doneDays: 'Le enviaremos un texto cada uno de estos días:',
    doneList: 'Pronto le enviaremos esta lista de lugares por texto.',
    doneStop: 'Para dejar de recibir los textos, conteste STOP a cualquiera de ellos.',
    back: 'Volver a la lista',
    signedUp: 'Usted recibirá textos',
    finish: 'Terminar',
    weekday: /^(lunes|martes|miércoles|jueves|viernes|sábado|domingo), \d{1,2} de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)$/,
  },
};

/* No place in the demo directory has this number, so finding it on a page
 * means the patient's typing is still there. */
const NUMBER = '2175550168';
const SHOWN = '(217) 555-0168';
const DAY_MS = 24 * 3600 * 1000;

let browser;
const instruments = {};
const daemons = [];

before(async () => {
  browser = await launchBrowser();
  /* One daemon per test (a fresh database each time, so the same number
   * can sign up in each); this one only lends its instruments. */
  const d = await fresh();
  instruments.en = await getInstrument(d.url, 'en');
  instruments.es = await getInstrument(d.url, 'es');
});

after(async () => {
  await browser?.close();
  for (const d of daemons) await d.cleanup();
});

/* options: startDaemon's (the reset test's SHORT_IDLE). */
async function fresh(options = {}) {
  const d = await startDaemon(options);
  daemons.push(d);
  return d;
}

/* A whole screening in lang (first answers: food and more come out
 * positive, so the results list places), "No, thank you" to help. */
async function toResults(page, lang) {
  const inst = instruments[lang];
  if (lang === 'es') await button(page, 'Español').click();
  await page.locator('#screen .screen-actions button').click();
  for (let n = 1; n <= inst.items.length; n++) {
    const item = inst.items[n - 1];
    await answer(page, inst, n, item.type === 'multi' ? [item.options.find((o) => o.exclusive).code] : item.options[0].code);
  }
  await waitScreen(page, 'help');
  await button(page, T[lang].noThanks).click();
  await waitScreen(page, 'results');
  await page.getByRole('heading', { level: 1, name: T[lang].results }).waitFor();
}

/* Text me, offered because kiosk.conf turns texting on. */
async function openTextMe(page) {
  const textMe = page.locator('#screen button.sms');
  assert.ok(await textMe.isEnabled(), 'the results offer Text me (the daemon says features.sms)');
  await textMe.click();
  await waitScreen(page, 'sms');
  return textMe;
}

async function key(page, k) {
  await page.locator(`#screen .keypad button[data-key="${k}"]`).click();
}

async function type(page, digits) {
  for (const d of digits) await key(page, d);
}

async function del(page, times) {
  for (let i = 0; i < times; i++) await key(page, 'del');
}

const shown = async (page) => (await page.locator('#sms-number').textContent()).replace(/\u00a0/g, '').trim();
const problem = async (page) => (await page.locator('#sms-problem').textContent()).trim();
const hint = async (page) => (await page.locator('#sms-hint').textContent()).trim();

/* The page's own view of the kiosk (the same request the screen makes). */
function pageGet(page, path) {
  return page.evaluate(async (p) => {
    const res = await fetch(p, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, path);
}

/* Every visible button is a real target: at least 48x48 CSS px. */
async function assertTargets(page, where) {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button')]
      .filter((b) => {
        const r = b.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(b).visibility !== 'hidden';
      })
      .filter((b) => {
        const r = b.getBoundingClientRect();
        return r.width < 48 || r.height < 48;
      })
      .map((b) => `"${b.textContent.trim()}" ${Math.round(b.getBoundingClientRect().width)}x${Math.round(b.getBoundingClientRect().height)}`),
  );
  assert.deepEqual(small, [], `buttons under 48x48 on ${where}`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
  assert.equal(wide, false, `${where} scrolls sideways`);
}

/* No system keyboard: nothing on the page takes typed text. */
async function assertNoTextFields(page) {
  const fields = await page.locator('input, textarea, select, [contenteditable]:not([contenteditable="false"])').count();
  assert.equal(fields, 0, 'the Text me screen has no text field');
}

/* The keypad's checks, digit by digit: each problem shows at the digit
 * that causes it, in the patient's language, and Send stays off. */
async function checkKeypadRules(page, t) {
  const send = button(page, t.send);
  assert.ok(await send.isDisabled(), 'Send is off with no number');
  assert.equal(await hint(page), t.hintNumber);

  await key(page, '1');
  assert.equal(await shown(page), '1');
  assert.equal(await problem(page), t.leadingOne, 'an area code starting with 1 is flagged at once');
  assert.equal(await page.getByRole('alert').filter({ hasText: t.leadingOne }).count(), 1);
  assert.equal(await hint(page), t.hintCheck);
  assert.ok(await send.isDisabled());
  await del(page, 1);
  assert.equal(await problem(page), '');

  await key(page, '0');
  assert.equal(await problem(page), t.zero);
  await del(page, 1);

  await type(page, '91');
  assert.equal(await problem(page), '', '91 could still become a real area code');
  await key(page, '1');
  assert.equal(await shown(page), '911');
  assert.equal(await problem(page), t.n11, 'an N11 area code is flagged at its third digit');
  assert.ok(await send.isDisabled());
  /* Typing on does not hide it. */
  await type(page, '5550123');
  assert.equal(await shown(page), '(911) 555-0123');
  assert.equal(await problem(page), t.n11);
  assert.ok(await send.isDisabled(), 'Send stays off for 10 impossible digits');
  await del(page, 10);
  assert.equal(await shown(page), '');

  await type(page, '217411');
  assert.equal(await problem(page), t.exchangeN11, 'an N11 exchange is flagged at its third digit');
  await del(page, 6);
  assert.equal(await problem(page), '');

  /* The test number, 555-01XX, is a good number. */
  await type(page, NUMBER);
  assert.equal(await shown(page), SHOWN);
  assert.equal(await problem(page), '');
  await key(page, '4');
  assert.equal(await shown(page), SHOWN, 'no 11th digit');
}

async function consentShown(page, lang) {
  const text = page.locator('#sms-consent .consent-text');
  await text.waitFor({ timeout: 10000 });
  assert.equal(await text.getAttribute('lang'), lang);
  return (await text.textContent()).trim();
}

/* The days on the confirmation, as the daemon scheduled them. */
function expectedDays(scheduled, lang, timeZone) {
  const fmt = new Intl.DateTimeFormat(lang, { weekday: 'long', month: 'long', day: 'numeric', timeZone });
  const days = [];
  for (const s of [...scheduled].filter((x) => x.kind === 'reminder').sort((a, b) => Date.parse(a.send_at) - Date.parse(b.send_at))) {
    const d = fmt.format(new Date(s.send_at));
    if (!days.includes(d)) days.push(d);
  }
  return days;
}

for (const lang of ['en', 'es']) {
  test(`Text me in ${lang === 'en' ? 'English' : 'Spanish'}: keypad, consent, send, confirmation`, { timeout: 150000 }, async () => {
    const t = T[lang];
    const daemon = await fresh();
    const { page, context, problems } = await openKiosk(browser, daemon.url);

    const kiosk = (await pageGet(page, '/api/v1/kiosk')).body;
    assert.equal(kiosk.features.sms, true, 'kiosk.conf turns texting on');
    assert.equal(kiosk.sms && kiosk.sms.reminders, 2, 'kiosk.conf: reminders = 7d,14d');
    assert.equal(kiosk.sms.send_list, true, 'kiosk.conf: send_list = yes');

    await toResults(page, lang);
    const textMe = page.locator('#screen button.sms');
    assert.ok(await textMe.isEnabled(), 'Text me is offered');
    assert.equal((await textMe.textContent()).trim(), t.textMe);
    await textMe.click();
    await waitScreen(page, 'sms');
    await page.getByRole('heading', { level: 1, name: t.title }).waitFor();
    await assertNoTextFields(page);

    await checkKeypadRules(page, t);
    const consentText = await consentShown(page, lang);
    const consent = (await pageGet(page, `/api/v1/sms/consent?lang=${lang}`)).body;
    assert.equal(consentText, consent.text.trim(), 'the consent text is the daemon\'s, in the patient\'s language');
    assert.equal(consent.language, lang);

    /* Send waits for the tap on "I agree", which starts off. */
    const send = button(page, t.send);
    const agree = button(page, t.agree);
    assert.equal(await agree.getAttribute('aria-pressed'), 'false', '"I agree" is not pre-checked');
    assert.ok(await send.isDisabled(), 'Send waits for consent');
    assert.equal(await hint(page), t.hintAgree);
    const box = await agree.boundingBox();
    assert.ok(box.width >= 48 && box.height >= 48, `"I agree" is ${box.width}x${box.height}`);

    /* Reminders are picked (the patient asked for them), the list is not. */
    const reminders = button(page, t.reminders);
    const list = button(page, t.list);
    assert.equal(await reminders.getAttribute('aria-pressed'), 'true');
    assert.equal(await list.getAttribute('aria-pressed'), 'false');

    await stayAwake(page);
    await assertTargets(page, `the keypad (${lang})`);
    await checkA11y(page, `the Text me keypad (${lang})`);

    if (lang === 'en') {
      /* A language switch keeps the number; "I agree" was for the English
       * words, so it is off again under the Spanish ones. */
      await agree.click();
      assert.equal(await agree.getAttribute('aria-pressed'), 'true');
      await button(page, 'Español').click();
      await page.waitForFunction(() => document.documentElement.lang === 'es');
      await waitScreen(page, 'sms');
      assert.equal(await shown(page), SHOWN, 'the number survives a language switch');
      await consentShown(page, 'es');
      assert.equal(await button(page, T.es.agree).getAttribute('aria-pressed'), 'false');
      assert.ok(await button(page, T.es.send).isDisabled());
      await stayAwake(page);
      await button(page, 'English').click();
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.equal(await shown(page), SHOWN);
      await consentShown(page, 'en');
      assert.equal(await agree.getAttribute('aria-pressed'), 'false');

      /* Cancel forgets the number. */
      await button(page, t.cancel).click();
      await waitScreen(page, 'results');
      assert.ok(!(await page.locator('body').innerText()).includes('555-0168'));
      await textMe.click();
      await waitScreen(page, 'sms');
      assert.equal(await shown(page), '', 'a new Text me starts empty');
      await type(page, NUMBER);
      await consentShown(page, 'en');
    }

    /* Agree, then pick: at least one kind of text. */
    await agree.click();
    assert.equal(await agree.getAttribute('aria-pressed'), 'true');
    assert.ok(await send.isEnabled(), 'Send is on: a good number and consent');
    await reminders.click();
    assert.equal(await reminders.getAttribute('aria-pressed'), 'false');
    assert.ok(await send.isDisabled(), 'Send is off with nothing to send');
    assert.equal(await hint(page), t.hintPick);
    if (lang === 'en') {
      /* Both: the reminders and the list. */
      await reminders.click();
      await list.click();
    } else {
      await reminders.click();
    }
    assert.ok(await send.isEnabled());
    assert.equal(await hint(page), '');

    const posted = page.waitForRequest((r) => /\/api\/v1\/screenings\/[^/]+\/sms$/.test(r.url()) && r.method() === 'POST');
    const answered = page.waitForResponse((r) => /\/api\/v1\/screenings\/[^/]+\/sms$/.test(r.url()), { timeout: 20000 });
    await send.click();
    const request = await posted;
    const response = await answered;
    assert.match(request.headers().authorization || '', /^Bearer \S+$/);
    assert.deepEqual(request.postDataJSON(), {
      phone: NUMBER,
      consent: true,
      consent_version: consent.version,
      language: lang,
      reminders: true,
      send_list: lang === 'en',
    });
    assert.equal(response.status(), 201, `POST .../sms answered ${response.status()}: ${await response.text()}`);
    const scheduled = await response.json();

    /* The confirmation: the days in the patient's language, STOP. */
    await waitScreen(page, 'sms-done');
    await page.getByRole('heading', { level: 1, name: t.doneTitle }).waitFor();
    await page.getByText(t.doneDays, { exact: true }).waitFor();
    const reminderRows = scheduled.scheduled.filter((s) => s.kind === 'reminder');
    assert.equal(reminderRows.length, 2, 'two reminders (7d, 14d)');
    for (const s of reminderRows) {
      const ahead = Date.parse(s.send_at) - Date.now();
      assert.ok(ahead > 6 * DAY_MS && ahead < 16 * DAY_MS, `a reminder at ${s.send_at}`);
    }
    const timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const days = (await page.locator('#screen .sms-days li').allTextContents()).map((s) => s.trim());
    assert.deepEqual(days, expectedDays(scheduled.scheduled, lang, timeZone));
    for (const d of days) assert.match(d, t.weekday);
    if (lang === 'en') {
      assert.ok(scheduled.list && scheduled.list.id, 'the list is queued');
      await page.getByText(t.doneList).waitFor();
      /* The days follow a language switch. */
      await button(page, 'Español').click();
      await page.getByRole('heading', { level: 1, name: T.es.doneTitle }).waitFor();
      const dias = (await page.locator('#screen .sms-days li').allTextContents()).map((x) => x.trim());
      assert.deepEqual(dias, expectedDays(scheduled.scheduled, 'es', timeZone));
      for (const d of dias) assert.match(d, T.es.weekday);
      await button(page, 'English').click();
      await page.getByRole('heading', { level: 1, name: t.doneTitle }).waitFor();
    } else {
      assert.equal(scheduled.list, null);
      assert.equal(await page.getByText(t.doneList).count(), 0);
    }
    await page.getByText(t.doneStop).waitFor();
    assert.ok(!(await page.locator('body').innerText()).includes('555-0168'), 'the number is gone once sent');
    await stayAwake(page);
    await assertTargets(page, `the confirmation (${lang})`);
    await checkA11y(page, `the Text me confirmation (${lang})`);

    /* Back on the list, Text me is done for this visit. */
    await button(page, t.back).click();
    await waitScreen(page, 'results');
    assert.ok(await textMe.isDisabled());
    await page.locator('#screen button.sms').filter({ hasText: t.signedUp }).waitFor();
    await button(page, t.finish).click();
    await waitScreen(page, 'welcome', 8000);

    assert.deepEqual(problems.pageErrors, [], 'no script errors');
    assert.deepEqual(problems.csp, [], 'no CSP violations');
    await context.close();
  });
}

test('the inactivity reset wipes the typed number', { timeout: 120000 }, async () => {
  const daemon = await fresh({ kiosk: SHORT_IDLE });
  const { page, context } = await openKiosk(browser, daemon.url);
  await toResults(page, 'en');
  await openTextMe(page);
  await type(page, NUMBER);
  assert.equal(await shown(page), SHOWN);

  /* Walk away: the warning, then a clean page. */
  await page.getByRole('dialog', { name: 'Are you still there?' }).waitFor({ timeout: (WARN_S + 4) * 1000 });
  await waitScreen(page, 'welcome', (RESET_S + 5) * 1000);
  await idleFor(200);
  assert.ok(!(await page.content()).includes('555'), 'nothing of the number is left on the page');
  const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
  assert.deepEqual(stored, { local: 0, session: 0, cookie: '' });

  /* The next patient's Text me starts empty. */
  await toResults(page, 'en');
  await openTextMe(page);
  assert.equal(await shown(page), '');
  assert.equal(await button(page, 'I agree to get texts').getAttribute('aria-pressed'), 'false');
  await context.close();
});

test('every daemon stops cleanly on SIGTERM', { timeout: 30000 }, async () => {
  await browser.close();
  for (const d of daemons) await d.stop();
});
