import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { executeInsightPersons } from './insightPersons';
import { insightOptionsProperty, insightSourceProperties } from './insightSource.descriptions';
import type { CorrelationSelector } from './queryBuilder';

const properties: INodeProperties[] = [
	...insightSourceProperties('funnelCorrelation'),
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
	{
		displayName: 'Correlated Event',
		name: 'correlatedEvent',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. viewed_pricing',
		description: 'Name of the correlated event (the part before the first :: of the row)',
		displayOptions: { show: { correlationType: ['events', 'event_with_properties'] } },
	},
	{
		displayName: 'Event Property',
		name: 'eventPropertyKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. plan_viewed',
		description: 'Property of the correlated event (the middle part of "event::property::value")',
		displayOptions: { show: { correlationType: ['event_with_properties'] } },
	},
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
					{
						displayName: 'Property',
						name: 'key',
						type: 'string',
						default: '',
						placeholder: 'e.g. plan',
					},
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

function readSelector(ctx: IExecuteFunctions, itemIndex: number): CorrelationSelector {
	const correlationType = ctx.getNodeParameter('correlationType', itemIndex, 'events') as CorrelationSelector['correlationType'];
	const selector: CorrelationSelector = {
		correlationType,
		persons: ctx.getNodeParameter('correlationPersons', itemIndex, 'converted') as CorrelationSelector['persons'],
	};
	if (correlationType !== 'properties') {
		selector.eventName = String(ctx.getNodeParameter('correlatedEvent', itemIndex, '') ?? '');
	}
	if (correlationType === 'event_with_properties') {
		selector.eventPropertyKey = String(ctx.getNodeParameter('eventPropertyKey', itemIndex, '') ?? '');
		selector.eventPropertyValue = String(ctx.getNodeParameter('eventPropertyValue', itemIndex, '') ?? '');
	}
	if (correlationType === 'properties') {
		const collection = ctx.getNodeParameter('correlatedProperties', itemIndex, {}) as IDataObject;
		selector.propertyValues = ((collection.property as IDataObject[] | undefined) ?? []).map((entry) => ({
			key: String(entry.key ?? ''),
			value: String(entry.value ?? ''),
		}));
	}
	return selector;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, 'funnelCorrelation', readSelector);
}
