/**
 * Every ActorsQuery body the Insight operations can build validates against PostHog's own JSON
 * Schema (sandbox/schema/query-schema.json, a subset of PostHog's schema; see sandbox/schema/LICENSE.md), for each kind × source ×
 * representative options. Invalid data points are rejected before anything is built.
 */
import type { IDataObject } from 'n8n-workflow';

import { buildActorsQuery, checkSelector, type SelectorFor } from '../../nodes/PostHogPersons/actions/insight/actorsQuery';
import { InsightInputError } from '../../nodes/PostHogPersons/actions/insight/dataPointChecks';
import { buildInsightQuery, type DefinedInsightInput, type SeriesKind } from '../../nodes/PostHogPersons/actions/insight/definedInsight';
import { extractInsightSource, parseInsightReference } from '../../nodes/PostHogPersons/actions/insight/insightSource';
import { propertyFilters, schemaValidators } from './schemaHelpers';

const { ajv, validateActorsQuery, validatorFor, expectValid } = schemaValidators();

// ------------------------------------------------------------------ realistic saved insights
// Shapes as PostHog's insights API returns them (InsightVizNode with view flags, upgraded sources).

const savedInsights: Record<string, IDataObject> = {
	funnel: {
		id: 101,
		short_id: 'Fn1stEps',
		name: 'Signup funnel',
		query: {
			kind: 'InsightVizNode',
			full: true,
			showCorrelationTable: true,
			source: {
				kind: 'FunnelsQuery',
				version: 2,
				series: [
					{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' },
					{ kind: 'ActionsNode', id: 2, name: 'Signed up or purchased' },
					{ kind: 'EventsNode', event: 'purchased', name: 'purchased', custom_name: 'Bought' },
				],
				dateRange: { date_from: '-30d', date_to: null, explicitDate: false },
				filterTestAccounts: true,
				properties: {
					type: 'AND',
					values: [{ type: 'AND', values: [{ key: '$browser', value: ['Chrome'], operator: 'exact', type: 'event' }] }],
				},
				breakdownFilter: { breakdown_type: 'event', breakdown: '$browser', breakdown_limit: 10 },
				funnelsFilter: {
					funnelVizType: 'steps',
					funnelOrderType: 'ordered',
					funnelWindowInterval: 14,
					funnelWindowIntervalUnit: 'day',
					breakdownAttributionType: 'first_touch',
					exclusions: [],
					layout: 'vertical',
					funnelStepReference: 'total',
				},
			},
		},
	},
	funnelTrends: {
		id: 102,
		short_id: 'FnTr3nds',
		name: 'Signup conversion over time',
		query: {
			kind: 'InsightVizNode',
			source: {
				kind: 'FunnelsQuery',
				series: [
					{ kind: 'EventsNode', event: '$pageview', name: '$pageview' },
					{ kind: 'EventsNode', event: 'signed_up', name: 'signed_up' },
				],
				interval: 'day',
				dateRange: { date_from: '-14d' },
				funnelsFilter: { funnelVizType: 'trends', funnelFromStep: 0, funnelToStep: 1 },
			},
		},
	},
	trends: {
		id: 103,
		short_id: 'TrNd5abc',
		name: 'Daily pageviews by browser, compared',
		query: {
			kind: 'InsightVizNode',
			full: true,
			source: {
				kind: 'TrendsQuery',
				version: 2,
				series: [
					{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' },
					{ kind: 'ActionsNode', id: 1, name: 'Viewed pricing page', math: 'dau', custom_name: 'Pricing' },
				],
				interval: 'day',
				dateRange: { date_from: '-14d', explicitDate: false },
				breakdownFilter: { breakdown_type: 'event', breakdown: '$browser' },
				compareFilter: { compare: true },
				trendsFilter: { display: 'ActionsLineGraph', showLegend: true, aggregationAxisFormat: 'numeric' },
				properties: [{ key: 'email', value: '@example.com', operator: 'icontains', type: 'person' }],
				filterTestAccounts: false,
			},
		},
	},
	trendsCohorts: {
		id: 107,
		short_id: 'TrCohort',
		name: 'Purchases by cohort (total)',
		query: {
			kind: 'InsightVizNode',
			source: {
				kind: 'TrendsQuery',
				series: [{ kind: 'EventsNode', event: 'purchased', math: 'total' }],
				breakdownFilter: { breakdown_type: 'cohort', breakdown: [1, 2, 'all'] },
				trendsFilter: { display: 'ActionsPie' },
				dateRange: { date_from: '-30d' },
			},
		},
	},
	trendsMulti: {
		id: 108,
		short_id: 'TrMult12',
		name: 'Pageviews by browser and country',
		query: {
			kind: 'InsightVizNode',
			source: {
				kind: 'TrendsQuery',
				series: [{ kind: 'EventsNode', event: '$pageview', math: 'total' }],
				interval: 'week',
				breakdownFilter: {
					breakdowns: [
						{ type: 'event', property: '$browser' },
						{ type: 'person', property: 'country' },
					],
				},
				dateRange: { date_from: '-8w' },
			},
		},
	},
	lifecycle: {
		id: 104,
		short_id: 'LfCyc1e9',
		name: 'User lifecycle',
		query: {
			kind: 'InsightVizNode',
			source: {
				kind: 'LifecycleQuery',
				series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview' }],
				interval: 'week',
				dateRange: { date_from: '-8w' },
				filterTestAccounts: true,
				lifecycleFilter: { showValuesOnSeries: false, toggledLifecycles: ['new', 'dormant'] },
			},
		},
	},
	stickiness: {
		id: 105,
		short_id: 'St1cky00',
		name: 'Pageview stickiness',
		query: {
			kind: 'InsightVizNode',
			source: {
				kind: 'StickinessQuery',
				series: [
					{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'dau' },
					{ kind: 'ActionsNode', id: 3, name: 'Chrome pageview' },
				],
				interval: 'day',
				dateRange: { date_from: '-30d' },
				compareFilter: { compare: true, compare_to: '-1w' },
				stickinessFilter: { computedAs: 'cumulative', showLegend: true },
			},
		},
	},
	sql: {
		id: 106,
		short_id: 'SqL00001',
		name: 'SQL: persons per plan',
		query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'SELECT 1' } },
	},
};

