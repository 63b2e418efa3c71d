import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { SeriesKind } from './definedInsight';
import {
	breakdownProperties,
	dateFromProperty,
	entityFields,
	insightSettingsProperty,
	legacyBreakdownSettings,
	rangeAndFilterSettings,
} from './definedFields.descriptions';
import { DEFINED_IN_NODE } from './insightSource.descriptions';

/**
 * The "Defined in Node" fields of funnel, correlation, trends, lifecycle and stickiness
 * operations: steps / series, funnel type, date range, interval, breakdown, comparison and
 * Insight Settings.
 */

const isFunnelKind = (kind: SeriesKind) => kind === 'funnel' || kind === 'funnelCorrelation';

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
	{ name: 'Unique Users', value: 'dau', description: "Persons who did the event (PostHog's default for stickiness)" },
];

function seriesProperty(kind: SeriesKind): INodeProperties {
	const funnel = isFunnelKind(kind);
	const values = entityFields();
	if (kind === 'trends' || kind === 'stickiness') {
		values.push({
			displayName: 'Aggregation',
			name: 'math',
			type: 'options',
			options: kind === 'trends' ? TRENDS_MATH : STICKINESS_MATH,
			default: 'total',
			description: "How the series counts (PostHog's math)",
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
		displayOptions: { show: DEFINED_IN_NODE },
		options: [{ displayName: funnel ? 'Step' : 'Series', name: 'entry', values }],
	};
}

function seriesSettings(kind: SeriesKind): INodeProperties[] {
	const funnel = isFunnelKind(kind);
	const options: INodeProperties[] = [];
	if (funnel || kind === 'trends') options.push(...legacyBreakdownSettings());
	if (kind === 'trends') {
		options.push({
			displayName: 'Compare to Previous Period (Old Setting)',
			name: 'compare',
			type: 'boolean',
			default: false,
			description: 'Whether the insight compares with the previous period (setting of a workflow made before Compare to Previous Period was on screen)',
			displayOptions: { show: { compare: [true] } },
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
	options.push(...rangeAndFilterSettings());
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
	return options;
}

/** The "Defined in Node" fields of a funnel, correlation, trends, lifecycle or stickiness operation. */
export function definedSeriesProperties(kind: SeriesKind): INodeProperties[] {
	const properties: INodeProperties[] = [seriesProperty(kind)];
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
			displayOptions: { show: DEFINED_IN_NODE },
		});
	}
	properties.push(dateFromProperty());
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
				kind === 'funnel' ? { show: { ...DEFINED_IN_NODE, funnelVizType: ['trends'] } } : { show: DEFINED_IN_NODE },
		});
	}
	if (isFunnelKind(kind) || kind === 'trends') properties.push(...breakdownProperties());
	if (kind === 'trends') {
		properties.push({
			displayName: 'Compare to Previous Period',
			name: 'comparePrevious',
			type: 'boolean',
			default: false,
			description: 'Whether the insight also shows the previous period (then Period picks which one)',
			displayOptions: { show: DEFINED_IN_NODE },
		});
	}
	properties.push(insightSettingsProperty(seriesSettings(kind)));
	return properties;
}
