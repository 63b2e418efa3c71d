import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { propertyFiltersProperty } from '../../helpers/filters';
import type { InsightKind } from './queryBuilder';

/**
 * Fields shared by the five Insight operations: where the insight comes from (a saved
 * insight, fields of this node, or raw JSON) and the request options. Each operation adds its
 * own data point fields and scopes everything with updateDisplayOptions.
 */

const isFunnelKind = (kind: InsightKind) => kind === 'funnel' || kind === 'funnelCorrelation';

const RAW_QUERY_EXAMPLES: Record<InsightKind, object> = {
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
};

const TRENDS_MATH: INodePropertyOptions[] = [
	{ name: 'First Time for a User', value: 'first_time_for_user', description: 'Only the first matching event of each person' },
	{ name: 'Monthly Active Users', value: 'monthly_active', description: 'Persons active in the 30 days up to each point' },
	{ name: 'Total Count', value: 'total', description: 'Number of events' },
	{ name: 'Unique Sessions', value: 'unique_session', description: 'Number of sessions with the event' },
	{ name: 'Unique Users', value: 'dau', description: 'Number of persons who did the event' },
	{ name: 'Weekly Active Users', value: 'weekly_active', description: 'Persons active in the 7 days up to each point' },
];

const STICKINESS_MATH: INodePropertyOptions[] = [
	{ name: 'Total Count', value: 'total', description: 'Every matching event counts towards an active interval' },
	{ name: 'Unique Users', value: 'dau', description: 'Persons who did the event (PostHog\'s default for stickiness)' },
];

function seriesProperty(kind: InsightKind): INodeProperties {
	const funnel = isFunnelKind(kind);
	const values: INodeProperties[] = [
		{
			displayName: 'Type',
			name: 'type',
			type: 'options',
			options: [
				{ name: 'Action', value: 'action', description: 'An action defined in PostHog (by its numeric ID)' },
				{ name: 'Event', value: 'event', description: 'An event by name' },
			],
			default: 'event',
		},
		{
			displayName: 'Event Name',
			name: 'event',
			type: 'string',
			default: '',
			placeholder: 'e.g. $pageview',
			description: 'Name of the event exactly as PostHog stores it',
			displayOptions: { show: { type: ['event'] } },
		},
		{
			displayName: 'Action ID',
			name: 'actionId',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1,
			description: "Numeric ID of the action (from its URL in PostHog, e.g. 12 in /data-management/actions/12)",
			displayOptions: { show: { type: ['action'] } },
		},
	];
	if (kind === 'trends' || kind === 'stickiness') {
		values.push({
			displayName: 'Aggregation',
			name: 'math',
			type: 'options',
			options: kind === 'trends' ? TRENDS_MATH : STICKINESS_MATH,
			default: 'total',
			description: 'How the series counts (PostHog\'s math)',
		});
	}
	return {
		displayName: funnel ? 'Steps' : 'Series',
		name: 'insightSeries',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: funnel ? 'Add step' : 'Add series',
		default: {},
		required: true,
		description: funnel
			? 'The steps of the funnel, in order (at least two)'
			: kind === 'lifecycle'
				? 'The event or action whose lifecycle is shown (one)'
				: 'The events and actions of the insight (A, B, C… in PostHog)',
		displayOptions: { show: { insightSource: ['defined'] } },
		options: [{ displayName: funnel ? 'Step' : 'Series', name: 'entry', values }],
	};
}

function settingsProperty(kind: InsightKind): INodeProperties {
	const funnel = isFunnelKind(kind);
	const breakdown = funnel || kind === 'trends';
	const options: INodeProperties[] = [];
	if (breakdown) {
		options.push(
			{
				displayName: 'Breakdown Property',
				name: 'breakdownProperty',
				type: 'string',
				default: '',
				placeholder: 'e.g. $browser',
				description: 'Break the insight down by the values of this property',
			},
			{
				displayName: 'Breakdown Type',
				name: 'breakdownType',
				type: 'options',
				options: [
					{ name: 'Event Property', value: 'event' },
					{ name: 'Person Property', value: 'person' },
				],
				default: 'event',
				description: 'Whose property Breakdown Property is',
			},
		);
	}
	if (kind === 'trends') {
		options.push({
			displayName: 'Compare to Previous Period',
			name: 'compare',
			type: 'boolean',
			default: false,
			description: 'Whether the insight also shows the previous period (then Period picks which one)',
		});
	}
	if (funnel) {
		options.push(
			{
				displayName: 'Conversion Window',
				name: 'funnelWindowInterval',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 14,
				description: 'How long persons have to complete the funnel after its first step',
			},
			{
				displayName: 'Conversion Window Unit',
				name: 'funnelWindowIntervalUnit',
				type: 'options',
				options: [
					{ name: 'Day', value: 'day' },
					{ name: 'Hour', value: 'hour' },
					{ name: 'Minute', value: 'minute' },
					{ name: 'Month', value: 'month' },
					{ name: 'Second', value: 'second' },
					{ name: 'Week', value: 'week' },
				],
				default: 'day',
			},
		);
	}
	options.push(
		{
			displayName: 'Date To',
			name: 'dateTo',
			type: 'string',
			default: '',
			placeholder: 'e.g. 2024-01-31 or -1d',
			description: 'End of the date range (relative like -1d, or a date). Empty means now.',
		},
		{
			displayName: 'Filter Out Internal and Test Users',
			name: 'filterTestAccounts',
			type: 'boolean',
			default: false,
			description: "Whether to apply the project's internal and test account filters",
		},
		propertyFiltersProperty(
			'propertyFilters',
			'Property Filters',
			true,
			'Only count events (and persons) matching all these conditions',
		),
	);
	if (funnel) {
		options.push({
			displayName: 'Step Order',
			name: 'funnelOrderType',
			type: 'options',
			options: [
				{ name: 'Any Order', value: 'unordered', description: 'Steps may be done in any order' },
				{ name: 'Sequential', value: 'ordered', description: 'Steps in order, other events in between allowed' },
				{ name: 'Strict Order', value: 'strict', description: 'Steps in order with no other events in between' },
			],
			default: 'ordered',
		});
	}
	if (kind === 'trends') {
		options.push({
			displayName: 'Whole Date Range as One Value',
			name: 'totalValue',
			type: 'boolean',
			default: false,
			description:
				'Whether the insight shows one value for the whole date range (like a bar-by-value or number chart) instead of a value per interval; Day then stays empty',
		});
	}
	return {
		displayName: 'Insight Settings',
		name: 'insightSettings',
		type: 'collection',
		placeholder: 'Add setting',
		default: {},
		displayOptions: { show: { insightSource: ['defined'] } },
		options,
	};
}