// ------------------------------------------------------------------ defined-in-node inputs


const definedInputs: Record<SeriesKind, DefinedInsightInput[]> = {
	funnel: [
		{ series: [{ type: 'event', event: '$pageview' }, { type: 'event', event: 'signed_up' }], dateFrom: '-30d' },
		{
			series: [{ type: 'event', event: '$pageview' }, { type: 'action', actionId: 2 }, { type: 'event', event: 'purchased' }],
			dateFrom: '2024-01-01',
			dateTo: '2024-01-31T23:59:59Z',
			properties: propertyFilters,
			filterTestAccounts: true,
			breakdownProperty: 'plan',
			breakdownType: 'person',
			funnelVizType: 'steps',
			funnelOrderType: 'strict',
			funnelWindowInterval: 7,
			funnelWindowIntervalUnit: 'hour',
		},
		{
			series: [{ type: 'event', event: '$pageview' }, { type: 'event', event: 'signed_up' }],
			dateFrom: '-14d',
			interval: 'day',
			funnelVizType: 'trends',
			funnelOrderType: 'unordered',
		},
	],
	funnelCorrelation: [
		{ series: [{ type: 'event', event: '$pageview' }, { type: 'event', event: 'purchased' }], dateFrom: '-30d' },
		{
			series: [{ type: 'action', actionId: 1 }, { type: 'event', event: 'signed_up' }],
			dateFrom: '-1mStart',
			properties: propertyFilters,
			breakdownProperty: '$browser',
		},
	],
	trends: [
		{ series: [{ type: 'event', event: '$pageview', math: 'total' }], dateFrom: '-7d', interval: 'day' },
		{
			series: [{ type: 'event', event: '$pageview', math: 'dau' }, { type: 'action', actionId: 3, math: 'weekly_active' }],
			dateFrom: '-4w',
			interval: 'week',
			properties: propertyFilters,
			breakdownProperty: '$browser',
			breakdownType: 'event',
			compare: true,
			filterTestAccounts: true,
		},
		{ series: [{ type: 'event', event: 'purchased', math: 'total' }], dateFrom: 'all', totalValue: true, interval: 'month' },
	],
	lifecycle: [
		{ series: [{ type: 'event', event: '$pageview' }], dateFrom: '-30d', interval: 'day' },
		{ series: [{ type: 'action', actionId: 1 }], dateFrom: '-8w', interval: 'week', properties: propertyFilters, filterTestAccounts: true },
	],
	stickiness: [
		{ series: [{ type: 'event', event: '$pageview', math: 'dau' }], dateFrom: '-30d', interval: 'day' },
		{
			series: [{ type: 'event', event: '$pageview', math: 'total' }, { type: 'action', actionId: 3 }],
			dateFrom: '-12w',
			interval: 'week',
			properties: propertyFilters,
		},
	],
};

