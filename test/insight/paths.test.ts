/**
 * Get Paths Persons in n8n-core's engine against the sandbox, for each source (saved insight,
 * defined in the node, raw JSON) and each kind of data point (reached, continued, dropped off,
 * link): the request sent, and the persons and their counts compared with a reference computed
 * here from the seeded events. Also the node list the editor shows (list search).
 */
import type { IDataObject } from 'n8n-workflow';

import { binaryText, runListSearch } from '../harness/engine';
import { parseCsv } from '../helpers/csv';
import { apiCalls, sandboxCredentials, useSandbox } from '../helpers/sandbox';
import { lastDays, pageviewPaths, pathPersons, type PathStep } from './reference';
import { NOW, expectPagedQueries, expectPersons, firstQuery, hintsOf, insightNamed, locator, queryBodies, runInsight, sourceOf } from './setup';

const getSandbox = useSandbox({ now: NOW, persons: 400 });

const SITE = 'https://app.sandbox-shop.test';

/** The 14-day page-view paths of the "Site paths" insight, 5 steps. */
const sitePaths = () => pageviewPaths(getSandbox(), lastDays(getSandbox(), 14), 5);

/** The busiest link of the paths: [from, to]. */
function busiestLink(paths: ReturnType<typeof sitePaths>): [string, string] {
	const counts = new Map<string, number>();
	for (const { path } of paths) for (const step of path) if (step.previousKey) counts.set(`${step.previousKey}\n${step.key}`, (counts.get(`${step.previousKey}\n${step.key}`) ?? 0) + 1);
	const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
	return best[0].split('\n') as [string, string];
}

function expectCounts(items: Array<{ json: IDataObject }>, expected: Map<string, number>) {
	expectPersons(items, expected.keys());
	for (const item of items) expect([item.json.id, item.json.event_count]).toEqual([item.json.id, expected.get(String(item.json.id))]);
	const counts = items.map((item) => Number(item.json.event_count));
	expect(counts).toEqual([...counts].sort((a, b) => b - a));
}

const saved = () => ({ insightSource: 'saved', insightId: locator('id', insightNamed(getSandbox(), 'Site paths').short_id) });

