// The people panel: search and filter, pick who the calendar shows, add people (admins).

import { describe } from './api.js';
import { byId, el, say } from './dom.js';
import { isAdmin, mayEdit, state } from './state.js';

export function setPeople(people) {
  state.people = new Map(people.map((p) => [p.id, p]));
}

function matches(person, search, role) {
  return (!role || person.role === role) && person.name.toLowerCase().includes(search);
}

export function renderPeople(onChange) {
  const search = byId('people-search').value.trim().toLowerCase();
  const role = byId('people-role').value;
  const shown = [...state.people.values()].filter((p) => matches(p, search, role))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  byId('people-list').replaceChildren(...shown.map((person) => {
    const id = `person-${person.id}`;
    const box = el('input', { type: 'checkbox', id, value: person.id,
      checked: state.selected.includes(person.id) });
    box.addEventListener('change', () => {
      state.selected = box.checked ? [...state.selected, person.id]
        : state.selected.filter((s) => s !== person.id);
      onChange();
    });
    const you = state.me.person === person.id ? ' (you)' : '';
    return el('li', {}, box, el('label', { for: id },
      el('span', { class: 'name' }, person.name + you), el('span', { class: `role ${person.role}` },
        person.role)));
  }));
  byId('people-empty').hidden = shown.length > 0;
}

/** The picked people, numbered as the columns of each hour, and the people one may edit. */
export function renderSelection() {
  byId('selected-people').replaceChildren(...state.selected.map((id, n) =>
    el('li', { class: 'chip' }, el('span', { class: 'column-number' }, String(n + 1)),
      `${state.people.get(id).name} (${state.people.get(id).role})`)));
  const editable = state.selected.filter(mayEdit);
  if (!editable.includes(state.editPerson)) state.editPerson = editable[0] ?? null;
  const choice = byId('edit-person');
  choice.replaceChildren(...editable.map((id) => el('option',
    { value: id, selected: id === state.editPerson }, state.people.get(id).name)));
  choice.disabled = editable.length === 0;
}

export function wireAddPerson(onAdded) {
  byId('add-person').addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { name: byId('new-name').value, email: byId('new-email').value,
      role: byId('new-role').value };
    const notice = byId('new-person-key');
    try {
      const created = await state.api.post('/v1/people', body);
      const { api_key: key, ...person } = created;
      state.people.set(person.id, person);
      state.selected = [...state.selected, person.id];
      notice.replaceChildren(`${person.name}'s API key, shown only now: `,
        el('code', {}, key ?? '(not shown on a repeated request)'));
      event.target.reset();
      onAdded();
    } catch (error) {
      notice.textContent = `Could not add: ${describe(error)}`;
    }
  });
}

export function showAdminControls() {
  for (const node of document.querySelectorAll('.admin-only')) node.hidden = !isAdmin();
}

export function welcome() {
  const who = state.me.person ? state.people.get(state.me.person)?.name : 'Coordinator';
  byId('whoami').textContent = `Signed in as ${who} (${state.me.role})`;
  say(`Signed in as ${who}.`);
}
