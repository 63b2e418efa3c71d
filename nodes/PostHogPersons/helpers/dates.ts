/**
 * The node's one date parser. Every date a user types or maps (an insight's date range, a data
 * point's day, a timestamp for past properties) goes through here, so they all accept the same
 * forms: ISO 8601 dates (`2024-01-15`) and date-times (`2024-01-15T10:00:00Z`,
 * `2024-01-15 10:00:00`, fractions of a second, `Z` or an offset), plus Luxon DateTimes and JS
 * Dates from expressions. Date ranges also take PostHog's relative dates (`-7d`, `-1mStart`, `all`).
 */

const ISO_RE =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** PostHog's relative dates: -7d, -2w, -3m, -1y, -1h, -1mStart, mStart, all. */
const RELATIVE_RE = /^(-?\d+[hdwmqy](Start)?|[hdwmqy]Start|all)$/;

function daysInMonth(year: number, month: number): number {
	return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Text of a date value: a string as typed (trimmed), a JS Date or Luxon DateTime as ISO 8601. */
export function dateText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
	if (typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		return String((value as { toISO: () => string | null }).toISO() ?? '');
	}
	return String(value).trim();
}

/** Whether the text is an ISO 8601 date or date-time of the calendar (no 2024-02-30, no 25:00). */
export function isIsoDate(text: string): boolean {
	const match = ISO_RE.exec(text);
	if (!match) return false;
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	return (
		month >= 1 &&
		month <= 12 &&
		day >= 1 &&
		day <= daysInMonth(year, month) &&
		Number(match[4] ?? 0) < 24 &&
		Number(match[5] ?? 0) < 60 &&
		Number(match[6] ?? 0) < 60
	);
}

/** A date range bound PostHog understands: relative (`-30d`, `-1mStart`, `all`) or ISO 8601. */
export function isDateRangeValue(text: string): boolean {
	return RELATIVE_RE.test(text) || isIsoDate(text);
}
