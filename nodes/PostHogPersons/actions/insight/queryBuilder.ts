import type { IDataObject } from 'n8n-workflow';

/**
 * Pure builders of the Query API bodies behind the five Insight operations
 * (query-actors.md §2–§6). Nothing here talks HTTP or reads node parameters, so every body
 * the node can send is built (and testable) from plain values:
 *
 * - `buildInsightQuery`: the insight query (FunnelsQuery, TrendsQuery, ...) from the typed
 *   "Defined in Node" fields;
 * - `extractInsightSource`: the insight query out of a saved insight's `query` or raw JSON;
 * - `checkSelector`: the rules of each kind's data point that need no insight (run before any
 *   request);
 * - `buildActorsQuery`: the ActorsQuery for one data point of an insight query.
 *
 * Wrong input throws `InsightInputError` (message, how to fix it, the field at fault); the
 * operations turn it into a NodeOperationError with the item index.
 */

export type InsightKind = 'funnel' | 'funnelCorrelation' | 'trends' | 'lifecycle' | 'stickiness';

/** The insight query kind each operation works on. */
export const SOURCE_QUERY_KIND: Record<InsightKind, string> = {
	funnel: 'FunnelsQuery',
	funnelCorrelation: 'FunnelsQuery',
	trends: 'TrendsQuery',
	lifecycle: 'LifecycleQuery',
	stickiness: 'StickinessQuery',
};

/** Operation display names (also the `name` of the query in PostHog's query log). */
export const OPERATION_NAMES: Record<InsightKind, string> = {
	funnel: 'Get Funnel Persons',
	funnelCorrelation: 'Get Funnel Correlation Persons',
	trends: 'Get Trends Persons',
	lifecycle: 'Get Lifecycle Persons',
	stickiness: 'Get Stickiness Persons',
};

const OPERATION_FOR_SOURCE_KIND: Record<string, string> = {
	FunnelsQuery: 'Get Funnel Persons (or Get Funnel Correlation Persons)',
	TrendsQuery: 'Get Trends Persons',
	LifecycleQuery: 'Get Lifecycle Persons',
	StickinessQuery: 'Get Stickiness Persons',
};

const INSIGHT_LABEL: Record<string, string> = {
	FunnelsQuery: 'a funnel',
	TrendsQuery: 'a trends',
	LifecycleQuery: 'a lifecycle',
	StickinessQuery: 'a stickiness',
	RetentionQuery: 'a retention',
	PathsQuery: 'a paths',
};

/** Trends displays that show one value for the whole date range: `day` must not be sent. */
export const TOTAL_VALUE_DISPLAYS = new Set([
	'BoldNumber',
	'ActionsPie',
	'ActionsBarValue',
	'ActionsTable',
	'WorldMap',
	'CalendarHeatmap',
	'Progress',
]);

export const LIFECYCLE_STATUSES = ['new', 'returning', 'resurrecting', 'dormant'];

/** PostHog's breakdown buckets for "none" and "other" (trends). */
export const BREAKDOWN_NULL = '$$_posthog_breakdown_null_$$';
export const BREAKDOWN_OTHER = '$$_posthog_breakdown_other_$$';

/** Invalid input, found before anything is sent. `field` is the display name of the field at fault. */
export class InsightInputError extends Error {
	constructor(
		message: string,
		readonly description: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'InsightInputError';
	}
}

// ------------------------------------------------------------------ values

const RELATIVE_DATE_RE = /^(-?\d+[hdwmqy](Start)?|[hdwmqy]Start|all)$/;
const ABSOLUTE_DATE_RE =
	/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function isValidCalendarDate(text: string): boolean {
	const [year, month, day] = text.slice(0, 10).split('-').map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A date or date-time as PostHog's query parser takes it (ISO 8601, date-only allowed). */
export function isAbsoluteDate(text: string): boolean {
	return ABSOLUTE_DATE_RE.test(text) && isValidCalendarDate(text);
}

/** Date range bound: relative (`-30d`, `-1mStart`, `all`) or absolute (`2024-01-15`, ISO date-time). */
export function isDateRangeValue(text: string): boolean {
	return RELATIVE_DATE_RE.test(text) || isAbsoluteDate(text);
}

/** Text of a date parameter (a string, or a Luxon DateTime / JS Date from an expression). */
export function dateText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		return String((value as { toISO: () => string }).toISO());
	}
	return String(value).trim();
}

