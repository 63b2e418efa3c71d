import type { IDataObject } from 'n8n-workflow';

import type { ParameterReader } from '../../helpers/parameters';
import {
	InsightInputError,
	checkOption,
	cohortBreakdownValue,
	parseJsonArray,
	rejectOtherBucket,
	requireBreakdown,
	wholeNumber,
} from './dataPointChecks';
import type { EntityInput, RangeAndFilters } from './definedInsight';
import {
	addRangeAndFilters,
	breakdownFilterOf,
	entityReference,
	readDefinedBreakdown,
	readEntity,
	readRangeAndFilters,
} from './definedInsight';
import type { KindQuery } from './kindQuery';
import { actorsQuery } from './kindQuery';

/**
 * Get Retention Persons: `InsightActorsQuery` over a `RetentionQuery`. `interval` picks a ROW of
 * the retention table (the cohort that started in that period, counted from 0), not a cell;
 * PostHog then returns, per person, a 1/0 column for every return interval (`day_0`, `day_1`, …)
 * or the list of intervals they were active in (`appearances`).
 *
 * Traps handled here: `retentionFilter.selectedInterval` only changes PostHog's display and is
 * not a selector; the breakdown must be sent as an array (a plain string makes PostHog fail);
 * `totalIntervals` is always sent so the interval columns are known (a query without it is sent
 * with the schema default, 8); in 24-hour-window mode PostHog ignores the row and the breakdown,
 * so such insights are refused instead of returning the persons of every cohort.
 */

export interface RetentionSelector {
	/** Row of the retention table, counted from 0. */
	cohortRow: number;
	breakdownValue?: string;
	/** `columns`: one `<period>_N` column per interval; `list`: `appearances`. */
	intervalsAs?: 'columns' | 'list';
}

/** PostHog's schema default for `retentionFilter.totalIntervals`. */
export const DEFAULT_TOTAL_INTERVALS = 8;

const PERIODS = ['Hour', 'Day', 'Week', 'Month'];
const RETENTION_TYPES = ['retention_first_time', 'retention_recurring', 'retention_first_ever_occurrence'];

function check(selector: RetentionSelector): void {
	if (wholeNumber(selector.cohortRow, 0) === undefined) {
		throw new InsightInputError(
			`Cohort Row must be a whole number of at least 0 (got ${String(selector.cohortRow)})`,
			'Rows of the retention table are counted from 0: 0 is the first row (PostHog labels it Day 0, Week 0, …), the persons who started in the first period of the date range.',
			'Cohort Row',
		);
	}
	if (selector.intervalsAs !== undefined && selector.intervalsAs !== 'columns' && selector.intervalsAs !== 'list') {
		throw new InsightInputError(`"${String(selector.intervalsAs)}" is not a choice of Intervals As`, 'Choose Columns or List.', 'Intervals As');
	}
}

/** The source with `totalIntervals` set (the schema default when the insight has none). */
function withTotalIntervals(source: IDataObject): IDataObject {
	const filter = (source.retentionFilter ?? {}) as IDataObject;
	if (filter.totalIntervals !== undefined && filter.totalIntervals !== null) return source;
	return { ...source, retentionFilter: { ...filter, totalIntervals: DEFAULT_TOTAL_INTERVALS } };
}

/** `<period>_0` … `<period>_{n-1}`: n is the custom brackets + 1, or totalIntervals. */
export function intervalColumns(source: IDataObject): string[] {
	const filter = (source.retentionFilter ?? {}) as IDataObject;
	const period = String(filter.period ?? 'Day').toLowerCase();
	const brackets = filter.retentionCustomBrackets;
	const count = Array.isArray(brackets) && brackets.length > 0 ? brackets.length + 1 : Number(filter.totalIntervals);
	return Array.from({ length: count }, (_, index) => `${period}_${index}`);
}

/**
 * A retention breakdown value as PostHog compares it: always an array: one value per breakdown
 * property (joined by PostHog with "::"), or the cohort ID as text for a cohort breakdown.
 */
function retentionBreakdownValue(source: IDataObject, raw: string): string[] {
	const text = raw.trim();
	const filter = requireBreakdown(source);
	rejectOtherBucket(text);
	const type = String(filter.breakdown_type ?? 'event');
	// a cohort breakdown: the cohort ID as text ("all" users are cohort 0)
	if (type === 'cohort') return [cohortBreakdownValue(text) === 'all' ? '0' : text];
	const count = Array.isArray(filter.breakdowns) && filter.breakdowns.length > 0 ? filter.breakdowns.length : 1;
	const values = text.startsWith('[') ? parseJsonArray(text, 'Breakdown Value') : [text];
	if (values.length !== count) {
		throw new InsightInputError(
			`The insight is broken down by ${count} ${count === 1 ? 'property' : 'properties'}, but Breakdown Value has ${values.length} value(s)`,
			'Give one value per breakdown property, as a JSON array in the order of the breakdowns, e.g. ["Chrome", "US"].',
			'Breakdown Value',
		);
	}
	return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
}

