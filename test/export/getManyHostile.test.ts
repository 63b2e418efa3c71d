/**
 * Get Many against answers the sandbox does not give on purpose: an older PostHog without the
 * optional query columns, persons that can no longer be loaded, a persons list that loses a row
 * at every offset (the gap check cannot prove it complete), broken and endless answers.
 */
import type { IDataObject } from 'n8n-workflow';

import { runNode } from '../harness/engine';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';
import { csvOf, hintsOf, uuidsOf } from './util';

const requestOptions = { maxRetries: 0, retryDelayMs: 1, maxWaitSeconds: 5, rateLimits: 'none' };
const actor = (n: number, extra: IDataObject = {}) => ({
	id: `uuid-${n}`,
	distinct_ids: [`user-${n}`],
	properties: { email: `p${n}@example.com` },
	is_identified: true,
	created_at: `2024-01-0${n}T00:00:00Z`,
	...extra,
});
const listItem = (n: number) => ({ type: 'person', id: `uuid-${n}`, uuid: `uuid-${n}`, created_at: `2024-01-${String(30 - n).padStart(2, '0')}T00:00:00Z`, properties: {}, distinct_ids: [`user-${n}`] });

let server: ScriptedServer;
afterEach(async () => server?.close());

async function getMany(parameters: IDataObject) {
	return await runNode({
		parameters: { resource: 'person', operation: 'getAll', returnAll: true, requestOptions, ...parameters },
		credentials: credentialsFor(server),
	});
}

const bodyOf = (body: string) => JSON.parse(body) as { query: IDataObject };

describe('Query API path', () => {
	it('an older PostHog without last_seen_at / the display-name column: asks again with person only', async () => {
		server = await scriptedServer((request) => {
			const { query } = bodyOf(request.body);
			if ((query.select as string[]).length > 1) {
				return { status: 400, body: { type: 'validation_error', code: 'invalid_input', detail: 'Unable to resolve field: last_seen_at', attr: null } };
			}
			return { status: 200, body: { columns: ['person'], results: [[actor(1)], [actor(2, { properties: {} })]], hasMore: false, limit: 100, offset: 0 } };
		});
		const result = await getMany({});
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => bodyOf(request.body).query.select)).toEqual([
			['person', 'person_display_name -- Person', 'last_seen_at'],
			['person'],
		]);
		expect(result.items.map((item) => [item.json.uuid, item.json.name, item.json.last_seen_at])).toEqual([
			['uuid-1', 'p1@example.com', null],
			['uuid-2', 'user-2', null],
		]);
	});

	it('persons PostHog can no longer load are left out, with a notice', async () => {
		server = await scriptedServer(() => ({
			status: 200,
			body: {
				columns: ['person', 'person_display_name -- Person', 'last_seen_at'],
				results: [
					[actor(1), { display_name: 'one', id: 'uuid-1' }, null],
					[{ id: 'uuid-9' }, null, null],
				],
				hasMore: false,
				missing_actors_count: 1,
			},
		}));
		const result = await getMany({});
		expect(uuidsOf(result.items)).toEqual(['uuid-1']);
		expect(hintsOf(result).map((hint) => hint.message).join()).toMatch(/1 person\(s\) PostHog is still deleting/);
	});

	it('an overlap row PostHog can no longer load (person being deleted): re-read once, nobody output twice, not counted as missing', async () => {
		// 6 persons in pages of 3; from the second request on, position 2 (uuid-3) is a person being deleted
		server = await scriptedServer((request, index) => {
			const { limit, offset } = bodyOf(request.body).query as { limit: number; offset: number };
			const rows = [1, 2, 3, 4, 5, 6].slice(offset, offset + limit).map((n) => [n === 3 && index > 0 ? null : actor(n)]);
			return { status: 200, body: { columns: ['person'], results: rows, hasMore: offset + limit < 6, limit, offset } };
		});
		const result = await getMany({ options: { pageSize: 3 }, output: 'csv' });
		expect(result.error).toBeUndefined();
		expect(csvOf(result.items[0]).rows.map((row) => row.uuid)).toEqual(['uuid-1', 'uuid-2', 'uuid-3', 'uuid-4', 'uuid-5', 'uuid-6']);
		expect(server.requests.map((request) => [bodyOf(request.body).query.offset, bodyOf(request.body).query.limit])).toEqual([[0, 3], [2, 4], [0, 3]]);
		expect(result.items[0].json).toMatchObject({ shiftCheck: { shiftedPages: 1, recovered: 0, unproven: 0, rereads: 1 } });
		expect(hintsOf(result)).toEqual([]);
	});

	it('a re-read answered at another offset than asked is an error', async () => {
		server = await scriptedServer((request, index) => {
			const { limit, offset } = bodyOf(request.body).query as { limit: number; offset: number };
			// the second page starts with a person not output yet; the re-read of [0, 3) answers offset 1
			const start = offset + (index === 0 ? 0 : 1);
			const rows = [1, 2, 3, 4, 5, 6].slice(start, start + limit).map((n) => [actor(n)]);
			return { status: 200, body: { columns: ['person'], results: rows, hasMore: index === 0, limit, offset: index === 2 ? 1 : offset } };
		});
		const result = await getMany({ options: { pageSize: 3 } });
		expect(result.error?.message).toBe('PostHog answered the page at offset 1 when asked for offset 0');
		expect(result.error?.description).toMatch(/^Stopping: the answer is not the rows asked for\./);
		expect(server.requests).toHaveLength(3);
	});

	it('an answer without a person column is an error, not an empty list', async () => {
		server = await scriptedServer(() => ({ status: 200, body: { columns: ['id'], results: [['x']], hasMore: false } }));
		const result = await getMany({});
		expect(result.error?.message).toMatch(/without a "person" column/);
	});
});

