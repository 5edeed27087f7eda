// Words for an hour: the cell's accessible name and tooltip, and the details pane.

import { nameOf, namesOf, state } from './state.js';
import { longDayLabel, timeLabel, HOUR } from './time.js';

const STATES = { free: 'free', booked: 'booked', none: 'not available' };

/** A busy hour says when only: the API tells nothing more of the event, its title least of all. */
function stateText(st, hour) {
  if (st !== 'busy') return STATES[st];
  return `busy ${timeLabel(hour.start, state.tz)}–${timeLabel(hour.start + HOUR, state.tz)}`;
}
const REASONS = {
  no_free_hour: 'has no free hour in the window',
  no_interviewer: 'no interviewer of the pool is free at any of their free hours',
  capacity: 'other candidates took every interviewer at their free hours',
};

export const reasonText = (reason) => REASONS[reason] ?? reason;

export function panelText(panel) {
  return `${nameOf(panel.candidate)} with ${namesOf(panel.interviewers)}`;
}

export function whenText(hour) {
  return `${longDayLabel(state.week.days[hour.day])}, ${timeLabel(hour.start, state.tz)}–` +
    `${timeLabel(hour.start + HOUR, state.tz)}`;
}

/** One line per fact, most important first. */
export function hourFacts(hour) {
  const facts = [];
  const pending = state.pending.get(hour.start);
  if (pending) facts.push(pending === 'add' ? 'saving: adding this hour' : 'saving: removing this hour');
  for (const interview of hour.interviews) facts.push(`interview: ${panelText(interview)}`);
  for (const interview of hour.proposed) facts.push(`proposed by the match: ${panelText(interview)}`);
  if (hour.panels.length) {
    facts.push(`interviews can take place: ${hour.panels.map(panelText).join('; ')}`);
  }
  for (const [id, st] of hour.people) facts.push(`${nameOf(id)}: ${stateText(st, hour)}`);
  if (hour.past) facts.push('past');
  return facts;
}

export function cellLabel(hour) {
  return [whenText(hour), ...hourFacts(hour)].join('. ');
}
