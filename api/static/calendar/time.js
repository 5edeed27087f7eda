// Time zones without a library: Intl gives the wall clock of an instant in any IANA zone, and
// a local midnight is found from that offset. The grid's hours start on the viewer's hours, which
// agree with the server's "on the hour" whenever both zones' offsets are whole hours.

export const HOUR = 3600 * 1000;
const formats = new Map();

function partsFormat(tz) {
  if (!formats.has(tz)) {
    formats.set(tz, new Intl.DateTimeFormat('en-GB', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit',
    }));
  }
  return formats.get(tz);
}

export function wall(ms, tz) {
  const parts = Object.fromEntries(partsFormat(tz).formatToParts(new Date(ms))
    .map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour) % 24, minute: Number(parts.minute),
  };
}

const pad = (n) => String(n).padStart(2, '0');
export const dateOf = (w) => `${w.year}-${pad(w.month)}-${pad(w.day)}`;
const utcDay = (date) => Date.UTC(...date.split('-').map((n, i) => Number(n) - (i === 1 ? 1 : 0)));

export function addDays(date, days) {
  const d = new Date(utcDay(date) + days * 24 * HOUR);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function offset(ms, tz) {
  const w = wall(ms, tz);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(ms / 60000) * 60000;
}

/** The instant of 00:00 on `date` (YYYY-MM-DD) in `tz`. */
export function midnight(date, tz) {
  const guess = utcDay(date);
  return guess - offset(guess - offset(guess, tz), tz);
}

export function today(tz) {
  return dateOf(wall(Date.now(), tz));
}

export function mondayOf(date) {
  return addDays(date, -((new Date(utcDay(date)).getUTCDay() + 6) % 7));
}

/** The week from `monday`: its seven days and every hour in it, placed by day and local hour. */
export function weekOf(monday, tz) {
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const from = midnight(monday, tz);
  const to = midnight(addDays(monday, 7), tz);
  const hours = [];
  for (let start = from; start < to; start += HOUR) {
    const w = wall(start, tz);
    hours.push({ start, day: days.indexOf(dateOf(w)), hour: w.hour });
  }
  return { monday, days, from, to, hours };
}

export function nextFullHour(now = Date.now()) {
  return Math.floor(now / HOUR) * HOUR + HOUR;
}

export function iso(ms) {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function dayLabel(date) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric',
    month: 'short' }).format(new Date(utcDay(date)));
}

export function longDayLabel(date) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric',
    month: 'long' }).format(new Date(utcDay(date)));
}

export function weekdayLabel(ms, tz) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'long' }).format(new Date(ms));
}

export function timeLabel(ms, tz) {
  const w = wall(ms, tz);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

export function whenLabel(ms, tz) {
  return `${dayLabel(dateOf(wall(ms, tz)))}, ${timeLabel(ms, tz)}–${timeLabel(ms + HOUR, tz)}`;
}

export function zones() {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([own, 'UTC', ...known])];
}

export function ownZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Each hour of the ranges [{start, end}] as an instant in ms. */
export function hoursOf(ranges) {
  const out = [];
  for (const range of ranges) {
    for (let t = Date.parse(range.start); t < Date.parse(range.end); t += HOUR) out.push(t);
  }
  return out;
}

/** Sorted instants, one hour each, merged into ISO ranges [{start, end}]. */
export function rangesOf(instants) {
  const ranges = [];
  for (const t of [...instants].sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last && last.end === t) last.end = t + HOUR;
    else ranges.push({ start: t, end: t + HOUR });
  }
  return ranges.map((r) => ({ start: iso(r.start), end: iso(r.end) }));
}
