// Retention actors over the sandbox's seeded events: the persons of one cohort row of a RetentionQuery
// (InsightActorsQuery.interval), with a 0/1 column per return interval and `appearances`, as PostHog's
// RetentionQueryRunner.to_actors_query builds them (fixed calendar periods).
//
// - Cohort rows start at date_from truncated to the period (without date_from: totalIntervals periods
//   ending with the one of date_to); row i = the period date_from + i periods.
// - retention_first_time / retention_first_ever_occurrence: a person belongs to the row of their first
//   start event ever (if it lies in the range); retention_recurring: to every row they did it in.
// - Offset 0 is the start period itself; offset k ≥ 1 counts when the returning event happened k periods
//   later, for k < totalIntervals (the lookahead) and not after date_to. `cumulative` fills every offset
//   up to the person's last one.
// - A breakdown compares the start event's (or the person's) property values, several joined with "::"; the
//   actors `breakdown` must be an array (a scalar makes PostHog's runner raise, a 500).

import type { SandboxEvent, SandboxStore } from '../store';
import { errors } from '../errors';
import { compileEntity, compileQueryFilters, resolveDateRange, type ActorRow, type SourceResult } from './engine';
import { addUnits, MS, startOfInterval, type IntervalUnit } from '../util/time';

type Obj = Record<string, any>;

const PERIODS: Record<string, IntervalUnit> = { Hour: 'hour', Day: 'day', Week: 'week', Month: 'month' };
/** PostHog's schema default for retentionFilter.totalIntervals (pydantic fills it in). */
const DEFAULT_TOTAL_INTERVALS = 8;

function unsupported(message: string): never {
	throw errors.validation(message);
}

/** Whole periods from `start` to the period of `ts` (0 = the first period). */
export function periodIndex(start: number, ts: number, unit: IntervalUnit): number {
	if (unit === 'month') {
		const a = new Date(start);
		const b = new Date(ts);
		return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
	}
	const length = unit === 'week' ? MS.week : unit === 'day' ? MS.day : MS.hour;
	return Math.floor((startOfInterval(ts, unit) - start) / length);
}

/** RetentionEntity ({id, type, kind, properties}) as an EventsNode / ActionsNode for compileEntity. */
function entityNode(entity: Obj | undefined, fallbackEvent: string): Obj {
	if (!entity) return { kind: 'EventsNode', event: fallbackEvent };
	const properties = Array.isArray(entity.properties) ? entity.properties : undefined;
	if (entity.type === 'actions' || entity.kind === 'ActionsNode') return { kind: 'ActionsNode', id: Number(entity.id), properties };
	return { kind: 'EventsNode', event: entity.id === undefined || entity.id === null ? null : String(entity.id), properties };
}

interface BreakdownDim {
	type: string;
	property: string;
}

function breakdownDims(source: Obj): BreakdownDim[] {
	const filter = source.breakdownFilter as Obj | undefined;
	if (!filter) return [];
	if (Array.isArray(filter.breakdowns) && filter.breakdowns.length) {
		return filter.breakdowns.map((b: Obj) => ({ type: String(b.type ?? 'event'), property: String(b.property) }));
	}
	if (filter.breakdown === undefined || filter.breakdown === null || filter.breakdown === '') return [];
	const type = String(filter.breakdown_type ?? 'event');
	if (type === 'cohort') unsupported('Cohort breakdowns of retention insights are not supported by the sandbox.');
	return [{ type, property: String(filter.breakdown) }];
}

function breakdownValue(store: SandboxStore, dims: BreakdownDim[], ev: SandboxEvent): string {
	const person = store.personsByUuid.get(ev.personId);
	return dims
		.map((dim) => {
			if (dim.type !== 'event' && dim.type !== 'person') unsupported(`Breakdowns of type "${dim.type}" are not supported by the sandbox.`);
			const v = dim.type === 'event' ? ev.properties[dim.property] : person?.properties[dim.property];
			return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
		})
		.join('::');
}

