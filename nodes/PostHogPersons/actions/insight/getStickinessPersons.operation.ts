import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { definedSeriesInsight } from './definedInsight';
import { definedSeriesProperties } from './definedSeries.descriptions';
import type { InsightOperationSpec } from './insightPersons';
import { executeInsightPersons } from './insightPersons';
import { insightOptionsProperty, insightSourceProperties } from './insightSource.descriptions';
import type { StickinessSelector } from './stickiness.query';

const properties: INodeProperties[] = [
	...insightSourceProperties('stickiness'),
	...definedSeriesProperties('stickiness'),
	{
		displayName: 'Active Intervals',
		name: 'intervals',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		required: true,
		description:
			'The x-axis value of the data point: persons active in exactly this many intervals (days, weeks, ...) of the date range, or at least this many if the insight is cumulative',
	},
	{
		displayName: 'Data Point Series',
		name: 'series',
		type: 'string',
		default: '1',
		required: true,
		placeholder: 'e.g. 1 or $pageview',
		description:
			'The series of the data point: its position, counted from 1 (A in PostHog = 1), or its name. The node queries this series alone, because PostHog would otherwise mix the persons of all series.',
	},
	...returnAllOrLimit,
	insightOptionsProperty('stickiness'),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getStickinessPersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

const spec: InsightOperationSpec<'stickiness'> = {
	kind: 'stickiness',
	readDefined: definedSeriesInsight('stickiness'),
	readSelector: (read): StickinessSelector => ({
		intervals: read('intervals', 1) as number,
		series: String(read('series', '1') ?? ''),
	}),
};

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, spec);
}