function checkDay(value: string | undefined, field: string, example: string): string | undefined {
	const text = (value ?? '').trim();
	if (text === '') return undefined;
	if (!isAbsoluteDate(text)) {
		throw new InsightInputError(
			`"${text}" in ${field} is not a date`,
			`Give the date as PostHog shows it for the data point, for example ${example} (YYYY-MM-DD, optionally with a time HH:MM:SS). Relative dates like -7d are not accepted here.`,
			field,
		);
	}
	return text;
}

function positiveInteger(value: unknown): number | undefined {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
	return typeof number === 'number' && Number.isInteger(number) && number >= 1 ? number : undefined;
}

// ------------------------------------------------------------------ "Defined in Node"

export interface SeriesInput {
	type: 'event' | 'action';
	/** Event name (type event). */
	event?: string;
	/** Action ID (type action). */
	actionId?: number | string;
	/** Aggregation (trends and stickiness only), e.g. total, dau. */
	math?: string;
}

export interface DefinedInsightInput {
	series: SeriesInput[];
	dateFrom?: string;
	dateTo?: string;
	interval?: string;
	/** Query-wide property filters (event or person), as helpers/filters.ts builds them. */
	properties?: IDataObject[];
	filterTestAccounts?: boolean;
	breakdownProperty?: string;
	breakdownType?: string;
	/** Trends: compare with the previous period. */
	compare?: boolean;
	/** Trends: one value for the whole range (display ActionsBarValue) instead of a value per interval. */
	totalValue?: boolean;
	/** Funnels */
	funnelVizType?: string;
	funnelOrderType?: string;
	funnelWindowInterval?: number;
	funnelWindowIntervalUnit?: string;
}

const INTERVALS = ['hour', 'day', 'week', 'month'];
const FUNNEL_WINDOW_UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month'];
const FUNNEL_ORDER_TYPES = ['ordered', 'strict', 'unordered'];
const FUNNEL_VIZ_TYPES = ['steps', 'trends'];
const BREAKDOWN_TYPES = ['event', 'person'];

function seriesNode(kind: InsightKind, entry: SeriesInput, index: number): IDataObject {
	const label = kind === 'funnel' || kind === 'funnelCorrelation' ? `Step ${index + 1}` : `Series ${index + 1}`;
	let node: IDataObject;
	if (entry.type === 'action') {
		const id = positiveInteger(entry.actionId);
		if (id === undefined) {
			throw new InsightInputError(
				`${label} has no valid action ID`,
				'Give the numeric ID of the action (from the action\'s URL in PostHog, e.g. 12 in /data-management/actions/12).',
				'Action ID',
			);
		}
		node = { kind: 'ActionsNode', id };
	} else {
		const event = String(entry.event ?? '').trim();
		if (event === '') {
			throw new InsightInputError(
				`${label} has no event name`,
				'Fill in the event name exactly as PostHog stores it, e.g. $pageview or signed_up.',
				'Event Name',
			);
		}
		node = { kind: 'EventsNode', event, name: event };
	}
	if (entry.math && (kind === 'trends' || kind === 'stickiness')) node.math = entry.math;
	return node;
}

function checkOption(value: string | undefined, allowed: string[], field: string): string | undefined {
	if (value === undefined || value === '') return undefined;
	if (!allowed.includes(value)) {
		throw new InsightInputError(
			`"${value}" is not a valid ${field}`,
			`Use one of: ${allowed.join(', ')}.`,
			field,
		);
	}
	return value;
}

