// The calendars of the person being edited: feeds and uploads whose events make hours busy.
// Adding a feed's URL starts a job that reads it; the request waits for it a little
// (`Prefer: wait`), then polls. The list shows what the API keeps: never an event's title.

import { describe } from './api.js';
import { byId, el, say } from './dom.js';
import { nameOf, state } from './state.js';

const WAIT = { Prefer: 'wait=10' };
const path = (person) => `/v1/people/${encodeURIComponent(person)}/calendars`;

function showError(message) {
  byId('calendar-error').textContent = message;
}

function row(calendar) {
  const name = calendar.url ?? 'upload';
  return el('tr', { dataset: { calendar: calendar.id } },
    el('td', { class: 'feed-url' }, name),
    el('td', {}, el('span', { class: `feed-status ${calendar.status}` }, calendar.status)),
    el('td', {}, String(calendar.busy_hours)),
    el('td', {}, calendar.last_error ?? ''),
    el('td', {}, el('button', { type: 'button', class: 'danger', dataset: { delete: calendar.id },
      'aria-label': `Delete the calendar ${name}` }, 'Delete')));
}

export async function loadCalendars(person) {
  const calendars = await state.api.all(`${path(person)}?limit=100`, 'calendars');
  if (state.editPerson !== person) return;
  byId('calendars-list').replaceChildren(...calendars.map(row));
  byId('calendars-empty').hidden = calendars.length > 0;
}

async function add(person, url) {
  const job = await state.api.post(path(person), { url }, WAIT);
  const done = await state.api.finished(job, (j) => say(`Reading the calendar: ${j.status}…`));
  if (done.status !== 'succeeded') {
    showError(`The calendar could not be read: ${done.error?.detail ?? 'unknown error'}`);
    return;
  }
  byId('calendar-url').value = '';
  say(`Added the calendar of ${nameOf(person)}: ${done.result.busy_hours} busy hours.`);
}

async function remove(person, id) {
  await state.api.delete(`${path(person)}/${encodeURIComponent(id)}`);
  say(`Deleted a calendar of ${nameOf(person)}.`);
}

/** Add and delete, then list again and `onChange` (the week shows the busy hours). */
export function wireCalendars(onChange) {
  async function change(person, action, failure) {
    showError('');
    try {
      await action();
    } catch (error) {
      showError(`${failure}: ${describe(error)}`);
    }
    await Promise.all([loadCalendars(person), onChange()]);
  }
  byId('calendar-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const person = state.editPerson;
    change(person, () => add(person, byId('calendar-url').value.trim()),
      'The calendar was not added');
  });
  byId('calendars-list').addEventListener('click', (event) => {
    const id = event.target.closest('button[data-delete]')?.dataset.delete;
    const person = state.editPerson;
    if (id) change(person, () => remove(person, id), 'The calendar was not deleted');
  });
}
