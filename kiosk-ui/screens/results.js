/*
 * Results: for each need the screening found, a heading (the discreet
 * "Support services" for safety) and the places the daemon matched, best
 * first: name, phone (big), address, hours, and who to ask for.  When no
 * need was found, a kind word and any general helplines the daemon
 * returned.  Then Print, Text me (screens/sms.js), and Finish (which
 * wipes the screen).
 *
 * Resource text (hours, for example) comes from the daemon in the language
 * the screening was sent in; it is marked with that lang so a screen reader
 * pronounces it right even after a language switch.
 */
import { h } from '../dom.js';

function resourceCard(app, r, resultLang) {
  const { t } = app;
  const rows = [];
  if (r.phone) {
    rows.push(h('p', { class: 'phone' }, h('span', { class: 'field' }, `${t.phone}: `), h('span', { class: 'value' }, r.phone)));
  }
  if (r.address) {
    rows.push(h('p', { class: 'address' }, h('span', { class: 'field' }, `${t.address}: `), r.address));
  }
  rows.push(
    h(
      'p',
      { class: 'hours' },
      h('span', { class: 'field' }, `${t.hours}: `),
      r.hours ? h('span', { lang: resultLang }, r.hours) : t.hoursUnknown,
    ),
  );
  if (r.ask_for) {
    rows.push(h('p', { class: 'ask-for' }, h('span', { class: 'field' }, `${t.askFor}: `), h('span', { lang: resultLang }, r.ask_for)));
  }
  if (r.contact) {
    rows.push(h('p', { class: 'contact' }, h('span', { class: 'field' }, `${t.contact}: `), h('span', { lang: resultLang }, r.contact)));
  }
  return h(
    'li',
    { class: 'resource' },
    h('h3', { class: 'resource-name' }, r.name),
    r.organization && r.organization !== r.name ? h('p', { class: 'org' }, r.organization) : null,
    rows,
  );
}

function resourceList(app, list, resultLang) {
  return h('ul', { class: 'resources' }, list.map((r) => resourceCard(app, r, resultLang)));
}

function toolButton(label, available, note, onclick, extraClass) {
  return h(
    'button',
    { type: 'button', class: `btn secondary tool ${extraClass}`, disabled: !available, onclick },
    h('span', { class: 'tool-label' }, label),
    available ? null : h('span', { class: 'tool-note' }, note),
  );
}

export function resultsScreen(app) {
  const { t, state } = app;
  const result = state.result;
  const lang = result.language || state.lang;
  const positive = result.positive_domains || [];
  const resources = result.resources || [];
  const features = (state.kiosk && state.kiosk.features) || {};
  const body = [];

  if (positive.length > 0) {
    body.push(h('h1', { tabindex: '-1' }, t.resultsTitle));
    const intro = result.wants_help === true ? t.resultsHelpYes : result.wants_help === false ? t.resultsHelpNo : t.resultsIntro;
    body.push(h('p', { class: 'lead' }, intro));
    for (const domain of positive) {
      const list = resources.filter((r) => r.domain === domain);
      body.push(
        h(
          'section',
          { class: 'need', 'aria-labelledby': `need-${domain}`, 'data-domain': domain },
          h('h2', { id: `need-${domain}` }, app.domainLabel(domain)),
          list.length ? resourceList(app, list, lang) : h('p', { class: 'note' }, t.noPlaces),
        ),
      );
    }
    const other = resources.filter((r) => !positive.includes(r.domain));
    if (other.length) {
      body.push(
        h('section', { class: 'need', 'aria-labelledby': 'need-general' }, h('h2', { id: 'need-general' }, t.generalHelp), resourceList(app, other, lang)),
      );
    }
  } else {
    body.push(h('h1', { tabindex: '-1' }, t.noNeedsTitle));
    body.push(h('p', { class: 'lead' }, t.noNeedsText));
    body.push(h('p', {}, t.noNeedsLater));
    if (resources.length) {
      body.push(
        h('section', { class: 'need', 'aria-labelledby': 'need-general' }, h('h2', { id: 'need-general' }, t.generalHelp), resourceList(app, resources, lang)),
      );
    }
  }

  const phone = state.kiosk && state.kiosk.clinic && state.kiosk.clinic.phone;
  if (phone) body.push(h('p', { class: 'clinic-phone' }, t.clinicPhone(phone)));

  const actions = [];
  if (resources.length > 0) {
    /* Printing progress, where the finger that tapped Print is. */
    actions.push(h('p', { class: 'print-status', role: 'status' }, state.printStatus ? t[state.printStatus] : ''));
    actions.push(toolButton(t.print, !!features.receipt, t.notAvailable, () => app.print(), 'print'));
    /* Text me: off when the kiosk cannot text, or once texts are set up. */
    const offer = app.smsOffer();
    const canText = !!features.sms && (offer.remindersOn || offer.sendList);
    actions.push(
      toolButton(t.sms, canText && !state.smsSignedUp, state.smsSignedUp ? t.smsSignedUp : t.notAvailable, () => app.openSms(), 'sms'),
    );
  }
  actions.push(h('button', { type: 'button', class: 'btn primary finish', onclick: () => app.finish() }, t.finish));

  body.push(h('p', { class: 'note' }, t.finishNote));

  return { name: 'results', announce: body[0].textContent, topbar: true, body, actions };
}