function build(insight: IDataObject, selector: RetentionSelector): IDataObject {
	const filter = (insight.retentionFilter ?? {}) as IDataObject;
	if (filter.timeWindowMode === '24_hour_windows') {
		throw new InsightInputError(
			'This retention insight counts in rolling 24-hour windows, where PostHog cannot list the persons of one row',
			'In 24-hour-window mode PostHog ignores the row (and the breakdown) and returns the persons of every cohort mixed together. Switch the insight to calendar periods (strict calendar dates) to get the persons of a row.',
		);
	}
	if (insight.aggregation_group_type_index !== undefined && insight.aggregation_group_type_index !== null) {
		throw new InsightInputError(
			'This retention insight counts groups, not persons',
			'The insight is aggregated by a group type (companies, accounts, …); its rows hold groups. Use an insight that counts unique persons.',
		);
	}
	const source = withTotalIntervals(insight);
	const actors: IDataObject = { kind: 'InsightActorsQuery', source, interval: Number(selector.cohortRow) };
	const breakdown = (selector.breakdownValue ?? '').trim();
	if (breakdown !== '') actors.breakdown = retentionBreakdownValue(source, breakdown);
	const columns = selector.intervalsAs === 'list' ? ['person', 'appearances'] : ['person', ...intervalColumns(source)];
	// As PostHog's retention persons list: most active first; actor_id makes the order unique.
	return actorsQuery(actors, columns, {}, ['length(appearances) DESC', 'actor_id']);
}

export const retentionQuery: KindQuery<RetentionSelector> = { check, build };

// ------------------------------------------------------------------ "Defined in Node"

export interface DefinedRetentionInput extends RangeAndFilters {
	targetEntity: EntityInput;
	returningEntity: EntityInput;
	period?: string;
	totalIntervals?: number;
	retentionType?: string;
	breakdownProperty?: string;
	breakdownType?: string;
	cumulative?: boolean;
}

function retentionEntity(entry: EntityInput, label: string): IDataObject {
	const reference = entityReference(entry, label);
	return 'actionId' in reference
		? { id: reference.actionId, type: 'actions', kind: 'ActionsNode' }
		: { id: reference.event, name: reference.event, type: 'events', kind: 'EventsNode' };
}

/** The RetentionQuery of the "Defined in Node" fields. */
export function buildRetentionQuery(input: DefinedRetentionInput): IDataObject {
	const totalIntervals = wholeNumber(input.totalIntervals ?? DEFAULT_TOTAL_INTERVALS);
	if (totalIntervals === undefined) {
		throw new InsightInputError(
			`Intervals must be a whole number of at least 1 (got ${String(input.totalIntervals)})`,
			'Set Intervals to how many periods after the start the table follows each cohort, e.g. 8.',
			'Intervals',
		);
	}
	const retentionFilter: IDataObject = {
		period: checkOption(input.period || 'Day', PERIODS, 'Period'),
		totalIntervals,
		retentionType: checkOption(input.retentionType || 'retention_first_time', RETENTION_TYPES, 'Retention Type'),
		targetEntity: retentionEntity(input.targetEntity, 'Start Event'),
		returningEntity: retentionEntity(input.returningEntity, 'Returning Event'),
	};
	if (input.cumulative) retentionFilter.cumulative = true;
	const query: IDataObject = { kind: 'RetentionQuery', retentionFilter };
	addRangeAndFilters(query, input);
	const breakdownFilter = breakdownFilterOf(input.breakdownProperty, input.breakdownType);
	if (breakdownFilter) query.breakdownFilter = breakdownFilter;
	return query;
}

/** Start / returning entity from its three top-level fields (`<prefix>Type`, `<prefix>Event`, `<prefix>Action`). */
function entityAt(read: ParameterReader, prefix: 'start' | 'returning'): EntityInput {
	const type = read(`${prefix}Type`, 'event');
	return readEntity({
		type: type === 'action' ? 'action' : 'event',
		event: type === 'action' ? undefined : (read(`${prefix}Event`, '') as IDataObject[string]),
		actionId: type === 'action' ? (read(`${prefix}Action`, '') as IDataObject[string]) : undefined,
	});
}

/** Reads the "Defined in Node" fields of Get Retention Persons and builds its RetentionQuery. */
export function definedRetentionInsight(read: ParameterReader): IDataObject {
	const settings = (read('insightSettings', {}) ?? {}) as IDataObject;
	const breakdown = readDefinedBreakdown(read, settings);
	return buildRetentionQuery({
		targetEntity: entityAt(read, 'start'),
		returningEntity: entityAt(read, 'returning'),
		period: read('period', 'Day') as string,
		totalIntervals: read('totalIntervals', DEFAULT_TOTAL_INTERVALS) as number,
		retentionType: read('retentionType', 'retention_first_time') as string,
		...readRangeAndFilters(read, settings),
		breakdownProperty: breakdown.property,
		breakdownType: breakdown.type,
		cumulative: settings.cumulative === true,
	});
}
