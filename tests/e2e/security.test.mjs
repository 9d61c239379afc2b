/*
 * The patient screen under its Content-Security-Policy: a whole visit with
 * no console error, no script error, no CSP violation, no failed request and
 * nothing fetched from anywhere but the kiosk itself; the security headers
 * on "/"; and a look at the UI's own files for the things the CSP and the
 * privacy model forbid.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  REPO,
  startDaemon,
  launchBrowser,
  openKiosk,
  getInstrument,
  waitScreen,
  waitQuestion,
  button,
  answer,
} from './harness.mjs';

const UI = path.join(REPO, 'kiosk-ui');

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

function uiFiles(dir = UI) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === 'staff') continue; /* the staff console is not the patient screen */
    if (statSync(full).isDirectory()) out.push(...uiFiles(full));
    else out.push(full);
  }
  return out;
}

test('security headers on the page', { timeout: 20000 }, async () => {
  const res = await fetch(`${daemon.url}/`, { signal: AbortSignal.timeout(10000) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /^text\/html/);
  const csp = res.headers.get('content-security-policy') || '';
  assert.match(csp, /frame-ancestors 'none'/, `CSP: ${csp}`);
  assert.match(csp, /script-src 'self'(;|$)/, `CSP: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP: ${csp}`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  await res.arrayBuffer();
});

test('a whole visit: no console errors, no CSP violations, nothing from outside', { timeout: 120000 }, async () => {
  const en = await getInstrument(daemon.url, 'en');
  const es = await getInstrument(daemon.url, 'es');
  const { page, context, problems, response } = await openKiosk(browser, daemon.url);

  const headers = response.headers();
  assert.match(headers['content-security-policy'] || '', /frame-ancestors 'none'/);
  assert.equal(headers['x-content-type-options'], 'nosniff');

  const foreign = [];
  const failed = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${daemon.url}/`) && !url.startsWith('data:')) foreign.push(url);
  });
  page.on('requestfailed', (req) => failed.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.request().method()} ${res.url()}: ${res.status()}`);
  });

  /* The kiosk guards: no long-press menu, no selection, no dragging. */
  const guards = await page.evaluate(() => {
    const target = document.querySelector('#screen button');
    const menu = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
    target.dispatchEvent(menu);
    const drag = new Event('dragstart', { bubbles: true, cancelable: true });
    target.dispatchEvent(drag);
    return {
      menuBlocked: menu.defaultPrevented,
      dragBlocked: drag.defaultPrevented,
      userSelect: getComputedStyle(document.documentElement).userSelect,
      touchAction: getComputedStyle(document.documentElement).touchAction,
      favicon: document.querySelector('link[rel="icon"]')?.getAttribute('href'),
    };
  });
  assert.deepEqual(guards, {
    menuBlocked: true,
    dragBlocked: true,
    userSelect: 'none',
    touchAction: 'pan-x pan-y',
    favicon: 'favicon.svg',
  });

  await button(page, 'Español').click();
  await button(page, 'English').click();
  await button(page, 'Start').click();
  for (let n = 1; n <= 5; n++) {
    const item = en.items[n - 1];
    await answer(page, en, n, item.type === 'multi' ? [item.options[0].code] : item.options[1].code);
  }
  await button(page, 'Español').click();
  await waitQuestion(page, es, 6);
  for (let n = 6; n <= 10; n++) await answer(page, es, n, es.items[n - 1].options[2].code);
  await waitScreen(page, 'help');
  await page.locator('#screen button.option').first().click();
  await button(page, 'Sí, quiero ayuda con estas').click();
  await waitScreen(page, 'results');
  await button(page, 'English').click();
  await page.getByRole('heading', { level: 1, name: 'Places that can help' }).waitFor();
  const print = page.getByRole('button', { name: /^Print this list/ });
  if (await print.isEnabled()) {
    await print.click();
    await page.getByText('Done. Please take your paper.').waitFor({ timeout: 15000 });
  }
  await button(page, 'Finish').click();
  await waitScreen(page, 'welcome', 8000);
  /* Let anything late (the favicon, a stray request) arrive. */
  await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});

  assert.deepEqual(problems.csp, [], 'CSP violations');
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.pageErrors, [], 'uncaught script errors');
  assert.deepEqual(failed, [], 'failed requests');
  assert.deepEqual(foreign, [], 'requests that leave the kiosk');
  await context.close();
});

test('the UI files keep to the CSP and store nothing', () => {
  const files = uiFiles();
  assert.ok(files.some((f) => f.endsWith('index.html')), 'kiosk-ui/index.html exists');
  for (const file of files) {
    const rel = path.relative(REPO, file);
    if (!/\.(html|js|mjs|css|svg)$/.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.html')) {
      assert.doesNotMatch(text, /<script(?![^>]*\bsrc=)[^>]*>/i, `${rel}: inline <script>`);
      assert.doesNotMatch(text, /\sstyle\s*=/i, `${rel}: inline style attribute`);
      assert.doesNotMatch(text, /<style[\s>]/i, `${rel}: <style> element`);
      assert.doesNotMatch(text, /\son[a-z]+\s*=/i, `${rel}: inline event handler`);
      assert.doesNotMatch(text, /(src|href)\s*=\s*["']?(https?:)?\/\//i, `${rel}: a resource from elsewhere`);
    }
    if (/\.m?js$/.test(file)) {
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const banned of ['localStorage', 'sessionStorage', 'document.cookie', 'indexedDB', 'eval(', 'new Function', 'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', "setAttribute('style'"]) {
        assert.ok(!code.includes(banned), `${rel} uses ${banned}`);
      }
      assert.doesNotMatch(code, /https?:\/\//, `${rel}: an absolute URL (the kiosk works offline)`);
    }
    if (file.endsWith('.css')) {
      assert.doesNotMatch(text, /@import|url\(\s*["']?(https?:)?\/\//i, `${rel}: a stylesheet resource from elsewhere`);
    }
  }
});

test('the daemon stops cleanly on SIGTERM', { timeout: 15000 }, async () => {
  await browser.close();
  await daemon.stop();
});
