// Insight actor computations over the sandbox's seeded events: trends, lifecycle, stickiness, funnels
// (steps and trends), funnel correlation. Mirrors which persons PostHog's insight actor queries
// return for one data point of each insight kind.

import type { SandboxEvent, SandboxPerson, SandboxStore } from '../store';
import { errors } from '../errors';
import { assertSupportedFilters, matchesFilters, UnsupportedFilterError, type PropertyFilterLike } from './filters';
import { addUnits, MS, parseIsoDate, relativeDateParse, startOfInterval, endOfDay, type IntervalUnit } from '../util/time';

type Obj = Record<string, any>;

export const BREAKDOWN_NULL = '$$_posthog_breakdown_null_$$';
export const BREAKDOWN_OTHER = '$$_posthog_breakdown_other_$$';

export interface ActorRow {
	uuid: string;
	/** trends: number of matching events in the window */
	eventCount?: number;
	/** trends: distinct ids of the matching events */
	eventDistinctIds?: string[];
	/** events behind the row (for matched_recordings) */
	matchingEvents?: SandboxEvent[];
	/** other columns of the source by name (retention: day_0 …, appearances) */
	values?: Record<string, unknown>;
}

export interface SourceResult {
	rows: ActorRow[];
	/** columns the source query provides besides the actor (e.g. event_count for trends) */
	extraColumns: Set<string>;
	includeRecordings: boolean;
	/** interval-aligned date range used (for resolved_date_range) */
	range?: ResolvedRange;
}

/** A plain Python error inside a query runner (ValueError / AssertionError) => 500 server_error. */
function runnerCrash(): never {
	throw errors.serverError();
}

function unsupported(message: string): never {
	throw errors.validation(message);
}

// ------------------------------------------------------------------------------------------------ dates

export interface ResolvedRange {
	/** date_from after rounding */
	from: number;
	/** date_to after rounding (inclusive, e.g. 23:59:59.999) */
	to: number;
	/** first bucket start (interval-aligned unless explicitDate) */
	start: number;
	interval: IntervalUnit;
	explicit: boolean;
}

const earliestCache = new WeakMap<SandboxStore, { version: number; ts: number }>();

function earliestEvent(store: SandboxStore): number {
	const hit = earliestCache.get(store);
	if (hit && hit.version === store.version) return hit.ts;
	let min = Infinity;
	for (const e of store.events) if (e.timestamp < min) min = e.timestamp;
	const ts = Number.isFinite(min) ? min : store.now();
	earliestCache.set(store, { version: store.version, ts });
	return ts;
}

const SUB_DAY: IntervalUnit[] = ['hour', 'minute', 'second'];

/** QueryDateRange: date_from / date_to resolution with PostHog's rounding rules (project timezone UTC). */
export function resolveDateRange(store: SandboxStore, dateRange: Obj | undefined, interval: IntervalUnit, now: number): ResolvedRange {
	const explicit = !!dateRange?.explicitDate;
	const hourly = SUB_DAY.includes(interval);
	let to: number;
	if (dateRange?.date_to) {
		const parsed = relativeDateParse(String(dateRange.date_to), now, true);
		to = parsed.ms;
		if (!explicit) {
			if (!hourly) to = endOfDay(to);
			else if (parsed.relative) to = startOfInterval(to, 'hour') + MS.hour - 1;
		}
	} else {
		to = now;
		if (!explicit) to = hourly ? startOfInterval(now, 'hour') + MS.hour - 1 : endOfDay(now);
	}
	let from: number;
	if (dateRange?.date_from === 'all') from = earliestEvent(store);
	else if (typeof dateRange?.date_from === 'string' && dateRange.date_from) from = relativeDateParse(dateRange.date_from, now).ms;
	else from = startOfInterval(now, 'day') - 7 * MS.day;
	if (!explicit) from = hourly ? startOfInterval(from, 'hour') : startOfInterval(from, 'day');
	const start = explicit ? from : startOfInterval(from, interval);
	return { from, to, start, interval, explicit };
}

/** dateutil.parser.parse for the `day` selector; unparsable => the runner crashes (500). */
function parseDay(day: unknown): number {
	if (typeof day !== 'string') runnerCrash();
	const iso = parseIsoDate(day);
	if (iso !== null) return iso;
	const t = Date.parse(day.includes('Z') || /[+-]\d\d:?\d\d$/.test(day) ? day : `${day} UTC`);
	if (Number.isNaN(t)) runnerCrash();
	return t;
}

