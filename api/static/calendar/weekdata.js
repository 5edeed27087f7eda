// What the week shows, read through /v1: each picked person's availability, booked and busy hours,
// the slots where interviews can take place (with their proposed panels), why there is none
// where a question finds none, and the interviews.

import { query } from './api.js';
import { isAdmin, selectedOfRole, state } from './state.js';
import { HOUR, hoursOf, iso, nextFullHour } from './time.js';

let generation = 0;

/** The slot questions to ask: per picked candidate, with every picked interviewer (SPEC: the
 * candidate and all named interviewers free), or the picked interviewers with any candidate. */
function slotQuestions() {
  const candidates = selectedOfRole('candidate');
  const interviewers = selectedOfRole('interviewer');
  if (state.me.role === 'candidate') return [{ interviewer: interviewers }];
  if (candidates.length) return candidates.map((candidate) => ({ candidate, interviewer: interviewers }));
  return interviewers.length ? [{ interviewer: interviewers }] : [];
}

/** A question that names a candidate (a candidate's key is one) and interviewers can be
 * explained when it finds no slot. */
const explainable = (q) => (q.candidate || state.me.role === 'candidate')
  && q.interviewer.length > 0;

/** The slots of the week from the next full hour, and why there is none for each question
 * that found none. */
async function slots(to) {
  const from = Math.max(state.week.from, nextFullHour());
  if (from >= to) return { found: [], explanations: [] };
  const window = { from: iso(from), to: iso(to) };
  const questions = slotQuestions();
  const answers = await Promise.all(questions.map((q) => state.api.all(
    `/v1/slots?${query({ ...q, ...window, limit: 200 })}`, 'slots')));
  const unanswered = questions.filter((q, n) => answers[n].length === 0 && explainable(q));
  const explanations = await Promise.all(unanswered.map((q) => state.api.get(
    `/v1/slots/explain?${query({ ...q, ...window })}`)));
  return { found: answers.flat(), explanations };
}

function involvesSelected(interview) {
  const ids = [interview.candidate, ...interview.interviewers];
  return !isAdmin() || state.selected.length === 0 || ids.some((id) => state.selected.includes(id));
}

function emptyHours() {
  const now = Date.now();
  return new Map(state.week.hours.map((h) => [h.start, {
    ...h, past: h.start + HOUR <= now, editable: h.start >= nextFullHour(now), people: new Map(), panels: [], interviews: [],
    proposed: [],
  }]));
}

/** Load the week shown; a load overtaken by a newer one (another week, another pick) is dropped. */
export async function loadWeek() {
  const mine = ++generation;
  const window = { from: iso(state.week.from), to: iso(state.week.to) };
  const [availability, interviews, { found, explanations }] = await Promise.all([
    Promise.all(state.selected.map((id) => state.api.get(
      `/v1/people/${encodeURIComponent(id)}/availability?${query(window)}`))),
    state.api.all(`/v1/interviews?${query({ ...window, limit: 1000 })}`, 'interviews'),
    slots(state.week.to),
  ]);
  if (mine !== generation || !state.api) return false; // overtaken, or signed out meanwhile
  const hours = emptyHours();
  state.selected.forEach((id, n) => {
    for (const h of hours.values()) h.people.set(id, 'none');
    for (const t of hoursOf(availability[n].ranges)) hours.get(t)?.people.set(id, 'free');
    for (const t of hoursOf(availability[n].booked)) hours.get(t)?.people.set(id, 'booked');
    for (const t of hoursOf(availability[n].busy)) hours.get(t)?.people.set(id, 'busy');
  });
  for (const slot of found) hours.get(Date.parse(slot.start))?.panels.push(...slot.panels);
  for (const interview of interviews.filter(involvesSelected)) {
    hours.get(Date.parse(interview.start))?.interviews.push(interview);
  }
  for (const interview of state.proposal) {
    hours.get(Date.parse(interview.start))?.proposed.push(interview);
  }
  state.hours = hours;
  state.explanations = explanations;
  return true;
}
