/*
 * The browser tests' harness: start the real signpost daemon on a free
 * loopback port with a fresh state directory, drive Debian's chromium with
 * playwright-core (never a downloaded browser), check pages with axe-core,
 * and read what the daemon stored with the sqlite3 command-line tool.
 *
 * Every wait here is bounded, so a broken daemon or page fails a test
 * instead of hanging it.
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const SIGNPOST_BIN = process.env.SIGNPOST_BIN
  ? path.resolve(process.env.SIGNPOST_BIN)
  : path.resolve(REPO, 'build', 'debug', 'signpost');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/*
 * The daemon's configuration for every browser test: the product's idle
 * timings (60 s to the warning, 30 s more to the reset), so that a slow
 * step on a slow machine never meets the privacy timer halfway through a
 * test about something else.
 */
export const CONFIG = path.join(HERE, 'kiosk.conf');

/*
 * The privacy timer cut to seconds, for the tests that wait for the real
 * timer to warn and to reset (idle.test.mjs, and the reset in
 * sms.test.mjs): startDaemon({ kiosk: SHORT_IDLE }).
 */
export const SHORT_IDLE = Object.freeze({ idle_warning_s: 3, idle_reset_s: 3 });

const START_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 10000;
const LISTENING = /kiosk listening on (http:\/\/127\.0\.0\.1:\d+)\//;

/* ---- the daemon --------------------------------------------------------- */

/*
 * With SIGNPOST_TEST_LOG_DIR set, each daemon's whole stderr is also written
 * to a file of its own there (created exclusively), for the suite's log scan
 * (logs.no_patient_data) to read after the run.  null when it is not set.
 */
let logCopies = 0;
function openLogCopy() {
  const dir = process.env.SIGNPOST_TEST_LOG_DIR;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (;;) {
    logCopies += 1;
    try {
      return openSync(path.join(dir, `e2e-${process.pid}-${logCopies}.log`), 'wx', 0o600);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
  }
}

/*
 * config with more [kiosk] keys, written to a file of its own in a fresh
 * temporary folder: { dir, file }.  The keys go in a [kiosk] section added
 * at the end, and the daemon refuses a key set twice, so an override can
 * never be silently lost to the same key in config.
 */
function configWithKiosk(config, kiosk) {
  const dir = mkdtempSync(path.join(tmpdir(), 'signpost-e2e-conf-'));
  const file = path.join(dir, path.basename(config));
  const keys = Object.entries(kiosk).map(([key, value]) => `${key} = ${value}\n`);
  writeFileSync(file, `${readFileSync(config, 'utf8')}\n[kiosk]\n${keys.join('')}`, { mode: 0o600 });
  return { dir, file };
}

/*
 * Starts `signpost serve` and resolves once it says where it listens.
 * kiosk: [kiosk] keys to set on top of config (SHORT_IDLE, say).
 * Returns { url, stateDir, config, db, log(), stop(), cleanup() }, config
 * being the file the daemon read; stop() sends SIGTERM and rejects unless
 * the daemon exits 0 within 10 s.
 */
export async function startDaemon({ config = CONFIG, kiosk = null } = {}) {
  const extra = kiosk ? configWithKiosk(config, kiosk) : null;
  if (extra) config = extra.file;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'signpost-e2e-'));
  const args = ['serve', '--config', config, '--listen', '127.0.0.1:0', '--staff-listen', '127.0.0.1:0',
    '--state-dir', stateDir];
  const child = spawn(SIGNPOST_BIN, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = null;
  let copy = openLogCopy();
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  /* Closed once the pipe has given its last byte, not at exit (data may follow). */
  child.stderr.on('end', () => {
    if (copy !== null) closeSync(copy);
    copy = null;
  });

  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`signpost did not say "listening on" within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${SIGNPOST_BIN}: ${e.message} (set SIGNPOST_BIN)`));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      output += chunk;
      if (copy !== null) writeSync(copy, chunk);
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = LISTENING.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      }
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`signpost exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });

  let stopped = false;
  return {
    url,
    stateDir,
    config,
    db: path.join(stateDir, 'signpost.db'),
    log: () => output,
    async stop() {
      if (stopped) return exited;
      stopped = true;
      if (!exited) child.kill('SIGTERM');
      let timer;
      const result = await Promise.race([
        exit,
        new Promise((resolve) => {
          timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!result) {
        child.kill('SIGKILL');
        await exit;
        throw new Error(`signpost did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${output}`);
      }
      assert.equal(result.signal, null, `signpost was killed by ${result.signal}:\n${output}`);
      assert.equal(result.code, 0, `signpost exited with ${result.code} after SIGTERM:\n${output}`);
      return result;
    },
    /* For after(): never throws, never leaves a process or a directory. */
    async cleanup() {
      if (!exited) {
        child.kill('SIGKILL');
        await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
      }
      rmSync(stateDir, { recursive: true, force: true });
      if (extra) rmSync(extra.dir, { recursive: true, force: true });
    },
  };
}

/* Rows from the daemon's database, as objects. */
export function sql(db, query) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', db, query], { encoding: 'utf8', timeout: 10000 });
  return out.trim() ? JSON.parse(out) : [];
}

/*
 * Changes the daemon's database under it, as time passing would (a text
 * "sent" days ago): only for what a test cannot wait for.  WAL lets it
 * write while the daemon runs; the busy timeout covers the daemon's own
 * short writes.
 */
export function sqlWrite(db, statement) {
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, statement], { encoding: 'utf8', timeout: 10000 });
}

/* Straight to the API from node (not through the page). */
export async function apiGet(baseUrl, pathname, token) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(baseUrl + pathname, { headers, signal: AbortSignal.timeout(10000) });
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

export async function getInstrument(baseUrl, lang) {
  const { status, body } = await apiGet(baseUrl, `/api/v1/instrument?lang=${lang}`);
  assert.equal(status, 200, `GET /api/v1/instrument?lang=${lang}`);
  return body;
}

/* ---- the browser -------------------------------------------------------- */

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
}

export const VIEWPORTS = {
  pi7: { width: 800, height: 480 },
  portrait: { width: 720, height: 1280 },
  wide: { width: 1280, height: 800 },
};

/*
 * A fresh context (no shared storage) and page on the kiosk, with console
 * errors, page errors and CSP violations collected for the security test.
 * clock: true installs playwright's clock in the page before it loads, so
 * walkAway() can bring the idle warning on; time still runs as usual.
 */
export async function openKiosk(browser, baseUrl, { viewport = VIEWPORTS.pi7, clock = false } = {}) {
  const context = await browser.newContext({ viewport, hasTouch: true, locale: 'en-US' });
  if (clock) await context.clock.install();
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.setDefaultNavigationTimeout(15000);
  const problems = { console: [], pageErrors: [], csp: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.console.push(`${msg.text()} @ ${JSON.stringify(msg.location())}`);
  });
  page.on('pageerror', (err) => problems.pageErrors.push(String(err && err.stack ? err.stack : err)));
  await page.exposeFunction('__signpostTestCsp', (v) => problems.csp.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__signpostTestCsp(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const response = await page.goto(baseUrl + '/');
  await waitScreen(page, 'welcome');
  return { context, page, problems, response };
}

/* ---- axe ---------------------------------------------------------------- */

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/*
 * Runs axe-core on the page as it is now and fails with a readable list if
 * it finds anything.  axe is injected by CDP evaluation, which the page's
 * CSP does not govern (the CSP itself stays on: no bypassCSP).
 */
export async function checkA11y(page, label) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary, html: n.html })),
    }));
  }, AXE_TAGS);
  const text = violations
    .map(
      (v) =>
        `  [${v.impact}] ${v.id}: ${v.help}\n` +
        v.nodes.map((n) => `    at ${n.target}\n      ${n.html}\n      ${String(n.summary).replace(/\n/g, '\n      ')}`).join('\n'),
    )
    .join('\n');
  assert.equal(violations.length, 0, `axe found ${violations.length} problem(s) on ${label}:\n${text}`);
}

/* ---- the patient's side of the screen ------------------------------------ */

export function waitScreen(page, name, timeout = 10000) {
  return page.waitForSelector(`#screen[data-screen="${name}"]`, { timeout });
}

