import type { IDataObject } from 'n8n-workflow';

import {
	InsightInputError,
	checkDay,
	cohortBreakdownValue,
	multiBreakdownValues,
	parseJsonArray,
	requireBreakdown,
} from './dataPointChecks';
import type { ActorsQueryOptions, KindQuery } from './kindQuery';
import { actorsQuery } from './kindQuery';

/**
 * Get Funnel Persons: `FunnelsActorsQuery`. Steps funnels pick a step (`funnelStep` N = reached
 * step N, −N = dropped off at step N, N ≥ 2); conversion-over-time funnels pick the entrance
 * period of a point (`funnelTrendsEntrancePeriodStart`) and converted or dropped off.
 */

export interface FunnelSelector {
	/** converted = reached the step; droppedOff = reached the step before but not this one. */
	outcome: 'converted' | 'droppedOff';
	/** 1-based step (steps funnels). */
	step?: number;
	/** Conversion-over-time funnels: the x-axis point (start of the entrance period). */
	entrancePeriodStart?: string;
	breakdownValue?: string;
}

/** Step rules of steps funnels: a whole number ≥ 1, and ≥ 2 for drop-offs. */
function checkStep(selector: FunnelSelector): number {
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

function check(selector: FunnelSelector): void {
	if (selector.outcome !== 'converted' && selector.outcome !== 'droppedOff') {
		throw new InsightInputError(
			`"${String(selector.outcome)}" is not a funnel data point`,
			'Choose "Converted Through Step" or "Dropped Off at Step".',
			'Data Point',
		);
	}
	const entrancePeriodStart = checkDay(selector.entrancePeriodStart, 'Entrance Period Start', '2024-01-15 or 2024-01-15 00:00:00');
	// With an entrance period the data point is one of a conversion-over-time funnel, which has
	// no step; whether the funnel is one is only known with the insight (build).
	if (entrancePeriodStart === undefined) checkStep(selector);
}

/**
 * A funnel breakdown value in the shape PostHog compares it with: an array for property
 * breakdowns, an integer for cohorts, a string for group breakdowns, one value per breakdown
 * for several.
 */
export function funnelBreakdownValue(source: IDataObject, raw: string): IDataObject[string] {
	const text = raw.trim();
	const filter = requireBreakdown(source);
	if (Array.isArray(filter.breakdowns) && filter.breakdowns.length > 0) return multiBreakdownValues(filter, text);
	const type = String(filter.breakdown_type ?? 'event');
	if (type === 'cohort') return cohortBreakdownValue(text);
	if (type === 'group') return text;
	return (text.startsWith('[') ? parseJsonArray(text, 'Breakdown Value') : [text]) as IDataObject[string];
}

function build(source: IDataObject, selector: FunnelSelector, options: ActorsQueryOptions): IDataObject {
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
		const step = checkStep(selector);
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
	if (breakdown !== '') actors.funnelStepBreakdown = funnelBreakdownValue(source, breakdown);
	// No orderBy: by person id, which keeps limit/offset pages stable.
	return actorsQuery(actors, ['actor'], options);
}

export const funnelQuery: KindQuery<FunnelSelector> = { check, build };
