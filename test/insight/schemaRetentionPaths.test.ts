/**
 * Get Retention Persons and Get Paths Persons: every body they can build validates against
 * PostHog's JSON Schema, for saved, raw and defined sources, each data point form; what the
 * bodies say; and the input refused before anything is built.
 */
import type { IDataObject } from 'n8n-workflow';

import { buildActorsQuery, checkSelector } from '../../nodes/PostHogPersons/actions/insight/actorsQuery';
import { InsightInputError } from '../../nodes/PostHogPersons/actions/insight/dataPointChecks';
import { extractInsightSource } from '../../nodes/PostHogPersons/actions/insight/insightSource';
import { buildPathsQuery } from '../../nodes/PostHogPersons/actions/insight/paths.query';
import { buildRetentionQuery } from '../../nodes/PostHogPersons/actions/insight/retention.query';
import { propertyFilters, schemaValidators } from './schemaHelpers';

const { validatorFor, expectValid } = schemaValidators();

describe('retention and paths bodies validate against PostHog\'s schema', () => {
	const retentionSaved: IDataObject = {
		kind: 'InsightVizNode',
		source: {
			kind: 'RetentionQuery',
			dateRange: { date_from: '-8w', date_to: null, explicitDate: false },
			filterTestAccounts: true,
			breakdownFilter: { breakdown_type: 'event', breakdown: '$browser', breakdown_limit: 10 },
			retentionFilter: {
				period: 'Week',
				totalIntervals: 8,
				retentionType: 'retention_recurring',
				targetEntity: { id: '$pageview', name: '$pageview', type: 'events', kind: 'EventsNode', order: 0 },
				returningEntity: { id: 2, name: 'Signed up or purchased', type: 'actions', kind: 'ActionsNode' },
				selectedInterval: 3,
				display: 'ActionsTable',
				meanRetentionCalculation: 'simple',
			},
		},
	};
	const retentionCohorts: IDataObject = {
		kind: 'RetentionQuery',
		breakdownFilter: { breakdown_type: 'cohort', breakdown: [42, 'all'] },
		retentionFilter: { period: 'Day', retentionCustomBrackets: [1, 3, 7], targetEntity: { id: 'signed_up', type: 'events', kind: 'EventsNode' } },
	};
	const retentionMulti: IDataObject = {
		kind: 'RetentionQuery',
		breakdownFilter: { breakdowns: [{ type: 'event', property: '$browser' }, { type: 'person', property: 'country' }] },
		retentionFilter: { period: 'Month', totalIntervals: 6 },
	};
	const pathsSaved: IDataObject = {
		kind: 'InsightVizNode',
		source: {
			kind: 'PathsQuery',
			dateRange: { date_from: '-7d' },
			pathsFilter: {
				includeEventTypes: ['$pageview', 'custom_event'],
				stepLimit: 5,
				startPoint: 'https://example.com/pricing',
				excludeEvents: ['https://example.com/blog'],
				localPathCleaningFilters: [{ regex: '/\\d+', alias: '/:id', order: 0 }],
				edgeLimit: 50,
			},
			properties: [{ key: 'plan', value: ['pro'], operator: 'exact', type: 'person' }],
		},
	};

	test('retention: every source, row, breakdown shape and interval form', () => {
		const sources: IDataObject[] = [
			extractInsightSource('retention', retentionSaved, 'saved'),
			extractInsightSource('retention', retentionCohorts, 'raw'),
			extractInsightSource('retention', retentionMulti, 'raw'),
			buildRetentionQuery({
				targetEntity: { type: 'event', event: 'signed_up' },
				returningEntity: { type: 'action', actionId: 3 },
				period: 'Week',
				totalIntervals: 4,
				retentionType: 'retention_first_ever_occurrence',
				dateFrom: '-6w',
				dateTo: '2024-02-28',
				properties: propertyFilters,
				filterTestAccounts: true,
				breakdownProperty: 'plan',
				breakdownType: 'person',
				cumulative: true,
			}),
		];
		const breakdownFor = (source: IDataObject) => {
			const filter = source.breakdownFilter as IDataObject | undefined;
			if (!filter) return undefined;
			if (filter.breakdowns) return '["Chrome","US"]';
			return filter.breakdown_type === 'cohort' ? '42' : 'Chrome';
		};
		for (const source of sources) {
			expect(validatorFor('RetentionQuery')(source)).toBe(true);
			for (const intervalsAs of ['columns', 'list'] as const) {
				for (const breakdownValue of [undefined, breakdownFor(source)]) {
					expectValid(buildActorsQuery('retention', source, { cohortRow: 2, intervalsAs, breakdownValue }));
				}
			}
		}
	});

	test('retention: what the body says', () => {
		const source = extractInsightSource('retention', retentionSaved, 'saved');
		const query = buildActorsQuery('retention', source, { cohortRow: 3, breakdownValue: 'Chrome' });
		expect(query).toEqual({
			kind: 'ActorsQuery',
			select: ['person', 'week_0', 'week_1', 'week_2', 'week_3', 'week_4', 'week_5', 'week_6', 'week_7'],
			orderBy: ['length(appearances) DESC', 'actor_id'],
			source: { kind: 'InsightActorsQuery', source, interval: 3, breakdown: ['Chrome'] },
		});
		// selectedInterval is display only: the row comes from Cohort Row, the saved query is sent unchanged
		expect(((query.source as IDataObject).source as IDataObject).retentionFilter).toEqual((retentionSaved.source as IDataObject).retentionFilter);
		const cohorts = buildActorsQuery('retention', extractInsightSource('retention', retentionCohorts, 'raw'), { cohortRow: 0, breakdownValue: 'all' });
		expect(cohorts.select).toEqual(['person', 'day_0', 'day_1', 'day_2', 'day_3']);
		expect((cohorts.source as IDataObject).breakdown).toEqual(['0']);
		const multi = buildActorsQuery('retention', extractInsightSource('retention', retentionMulti, 'raw'), { cohortRow: 1, breakdownValue: '["Chrome","US"]', intervalsAs: 'list' });
		expect(multi.select).toEqual(['person', 'appearances']);
		expect((multi.source as IDataObject).breakdown).toEqual(['Chrome', 'US']);
		expect((((multi.source as IDataObject).source as IDataObject).retentionFilter as IDataObject).totalIntervals).toBe(6);
	});

	test.each([
		['a scalar breakdown for two breakdowns', () => buildActorsQuery('retention', extractInsightSource('retention', retentionMulti, 'raw'), { cohortRow: 1, breakdownValue: 'Chrome' }), /2 properties, but Breakdown Value has 1/],
		['a cohort breakdown by name', () => buildActorsQuery('retention', extractInsightSource('retention', retentionCohorts, 'raw'), { cohortRow: 1, breakdownValue: 'Pro plan' }), /not a cohort ID/],
		['a breakdown value without breakdown', () => buildActorsQuery('retention', { kind: 'RetentionQuery', retentionFilter: {} }, { cohortRow: 1, breakdownValue: 'x' }), /no breakdown/],
		['a fractional row', () => buildActorsQuery('retention', { kind: 'RetentionQuery', retentionFilter: {} }, { cohortRow: 1.5 }), /whole number of at least 0/],
		['group aggregation', () => buildActorsQuery('retention', { kind: 'RetentionQuery', aggregation_group_type_index: 0, retentionFilter: {} }, { cohortRow: 0 }), /counts groups, not persons/],
		['no retentionFilter', () => extractInsightSource('retention', { kind: 'RetentionQuery' }, 'raw'), /has no retentionFilter/],
		['a paths insight for retention', () => extractInsightSource('retention', pathsSaved, 'Insight X'), /is a paths insight \(PathsQuery\), but Get Retention Persons needs a retention insight/],
		['defined without start event', () => buildRetentionQuery({ targetEntity: { type: 'event', event: '' }, returningEntity: { type: 'event', event: '$pageview' } }), /Start Event has no event name/],
		['defined with 0 intervals', () => buildRetentionQuery({ targetEntity: { type: 'event', event: 'a' }, returningEntity: { type: 'event', event: 'b' }, totalIntervals: 0 }), /Intervals must be a whole number/],
	])('retention refuses %s', (_label, build, message) => {
		expect(build).toThrow(InsightInputError);
		expect(build).toThrow(message);
	});

	test('paths: every source and kind of data point', () => {
		const sources = [
			extractInsightSource('paths', pathsSaved, 'saved'),
			buildPathsQuery({ includeEventTypes: ['$pageview'], dateFrom: '-14d' }),
			buildPathsQuery({
				includeEventTypes: ['$screen', 'custom_event'],
				startPoint: 'home',
				endPoint: 'checkout',
				stepLimit: 8,
				excludeEvents: ['$autocapture'],
				dateFrom: '2024-01-01',
				dateTo: '2024-01-31',
				properties: propertyFilters,
				filterTestAccounts: true,
				pathReplacements: true,
			}),
		];
		for (const source of sources) {
			expect(validatorFor('PathsQuery')(source)).toBe(true);
			for (const persons of ['reached', 'continued', 'droppedOff', 'edge'] as const) {
				for (const includeRecordings of [false, true]) {
					expectValid(buildActorsQuery('paths', source, { persons, node: '2_https://example.com/pricing', nextNode: '3_https://example.com/signup' }, { includeRecordings }));
				}
			}
		}
		const query = buildActorsQuery('paths', sources[0], { persons: 'droppedOff', node: '2_https://example.com/pricing' });
		expect(query).toEqual({
			kind: 'ActorsQuery',
			select: ['actor', 'event_count'],
			orderBy: ['event_count DESC', 'actor_id DESC'],
			source: {
				kind: 'InsightActorsQuery',
				source: { ...sources[0], pathsFilter: { ...(sources[0].pathsFilter as IDataObject), pathDropoffKey: '2_https://example.com/pricing' } },
			},
		});
		// the saved insight's own object is not modified
		expect((pathsSaved.source as IDataObject).pathsFilter).not.toHaveProperty('pathDropoffKey');
	});

	test.each([
		['an empty node', { persons: 'reached', node: '' }, /No node given in Node/],
		['a page path without a step', { persons: 'continued', node: '/pricing' }, /is not a node key/],
		['step 0', { persons: 'reached', node: '0_https://example.com' }, /is not a node key/],
		['a link without a To Node', { persons: 'edge', node: '1_https://example.com' }, /No node given in To Node/],
		['a link backwards', { persons: 'edge', node: '2_a', nextNode: '1_b' }, /From Node is step 2 and To Node is step 1/],
	])('paths refuses %s', (_label, selector, message) => {
		let thrown: unknown;
		try {
			checkSelector('paths', selector as never);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(InsightInputError);
		expect((thrown as Error).message).toMatch(message);
	});

	test('paths: the defined fields are checked', () => {
		expect(() => buildPathsQuery({ includeEventTypes: [] })).toThrow(/No event types/);
		expect(() => buildPathsQuery({ includeEventTypes: ['$autocapture'] })).toThrow(/not a paths event type/);
		expect(() => buildPathsQuery({ includeEventTypes: ['$pageview'], stepLimit: 1 })).toThrow(/Steps must be a whole number of at least 2/);
	});
});
