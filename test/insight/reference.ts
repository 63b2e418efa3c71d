/**
 * Small reference computations of "who is behind this data point", straight from the sandbox's
 * seeded events (sandbox.store.events / persons). Deliberately plain and independent of the
 * node's and the sandbox's code: day buckets in UTC, date ranges rounded to whole days as
 * PostHog does (from = start of the day of now−N days, to = end of today).
 */
import type { Sandbox } from '../helpers/sandbox';

export const DAY = 86_400_000;

export type Ev = Sandbox['store']['events'][number];
export type Pred = (ev: Ev) => boolean;

export const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;
export const utc = (text: string) => Date.parse(`${text}${text.length === 10 ? 'T00:00:00Z' : ''}`);

export interface Range {
	from: number;
	/** inclusive */
	to: number;
}

/** A `-Nd` date range as PostHog resolves it (whole days). */
export function lastDays(sandbox: Sandbox, days: number): Range {
	const now = sandbox.store.now();
	return { from: dayStart(now - days * DAY), to: dayStart(now) + DAY - 1 };
}

/** Events of each person, oldest first (ties keep generation order). */
export function eventsByPerson(sandbox: Sandbox): Map<string, Ev[]> {
	const map = new Map<string, Ev[]>();
	for (const ev of sandbox.store.events) {
		const list = map.get(ev.personId) ?? [];
		list.push(ev);
		map.set(ev.personId, list);
	}
	for (const list of map.values()) list.sort((a, b) => a.timestamp - b.timestamp || a.index - b.index);
	return map;
}

export const isEvent = (name: string): Pred => (ev) => ev.event === name;
export const all = (...preds: Pred[]): Pred => (ev) => preds.every((pred) => pred(ev));

export function personProperty(sandbox: Sandbox, ev: Ev, key: string): unknown {
	return sandbox.store.personsByUuid.get(ev.personId)?.properties[key];
}

// ------------------------------------------------------------------ trends

/** Persons with matching events in [from, to) and how many. */
export function trendsCounts(sandbox: Sandbox, pred: Pred, from: number, to: number): Map<string, number> {
	const counts = new Map<string, number>();
	for (const ev of sandbox.store.events) {
		if (ev.timestamp >= from && ev.timestamp < to && pred(ev)) counts.set(ev.personId, (counts.get(ev.personId) ?? 0) + 1);
	}
	return counts;
}

// ------------------------------------------------------------------ lifecycle

/** Lifecycle status of each person on day `day` (UTC), from the days they were active. */
export function lifecyclePersons(sandbox: Sandbox, pred: Pred, range: Range, day: number, status: string): Set<string> {
	const active = new Map<string, Set<number>>();
	for (const ev of sandbox.store.events) {
		if (ev.properties.$process_person_profile === false) continue; // lifecycle counts identified persons only
		if (ev.timestamp < range.from - DAY || ev.timestamp > range.to || !pred(ev)) continue;
		const days = active.get(ev.personId) ?? new Set<number>();
		days.add(dayStart(ev.timestamp));
		active.set(ev.personId, days);
	}
	const result = new Set<string>();
	for (const [personId, days] of active) {
		const person = sandbox.store.personsByUuid.get(personId);
		const created = dayStart(person ? person.createdAt : 0);
		const now = days.has(day);
		const before = days.has(day - DAY);
		const st = now
			? created === day
				? 'new'
				: before
					? 'returning'
					: 'resurrecting'
			: before
				? 'dormant'
				: undefined;
		if (st === status) result.add(personId);
	}
	return result;
}

// ------------------------------------------------------------------ stickiness

/** Number of distinct days with a matching event in the range, per person. */
export function activeDays(sandbox: Sandbox, pred: Pred, range: Range): Map<string, number> {
	const days = new Map<string, Set<number>>();
	for (const ev of sandbox.store.events) {
		if (ev.timestamp < range.from || ev.timestamp > range.to || !pred(ev)) continue;
		const set = days.get(ev.personId) ?? new Set<number>();
		set.add(dayStart(ev.timestamp));
		days.set(ev.personId, set);
	}
	return new Map([...days].map(([personId, set]) => [personId, set.size]));
}

// ------------------------------------------------------------------ funnels (ordered)

export interface Attempt {
	entry: Ev;
	/** matched step events, in order */
	steps: Ev[];
}

/**
 * Every attempt of a person at an ordered funnel: one per first-step event in the range; each
 * next step is the first later matching event within `windowMs` of the first step.
 */
export function funnelAttempts(events: Ev[], steps: Pred[], range: Range, windowMs: number): Attempt[] {
	const inRange = events.filter((ev) => ev.timestamp >= range.from && ev.timestamp <= range.to);
	const attempts: Attempt[] = [];
	inRange.forEach((entry, start) => {
		if (!steps[0](entry)) return;
		const matched = [entry];
		let last = start;
		for (let step = 1; step < steps.length; step++) {
			let found = -1;
			for (let j = last + 1; j < inRange.length && inRange[j].timestamp <= entry.timestamp + windowMs; j++) {
				if (steps[step](inRange[j])) {
					found = j;
					break;
				}
			}
			if (found < 0) break;
			matched.push(inRange[found]);
			last = found;
		}
		attempts.push({ entry, steps: matched });
	});
	return attempts;
}

