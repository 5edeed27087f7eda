// The details of one hour: who is free, the panels that could meet, what is booked or proposed.

import { byId, el } from './dom.js';
import { hourFacts, panelText, whenText } from './describe.js';
import { state } from './state.js';

let shown = null;

export function showDetails(start) {
  shown = start;
  renderDetails();
}

export function renderDetails() {
  const pane = byId('hour-details');
  const hour = shown === null ? undefined : state.hours.get(shown);
  if (!hour) {
    pane.replaceChildren();
    return;
  }
  const panels = hour.panels.length
    ? el('div', { class: 'panels' }, el('h4', {}, 'Interviews can take place'),
      el('ul', {}, hour.panels.map((p) => el('li', { class: 'panel' }, panelText(p)))))
    : el('p', {}, 'No interview can take place at this hour for the people picked.');
  const facts = hourFacts(hour).filter((f) => !f.startsWith('interviews can take place'));
  pane.replaceChildren(el('h3', {}, `${whenText(hour)} (${state.tz})`), panels,
    el('ul', { class: 'facts' }, facts.map((f) => el('li', {}, f))));
}
