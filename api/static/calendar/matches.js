// Matches: schedule the picked candidates against the picked pool, watch the job, show the
// proposal on the grid and in a list, and book it.
//
// "Book" submits the very same match again with `book: true` instead of booking the proposed
// interviews one by one: SPEC makes a match deterministic (same calendar, same request, same
// result), and a booking match writes all its interviews in one transaction or none, re-solving if
// someone booked an hour meanwhile. So what is booked is the proposal whenever the calendar has
// not changed, and never a half-booked schedule when it has; the page says when they differ.

import { describe } from './api.js';
import { byId, el, say } from './dom.js';
import { reasonText } from './describe.js';
import { nameOf, namesOf, selectedOfRole, state } from './state.js';
import { addDays, iso, midnight, nextFullHour, today, whenLabel } from './time.js';

let request = null; // the body of the last proposal, to book it as it was asked
let datesTouched = false;

export function resetMatchDates() {
  if (datesTouched) return;
  const first = [state.week.monday, today(state.tz)].sort()[1];
  byId('match-from').value = first <= state.week.days[6] ? first : state.week.monday;
  byId('match-to').value = state.week.days[6];
}

function body(book) {
  const pick = (name, role) => (document.querySelector(`input[name="${name}"]:checked`).value
    === 'selected' ? selectedOfRole(role) : undefined);
  const from = Math.max(midnight(byId('match-from').value, state.tz), nextFullHour());
  const to = midnight(addDays(byId('match-to').value, 1), state.tz);
  const panel = byId('match-panel').value;
  return { candidates: pick('match-candidates', 'candidate'),
    interviewers: pick('match-pool', 'interviewer'), from: iso(from), to: iso(to),
    ...(panel ? { max_panel_size: Number(panel) } : {}), book };
}

function progress(job, started) {
  const done = job.status === 'succeeded' || job.status === 'failed';
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  byId('match-progress').replaceChildren(
    el('progress', { max: 1, value: done ? 1 : null, 'aria-label': 'Match job' }),
    el('span', { class: `job-status ${job.status}` }, `Match job ${job.status} (${seconds} s)`));
}

async function run(payload) {
  const started = Date.now();
  const job = await state.api.post('/v1/matches', payload);
  const done = await state.api.finished(job, (j) => progress(j, started));
  if (done.status !== 'succeeded') throw new Error(done.error?.detail ?? 'the match job failed');
  return done.result;
}

const key = (i) => `${i.start} ${i.candidate} ${[...i.interviewers].sort().join(',')}`;

function same(a, b) {
  return a.length === b.length && a.map(key).sort().join('|') === b.map(key).sort().join('|');
}

function renderResult(result, { booked, onBook, note }) {
  const { stats } = result;
  const rows = result.interviews.map((i) => el('tr', {},
    el('td', {}, whenLabel(Date.parse(i.start), state.tz)), el('td', {}, nameOf(i.candidate)),
    el('td', {}, namesOf(i.interviewers))));
  const unscheduled = result.unscheduled.map((u) => el('li', {},
    el('span', { class: 'name' }, nameOf(u.candidate)), `: ${reasonText(u.reason)}`));
  byId('match-result').replaceChildren(...[
    el('h3', {}, booked ? 'Booked' : 'Proposed schedule'),
    el('p', { class: 'stats' }, `${stats.scheduled} of ${stats.candidates} candidates scheduled` +
      (stats.scheduled ? `; panels of ${stats.min_panel} to ${stats.max_panel} interviewers.` : '.')),
    note ? el('p', { class: 'notice' }, note) : null,
    rows.length ? el('table', { class: 'list', id: 'match-interviews' }, el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, 'When'), el('th', { scope: 'col' }, 'Candidate'),
      el('th', { scope: 'col' }, 'Panel'))), el('tbody', {}, rows)) : null,
    unscheduled.length ? el('div', {}, el('h4', {}, 'Not scheduled'),
      el('ul', { id: 'match-unscheduled' }, unscheduled)) : null,
    !booked && rows.length ? el('button', { type: 'button', id: 'match-book', onclick: onBook },
      `Book these ${rows.length} interviews`) : null,
  ].filter(Boolean));
}

export function wireMatches({ showProposal, afterBooking }) {
  for (const id of ['match-from', 'match-to']) {
    byId(id).addEventListener('change', () => { datesTouched = true; });
  }
  byId('match-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    request = body(false);
    if (request.candidates?.length === 0 || request.interviewers?.length === 0) {
      say('Pick at least one candidate and one interviewer, or choose "everyone".', 'error');
      return;
    }
    try {
      const result = await run(request);
      renderResult(result, { booked: false, onBook: () => book(result) });
      await showProposal(result.interviews);
    } catch (error) {
      say(`The match failed: ${describe(error)}`, 'error');
    }
  });

  async function book(proposal) {
    byId('match-book').disabled = true;
    try {
      const result = await run({ ...request, book: true });
      const note = same(result.interviews, proposal.interviews) ? null
        : 'The calendar changed since the proposal: these are the interviews booked now.';
      renderResult(result, { booked: true, note });
      say(`Booked ${result.interviews.length} interviews.`);
      await afterBooking();
    } catch (error) {
      byId('match-book').disabled = false;
      say(`Booking failed: ${describe(error)}`, 'error');
    }
  }
}
