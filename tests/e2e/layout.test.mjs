/*
 * The screen sizes the kiosk ships on (the Pi 7" display at 800x480, Touch
 * Display 2 at 720x1280 portrait, and 1280x800): on every screen of a visit,
 * every button is at least 48x48 CSS px and at least 8 px from its
 * neighbours, no text is smaller than 20 px, nothing spills sideways, and
 * the action bar (Back / Next / Finish) is on screen without scrolling.
 * That includes the Text me keypad (texting is on in kiosk.conf).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon,
  launchBrowser,
  openKiosk,
  getInstrument,
  waitScreen,
  waitQuestion,
  button,
  answer,
  stayAwake,
  walkAway,
  VIEWPORTS,
} from './harness.mjs';

let daemon;
let browser;
const instruments = {};

before(async () => {
  daemon = await startDaemon();
  browser = await launchBrowser();
  instruments.en = await getInstrument(daemon.url, 'en');
  instruments.es = await getInstrument(daemon.url, 'es');
});

after(async () => {
  await browser?.close();
  await daemon?.cleanup();
});

/* Every need positive, so the help and results screens are as full as they get. */
const ALL_POSITIVE = {
  '71802-3': 'LA31995-6',
  '96778-6': ['LA31996-4', 'LA28580-1', 'LA31997-2'],
  '88122-7': 'LA28397-0',
  '88123-5': 'LA28397-0',
  '93030-5': 'LA33-6',
  '96779-4': 'LA33-6',
  '95618-5': 'LA6482-9',
  '95617-7': 'LA6482-9',
  '95616-9': 'LA6482-9',
  '95615-1': 'LA6482-9',
};

/* Runs in the page: what is wrong with the layout as it is now. */
function layoutProblems() {
  const problems = [];
  const dialog = document.querySelector('dialog[open]');
  const root = dialog || document.body;
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
  };
  const describe = (el) => `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${el.textContent.trim().slice(0, 30)}"`;

  const buttons = [...root.querySelectorAll('button')].filter(visible);
  const clipped = [];
  for (const b of buttons) {
    const r = b.getBoundingClientRect();
    if (r.width < 48 || r.height < 48) problems.push(`${describe(b)} is ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
    /* Where it can be seen: inside its scrolling area, inside the window. */
    let top = Math.max(r.top, 0);
    let bottom = Math.min(r.bottom, innerHeight);
    const scroller = b.closest('.screen-body');
    if (scroller) {
      const s = scroller.getBoundingClientRect();
      top = Math.max(top, s.top);
      bottom = Math.min(bottom, s.bottom);
    }
    if (bottom > top) clipped.push({ b, left: r.left, right: r.right, top, bottom });
  }
  for (let i = 0; i < clipped.length; i++) {
    for (let j = i + 1; j < clipped.length; j++) {
      const a = clipped[i];
      const c = clipped[j];
      const xgap = Math.max(c.left - a.right, a.left - c.right);
      const ygap = Math.max(c.top - a.bottom, a.top - c.bottom);
      if (Math.max(xgap, ygap) < 7.5) problems.push(`${describe(a.b)} and ${describe(c.b)} are ${Math.max(xgap, ygap).toFixed(1)} px apart`);
    }
  }

  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !visible(el) || el.closest('.sr-only, [aria-hidden="true"]')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 19.9) problems.push(`${describe(el)} is ${size}px`);
  }

  if (document.documentElement.scrollWidth > innerWidth) problems.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  const body = document.querySelector('.screen-body');
  if (body && body.scrollWidth > body.clientWidth + 1) problems.push(`the screen body scrolls sideways (${body.scrollWidth}px)`);
  const actions = document.querySelector('.screen-actions');
  if (actions && actions.getBoundingClientRect().bottom > innerHeight + 0.5) problems.push('the action bar is below the window');
  return [...new Set(problems)];
}

async function check(page, where) {
  const problems = await page.evaluate(layoutProblems);
  assert.deepEqual(problems, [], `layout problems on ${where}`);
}

const RUNS = [
  ['pi7', 'en'],
  ['pi7', 'es'],
  ['portrait', 'es'],
  ['portrait', 'en'],
  ['wide', 'en'],
];

for (const [viewportName, lang] of RUNS) {
  test(`touch targets and type at ${viewportName} (${lang})`, { timeout: 90000 }, async () => {
    const inst = instruments[lang];
    const viewport = VIEWPORTS[viewportName];
    const label = (screen) => `${screen} at ${viewport.width}x${viewport.height} (${lang})`;
    const { page, context } = await openKiosk(browser, daemon.url, { viewport, clock: true });
    if (lang === 'es') await button(page, 'Español').click();
    await check(page, label('welcome'));
    await page.locator('#screen .screen-actions button').click();

    for (let n = 1; n <= inst.items.length; n++) {
      await waitQuestion(page, inst, n);
      await check(page, label(`question ${n}`));
      await answer(page, inst, n, ALL_POSITIVE[inst.items[n - 1].code]);
    }
    await waitScreen(page, 'help');
    await check(page, label('help'));
    await page.locator('#screen button.option').first().click();
    await page.locator('#screen button.help-yes').click();
    await waitScreen(page, 'results');
    await stayAwake(page);
    await check(page, label('results'));
    const scroller = page.locator('#screen .screen-body');
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await check(page, label('results, scrolled to the end'));

    /* Text me (kiosk.conf turns texting on): the keypad with a problem
     * shown, then with a good number, agreed, scrolled to the end. */
    await stayAwake(page);
    const textMe = page.locator('#screen button.sms');
    assert.ok(await textMe.isEnabled(), 'the results offer Text me (the daemon says features.sms)');
    await textMe.click();
    await waitScreen(page, 'sms');
    await page.locator('#sms-consent .consent-text').waitFor();
    for (const d of '911') await page.locator(`#screen .keypad button[data-key="${d}"]`).click();
    await check(page, label('the Text me keypad, with a problem'));
    for (let i = 0; i < 3; i++) await page.locator('#screen .keypad button[data-key="del"]').click();
    for (const d of '2175550123') await page.locator(`#screen .keypad button[data-key="${d}"]`).click();
    await page.locator('#screen button.agree').click();
    await check(page, label('the Text me keypad'));
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await check(page, label('the Text me keypad, scrolled to the end'));

    await walkAway(page, daemon.url);
    await page.getByRole('dialog').waitFor({ timeout: 8000 });
    await check(page, label('the idle warning'));
    await context.close();
  });
}

test('the daemon stops cleanly on SIGTERM', { timeout: 15000 }, async () => {
  await browser.close();
  await daemon.stop();
});
