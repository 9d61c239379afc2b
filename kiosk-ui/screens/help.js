/*
 * "Would you like help with any of these?"  Shown only when the screening
 * found a need.  Each positive need is a toggle button named with the
 * instrument's label in the patient's language (the discreet label for
 * safety, so a person looking over the shoulder learns nothing).  Nothing is
 * pre-selected: many patients do not want help, and that is their choice.
 */
import { h } from '../dom.js';

export function helpScreen(app) {
  const { t, state } = app;
  const positive = state.result.positive_domains;
  const none = state.helpPick.size === 0;

  return {
    name: 'help',
    announce: t.helpTitle,
    topbar: true,
    body: [
      h('h1', { tabindex: '-1', id: 'help-title' }, t.helpTitle),
      h('p', { class: 'lead' }, t.helpIntro),
      h(
        'div',
        { class: 'options short needs', role: 'group', 'aria-labelledby': 'help-title' },
        positive.map((domain) =>
          h(
            'button',
            {
              type: 'button',
              class: 'btn option multi',
              'aria-pressed': state.helpPick.has(domain),
              'data-domain': domain,
              onclick: () => app.toggleHelp(domain),
            },
            h('span', { class: 'mark', 'aria-hidden': 'true' }),
            h('span', { class: 'label' }, app.domainLabel(domain)),
          ),
        ),
      ),
      h('p', { class: 'hint help-hint', id: 'help-hint', hidden: !none }, t.helpPickFirst),
    ],
    actions: [
      h('button', { type: 'button', class: 'btn secondary', onclick: () => app.answerHelp(false) }, t.helpNo),
      h(
        'button',
        {
          type: 'button',
          class: 'btn primary help-yes',
          disabled: none,
          'aria-describedby': 'help-hint',
          onclick: () => app.answerHelp(true),
        },
        t.helpYes,
      ),
    ],
  };
}

export function refreshHelp(root, picked) {
  for (const btn of root.querySelectorAll('button.option')) {
    btn.setAttribute('aria-pressed', String(picked.has(btn.dataset.domain)));
  }
  const yes = root.querySelector('button.help-yes');
  if (yes) yes.disabled = picked.size === 0;
  const hint = root.querySelector('#help-hint');
  if (hint) hint.hidden = picked.size !== 0;
}
