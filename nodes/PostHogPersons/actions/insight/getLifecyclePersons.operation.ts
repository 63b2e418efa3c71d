import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { dateText } from '../../helpers/dates';
import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { definedSeriesInsight } from './definedInsight';
import { definedSeriesProperties } from './definedSeries.descriptions';
import type { InsightOperationSpec } from './insightPersons';
import { executeInsightPersons } from './insightPersons';
import { insightOptionsProperty, insightSourceProperties } from './insightSource.descriptions';
import type { LifecycleSelector } from './lifecycle.query';

const properties: INodeProperties[] = [
	...insightSourceProperties('lifecycle'),
	...definedSeriesProperties('lifecycle'),
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Dormant', value: 'dormant', description: 'Active in the previous period, not in this one' },
			{ name: 'New', value: 'new', description: 'First seen in this period' },
			{ name: 'Resurrecting', value: 'resurrecting', description: 'Active again after at least one inactive period' },
			{ name: 'Returning', value: 'returning', description: 'Active in the previous period and in this one' },
		],
		default: 'new',
		description: 'The part of the lifecycle bar',
	},
	{
		displayName: 'Day',
		name: 'day',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 2024-01-15',
		description:
			'A date inside the period of the bar (for weekly and monthly intervals any day of the week or month works)',
	},
	...returnAllOrLimit,
	insightOptionsProperty('lifecycle'),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getLifecyclePersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

const spec: InsightOperationSpec<'lifecycle'> = {
	kind: 'lifecycle',
	readDefined: definedSeriesInsight('lifecycle'),
	readSelector: (read): LifecycleSelector => ({
		status: String(read('status', 'new') ?? ''),
		day: dateText(read('day', '')),
	}),
};

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, spec);
}
