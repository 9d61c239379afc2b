/*
 * One question per screen: the instrument's preamble (when it has one) above
 * the item text, big answer buttons, Back, "I'd rather not answer", and Next
 * for the "choose all that apply" item.
 *
 * Answer buttons are toggle buttons (aria-pressed) with a visible mark, so
 * the choice never rests on colour alone.  What is selected comes from
 * app.state.answers, keyed by LOINC codes, so the same screen re-rendered in
 * another language shows the same choices.
 */
import { h } from '../dom.js';

/* Options this short fit several to a row on a wide screen. */
const SHORT_OPTION = 28;

export function questionScreen(app) {
  const { t, state } = app;
  const instrument = app.instrument();
  const items = instrument.items;
  const item = items[state.index];
  const n = state.index + 1;
  const multi = item.type === 'multi';
  const chosen = app.selectedFor(item.code);
  const headingId = `q-${item.code}`;

  const options = item.options.map((opt) =>
    h(
      'button',
      {
        type: 'button',
        class: `btn option ${multi ? 'multi' : 'single'}`,
        'aria-pressed': chosen.includes(opt.code),
        'data-code': opt.code,
        onclick: (ev) => (multi ? app.toggleMulti(item, opt.code) : app.answerSingle(item, opt.code, ev.currentTarget)),
      },
      h('span', { class: 'mark', 'aria-hidden': 'true' }),
      h('span', { class: 'label' }, opt.text),
    ),
  );
  const short = item.options.every((o) => o.text.length <= SHORT_OPTION);

  const actions = [
    h('button', { type: 'button', class: 'btn secondary', onclick: () => app.back() }, t.back),
    h('button', { type: 'button', class: 'btn secondary skip', onclick: () => app.skip(item) }, t.skip),
  ];
  if (multi) {
    actions.push(
      h(
        'button',
        { type: 'button', class: 'btn primary next', disabled: chosen.length === 0, onclick: () => app.next(item) },
        t.next,
      ),
    );
  }

  return {
    name: 'question',
    announce: t.questionOf(n, items.length),
    topbar: true,
    progress: { n, total: items.length },
    body: [
      item.preamble ? h('p', { class: 'preamble' }, item.preamble) : null,
      h('h1', { class: 'question', id: headingId, tabindex: '-1' }, item.text),
      multi ? h('p', { class: 'hint' }, t.chooseAll) : null,
      state.skipped.has(item.code) ? h('p', { class: 'hint skipped-note' }, t.skippedNote) : null,
      h(
        'div',
        { class: `options${short ? ' short' : ''}`, role: 'group', 'aria-labelledby': headingId, 'data-item': item.code },
        options,
      ),
    ],
    actions,
  };
}

/* Update the pressed state in place (no re-render), so focus and scroll
 * position stay where the patient's finger is. */
export function refreshOptions(root, selected) {
  for (const btn of root.querySelectorAll('button.option')) {
    btn.setAttribute('aria-pressed', String(selected.includes(btn.dataset.code)));
  }
  const next = root.querySelector('button.next');
  if (next) next.disabled = selected.length === 0;
}