/** The insight query of the "Defined in Node" fields. */
export function buildInsightQuery(kind: InsightKind, input: DefinedInsightInput): IDataObject {
	const isFunnel = kind === 'funnel' || kind === 'funnelCorrelation';
	const series = (input.series ?? []).map((entry, index) => seriesNode(kind, entry, index));
	const minimum = isFunnel ? 2 : 1;
	if (series.length < minimum) {
		throw new InsightInputError(
			isFunnel ? 'A funnel needs at least two steps' : 'The insight needs at least one series',
			isFunnel
				? 'Add two or more steps (events or actions) under Steps, in the order persons go through them.'
				: 'Add an event or an action under Series.',
			isFunnel ? 'Steps' : 'Series',
		);
	}
	if (kind === 'lifecycle' && series.length > 1) {
		throw new InsightInputError(
			'A lifecycle insight has exactly one series',
			'Keep one event or action under Series (PostHog\'s lifecycle insight has a single series).',
			'Series',
		);
	}
	const query: IDataObject = { kind: SOURCE_QUERY_KIND[kind], series };

	const dateFrom = dateText(input.dateFrom);
	const dateTo = dateText(input.dateTo);
	for (const [value, field] of [
		[dateFrom, 'Date From'],
		[dateTo, 'Date To'],
	]) {
		if (value !== '' && !isDateRangeValue(value)) {
			throw new InsightInputError(
				`"${value}" in ${field} is not a date PostHog understands`,
				'Use a relative date like -7d, -30d, -2w, -3m, -1mStart or all, or a date like 2024-01-15 (optionally with a time, 2024-01-15T10:00:00Z).',
				field,
			);
		}
	}
	const dateRange: IDataObject = {};
	if (dateFrom !== '') dateRange.date_from = dateFrom;
	if (dateTo !== '') dateRange.date_to = dateTo;
	if (Object.keys(dateRange).length > 0) query.dateRange = dateRange;

	const interval = checkOption(input.interval, INTERVALS, 'Interval');
	if (interval) query.interval = interval;
	if (input.properties && input.properties.length > 0) query.properties = input.properties;
	if (input.filterTestAccounts) query.filterTestAccounts = true;

	const breakdownProperty = String(input.breakdownProperty ?? '').trim();
	if (breakdownProperty !== '') {
		if (kind === 'lifecycle' || kind === 'stickiness') {
			throw new InsightInputError(
				`${kind === 'lifecycle' ? 'Lifecycle' : 'Stickiness'} insights have no breakdown`,
				'Remove Breakdown Property (PostHog does not break these insights down).',
				'Breakdown Property',
			);
		}
		const breakdownType = checkOption(input.breakdownType || 'event', BREAKDOWN_TYPES, 'Breakdown Type');
		query.breakdownFilter = { breakdown_type: breakdownType, breakdown: breakdownProperty };
	}

	if (kind === 'trends') {
		if (input.compare) query.compareFilter = { compare: true };
		if (input.totalValue) query.trendsFilter = { display: 'ActionsBarValue' };
	}

	if (isFunnel) {
		const funnelsFilter: IDataObject = {};
		const vizType = checkOption(input.funnelVizType, FUNNEL_VIZ_TYPES, 'Funnel Type');
		if (vizType) funnelsFilter.funnelVizType = vizType;
		const orderType = checkOption(input.funnelOrderType, FUNNEL_ORDER_TYPES, 'Step Order');
		if (orderType) funnelsFilter.funnelOrderType = orderType;
		if (input.funnelWindowInterval !== undefined && input.funnelWindowInterval !== null) {
			const windowInterval = positiveInteger(input.funnelWindowInterval);
			if (windowInterval === undefined) {
				throw new InsightInputError(
					`Conversion Window must be a whole number of at least 1 (got ${input.funnelWindowInterval})`,
					'Set Conversion Window to how long persons have to complete the funnel, e.g. 14 (days).',
					'Conversion Window',
				);
			}
			funnelsFilter.funnelWindowInterval = windowInterval;
		}
		const unit = checkOption(input.funnelWindowIntervalUnit, FUNNEL_WINDOW_UNITS, 'Conversion Window Unit');
		if (unit) funnelsFilter.funnelWindowIntervalUnit = unit;
		if (Object.keys(funnelsFilter).length > 0) query.funnelsFilter = funnelsFilter;
	}
	return query;
}

// ------------------------------------------------------------------ saved insight / raw JSON

/**
 * The insight query out of a saved insight's `query`, or out of raw JSON: an insight query
 * itself, an InsightVizNode, or a whole insight object (`{query: ...}`). Checks that it is a
 * product-analytics insight of the kind the operation needs; the source is returned unchanged.
 */
