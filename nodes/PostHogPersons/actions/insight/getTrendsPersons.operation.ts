import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { dateText } from '../../helpers/dates';
import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { definedSeriesInsight } from './definedInsight';
import { definedSeriesProperties } from './definedSeries.descriptions';
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
import { BREAKDOWN_NULL, BREAKDOWN_OTHER } from './kinds';
import type { TrendsSelector } from './trends.query';

const breakdownValue = breakdownValueField('series', `; ${BREAKDOWN_NULL} for "None", ${BREAKDOWN_OTHER} for "Other"`, true);

const period: DataPointField = {
	field: {
		displayName: 'Period',
		name: 'compare',
		type: 'options',
		options: [
			{ name: 'Current Period', value: 'current' },
			{
				name: 'Previous Period',
				value: 'previous',
				description: 'The dashed "previous" line of an insight compared with the previous period (Day is still a day of the current period)',
			},
		],
		default: 'current',
		description: 'For insights compared with the previous period: which of the two lines',
	},
	definedName: 'dataPointPeriod',
	definedShow: { comparePrevious: [true] },
	emptyValue: 'current',
	legacy: true,
};

const properties: INodeProperties[] = [
	...insightSourceProperties('trends'),
	...definedSeriesProperties('trends'),
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
		displayOptions: { hide: { '/insightSettings.totalValue': [true] } },
	},
	definedDataPointProperty(breakdownValue),
	definedDataPointProperty(period),
	dataPointOptionsProperty([breakdownValue, period]),
	...returnAllOrLimit,
	insightOptionsProperty('trends'),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getTrendsPersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The data point fields (Insight.resource.ts adds the old top-level ones of earlier workflows). */
export const dataPointFields: DataPointField[] = [breakdownValue, period];

const spec: InsightOperationSpec<'trends'> = {
	kind: 'trends',
	readDefined: definedSeriesInsight('trends'),
	readSelector(read): TrendsSelector {
		return {
			series: String(read('series', '1') ?? ''),
			day: dateText(read('day', '')),
			breakdownValue: String(dataPointField(read, breakdownValue) ?? ''),
			compare: dataPointField(read, period, 'current') as TrendsSelector['compare'],
		};
	},
};

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, spec);
}
