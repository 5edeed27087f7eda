// The panel of the person whose availability is edited (the choice next to "Clicking an hour"):
// their weekly hours and their calendars, read when that person changes.

import { describe } from './api.js';
import { loadCalendars, wireCalendars } from './calendars.js';
import { byId, say } from './dom.js';
import { nameOf, state } from './state.js';
import { loadWeekly, wireWeekly } from './weekly.js';

let shown = null;

/** Nothing of the person shown before stays in view while the next one's are read. */
function empty() {
  for (const id of ['weekly-form', 'calendar-form']) byId(id).reset();
  for (const id of ['weekly-zone', 'weekly-error', 'calendars-list', 'calendar-error']) {
    byId(id).replaceChildren();
  }
}

export async function renderPanel() {
  const person = state.editPerson;
  byId('person-panel').hidden = !person;
  if (person === shown) return;
  shown = person;
  empty();
  if (!person) return;
  byId('person-panel-title').textContent = `Weekly hours and calendars of ${nameOf(person)}`;
  try {
    await Promise.all([loadWeekly(person), loadCalendars(person)]);
  } catch (error) {
    if (state.api) {
      say(`Could not read the hours and calendars of ${nameOf(person)}: ${describe(error)}`, 'error');
    }
  }
}

/** After a sign-out: nobody's panel, and the next sign-in reads it afresh. */
export function clearPanel() {
  shown = null;
  empty();
  byId('person-panel').hidden = true;
}

export function wirePanel(onChange) {
  wireWeekly(onChange);
  wireCalendars(onChange);
}
