import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { executeInsightPersons } from './insightPersons';
import { insightOptionsProperty, insightSourceProperties } from './insightSource.descriptions';
import { dateText, type FunnelSelector } from './queryBuilder';

const properties: INodeProperties[] = [
	...insightSourceProperties('funnel'),
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
	},
	{
		displayName: 'Entrance Period Start',
		name: 'entrancePeriodStart',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2024-01-15 00:00:00',
		description:
			'Only for conversion-over-time funnels: the start of the period the persons entered the funnel in (the x-axis point of the chart). Leave empty for step funnels.',
	},
	{
		displayName: 'Breakdown Value',
		name: 'breakdownValue',
		type: 'string',
		default: '',
		placeholder: 'e.g. Chrome',
		description:
			'Only for funnels with a breakdown: the value of the series (e.g. Chrome; a cohort ID for cohort breakdowns; a JSON array like ["Chrome","US"] for several breakdown properties). Empty = all persons (the baseline).',
	},
	...returnAllOrLimit,
	insightOptionsProperty('funnel'),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getFunnelPersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

function readSelector(ctx: IExecuteFunctions, itemIndex: number): FunnelSelector {
	const step = ctx.getNodeParameter('step', itemIndex, undefined) as number | string | undefined;
	return {
		outcome: ctx.getNodeParameter('dataPoint', itemIndex, 'converted') as FunnelSelector['outcome'],
		step: step === undefined || step === '' ? undefined : Number(step),
		entrancePeriodStart: dateText(ctx.getNodeParameter('entrancePeriodStart', itemIndex, '')),
		breakdownValue: String(ctx.getNodeParameter('breakdownValue', itemIndex, '') ?? ''),
	};
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, 'funnel', readSelector);
}