describe('Get Paths Persons', () => {
	test('saved insight, reached a node: pathEndKey, the persons whose paths reach it', async () => {
		const sandbox = getSandbox();
		const [, node] = busiestLink(sitePaths());
		const expected = pathPersons(sitePaths(), (step) => step.key === node);
		const { items, error } = await runInsight(sandbox, 'paths', { ...saved(), pathPersons: 'reached', pathNode: locator('list', node) });
		expect(error).toBeUndefined();
		const source = sourceOf(sandbox, 'Site paths');
		expect(queryBodies(sandbox)).toEqual([
			{
				query: {
					kind: 'ActorsQuery',
					select: ['actor', 'event_count'],
					orderBy: ['event_count DESC', 'actor_id DESC'],
					source: {
						kind: 'InsightActorsQuery',
						source: { ...source, pathsFilter: { ...(source.pathsFilter as IDataObject), pathEndKey: node } },
					},
					limit: 1000,
					offset: 0,
				},
				refresh: 'blocking',
				name: 'n8n: Get Paths Persons',
			},
		]);
		expectCounts(items, expected);
	});

	test('continued from a node: pathStartKey, the persons who went on from it', async () => {
		const sandbox = getSandbox();
		const [node] = busiestLink(sitePaths());
		const expected = pathPersons(sitePaths(), (step) => step.previousKey === node);
		const { items } = await runInsight(sandbox, 'paths', { ...saved(), pathPersons: 'continued', pathNode: locator('key', node) });
		expect(((firstQuery(sandbox).source as IDataObject).source as IDataObject).pathsFilter).toMatchObject({ pathStartKey: node });
		expectCounts(items, expected);
	});

	test('dropped off at a node: pathDropoffKey, the persons whose path ended there', async () => {
		const sandbox = getSandbox();
		const node = `2_${SITE}/pricing`;
		const expected = pathPersons(sitePaths(), (step, path) => step.key === node && path[path.length - 1] === step);
		expect(expected.size).toBeGreaterThan(0);
		const { items } = await runInsight(sandbox, 'paths', { ...saved(), pathPersons: 'droppedOff', pathNode: locator('key', node) });
		const pathsFilter = ((firstQuery(sandbox).source as IDataObject).source as IDataObject).pathsFilter as IDataObject;
		expect(pathsFilter.pathDropoffKey).toBe(node);
		expect(pathsFilter).not.toHaveProperty('pathStartKey');
		expectCounts(items, expected);
	});

	test('went along a link, with recordings: both keys; matched_recordings lists the sessions', async () => {
		const sandbox = getSandbox();
		const [from, to] = busiestLink(sitePaths());
		const expected = pathPersons(sitePaths(), (step) => step.previousKey === from && step.key === to);
		const { items } = await runInsight(sandbox, 'paths', {
			...saved(),
			pathPersons: 'edge',
			pathNode: locator('list', from),
			pathNextNode: locator('list', to),
			options: { includeRecordings: true },
		});
		const query = firstQuery(sandbox);
		expect(query.select).toEqual(['actor', 'event_count', 'matched_recordings']);
		expect(query.source).toMatchObject({ includeRecordings: true, source: { pathsFilter: { pathStartKey: from, pathEndKey: to } } });
		expectCounts(items, expected);
		for (const item of items) {
			const recordings = item.json.matched_recordings as Array<{ session_id: string; events: unknown[] }>;
			expect(recordings.reduce((sum, recording) => sum + recording.events.length, 0)).toBe(item.json.event_count);
		}
	});

	test('defined in node: page views from the pricing page, 4 steps', async () => {
		const sandbox = getSandbox();
		const paths = pageviewPaths(sandbox, lastDays(sandbox, 21), 4, `${SITE}/pricing`);
		const node = `3_${SITE}/docs`;
		const expected = pathPersons(paths, (step) => step.key === node);
		expect(expected.size).toBeGreaterThan(0);
		const { items, error } = await runInsight(sandbox, 'paths', {
			insightSource: 'defined',
			pathEventTypes: ['$pageview'],
			startPoint: `${SITE}/pricing`,
			stepLimit: 4,
			dateFrom: '-21d',
			pathPersons: 'reached',
			pathNode: locator('key', node),
		});
		expect(error).toBeUndefined();
		expect((firstQuery(sandbox).source as IDataObject).source).toEqual({
			kind: 'PathsQuery',
			pathsFilter: { includeEventTypes: ['$pageview'], stepLimit: 4, startPoint: `${SITE}/pricing`, pathEndKey: node },
			dateRange: { date_from: '-21d' },
		});
		expectCounts(items, expected);
	});

	test('raw JSON with page views and custom events; keys already in the JSON are replaced, not combined', async () => {
		const sandbox = getSandbox();
		const source = sourceOf(sandbox, 'Paths from pricing');
		const include = (ev: { event: string }) => ev.event === '$pageview' || !ev.event.startsWith('$');
		const paths = pageviewPaths(sandbox, lastDays(sandbox, 30), 4, `${SITE}/pricing`, include);
		const node = '2_viewed_pricing';
		const expected = pathPersons(paths, (step) => step.key === node);
		expect(expected.size).toBeGreaterThan(0);
		const { items } = await runInsight(sandbox, 'paths', {
			insightSource: 'json',
			insightQuery: JSON.stringify({ ...source, pathsFilter: { ...(source.pathsFilter as IDataObject), pathDropoffKey: '9_nowhere' } }),
			pathPersons: 'reached',
			pathNode: locator('key', node),
		});
		const pathsFilter = ((firstQuery(sandbox).source as IDataObject).source as IDataObject).pathsFilter as IDataObject;
		expect(pathsFilter).toEqual({ ...(source.pathsFilter as IDataObject), pathEndKey: node });
		expectCounts(items, expected);
	});

	test('small pages and CSV: every person once, the same query with the next offset', async () => {
		const sandbox = getSandbox();
		const [, node] = busiestLink(sitePaths());
		const base = { ...saved(), pathPersons: 'reached', pathNode: locator('key', node), options: { pageSize: 4 } };
		const { items } = await runInsight(sandbox, 'paths', base);
		const bodies = queryBodies(sandbox);
		expect(bodies.length).toBe(Math.ceil((items.length + 1) / 4));
		expectPagedQueries(bodies, 4);
		expectPersons(items, pathPersons(sitePaths(), (step) => step.key === node).keys());

		const csv = await runInsight(sandbox, 'paths', { ...base, output: 'csv' });
		const { header, rows } = parseCsv(binaryText(csv.items[0]));
		expect(header).toEqual(expect.arrayContaining(['id', 'event_count', 'distinct_ids']));
		expect(rows.map((row) => row.id).sort()).toEqual(items.map((item) => String(item.json.id)).sort());
	});

	test('a key that is not in the paths returns nobody, and the notice says why', async () => {
		const sandbox = getSandbox();
		const { items, run } = await runInsight(sandbox, 'paths', { ...saved(), pathPersons: 'reached', pathNode: locator('key', '2_/pricing') });
		expect(items).toEqual([]);
		expect(hintsOf(run)).toEqual([expect.stringMatching(/^No persons for the node 2_\/pricing\. PostHog does not check node keys/)]);
	});

	test.each([
		['a key without a step (from an expression)', { pathPersons: 'reached', pathNode: locator('key', "={{ 'pricing' }}") }, /is not a node key/],
		['a link that skips a step', { pathPersons: 'edge', pathNode: locator('key', `1_${SITE}`), pathNextNode: locator('key', `3_${SITE}/docs`) }, /From Node is step 1 and To Node is step 3/],
	])('refused before anything is sent: %s', async (_label, selector, message) => {
		const sandbox = getSandbox();
		const { error } = await runInsight(sandbox, 'paths', { ...saved(), ...selector });
		expect(error?.message).toMatch(message);
		expect(apiCalls(sandbox)).toEqual([]);
	});
});