function asInterval(v: unknown, fallback: IntervalUnit = 'day'): IntervalUnit {
	return (['second', 'minute', 'hour', 'day', 'week', 'month'] as const).includes(v as IntervalUnit) ? (v as IntervalUnit) : fallback;
}

// ------------------------------------------------------------------------------------------------ matching

type EventPred = (ev: SandboxEvent, person: SandboxPerson | undefined) => boolean;

function filtersOf(node: Obj): unknown[] {
	return [...(Array.isArray(node.properties) ? node.properties : []), ...(Array.isArray(node.fixedProperties) ? node.fixedProperties : [])];
}

function safeMatch(store: SandboxStore, person: SandboxPerson | undefined, ev: SandboxEvent | undefined, filters: unknown): boolean {
	try {
		return matchesFilters({ store, person, event: ev }, filters);
	} catch (err) {
		if (err instanceof UnsupportedFilterError) unsupported(err.message);
		throw err;
	}
}

function checkFilters(filters: unknown): void {
	try {
		assertSupportedFilters(filters);
	} catch (err) {
		if (err instanceof UnsupportedFilterError) unsupported(err.message);
		throw err;
	}
}

function urlMatches(url: unknown, expected: string, mode: string | undefined): boolean {
	if (typeof url !== 'string') return false;
	if (mode === 'exact') return url === expected;
	if (mode === 'regex') {
		try {
			return new RegExp(expected).test(url);
		} catch {
			return false;
		}
	}
	return url.includes(expected);
}

/** EventsNode / ActionsNode => event predicate. `strictActions`: a missing action is a 400 (lifecycle, funnels). */
export function compileEntity(store: SandboxStore, node: Obj, strictActions: boolean): EventPred {
	if (!node || typeof node !== 'object') runnerCrash();
	const nodeFilters = filtersOf(node);
	checkFilters(nodeFilters);
	if (node.kind === 'ActionsNode') {
		const action = store.getAction(Number(node.id));
		if (!action) {
			if (strictActions) throw errors.validation(`Action ID ${node.id} does not exist!`, null, 'invalid_input');
			return () => false;
		}
		return (ev, person) =>
			action.steps.some(
				(step) =>
					(step.event === null || step.event === undefined || step.event === ev.event) &&
					(!step.url || urlMatches(ev.properties.$current_url, step.url, step.url_matching)) &&
					(!step.properties?.length || safeMatch(store, person, ev, step.properties)),
			) && (!nodeFilters.length || safeMatch(store, person, ev, nodeFilters));
	}
	if (node.kind === 'EventsNode' || node.kind === undefined) {
		const name = node.event;
		return (ev, person) => (name === null || name === undefined || ev.event === name) && (!nodeFilters.length || safeMatch(store, person, ev, nodeFilters));
	}
	unsupported(`Series of kind "${node.kind}" are not supported by the sandbox.`);
}

/** Query-level `properties` plus the project's test-account filters. */
export function compileQueryFilters(store: SandboxStore, source: Obj): EventPred {
	checkFilters(source.properties);
	const parts: unknown[] = [];
	if (source.properties && (!Array.isArray(source.properties) || source.properties.length)) parts.push(source.properties);
	if (source.filterTestAccounts) parts.push(store.testAccountFilters as PropertyFilterLike[]);
	if (!parts.length) return () => true;
	return (ev, person) => safeMatch(store, person, ev, parts);
}