// ------------------------------------------------------------------ selectors per kind

function selectorsFor(kind: SeriesKind, source: IDataObject): Array<SelectorFor[SeriesKind]> {
	const hasBreakdown = Boolean((source.breakdownFilter as IDataObject | undefined)?.breakdown ?? (source.breakdownFilter as IDataObject | undefined)?.breakdowns);
	const breakdownFilter = (source.breakdownFilter ?? {}) as IDataObject;
	switch (kind) {
		case 'funnel': {
			const steps = (source.series as unknown[]).length;
			const trends = (source.funnelsFilter as IDataObject | undefined)?.funnelVizType === 'trends';
			if (trends) {
				return [
					{ outcome: 'converted', entrancePeriodStart: '2024-01-15 00:00:00' },
					{ outcome: 'droppedOff', entrancePeriodStart: '2024-01-15' },
					// the Step field keeps its default (1) when the funnel shows conversion over time
					{ outcome: 'droppedOff', step: 1, entrancePeriodStart: '2024-01-15' },
				];
			}
			const list: FunnelSelector[] = [
				{ outcome: 'converted', step: 1 },
				{ outcome: 'converted', step: steps },
				{ outcome: 'droppedOff', step: 2 },
				{ outcome: 'droppedOff', step: steps },
			];
			if (hasBreakdown) list.push({ outcome: 'droppedOff', step: 2, breakdownValue: breakdownFilter.breakdown_type === 'cohort' ? '2' : 'Chrome' });
			return list;
		}
		case 'funnelCorrelation':
			return [
				{ correlationType: 'events', eventName: 'viewed_pricing', persons: 'converted' },
				{ correlationType: 'events', eventName: 'viewed_pricing', persons: 'both' },
				{ correlationType: 'event_with_properties', eventName: 'viewed_pricing', eventPropertyKey: 'plan_viewed', eventPropertyValue: 'pro', persons: 'droppedOff' },
				{ correlationType: 'properties', propertyValues: [{ key: 'plan', value: 'pro' }, { key: 'country', value: 'US' }], persons: 'converted' },
			];
		case 'trends': {
			const display = String((source.trendsFilter as IDataObject | undefined)?.display ?? '');
			const total = ['BoldNumber', 'ActionsPie', 'ActionsBarValue', 'ActionsTable', 'WorldMap'].includes(display);
			const day = total ? undefined : '2024-01-15';
			const list: TrendsSelector[] = [{ series: '1', day }];
			if ((source.series as unknown[]).length > 1) list.push({ series: '2', day: total ? undefined : '2024-01-15T00:00:00Z' });
			if (hasBreakdown) {
				const value = breakdownFilter.breakdowns ? '["Chrome","US"]' : breakdownFilter.breakdown_type === 'cohort' ? '2' : '$$_posthog_breakdown_null_$$';
				list.push({ series: '1', day, breakdownValue: value });
			}
			if ((source.compareFilter as IDataObject | undefined)?.compare) list.push({ series: '1', day, compare: 'previous' });
			return list;
		}
		case 'lifecycle':
			return ['new', 'returning', 'resurrecting', 'dormant'].map((status) => ({ status, day: '2024-01-15' }));
		case 'stickiness': {
			const list: StickinessSelector[] = [{ intervals: 1, series: '1' }, { intervals: 7, series: '1' }];
			if ((source.series as unknown[]).length > 1) list.push({ intervals: 3, series: '2' });
			return list;
		}
	}
}

type FunnelSelector = SelectorFor['funnel'];
type TrendsSelector = SelectorFor['trends'];
type StickinessSelector = SelectorFor['stickiness'];

const SAVED_FOR_KIND: Record<SeriesKind, string[]> = {
	funnel: ['funnel', 'funnelTrends'],
	funnelCorrelation: ['funnel'],
	trends: ['trends', 'trendsCohorts', 'trendsMulti'],
	lifecycle: ['lifecycle'],
	stickiness: ['stickiness'],
};

const KINDS: SeriesKind[] = ['funnel', 'funnelCorrelation', 'trends', 'lifecycle', 'stickiness'];