describe('Get Paths Persons: the node lists (list search in n8n-core\'s load-options context)', () => {
	const panel = (parameters: IDataObject, path = 'parameters.pathNode') => ({
		parameters: { resource: 'insight', operation: 'getPathsPersons', ...parameters },
		path,
	});

	/** Every node of the paths with the number of paths arriving and going on. */
	function nodeCounts(paths: Array<{ path: PathStep[] }>) {
		const arrived = new Map<string, number>();
		const continued = new Map<string, number>();
		for (const { path } of paths) {
			for (const step of path) {
				if (!step.previousKey) continue;
				arrived.set(step.key, (arrived.get(step.key) ?? 0) + 1);
				continued.set(step.previousKey, (continued.get(step.previousKey) ?? 0) + 1);
			}
		}
		return { arrived, continued };
	}

	test('saved insight: the nodes of its paths by step, with counts, from one paths query', async () => {
		const sandbox = getSandbox();
		const parameters = { insightSource: 'saved', insightId: locator('list', insightNamed(sandbox, 'Site paths').short_id) };
		const first = await runListSearch('searchPathNodes', sandboxCredentials(sandbox), undefined, undefined, panel(parameters));
		const calls = apiCalls(sandbox);
		expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['GET /api/projects/1/insights/', 'POST /api/projects/1/query/']);
		expect((calls[1].body as IDataObject).query).toEqual(sourceOf(sandbox, 'Site paths'));
		const { arrived, continued } = nodeCounts(sitePaths());
		// the sandbox's paths result keeps the 50 busiest links (edgeLimit): fewer than 100 nodes, one page
		expect(first.paginationToken).toBeUndefined();
		const entries = first.results;
		expect(entries.length).toBeGreaterThan(10);
		const steps = entries.map((entry) => Number(/^(\d+)_/.exec(String(entry.value))?.[1]));
		expect(steps).toEqual([...steps].sort((a, b) => a - b));
		for (const entry of entries.slice(0, 5)) {
			const key = String(entry.value);
			expect(entry.name).toBe(key);
			expect(arrived.has(key) || continued.has(key)).toBe(true);
		}
		const filtered = await runListSearch('searchPathNodes', sandboxCredentials(sandbox), '/pricing', undefined, panel(parameters));
		expect(filtered.results.length).toBeGreaterThan(0);
		expect(filtered.results.every((entry) => String(entry.value).endsWith('/pricing'))).toBe(true);
	});

	test('the counts of each node are those of the paths (raw JSON keeping every link)', async () => {
		const sandbox = getSandbox();
		const source = sourceOf(sandbox, 'Site paths');
		const parameters = { insightSource: 'json', insightQuery: JSON.stringify({ ...source, pathsFilter: { ...(source.pathsFilter as IDataObject), edgeLimit: 10000 } }) };
		const { arrived, continued } = nodeCounts(sitePaths());
		const entries = [];
		let token: string | undefined;
		do {
			const page = await runListSearch('searchPathNodes', sandboxCredentials(sandbox), undefined, token, panel(parameters));
			entries.push(...page.results);
			token = page.paginationToken;
		} while (token);
		expect(entries.length).toBeGreaterThan(20);
		expect(new Set(entries.map((entry) => entry.value)).size).toBe(entries.length);
		expect(entries.map((entry) => entry.value).sort()).toEqual([...new Set([...arrived.keys(), ...continued.keys()])].sort());
		for (const entry of entries) {
			const key = String(entry.value);
			const step = Number(/^(\d+)_/.exec(key)?.[1]);
			const expected = step === 1 ? `Step 1 · ${continued.get(key) ?? 0} went on` : `Step ${step} · ${arrived.get(key) ?? 0} arrived · ${continued.get(key) ?? 0} went on`;
			expect([key, entry.description]).toEqual([key, expected]);
		}
	});

	test('defined in node: the list runs the paths of the fields; To Node lists where From Node leads', async () => {
		const sandbox = getSandbox();
		const parameters = { insightSource: 'defined', pathEventTypes: ['$pageview'], stepLimit: 5, dateFrom: '-14d', pathPersons: 'edge' };
		const nodes = await runListSearch('searchPathNodes', sandboxCredentials(sandbox), undefined, undefined, panel(parameters));
		const [from, to] = busiestLink(sitePaths());
		expect(nodes.results.map((entry) => entry.value)).toContain(from);
		const next = await runListSearch(
			'searchPathNextNodes',
			sandboxCredentials(sandbox),
			undefined,
			undefined,
			panel({ ...parameters, pathNode: locator('list', from) }, 'parameters.pathNextNode'),
		);
		expect(next.results[0].value).toBe(to);
		expect(next.results.every((entry) => String(entry.value).startsWith('2_'))).toBe(true);
		const body = apiCalls(sandbox).find((call) => call.method === 'POST')?.body as IDataObject;
		expect(body.query).toEqual({ kind: 'PathsQuery', pathsFilter: { includeEventTypes: ['$pageview'], stepLimit: 5 }, dateRange: { date_from: '-14d' } });
	});

	test('fields with expressions cannot be listed: the error names the field', async () => {
		const sandbox = getSandbox();
		const search = runListSearch('searchPathNodes', sandboxCredentials(sandbox), undefined, undefined, panel({ insightSource: 'saved', insightId: locator('id', '={{ $json.insight }}') }));
		await expect(search).rejects.toThrow(/needs the fields of this node without expressions/);
		expect(apiCalls(sandbox)).toEqual([]);
	});

	test('a key without query:read: the list says which scope to add', async () => {
		const sandbox = getSandbox();
		const parameters = { insightSource: 'defined', pathEventTypes: ['$pageview'], dateFrom: '-14d' };
		const search = runListSearch('searchPathNodes', sandboxCredentials(sandbox, 'noQuery'), undefined, undefined, panel(parameters));
		await expect(search).rejects.toThrow('The API key lacks the scope query:read, which the list of path nodes needs');
	});

});
