/**
 * Person → Get Many in n8n-core's engine against the sandbox: the Query API path (every person
 * once, today's item shape, filters), the persons-list path with the gap check under PostHog issue
 * #24787, the automatic fallback for keys without query:read, Simplify.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SandboxPerson } from '../../sandbox';
import { runAgainst, useSandbox, type Sandbox } from '../helpers/sandbox';
import { allPersons, csvOf, hintsOf, listOrder, lostAndDoubled, uuidsOf } from './util';

const getSandbox = useSandbox({ persons: 2500, eventsPerPerson: 0, rateLimits: false });

const getMany = (parameters: IDataObject = {}) => ({ resource: 'person', operation: 'getAll', returnAll: true, ...parameters });

function queryBodies(sandbox: Sandbox): IDataObject[] {
	return sandbox.requests.filter((entry) => entry.method === 'POST' && /\/query\/$/.test(entry.path)).map((entry) => entry.body as IDataObject);
}

/** The sandbox's own answer of GET persons/ for all persons, keyed by UUID (independent of the node). */
async function restListItems(sandbox: Sandbox): Promise<Map<string, IDataObject>> {
	const response = await fetch(`${sandbox.url}/api/projects/${sandbox.projectId}/persons/?limit=50000`, {
		headers: { Authorization: `Bearer ${sandbox.keys.all}` },
	});
	const body = (await response.json()) as { results: IDataObject[] };
	return new Map(body.results.map((item) => [String(item.uuid), item]));
}

/** What a client that follows `next` and trusts it gets: the old Get Many. */
async function followNext(sandbox: Sandbox, limit: number, qs = ''): Promise<string[]> {
	const seen: string[] = [];
	let url: string | null = `${sandbox.url}/api/projects/${sandbox.projectId}/persons/?limit=${limit}${qs}`;
	while (url) {
		const response = await fetch(url, { headers: { Authorization: `Bearer ${sandbox.keys.all}` } });
		const body = (await response.json()) as { results: Array<{ uuid: string }>; next: string | null };
		seen.push(...body.results.map((row) => row.uuid));
		url = body.results.length > 0 ? body.next : null;
	}
	return seen;
}