function lowerBound(evs: SandboxEvent[], ts: number): number {
	let lo = 0;
	let hi = evs.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (evs[mid].timestamp < ts) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function rejectGroups(source: Obj): void {
	if (source.aggregation_group_type_index !== undefined && source.aggregation_group_type_index !== null) {
		unsupported('Group aggregation (aggregation_group_type_index) is not supported by the sandbox: it has no groups.');
	}
}

function asString(v: unknown): string {
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	return JSON.stringify(v);
}

// ------------------------------------------------------------------------------------------------ trends

const TOTAL_VALUE_DISPLAYS = new Set(['BoldNumber', 'ActionsPie', 'ActionsBarValue', 'ActionsTable', 'WorldMap', 'CalendarHeatmap', 'Progress']);

interface BreakdownDim {
	type: string;
	prop: string;
}

function breakdownValue(dim: BreakdownDim, ev: SandboxEvent, person: SandboxPerson | undefined): string {
	let v: unknown;
	if (dim.type === 'event') v = ev.properties[dim.prop];
	else if (dim.type === 'person') v = person?.properties[dim.prop];
	else unsupported(`Breakdowns of type "${dim.type}" are not supported by the sandbox.`);
	if (v === undefined || v === null || v === '') return BREAKDOWN_NULL;
	return asString(v);
}

export function trendsActors(store: SandboxStore, source: Obj, sel: Obj, now: number): SourceResult {
	rejectGroups(source);
	const display = source.trendsFilter?.display ?? 'ActionsLineGraph';
	const totalValue = TOTAL_VALUE_DISPLAYS.has(display);
	const day = sel.day;
	if (totalValue && day !== undefined && day !== null) runnerCrash();
	if (!totalValue && (day === undefined || day === null)) runnerCrash();
	const seriesIndex = sel.series ?? 0;
	const series = Array.isArray(source.series) ? source.series : [];
	const node = series[seriesIndex];
	if (!node) runnerCrash();
	if (node.kind === 'DataWarehouseNode') unsupported('DataWarehouseNode series are not supported for trends actors.');
	const math = node.math ?? 'total';
	if (['unique_group', 'hogql'].includes(math) || node.math_group_type_index !== undefined) {
		unsupported(`Math "${math}" (group or HogQL aggregation) is not supported by the sandbox.`);
	}
	const interval = asInterval(source.interval);
	const range = resolveDateRange(store, source.dateRange, interval, now);
	const matchEntity = compileEntity(store, node, false);
	const matchQuery = compileQueryFilters(store, source);

	let windowStart: number;
	let windowEnd: number; // exclusive
	if (!totalValue) {
		const dayStart = parseDay(day);
		windowStart = dayStart;
		windowEnd = addUnits(dayStart, interval, 1);
		if (math === 'weekly_active') windowStart = windowEnd - 7 * MS.day;
		else if (math === 'monthly_active') windowStart = windowEnd - 30 * MS.day;
		else {
			windowStart = Math.max(windowStart, range.start);
			windowEnd = Math.min(windowEnd, range.to + 1);
		}
	} else {
		windowStart = range.start;
		windowEnd = range.to + 1;
	}
	if (sel.compare === 'previous') {
		let shift: number;
		const compareTo = source.compareFilter?.compare_to;
		if (typeof compareTo === 'string' && compareTo) shift = now - relativeDateParse(compareTo, now).ms;
		else shift = range.to + 1 - range.start;
		windowStart -= shift;
		windowEnd -= shift;
	}

	// breakdown selector
	let breakdownPred: ((ev: SandboxEvent, person: SandboxPerson | undefined) => boolean) | null = null;
	const bf = source.breakdownFilter;
	const hasBreakdown = bf && ((bf.breakdown !== undefined && bf.breakdown !== null) || (Array.isArray(bf.breakdowns) && bf.breakdowns.length));
	if (hasBreakdown && sel.breakdown !== undefined && sel.breakdown !== null) {
		const limit = typeof bf.breakdown_limit === 'number' ? bf.breakdown_limit : 25;
		if (!(Array.isArray(bf.breakdowns) && bf.breakdowns.length) && (bf.breakdown_type ?? 'event') === 'cohort') {
			const wanted = sel.breakdown;
			if (wanted === 'all' || wanted === 0) breakdownPred = () => true;
			else {
				const id = Number(Array.isArray(wanted) ? wanted[0] : wanted);
				breakdownPred = (_ev, person) => store.isInCohort(person, id);
			}
		} else {
			const dims: BreakdownDim[] =
				Array.isArray(bf.breakdowns) && bf.breakdowns.length
					? bf.breakdowns.map((b: Obj) => ({ type: b.type ?? 'event', prop: String(b.property) }))
					: [{ type: bf.breakdown_type ?? 'event', prop: String(Array.isArray(bf.breakdown) ? bf.breakdown[0] : bf.breakdown) }];
			const wanted = (Array.isArray(sel.breakdown) ? sel.breakdown : [sel.breakdown]).map((v: unknown) => asString(v));
			// top values over the whole range, to resolve the "other" bucket
			let top: Set<string>[] | null = null;
			if (wanted.includes(BREAKDOWN_OTHER)) {
				const counts = dims.map(() => new Map<string, number>());
				for (const [uuid, evs] of store.eventsByPerson) {
					const person = store.personsByUuid.get(uuid);
					for (let i = lowerBound(evs, range.start); i < evs.length && evs[i].timestamp <= range.to; i++) {
						const ev = evs[i];
						if (!matchEntity(ev, person) || !matchQuery(ev, person)) continue;
						dims.forEach((dim, k) => {
							const v = breakdownValue(dim, ev, person);
							counts[k].set(v, (counts[k].get(v) ?? 0) + 1);
						});
					}
				}
				top = counts.map((c) => new Set([...c.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([v]) => v)));
			}
			breakdownPred = (ev, person) =>
				dims.every((dim, k) => {
					const v = breakdownValue(dim, ev, person);
					const w = wanted[k] ?? wanted[0];
					if (w === BREAKDOWN_OTHER) return v !== BREAKDOWN_NULL && !!top && !top[k].has(v);
					return v === w;
				});
		}
	}

	const firstTime = math === 'first_time_for_user' || math === 'first_matching_event_for_user';
	const rows: ActorRow[] = [];
	for (const [uuid, evs] of store.eventsByPerson) {
		const person = store.personsByUuid.get(uuid);
		let count = 0;
		const dids: string[] = [];
		const matching: SandboxEvent[] = [];
		if (firstTime) {
			const first = evs.find((ev) => matchEntity(ev, person) && matchQuery(ev, person) && (!breakdownPred || breakdownPred(ev, person)));
			if (first && first.timestamp >= windowStart && first.timestamp < windowEnd) {
				count = 1;
				dids.push(first.distinctId);
				matching.push(first);
			}
		} else {
			for (let i = lowerBound(evs, windowStart); i < evs.length && evs[i].timestamp < windowEnd; i++) {
				const ev = evs[i];
				if (!matchEntity(ev, person) || !matchQuery(ev, person)) continue;
				if (breakdownPred && !breakdownPred(ev, person)) continue;
				count++;
				if (!dids.includes(ev.distinctId)) dids.push(ev.distinctId);
				matching.push(ev);
			}
		}
		if (count > 0) rows.push({ uuid, eventCount: count, eventDistinctIds: dids, matchingEvents: matching });
	}
	return { rows, extraColumns: new Set(['event_count', 'event_distinct_ids']), includeRecordings: !!sel.includeRecordings, range };
}

// ------------------------------------------------------------------------------------------------ lifecycle

export function lifecycleActors(store: SandboxStore, source: Obj, sel: Obj, now: number): SourceResult {
	rejectGroups(source);
	const interval = asInterval(source.interval);
	const range = resolveDateRange(store, source.dateRange, interval, now);
	const series = Array.isArray(source.series) ? source.series : [];
	if (!series.length) runnerCrash();
	const matchers = series.map((s: Obj) => compileEntity(store, s, true));
	const matchQuery = compileQueryFilters(store, source);
	const status = sel.status;
	let wantedPeriod: number | null = null;
	if (sel.day !== undefined && sel.day !== null) wantedPeriod = startOfInterval(parseDay(sel.day), interval);
	const windowFrom = addUnits(range.start, interval, -1);
	const rows: ActorRow[] = [];
	for (const [uuid, evs] of store.eventsByPerson) {
		const person = store.personsByUuid.get(uuid);
		const periods: number[] = [];
		for (let i = lowerBound(evs, windowFrom); i < evs.length && evs[i].timestamp <= range.to; i++) {
			const ev = evs[i];
			if (ev.properties.$process_person_profile === false) continue;
			if (!matchers.some((m: EventPred) => m(ev, person)) || !matchQuery(ev, person)) continue;
			const p = startOfInterval(ev.timestamp, interval);
			if (periods[periods.length - 1] !== p) periods.push(p);
		}
		if (!periods.length) continue;
		// a deleted person joins as an empty row: created_at defaults to the epoch
		const createdPeriod = startOfInterval(person ? person.createdAt : 0, interval);
		const pairs: [number, string][] = [];
		periods.forEach((cur, i) => {
			const prev = i === 0 ? createdPeriod : periods[i - 1];
			let st: string;
			if (prev === cur) st = 'new';
			else if (i !== 0 && addUnits(prev, interval, 1) === cur) st = 'returning';
			else st = 'resurrecting';
			pairs.push([cur, st]);
			const next = periods[i + 1];
			const following = addUnits(cur, interval, 1);
			if (next !== following) pairs.push([following, 'dormant']);
		});
		let hit = false;
		for (const [period, st] of pairs) {
			if (period < range.start || period > range.to) continue;
			if (wantedPeriod !== null && period !== wantedPeriod) continue;
			if (status !== undefined && status !== null && st !== status) continue;
			hit = true;
			break;
		}
		if (hit) rows.push({ uuid });
	}
	return { rows, extraColumns: new Set(), includeRecordings: false, range };
}

// ------------------------------------------------------------------------------------------------ stickiness

function intervalsBetween(start: number, ts: number, interval: IntervalUnit): number {
	if (interval === 'month') {
		const a = new Date(start);
		const b = new Date(ts);
		return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
	}
	const len = interval === 'week' ? MS.week : interval === 'day' ? MS.day : interval === 'hour' ? MS.hour : interval === 'minute' ? MS.minute : MS.second;
	return Math.floor((startOfInterval(ts, interval) - start) / len);
}

export function stickinessActors(store: SandboxStore, source: Obj, sel: Obj, operatorOverride: string | undefined, now: number): SourceResult {
	const interval = asInterval(source.interval);
	const range = resolveDateRange(store, source.dateRange, interval, now);
	const rawDay = sel.day;
	let wanted: number;
	if (typeof rawDay === 'number' && Number.isInteger(rawDay)) wanted = rawDay;
	else if (typeof rawDay === 'string' && /^\s*[+-]?\d+\s*$/.test(rawDay)) wanted = parseInt(rawDay, 10);
	else runnerCrash(); // int(day) fails for dates / missing day
	const cumulative = source.stickinessFilter?.computedAs === 'cumulative';
	const operator = operatorOverride ?? (cumulative ? 'gte' : 'exact');
	const criteria = source.stickinessFilter?.stickinessCriteria as { operator: string; value: number } | undefined;
	const intervalCount = typeof source.intervalCount === 'number' && source.intervalCount > 0 ? source.intervalCount : 1;
	const series = Array.isArray(source.series) ? source.series : [];
	const matchQuery = compileQueryFilters(store, source);
	const selected = new Set<string>();
	const order: string[] = [];
	for (const node of series) {
		const matchEntity = compileEntity(store, node, false);
		for (const [uuid, evs] of store.eventsByPerson) {
			if (selected.has(uuid)) continue;
			const person = store.personsByUuid.get(uuid);
			const perBucket = new Map<number, number>();
			for (let i = lowerBound(evs, range.start); i < evs.length && evs[i].timestamp <= range.to; i++) {
				const ev = evs[i];
				if (!matchEntity(ev, person) || !matchQuery(ev, person)) continue;
				const b = Math.floor(intervalsBetween(range.start, ev.timestamp, interval) / intervalCount);
				perBucket.set(b, (perBucket.get(b) ?? 0) + 1);
			}
			let n = 0;
			for (const c of perBucket.values()) {
				if (!criteria) n += c >= 1 ? 1 : 0;
				else if (criteria.operator === 'gte') n += c >= criteria.value ? 1 : 0;
				else if (criteria.operator === 'lte') n += c >= 1 && c <= criteria.value ? 1 : 0;
				else n += c === criteria.value ? 1 : 0;
			}
			if (n === 0) continue;
			const ok = operator === 'gte' ? n >= wanted : operator === 'lte' ? n <= wanted : n === wanted;
			if (ok) {
				selected.add(uuid);
				order.push(uuid);
			}
		}
	}
	return { rows: order.map((uuid) => ({ uuid })), extraColumns: new Set(), includeRecordings: false, range };
}

// ------------------------------------------------------------------------------------------------ funnels

interface FunnelPath {
	/** number of steps reached (0..n) */
	reached: number;
	/** timestamps of the reached steps */
	times: number[];
	events: SandboxEvent[];
	entry: SandboxEvent;
}

interface FunnelSetup {
	n: number;
	steps: EventPred[];
	matchQuery: EventPred;
	windowUnit: IntervalUnit;
	windowSize: number;
	order: string;
	range: ResolvedRange;
	exclusions: { pred: EventPred; from: number; to: number }[];
	hasQueryFilters: boolean;
}

function setupFunnel(store: SandboxStore, source: Obj, now: number, interval?: IntervalUnit): FunnelSetup {
	rejectGroups(source);
	const series = Array.isArray(source.series) ? source.series : [];
	if (series.length < 2) throw errors.validation('Funnels require at least two steps.', null, 'funnels_require_at_least_two_steps');
	const ff = source.funnelsFilter ?? {};
	const steps = series.map((s: Obj) => compileEntity(store, s, true));
	const exclusions = (Array.isArray(ff.exclusions) ? ff.exclusions : []).map((x: Obj) => ({
		pred: compileEntity(store, x, true),
		from: Number(x.funnelFromStep ?? 0),
		to: Number(x.funnelToStep ?? series.length - 1),
	}));
	return {
		n: series.length,
		steps,
		matchQuery: compileQueryFilters(store, source),
		windowUnit: asInterval(ff.funnelWindowIntervalUnit, 'day'),
		windowSize: typeof ff.funnelWindowInterval === 'number' ? ff.funnelWindowInterval : 14,
		order: ff.funnelOrderType ?? 'ordered',
		range: resolveDateRange(store, source.dateRange, interval ?? asInterval(source.interval), now),
		exclusions,
		hasQueryFilters: !!source.filterTestAccounts || (!!source.properties && (!Array.isArray(source.properties) || source.properties.length > 0)),
	};
}

/** All the person's funnel attempts (one per entry event), best first is not guaranteed. */
function funnelAttempts(setup: FunnelSetup, store: SandboxStore, evsAll: SandboxEvent[], person: SandboxPerson | undefined): FunnelPath[] {
	const { range } = setup;
	const lo = lowerBound(evsAll, range.from);
	let hi = lo;
	while (hi < evsAll.length && evsAll[hi].timestamp <= range.to) hi++;
	if (hi === lo) return [];
	const evs = lo === 0 && hi === evsAll.length ? evsAll : evsAll.slice(lo, hi);
	// quick reject: persons without any step-1 (or, unordered, any step) event in range have no attempt
	if (setup.order !== 'unordered' && !evs.some((ev) => setup.steps[0](ev, person))) return [];
	const q = setup.hasQueryFilters ? evs.map((ev) => setup.matchQuery(ev, person)) : null;
	const match = (k: number, i: number) => (q === null || q[i]) && setup.steps[k](evs[i], person);
	const attempts: FunnelPath[] = [];
	const excluded = (fromTs: number, toTs: number, stepIdx: number) =>
		setup.exclusions.some((x) => stepIdx > x.from && stepIdx <= x.to && evs.some((e) => e.timestamp > fromTs && e.timestamp < toTs && x.pred(e, person)));

	if (setup.order === 'unordered') {
		for (let a = 0; a < evs.length; a++) {
			const anchorSteps = setup.steps.map((_, k) => k).filter((k) => match(k, a));
			if (!anchorSteps.length) continue;
			const deadline = addUnits(evs[a].timestamp, setup.windowUnit, setup.windowSize);
			const used = new Set<number>();
			const times: number[] = [];
			const pathEvents: SandboxEvent[] = [];
			for (let k = 0; k < setup.n; k++) {
				for (let i = a; i < evs.length && evs[i].timestamp <= deadline; i++) {
					if (!used.has(i) && match(k, i)) {
						used.add(i);
						times.push(evs[i].timestamp);
						pathEvents.push(evs[i]);
						break;
					}
				}
			}
			attempts.push({ reached: times.length, times: times.sort((x, y) => x - y), events: pathEvents, entry: evs[a] });
		}
		return attempts;
	}

	for (let i0 = 0; i0 < evs.length; i0++) {
		if (!match(0, i0)) continue;
		const t0 = evs[i0].timestamp;
		const deadline = addUnits(t0, setup.windowUnit, setup.windowSize);
		const times = [t0];
		const pathEvents = [evs[i0]];
		let last = i0;
		for (let k = 1; k < setup.n; k++) {
			let found = -1;
			if (setup.order === 'strict') {
				const j = last + 1;
				if (j < evs.length && evs[j].timestamp <= deadline && match(k, j)) found = j;
			} else {
				for (let j = last + 1; j < evs.length && evs[j].timestamp <= deadline; j++) {
					if (match(k, j)) {
						found = j;
						break;
					}
				}
			}
			if (found < 0) break;
			if (setup.exclusions.length && excluded(evs[last].timestamp, evs[found].timestamp, k)) break;
			times.push(evs[found].timestamp);
			pathEvents.push(evs[found]);
			last = found;
		}
		attempts.push({ reached: times.length, times, events: pathEvents, entry: evs[i0] });
	}
	return attempts;
}

function bestAttempt(attempts: FunnelPath[]): FunnelPath | null {
	let best: FunnelPath | null = null;
	for (const a of attempts) if (!best || a.reached > best.reached) best = a;
	return best;
}

interface FunnelPerson {
	uuid: string;
	person: SandboxPerson | undefined;
	best: FunnelPath;
	attempts: FunnelPath[];
}

function funnelPersons(store: SandboxStore, setup: FunnelSetup): FunnelPerson[] {
	const out: FunnelPerson[] = [];
	for (const [uuid, evs] of store.eventsByPerson) {
		const person = store.personsByUuid.get(uuid);
		const attempts = funnelAttempts(setup, store, evs, person);
		const best = bestAttempt(attempts);
		if (best) out.push({ uuid, person, best, attempts });
	}
	return out;
}

/** Breakdown value of a funnel person (first_touch: the property on the earliest step-1 event). */
function funnelBreakdownMatcher(store: SandboxStore, source: Obj, wanted: unknown, persons: FunnelPerson[]): ((fp: FunnelPerson) => boolean) | null {
	const bf = source.breakdownFilter;
	const has = bf && ((bf.breakdown !== undefined && bf.breakdown !== null) || (Array.isArray(bf.breakdowns) && bf.breakdowns.length));
	if (!has || wanted === undefined || wanted === null) return null;
	const type = bf.breakdown_type ?? 'event';
	if (type === 'cohort') {
		if (wanted === 'all' || wanted === 0) return () => true;
		const id = Number(Array.isArray(wanted) ? wanted[0] : wanted);
		return (fp) => store.isInCohort(fp.person, id);
	}
	const props: string[] = Array.isArray(bf.breakdowns) && bf.breakdowns.length ? bf.breakdowns.map((b: Obj) => String(b.property)) : Array.isArray(bf.breakdown) ? bf.breakdown.map(String) : [String(bf.breakdown)];
	const types: string[] = Array.isArray(bf.breakdowns) && bf.breakdowns.length ? bf.breakdowns.map((b: Obj) => b.type ?? 'event') : props.map(() => type);
	const attribution = source.funnelsFilter?.breakdownAttributionType ?? 'first_touch';
	const valueOf = (fp: FunnelPerson): string[] =>
		props.map((prop, k) => {
			let v: unknown;
			if (types[k] === 'person') v = fp.person?.properties[prop];
			else if (types[k] === 'event') {
				const ev = attribution === 'last_touch' ? fp.best.events[fp.best.events.length - 1] : fp.attempts.reduce((a, b) => (b.entry.timestamp < a.entry.timestamp ? b : a)).entry;
				v = ev.properties[prop];
			} else unsupported(`Breakdowns of type "${types[k]}" are not supported by the sandbox.`);
			return v === undefined || v === null ? '' : asString(v);
		});
	const flat = (Array.isArray(wanted) ? wanted.flat(Infinity) : [wanted]).map((v) => (v === null ? '' : asString(v)));
	if (flat.includes(BREAKDOWN_OTHER)) {
		const limit = typeof bf.breakdown_limit === 'number' ? bf.breakdown_limit : 25;
		const counts = new Map<string, number>();
		for (const fp of persons) {
			const key = JSON.stringify(valueOf(fp));
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
		const top = new Set([...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k]) => k));
		return (fp) => !top.has(JSON.stringify(valueOf(fp)));
	}
	return (fp) => {
		const v = valueOf(fp);
		return v.length === flat.length && v.every((x, i) => x === flat[i]);
	};
}