describe('every query body validates against PostHog\'s schema', () => {
	for (const kind of KINDS) {
		describe(kind, () => {
			const sources: Array<[string, IDataObject]> = [];
			for (const name of SAVED_FOR_KIND[kind]) {
				sources.push([`saved ${name}`, extractInsightSource(kind, savedInsights[name].query, name)]);
			}
			definedInputs[kind].forEach((input, index) => sources.push([`defined #${index + 1}`, buildInsightQuery(kind, input)]));
			// Raw JSON: the sources above as a user would paste them (plain query, or InsightVizNode, or an insight object)
			sources.push([`raw JSON (plain query)`, extractInsightSource(kind, JSON.parse(JSON.stringify(sources[0][1])), 'raw')]);
			sources.push([`raw JSON (whole insight)`, extractInsightSource(kind, JSON.parse(JSON.stringify(savedInsights[SAVED_FOR_KIND[kind][0]])), 'raw')]);

			for (const [label, source] of sources) {
				test(`${label}: insight query itself and every data point`, () => {
					const validateSource = validatorFor(source.kind as string);
					if (!validateSource(source)) throw new Error(ajv.errorsText(validateSource.errors));
					for (const selector of selectorsFor(kind, source)) {
						for (const includeRecordings of [false, true]) {
							expectValid(buildActorsQuery(kind, source, selector as never, { includeRecordings }));
						}
					}
				});
			}
		});
	}

	test('the validator is strict: a misspelled or mistyped field fails', () => {
		const source = buildInsightQuery('funnel', definedInputs.funnel[0]);
		const query = buildActorsQuery('funnel', source, { outcome: 'converted', step: 2 });
		expect(validateActorsQuery({ ...query, limit: 10 })).toBe(true);
		const typo = JSON.parse(JSON.stringify(query));
		typo.source.funnelSteps = 2;
		expect(validateActorsQuery(typo)).toBe(false);
		const wrongType = JSON.parse(JSON.stringify(query));
		wrongType.source.funnelStep = '2';
		expect(validateActorsQuery(wrongType)).toBe(false);
	});
});

