// Signing in: the key lives in sessionStorage (this tab only) and is checked against the API.

import { Api } from './api.js';

const STORAGE = 'interview-calendar.api-key';

export const storedKey = () => sessionStorage.getItem(STORAGE);
export const storeKey = (key) => sessionStorage.setItem(STORAGE, key);
export const forgetKey = () => sessionStorage.removeItem(STORAGE);

/** The key's role and person (null for an admin key) from GET /v1/me, then the people it sees. */
export async function signIn(key, onUnauthorized) {
  const api = new Api(key, null);
  const caller = await api.get('/v1/me');
  const people = await api.all('/v1/people?limit=1000', 'people');
  api.onUnauthorized = onUnauthorized;
  return { api, people, me: { role: caller.role, person: caller.id } };
}