describe('Get Many through the Query API', () => {
	it('lists every person once, in PostHog order, as the same items GET persons/ returns', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, getMany({ options: { pageSize: 1000 } }));
		expect(result.error).toBeUndefined();
		const expected = listOrder(allPersons(sandbox));
		expect(uuidsOf(result.items)).toEqual(expected);
		const rest = await restListItems(sandbox);
		for (const item of result.items) expect(item.json).toEqual(rest.get(String(item.json.uuid)));
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		// three pages of one ActorsQuery, fresh (not PostHog's cached result), stable unique order;
		// pages after the first start one row earlier (the shift check), nothing else is asked
		const bodies = queryBodies(sandbox);
		expect(bodies).toHaveLength(3);
		bodies.forEach((body, page) =>
			expect(body).toEqual({
				query: {
					kind: 'ActorsQuery',
					select: ['person', 'person_display_name -- Person', 'last_seen_at'],
					orderBy: ['created_at DESC', 'id DESC'],
					limit: page === 0 ? 1000 : 1001,
					offset: page === 0 ? 0 : page * 1000 - 1,
				},
				refresh: 'force_blocking',
				name: 'n8n: Get Many persons',
			}),
		);
		expect(sandbox.requests.every((entry) => entry.status === 200)).toBe(true);
	});

	it.each([7, 100, 1000])('loses nobody at page size %i while the persons list loses rows (items and CSV)', async (pageSize) => {
		const sandbox = getSandbox();
		sandbox.setFaults({ listGapRate: 0.5, seed: 5 });
		const expected = listOrder(allPersons(sandbox));
		const items = await runAgainst(sandbox, getMany({ options: { pageSize } }));
		expect(lostAndDoubled(expected, uuidsOf(items.items))).toEqual({ lost: [], doubled: [], extra: [] });
		const csv = await runAgainst(sandbox, getMany({ options: { pageSize }, output: 'csv' }));
		expect(csv.error).toBeUndefined();
		const { rows } = csvOf(csv.items[0]);
		expect(rows.map((row) => row.uuid)).toEqual(expected);
		expect(csv.items[0].json).toMatchObject({ rows: expected.length, listedThrough: 'query' });
	});

	it('sends the filters as ActorsQuery fields and lists exactly the matching persons', async () => {
		const sandbox = getSandbox();
		const persons = allPersons(sandbox);
		const cohortId = 1; // "Pro plan"
		const filters = {
			cohortId,
			propertyFilters: { filter: [{ key: 'signup_count', operator: 'gt', value: '2' }] },
			search: 'user-00',
		};
		const result = await runAgainst(sandbox, getMany({ filters, options: { pageSize: 50 } }));
		expect(result.error).toBeUndefined();
		const needle = 'user-00';
		const expected = persons.filter(
			(p) =>
				sandbox.store.isInCohort(p, cohortId) &&
				Number(p.properties.signup_count) > 2 &&
				(String(p.properties.email ?? '').toLowerCase().includes(needle) ||
					String(p.properties.name ?? '').toLowerCase().includes(needle) ||
					p.distinctIds.some((d) => d.toLowerCase().includes(needle))),
		);
		expect(expected.length).toBeGreaterThan(0);
		expect(uuidsOf(result.items)).toEqual(listOrder(expected));
		expect(queryBodies(sandbox)[0].query).toMatchObject({
			search: 'user-00',
			properties: [
				{ type: 'cohort', key: 'id', operator: 'in', value: 1 },
				{ type: 'person', key: 'signup_count', operator: 'gt', value: 2 },
			],
		});
	});

	it('email and distinct ID filters match exactly, also with quotes and backslashes', async () => {
		const sandbox = getSandbox();
		const target = allPersons(sandbox).find((p) => typeof p.properties.email === 'string' && p.distinctIds.length > 1) as SandboxPerson;
		const byEmail = await runAgainst(sandbox, getMany({ filters: { email: target.properties.email } }));
		expect(uuidsOf(byEmail.items)).toEqual([target.uuid]);

		const odd = sandbox.store.createPerson({ distinctIds: ["o'neil\\2024", 'plain-odd'], properties: { email: 'odd@example.com' } });
		try {
			sandbox.clearRequests();
			const byDistinctId = await runAgainst(sandbox, getMany({ filters: { distinctId: "o'neil\\2024" } }));
			expect(uuidsOf(byDistinctId.items)).toEqual([odd.uuid]);
			expect(queryBodies(sandbox)[0].query).toMatchObject({
				properties: [{ type: 'hogql', key: "id IN (SELECT person_id FROM person_distinct_ids WHERE distinct_id = 'o\\'neil\\\\2024')" }],
			});
			// a prefix of a distinct ID is not a match (unlike Search)
			const prefix = await runAgainst(sandbox, getMany({ filters: { distinctId: "o'neil" } }));
			expect(prefix.items).toHaveLength(0);
			expect(prefix.error).toBeUndefined();
		} finally {
			sandbox.store.deletePerson(odd.uuid);
		}
	});

	it('Limit: one page of that size', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, { resource: 'person', operation: 'getAll', limit: 5 });
		expect(uuidsOf(result.items)).toEqual(listOrder(allPersons(sandbox)).slice(0, 5));
		expect(queryBodies(sandbox).map((body) => (body.query as IDataObject).limit)).toEqual([5]);
	});

	it('Simplify: id (UUID), distinct_ids, email, name, created_at', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, { resource: 'person', operation: 'getAll', limit: 3, simplify: true });
		const persons = listOrder(allPersons(sandbox)).slice(0, 3).map((uuid) => sandbox.store.personsByUuid.get(uuid) as SandboxPerson);
		expect(result.items.map((item) => item.json)).toEqual(
			persons.map((p) => ({
				id: p.uuid,
				distinct_ids: p.distinctIds,
				email: p.properties.email ?? null,
				name: p.properties.name ?? null,
				created_at: expect.any(String),
			})),
		);
	});
});

