import type { IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { insightLocator } from '../descriptions/pickers';
import type { InsightKind } from './kinds';
import { INSIGHT_KINDS } from './kinds';

/**
 * Fields shared by the Insight operations: where the insight comes from (a saved insight,
 * fields of this node, or raw JSON), the data point fields that depend on it, and the Options
 * collection. Each operation adds its own fields and scopes everything with updateDisplayOptions.
 */

const SAVED_OR_JSON = ['saved', 'json'];

/** What the Raw JSON field holds until the user changes it: an example, never run as is. */
export const RAW_QUERY_EXAMPLES: Record<InsightKind, IDataObject> = {
	funnel: {
		kind: 'FunnelsQuery',
		series: [
			{ kind: 'EventsNode', event: '$pageview' },
			{ kind: 'EventsNode', event: 'signed_up' },
		],
		dateRange: { date_from: '-30d' },
		funnelsFilter: { funnelVizType: 'steps', funnelWindowInterval: 14, funnelWindowIntervalUnit: 'day' },
	},
	funnelCorrelation: {
		kind: 'FunnelsQuery',
		series: [
			{ kind: 'EventsNode', event: '$pageview' },
			{ kind: 'EventsNode', event: 'signed_up' },
		],
		dateRange: { date_from: '-30d' },
	},
	trends: {
		kind: 'TrendsQuery',
		series: [{ kind: 'EventsNode', event: '$pageview', math: 'total' }],
		interval: 'day',
		dateRange: { date_from: '-7d' },
	},
	lifecycle: {
		kind: 'LifecycleQuery',
		series: [{ kind: 'EventsNode', event: '$pageview' }],
		interval: 'day',
		dateRange: { date_from: '-30d' },
	},
	stickiness: {
		kind: 'StickinessQuery',
		series: [{ kind: 'EventsNode', event: '$pageview' }],
		interval: 'day',
		dateRange: { date_from: '-30d' },
	},
	retention: {
		kind: 'RetentionQuery',
		dateRange: { date_from: '-7d' },
		retentionFilter: {
			period: 'Day',
			totalIntervals: 7,
			retentionType: 'retention_first_time',
			targetEntity: { id: 'signed_up', type: 'events', kind: 'EventsNode' },
			returningEntity: { id: '$pageview', type: 'events', kind: 'EventsNode' },
		},
	},
	paths: {
		kind: 'PathsQuery',
		dateRange: { date_from: '-7d' },
		pathsFilter: { includeEventTypes: ['$pageview'], stepLimit: 5 },
	},
};

/** Source choice and the saved-insight and raw JSON fields, for one operation kind. */
export function insightSourceProperties(kind: InsightKind): INodeProperties[] {
	const info = INSIGHT_KINDS[kind];
	return [
		{
			displayName: 'Insight Source',
			name: 'insightSource',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Defined in Node',
					value: 'defined',
					description: 'Describe the insight with the fields below',
				},
				{
					name: 'Raw JSON Query',
					value: 'json',
					description: `The insight query as JSON (${info.sourceKind}), for experts`,
				},
				{
					name: 'Saved Insight',
					value: 'saved',
					description: 'An insight saved in PostHog: pick it from the list, or give its URL or ID',
				},
			],
			default: 'saved',
			description: 'Where the insight whose data point you want comes from',
		},
		insightLocator({
			displayName: 'Insight',
			name: 'insightId',
			required: true,
			description: `The saved ${info.label.replace(/^an? /, '')} insight. The list shows only insights this operation can read. Needs the scope insight:read.`,
			displayOptions: { show: { insightSource: ['saved'] } },
		}),
		{
			displayName: 'Insight Query (JSON)',
			name: 'insightQuery',
			type: 'json',
			default: JSON.stringify(RAW_QUERY_EXAMPLES[kind], null, 2),
			required: true,
			description:
				'The insight query as PostHog stores it (in PostHog: the insight\'s "…" menu → "Edit SQL / Show JSON", or the "query.source" of an insight from the API). An InsightVizNode wrapping it is accepted too. The example shown at first is not run: replace it with your query.',
			displayOptions: { show: { insightSource: ['json'] } },
		},
	];
}

/**
 * A data point field that depends on the insight: on its own when the insight is defined in the
 * node and the field applies (`definedShow`), and inside Data Point Options for saved insights and
 * raw JSON, where the node cannot know it applies. Workflows made before Data Point Options
 * existed keep their value in the top-level field, which stays visible while it holds one
 * (`emptyValue` hides it) and the defined variant is not shown.
 */
export function definedOrLegacyField(
	field: INodeProperties,
	definedShow: NonNullable<IDisplayOptions['show']>,
	emptyValue: string = '',
): INodeProperties[] {
	return [
		{ ...field, displayOptions: { show: { insightSource: ['defined'], ...definedShow } } },
		{ ...field, required: false, displayOptions: { hide: { [field.name]: [emptyValue], ...definedShow } } },
	];
}

/** The Data Point Options collection (saved insights and raw JSON): fields that apply to some insights only. */
export function dataPointOptionsProperty(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Data Point Options',
		name: 'dataPointOptions',
		type: 'collection',
		placeholder: 'Add data point option',
		default: {},
		description: 'Parts of the data point that only some insights have (a breakdown, conversion over time, a comparison)',
		displayOptions: { show: { insightSource: SAVED_OR_JSON } },
		options: options.map((option) => {
			const copy: INodeProperties = { ...option, required: false };
			delete copy.displayOptions;
			return copy;
		}),
	};
}

/** The Options collection of an insight operation. */
export function insightOptionsProperty(kind: InsightKind, extra: INodeProperties[] = []): INodeProperties {
	const options: INodeProperties[] = [
		{
			displayName: 'Bypass Cache',
			name: 'bypassCache',
			type: 'boolean',
			default: false,
			description:
				'Whether to make PostHog recompute the result instead of answering from its cache (slower, counts against the query limits)',
		},
	];
	if (kind === 'funnel' || kind === 'funnelCorrelation' || kind === 'trends' || kind === 'paths') {
		options.push({
			displayName: 'Include Recordings',
			name: 'includeRecordings',
			type: 'boolean',
			default: false,
			description:
				'Whether to add matched_recordings to each person: the session recordings with the events behind the data point',
		});
	}
	options.push(
		{
			displayName: 'Page Size',
			name: 'pageSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 50000 },
			default: 1000,
			description: 'Persons per query to PostHog (at most 50,000; every page is a separate query)',
		},
		...extra,
	);
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options,
	};
}
