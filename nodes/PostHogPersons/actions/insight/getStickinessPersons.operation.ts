import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { executeInsightPersons } from './insightPersons';
import { insightOptionsProperty, insightSourceProperties } from './insightSource.descriptions';
import type { StickinessSelector } from './queryBuilder';

const properties: INodeProperties[] = [
	...insightSourceProperties('stickiness'),
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

function readSelector(ctx: IExecuteFunctions, itemIndex: number): StickinessSelector {
	return {
		intervals: ctx.getNodeParameter('intervals', itemIndex, 1) as number,
		series: String(ctx.getNodeParameter('series', itemIndex, '1') ?? ''),
	};
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, 'stickiness', readSelector);
}
