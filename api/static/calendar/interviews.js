// Upcoming interviews: the list, cancelling one (admins), and a person's .ics feed.

import { describe, query } from './api.js';
import { byId, el, say } from './dom.js';
import { isAdmin, mayEdit, nameOf, namesOf, state } from './state.js';
import { iso, nextFullHour, whenLabel, HOUR } from './time.js';

function cancelButton(interview, onCancelled) {
  const cell = el('td', {});
  const ask = () => cell.replaceChildren(
    el('button', { type: 'button', class: 'danger', onclick: cancel }, 'Yes, cancel it'),
    el('button', { type: 'button', onclick: reset }, 'Keep'));
  const reset = () => cell.replaceChildren(el('button', { type: 'button', onclick: ask,
    'aria-label': `Cancel the interview of ${nameOf(interview.candidate)}, ` +
      `${whenLabel(Date.parse(interview.start), state.tz)}` }, 'Cancel'));
  async function cancel() {
    try {
      await state.api.delete(`/v1/interviews/${encodeURIComponent(interview.id)}`);
      say(`Cancelled the interview of ${nameOf(interview.candidate)}.`);
      await onCancelled();
    } catch (error) {
      say(`Could not cancel: ${describe(error)}`, 'error');
      reset();
    }
  }
  reset();
  return cell;
}

export async function renderInterviews(onCancelled) {
  const from = iso(nextFullHour() - HOUR);
  const interviews = await state.api.all(`/v1/interviews?${query({ from, limit: 1000 })}`,
    'interviews');
  byId('interviews-list').replaceChildren(...interviews.map((interview) => el('tr',
    { dataset: { interview: interview.id } },
    el('td', {}, whenLabel(Date.parse(interview.start), state.tz)),
    el('td', {}, nameOf(interview.candidate)),
    el('td', {}, namesOf(interview.interviewers)),
    isAdmin() ? cancelButton(interview, onCancelled) : el('td', {}))));
  byId('interviews-empty').hidden = interviews.length > 0;
}

/** The people whose feed the caller may read: anyone picked (admins), else themselves. */
export function renderFeedChoice() {
  const ids = isAdmin() ? state.selected : [state.me.person];
  const choice = byId('feed-person');
  const keep = choice.value;
  choice.replaceChildren(...ids.filter(mayEdit).map((id) => el('option',
    { value: id, selected: id === keep }, nameOf(id))));
  byId('feed-download').disabled = choice.options.length === 0;
}

/** The feed needs the bearer key, so it is fetched and handed to the browser as a file. */
export function wireFeed() {
  byId('feed-download').addEventListener('click', async () => {
    const id = byId('feed-person').value;
    try {
      const blob = await state.api.blob(`/v1/people/${encodeURIComponent(id)}/interviews.ics`);
      const link = el('a', { href: URL.createObjectURL(blob),
        download: `interviews-${nameOf(id).replace(/[^\w.-]+/g, '-')}.ics` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (error) {
      say(`Could not download the feed: ${describe(error)}`, 'error');
    }
  });
}