export function extractInsightSource(kind: InsightKind, value: unknown, label: string): IDataObject {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new InsightInputError(
			`${label} has no insight query`,
			'Expected a JSON object such as {"kind": "TrendsQuery", "series": [...]} or an insight\'s {"kind": "InsightVizNode", "source": {...}}.',
		);
	}
	let node = value as IDataObject;
	if (node.kind === undefined && node.query && typeof node.query === 'object') node = node.query as IDataObject;
	if (node.kind === 'InsightVizNode') {
		node = (node.source ?? {}) as IDataObject;
	} else if (node.kind === 'DataVisualizationNode' || node.kind === 'DataTableNode' || node.kind === 'HogQLQuery') {
		throw new InsightInputError(
			`${label} is a SQL or table insight (${String(node.kind)}), not a chart insight`,
			'Only funnel, trends, lifecycle and stickiness insights (PostHog\'s product analytics charts, kind InsightVizNode) have persons behind their data points. Pick such an insight.',
		);
	}
	const sourceKind = typeof node.kind === 'string' ? node.kind : undefined;
	const wanted = SOURCE_QUERY_KIND[kind];
	if (!sourceKind) {
		throw new InsightInputError(
			`${label} has no "kind"`,
			`Expected a ${wanted} (a JSON object with "kind": "${wanted}"), or an InsightVizNode wrapping one.`,
		);
	}
	if (sourceKind !== wanted) {
		const what = INSIGHT_LABEL[sourceKind] ? `${INSIGHT_LABEL[sourceKind]} insight` : `a ${sourceKind}`;
		const use = OPERATION_FOR_SOURCE_KIND[sourceKind];
		throw new InsightInputError(
			`${label} is ${what} (${sourceKind}), but ${OPERATION_NAMES[kind]} needs ${INSIGHT_LABEL[wanted]} insight (${wanted})`,
			use
				? `Use the operation ${use} for this insight, or pick ${INSIGHT_LABEL[wanted]} insight.`
				: `The node has no persons operation for ${sourceKind}. Pick ${INSIGHT_LABEL[wanted]} insight.`,
		);
	}
	if (!Array.isArray(node.series) || node.series.length === 0) {
		throw new InsightInputError(`${label} has no series`, `A ${wanted} needs at least one series (events or actions).`);
	}
	return node;
}

// ------------------------------------------------------------------ data point selectors

export interface FunnelSelector {
	/** converted = reached the step; droppedOff = reached the step before but not this one. */
	outcome: 'converted' | 'droppedOff';
	/** 1-based step (steps funnels). */
	step?: number;
	/** Breakdown value of the series (funnels with a breakdown). */
	breakdownValue?: string;
	/** Entrance period start (conversion-over-time funnels). */
	entrancePeriodStart?: string;
}

export interface CorrelationSelector {
	correlationType: 'events' | 'properties' | 'event_with_properties';
	/** events / event_with_properties */
	eventName?: string;
	/** event_with_properties: the event property and its value */
	eventPropertyKey?: string;
	eventPropertyValue?: string;
	/** properties: person property values */
	propertyValues?: Array<{ key: string; value: string }>;
	persons: 'converted' | 'droppedOff' | 'both';
}

export interface TrendsSelector {
	/** 1-based position, or the series' name (custom name, action name or event). */
	series: string;
	day?: string;
	breakdownValue?: string;
	compare?: 'current' | 'previous';
}

export interface LifecycleSelector {
	status: string;
	day?: string;
}

export interface StickinessSelector {
	/** Number of intervals (days, weeks, ...) the persons were active in. */
	intervals: number;
	/** 1-based position, or the series' name. */
	series: string;
}

export type SelectorFor = {
	funnel: FunnelSelector;
	funnelCorrelation: CorrelationSelector;
	trends: TrendsSelector;
	lifecycle: LifecycleSelector;
	stickiness: StickinessSelector;
};

export interface ActorsQueryOptions {
	/** Add the `matched_recordings` column (funnel, correlation and trends). */
	includeRecordings?: boolean;
}

/** Step rules of steps funnels: a whole number ≥ 1, and ≥ 2 for drop-offs. */
function checkFunnelStep(selector: FunnelSelector): number {
	if (selector.step === undefined || selector.step === null || Number.isNaN(Number(selector.step))) {
		throw new InsightInputError(
			'No step given',
			'Fill in Step: the step (counted from 1) whose converted or dropped-off persons you want.',
			'Step',
		);
	}
	const step = Number(selector.step);
	if (!Number.isInteger(step) || step < 1) {
		throw new InsightInputError(
			`Step must be a whole number of at least 1 (got ${String(selector.step)})`,
			'Steps are counted from 1: step 1 is the first event of the funnel (everyone who entered).',
			'Step',
		);
	}
	if (selector.outcome === 'droppedOff' && step < 2) {
		throw new InsightInputError(
			'Nobody can drop off at step 1',
			'Dropping off at step N means reaching step N−1 but not step N, so N starts at 2. To get everyone who entered the funnel, choose "Converted Through Step" with step 1.',
			'Step',
		);
	}
	return step;
}

function checkFunnelSelector(selector: FunnelSelector): void {
	if (selector.outcome !== 'converted' && selector.outcome !== 'droppedOff') {
		throw new InsightInputError(
			`"${String(selector.outcome)}" is not a funnel data point`,
			'Choose "Converted Through Step" or "Dropped Off at Step".',
			'Data Point',
		);
	}
	const entrancePeriodStart = checkDay(selector.entrancePeriodStart, 'Entrance Period Start', '2024-01-15 or 2024-01-15 00:00:00');
	// With an entrance period the data point is one of a conversion-over-time funnel, which has
	// no step; whether the funnel is one is only known with the insight (buildActorsQuery).
	if (entrancePeriodStart === undefined) checkFunnelStep(selector);
}

