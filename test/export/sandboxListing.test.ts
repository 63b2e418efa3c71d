/**
 * The sandbox's two listing behaviours the export work relies on:
 * - the persons list with PostHog issue #24787 (`faults.listGapRate`);
 * - a no-source ActorsQuery over persons ordered `created_at DESC, id DESC` (filters, paging, cap).
 * Expectations are computed from the store here, not with the sandbox's own list code.
 */
import type { AxiosInstance } from 'axios';

import type { Sandbox, SandboxPerson } from '../../sandbox';
import { MAX_LOST_PER_PAGE } from '../../sandbox/listGaps';
import { client, P, start } from '../sandbox/helpers';

let sb: Sandbox;
let api: AxiosInstance;

beforeAll(async () => {
	sb = await start({ persons: 300, rateLimits: false });
	api = client(sb);
});
afterAll(async () => sb.stop());
afterEach(() => sb.setFaults(undefined));

/** created_at DESC, then UUID DESC (PostHog's list order), computed here. */
function expectedOrder(persons: SandboxPerson[] = [...sb.store.personsByUuid.values()]): string[] {
	return [...persons]
		.sort((a, b) => b.createdAt - a.createdAt || (b.uuid > a.uuid ? 1 : b.uuid < a.uuid ? -1 : 0))
		.map((p) => p.uuid);
}

async function page(offset: number, limit: number): Promise<{ ids: string[]; next: string | null }> {
	const response = await api.get(`${P}/?limit=${limit}&offset=${offset}`);
	expect(response.status).toBe(200);
	return { ids: response.data.results.map((row: { uuid: string }) => row.uuid), next: response.data.next };
}

/** What a client that follows `next` and trusts it gets. */
async function followNext(limit: number): Promise<string[]> {
	const seen: string[] = [];
	let url: string | null = `${P}/?limit=${limit}`;
	while (url) {
		const response: { data: { results: Array<{ uuid: string }>; next: string | null } } = await api.get(url);
		seen.push(...response.data.results.map((row) => row.uuid));
		url = response.data.next ? new URL(response.data.next).pathname + new URL(response.data.next).search : null;
	}
	return seen;
}

describe('sandbox: persons list with issue #24787 (listGapRate)', () => {
	it('loses rows of full pages deterministically by offset; next still advances by limit', async () => {
		sb.setFaults({ listGapRate: 1, seed: 11 });
		const order = expectedOrder();
		const first = await page(40, 20);
		const again = await page(40, 20);
		expect(again.ids).toEqual(first.ids);
		expect(first.ids.length).toBeLessThan(20);
		expect(first.ids.length).toBeGreaterThanOrEqual(20 - MAX_LOST_PER_PAGE);
		expect(first.next).toBe(`${sb.url}${P}/?limit=20&offset=60`);
		// the page's first row is served, the lost ones are rows of that window, in order
		const window = order.slice(40, 60);
		expect(first.ids[0]).toBe(window[0]);
		expect(first.ids).toEqual(window.filter((id) => first.ids.includes(id)));
		const entry = sb.requests[sb.requests.length - 1];
		expect(entry.fault).toBe('list_gap');
		expect(entry.omittedRows).toEqual(window.filter((id) => !first.ids.includes(id)));
	});

	it('a page never loses its first row, so every row is served by the page that starts at it', async () => {
		sb.setFaults({ listGapRate: 1, seed: 11 });
		const order = expectedOrder();
		const firsts: string[] = [];
		const expected: string[] = [];
		for (let offset = 0; offset + 20 <= order.length; offset++) {
			firsts.push((await page(offset, 20)).ids[0]);
			expected.push(order[offset]);
		}
		expect(firsts).toEqual(expected);
	});

	it('never shortens the last page (fewer rows than limit, no next)', async () => {
		sb.setFaults({ listGapRate: 1, seed: 11 });
		const total = sb.store.personsByUuid.size;
		const last = await page(total - 5, 20);
		expect(last.ids).toEqual(expectedOrder().slice(total - 5));
		expect(last.next).toBeNull();
	});

	it('a client that follows next loses persons at page sizes 7, 100 and 1000 (1000: only with more persons than a page)', async () => {
		sb.setFaults({ listGapRate: 0.5, seed: 3 });
		const total = sb.store.personsByUuid.size;
		for (const limit of [7, 100]) {
			const seen = await followNext(limit);
			expect(new Set(seen).size).toBe(seen.length);
			expect(seen.length).toBeLessThan(total);
		}
		// 300 persons fit in one page of 1000: nothing can be lost there
		expect((await followNext(1000)).length).toBe(total);
	});

	it('is off without the fault and ignores the CSV renderer', async () => {
		expect((await followNext(100)).length).toBe(sb.store.personsByUuid.size);
		sb.setFaults({ listGapRate: 1, seed: 11 });
		const csv = await api.get(`${P}/?limit=20&format=csv`);
		expect(String(csv.data).trim().split('\r\n').length).toBe(sb.store.personsByUuid.size + 1);
	});
});

