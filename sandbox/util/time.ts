// Date helpers. The sandbox project's timezone is UTC, like a default PostHog project.

export const MS = {
	second: 1000,
	minute: 60_000,
	hour: 3_600_000,
	day: 86_400_000,
	week: 7 * 86_400_000,
};

export type IntervalUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function isoBase(ms: number): string {
	const d = new Date(ms);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(
		d.getUTCMinutes(),
	)}:${pad(d.getUTCSeconds())}`;
}

/**
 * How Django REST framework renders an aware UTC datetime: Python `isoformat()` (microseconds only when
 * non-zero) with `+00:00` replaced by `Z`. E.g. `2024-01-02T10:00:00.123000Z` or `2024-01-02T10:00:00Z`.
 */
export function drfIso(ms: number): string {
	const msPart = ((ms % 1000) + 1000) % 1000;
	return isoBase(ms) + (msPart ? `.${pad(msPart, 3)}000` : '') + 'Z';
}

/** Python `datetime.isoformat()` of an aware UTC datetime (keeps `+00:00`). */
export function pythonIso(ms: number): string {
	const msPart = ((ms % 1000) + 1000) % 1000;
	return isoBase(ms) + (msPart ? `.${pad(msPart, 3)}000` : '') + '+00:00';
}

/** Django's `DjangoJSONEncoder` (used by `JsonResponse`): milliseconds only, `Z` suffix. */
export function djangoJsonIso(ms: number): string {
	const msPart = ((ms % 1000) + 1000) % 1000;
	return isoBase(ms) + (msPart ? `.${pad(msPart, 3)}` : '') + 'Z';
}

/** `YYYY-MM-DD` in UTC. */
export function isoDate(ms: number): string {
	return isoBase(ms).slice(0, 10);
}

/** `YYYY-MM-DD HH:mm:ss` in UTC (the format PostHog's UI uses for bucket starts). */
export function isoDateTimeSpace(ms: number): string {
	return isoBase(ms).replace('T', ' ');
}

const ISO_RE =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses ISO-8601-ish date strings like Python's `datetime.fromisoformat` / `dateutil.parser.isoparse`
 * (date only, date + time with optional seconds/fraction, optional `Z` / offset). Naive values are UTC
 * (the project timezone). Returns epoch ms, or null when unparsable.
 */
export function parseIsoDate(value: string): number | null {
	const m = ISO_RE.exec(value.trim());
	if (!m) return null;
	const [, y, mo, d, h, mi, s, frac, tz] = m;
	const year = Number(y);
	const month = Number(mo);
	const day = Number(d);
	const hour = h ? Number(h) : 0;
	const minute = mi ? Number(mi) : 0;
	const second = s ? Number(s) : 0;
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
	const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
	let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
	const check = new Date(t);
	if (check.getUTCDate() !== day) return null; // e.g. 2024-02-31
	if (tz && tz.toUpperCase() !== 'Z') {
		const sign = tz[0] === '-' ? -1 : 1;
		const digits = tz.slice(1).replace(':', '');
		const offH = Number(digits.slice(0, 2));
		const offM = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
		t -= sign * (offH * 60 + offM) * MS.minute;
	}
	return t;
}

export function startOfInterval(ms: number, unit: IntervalUnit): number {
	const d = new Date(ms);
	switch (unit) {
		case 'second':
			return Math.floor(ms / MS.second) * MS.second;
		case 'minute':
			return Math.floor(ms / MS.minute) * MS.minute;
		case 'hour':
			return Math.floor(ms / MS.hour) * MS.hour;
		case 'day':
			return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
		case 'week': {
			// PostHog's default week start is Sunday (toStartOfWeek(x, 0)).
			const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
			return dayStart - d.getUTCDay() * MS.day;
		}
		case 'month':
			return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
	}
}

/** relativedelta-style addition (months clamp to the end of the month). */
export function addUnits(ms: number, unit: IntervalUnit | 'year' | 'quarter', n: number): number {
	switch (unit) {
		case 'second':
			return ms + n * MS.second;
		case 'minute':
			return ms + n * MS.minute;
		case 'hour':
			return ms + n * MS.hour;
		case 'day':
			return ms + n * MS.day;
		case 'week':
			return ms + n * MS.week;
		case 'month':
		case 'quarter':
		case 'year': {
			const months = unit === 'month' ? n : unit === 'quarter' ? 3 * n : 12 * n;
			const d = new Date(ms);
			const targetMonth = d.getUTCMonth() + months;
			const y = d.getUTCFullYear() + Math.floor(targetMonth / 12);
			const m = ((targetMonth % 12) + 12) % 12;
			const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
			const day = Math.min(d.getUTCDate(), lastDay);
			return Date.UTC(y, m, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
		}
	}
}

export function endOfDay(ms: number): number {
	return startOfInterval(ms, 'day') + MS.day - 1;
}

export interface RelativeParse {
	ms: number;
	relative: boolean;
	hours: boolean;
}

/**
 * PostHog's `relative_date_parse_with_delta_mapping`: ISO dates first, then relative strings such as
 * `-7d`, `-2w`, `-1m`, `-1h`, `-3y`, `-1mStart`, `mStart`, `-1yEnd`.
 */
export function relativeDateParse(input: string, now: number, alwaysTruncate = false): RelativeParse {
	const iso = parseIsoDate(input);
	if (iso !== null) return { ms: iso, relative: false, hours: false };
	const m = /-?(\d+)?([a-zA-Z])(Start|End)?/.exec(input);
	if (!m) return { ms: now, relative: false, hours: false };
	const n = m[1] ? Number(m[1]) : 0;
	const type = m[2];
	const position = m[3];
	let t = now;
	let hours = false;
	switch (type) {
		case 'h':
			t = addUnits(t, 'hour', -n);
			hours = true;
			break;
		case 'M':
			t = addUnits(t, 'minute', -n);
			hours = true;
			break;
		case 's':
			t = addUnits(t, 'second', -n);
			hours = true;
			break;
		case 'd':
			t = addUnits(t, 'day', -n);
			break;
		case 'w':
			t = addUnits(t, 'week', -n);
			if (position === 'Start') t = startOfInterval(t, 'week');
			break;
		case 'm':
			t = addUnits(t, 'month', -n);
			if (position === 'Start') t = startOfInterval(t, 'month');
			else if (position === 'End') t = addUnits(startOfInterval(t, 'month'), 'month', 1) - MS.day;
			break;
		case 'q':
			t = addUnits(t, 'quarter', -n);
			if (position === 'Start') {
				const d = new Date(t);
				t = Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
			}
			break;
		case 'y': {
			t = addUnits(t, 'year', -n);
			const d = new Date(t);
			if (position === 'Start') t = Date.UTC(d.getUTCFullYear(), 0, 1);
			else if (position === 'End') t = Date.UTC(d.getUTCFullYear(), 11, 31);
			break;
		}
		default:
			return { ms: now, relative: true, hours: false };
	}
	if (position === 'Start') t = hours ? startOfInterval(t, 'hour') : startOfInterval(t, 'day');
	else if (position === 'End') t = startOfInterval(t, 'day') + MS.day - 1;
	if (alwaysTruncate && position === undefined) t = hours ? startOfInterval(t, 'hour') : startOfInterval(t, 'day');
	return { ms: t, relative: true, hours };
}
