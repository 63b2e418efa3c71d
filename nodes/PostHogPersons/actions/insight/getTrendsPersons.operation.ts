import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { executeInsightPersons } from './insightPersons';
import { insightOptionsProperty, insightSourceProperties } from './insightSource.descriptions';
import { dateText, type TrendsSelector } from './queryBuilder';

const properties: INodeProperties[] = [
	...insightSourceProperties('trends'),
	{
		displayName: 'Data Point Series',
		name: 'series',
		type: 'string',
		default: '1',
		required: true,
		placeholder: 'e.g. 1 or $pageview',
		description:
			'The series (line or bar) of the data point: its position, counted from 1 (A in PostHog = 1, B = 2, ...), or its name (custom name, action name or event name)',
	},
	{
		displayName: 'Day',
		name: 'day',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2024-01-15',
		description:
			'Start of the interval of the data point, as on the x-axis: 2024-01-15 for a daily chart, 2024-01-15 13:00:00 hourly, the first day of the week or month for weekly and monthly charts. Leave empty for charts with one value for the whole range (number, pie, bar by value, table, map).',
	},
	{
		displayName: 'Breakdown Value',
		name: 'breakdownValue',
		type: 'string',
		default: '',
		placeholder: 'e.g. Chrome',
		description:
			'Only for insights with a breakdown: the breakdown value of the series (e.g. Chrome; a cohort ID for cohort breakdowns; a JSON array like ["Chrome","US"] for several breakdown properties; $$_posthog_breakdown_null_$$ for "None", $$_posthog_breakdown_other_$$ for "Other")',
	},
	{
		displayName: 'Period',
		name: 'compare',
		type: 'options',
		options: [
			{ name: 'Current Period', value: 'current' },
			{ name: 'Previous Period', value: 'previous', description: 'The dashed "previous" line of an insight compared with the previous period (Day is still a day of the current period)' },
		],
		default: 'current',
		description: 'Only for insights compared with the previous period: which of the two lines',
	},
	...returnAllOrLimit,
	insightOptionsProperty('trends'),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getTrendsPersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

function readSelector(ctx: IExecuteFunctions, itemIndex: number): TrendsSelector {
	return {
		series: String(ctx.getNodeParameter('series', itemIndex, '1') ?? ''),
		day: dateText(ctx.getNodeParameter('day', itemIndex, '')),
		breakdownValue: String(ctx.getNodeParameter('breakdownValue', itemIndex, '') ?? ''),
		compare: ctx.getNodeParameter('compare', itemIndex, 'current') as TrendsSelector['compare'],
	};
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, 'trends', readSelector);
}