/** Source choice and the fields of each source, for one operation kind. */
export function insightSourceProperties(kind: InsightKind): INodeProperties[] {
	const funnel = isFunnelKind(kind);
	const properties: INodeProperties[] = [
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
					description: `The insight query as JSON (${funnel ? 'FunnelsQuery' : kind === 'trends' ? 'TrendsQuery' : kind === 'lifecycle' ? 'LifecycleQuery' : 'StickinessQuery'}), for experts`,
				},
				{
					name: 'Saved Insight',
					value: 'saved',
					description: 'An insight saved in PostHog, by its short ID, URL or numeric ID',
				},
			],
			default: 'saved',
			description: 'Where the insight whose data point you want comes from',
		},
		{
			displayName: 'Insight',
			name: 'insightId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. AbC123xy or https://us.posthog.com/project/1/insights/AbC123xy',
			description:
				"The insight's short ID (the last part of its URL), the whole URL, or its numeric ID. Needs the scope insight:read.",
			displayOptions: { show: { insightSource: ['saved'] } },
		},
		{
			displayName: 'Insight Query (JSON)',
			name: 'insightQuery',
			type: 'json',
			default: JSON.stringify(RAW_QUERY_EXAMPLES[kind], null, 2),
			required: true,
			description:
				'The insight query as PostHog stores it (in PostHog: the insight\'s "…" menu → "Edit SQL / Show JSON", or the "query.source" of an insight from the API). An InsightVizNode wrapping it is accepted too.',
			displayOptions: { show: { insightSource: ['json'] } },
		},
		seriesProperty(kind),
	];
	if (kind === 'funnel') {
		properties.push({
			displayName: 'Funnel Type',
			name: 'funnelVizType',
			type: 'options',
			options: [
				{
					name: 'Conversion Over Time',
					value: 'trends',
					description: 'Conversion rate per period persons entered the funnel (pick a period below)',
				},
				{
					name: 'Steps',
					value: 'steps',
					description: 'Conversion through each step (pick a step below)',
				},
			],
			default: 'steps',
			displayOptions: { show: { insightSource: ['defined'] } },
		});
	}
	properties.push({
		displayName: 'Date From',
		name: 'dateFrom',
		type: 'string',
		default: '-30d',
		placeholder: 'e.g. -30d or 2024-01-01',
		description: 'Start of the date range: relative (-7d, -4w, -3m, -1mStart, all) or a date',
		displayOptions: { show: { insightSource: ['defined'] } },
	});
	if (kind !== 'funnelCorrelation') {
		properties.push({
			displayName: 'Interval',
			name: 'interval',
			type: 'options',
			options: [
				{ name: 'Day', value: 'day' },
				{ name: 'Hour', value: 'hour' },
				{ name: 'Month', value: 'month' },
				{ name: 'Week', value: 'week' },
			],
			default: 'day',
			description:
				kind === 'funnel'
					? 'Length of the periods of a conversion-over-time funnel'
					: kind === 'stickiness'
						? 'What an active interval is (active on N days, weeks, ...)'
						: 'Length of each point of the chart',
			displayOptions:
				kind === 'funnel'
					? { show: { insightSource: ['defined'], funnelVizType: ['trends'] } }
					: { show: { insightSource: ['defined'] } },
		});
	}
	properties.push(settingsProperty(kind));
	return properties;
}

/** The Options collection of an insight operation. */
export function insightOptionsProperty(kind: InsightKind): INodeProperties {
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
	if (kind === 'funnel' || kind === 'funnelCorrelation' || kind === 'trends') {
		options.push({
			displayName: 'Include Recordings',
			name: 'includeRecordings',
			type: 'boolean',
			default: false,
			description:
				'Whether to add matched_recordings to each person: the session recordings with the events behind the data point',
		});
	}
	options.push({
		displayName: 'Page Size',
		name: 'pageSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50000 },
		default: 1000,
		description: 'Persons per query to PostHog (at most 50,000; every page is a separate query)',
	});
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options,
	};
}
