/*
 * The staff console's element builder and a few formatting helpers.  The
 * screens build their DOM with h() instead of innerHTML, so text from the
 * API (answers, notes, resource names) is always text, never markup, and
 * no inline style or handler attribute can appear (the CSP forbids them).
 *
 *   h('button', { class: 'btn', type: 'button', onclick: go }, 'Save')
 *
 * Props: "class", "text", "on<event>" (a listener), "aria-*" (always
 * written), booleans (true writes an empty attribute, false/null/undefined
 * nothing), "value"/"checked"/"selected" as properties, anything else as an
 * attribute.
 */

const PROPERTIES = new Set(['value', 'checked', 'selected']);

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

/* The same for SVG, which lives in its own namespace. */
export function s(tag, props, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setProps(el, props);
  append(el, children);
  return el;
}

function setProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (key.startsWith('aria-') && value !== null && value !== undefined) {
      el.setAttribute(key, String(value));
    } else if (PROPERTIES.has(key) && value !== null && value !== undefined) {
      el[key] = value;
    } else if (value === null || value === undefined || value === false) {
      continue;
    } else if (key === 'class') {
      el.setAttribute('class', value);
    } else if (key === 'text') {
      el.textContent = value;
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/* Need (domain) names as staff read them. */
export const DOMAINS = {
  housing_instability: 'Housing',
  housing_quality: 'Housing quality',
  food: 'Food',
  transportation: 'Transportation',
  utilities: 'Utilities',
  safety: 'Safety',
};

export function domainLabel(name) {
  return DOMAINS[name] || String(name || '').replace(/_/g, ' ');
}

/* Referral statuses in the order a referral usually moves through them. */
export const STATUSES = [
  ['suggested', 'Suggested'],
  ['referred', 'Referred'],
  ['contacted', 'Contacted'],
  ['connected', 'Connected'],
  ['declined', 'Declined'],
  ['unreachable', 'Could not reach'],
];

export function statusLabel(code) {
  const hit = STATUSES.find(([c]) => c === code);
  return hit ? hit[1] : String(code || '');
}

export const LANGUAGES = { en: 'English', es: 'Spanish' };

export function languageLabel(code) {
  return LANGUAGES[code] || String(code || '—');
}

/* "Nov 29, 2026, 3:14 PM" in the browser's zone; the API's ISO time stays
 * in the title for anyone who needs the exact moment. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

export function timeEl(iso) {
  return iso ? h('time', { datetime: iso }, when(iso)) : '—';
}

/* A YYYY-MM-DD day as "Dec 6, 2026" (no time zone shift: it is a date). */
export function day(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(ymd || ''));
  if (!m) return ymd ? String(ymd) : '—';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toLocaleDateString('en-US', { dateStyle: 'medium', timeZone: 'UTC' });
}

/* Today (or n days before) as YYYY-MM-DD in the browser's zone. */
export function ymd(offsetDays = 0) {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function percent(rate) {
  if (rate === null || rate === undefined || Number.isNaN(Number(rate))) return '—';
  return `${Math.round(Number(rate) * 1000) / 10}%`;
}

export function chips(domains, extraClass = '') {
  const list = Array.isArray(domains) ? domains : [];
  if (list.length === 0) return h('span', { class: 'muted' }, 'None');
  return h(
    'ul',
    { class: `chips ${extraClass}`.trim() },
    list.map((d) => h('li', { class: `chip chip-${d}` }, domainLabel(d))),
  );
}
