import type { IDataObject } from 'n8n-workflow';

import {
	InsightInputError,
	checkDay,
	checkSeriesReference,
	cohortBreakdownValue,
	multiBreakdownValues,
	requireBreakdown,
	resolveSeriesIndex,
} from './dataPointChecks';
import type { ActorsQueryOptions, KindQuery } from './kindQuery';
import { actorsQuery } from './kindQuery';

/**
 * Get Trends Persons: `InsightActorsQuery` over a `TrendsQuery` with the series (0-based), the
 * bucket start (`day`, exactly as on the x-axis; none for total-value charts), a breakdown value
 * and the period (current / previous).
 */

export interface TrendsSelector {
	/** 1-based position, or the series' name (custom name, action name or event). */
	series: string;
	day?: string;
	breakdownValue?: string;
	compare?: 'current' | 'previous';
}

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

const DAY_EXAMPLE = "2024-01-15 (daily), 2024-01-15 13:00:00 (hourly), the week's start or the 1st of the month";

function check(selector: TrendsSelector): void {
	checkSeriesReference(selector.series);
	checkDay(selector.day, 'Day', DAY_EXAMPLE);
	if (selector.compare !== undefined && selector.compare !== 'current' && selector.compare !== 'previous') {
		throw new InsightInputError(
			`"${String(selector.compare)}" is not a period`,
			'Choose Current Period or Previous Period.',
			'Period',
		);
	}
}

/**
 * A trends breakdown value as PostHog compares it: a string (including the null and "Other"
 * buckets), an integer for cohorts, one value per breakdown for several.
 */
function trendsBreakdownValue(source: IDataObject, raw: string): IDataObject[string] {
	const text = raw.trim();
	const filter = requireBreakdown(source);
	if (Array.isArray(filter.breakdowns) && filter.breakdowns.length > 0) return multiBreakdownValues(filter, text);
	if (String(filter.breakdown_type ?? 'event') === 'cohort') return cohortBreakdownValue(text);
	return text;
}

function build(source: IDataObject, selector: TrendsSelector, options: ActorsQueryOptions): IDataObject {
	const series = resolveSeriesIndex(source.series as IDataObject[], selector.series);
	const display = String((source.trendsFilter as IDataObject | undefined)?.display ?? 'ActionsLineGraph');
	const totalValue = TOTAL_VALUE_DISPLAYS.has(display);
	const day = checkDay(selector.day, 'Day', DAY_EXAMPLE);
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
			"Fill in Day with the start of the interval whose point you would click in PostHog, e.g. 2024-01-15 for a daily chart (for weekly charts the week's first day, for monthly the 1st).",
			'Day',
		);
	}
	const actors: IDataObject = { kind: 'InsightActorsQuery', source, series };
	if (day !== undefined) actors.day = day;
	const breakdown = (selector.breakdownValue ?? '').trim();
	if (breakdown !== '') actors.breakdown = trendsBreakdownValue(source, breakdown);
	if ((source.compareFilter as IDataObject | undefined)?.compare === true) {
		actors.compare = selector.compare ?? 'current';
	} else if (selector.compare === 'previous') {
		throw new InsightInputError(
			'The insight does not compare with the previous period',
			'Choose Current Period, or turn on "Compare to previous period" in the insight.',
			'Period',
		);
	}
	// Like PostHog's persons modal: most events first; actor_id makes the order unique for paging.
	return actorsQuery(actors, ['actor', 'event_count'], options, ['event_count DESC', 'actor_id DESC']);
}

export const trendsQuery: KindQuery<TrendsSelector> = { check, build };
