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

