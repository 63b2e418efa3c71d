/**
 * Insight operations against the sandbox: errors (unsuitable insights, missing scopes, invalid
 * data points, PostHog rejections, Continue On Fail), CSV output, pagination, cache bypass and
 * persons PostHog can no longer load.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { explainRejection } from '../../nodes/PostHogPersons/actions/insight/insightPersons';

import { binaryText } from '../harness/engine';
import { apiCalls, expectNoSecret, useSandbox } from '../helpers/sandbox';
import { activeDays, isEvent, lastDays, trendsCounts, utc } from './reference';
import { parseCsv } from '../helpers/csv';
import { NOW, expectPagedQueries, expectPersons, ids, insightLookups, insightNamed, queryBodies, runInsight } from './setup';

const getSandbox = useSandbox({ now: NOW, persons: 400 });

const DAY_PARAM = '2024-02-20';

function pageviewsOn(day: string) {
	return trendsCounts(getSandbox(), isEvent('$pageview'), utc(day), utc(day) + 86_400_000);
}

function trendsParams(extra: IDataObject = {}): IDataObject {
	return {
		insightSource: 'saved',
		insightId: insightNamed(getSandbox(), 'Daily pageviews').short_id,
		series: '1',
		day: DAY_PARAM,
		...extra,
	};
}

describe('unsuitable insights', () => {
	test('an SQL insight is rejected after the lookup, before any query', async () => {
		const sandbox = getSandbox();
		const { error, items } = await runInsight(sandbox, 'trends', { ...trendsParams(), insightId: insightNamed(sandbox, 'SQL: persons per plan').short_id });
		expect(items).toHaveLength(0);
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe(
			'Saved insight "SQL: persons per plan" (' + insightNamed(sandbox, 'SQL: persons per plan').short_id + ') is a SQL or table insight (DataVisualizationNode), not a chart insight',
		);
		expect(error?.context?.itemIndex).toBe(0);
		expect(insightLookups(sandbox)).toHaveLength(1);
		expect(queryBodies(sandbox)).toHaveLength(0);
	});

	test('an insight of another kind names the operation to use', async () => {
		const sandbox = getSandbox();
		const { error } = await runInsight(sandbox, 'funnel', {
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Daily pageviews').short_id,
			step: 1,
		});
		expect(error?.message).toMatch(/"Daily pageviews" .* is a trends insight \(TrendsQuery\), but Get Funnel Persons needs a funnel insight/);
		expect(error?.description).toMatch(/Use the operation Get Trends Persons/);
		expect(queryBodies(sandbox)).toHaveLength(0);
	});

	test.each([
		['a short ID nobody has', 'NoSuch12', /No insight with the short ID "NoSuch12" in this project/],
		['a numeric ID nobody has', '987654', /No insight with the ID 987654 in this project/],
	])('%s', async (_label, insightId, message) => {
		const sandbox = getSandbox();
		const { error } = await runInsight(sandbox, 'trends', { ...trendsParams(), insightId });
		expect(error?.message).toMatch(message);
		expect(insightLookups(sandbox)).toHaveLength(1);
		expect(queryBodies(sandbox)).toHaveLength(0);
	});
});

describe('scopes', () => {
	test('a key without query:read: PostHog\'s 403 names the scope', async () => {
		const sandbox = getSandbox();
		const { error } = await runInsight(sandbox, 'trends', trendsParams(), { key: 'noQuery' });
		expect(error?.httpCode).toBe('403');
		expect(error?.message).toMatch(/API key missing required scope 'query:read'/);
		expect(error?.description).toMatch(/Add the scope "query:read" to the personal API key/);
		expectNoSecret(error, sandbox.keys.noQuery);
	});

	test('a key without insight:read: saved insights fail at the lookup, the other sources work', async () => {
		const sandbox = getSandbox();
		const saved = await runInsight(sandbox, 'trends', trendsParams(), { key: 'noInsight' });
		expect(saved.error?.httpCode).toBe('403');
		expect(saved.error?.message).toMatch(/API key missing required scope 'insight:read'/);
		expect(saved.error?.description).toMatch(/Add the scope "insight:read"/);
		expect(queryBodies(sandbox)).toHaveLength(0);

		sandbox.clearRequests();
		const defined = await runInsight(
			sandbox,
			'trends',
			{
				insightSource: 'defined',
				insightSeries: { entry: [{ type: 'event', event: '$pageview', math: 'total' }] },
				dateFrom: '-30d',
				series: '1',
				day: DAY_PARAM,
			},
			{ key: 'noInsight' },
		);
		expect(defined.error).toBeUndefined();
		expect(insightLookups(sandbox)).toHaveLength(0);
		expectPersons(defined.items, pageviewsOn(DAY_PARAM).keys());
	});
});

describe('invalid data points: NodeOperationError with the item index, nothing sent', () => {
	test.each([
		['funnel: dropped off at step 1', 'funnel', { insightSource: 'saved', insightId: 'zzz', dataPoint: 'droppedOff', step: 1 }, /Nobody can drop off at step 1/],
		['funnel: step 0', 'funnel', { insightSource: 'saved', insightId: 'zzz', step: 0 }, /Step must be a whole number of at least 1/],
		['trends: a relative day', 'trends', { insightSource: 'saved', insightId: 'zzz', series: '1', day: '-7d' }, /"-7d" in Day is not a date/],
		['trends: series 0', 'trends', { insightSource: 'saved', insightId: 'zzz', series: '0', day: DAY_PARAM }, /Series position must be a whole number of at least 1/],
		['lifecycle: an unknown status', 'lifecycle', { insightSource: 'saved', insightId: 'zzz', status: '={{ "churned" }}', day: DAY_PARAM }, /"churned" is not a lifecycle status/],
		['lifecycle: an empty day from an expression', 'lifecycle', { insightSource: 'saved', insightId: 'zzz', status: 'new', day: '={{ "" }}' }, /No day given/],
		['stickiness: 0 intervals', 'stickiness', { insightSource: 'saved', insightId: 'zzz', intervals: 0, series: '1' }, /Active Intervals must be a whole number of at least 1/],
		['correlation: a blank event from an expression', 'funnelCorrelation', { insightSource: 'saved', insightId: 'zzz', correlationType: 'events', correlatedEvent: '={{ " " }}' }, /No correlated event given/],
		['defined funnel with one step', 'funnel', { insightSource: 'defined', insightSeries: { entry: [{ type: 'event', event: 'a' }] }, step: 1 }, /A funnel needs at least two steps/],
		['raw JSON that is not JSON', 'trends', { insightSource: 'json', insightQuery: '{"kind": "TrendsQuery",', series: '1', day: DAY_PARAM }, /Insight Query \(JSON\) is not valid JSON/],
	] as Array<[string, 'funnel' | 'trends' | 'lifecycle' | 'stickiness' | 'funnelCorrelation', IDataObject, RegExp]>)(
		'%s',
		async (_label, operation, parameters, message) => {
			const sandbox = getSandbox();
			const { error } = await runInsight(sandbox, operation, parameters);
			expect(error?.name).toBe('NodeOperationError');
			expect(error?.message).toMatch(message);
			expect(error?.context?.itemIndex).toBe(0);
			expect(apiCalls(sandbox)).toHaveLength(0);
		},
	);

	test('a step beyond the funnel\'s last is found with the insight, before the query', async () => {
		const sandbox = getSandbox();
		const { error } = await runInsight(sandbox, 'funnel', {
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Signup funnel').short_id,
			step: 4,
		});
		expect(error?.message).toBe('The funnel has 3 steps; there is no step 4');
		expect(error?.description).toMatch(/Use a step from 1 to 3\. \(field: Step\)/);
		expect(insightLookups(sandbox)).toHaveLength(1);
		expect(queryBodies(sandbox)).toHaveLength(0);
	});
});

describe('queries PostHog rejects', () => {
	test('a 400 shows PostHog\'s message and points at the insight query and the data point sent', async () => {
		const sandbox = getSandbox();
		const { error } = await runInsight(sandbox, 'trends', {
			insightSource: 'json',
			insightQuery: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', mathh: 'total' }] },
			series: '1',
			day: DAY_PARAM,
		});
		expect(error?.httpCode).toBe('400');
		expect(error?.message).toMatch(/^PostHog 400 parse_error: JSON parse error/);
		expect(error?.message).toMatch(/mathh/);
		expect(error?.description).toMatch(/The part at fault is most likely the insight query \(the Insight Query \(JSON\) field; check Insight Query \(JSON\)\)/);
		expect(error?.description).toContain('Data point sent: {"kind":"InsightActorsQuery","source":"<TrendsQuery>","series":0,"day":"2024-02-20"}');
		expect(error?.description).toMatch(/Request: POST \/api\/projects\/1\/query\//);
	});

	test('an impossible calendar date is caught before sending', async () => {
		const sandbox = getSandbox();
		const { error } = await runInsight(sandbox, 'funnel', {
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Signup conversion over time').short_id,
			dataPointOptions: { entrancePeriodStart: '2024-02-30' },
		});
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe('"2024-02-30" in Entrance Period Start is not a date');
		expect(apiCalls(sandbox)).toHaveLength(0);
	});
});

describe('which part of a rejected query is at fault', () => {
	const node = { id: '1', name: 'PostHog Persons', type: 'n8n-nodes-posthog-persons.postHogPersons', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	const query = {
		kind: 'ActorsQuery',
		select: ['actor'],
		source: { kind: 'FunnelsActorsQuery', funnelStep: -2, source: { kind: 'FunnelsQuery', series: [] } },
	};
	const resolved = { source: {}, type: 'saved' as const, origin: 'the query of saved insight "F" (abc)', fields: 'the insight in PostHog' };
	const rejection = (detail: string) =>
		new NodeApiError(node, { detail }, { message: `PostHog 400 validation_error: ${detail}`, description: 'Request: POST /api/projects/1/query/', httpCode: '400' });

	test('a message about a data point field points at that field', () => {
		const error = rejection('The first valid drop-off argument for funnelStep is -2');
		explainRejection(error, query, resolved);
		expect(error.description).toBe(
			'PostHog rejected the persons query. The part at fault is most likely the data point: check Data Point / Step.\n' +
				'Data point sent: {"kind":"FunnelsActorsQuery","funnelStep":-2,"source":"<FunnelsQuery>"}\n' +
				'Request: POST /api/projects/1/query/',
		);
	});

	test('a message about the insight query points at where it came from', () => {
		const error = rejection('Action ID 99 does not exist! (series)');
		explainRejection(error, query, resolved);
		expect(error.description).toMatch(/^PostHog rejected the persons query\. The part at fault is most likely the insight query \(the query of saved insight "F" \(abc\); check the insight in PostHog\)\./);
	});

	test('an unclear message names both', () => {
		const error = rejection('Something went wrong');
		explainRejection(error, query, resolved);
		expect(error.description).toMatch(/most likely the data point fields or the insight query/);
	});
});

describe('Continue On Fail', () => {
	test('one error item for the failing input item, the others get their persons', async () => {
		const sandbox = getSandbox();
		const { items, error } = await runInsight(
			sandbox,
			'trends',
			{ ...trendsParams(), day: '={{ $json.day }}' },
			{ continueOnFail: true, input: [{ day: '2024-02-20' }, { day: 'not a day' }, { day: '2024-02-22' }] },
		);
		expect(error).toBeUndefined();
		const byItem = (index: number) => items.filter((item) => (item.pairedItem as { item: number }).item === index);
		expectPersons(byItem(0), pageviewsOn('2024-02-20').keys());
		expectPersons(byItem(2), pageviewsOn('2024-02-22').keys());
		expect(byItem(1)).toHaveLength(1);
		expect(byItem(1)[0].json).toEqual({
			error: '"not a day" in Day is not a date',
			errorDescription: expect.stringMatching(/^Give the date as PostHog shows it.*\(field: Day\)$/),
		});
		expect(queryBodies(sandbox).map((body) => (body.query as { source: IDataObject }).source.day)).toEqual(['2024-02-20', '2024-02-22']);
	});
});

describe('output', () => {
	test('CSV: one file with the same persons and columns as the items (properties.<key> columns, lists as JSON)', async () => {
		const sandbox = getSandbox();
		const asItems = await runInsight(sandbox, 'trends', trendsParams());
		const asCsv = await runInsight(sandbox, 'trends', { ...trendsParams(), output: 'csv', fileName: 'pageviews' });
		expect(asCsv.items).toHaveLength(1);
		const [file] = asCsv.items;
		const insight = insightNamed(sandbox, 'Daily pageviews');
		expect(file.json).toMatchObject({
			fileName: 'pageviews.csv',
			rows: asItems.items.length,
			missing_actors_count: 0,
			insight: { id: insight.id, short_id: insight.short_id, name: insight.name },
		});
		expect(file.binary?.data.mimeType).toBe('text/csv');
		const rows = parseCsv(binaryText(file)).rows;
		expect(rows.map((row) => row.id)).toEqual(ids(asItems.items));
		rows.forEach((row, index) => {
			const json = asItems.items[index].json as IDataObject & { properties: IDataObject; distinct_ids: string[] };
			expect(row.event_count).toBe(String(json.event_count));
			expect(row.is_identified).toBe(String(json.is_identified));
			expect(row.created_at).toBe(json.created_at);
			expect(row['properties.email'] ?? '').toBe(String(json.properties.email ?? ''));
			expect(row['properties.$browser']).toBe(json.properties.$browser);
			expect(JSON.parse(row.distinct_ids)).toEqual(json.distinct_ids);
		});
		expectPersons(asItems.items, pageviewsOn(DAY_PARAM).keys());
	});

	test('pagination: small pages lose and repeat nobody, the query is the same on every page', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'trends', { ...trendsParams(), options: { pageSize: 3 } });
		const expected = pageviewsOn(DAY_PARAM);
		expectPersons(items, expected.keys());
		const bodies = queryBodies(sandbox);
		expect(bodies).toHaveLength(Math.ceil(expected.size / 3));
		expectPagedQueries(bodies, 3);
	});

	test('pagination without orderBy (stickiness, by person id) across many pages', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'stickiness', {
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Pageview stickiness').short_id,
			intervals: 1,
			series: '1',
			options: { pageSize: 7 },
		});
		const expected = [...activeDays(sandbox, isEvent('$pageview'), lastDays(sandbox, 30))].filter(([, days]) => days === 1).map(([id]) => id);
		expectPersons(items, expected);
		expect(queryBodies(sandbox).length).toBeGreaterThan(5);
		expect(queryBodies(sandbox).every((body) => !('orderBy' in (body.query as IDataObject)))).toBe(true);
	});

	test('Limit: stops after that many persons, asking only for what is still needed (and the overlap row)', async () => {
		const sandbox = getSandbox();
		const all = await runInsight(sandbox, 'trends', trendsParams());
		sandbox.clearRequests();
		const limited = await runInsight(sandbox, 'trends', { ...trendsParams(), returnAll: false, limit: 5, options: { pageSize: 2 } });
		expect(ids(limited.items)).toEqual(ids(all.items).slice(0, 5));
		expect(queryBodies(sandbox).map((body) => [(body.query as IDataObject).limit, (body.query as IDataObject).offset])).toEqual([
			[2, 0],
			[3, 1],
			[2, 3],
		]);
	});

	test('Bypass Cache asks PostHog to recompute', async () => {
		const sandbox = getSandbox();
		await runInsight(sandbox, 'trends', { ...trendsParams(), options: { bypassCache: true } });
		expect(queryBodies(sandbox).map((body) => body.refresh)).toEqual(['force_blocking']);
	});
});

describe('persons PostHog can no longer load', () => {
	test('are output with their ID only, counted in a notice and in the CSV item', async () => {
		const sandbox = getSandbox();
		const counts = pageviewsOn('2024-02-23');
		const [gone] = [...counts.keys()];
		expect(sandbox.store.deletePerson(gone)).toBe(true);

		const { items, run } = await runInsight(sandbox, 'trends', { ...trendsParams(), day: '2024-02-23' });
		expectPersons(items, counts.keys());
		const missing = items.find((item) => item.json.id === gone);
		expect(missing?.json).toEqual({ id: gone, event_count: counts.get(gone) });
		const hints = run.data.resultData.runData['PostHog Persons'][0].hints ?? [];
		expect(hints.map((hint) => hint.message)).toEqual([
			'1 of the persons behind this data point no longer exist in PostHog (deleted after their events); they are output with their ID only.',
		]);

		const csv = await runInsight(sandbox, 'trends', { ...trendsParams(), day: '2024-02-23', output: 'csv' });
		expect(csv.items[0].json.missing_actors_count).toBe(1);
		const row = parseCsv(binaryText(csv.items[0])).rows.find((entry) => entry.id === gone);
		expect(row?.['properties.email']).toBe('');
		expect(row?.event_count).toBe(String(counts.get(gone)));
	});
});
