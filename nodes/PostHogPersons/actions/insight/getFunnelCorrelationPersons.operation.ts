import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { locatorValue } from '../../helpers/parameters';
import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { eventNameLocator, propertyNameLocator } from '../descriptions/pickers';
import { definedSeriesInsight } from './definedInsight';
import { definedSeriesProperties } from './definedSeries.descriptions';
import type { CorrelationSelector } from './funnelCorrelation.query';
import type { InsightOperationSpec } from './insightPersons';
import { executeInsightPersons } from './insightPersons';
import { insightOptionsProperty, insightSourceProperties } from './insightSource.descriptions';

const properties: INodeProperties[] = [
	...insightSourceProperties('funnelCorrelation'),
	...definedSeriesProperties('funnelCorrelation'),
	{
		displayName: 'Correlation Type',
		name: 'correlationType',
		type: 'options',
		options: [
			{
				name: 'Event',
				value: 'events',
				description: 'A correlated event (rows like "viewed_pricing" in PostHog\'s correlation table)',
			},
			{
				name: 'Event With Property',
				value: 'event_with_properties',
				description: 'An event with one property value (rows like "viewed_pricing::plan_viewed::pro")',
			},
			{
				name: 'Person Property',
				value: 'properties',
				description: 'A person property value (rows like "plan::pro" in the property correlation table)',
			},
		],
		default: 'events',
		description: 'Which row of the funnel\'s correlation analysis the persons come from',
	},
	eventNameLocator({
		displayName: 'Correlated Event',
		name: 'correlatedEvent',
		required: true,
		description: 'The correlated event (the part before the first :: of the row)',
		displayOptions: { show: { correlationType: ['events', 'event_with_properties'] } },
	}),
	propertyNameLocator(
		{
			displayName: 'Event Property',
			name: 'eventPropertyKey',
			required: true,
			description: 'Property of the correlated event (the middle part of "event::property::value")',
			displayOptions: { show: { correlationType: ['event_with_properties'] } },
		},
		'searchEventPropertyNames',
		'e.g. plan_viewed',
	),
	{
		displayName: 'Event Property Value',
		name: 'eventPropertyValue',
		type: 'string',
		default: '',
		placeholder: 'e.g. pro',
		description: 'Value of the event property (the last part of "event::property::value")',
		displayOptions: { show: { correlationType: ['event_with_properties'] } },
	},
	{
		displayName: 'Person Properties',
		name: 'correlatedProperties',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add property',
		default: {},
		required: true,
		description: 'Person property values of the row ("property::value"); persons must have all of them',
		displayOptions: { show: { correlationType: ['properties'] } },
		options: [
			{
				displayName: 'Property',
				name: 'property',
				values: [
					propertyNameLocator({ displayName: 'Property', name: 'key', description: 'The person property of the row' }),
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. pro',
					},
				],
			},
		],
	},
	{
		displayName: 'Persons',
		name: 'correlationPersons',
		type: 'options',
		options: [
			{ name: 'Both', value: 'both', description: 'Everyone who entered the funnel and matches the row' },
			{ name: 'Converted', value: 'converted', description: 'Completed the whole funnel' },
			{ name: 'Dropped Off', value: 'droppedOff', description: 'Entered the funnel but did not complete it' },
		],
		default: 'converted',
		description: 'Which persons of the row: the "Converted" or the "Dropped off" count in PostHog',
	},
	...returnAllOrLimit,
	insightOptionsProperty('funnelCorrelation'),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getFunnelCorrelationPersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

const spec: InsightOperationSpec<'funnelCorrelation'> = {
	kind: 'funnelCorrelation',
	readDefined: definedSeriesInsight('funnelCorrelation'),
	readSelector(read): CorrelationSelector {
		const correlationType = read('correlationType', 'events') as CorrelationSelector['correlationType'];
		const selector: CorrelationSelector = {
			correlationType,
			persons: read('correlationPersons', 'converted') as CorrelationSelector['persons'],
		};
		if (correlationType !== 'properties') {
			selector.eventName = String(read('correlatedEvent', '', { picker: true }) ?? '');
		}
		if (correlationType === 'event_with_properties') {
			selector.eventPropertyKey = String(read('eventPropertyKey', '', { picker: true }) ?? '');
			selector.eventPropertyValue = String(read('eventPropertyValue', '') ?? '');
		}
		if (correlationType === 'properties') {
			const collection = (read('correlatedProperties', {}) ?? {}) as IDataObject;
			selector.propertyValues = ((collection.property as IDataObject[] | undefined) ?? []).map((entry) => ({
				key: String(locatorValue(entry.key) ?? ''),
				value: String(entry.value ?? ''),
			}));
		}
		return selector;
	},
};

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, spec);
}
