// The calendar page: signs in, then wires the people panel, the week grid, availability editing,
// matches and the interviews list to one state, all of it read and written through /v1.

import { describe } from './api.js';
import { byId, say } from './dom.js';
import { renderDetails, showDetails } from './details.js';
import { wireEditing } from './editing.js';
import { renderExplanations } from './explanations.js';
import { renderGrid, wireGridKeys } from './grid.js';
import { renderFeedChoice, renderInterviews, wireFeed } from './interviews.js';
import { resetMatchDates, wireMatches } from './matches.js';
import { clearPanel, renderPanel, wirePanel } from './panel.js';
import {
  renderPeople, renderSelection, setPeople, showAdminControls, welcome, wireAddPerson,
} from './people.js';
import { forgetKey, signIn, storedKey, storeKey } from './session.js';
import { state } from './state.js';
import { addDays, dateOf, mondayOf, ownZone, today, wall, weekOf, zones } from './time.js';
import { loadWeek } from './weekdata.js';

const ZONE_STORAGE = 'interview-calendar.time-zone';

async function refreshWeek() {
  try {
    if (await loadWeek()) {
      renderGrid();
      renderDetails();
      renderExplanations();
    }
  } catch (error) {
    if (state.api) say(`Could not read the week: ${describe(error)}`, 'error');
  }
}

// After a sign-out (a key revoked meanwhile) the reads still under way fail: nothing to report.
const refreshInterviews = () => renderInterviews(afterChange).catch((error) => state.api
  && say(`Could not list the interviews: ${describe(error)}`, 'error'));

async function afterChange() {
  await Promise.all([refreshWeek(), refreshInterviews()]);
}

function showWeek(monday) {
  state.week = weekOf(monday, state.tz);
  resetMatchDates();
  return refreshWeek();
}

function selectionChanged() {
  renderPeople(selectionChanged);
  renderSelection();
  renderFeedChoice();
  renderPanel();
  refreshWeek();
}

function showSignedIn(signedIn) {
  byId('sign-in').hidden = signedIn;
  byId('workspace').hidden = !signedIn;
  byId('sign-out').hidden = !signedIn;
  byId('whoami').hidden = !signedIn;
}

async function start(key) {
  const error = byId('sign-in-error');
  error.textContent = '';
  try {
    const { api, people, me } = await signIn(key,
      () => signOut('That key no longer works: sign in again.'));
    storeKey(key);
    Object.assign(state, { api, me, selected: me.person ? [me.person] : [], proposal: [] });
    setPeople(people);
  } catch (failure) {
    forgetKey();
    showSignedIn(false);
    error.textContent = failure.status === 401 ? 'That API key is not valid.'
      : `Could not sign in: ${describe(failure)}`;
    return;
  }
  showSignedIn(true);
  showAdminControls();
  welcome();
  renderPeople(selectionChanged);
  renderSelection();
  renderFeedChoice();
  await Promise.all([renderPanel(), showWeek(mondayOf(today(state.tz))), refreshInterviews()]);
}

function signOut(message = 'Signed out. The key is no longer kept in this tab.') {
  forgetKey();
  Object.assign(state, { api: null, me: null, people: new Map(), selected: [], proposal: [],
    hours: new Map(), explanations: [] });
  for (const id of ['people-list', 'week-grid', 'hour-details', 'match-result', 'match-progress',
    'interviews-list', 'whoami', 'new-person-key', 'selected-people']) {
    byId(id).replaceChildren();
  }
  renderExplanations();
  clearPanel();
  showSignedIn(false);
  byId('api-key').value = '';
  byId('api-key').focus();
  say(message);
}

function wireWeekControls() {
  const zone = byId('time-zone');
  state.tz = sessionStorage.getItem(ZONE_STORAGE) || ownZone();
  zone.replaceChildren(...zones().map((z) => new Option(z, z, false, z === state.tz)));
  zone.addEventListener('change', () => {
    state.tz = zone.value;
    sessionStorage.setItem(ZONE_STORAGE, state.tz);
    showWeek(state.week.monday);
  });
  byId('week-prev').addEventListener('click', () => showWeek(addDays(state.week.monday, -7)));
  byId('week-next').addEventListener('click', () => showWeek(addDays(state.week.monday, 7)));
  byId('week-today').addEventListener('click', () => showWeek(mondayOf(today(state.tz))));
  for (const radio of document.querySelectorAll('input[name="mode"]')) {
    radio.addEventListener('change', () => {
      state.mode = radio.value;
      document.body.classList.toggle('editing', state.mode === 'edit');
    });
  }
  byId('edit-person').addEventListener('change', (event) => {
    state.editPerson = event.target.value;
    renderPanel();
  });
  byId('week-grid').addEventListener('click', (event) => {
    const cell = event.target.closest('button.cell');
    if (cell && state.mode === 'view') showDetails(Date.parse(cell.dataset.start));
  });
}

function wirePeopleControls() {
  byId('people-search').addEventListener('input', () => renderPeople(selectionChanged));
  byId('people-role').addEventListener('change', () => renderPeople(selectionChanged));
  wireAddPerson(selectionChanged);
}

function wire() {
  byId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    start(byId('api-key').value.trim());
  });
  byId('sign-out').addEventListener('click', () => signOut());
  wireWeekControls();
  wirePeopleControls();
  wireGridKeys();
  wireEditing((reload) => (reload ? refreshWeek() : renderGrid()));
  wireMatches({
    showProposal: async (interviews) => {
      state.proposal = interviews;
      const first = interviews[0] && mondayOf(dateOf(wall(Date.parse(interviews[0].start), state.tz)));
      await (first && first !== state.week.monday ? showWeek(first) : refreshWeek());
    },
    afterBooking: async () => {
      state.proposal = [];
      await afterChange();
    },
  });
  wireFeed();
  wirePanel(refreshWeek);
  const key = storedKey();
  if (key) start(key);
}

wire();