describe('persons list path', () => {
	/** A list of 12 persons that loses position 5 at every offset (it is never served). */
	function lossyList() {
		const persons = Array.from({ length: 12 }, (_, index) => listItem(index + 1));
		return scriptedServer((request) => {
			const url = new URL(request.url, 'http://x');
			const limit = Number(url.searchParams.get('limit'));
			const offset = Number(url.searchParams.get('offset'));
			const window = persons.slice(offset, offset + limit);
			const results = window.filter((person) => person.uuid !== 'uuid-5');
			const next = window.length >= limit ? `${server.url}/api/projects/7/persons/?limit=${limit}&offset=${offset + limit}` : null;
			return { status: 200, body: { results, next } };
		});
	}

	it('a page it cannot prove complete: warns how many may be missing, and says so in the CSV item', async () => {
		server = await lossyList();
		const items = await getMany({ options: { listVia: 'rest', pageSize: 4 } });
		expect(items.error).toBeUndefined();
		expect(uuidsOf(items.items)).toEqual(['uuid-1', 'uuid-2', 'uuid-3', 'uuid-4', 'uuid-6', 'uuid-7', 'uuid-8', 'uuid-9', 'uuid-10', 'uuid-11', 'uuid-12']);
		const [warning] = hintsOf(items).filter((hint) => hint.type === 'warning');
		expect(warning.message).toMatch(/1 page\(s\) with fewer persons than requested; 1 of them stayed incomplete after 10 re-reads each, so up to 1 person\(s\) may be missing/);
		expect(warning.message).toMatch(/query:read/);
		// the window [4, 8) re-read from offsets 5, 6 and 7 (windows shrink to one row), then given up
		const urls = server.requests.map((request) => request.url.replace('/api/projects/7/persons/?', ''));
		expect(urls).toEqual(['limit=4&offset=0', 'limit=4&offset=4', 'limit=3&offset=5', 'limit=2&offset=6', 'limit=1&offset=7', 'limit=4&offset=8', 'limit=4&offset=12']);

		server.requests.length = 0;
		const csv = await getMany({ options: { listVia: 'rest', pageSize: 4 }, output: 'csv' });
		expect(csv.items[0].json).toMatchObject({
			rows: 11,
			listedThrough: 'persons list',
			gapCheck: { shortPages: 1, repaired: 0, unproven: 1, possiblyMissing: 1, rereads: 3 },
		});
		expect(csvOf(csv.items[0]).rows).toHaveLength(11);
	});

	it('an answer without results is an error, not an empty list', async () => {
		server = await scriptedServer(() => ({ status: 200, body: '<html>login</html>', headers: { 'content-type': 'text/html' } }));
		const result = await getMany({ options: { listVia: 'rest' } });
		expect(result.error?.message).toMatch(/results|JSON/);
		expect(result.items).toEqual([]);
	});

	it('a server that keeps paging without new persons is stopped', async () => {
		server = await scriptedServer((request) => {
			const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset'));
			return { status: 200, body: { results: [listItem(1), listItem(2)], next: `${server.url}/api/projects/7/persons/?offset=${offset + 2}` } };
		});
		const result = await getMany({ options: { listVia: 'rest', pageSize: 2 } });
		expect(result.error?.message).toMatch(/3 pages in a row holding only records already read/);
		expect(server.requests).toHaveLength(4);
	});
});
