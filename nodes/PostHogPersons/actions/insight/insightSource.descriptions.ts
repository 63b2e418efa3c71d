import type { IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_QUERY_PAGE_SIZE, MAX_QUERY_PAGE_SIZE } from '../../transport';
import { insightLocator } from '../descriptions/pickers';
import type { InsightKind } from './kinds';
import { INSIGHT_KINDS, kindNoun } from './kinds';

/**
 * Fields shared by the Insight operations: where the insight comes from (a saved insight,
 * fields of this node, or raw JSON), the data point fields that depend on it, and the Options
 * collection. Each operation adds its own fields and scopes everything with updateDisplayOptions.
 */

const SAVED_OR_JSON = ['saved', 'json'];

/** Show condition of the fields that describe an insight defined in the node. */
export const DEFINED_IN_NODE = { insightSource: ['defined'] };

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
			description: `The saved ${kindNoun(kind)} insight. The list shows only insights this operation can read. Needs the scope insight:read.`,
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
 * A data point field that only some insights have (a breakdown value, a funnel's entrance
 * period, the compared period). It is on screen for a defined insight where it applies
 * (`definedName`, shown by `definedShow`), and inside Data Point Options for saved insights and
 * raw JSON, whose shape the node only learns when it runs. Workflows made before Data Point
 * Options existed hold it at the top level under `field.name`; with `legacy`, that field stays
 * visible while it holds a value (no value or `emptyValue` hides it), so they keep working.
 */
export interface DataPointField {
	field: INodeProperties;
	definedName: string;
	definedShow: NonNullable<IDisplayOptions['show']>;
	emptyValue?: string;
	legacy?: boolean;
}

/**
 * Breakdown Value of an operation: `of` completes "the breakdown value of the …", `more` tells
 * the forms of values beyond the common ones (cohort ID, JSON array for several breakdowns).
 */
export function breakdownValueField(of: string, more: string, legacy: boolean): DataPointField {
	return {
		field: {
			displayName: 'Breakdown Value',
			name: 'breakdownValue',
			type: 'string',
			default: '',
			placeholder: 'e.g. Chrome',
			description: `For insights with a breakdown: the breakdown value of the ${of} (e.g. Chrome; a cohort ID for cohort breakdowns${more}; a JSON array like ["Chrome","US"] for several breakdown properties)`,
		},
		definedName: 'dataPointBreakdown',
		definedShow: { breakdownType: ['event', 'person'] },
		legacy,
	};
}

/** The on-screen field of a data point field, for defined insights. */
export function definedDataPointProperty(spec: DataPointField): INodeProperties {
	return { ...spec.field, name: spec.definedName, displayOptions: { show: { ...DEFINED_IN_NODE, ...spec.definedShow } } };
}

/**
 * The old top-level fields of workflows made before Data Point Options (`legacy` specs), one
 * property per name for all the operations that had it: n8n drops a value whose field is hidden,
 * and a field that hides itself when empty only keeps its value when its name is not used twice.
 */
export function legacyDataPointProperties(operations: Array<[operation: string, specs: DataPointField[]]>): INodeProperties[] {
	const byName = new Map<string, { spec: DataPointField; operations: string[] }>();
	for (const [operation, specs] of operations) {
		for (const spec of specs.filter((entry) => entry.legacy)) {
			const entry = byName.get(spec.field.name) ?? { spec, operations: [] };
			entry.operations.push(operation);
			byName.set(spec.field.name, entry);
		}
	}
	return [...byName.values()].map(({ spec, operations: shownFor }) => ({
		...spec.field,
		required: false,
		displayOptions: {
			// shown only while it holds a value: `gt ''` is false for no value and for ''
			show: { resource: ['insight'], operation: shownFor, [spec.field.name]: [{ _cnd: { gt: '' } }] },
			...(spec.emptyValue ? { hide: { [spec.field.name]: [spec.emptyValue] } } : {}),
		},
	}));
}

/** The Data Point Options collection (saved insights and raw JSON) of the operation's data point fields. */
export function dataPointOptionsProperty(specs: DataPointField[]): INodeProperties {
	return {
		displayName: 'Data Point Options',
		name: 'dataPointOptions',
		type: 'collection',
		placeholder: 'Add data point option',
		default: {},
		description: 'Parts of the data point that only some insights have (a breakdown, conversion over time, a comparison)',
		displayOptions: { show: { insightSource: SAVED_OR_JSON } },
		options: specs.map(({ field }) => {
			const copy: INodeProperties = { ...field, required: false };
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
			typeOptions: { minValue: 1, maxValue: MAX_QUERY_PAGE_SIZE },
			default: DEFAULT_QUERY_PAGE_SIZE,
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
