import type { IDataObject } from 'n8n-workflow';

import { InsightInputError } from './dataPointChecks';
import type { ActorsQueryOptions, KindQuery } from './kindQuery';
import { actorsQuery } from './kindQuery';

/**
 * Get Funnel Correlation Persons: `FunnelCorrelationActorsQuery` over a `FunnelCorrelationQuery`
 * over the funnel's persons from step 1, nested like PostHog's correlation table.
 */

export const CORRELATION_TYPES = ['events', 'properties', 'event_with_properties'] as const;
export const CORRELATION_PERSONS = ['converted', 'droppedOff', 'both'] as const;

export interface CorrelationSelector {
	correlationType: (typeof CORRELATION_TYPES)[number];
	/** events / event_with_properties */
	eventName?: string;
	/** event_with_properties: the event property and its value */
	eventPropertyKey?: string;
	eventPropertyValue?: string;
	/** properties: person property values */
	propertyValues?: Array<{ key: string; value: string }>;
	persons: (typeof CORRELATION_PERSONS)[number];
}

function check(selector: CorrelationSelector): void {
	if (!CORRELATION_TYPES.includes(selector.correlationType)) {
		throw new InsightInputError(
			`"${String(selector.correlationType)}" is not a correlation type`,
			'Choose Event, Event With Property or Person Property.',
			'Correlation Type',
		);
	}
	if (!CORRELATION_PERSONS.includes(selector.persons)) {
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

function build(source: IDataObject, selector: CorrelationSelector, options: ActorsQueryOptions): IDataObject {
	// The funnel's persons from step 1, then the persons who did the correlated event / have the
	// property value (as PostHog's correlation table asks for them).
	const funnelActors: IDataObject = { kind: 'FunnelsActorsQuery', source, funnelStep: 1 };
	if (options.includeRecordings) funnelActors.includeRecordings = true;
	const correlation: IDataObject = {
		kind: 'FunnelCorrelationQuery',
		source: funnelActors,
		funnelCorrelationType: selector.correlationType,
	};
	const actors: IDataObject = { kind: 'FunnelCorrelationActorsQuery', source: correlation };
	if (selector.persons !== 'both') actors.funnelCorrelationPersonConverted = selector.persons === 'converted';
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
	// PostHog's correlation runner reads the flag of the inner FunnelsActorsQuery (as its UI sets
	// it); the outer node carries it too, for the ActorsQuery runner's matched_recordings column.
	return actorsQuery(actors, ['actor'], options);
}

export const funnelCorrelationQuery: KindQuery<CorrelationSelector> = { check, build };