describe('what the bodies say', () => {
	const funnelSource = extractInsightSource('funnel', savedInsights.funnel.query, 'funnel');

	test('funnel: converted N = funnelStep N, dropped off at N = -N, breakdown as an array, no orderBy', () => {
		expect(buildActorsQuery('funnel', funnelSource, { outcome: 'converted', step: 3 })).toEqual({
			kind: 'ActorsQuery',
			select: ['actor'],
			source: { kind: 'FunnelsActorsQuery', source: funnelSource, funnelStep: 3 },
		});
		const dropped = buildActorsQuery('funnel', funnelSource, { outcome: 'droppedOff', step: 2, breakdownValue: 'Chrome' }, { includeRecordings: true });
		expect(dropped.select).toEqual(['actor', 'matched_recordings']);
		expect(dropped.source).toEqual({
			kind: 'FunnelsActorsQuery',
			source: funnelSource,
			funnelStep: -2,
			funnelStepBreakdown: ['Chrome'],
			includeRecordings: true,
		});
		// the saved insight's query is sent unchanged
		expect((dropped.source as IDataObject).source).toBe(funnelSource);
		expect(funnelSource).toEqual((savedInsights.funnel.query as IDataObject).source);
	});

	test('funnel trends: entrance period + drop-off flag instead of funnelStep', () => {
		const source = extractInsightSource('funnel', savedInsights.funnelTrends.query, 'f');
		const query = buildActorsQuery('funnel', source, { outcome: 'droppedOff', step: 5, entrancePeriodStart: '2024-01-15 00:00:00' });
		expect(query.source).toEqual({
			kind: 'FunnelsActorsQuery',
			source,
			funnelTrendsDropOff: true,
			funnelTrendsEntrancePeriodStart: '2024-01-15 00:00:00',
		});
	});

	test('correlation: nested like PostHog\'s correlation table; "both" omits the converted flag', () => {
		const query = buildActorsQuery('funnelCorrelation', funnelSource, {
			correlationType: 'event_with_properties',
			eventName: 'viewed_pricing',
			eventPropertyKey: 'plan_viewed',
			eventPropertyValue: 'pro',
			persons: 'converted',
		});
		expect(query.source).toEqual({
			kind: 'FunnelCorrelationActorsQuery',
			funnelCorrelationPersonConverted: true,
			funnelCorrelationPersonEntity: {
				kind: 'EventsNode',
				event: 'viewed_pricing',
				properties: [{ key: 'plan_viewed', value: 'pro', type: 'event', operator: 'exact' }],
			},
			source: {
				kind: 'FunnelCorrelationQuery',
				funnelCorrelationType: 'event_with_properties',
				source: { kind: 'FunnelsActorsQuery', source: funnelSource, funnelStep: 1 },
			},
		});
		const both = buildActorsQuery('funnelCorrelation', funnelSource, { correlationType: 'properties', propertyValues: [{ key: 'plan', value: 'pro' }], persons: 'both' });
		expect(both.source).not.toHaveProperty('funnelCorrelationPersonConverted');
		expect((both.source as IDataObject).funnelCorrelationPropertyValues).toEqual([{ key: 'plan', value: 'pro', type: 'person', operator: 'exact' }]);
	});

	test('trends: event_count ordered like PostHog\'s persons modal; series by position or name; compare', () => {
		const source = extractInsightSource('trends', savedInsights.trends.query, 't');
		const query = buildActorsQuery('trends', source, { series: 'Pricing', day: '2024-01-15', breakdownValue: 'Safari', compare: 'previous' });
		expect(query.select).toEqual(['actor', 'event_count']);
		expect(query.orderBy).toEqual(['event_count DESC', 'actor_id DESC']);
		expect(query.source).toEqual({ kind: 'InsightActorsQuery', source, series: 1, day: '2024-01-15', breakdown: 'Safari', compare: 'previous' });
		expect((buildActorsQuery('trends', source, { series: '$pageview', day: '2024-01-15' }).source as IDataObject).series).toBe(0);
		expect((buildActorsQuery('trends', source, { series: '1', day: '2024-01-15' }).source as IDataObject).compare).toBe('current');
		const cohorts = extractInsightSource('trends', savedInsights.trendsCohorts.query, 't');
		expect(buildActorsQuery('trends', cohorts, { series: '1', breakdownValue: '2' }).source).toEqual({ kind: 'InsightActorsQuery', source: cohorts, series: 0, breakdown: 2 });
		const multi = extractInsightSource('trends', savedInsights.trendsMulti.query, 't');
		expect((buildActorsQuery('trends', multi, { series: '1', day: '2024-01-08', breakdownValue: '["Chrome","US"]' }).source as IDataObject).breakdown).toEqual(['Chrome', 'US']);
	});

	test('lifecycle: day + status; stickiness: integer day and only the chosen series, no compare', () => {
		const lifecycle = extractInsightSource('lifecycle', savedInsights.lifecycle.query, 'l');
		expect(buildActorsQuery('lifecycle', lifecycle, { status: 'dormant', day: '2024-01-15' })).toEqual({
			kind: 'ActorsQuery',
			select: ['actor'],
			source: { kind: 'InsightActorsQuery', source: lifecycle, day: '2024-01-15', status: 'dormant' },
		});
		const stickiness = extractInsightSource('stickiness', savedInsights.stickiness.query, 's');
		const query = buildActorsQuery('stickiness', stickiness, { intervals: 3, series: 'Chrome pageview' }, { includeRecordings: true });
		expect(query.select).toEqual(['actor']);
		const sent = query.source as IDataObject;
		expect(sent.day).toBe(3);
		expect((sent.source as IDataObject).series).toEqual([(stickiness.series as IDataObject[])[1]]);
		expect(sent.source).not.toHaveProperty('compareFilter');
		expect((sent.source as IDataObject).stickinessFilter).toEqual(stickiness.stickinessFilter);
		// the saved insight's own object is not modified
		expect((stickiness.series as unknown[]).length).toBe(2);
		expect(stickiness.compareFilter).toEqual({ compare: true, compare_to: '-1w' });
	});

	test('defined in node: typed fields become the insight query', () => {
		expect(buildInsightQuery('funnel', definedInputs.funnel[1])).toEqual({
			kind: 'FunnelsQuery',
			series: [
				{ kind: 'EventsNode', event: '$pageview', name: '$pageview' },
				{ kind: 'ActionsNode', id: 2 },
				{ kind: 'EventsNode', event: 'purchased', name: 'purchased' },
			],
			dateRange: { date_from: '2024-01-01', date_to: '2024-01-31T23:59:59Z' },
			properties: propertyFilters,
			filterTestAccounts: true,
			breakdownFilter: { breakdown_type: 'person', breakdown: 'plan' },
			funnelsFilter: { funnelVizType: 'steps', funnelOrderType: 'strict', funnelWindowInterval: 7, funnelWindowIntervalUnit: 'hour' },
		});
		expect(buildInsightQuery('trends', definedInputs.trends[2])).toEqual({
			kind: 'TrendsQuery',
			series: [{ kind: 'EventsNode', event: 'purchased', name: 'purchased', math: 'total' }],
			dateRange: { date_from: 'all' },
			interval: 'month',
			trendsFilter: { display: 'ActionsBarValue' },
		});
	});
});