function checkCorrelationSelector(selector: CorrelationSelector): void {
	const types = ['events', 'properties', 'event_with_properties'];
	if (!types.includes(selector.correlationType)) {
		throw new InsightInputError(
			`"${String(selector.correlationType)}" is not a correlation type`,
			'Choose Event, Event With Property or Person Property.',
			'Correlation Type',
		);
	}
	if (!['converted', 'droppedOff', 'both'].includes(selector.persons)) {
		throw new InsightInputError(
			`"${String(selector.persons)}" is not a choice of persons`,
			'Choose Converted, Dropped Off or Both.',
			'Persons',
		);
	}
	if (selector.correlationType !== 'properties' && String(selector.eventName ?? '').trim() === '') {
		throw new InsightInputError(
			'No correlated event given',
			'Fill in Correlated Event with the event name from the correlation table, e.g. viewed_pricing (for "event::property::value" take the part before the first ::).',
			'Correlated Event',
		);
	}
	if (selector.correlationType === 'event_with_properties' && String(selector.eventPropertyKey ?? '').trim() === '') {
		throw new InsightInputError(
			'No event property given',
			'Fill in Event Property with the property of the correlated event, e.g. $browser (the middle part of "event::property::value").',
			'Event Property',
		);
	}
	if (selector.correlationType === 'properties') {
		const values = (selector.propertyValues ?? []).filter((entry) => String(entry.key ?? '').trim() !== '');
		if (values.length === 0) {
			throw new InsightInputError(
				'No correlated person property given',
				'Add the person property and value from the correlation table under Person Properties, e.g. plan = pro (for "plan::pro").',
				'Person Properties',
			);
		}
	}
}

function checkTrendsSelector(selector: TrendsSelector): void {
	checkSeriesReference(selector.series);
	checkDay(selector.day, 'Day', '2024-01-15 (daily), 2024-01-15 13:00:00 (hourly), the week\'s start or the 1st of the month');
	if (selector.compare !== undefined && selector.compare !== 'current' && selector.compare !== 'previous') {
		throw new InsightInputError(
			`"${String(selector.compare)}" is not a period`,
			'Choose Current Period or Previous Period.',
			'Period',
		);
	}
}

function checkLifecycleSelector(selector: LifecycleSelector): void {
	if (!LIFECYCLE_STATUSES.includes(selector.status)) {
		throw new InsightInputError(
			`"${String(selector.status)}" is not a lifecycle status`,
			`Use one of: ${LIFECYCLE_STATUSES.join(', ')}.`,
			'Status',
		);
	}
	if (checkDay(selector.day, 'Day', '2024-01-15') === undefined) {
		throw new InsightInputError(
			'No day given',
			'Fill in Day with a date of the period whose bar you would click in PostHog, e.g. 2024-01-15 (any time inside the period works).',
			'Day',
		);
	}
}

function checkStickinessSelector(selector: StickinessSelector): void {
	const intervals = positiveInteger(selector.intervals);
	if (intervals === undefined) {
		throw new InsightInputError(
			`Active Intervals must be a whole number of at least 1 (got ${String(selector.intervals)})`,
			'Stickiness counts the intervals (days, weeks, ...) a person was active in: 1, 2, 3, ... as on the x-axis of the chart.',
			'Active Intervals',
		);
	}
	checkSeriesReference(selector.series);
}

function checkSeriesReference(reference: string | number | undefined): void {
	const text = String(reference ?? '').trim();
	if (text === '') {
		throw new InsightInputError(
			'No series given',
			'Fill in the series: its position (1 for the first, A in PostHog; 2 for B; ...) or its name.',
			'Series',
		);
	}
	if (/^-?\d+(\.\d+)?$/.test(text) && (!Number.isInteger(Number(text)) || Number(text) < 1)) {
		throw new InsightInputError(
			`Series position must be a whole number of at least 1 (got ${text})`,
			'Series are counted from 1 (A in PostHog is 1, B is 2, ...).',
			'Series',
		);
	}
}