/** The person's first attempt that got furthest. */
export function bestAttempt(attempts: Attempt[]): Attempt | undefined {
	let best: Attempt | undefined;
	for (const attempt of attempts) if (!best || attempt.steps.length > best.steps.length) best = attempt;
	return best;
}

export interface FunnelPerson {
	personId: string;
	attempts: Attempt[];
	best: Attempt;
}

export function funnelPersons(sandbox: Sandbox, steps: Pred[], range: Range, windowMs = 14 * DAY): FunnelPerson[] {
	const out: FunnelPerson[] = [];
	for (const [personId, events] of eventsByPerson(sandbox)) {
		const attempts = funnelAttempts(events, steps, range, windowMs);
		const best = bestAttempt(attempts);
		if (best) out.push({ personId, attempts, best });
	}
	return out;
}


// ------------------------------------------------------------------ retention

/** Start of the UTC week (Sunday, PostHog's default week start) of a time. */
export const weekStart = (ms: number) => dayStart(ms) - new Date(ms).getUTCDay() * DAY;

export interface RetentionSpec {
	/** day or week periods */
	period: 'day' | 'week';
	/** first period of the table (its start) */
	from: number;
	/** last moment of the table (inclusive) */
	to: number;
	/** number of return intervals (columns) */
	total: number;
	firstTime: boolean;
	start: Pred;
	returning: Pred;
}

/**
 * The persons of one row of a retention table and the intervals they were active in: for every
 * person, the periods they did the start event in (first time: only the period of their first
 * start event ever), and for each such row the offsets 0 (the row itself) and k ≥ 1 where they
 * did the returning event k periods later. `breakdown` picks rows by the start event.
 */
export function retentionRow(
	sandbox: Sandbox,
	spec: RetentionSpec,
	row: number,
	breakdown?: (startEvent: Ev) => boolean,
): Map<string, number[]> {
	const length = spec.period === 'day' ? DAY : 7 * DAY;
	const periodOf = (ms: number) => Math.floor(((spec.period === 'day' ? dayStart(ms) : weekStart(ms)) - spec.from) / length);
	const result = new Map<string, number[]>();
	for (const [personId, events] of eventsByPerson(sandbox)) {
		const starts = events.filter(spec.start);
		const candidates = spec.firstTime ? starts.slice(0, 1) : starts;
		const startEvent = candidates.find((ev) => ev.timestamp >= spec.from && ev.timestamp <= spec.to && periodOf(ev.timestamp) === row);
		if (!startEvent || (breakdown && !breakdown(startEvent))) continue;
		const returned = new Set(
			events.filter((ev) => spec.returning(ev) && ev.timestamp >= spec.from && ev.timestamp <= spec.to).map((ev) => periodOf(ev.timestamp) - row),
		);
		const offsets = [0];
		for (let k = 1; k < spec.total; k++) if (returned.has(k)) offsets.push(k);
		result.set(personId, offsets);
	}
	return result;
}

// ------------------------------------------------------------------ paths

export interface PathStep {
	key: string;
	previousKey: string | null;
}

/**
 * Every person's page-view paths: a new path after 30 minutes without a page view, the URL
 * without a trailing slash as the step, repeated pages in a row counted once, the first
 * `steps` pages (after `startUrl`, when given). Keys are `<position from 1>_<url>`.
 */
export function pageviewPaths(
	sandbox: Sandbox,
	range: Range,
	steps: number,
	startUrl?: string,
	include: Pred = isEvent('$pageview'),
): Array<{ personId: string; path: PathStep[] }> {
	const out: Array<{ personId: string; path: PathStep[] }> = [];
	const stepOf = (ev: Ev) => (ev.event === '$pageview' ? String(ev.properties.$current_url).replace(/(.)\/$/, '$1') : ev.event);
	for (const [personId, events] of eventsByPerson(sandbox)) {
		const views = events.filter((ev) => include(ev) && ev.timestamp >= range.from && ev.timestamp <= range.to);
		const sessions: string[][] = [];
		let previous = -Infinity;
		for (const ev of views) {
			if (ev.timestamp - previous > 30 * 60_000) sessions.push([]);
			previous = ev.timestamp;
			const session = sessions[sessions.length - 1];
			const page = stepOf(ev);
			if (session[session.length - 1] !== page) session.push(page);
		}
		for (const session of sessions) {
			let pages = session;
			if (startUrl !== undefined) {
				const at = pages.indexOf(startUrl);
				if (at < 0) continue;
				pages = pages.slice(at);
			}
			pages = pages.slice(0, steps);
			out.push({
				personId,
				path: pages.map((page, index) => ({ key: `${index + 1}_${page}`, previousKey: index === 0 ? null : `${index}_${pages[index - 1]}` })),
			});
		}
	}
	return out;
}

/** Persons and how many of their path steps match, for a rule on (step, whole path). */
export function pathPersons(
	paths: Array<{ personId: string; path: PathStep[] }>,
	matches: (step: PathStep, path: PathStep[]) => boolean,
): Map<string, number> {
	const counts = new Map<string, number>();
	for (const { personId, path } of paths) {
		for (const step of path) if (matches(step, path)) counts.set(personId, (counts.get(personId) ?? 0) + 1);
	}
	return counts;
}
