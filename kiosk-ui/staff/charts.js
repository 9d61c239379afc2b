/*
 * Small charts as inline SVG, built here (no chart library): vertical
 * columns for a series over days, horizontal bars for categories.  The
 * SVG is a picture for sighted readers only (aria-hidden); each chart
 * carries the same numbers as a real table that screen readers read, and
 * that anyone can open under "Show the numbers".
 *
 * rows: [{label, value, text?}] where text is how the value reads
 * (e.g. "42%"); max is the value a full bar stands for.
 */
import { h, s } from './dom.js';

const W = 560;

function numbers(id, title, rows, headers) {
  return h('details', { class: 'chart-table' },
    h('summary', null, 'Show the numbers'),
    h('table', { id: `${id}-table` },
      h('caption', null, title),
      h('thead', null, h('tr', null, headers.map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
      h('tbody', null, rows.map((r) => h('tr', null, h('th', { scope: 'row' }, r.label), h('td', { class: 'num' }, r.text ?? String(r.value)))))));
}

function figure(id, title, svg, rows, headers, empty) {
  return h('figure', { class: 'chart panel', id },
    h('figcaption', null, title),
    rows.length ? svg : h('p', { class: 'muted' }, empty || 'Nothing in this period.'),
    rows.length ? numbers(id, title, rows, headers) : null);
}

/* Horizontal bars: one row per category, label left, value right. */
export function barChart({ id, title, rows, max, headers = ['', 'Count'], alt = false, empty }) {
  const rowH = 28;
  const labelW = 150;
  const valueW = 130; /* room for "33.3% (50 of 150)" past a full bar */
  const top = Math.max(1, max ?? Math.max(0, ...rows.map((r) => Number(r.value) || 0)));
  const height = rows.length * rowH + 8;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, 'aria-hidden': 'true', focusable: 'false' },
    rows.map((r, i) => {
      const y = i * rowH + 4;
      const w = Math.max(0, ((Number(r.value) || 0) / top) * (W - labelW - valueW));
      return s('g', null,
        s('text', { x: labelW - 8, y: y + 17, 'text-anchor': 'end', class: 'chart-label' }, r.label),
        s('rect', { x: labelW, y: y + 3, width: w.toFixed(1), height: rowH - 8, class: alt ? 'bar alt' : 'bar' }),
        s('text', { x: labelW + w + 6, y: y + 17, class: 'chart-value' }, r.text ?? String(r.value)));
    }),
    s('line', { x1: labelW, y1: 0, x2: labelW, y2: height, class: 'axis' }));
  return figure(id, title, svg, rows, headers, empty);
}

/* Vertical columns, for a count per day. */
export function columnChart({ id, title, rows, headers = ['Day', 'Count'], empty }) {
  const height = 220;
  const base = height - 40;
  const top = Math.max(1, ...rows.map((r) => Number(r.value) || 0));
  const slot = (W - 40) / Math.max(rows.length, 1);
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const every = Math.ceil(rows.length / 12); /* at most ~12 day labels */
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, 'aria-hidden': 'true', focusable: 'false' },
    s('text', { x: 4, y: 14, class: 'chart-label' }, String(top)),
    s('line', { x1: 30, y1: 20, x2: W, y2: 20, class: 'axis' }),
    rows.map((r, i) => {
      const v = Number(r.value) || 0;
      const bh = (v / top) * (base - 20);
      const x = 36 + i * slot + (slot - barW) / 2;
      return s('g', null,
        s('rect', { x: x.toFixed(1), y: (base - bh).toFixed(1), width: barW.toFixed(1), height: bh.toFixed(1), class: 'bar' }),
        v && rows.length <= 31 ? s('text', { x: (x + barW / 2).toFixed(1), y: (base - bh - 4).toFixed(1), 'text-anchor': 'middle', class: 'chart-value' }, String(v)) : null,
        i % every === 0 ? s('text', { x: (x + barW / 2).toFixed(1), y: base + 16, 'text-anchor': 'middle', class: 'chart-label' }, r.short || r.label) : null);
    }),
    s('line', { x1: 30, y1: base, x2: W, y2: base, class: 'axis' }));
  return figure(id, title, svg, rows, headers, empty);
}