describe('Get Many through the persons list (no query:read), PostHog issue #24787', () => {
	const planFilter = { propertyFilters: { filter: [{ key: 'plan', operator: 'exact', value: 'free, pro' }] } };

	it.each([7, 100, 1000])('page size %i: following next loses persons; the gap check loses none (items and CSV, with a filter)', async (pageSize) => {
		const sandbox = getSandbox();
		sandbox.setFaults({ listGapRate: 0.5, seed: 9 });
		const persons = allPersons(sandbox).filter((p) => p.properties.plan === 'free' || p.properties.plan === 'pro');
		const expected = listOrder(persons);
		const properties = encodeURIComponent(JSON.stringify([{ key: 'plan', operator: 'exact', value: ['free', 'pro'], type: 'person' }]));
		const naive = await followNext(sandbox, pageSize, `&properties=${properties}`);
		expect(lostAndDoubled(expected, naive).lost.length).toBeGreaterThan(0);

		for (const output of ['items', 'csv']) {
			sandbox.clearRequests();
			const result = await runAgainst(sandbox, getMany({ filters: planFilter, options: { pageSize, listVia: 'rest' }, output }));
			expect(result.error).toBeUndefined();
			const got = output === 'csv' ? csvOf(result.items[0]).rows.map((row) => row.uuid) : uuidsOf(result.items);
			expect(lostAndDoubled(expected, got)).toEqual({ lost: [], doubled: [], extra: [] });
			expect(sandbox.requests.every((entry) => entry.method === 'GET' && entry.path.endsWith('/persons/'))).toBe(true);
			expect(hintsOf(result).filter((hint) => hint.type === 'warning')).toEqual([]);
			if (output === 'csv') {
				const gapCheck = result.items[0].json.gapCheck as IDataObject;
				expect(gapCheck).toMatchObject({ unproven: 0, possiblyMissing: 0 });
				expect(gapCheck.shortPages).toBeGreaterThan(0);
				expect(gapCheck.repaired).toBe(gapCheck.shortPages);
			}
		}
	});

	it('Automatic: a key without query:read lists through the persons list and says so', async () => {
		const sandbox = getSandbox();
		sandbox.setFaults({ listGapRate: 0.5, seed: 2 });
		const result = await runAgainst(sandbox, getMany({ options: { pageSize: 500 } }), { key: 'noQuery', input: [{}, {}] });
		expect(result.error).toBeUndefined();
		const expected = listOrder(allPersons(sandbox));
		const perItem = [0, 1].map((index) => uuidsOf(result.items.filter((item) => (item.pairedItem as { item: number }).item === index)));
		for (const got of perItem) expect(lostAndDoubled(expected, got)).toEqual({ lost: [], doubled: [], extra: [] });
		// the Query API was asked once (403), then only the persons list
		const [first, ...rest] = sandbox.requests;
		expect([first.method, first.status]).toEqual(['POST', 403]);
		expect(rest.every((entry) => entry.method === 'GET' && entry.status === 200)).toBe(true);
		expect(hintsOf(result).map((hint) => hint.message).join('\n')).toMatch(/lacks the scope query:read/);
	});

	it('Limit: stops after that many persons, from one request', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' } });
		expect(uuidsOf(result.items)).toEqual(listOrder(allPersons(sandbox)).slice(0, 5));
		expect(sandbox.requests.map((entry) => entry.query)).toEqual([{ limit: '5', offset: '0' }]);
	});

	it('an explicit Query API choice with such a key fails with the scope to add', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, getMany({ options: { listVia: 'query' } }), { key: 'noQuery' });
		expect(result.error?.message).toMatch(/query:read/);
		expect(sandbox.requests).toHaveLength(1);
	});
});

describe('Simplify on Get and Look Up by IDs', () => {
	const simplified = (p: SandboxPerson) => ({
		id: p.uuid,
		distinct_ids: expect.arrayContaining(p.distinctIds.slice(0, 10)),
		email: p.properties.email ?? null,
		name: p.properties.name ?? null,
		created_at: expect.any(String),
	});

	it('Get: the five fields, the UUID as id (PostHog answers with the numeric id)', async () => {
		const sandbox = getSandbox();
		const target = allPersons(sandbox).find((p) => typeof p.properties.name === 'string') as SandboxPerson;
		const result = await runAgainst(sandbox, { resource: 'person', operation: 'get', person: { __rl: true, mode: 'id', value: String(target.id) }, simplify: true });
		expect(result.items.map((item) => item.json)).toEqual([simplified(target)]);
		expect(Object.keys(result.items[0].json)).toEqual(['id', 'distinct_ids', 'email', 'name', 'created_at']);
	});

	it('Look Up by IDs: requested_id and found first, then the five fields; unknown IDs unchanged', async () => {
		const sandbox = getSandbox();
		const [a, b] = allPersons(sandbox);
		const result = await runAgainst(sandbox, {
			resource: 'person',
			operation: 'lookup',
			lookupBy: 'uuids',
			ids: `${a.uuid}, ${b.uuid}, 00000000-0000-4000-8000-000000000000`,
			simplify: true,
		});
		expect(result.items.map((item) => item.json)).toEqual([
			{ requested_id: a.uuid, found: true, ...simplified(a) },
			{ requested_id: b.uuid, found: true, ...simplified(b) },
			{ requested_id: '00000000-0000-4000-8000-000000000000', found: false },
		]);
	});
});
