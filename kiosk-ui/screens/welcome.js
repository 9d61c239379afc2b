/*
 * Welcome: the clinic's name, the language choice (each language named in
 * itself), one sentence on why we ask and who sees the answers, and Start.
 */
import { h } from '../dom.js';

export function welcomeScreen(app) {
  const { t, state } = app;
  const languages = app.languages();
  return {
    name: 'welcome',
    announce: `${t.announceWelcome}. ${app.clinicName()}`,
    topbar: false,
    body: [
      h('h1', { class: 'clinic-name', tabindex: '-1' }, app.clinicName()),
      languages.length > 1
        ? h(
            'div',
            { class: 'lang-choice', role: 'group', 'aria-label': t.chooseLanguage },
            languages.map((l) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'btn lang-big',
                  lang: l.code,
                  'aria-pressed': l.code === state.lang,
                  onclick: () => app.setLanguage(l.code),
                },
                h('span', { class: 'tick', 'aria-hidden': 'true' }, '✓'),
                l.name,
              ),
            ),
          )
        : null,
      h('p', { class: 'lead' }, t.welcomeWhy),
      h('p', { class: 'note' }, t.welcomeTime),
    ],
    actions: [h('button', { type: 'button', class: 'btn primary wide', onclick: () => app.start() }, t.start)],
  };
}