export function button(page, name) {
  return page.locator('body').getByRole('button', { name, exact: true });
}

/* A key press is what a real person's touch would be for the idle timer:
 * it keeps a slow step (axe, a database read) from meeting the warning. */
export function stayAwake(page) {
  return page.keyboard.press('Shift');
}

export async function progress(page) {
  const bar = page.getByRole('progressbar');
  return {
    now: Number(await bar.getAttribute('aria-valuenow')),
    max: Number(await bar.getAttribute('aria-valuemax')),
    text: await page.locator('.progress-text').textContent(),
  };
}

/* Wait until question n (1-based) of the instrument is on screen. */
export async function waitQuestion(page, instrument, n) {
  const item = instrument.items[n - 1];
  await page.waitForFunction(
    ([code]) => {
      const group = document.querySelector('#screen[data-screen="question"] .options');
      return group && group.dataset.item === code;
    },
    [item.code],
    { timeout: 10000 },
  );
  await page.locator('#screen h1').filter({ hasText: item.text }).waitFor({ timeout: 5000 });
  return item;
}

function optionText(item, code) {
  const opt = item.options.find((o) => o.code === code);
  assert.ok(opt, `${item.code} has no option ${code}`);
  return opt.text;
}

/* Tap the answers the way a patient would: by the words on the buttons. */
export async function answer(page, instrument, n, codes) {
  const item = await waitQuestion(page, instrument, n);
  if (item.type === 'multi') {
    for (const code of [].concat(codes)) await button(page, optionText(item, code)).click();
    await page.locator('#screen button.next').click();
  } else {
    await button(page, optionText(item, codes)).click();
  }
  return item;
}

export async function pressedOptions(page) {
  return page.locator('#screen button.option[aria-pressed="true"]').evaluateAll((els) => els.map((e) => e.dataset.code));
}

/*
 * The patient walks away, without the wait: the page's clock (openKiosk
 * with clock: true) jumps the kiosk's idle_warning_s ahead, so the
 * "Are you still there?" warning comes now, from the kiosk's own timer,
 * instead of a real minute from now.  The countdown after it runs in real
 * time, the whole idle_reset_s, long enough to check the warning.
 */
export async function walkAway(page, baseUrl) {
  const { status, body } = await apiGet(baseUrl, '/api/v1/kiosk');
  assert.equal(status, 200, 'GET /api/v1/kiosk');
  assert.ok(body.idle_warning_s > 0, `idle_warning_s: ${body.idle_warning_s}`);
  await page.clock.fastForward(body.idle_warning_s * 1000);
}

/* A bounded sleep, for "stop touching the screen". */
export function idleFor(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