export function funnelActors(store: SandboxStore, actorsNode: Obj, now: number): SourceResult {
	const source = actorsNode.source;
	const vizType = source.funnelsFilter?.funnelVizType ?? 'steps';
	if (vizType === 'trends') return funnelTrendsActors(store, actorsNode, now);
	if (vizType !== 'steps') unsupported(`Persons for funnelVizType "${vizType}" are not supported.`);
	const step = actorsNode.funnelStep;
	// plain ValueErrors in PostHog's funnel base => 500
	if (step === undefined || step === null) runnerCrash(); // "Missing funnelStep in actors query"
	if (step === 0) runnerCrash(); // "Funnel steps are 1-indexed, so step 0 doesn't exist"
	if (step === -1) runnerCrash(); // "The first valid drop-off argument for funnelStep is -2"
	const setup = setupFunnel(store, source, now);
	const persons = funnelPersons(store, setup);
	const breakdown = funnelBreakdownMatcher(store, source, actorsNode.funnelStepBreakdown, persons);
	const rows: ActorRow[] = [];
	for (const fp of persons) {
		const ok = step > 0 ? fp.best.reached >= step : fp.best.reached === -step - 1;
		if (!ok || (breakdown && !breakdown(fp))) continue;
		rows.push({ uuid: fp.uuid, matchingEvents: fp.best.events });
	}
	return { rows, extraColumns: new Set(), includeRecordings: !!actorsNode.includeRecordings, range: setup.range };
}

