// Why no interview can take place: when a slot question of the week finds no slot, the page
// asks GET /v1/slots/explain over the same window and says, per person, how their hours are
// spent, and which hours come nearest, in words ("Tuesday 10:00 works if Bob is freed (booked)").

import { byId, el } from './dom.js';
import { nameOf, namesOf, state } from './state.js';
import { timeLabel, weekdayLabel } from './time.js';

const REASONS = {
  not_offered: 'not offered', booked: 'booked', busy: 'busy in their calendar',
  cap_reached: 'at a load cap',
};

const reasonText = (reason) => REASONS[reason] ?? reason;

/** "Tuesday 10:00 works if Bob is freed (booked)", or "… if Bob (booked) and Cat (not offered)
 * are freed". */
export function nearMissText(miss) {
  const start = Date.parse(miss.start);
  const when = `${weekdayLabel(start, state.tz)} ${timeLabel(start, state.tz)}`;
  const who = miss.missing.map((m) => [nameOf(m.id), reasonText(m.reason)]);
  if (who.length === 1) return `${when} works if ${who[0][0]} is freed (${who[0][1]})`;
  const named = who.map(([name, reason]) => `${name} (${reason})`);
  return `${when} works if ${named.slice(0, -1).join(', ')} and ${named.at(-1)} are freed`;
}

function counts(people) {
  const head = ['Person', 'Offered', 'Booked', 'Busy', 'At a load cap', 'Free'];
  return el('table', { class: 'list counts' },
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, people.map((p) => el('tr', {}, el('th', { scope: 'row' }, nameOf(p.id)),
      [p.offered_hours, p.booked_hours, p.busy_hours, p.capped_hours, p.free_hours]
        .map((n) => el('td', {}, `${n} h`))))));
}

/** The near misses where someone is free: an hour that misses everyone helps nobody, and the
 * API ranks those last, so when none is left nobody is free at any hour of the window. */
function explanation(answer) {
  const [candidate, ...interviewers] = answer.people.map((p) => p.id);
  const near = answer.near_misses.filter((miss) => miss.missing.length < answer.people.length);
  return el('article', { class: 'explanation' },
    el('h4', {}, `No slot for ${nameOf(candidate)} with ${namesOf(interviewers)}`),
    counts(answer.people),
    near.length
      ? el('ul', { class: 'near-misses', 'aria-label': 'Nearest hours' },
        near.map((miss) => el('li', {}, nearMissText(miss))))
      : el('p', {}, 'None of them is free at any hour left in this week.'));
}

/** The explanations of the week shown (none: the section is hidden). */
export function renderExplanations() {
  byId('no-slot').hidden = state.explanations.length === 0;
  byId('no-slot-body').replaceChildren(...state.explanations.map(explanation));
}