/** Checks a data point selector before anything is sent (rules that need no insight). */
export function checkSelector<K extends InsightKind>(kind: K, selector: SelectorFor[K]): void {
	switch (kind) {
		case 'funnel':
			return checkFunnelSelector(selector as FunnelSelector);
		case 'funnelCorrelation':
			return checkCorrelationSelector(selector as CorrelationSelector);
		case 'trends':
			return checkTrendsSelector(selector as TrendsSelector);
		case 'lifecycle':
			return checkLifecycleSelector(selector as LifecycleSelector);
		case 'stickiness':
			return checkStickinessSelector(selector as StickinessSelector);
	}
	throw new InsightInputError(`Unknown insight kind "${String(kind)}"`, 'Pick one of the Insight operations.');
}

/** Display name of a series node, as PostHog labels it. */
function seriesLabel(node: IDataObject): string {
	return String(node.custom_name ?? node.name ?? node.event ?? (node.kind === 'ActionsNode' ? `action ${String(node.id)}` : 'all events'));
}

/** 0-based index of a series from its 1-based position or its name (custom name, name or event). */
export function resolveSeriesIndex(series: IDataObject[], reference: string | number): number {
	const text = String(reference).trim();
	if (/^\d+$/.test(text)) {
		const position = Number(text);
		if (position < 1 || position > series.length) {
			throw new InsightInputError(
				`The insight has ${series.length} series; there is no series ${position}`,
				`Series are counted from 1 (A in PostHog is 1). This insight's series: ${series.map((node, index) => `${index + 1} = ${seriesLabel(node)}`).join(', ')}.`,
				'Series',
			);
		}
		return position - 1;
	}
	for (const key of ['custom_name', 'name', 'event'] as const) {
		const matches = series.map((node, index) => (node[key] === text ? index : -1)).filter((index) => index >= 0);
		if (matches.length === 1) return matches[0];
		if (matches.length > 1) {
			throw new InsightInputError(
				`Several series of the insight are named "${text}" (positions ${matches.map((index) => index + 1).join(', ')})`,
				'Give the series by its position instead (1 for the first, A in PostHog).',
				'Series',
			);
		}
	}
	throw new InsightInputError(
		`The insight has no series named "${text}"`,
		`Give the series by its position (1 = first) or its name. This insight's series: ${series.map((node, index) => `${index + 1} = ${seriesLabel(node)}`).join(', ')}.`,
		'Series',
	);
}

function parseJsonArray(text: string, field: string): unknown[] {
	try {
		const parsed = JSON.parse(text) as unknown;
		if (Array.isArray(parsed)) return parsed;
	} catch {
		// handled below
	}
	throw new InsightInputError(
		`${field} "${text}" is not a JSON array`,
		'For a breakdown by several properties, give one value per property as a JSON array, e.g. ["Chrome", "US"].',
		field,
	);
}

function breakdownOf(source: IDataObject): IDataObject | undefined {
	const filter = source.breakdownFilter as IDataObject | undefined;
	if (!filter) return undefined;
	const hasSingle = filter.breakdown !== undefined && filter.breakdown !== null && filter.breakdown !== '';
	const hasMulti = Array.isArray(filter.breakdowns) && filter.breakdowns.length > 0;
	return hasSingle || hasMulti ? filter : undefined;
}

function noBreakdownError(): InsightInputError {
	return new InsightInputError(
		'The insight has no breakdown, but a Breakdown Value is set',
		'Clear Breakdown Value, or use an insight that is broken down by a property.',
		'Breakdown Value',
	);
}

/**
 * A breakdown value in the shape PostHog compares it with: for funnels an array for
 * property breakdowns, an integer for cohorts, a string for groups; for trends a string, an
 * integer for cohorts, an array for several breakdowns (query-actors.md §3.1, §3.3).
 */
export function breakdownValueFor(kind: 'funnel' | 'trends', source: IDataObject, raw: string): unknown {
	const text = raw.trim();
	const filter = breakdownOf(source);
	if (!filter) throw noBreakdownError();
	const multi = Array.isArray(filter.breakdowns) && filter.breakdowns.length > 0;
	const type = String(filter.breakdown_type ?? 'event');
	if (multi) {
		const values = text.startsWith('[') ? parseJsonArray(text, 'Breakdown Value') : [text];
		if (values.length !== (filter.breakdowns as unknown[]).length) {
			throw new InsightInputError(
				`The insight is broken down by ${(filter.breakdowns as unknown[]).length} properties, but Breakdown Value has ${values.length} value(s)`,
				'Give one value per breakdown property, as a JSON array in the order of the breakdowns, e.g. ["Chrome", "US"].',
				'Breakdown Value',
			);
		}
		return values.map((value) => (typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value)));
	}
	if (type === 'cohort') {
		if (text === 'all') return 'all';
		if (!/^\d+$/.test(text)) {
			throw new InsightInputError(
				`Breakdown Value "${text}" is not a cohort ID`,
				'The insight is broken down by cohorts: give the numeric ID of the cohort (or "all" for all users).',
				'Breakdown Value',
			);
		}
		return Number(text);
	}
	if (kind === 'funnel') {
		if (type === 'group') return text;
		return text.startsWith('[') ? parseJsonArray(text, 'Breakdown Value') : [text];
	}
	return text;
}