describe('sandbox: ActorsQuery listing persons (no source, created_at DESC, id DESC)', () => {
	const ORDER = ['created_at DESC', 'id DESC'];

	async function run(query: Record<string, unknown>) {
		return await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', orderBy: ORDER, ...query }, refresh: 'force_blocking' });
	}

	async function allIds(query: Record<string, unknown>, limit: number): Promise<string[]> {
		const ids: string[] = [];
		for (let offset = 0; ; offset += limit) {
			const response = await run({ select: ['person', 'id'], ...query, limit, offset });
			expect(response.status).toBe(200);
			ids.push(...response.data.results.map((row: unknown[]) => row[1] as string));
			expect(response.data.limit).toBe(limit);
			expect(response.data.offset).toBe(offset);
			if (!response.data.hasMore) break;
		}
		return ids;
	}

	it('pages through every person once, in the list order, with hasMore', async () => {
		expect(await allIds({}, 7)).toEqual(expectedOrder());
		expect(await allIds({}, 1000)).toEqual(expectedOrder());
		// 300 persons in pages of 100: the third page is the last one
		const hasMore = [];
		for (const offset of [0, 100, 200]) hasMore.push((await run({ select: ['id'], limit: 100, offset })).data.hasMore);
		expect(hasMore).toEqual([true, true, false]);
	});

	it('person cells, last_seen_at and the display-name column', async () => {
		const response = await run({ select: ['person', 'person_display_name -- Person', 'last_seen_at', 'created_at', 'properties.email'], limit: 3 });
		expect(response.status).toBe(200);
		const [row] = response.data.results;
		const person = sb.store.personsByUuid.get(row[0].id) as SandboxPerson;
		expect(row[0]).toEqual({
			id: person.uuid,
			distinct_ids: person.distinctIds,
			properties: person.properties,
			is_identified: person.isIdentified,
			created_at: expect.any(String),
		});
		expect(Date.parse(row[0].created_at)).toBe(person.createdAt);
		expect(row[1]).toEqual({ display_name: person.properties.email ?? person.properties.name ?? expect.any(String), id: person.uuid });
		expect(row[2] === null ? null : Date.parse(row[2])).toBe(person.lastSeenAt);
		expect(row[4]).toBe(person.properties.email ?? null);
	});

	it('filters: search, email, person properties, cohort, distinct ID (HogQL)', async () => {
		const persons = [...sb.store.personsByUuid.values()];
		const pro = persons.filter((p) => p.properties.plan === 'pro');
		expect(await allIds({ properties: [{ type: 'person', key: 'plan', operator: 'exact', value: ['pro'] }] }, 10)).toEqual(expectedOrder(pro));

		const target = persons.find((p) => typeof p.properties.email === 'string') as SandboxPerson;
		const email = String(target.properties.email);
		expect(await allIds({ properties: [{ type: 'person', key: 'email', operator: 'exact', value: email }] }, 10)).toEqual([target.uuid]);

		const cohort = sb.store.cohorts.find((c) => !c.deleted && sb.store.cohortMembers(c.id).size > 0)!;
		const members = persons.filter((p) => sb.store.cohortMembers(cohort.id).has(p.uuid));
		expect(await allIds({ properties: [{ type: 'cohort', key: 'id', operator: 'in', value: cohort.id }] }, 10)).toEqual(expectedOrder(members));

		const needle = 'user-0001';
		const searched = persons.filter(
			(p) =>
				String(p.properties.email ?? '').toLowerCase().includes(needle) ||
				String(p.properties.name ?? '').toLowerCase().includes(needle) ||
				p.uuid.includes(needle) ||
				p.distinctIds.some((d) => d.toLowerCase().includes(needle)),
		);
		expect(searched.length).toBeGreaterThan(1);
		expect(await allIds({ search: needle }, 5)).toEqual(expectedOrder(searched));

		const distinctId = target.distinctIds[target.distinctIds.length - 1];
		const hogql = `id IN (SELECT person_id FROM person_distinct_ids WHERE distinct_id = '${distinctId.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}')`;
		expect(await allIds({ properties: [{ type: 'hogql', key: hogql }] }, 10)).toEqual([target.uuid]);
	});

	it('a distinct ID with quotes and backslashes is matched exactly', async () => {
		const odd = sb.store.createPerson({ distinctIds: ["o'brien\\x"], properties: { email: 'odd@example.com' } });
		try {
			const escaped = "o\\'brien\\\\x";
			const hogql = `id IN (SELECT person_id FROM person_distinct_ids WHERE distinct_id = '${escaped}')`;
			expect(await allIds({ properties: [{ type: 'hogql', key: hogql }] }, 10)).toEqual([odd.uuid]);
			const unknown = `id IN (SELECT person_id FROM person_distinct_ids WHERE distinct_id = 'o\\'brien')`;
			expect(await allIds({ properties: [{ type: 'hogql', key: unknown }] }, 10)).toEqual([]);
		} finally {
			sb.store.deletePerson(odd.uuid);
		}
	});

	it('caps limit at 50,000 and rejects HogQL it cannot evaluate', async () => {
		const capped = await run({ select: ['id'], limit: 60_000 });
		expect(capped.data.limit).toBe(50_000);
		expect(capped.data.results.length).toBe(sb.store.personsByUuid.size);
		const rejected = await run({ select: ['id'], properties: [{ type: 'hogql', key: 'properties.plan = 1' }] });
		expect(rejected.status).toBe(400);
		expect(rejected.data.detail).toMatch(/HogQL filter/);
	});

	it('rejects a body PostHog would reject (schema): a `where` field', async () => {
		const response = await run({ select: ['id'], where: 'true' });
		expect(response.status).toBe(400);
		expect(response.data.code).toBe('parse_error');
	});
});
