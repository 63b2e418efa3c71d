import type { IDataObject } from 'n8n-workflow';

import { InsightInputError, checkSeriesReference, resolveSeriesIndex, wholeNumber } from './dataPointChecks';
import type { KindQuery } from './kindQuery';
import { actorsQuery } from './kindQuery';

/**
 * Get Stickiness Persons: `InsightActorsQuery` over a `StickinessQuery` with `day` = the number
 * of active intervals (the x-axis value). PostHog's stickiness actors query ignores `series` and
 * `compare` and unions all series of both periods, so the node sends a source with only the
 * chosen series and no comparison.
 */

export interface StickinessSelector {
	/** Number of intervals (days, weeks, ...) the persons were active in. */
	intervals: number;
	/** 1-based position, or the series' name. */
	series: string;
}

function check(selector: StickinessSelector): void {
	if (wholeNumber(selector.intervals) === undefined) {
		throw new InsightInputError(
			`Active Intervals must be a whole number of at least 1 (got ${String(selector.intervals)})`,
			'Stickiness counts the intervals (days, weeks, ...) a person was active in: 1, 2, 3, ... as on the x-axis of the chart.',
			'Active Intervals',
		);
	}
	checkSeriesReference(selector.series);
}

function build(source: IDataObject, selector: StickinessSelector): IDataObject {
	const index = resolveSeriesIndex(source.series as IDataObject[], selector.series);
	const single: IDataObject = { ...source, series: [(source.series as IDataObject[])[index]] };
	delete single.compareFilter;
	return actorsQuery({ kind: 'InsightActorsQuery', source: single, day: Number(selector.intervals) }, ['actor'], {});
}

export const stickinessQuery: KindQuery<StickinessSelector> = { check, build };