function funnelTrendsActors(store: SandboxStore, actorsNode: Obj, now: number): SourceResult {
	const source = actorsNode.source;
	if (actorsNode.funnelTrendsDropOff === undefined || actorsNode.funnelTrendsDropOff === null) {
		throw errors.validation('Actors parameter `funnelTrendsDropOff` must be provided for funnel trends persons!');
	}
	if (actorsNode.funnelTrendsEntrancePeriodStart === undefined || actorsNode.funnelTrendsEntrancePeriodStart === null) {
		throw errors.validation('Actors parameter `funnelTrendsEntrancePeriodStart` must be provided funnel trends persons!');
	}
	const interval = asInterval(source.interval);
	const setup = setupFunnel(store, source, now, interval);
	const parsed = parseIsoDate(String(actorsNode.funnelTrendsEntrancePeriodStart));
	if (parsed === null) {
		throw errors.validation(`funnelTrendsEntrancePeriodStart: could not parse "${actorsNode.funnelTrendsEntrancePeriodStart}" as a date.`);
	}
	const period = startOfInterval(parsed, interval);
	const periodEnd = addUnits(period, interval, 1);
	const ff = source.funnelsFilter ?? {};
	const fromStep = typeof ff.funnelFromStep === 'number' ? ff.funnelFromStep : 0;
	const toStep = typeof ff.funnelToStep === 'number' ? ff.funnelToStep : setup.n - 1;
	const persons = funnelPersons(store, setup);
	const breakdown = funnelBreakdownMatcher(store, source, actorsNode.funnelStepBreakdown, persons);
	const rows: ActorRow[] = [];
	for (const fp of persons) {
		const inPeriod = fp.attempts.filter((a) => a.entry.timestamp >= period && a.entry.timestamp < periodEnd);
		const entered = inPeriod.some((a) => a.reached >= fromStep + 1);
		if (!entered) continue;
		const converted = inPeriod.some((a) => a.reached >= toStep + 1);
		if (actorsNode.funnelTrendsDropOff ? converted : !converted) continue;
		if (breakdown && !breakdown(fp)) continue;
		const best = bestAttempt(inPeriod) as FunnelPath;
		rows.push({ uuid: fp.uuid, matchingEvents: best.events });
	}
	return { rows, extraColumns: new Set(), includeRecordings: !!actorsNode.includeRecordings, range: setup.range };
}

