const numbers = new Intl.NumberFormat();
/** The viewer's locale and time zone (the browser's), with the zone named, since the API's times are UTC. */
const times = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

export const formatCount = (count: number): string => numbers.format(count);

/** A `<time>` in the viewer's time zone, its machine-readable value the UTC instant. */
export function timeElement(iso: string | null, none = 'never'): HTMLElement {
  if (iso === null) return Object.assign(document.createElement('span'), { textContent: none });
  const element = document.createElement('time');
  element.dateTime = iso;
  element.textContent = times.format(new Date(iso));
  return element;
}

/** An API error's detail, a sentence or a list of field errors, as one line. */
export function describeDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((error: { msg?: string }) => error.msg ?? JSON.stringify(error)).join('; ');
  return 'unexpected answer';
}