function compareOf(source: IDataObject): boolean {
	return (source.compareFilter as IDataObject | undefined)?.compare === true;
}

function funnelActorsSource(
	source: IDataObject,
	selector: FunnelSelector,
	options: ActorsQueryOptions,
): IDataObject {
	const vizType = String((source.funnelsFilter as IDataObject | undefined)?.funnelVizType ?? 'steps');
	const actors: IDataObject = { kind: 'FunnelsActorsQuery', source };
	if (vizType === 'trends') {
		const start = checkDay(selector.entrancePeriodStart, 'Entrance Period Start', '2024-01-15 00:00:00');
		if (start === undefined) {
			throw new InsightInputError(
				'This funnel shows conversion over time: Entrance Period Start is needed',
				'Fill in Entrance Period Start with the point of the conversion-over-time chart whose persons you want (the start of the period they entered the funnel in, e.g. 2024-01-15 00:00:00). Step is not used for these funnels.',
				'Entrance Period Start',
			);
		}
		actors.funnelTrendsDropOff = selector.outcome === 'droppedOff';
		actors.funnelTrendsEntrancePeriodStart = start;
	} else {
		if ((selector.entrancePeriodStart ?? '').trim() !== '') {
			throw new InsightInputError(
				'This funnel shows conversion through steps, not over time: Entrance Period Start does not apply',
				'Clear Entrance Period Start and pick the funnel step with Step and Data Point.',
				'Entrance Period Start',
			);
		}
		const step = checkFunnelStep(selector);
		const steps = (source.series as unknown[]).length;
		if (step > steps) {
			throw new InsightInputError(
				`The funnel has ${steps} steps; there is no step ${step}`,
				`Use a step from ${selector.outcome === 'droppedOff' ? 2 : 1} to ${steps}.`,
				'Step',
			);
		}
		actors.funnelStep = selector.outcome === 'droppedOff' ? -step : step;
	}
	const breakdown = (selector.breakdownValue ?? '').trim();
	if (breakdown !== '') actors.funnelStepBreakdown = breakdownValueFor('funnel', source, breakdown) as IDataObject[string];
	if (options.includeRecordings) actors.includeRecordings = true;
	return actors;
}

function correlationActorsSource(
	source: IDataObject,
	selector: CorrelationSelector,
	options: ActorsQueryOptions,
): IDataObject {
	// Same nesting as PostHog's correlation table (funnelPersonsModalLogic.ts): the funnel's persons
	// from step 1, then the persons who did the correlated event / have the property value.
	const funnelActors: IDataObject = { kind: 'FunnelsActorsQuery', source, funnelStep: 1 };
	if (options.includeRecordings) funnelActors.includeRecordings = true;
	const correlation: IDataObject = {
		kind: 'FunnelCorrelationQuery',
		source: funnelActors,
		funnelCorrelationType: selector.correlationType,
	};
	const actors: IDataObject = { kind: 'FunnelCorrelationActorsQuery', source: correlation };
	if (selector.persons !== 'both') actors.funnelCorrelationPersonConverted = selector.persons === 'converted';
	// PostHog's correlation runner reads the flag of the inner FunnelsActorsQuery (as its UI sets
	// it); the outer node carries it too, for the ActorsQuery runner's matched_recordings column.
	if (options.includeRecordings) actors.includeRecordings = true;
	const event = String(selector.eventName ?? '').trim();
	if (selector.correlationType === 'events') {
		actors.funnelCorrelationPersonEntity = { kind: 'EventsNode', event };
	} else if (selector.correlationType === 'event_with_properties') {
		actors.funnelCorrelationPersonEntity = {
			kind: 'EventsNode',
			event,
			properties: [
				{
					key: String(selector.eventPropertyKey).trim(),
					value: String(selector.eventPropertyValue ?? ''),
					type: 'event',
					operator: 'exact',
				},
			],
		};
	} else {
		actors.funnelCorrelationPropertyValues = (selector.propertyValues ?? [])
			.filter((entry) => String(entry.key ?? '').trim() !== '')
			.map((entry) => ({
				key: String(entry.key).trim(),
				value: String(entry.value ?? ''),
				type: 'person',
				operator: 'exact',
			}));
	}
	return actors;
}