export function retentionActors(store: SandboxStore, source: Obj, sel: Obj, now: number): SourceResult {
	const filter = (source.retentionFilter ?? {}) as Obj;
	if (source.aggregation_group_type_index !== undefined && source.aggregation_group_type_index !== null) {
		unsupported('Group aggregation (aggregation_group_type_index) is not supported by the sandbox: it has no groups.');
	}
	if (filter.timeWindowMode === '24_hour_windows') unsupported('Retention in 24-hour windows is not supported by the sandbox.');
	if (Array.isArray(filter.retentionCustomBrackets) && filter.retentionCustomBrackets.length) {
		unsupported('Custom retention brackets are not supported by the sandbox.');
	}
	const unit = PERIODS[String(filter.period ?? 'Day')];
	if (!unit) unsupported(`Unknown retention period "${String(filter.period)}".`);
	const total = typeof filter.totalIntervals === 'number' && filter.totalIntervals > 0 ? filter.totalIntervals : DEFAULT_TOTAL_INTERVALS;
	const range = resolveDateRange(store, source.dateRange, unit, now);
	const start = source.dateRange?.date_from ? startOfInterval(range.from, unit) : addUnits(startOfInterval(range.to, unit), unit, -(total - 1));
	const to = range.to;
	const lastRow = periodIndex(start, to, unit);

	const target = compileEntity(store, entityNode(filter.targetEntity, '$pageview'), true);
	const returning = compileEntity(store, entityNode(filter.returningEntity, '$pageview'), true);
	const matchQuery = compileQueryFilters(store, source);
	const firstTime = filter.retentionType !== 'retention_recurring';
	const dims = breakdownDims(source);

	let wantedRow: number | null = null;
	if (sel.interval !== undefined && sel.interval !== null) wantedRow = Number(sel.interval);
	let wantedBreakdown: string | null = null;
	if (sel.breakdown !== undefined && sel.breakdown !== null && dims.length) {
		// to_actors_query: "Single breakdowns are not supported" (ValueError => 500) unless a list
		if (!Array.isArray(sel.breakdown)) throw errors.serverError();
		wantedBreakdown = sel.breakdown.map(String).join('::');
	}

	const rows: ActorRow[] = [];
	const period = String(filter.period ?? 'Day').toLowerCase();
	for (const [uuid, evs] of store.eventsByPerson) {
		const person = store.personsByUuid.get(uuid);
		// cohort rows (start periods) with the start event that put the person there
		const starts = new Map<number, SandboxEvent>();
		const returns = new Set<number>();
		for (const ev of evs) {
			const isTarget = target(ev, person) && matchQuery(ev, person);
			if (firstTime && isTarget && !starts.size && ev.timestamp < start) break; // first occurrence before the range
			if (ev.timestamp < start || ev.timestamp > to) continue;
			const row = periodIndex(start, ev.timestamp, unit);
			if (isTarget && (!firstTime || !starts.size) && !starts.has(row)) starts.set(row, ev);
			if (returning(ev, person) && matchQuery(ev, person)) returns.add(row);
		}
		const offsets = new Set<number>();
		for (const [row, startEvent] of starts) {
			if (row < 0 || row > lastRow) continue;
			if (wantedRow !== null && row !== wantedRow) continue;
			if (wantedBreakdown !== null && breakdownValue(store, dims, startEvent) !== wantedBreakdown) continue;
			offsets.add(0);
			for (let k = 1; k < total; k++) if (returns.has(row + k)) offsets.add(k);
		}
		if (!offsets.size) continue;
		let appearances = [...offsets].sort((a, b) => a - b);
		if (filter.cumulative === true) appearances = Array.from({ length: appearances[appearances.length - 1] + 1 }, (_, k) => k);
		const values: Record<string, unknown> = { appearances };
		for (let k = 0; k < total; k++) values[`${period}_${k}`] = appearances.includes(k) ? 1 : 0;
		rows.push({ uuid, values });
	}
	const extraColumns = new Set(['appearances', ...Array.from({ length: total }, (_, k) => `${period}_${k}`)]);
	return { rows, extraColumns, includeRecordings: false, range };
}
