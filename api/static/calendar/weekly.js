// Weekly hours of the person being edited: one field per weekday listing its intervals
// ("09:00–12:00, 13:00–17:00"), read in that person's own time zone and saved whole with PUT,
// which answers them merged; the server checks the hours, and its detail is shown as it says.

import { describe } from './api.js';
import { byId, say } from './dom.js';
import { nameOf, state } from './state.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const INTERVAL = /^(\d{1,2})(?::(\d{2}))?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?$/;

const field = (day) => byId(`weekly-${day}`);
const dayName = (day) => document.querySelector(`label[for="weekly-${day}"]`).textContent;
const path = (person) => `/v1/people/${encodeURIComponent(person)}/weekly-hours`;
const hhmm = (hour, minute) => `${hour.padStart(2, '0')}:${minute ?? '00'}`;

function show(days) {
  for (const day of DAYS) {
    field(day).value = (days[day] ?? []).map((i) => `${i.start}–${i.end}`).join(', ');
  }
}

/** The fields as the API's `days`, or the first field that is not a list of intervals. */
function read() {
  const days = {};
  for (const day of DAYS) {
    const parts = field(day).value.split(',').map((part) => part.trim()).filter(Boolean);
    const found = parts.map((part) => INTERVAL.exec(part));
    if (found.includes(null)) {
      return { error: `${dayName(day)}: write hours as 09:00–17:00, several separated by commas.` };
    }
    if (found.length) {
      days[day] = found.map((m) => ({ start: hhmm(m[1], m[2]), end: hhmm(m[3], m[4]) }));
    }
  }
  return { days };
}

function showError(message) {
  byId('weekly-error').textContent = message;
}

export async function loadWeekly(person) {
  const { days } = await state.api.get(path(person));
  if (state.editPerson !== person) return;
  showError('');
  show(days);
  const zone = state.people.get(person)?.time_zone;
  byId('weekly-zone').textContent = `Hours on the hour, e.g. 09:00–12:00, 13:00–17:00; empty for ` +
    `none. Read in ${nameOf(person)}'s time zone${zone ? `, ${zone}` : ''}.`;
}

/** Save (PUT) or clear (DELETE) the hours, then `onChange` (the week shows them). */
export function wireWeekly(onChange) {
  async function change(person, send, done) {
    showError('');
    try {
      const days = await send();
      if (state.editPerson === person) show(days);
      say(`${done} the weekly hours of ${nameOf(person)}.`);
    } catch (error) {
      showError(`The weekly hours were not changed: ${describe(error)}`);
      return;
    }
    await onChange();
  }
  byId('weekly-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const person = state.editPerson;
    const { days, error } = read();
    if (error) showError(error);
    else change(person, async () => (await state.api.put(path(person), { days })).days, 'Saved');
  });
  byId('weekly-clear').addEventListener('click', () => {
    const person = state.editPerson;
    change(person, async () => {
      await state.api.delete(path(person));
      return {};
    }, 'Cleared');
  });
}
