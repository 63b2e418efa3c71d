import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { actionLocator, eventNameLocator } from '../descriptions/pickers';
import {
	breakdownProperties,
	dateFromProperty,
	insightSettingsProperty,
	rangeAndFilterSettings,
} from './definedFields.descriptions';
import type { InsightOperationSpec } from './insightPersons';
import { executeInsightPersons } from './insightPersons';
import { dataPointField } from './insightSource';
import type { DataPointField } from './insightSource.descriptions';
import {
	DEFINED_IN_NODE,
	breakdownValueField,
	dataPointOptionsProperty,
	definedDataPointProperty,
	insightOptionsProperty,
	insightSourceProperties,
} from './insightSource.descriptions';
import type { RetentionSelector } from './retention.query';
import { DEFAULT_TOTAL_INTERVALS, definedRetentionInsight } from './retention.query';

/** Type, event and action fields of the start or returning entity of a defined retention insight. */
function entityProperties(prefix: 'start' | 'returning', label: string, what: string): INodeProperties[] {
	return [
		{
			displayName: `${label} Type`,
			name: `${prefix}Type`,
			type: 'options',
			options: [
				{ name: 'Action', value: 'action' },
				{ name: 'Event', value: 'event' },
			],
			default: 'event',
			description: `Whether ${what} is an event or an action`,
			displayOptions: { show: DEFINED_IN_NODE },
		},
		eventNameLocator({
			displayName: `${label} Event`,
			name: `${prefix}Event`,
			required: true,
			description: `The event ${what} (the list needs the scope event_definition:read)`,
			displayOptions: { show: { ...DEFINED_IN_NODE, [`${prefix}Type`]: ['event'] } },
		}),
		actionLocator({
			displayName: `${label} Action`,
			name: `${prefix}Action`,
			required: true,
			description: `The action ${what} (the list needs the scope action:read)`,
			displayOptions: { show: { ...DEFINED_IN_NODE, [`${prefix}Type`]: ['action'] } },
		}),
	];
}

const breakdownValue = breakdownValueField('rows', ', "all" for all users', false);

const properties: INodeProperties[] = [
	...insightSourceProperties('retention'),
	...entityProperties('start', 'Start', 'that puts a person into a cohort (the first time, or every time, after Retention Type)'),
	...entityProperties('returning', 'Returning', 'that counts as coming back'),
	{
		displayName: 'Retention Type',
		name: 'retentionType',
		type: 'options',
		options: [
			{
				name: 'First Time',
				value: 'retention_first_time',
				description: 'A person belongs to the cohort of the period they first did the start event',
			},
			{
				name: 'First Ever Occurrence',
				value: 'retention_first_ever_occurrence',
				description: 'Like First Time, counting the very first occurrence before any filters',
			},
			{
				name: 'Recurring',
				value: 'retention_recurring',
				description: 'A person belongs to the cohort of every period they did the start event',
			},
		],
		default: 'retention_first_time',
		displayOptions: { show: DEFINED_IN_NODE },
	},
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		options: [
			{ name: 'Day', value: 'Day' },
			{ name: 'Hour', value: 'Hour' },
			{ name: 'Month', value: 'Month' },
			{ name: 'Week', value: 'Week' },
		],
		default: 'Day',
		description: 'Length of a cohort period and of each return interval',
		displayOptions: { show: DEFINED_IN_NODE },
	},
	{
		displayName: 'Intervals',
		name: 'totalIntervals',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_TOTAL_INTERVALS,
		description: 'How many periods the table follows each cohort (the columns Day 0, Day 1, …)',
		displayOptions: { show: DEFINED_IN_NODE },
	},
	dateFromProperty('-7d'),
	...breakdownProperties(),
	insightSettingsProperty([
		{
			displayName: 'Cumulative',
			name: 'cumulative',
			type: 'boolean',
			default: false,
			description: 'Whether coming back in a later interval also counts for every interval before it',
		},
		...rangeAndFilterSettings(),
	]),
	{
		displayName: 'Cohort Row',
		name: 'cohortRow',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		required: true,
		description:
			'The row of the retention table, counted from 0 as PostHog labels it (Day 0, Week 0, …): 0 is the cohort that started in the first period of the date range, 1 the next, and so on. Each person comes with the intervals they came back in.',
	},
	definedDataPointProperty(breakdownValue),
	dataPointOptionsProperty([breakdownValue]),
	...returnAllOrLimit,
	insightOptionsProperty('retention', [
		{
			displayName: 'Intervals As',
			name: 'intervalsAs',
			type: 'options',
			options: [
				{
					name: 'Columns',
					value: 'columns',
					description: 'One column per interval (day_0, day_1, …): 1 if the person was active in it, 0 if not',
				},
				{
					name: 'List',
					value: 'list',
					description: 'One field, appearances: the intervals the person was active in, e.g. [0, 1, 5]',
				},
			],
			default: 'columns',
			description: 'How each person carries the intervals they came back in',
		},
	]),
	...outputProperties,
];

const displayOptions = { show: { resource: ['insight'], operation: ['getRetentionPersons'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The data point fields (Insight.resource.ts adds the old top-level ones of earlier workflows). */
export const dataPointFields: DataPointField[] = [breakdownValue];

const spec: InsightOperationSpec<'retention'> = {
	kind: 'retention',
	readDefined: definedRetentionInsight,
	readSelector(read): RetentionSelector {
		const options = (read('options', {}) ?? {}) as { intervalsAs?: RetentionSelector['intervalsAs'] };
		return {
			cohortRow: read('cohortRow', 0) as number,
			breakdownValue: String(dataPointField(read, breakdownValue) ?? ''),
			intervalsAs: options.intervalsAs ?? 'columns',
		};
	},
	emptyHint: (selector) =>
		`No persons in cohort row ${selector.cohortRow}. Rows are counted from 0 (Day 0 / Week 0 in PostHog), one per period of the date range; a row after the last one, or a breakdown value the insight does not have, has nobody.`,
};

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executeInsightPersons.call(this, items, spec);
}
