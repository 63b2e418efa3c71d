import type { IDataObject } from 'n8n-workflow';

import { dateText, isDateRangeValue } from '../../helpers/dates';
import { buildPropertyFilters } from '../../helpers/filters';
import type { ParameterReader } from '../../helpers/parameters';
import { locatorValue } from '../../helpers/parameters';
import { InsightInputError, checkOption, wholeNumber } from './dataPointChecks';
import type { InsightKind } from './kinds';
import { INSIGHT_KINDS } from './kinds';

/**
 * The insight query of the "Defined in Node" fields of funnel, correlation, trends, lifecycle
 * and stickiness operations, and the pieces retention and paths share with them (events or
 * actions, date range, filters). Pure builders from plain values, plus the reading of the fields.
 */

export type SeriesKind = Exclude<InsightKind, 'retention' | 'paths'>;

export interface EntityInput {
	type: 'event' | 'action';
	/** Event name (type event). */
	event?: string;
	/** Action ID (type action). */
	actionId?: number | string;
}

export interface SeriesInput extends EntityInput {
	/** Aggregation (trends and stickiness only), e.g. total, dau. */
	math?: string;
}

/**
 * What every defined insight has: Date From (on screen), and Date To, property filters and the
 * test-account filter (Insight Settings, `rangeAndFilterSettings`).
 */
export interface RangeAndFilters {
	dateFrom?: string;
	dateTo?: string;
	/** Query-wide property filters (event or person), as helpers/filters.ts builds them. */
	properties?: IDataObject[];
	filterTestAccounts?: boolean;
}

export interface DefinedInsightInput extends RangeAndFilters {
	series: SeriesInput[];
	interval?: string;
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

/** The event name or action ID of an entity, checked; `label` names it in errors ("Step 2"). */
export function entityReference(entry: EntityInput, label: string): { event: string } | { actionId: number } {
	if (entry.type === 'action') {
		const id = wholeNumber(entry.actionId);
		if (id === undefined) {
			throw new InsightInputError(
				`${label} has no valid action ID`,
				"Pick the action from the list, or give its numeric ID (from the action's URL in PostHog, e.g. 12 in /data-management/actions/12).",
				'Action',
			);
		}
		return { actionId: id };
	}
	const event = String(entry.event ?? '').trim();
	if (event === '') {
		throw new InsightInputError(
			`${label} has no event name`,
			'Pick the event from the list, or type its name exactly as PostHog stores it, e.g. $pageview or signed_up.',
			'Event Name',
		);
	}
	return { event };
}

function seriesNode(kind: SeriesKind, entry: SeriesInput, index: number): IDataObject {
	const label = kind === 'funnel' || kind === 'funnelCorrelation' ? `Step ${index + 1}` : `Series ${index + 1}`;
	const reference = entityReference(entry, label);
	const node: IDataObject =
		'actionId' in reference
			? { kind: 'ActionsNode', id: reference.actionId }
			: { kind: 'EventsNode', event: reference.event, name: reference.event };
	if (entry.math && (kind === 'trends' || kind === 'stickiness')) node.math = entry.math;
	return node;
}

/** `dateRange` from Date From / Date To (relative or absolute), checked. */
function dateRangeOf(dateFromValue: unknown, dateToValue: unknown): IDataObject | undefined {
	const dateFrom = dateText(dateFromValue);
	const dateTo = dateText(dateToValue);
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
	return Object.keys(dateRange).length > 0 ? dateRange : undefined;
}

/** Adds the date range (checked), the property filters and the test-account filter to an insight query. */
export function addRangeAndFilters(query: IDataObject, input: RangeAndFilters): void {
	const dateRange = dateRangeOf(input.dateFrom, input.dateTo);
	if (dateRange) query.dateRange = dateRange;
	if (input.properties && input.properties.length > 0) query.properties = input.properties;
	if (input.filterTestAccounts) query.filterTestAccounts = true;
}

/** `breakdownFilter` from Breakdown Property / Type, or undefined without a property. */
export function breakdownFilterOf(property: string | undefined, type: string | undefined): IDataObject | undefined {
	const breakdown = String(property ?? '').trim();
	if (breakdown === '') return undefined;
	return { breakdown_type: checkOption(type || 'event', BREAKDOWN_TYPES, 'Breakdown Type'), breakdown };
}

/** The insight query of the "Defined in Node" fields. */
export function buildInsightQuery(kind: SeriesKind, input: DefinedInsightInput): IDataObject {
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
			"Keep one event or action under Series (PostHog's lifecycle insight has a single series).",
			'Series',
		);
	}
	const query: IDataObject = { kind: INSIGHT_KINDS[kind].sourceKind, series };
	addRangeAndFilters(query, input);
	const interval = checkOption(input.interval, INTERVALS, 'Interval');
	if (interval) query.interval = interval;

	if (String(input.breakdownProperty ?? '').trim() !== '' && (kind === 'lifecycle' || kind === 'stickiness')) {
		throw new InsightInputError(
			`${kind === 'lifecycle' ? 'Lifecycle' : 'Stickiness'} insights have no breakdown`,
			'Remove Breakdown Property (PostHog does not break these insights down).',
			'Breakdown Property',
		);
	}
	const breakdownFilter = breakdownFilterOf(input.breakdownProperty, input.breakdownType);
	if (breakdownFilter) query.breakdownFilter = breakdownFilter;

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
			const windowInterval = wholeNumber(input.funnelWindowInterval);
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

