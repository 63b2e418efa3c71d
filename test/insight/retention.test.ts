/**
 * Get Retention Persons in n8n-core's engine against the sandbox, for each source (saved
 * insight, defined in the node, raw JSON): the request sent, and the persons and their return
 * intervals compared with a reference computed here from the seeded events.
 */
import type { IDataObject } from 'n8n-workflow';

import { binaryText } from '../harness/engine';
import { parseCsv } from '../helpers/csv';
import { apiCalls, useSandbox } from '../helpers/sandbox';
import { DAY, dayStart, isEvent, retentionRow, weekStart, type RetentionSpec } from './reference';
import { NOW, expectPagedQueries, expectPersons, firstQuery, hintsOf, insightNamed, locator, queryBodies, runInsight, sourceOf } from './setup';

const getSandbox = useSandbox({ now: NOW, persons: 400 });

function dailySpec(days: number, total: number, firstTime: boolean, start = 'signed_up', returning = '$pageview'): RetentionSpec {
	const now = getSandbox().store.now();
	return { period: 'day', from: dayStart(now - days * DAY), to: dayStart(now) + DAY - 1, total, firstTime, start: isEvent(start), returning: isEvent(returning) };
}

const columns = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}_${index}`);

/** The row's persons with the 0/1 value of each interval column, as the node outputs them. */
function expectIntervals(items: Array<{ json: IDataObject }>, expected: Map<string, number[]>, prefix: string, total: number) {
	expectPersons(items, expected.keys());
	for (const item of items) {
		const offsets = expected.get(String(item.json.id)) as number[];
		for (let k = 0; k < total; k++) expect([item.json.id, k, item.json[`${prefix}_${k}`]]).toEqual([item.json.id, k, offsets.includes(k) ? 1 : 0]);
	}
	// most active first, as PostHog's retention persons list
	const lengths = items.map((item) => (expected.get(String(item.json.id)) as number[]).length);
	expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
}

describe('Get Retention Persons', () => {
	test('saved insight (picked from the list): one cohort row, a 0/1 column per interval, most active first', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Signup retention');
		const reference = retentionRow(sandbox, dailySpec(14, 7, true), 3);
		expect(reference.size).toBeGreaterThan(1);
		const { items, error } = await runInsight(sandbox, 'retention', {
			insightSource: 'saved',
			insightId: locator('list', insight.short_id),
			cohortRow: 3,
		});
		expect(error).toBeUndefined();
		expect(queryBodies(sandbox)).toEqual([
			{
				query: {
					kind: 'ActorsQuery',
					select: ['person', ...columns('day', 7)],
					orderBy: ['length(appearances) DESC', 'actor_id'],
					source: { kind: 'InsightActorsQuery', source: sourceOf(sandbox, 'Signup retention'), interval: 3 },
					limit: 1000,
					offset: 0,
				},
				refresh: 'blocking',
				name: 'n8n: Get Retention Persons',
			},
		]);
		expectIntervals(items, reference, 'day', 7);
		expect(Object.keys(items[0].json)).toEqual(['id', 'distinct_ids', 'properties', 'created_at', 'is_identified', ...columns('day', 7)]);
	});

	test('saved weekly insight with a breakdown (by URL): the breakdown value is sent as an array', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Weekly returning visitors by browser');
		const now = sandbox.store.now();
		const spec: RetentionSpec = {
			period: 'week',
			from: weekStart(dayStart(now - 42 * DAY)),
			to: dayStart(now) + DAY - 1,
			total: 5,
			firstTime: false,
			start: isEvent('$pageview'),
			returning: isEvent('$pageview'),
		};
		const reference = retentionRow(sandbox, spec, 2, (ev) => ev.properties.$browser === 'Safari');
		expect(reference.size).toBeGreaterThan(1);
		const { items, error } = await runInsight(sandbox, 'retention', {
			insightSource: 'saved',
			insightId: locator('url', `${sandbox.url}/project/1/insights/${insight.short_id}?edit=1`),
			cohortRow: 2,
			dataPointOptions: { breakdownValue: 'Safari' },
		});
		expect(error).toBeUndefined();
		expect(firstQuery(sandbox).source).toEqual({
			kind: 'InsightActorsQuery',
			source: sourceOf(sandbox, 'Weekly returning visitors by browser'),
			interval: 2,
			breakdown: ['Safari'],
		});
		expectIntervals(items, reference, 'week', 5);
	});

	test('defined in node (events from the lists): recurring, 5 intervals, as a list of appearances', async () => {
		const sandbox = getSandbox();
		const reference = retentionRow(sandbox, dailySpec(10, 5, false, '$pageview', '$pageview'), 4);
		expect(reference.size).toBeGreaterThan(1);
		const { items, error } = await runInsight(sandbox, 'retention', {
			insightSource: 'defined',
			startType: 'event',
			startEvent: locator('list', '$pageview'),
			returningType: 'event',
			returningEvent: locator('name', '$pageview'),
			retentionType: 'retention_recurring',
			period: 'Day',
			totalIntervals: 5,
			dateFrom: '-10d',
			cohortRow: 4,
			options: { intervalsAs: 'list' },
		});
		expect(error).toBeUndefined();
		const query = firstQuery(sandbox);
		expect(query.select).toEqual(['person', 'appearances']);
		expect((query.source as IDataObject).source).toEqual({
			kind: 'RetentionQuery',
			retentionFilter: {
				period: 'Day',
				totalIntervals: 5,
				retentionType: 'retention_recurring',
				targetEntity: { id: '$pageview', name: '$pageview', type: 'events', kind: 'EventsNode' },
				returningEntity: { id: '$pageview', name: '$pageview', type: 'events', kind: 'EventsNode' },
			},
			dateRange: { date_from: '-10d' },
		});
		expectPersons(items, reference.keys());
		for (const item of items) expect(item.json.appearances).toEqual(reference.get(String(item.json.id)));
	});

	test('defined in node with an action and a breakdown (Breakdown Value on screen)', async () => {
		const sandbox = getSandbox();
		const chromePageview = (ev: { event: string; properties: IDataObject }) => ev.event === '$pageview' && ev.properties.$browser === 'Chrome';
		const spec = { ...dailySpec(14, 7, true), start: isEvent('signed_up'), returning: chromePageview as never };
		const reference = retentionRow(sandbox, spec, 1, (ev) => ev.properties.signup_method === 'google');
		expect(reference.size).toBeGreaterThan(0);
		const { items, error } = await runInsight(sandbox, 'retention', {
			insightSource: 'defined',
			startEvent: locator('name', 'signed_up'),
			returningType: 'action',
			returningAction: locator('list', '3'),
			totalIntervals: 7,
			dateFrom: '-14d',
			breakdownType: 'event',
			breakdownProperty: locator('list', 'signup_method'),
			dataPointBreakdown: 'google',
			cohortRow: 1,
		});
		expect(error).toBeUndefined();
		const source = (firstQuery(sandbox).source as IDataObject).source as IDataObject;
		expect((source.retentionFilter as IDataObject).returningEntity).toEqual({ id: 3, type: 'actions', kind: 'ActionsNode' });
		expect(source.breakdownFilter).toEqual({ breakdown_type: 'event', breakdown: 'signup_method' });
		expect((firstQuery(sandbox).source as IDataObject).breakdown).toEqual(['google']);
		expectIntervals(items, reference, 'day', 7);
	});

	test('raw JSON without totalIntervals: sent with PostHog\'s schema default (8) and its 8 columns', async () => {
		const sandbox = getSandbox();
		const source = { ...sourceOf(sandbox, 'Signup retention') };
		const retentionFilter = { ...(source.retentionFilter as IDataObject) };
		delete retentionFilter.totalIntervals;
		const reference = retentionRow(sandbox, dailySpec(14, 8, true), 5);
		const { items, error } = await runInsight(sandbox, 'retention', {
			insightSource: 'json',
			insightQuery: JSON.stringify({ kind: 'InsightVizNode', source: { ...source, retentionFilter } }),
			cohortRow: 5,
		});
		expect(error).toBeUndefined();
		const query = firstQuery(sandbox);
		expect(query.select).toEqual(['person', ...columns('day', 8)]);
		expect((((query.source as IDataObject).source as IDataObject).retentionFilter as IDataObject).totalIntervals).toBe(8);
		expectIntervals(items, reference, 'day', 8);
	});

	test('small pages: every person once, the same query with the next offset; CSV has the interval columns', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Weekly returning visitors by browser');
		const base = { insightSource: 'saved', insightId: insight.short_id, cohortRow: 0, options: { pageSize: 7 } };
		const { items } = await runInsight(sandbox, 'retention', base);
		const bodies = queryBodies(sandbox);
		expect(items.length).toBeGreaterThan(14);
		expect(bodies.length).toBe(Math.ceil((items.length + 1) / 7));
		expectPagedQueries(bodies, 7);
		expect(new Set(items.map((item) => item.json.id)).size).toBe(items.length);

		const csv = await runInsight(sandbox, 'retention', { ...base, output: 'csv' });
		const { header, rows } = parseCsv(binaryText(csv.items[0]));
		expect(header).toEqual(expect.arrayContaining(['id', ...columns('week', 5)]));
		expect(rows.map((row) => row.id).sort()).toEqual(items.map((item) => String(item.json.id)).sort());
	});

	test('a row without persons says how rows are counted', async () => {
		const sandbox = getSandbox();
		const { items, run } = await runInsight(sandbox, 'retention', {
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Signup retention').short_id,
			cohortRow: 40,
		});
		expect(items).toEqual([]);
		expect(hintsOf(run)).toEqual([expect.stringMatching(/^No persons in cohort row 40\. Rows are counted from 0/)]);
	});
});

describe('Get Retention Persons: refused before anything is sent', () => {
	test.each([
		[
			'24-hour windows (PostHog would return every cohort)',
			{ timeWindowMode: '24_hour_windows' },
			{},
			/rolling 24-hour windows/,
		],
		['the "Other" bucket', {}, { breakdownValue: '$$_posthog_breakdown_other_$$' }, /"Other" is not a breakdown value/],
		['a negative row', {}, { cohortRow: -1 }, /at least 0/],
	])('%s', async (_label, filterChange, selectorChange, message) => {
		const sandbox = getSandbox();
		const source = sourceOf(sandbox, 'Weekly returning visitors by browser');
		const { cohortRow = 1, breakdownValue } = selectorChange as { cohortRow?: number; breakdownValue?: string };
		const { error } = await runInsight(sandbox, 'retention', {
			insightSource: 'json',
			insightQuery: JSON.stringify({ ...source, retentionFilter: { ...(source.retentionFilter as IDataObject), ...filterChange } }),
			cohortRow,
			...(breakdownValue ? { dataPointOptions: { breakdownValue } } : {}),
		});
		expect(error?.message).toMatch(message);
		expect(apiCalls(sandbox)).toEqual([]);
	});

	test('the raw JSON example left unchanged is not run', async () => {
		const sandbox = getSandbox();
		const { error } = await runInsight(sandbox, 'retention', { insightSource: 'json', cohortRow: 0 });
		expect(error?.message).toBe('Insight Query (JSON) still holds the example query');
		expect(apiCalls(sandbox)).toEqual([]);
	});
});
