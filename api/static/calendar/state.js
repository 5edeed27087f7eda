// The page's one state: who is signed in, the people they can see and picked, the week shown.

export const state = {
  api: null,
  me: null, // {role, person}: person is the caller's own id, null for an admin key
  people: new Map(), // id → {id, name, email, role}
  selected: [], // ids, in the order they were picked: the columns of each hour
  tz: null,
  week: null, // time.weekOf(...)
  hours: new Map(), // start ms → what the grid shows at that hour
  proposal: [], // interviews a match proposed, not booked yet
  explanations: [], // GET /v1/slots/explain answers for the week's slot questions with no slot
  pending: new Map(), // start ms → 'add' | 'remove', while a job changes that hour
  mode: 'view',
  editPerson: null,
};

export const isAdmin = () => state.me?.role === 'admin';

export const mayEdit = (id) => isAdmin() || state.me?.person === id;

export function nameOf(id) {
  return state.people.get(id)?.name ?? 'someone not visible to you';
}

export const selectedOfRole = (role) =>
  state.selected.filter((id) => state.people.get(id)?.role === role);

/** Names of a panel, alphabetical: the API orders ids, which mean nothing to a reader. */
export function namesOf(ids) {
  return ids.map(nameOf).sort((a, b) => a.localeCompare(b)).join(', ');
}
