// Signing in: the key lives in sessionStorage (this tab only) and is checked against the API.

import { Api } from './api.js';

const STORAGE = 'interview-calendar.api-key';
const PROBES_AT_ONCE = 8;

export const storedKey = () => sessionStorage.getItem(STORAGE);
export const storeKey = (key) => sessionStorage.setItem(STORAGE, key);
export const forgetKey = () => sessionStorage.removeItem(STORAGE);

/**
 * The caller's role and person. The API has no "who am I" call: an admin key is the one that may
 * list API keys, and a person's key is the one that may list that person's keys, so the page asks
 * for each visible person's keys until one answers (a candidate's key sees one candidate: itself).
 */
export async function whoAmI(api, people) {
  try {
    await api.get('/v1/api-keys?limit=1');
    return { role: 'admin', person: null };
  } catch (error) {
    if (error.status !== 403) throw error;
  }
  const candidates = people.filter((p) => p.role === 'candidate');
  const interviewers = people.filter((p) => p.role === 'interviewer');
  const order = candidates.length === 1 ? [...candidates, ...interviewers]
    : [...interviewers, ...candidates];
  for (let i = 0; i < order.length; i += PROBES_AT_ONCE) {
    const batch = order.slice(i, i + PROBES_AT_ONCE);
    const mine = await Promise.all(batch.map((p) =>
      api.get(`/v1/people/${encodeURIComponent(p.id)}/api-keys?limit=1`).then(() => p, () => null)));
    const found = mine.find(Boolean);
    if (found) return { role: found.role, person: found.id };
  }
  throw new Error('this key belongs to nobody this page can find');
}

export async function signIn(key, onUnauthorized) {
  const api = new Api(key, null);
  const people = await api.all('/v1/people?limit=1000', 'people');
  const me = await whoAmI(api, people);
  api.onUnauthorized = onUnauthorized;
  return { api, people, me };
}
