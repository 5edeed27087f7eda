// Availability editing on the grid: press on an hour and drag to another (or press Enter), and
// every hour of the rectangle between them is added, or removed when the first one was free.
// The change goes through the same API and jobs as everyone's: the hours show as "saving" until
// the job has finished, and then the week is read again.

import { describe } from './api.js';
import { byId, say } from './dom.js';
import { nameOf, state } from './state.js';
import { rangesOf } from './time.js';

let anchor = null;
let over = null;

const startOf = (button) => Date.parse(button.dataset.start);
const cellOf = (event) => event.target.closest?.('button.cell');

function rectangle(a, b) {
  const [d1, d2] = [a.day, b.day].sort((x, y) => x - y);
  const [h1, h2] = [a.hour, b.hour].sort((x, y) => x - y);
  return [...state.hours.values()].filter((h) => h.day >= d1 && h.day <= d2 && h.hour >= h1
    && h.hour <= h2);
}

function markSelecting() {
  const chosen = new Set(anchor && over ? rectangle(anchor, over).map((h) => h.start) : []);
  for (const button of byId('week-grid').querySelectorAll('button.cell')) {
    button.classList.toggle('selecting', chosen.has(startOf(button)));
  }
}

/** Add when the first hour was not available, else remove; only hours that would change. */
function plan(first, hours, person) {
  const adding = first.people.get(person) !== 'free';
  const wanted = adding ? 'none' : 'free';
  const changed = hours.filter((h) => h.editable && !state.pending.has(h.start)
    && (h.people.get(person) ?? 'none') === wanted).map((h) => h.start);
  return { kind: adding ? 'add' : 'remove', hours: changed };
}

async function apply(first, hours, refresh) {
  const person = state.editPerson;
  if (!person) return;
  const { kind, hours: changed } = plan(first, hours, person);
  if (!changed.length) {
    say('Nothing to change there (past, booked and busy hours and hours being saved are left alone).');
    return;
  }
  for (const t of changed) state.pending.set(t, kind);
  refresh(false);
  const what = `${kind === 'add' ? 'Adding' : 'Removing'} ${changed.length} hour(s) for ${nameOf(person)}`;
  const path = `/v1/people/${encodeURIComponent(person)}/availability${kind === 'add' ? '' : ':remove'}`;
  try {
    const job = await state.api.post(path, { ranges: rangesOf(changed) });
    const done = await state.api.finished(job, (j) => say(`${what}: ${j.status}…`));
    say(done.status === 'succeeded' ? `${what}: done.`
      : `${what} failed: ${done.error?.detail ?? 'unknown error'}`, done.status === 'succeeded' ? 'info' : 'error');
  } catch (error) {
    say(`${what} failed: ${describe(error)}`, 'error');
  } finally {
    for (const t of changed) state.pending.delete(t);
    await refresh(true);
  }
}

export function wireEditing(refresh) {
  const table = byId('week-grid');
  table.addEventListener('pointerdown', (event) => {
    const button = cellOf(event);
    if (state.mode !== 'edit' || !button || event.button !== 0) return;
    event.preventDefault();
    anchor = state.hours.get(startOf(button));
    over = anchor;
    button.focus();
    markSelecting();
  });
  table.addEventListener('pointerover', (event) => {
    const button = cellOf(event);
    if (!anchor || !button) return;
    over = state.hours.get(startOf(button));
    markSelecting();
  });
  document.addEventListener('pointerup', () => {
    if (!anchor) return;
    const [first, hours] = [anchor, rectangle(anchor, over)];
    anchor = null;
    over = null;
    markSelecting();
    apply(first, hours, refresh);
  });
  table.addEventListener('click', (event) => {
    const button = cellOf(event);
    if (state.mode !== 'edit' || !button || event.detail !== 0) return;
    const hour = state.hours.get(startOf(button));
    apply(hour, [hour], refresh);
  });
}
