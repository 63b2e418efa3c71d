import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { dateText } from '../../helpers/dates';
import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { definedSeriesProperties } from './definedSeries.descriptions';
import { definedSeriesInsight } from './definedInsight';
import type { FunnelSelector } from './funnel.query';
import type { InsightOperationSpec } from './insightPersons';
import { executeInsightPersons } from './insightPersons';
import { dataPointField } from './insightSource';
import type { DataPointField } from './insightSource.descriptions';
import {
	breakdownValueField,
	dataPointOptionsProperty,
	definedDataPointProperty,
	insightOptionsProperty,
	insightSourceProperties,
} from './insightSource.descriptions';

const entrancePeriodStart: DataPointField = {
	field: {
		displayName: 'Entrance Period Start',
		name: 'entrancePeriodStart',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 2024-01-15 00:00:00',
		description:
			'For conversion-over-time funnels: the start of the period the persons entered the funnel in (the x-axis point of the chart). Step is not used then.',
	},
	definedName: 'dataPointEntrancePeriod',
	definedShow: { funnelVizType: ['trends'] },
	legacy: true,
};

const breakdownValue = breakdownValueField('series', '; empty = all persons, the baseline', true);

const properties: INodeProperties[] = [
	...insightSourceProperties('funnel'),
	...definedSeriesProperties('funnel'),
	{
		displayName: 'Data Point',
		name: 'dataPoint',
		type: 'options',
		options: [
			{
				name: 'Converted Through Step',
				value: 'converted',
				description: 'Persons who reached the step (the bar of the step in PostHog)',
			},
			{
				name: 'Dropped Off at Step',
				value: 'droppedOff',
				description: 'Persons who reached the step before but not this one (the hatched part of the bar)',
			},
		],
		default: 'converted',
		description:
			'Which persons of the funnel: for a conversion-over-time funnel, converted or dropped off in the chosen entrance period',
	},
	{
		displayName: 'Step',
		name: 'step',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description:
			'Step of the funnel, counted from 1 (step 1 = everyone who entered). Dropping off is possible from step 2. Not used for conversion-over-time funnels.',
		displayOptions: { hide: { funnelVizType: ['trends'] } },
	},
	definedDataPointProperty(entrancePeriodStart),
	definedDataPointProperty(breakdownValue),
	dataPointOptionsProperty([entrancePeriodStart, breakdownValue]),
	...returnAllOrLimit,
	insightOptionsProperty('funnel'),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getFunnelPersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The data point fields (Insight.resource.ts adds the old top-level ones of earlier workflows). */
export const dataPointFields: DataPointField[] = [entrancePeriodStart, breakdownValue];

const spec: InsightOperationSpec<'funnel'> = {
	kind: 'funnel',
	readDefined: definedSeriesInsight('funnel'),
	readSelector(read): FunnelSelector {
		const trends = read('insightSource', 'saved') === 'defined' && read('funnelVizType', 'steps') === 'trends';
		const step = trends ? undefined : read('step', null);
		return {
			outcome: read('dataPoint', 'converted') as FunnelSelector['outcome'],
			step: step === undefined || step === null || step === '' ? undefined : Number(step),
			entrancePeriodStart: dateText(dataPointField(read, entrancePeriodStart)),
			breakdownValue: String(dataPointField(read, breakdownValue) ?? ''),
		};
	},
};

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, spec);
}