describe('invalid input is rejected before anything is built or sent', () => {
	const funnelSource = extractInsightSource('funnel', savedInsights.funnel.query, 'funnel');
	const trendsSource = extractInsightSource('trends', savedInsights.trends.query, 'trends');

	const rejectsSelector = <K extends SeriesKind>(kind: K, selector: SelectorFor[K], field: string, message: RegExp) => {
		let thrown: unknown;
		try {
			checkSelector(kind, selector);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(InsightInputError);
		expect((thrown as InsightInputError).field).toBe(field);
		expect((thrown as Error).message).toMatch(message);
	};

	test.each([
		['funnel step 0', 'funnel', { outcome: 'converted', step: 0 }, 'Step', /at least 1/],
		['funnel step 1.5', 'funnel', { outcome: 'converted', step: 1.5 }, 'Step', /whole number/],
		['funnel drop-off at step 1', 'funnel', { outcome: 'droppedOff', step: 1 }, 'Step', /drop off at step 1/],
		['funnel bad entrance period', 'funnel', { outcome: 'converted', step: 1, entrancePeriodStart: 'yesterday' }, 'Entrance Period Start', /not a date/],
		['funnel unknown outcome', 'funnel', { outcome: 'maybe' as never, step: 1 }, 'Data Point', /not a funnel data point/],
		['correlation without event', 'funnelCorrelation', { correlationType: 'events', eventName: ' ', persons: 'converted' }, 'Correlated Event', /No correlated event/],
		['correlation without event property', 'funnelCorrelation', { correlationType: 'event_with_properties', eventName: 'e', persons: 'both' }, 'Event Property', /No event property/],
		['correlation without person property', 'funnelCorrelation', { correlationType: 'properties', propertyValues: [{ key: '', value: 'x' }], persons: 'both' }, 'Person Properties', /No correlated person property/],
		['trends series 0', 'trends', { series: '0', day: '2024-01-15' }, 'Series', /at least 1/],
		['trends empty series', 'trends', { series: '', day: '2024-01-15' }, 'Series', /No series/],
		['trends relative day', 'trends', { series: '1', day: '-7d' }, 'Day', /not a date/],
		['trends impossible date', 'trends', { series: '1', day: '2024-02-30' }, 'Day', /not a date/],
		['lifecycle unknown status', 'lifecycle', { status: 'churned', day: '2024-01-15' }, 'Status', /not a lifecycle status/],
		['lifecycle without day', 'lifecycle', { status: 'new', day: '' }, 'Day', /No day/],
		['stickiness 0 intervals', 'stickiness', { intervals: 0, series: '1' }, 'Active Intervals', /at least 1/],
		['stickiness fractional intervals', 'stickiness', { intervals: 2.5, series: '1' }, 'Active Intervals', /whole number/],
	] as Array<[string, SeriesKind, never, string, RegExp]>)('%s', (_label, kind, selector, field, message) => {
		rejectsSelector(kind, selector, field, message);
	});

	test.each([
		['funnel step beyond the last', () => buildActorsQuery('funnel', funnelSource, { outcome: 'converted', step: 4 }), /3 steps; there is no step 4/],
		['funnel breakdown value without breakdown', () => buildActorsQuery('funnel', buildInsightQuery('funnel', definedInputs.funnel[0]), { outcome: 'converted', step: 1, breakdownValue: 'Chrome' }), /no breakdown/],
		['steps funnel with an entrance period', () => buildActorsQuery('funnel', funnelSource, { outcome: 'converted', step: 2, entrancePeriodStart: '2024-01-15' }), /Entrance Period Start does not apply/],
		['funnel trends without entrance period', () => buildActorsQuery('funnel', extractInsightSource('funnel', savedInsights.funnelTrends.query, 'f'), { outcome: 'converted', step: 1 }), /Entrance Period Start is needed/],
		['trends series 3 of 2', () => buildActorsQuery('trends', trendsSource, { series: '3', day: '2024-01-15' }), /no series 3/],
		['trends unknown series name', () => buildActorsQuery('trends', trendsSource, { series: 'signed_up', day: '2024-01-15' }), /no series named "signed_up"/],
		['trends line chart without day', () => buildActorsQuery('trends', trendsSource, { series: '1' }), /No day given/],
		['trends total-value chart with day', () => buildActorsQuery('trends', extractInsightSource('trends', savedInsights.trendsCohorts.query, 't'), { series: '1', day: '2024-01-15' }), /no days/],
		['trends previous period without compare', () => buildActorsQuery('trends', buildInsightQuery('trends', definedInputs.trends[0]), { series: '1', day: '2024-01-15', compare: 'previous' }), /does not compare/],
		['trends cohort breakdown with a name', () => buildActorsQuery('trends', extractInsightSource('trends', savedInsights.trendsCohorts.query, 't'), { series: '1', breakdownValue: 'Pro plan' }), /not a cohort ID/],
		['trends two breakdowns, one value', () => buildActorsQuery('trends', extractInsightSource('trends', savedInsights.trendsMulti.query, 't'), { series: '1', day: '2024-01-08', breakdownValue: '["Chrome"]' }), /2 properties/],
		['SQL insight', () => extractInsightSource('trends', savedInsights.sql.query, 'SQL insight'), /SQL or table insight/],
		['trends insight for the funnel operation', () => extractInsightSource('funnel', savedInsights.trends.query, 'Insight X'), /is a trends insight \(TrendsQuery\), but Get Funnel Persons needs a funnel insight/],
		['lifecycle insight for stickiness', () => extractInsightSource('stickiness', savedInsights.lifecycle.query, 'Insight X'), /is a lifecycle insight/],
		['raw JSON without kind', () => extractInsightSource('trends', { series: [] }, 'raw'), /no "kind"/],
		['defined funnel with one step', () => buildInsightQuery('funnel', { series: [{ type: 'event', event: 'a' }] }), /at least two steps/],
		['defined series without event name', () => buildInsightQuery('trends', { series: [{ type: 'event', event: '' }] }), /Series 1 has no event name/],
		['defined action without ID', () => buildInsightQuery('trends', { series: [{ type: 'action', actionId: 0 }] }), /no valid action ID/],
		['defined bad date', () => buildInsightQuery('trends', { series: [{ type: 'event', event: 'a' }], dateFrom: 'last week' }), /not a date PostHog understands/],
		['defined lifecycle with two series', () => buildInsightQuery('lifecycle', { series: [{ type: 'event', event: 'a' }, { type: 'event', event: 'b' }] }), /exactly one series/],
		['defined stickiness breakdown', () => buildInsightQuery('stickiness', { series: [{ type: 'event', event: 'a' }], breakdownProperty: '$browser' }), /no breakdown/],
	])('%s', (_label, build, message) => {
		expect(build).toThrow(InsightInputError);
		expect(build).toThrow(message);
	});
});

test('a kind mismatch names the operation that fits the insight', () => {
	let thrown: InsightInputError | undefined;
	try {
		extractInsightSource('stickiness', savedInsights.lifecycle.query, 'Insight X');
	} catch (error) {
		thrown = error as InsightInputError;
	}
	expect(thrown?.description).toMatch(/Use the operation Get Lifecycle Persons/);
});

describe('insight references', () => {
	test.each([
		['AbC123xy', { shortId: 'AbC123xy' }],
		[' 42 ', { id: 42 }],
		['https://us.posthog.com/project/1/insights/AbC123xy', { shortId: 'AbC123xy' }],
		['https://eu.posthog.com/project/7/insights/AbC123xy/edit?dashboard=3#filters', { shortId: 'AbC123xy' }],
		['http://localhost:8000/project/1/insights/17', { id: 17 }],
	])('%s', (text, expected) => {
		expect(parseInsightReference(text)).toEqual(expected);
	});

	test.each(['', 'https://us.posthog.com/project/1/dashboard/5', 'not an id!'])('rejects "%s"', (text) => {
		expect(() => parseInsightReference(text)).toThrow(InsightInputError);
	});
});
