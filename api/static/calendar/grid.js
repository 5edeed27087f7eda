// The week grid: days across, the viewer's hours down. Each hour is a button (one tab stop for
// the whole grid; arrow keys move), showing a stripe per picked person and what is booked there.
// An hour where a picked person is busy in their own calendar is greyed.

import { byId, el } from './dom.js';
import { cellLabel } from './describe.js';
import { state } from './state.js';
import { dayLabel, iso, today } from './time.js';

const FIRST_ROW_SHOWN = 7;
let focusStart = null;

const cellAt = (day, hour) => byId('week-grid').querySelector(
  `button[data-day="${day}"][data-hour="${hour}"]`);

const isBusy = (hour) => [...hour.people.values()].includes('busy');

function classes(hour) {
  const pending = state.pending.get(hour.start);
  return ['cell', hour.past && 'past', isBusy(hour) && 'busy', hour.panels.length && 'slot',
    hour.interviews.length && 'interview', hour.proposed.length && 'proposed',
    pending && `pending pending-${pending}`].filter(Boolean).join(' ');
}

function caption(hour) {
  const first = hour.interviews[0] ?? hour.proposed[0];
  if (state.pending.has(hour.start)) return 'saving…';
  if (first) {
    const more = hour.interviews.length + hour.proposed.length - 1;
    const who = state.people.get(first.candidate)?.name ?? 'interview';
    return `${hour.interviews.length ? '●' : '○'} ${who}${more > 0 ? ` +${more}` : ''}`;
  }
  if (hour.panels.length) return `★ ${hour.panels.length} panel${hour.panels.length > 1 ? 's' : ''}`;
  return isBusy(hour) ? 'busy' : '';
}

function cell(hour) {
  const stripes = el('span', { class: 'stripes', 'aria-hidden': 'true' },
    [...hour.people.values()].map((st) => el('span', { class: `stripe ${st}` })));
  const label = cellLabel(hour);
  return el('button', {
    type: 'button', class: classes(hour), tabindex: hour.start === focusStart ? 0 : -1,
    'aria-label': label, title: label, 'data-start': iso(hour.start), 'data-day': hour.day,
    'data-hour': hour.hour,
  }, stripes, el('span', { class: 'caption' }, caption(hour)));
}

function header() {
  const now = today(state.tz);
  return el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, state.tz),
    state.week.days.map((day) => el('th', { scope: 'col', 'aria-current': day === now ? 'date' : null },
      dayLabel(day)))));
}

function defaultFocus(hours) {
  if (hours.some((h) => h.start === focusStart)) return focusStart;
  return (hours.find((h) => !h.past && h.hour >= 9) ?? hours.find((h) => !h.past) ?? hours[0]).start;
}

export function renderGrid() {
  const table = byId('week-grid');
  const hadFocus = table.contains(document.activeElement);
  const hours = [...state.hours.values()];
  focusStart = defaultFocus(hours);
  // On the night the clocks go back, the repeated hour is shown once: the first of the two.
  const at = new Map();
  for (const h of hours) if (!at.has(`${h.day}:${h.hour}`)) at.set(`${h.day}:${h.hour}`, h);
  const rows = Array.from({ length: 24 }, (_, hour) => el('tr', {},
    el('th', { scope: 'row' }, `${String(hour).padStart(2, '0')}:00`),
    state.week.days.map((_, day) => {
      const h = at.get(`${day}:${hour}`);
      return el('td', {}, h ? cell(h) : null);
    })));
  const firstRender = table.dataset.week !== `${state.week.monday} ${state.tz}`;
  table.dataset.week = `${state.week.monday} ${state.tz}`;
  table.replaceChildren(header(), el('tbody', {}, rows));
  byId('week-title').textContent = `Week of ${dayLabel(state.week.days[0])}`;
  if (firstRender) {
    const row = table.tBodies[0].rows[FIRST_ROW_SHOWN];
    table.parentElement.scrollTop = row.offsetTop - table.tHead.offsetHeight;
  }
  if (hadFocus) table.querySelector(`button[data-start="${iso(focusStart)}"]`)?.focus();
}

const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** Arrow keys move the one tab stop; Home and End go to the first and last hour of the day. */
export function wireGridKeys() {
  const table = byId('week-grid');
  table.addEventListener('keydown', (event) => {
    const from = event.target.closest('button.cell');
    if (!from) return;
    let day = Number(from.dataset.day);
    let hour = Number(from.dataset.hour);
    if (event.key in MOVES) {
      const [dx, dy] = MOVES[event.key];
      day = Math.min(6, Math.max(0, day + dx));
      hour = Math.min(23, Math.max(0, hour + dy));
    } else if (event.key === 'Home' || event.key === 'End') {
      hour = event.key === 'Home' ? 0 : 23;
    } else {
      return;
    }
    event.preventDefault();
    const to = cellAt(day, hour);
    if (to) focusCell(to);
  });
  table.addEventListener('focusin', (event) => {
    const target = event.target.closest('button.cell');
    if (target) focusCell(target);
  });
}

function focusCell(button) {
  for (const other of byId('week-grid').querySelectorAll('button.cell[tabindex="0"]')) {
    other.tabIndex = -1;
  }
  button.tabIndex = 0;
  focusStart = Date.parse(button.dataset.start);
  if (document.activeElement !== button) button.focus();
}