export function funnelCorrelationActors(store: SandboxStore, node: Obj, now: number): SourceResult {
	const corrQuery = node.source;
	const funnelsActors = corrQuery.source;
	const source = funnelsActors.source;
	const setup = setupFunnel(store, source, now);
	const type = corrQuery.funnelCorrelationType;
	const converted = node.funnelCorrelationPersonConverted;
	const persons = funnelPersons(store, setup).filter((fp) => {
		if (converted === true) return fp.best.reached === setup.n;
		if (converted === false) return fp.best.reached < setup.n;
		return true;
	});
	const rows: ActorRow[] = [];
	if (type === 'properties') {
		const values = node.funnelCorrelationPropertyValues;
		if (!Array.isArray(values) || !values.length) throw errors.validation('Property Correlation expects atleast one Property to get persons for');
		checkFilters(values);
		for (const fp of persons) if (safeMatch(store, fp.person, undefined, values)) rows.push({ uuid: fp.uuid, matchingEvents: fp.best.events });
	} else {
		const entity = node.funnelCorrelationPersonEntity;
		if (!entity) throw errors.validation('No entity for persons specified');
		const matchEntity = compileEntity(store, entity, true);
		for (const fp of persons) {
			const first = fp.best.times[0];
			const final = fp.best.reached === setup.n ? fp.best.times[fp.best.times.length - 1] : addUnits(first, setup.windowUnit, setup.windowSize);
			const evs = store.eventsByPerson.get(fp.uuid) ?? [];
			const hits = evs.filter((ev) => ev.timestamp > first && ev.timestamp < final && ev.timestamp <= setup.range.to && matchEntity(ev, fp.person));
			if (hits.length) rows.push({ uuid: fp.uuid, matchingEvents: hits });
		}
	}
	return { rows, extraColumns: new Set(), includeRecordings: !!node.includeRecordings, range: setup.range };
}