function trendsActorsSource(source: IDataObject, selector: TrendsSelector, options: ActorsQueryOptions): IDataObject {
	const series = resolveSeriesIndex(source.series as IDataObject[], selector.series);
	const display = String((source.trendsFilter as IDataObject | undefined)?.display ?? 'ActionsLineGraph');
	const totalValue = TOTAL_VALUE_DISPLAYS.has(display);
	const day = checkDay(selector.day, 'Day', '2024-01-15');
	if (totalValue && day !== undefined) {
		throw new InsightInputError(
			`This trends insight shows one value for the whole date range (${display}), so it has no days`,
			'Clear Day: the persons of a total-value chart are those of the whole date range.',
			'Day',
		);
	}
	if (!totalValue && day === undefined) {
		throw new InsightInputError(
			'No day given',
			'Fill in Day with the start of the interval whose point you would click in PostHog, e.g. 2024-01-15 for a daily chart (for weekly charts the week\'s first day, for monthly the 1st).',
			'Day',
		);
	}
	const actors: IDataObject = { kind: 'InsightActorsQuery', source, series };
	if (day !== undefined) actors.day = day;
	const breakdown = (selector.breakdownValue ?? '').trim();
	if (breakdown !== '') actors.breakdown = breakdownValueFor('trends', source, breakdown) as IDataObject[string];
	if (compareOf(source)) {
		actors.compare = selector.compare ?? 'current';
	} else if (selector.compare === 'previous') {
		throw new InsightInputError(
			'The insight does not compare with the previous period',
			'Choose Current Period, or turn on "Compare to previous period" in the insight.',
			'Period',
		);
	}
	if (options.includeRecordings) actors.includeRecordings = true;
	return actors;
}

function lifecycleActorsSource(source: IDataObject, selector: LifecycleSelector): IDataObject {
	return { kind: 'InsightActorsQuery', source, day: (selector.day ?? '').trim(), status: selector.status };
}

function stickinessActorsSource(source: IDataObject, selector: StickinessSelector): IDataObject {
	// PostHog's stickiness actors query ignores `series` and `compare` and unions all series of
	// both periods (query-actors.md §3.5): send a source with only the chosen series, current period.
	const index = resolveSeriesIndex(source.series as IDataObject[], selector.series);
	const single: IDataObject = { ...source, series: [(source.series as IDataObject[])[index]] };
	delete single.compareFilter;
	return { kind: 'InsightActorsQuery', source: single, day: Number(selector.intervals) };
}

/**
 * The ActorsQuery for one data point of an insight query (without limit/offset, which the
 * paging adds). Checks the selector against the insight (steps, series, days, breakdown).
 */
export function buildActorsQuery<K extends InsightKind>(
	kind: K,
	source: IDataObject,
	selector: SelectorFor[K],
	options: ActorsQueryOptions = {},
): IDataObject {
	checkSelector(kind, selector);
	const recordings = options.includeRecordings === true && (kind === 'funnel' || kind === 'funnelCorrelation' || kind === 'trends');
	const actorOptions = { includeRecordings: recordings };
	let actorsSource: IDataObject;
	switch (kind) {
		case 'funnel':
			actorsSource = funnelActorsSource(source, selector as FunnelSelector, actorOptions);
			break;
		case 'funnelCorrelation':
			actorsSource = correlationActorsSource(source, selector as CorrelationSelector, actorOptions);
			break;
		case 'trends':
			actorsSource = trendsActorsSource(source, selector as TrendsSelector, actorOptions);
			break;
		case 'lifecycle':
			actorsSource = lifecycleActorsSource(source, selector as LifecycleSelector);
			break;
		default:
			actorsSource = stickinessActorsSource(source, selector as StickinessSelector);
	}
	const select = ['actor'];
	if (kind === 'trends') select.push('event_count');
	if (recordings) select.push('matched_recordings');
	const query: IDataObject = { kind: 'ActorsQuery', select, source: actorsSource };
	// Trends: like PostHog's persons modal, most events first. Others: no orderBy = by person id,
	// which keeps limit/offset pages stable (query-actors.md §2.3).
	if (kind === 'trends') query.orderBy = ['event_count DESC', 'actor_id DESC'];
	return query;
}
