/** Small formatting helpers. */

/** `14:05` today, `Mon 14:05` this week, else a date. */
export function formatTime(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const age = now - ms;
  if (new Date(now).toDateString() === d.toDateString()) return time;
  if (age < 6 * 86_400_000) return `${d.toLocaleDateString(undefined, { weekday: 'short' })} ${time}`;
  return `${d.toLocaleDateString()} ${time}`;
}

/** The first letter of a name, for an avatar. */
export function initial(name: string): string {
  return (name[0] ?? '?').toUpperCase();
}
