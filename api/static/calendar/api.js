// The /v1 client: the bearer key, problem+json errors, pages, and polling a job until it has
// finished. It sends no Idempotency-Key: the page never retries a POST by itself (a click is a
// new request), so a key would protect nothing here.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

const FIRST_POLL_MS = 300;
const LONGEST_POLL_MS = 1500;

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText, status: response.status };
  }
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of [value].flat()) {
      if (item !== undefined && item !== null && item !== '') search.append(name, item);
    }
  }
  return search.toString();
}

export class Api {
  constructor(key, onUnauthorized) {
    this.key = key;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, path, body, extra = {}) {
    const headers = { ...extra, Authorization: `Bearer ${this.key}`, Accept: 'application/json' };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 401 && this.onUnauthorized) this.onUnauthorized();
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    return response;
  }

  async get(path) {
    return (await this.request('GET', path)).json();
  }

  async post(path, body, headers = {}) {
    const response = await this.request('POST', path, body, headers);
    return response.status === 204 ? null : response.json();
  }

  async put(path, body) {
    return (await this.request('PUT', path, body)).json();
  }

  async delete(path) {
    await this.request('DELETE', path);
  }

  async blob(path) {
    return (await this.request('GET', path)).blob();
  }

  /** Every item of a paginated list, following `next` (bounded, so a huge list cannot hang). */
  async all(path, plural, maxPages = 20) {
    const items = [];
    let cursor = null;
    for (let n = 0; n < maxPages; n += 1) {
      const sep = path.includes('?') ? '&' : '?';
      const page = await this.get(cursor ? `${path}${sep}${query({ cursor })}` : path);
      items.push(...page[plural]);
      cursor = page.next;
      if (!cursor) break;
    }
    return items;
  }

  /** Poll a job until it has succeeded or failed, reporting each state it is seen in. */
  async finished(job, onUpdate = () => {}) {
    let pause = FIRST_POLL_MS;
    let current = job;
    onUpdate(current);
    while (current.status === 'queued' || current.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 1.5, LONGEST_POLL_MS);
      current = await this.get(`/v1/jobs/${encodeURIComponent(current.id)}`);
      onUpdate(current);
    }
    return current;
  }
}

export function describe(error) {
  if (error instanceof ApiError) return `${error.message} (${error.status})`;
  return `Could not reach the server: ${error.message}`;
}