// ------------------------------------------------------------------ reading the fields

/** Date From and the Insight Settings of `rangeAndFilterSettings`. */
export function readRangeAndFilters(read: ParameterReader, settings: IDataObject): RangeAndFilters {
	return {
		dateFrom: read('dateFrom', '') as string,
		dateTo: settings.dateTo as string | undefined,
		properties: buildPropertyFilters(settings.propertyFilters as IDataObject | undefined, 'event'),
		filterTestAccounts: settings.filterTestAccounts === true,
	};
}

/** An event-or-action entry of a fixedCollection (its pickers read as stored, then unwrapped). */
export function readEntity(entry: IDataObject): EntityInput {
	return {
		type: entry.type === 'action' ? 'action' : 'event',
		event: locatorValue(entry.event) as string | undefined,
		actionId: locatorValue(entry.actionId) as number | string | undefined,
	};
}

/**
 * Breakdown of a defined insight: Breakdown and Breakdown Property on screen, or (workflows made
 * before they were) Breakdown Property / Type in Insight Settings.
 */
export function readDefinedBreakdown(read: ParameterReader, settings: IDataObject): { property?: string; type?: string } {
	const type = read('breakdownType', 'none');
	if (type === 'event' || type === 'person') {
		return { property: String(locatorValue(read('breakdownProperty', '')) ?? ''), type };
	}
	const legacy = locatorValue(settings.breakdownProperty);
	if (legacy === undefined || legacy === null || String(legacy).trim() === '') return {};
	return { property: String(legacy), type: (settings.breakdownType as string | undefined) ?? 'event' };
}

/** The "Defined in Node" fields of a series kind. */
export function readDefinedSeriesInput(read: ParameterReader, kind: SeriesKind): DefinedInsightInput {
	const seriesCollection = (read('insightSeries', {}) ?? {}) as IDataObject;
	const series = ((seriesCollection.entry as IDataObject[] | undefined) ?? []).map(
		(entry): SeriesInput => ({ ...readEntity(entry), math: entry.math as string | undefined }),
	);
	const settings = (read('insightSettings', {}) ?? {}) as IDataObject;
	const funnelVizType = kind === 'funnel' ? (read('funnelVizType', 'steps') as string) : undefined;
	const usesInterval = kind !== 'funnelCorrelation' && (kind !== 'funnel' || funnelVizType === 'trends');
	const breakdown = kind === 'lifecycle' || kind === 'stickiness' ? {} : readDefinedBreakdown(read, settings);
	return {
		series,
		...readRangeAndFilters(read, settings),
		interval: usesInterval ? (read('interval', 'day') as string) : undefined,
		breakdownProperty: breakdown.property,
		breakdownType: breakdown.type,
		compare: kind === 'trends' && (read('comparePrevious', false) === true || settings.compare === true),
		totalValue: settings.totalValue === true,
		funnelVizType,
		funnelOrderType: settings.funnelOrderType as string | undefined,
		funnelWindowInterval: settings.funnelWindowInterval as number | undefined,
		funnelWindowIntervalUnit: settings.funnelWindowIntervalUnit as string | undefined,
	};
}

/** Reads and builds the insight query of a series kind. */
export function definedSeriesInsight(kind: SeriesKind): (read: ParameterReader) => IDataObject {
	return (read) => buildInsightQuery(kind, readDefinedSeriesInput(read, kind));
}
