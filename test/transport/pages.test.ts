import * as diagnostics from 'diagnostics_channel';
import type { ClientRequest } from 'http';

import type { IDataObject } from 'n8n-workflow';

import { readRequestSettings } from '../../nodes/PostHogPersons/helpers/requestSettings';
import type { QueryPage } from '../../nodes/PostHogPersons/transport';
import { queryAllPages, queryPages, requestAllPages, restPages, useRequestSettings } from '../../nodes/PostHogPersons/transport';
import { executeContext } from '../harness/engine';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';

const person = (n: number) => ({ uuid: `uuid-${n}`, distinct_ids: [`user-${n}`] });
const requestOptions = { maxRetries: 0, retryDelayMs: 1, maxWaitSeconds: 5, rateLimits: 'none' };
const listPersons = { method: 'GET' as const, endpoint: 'persons/', qs: { limit: 2 }, requestClass: 'persons' as const, idempotent: true, itemIndex: 0 };

async function context(server: ScriptedServer) {
	const ctx = await executeContext({ resource: 'person', operation: 'getAll', requestOptions }, credentialsFor(server));
	useRequestSettings(ctx, readRequestSettings(ctx));
	return ctx;
}

describe('restPages: next-link pages as they arrive', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	function pagedServer() {
		return scriptedServer((request) => {
			const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset') ?? 0);
			const next = offset < 4 ? `${server.url}/api/projects/7/persons/?limit=2&offset=${offset + 2}` : null;
			// the second page repeats person 2 (offset paging is not snapshot-consistent)
			const results = offset === 2 ? [person(2), person(3)] : [person(offset + 1), person(offset + 2)];
			return { status: 200, body: { results, next } };
		});
	}

	test('yields each page with its body, drops repeated records, and stops requesting when the consumer stops', async () => {
		server = await pagedServer();
		const ctx = await context(server);
		const pages: Array<{ records: IDataObject[]; body: IDataObject }> = [];
		for await (const page of restPages.call(ctx, listPersons, { dedupeKey: 'uuid' })) {
			pages.push(page);
			expect(server.requests).toHaveLength(pages.length);
			if (pages.length === 2) break;
		}
		expect(pages.map((page) => page.records.map((record) => record.uuid))).toEqual([['uuid-1', 'uuid-2'], ['uuid-3']]);
		expect(pages[1].body.next).toContain('offset=4');
		expect(server.requests).toHaveLength(2);
	});

	test('pages of different sizes (one buffer for all of them) and UUIDs in either case', async () => {
		// a long page, a short one, a longer one: each page's bytes are read into the buffer of the
		// page before, so a shorter page must not be read with the end of the longer one
		const sizes = [40, 1, 120];
		const uuid = (page: number, index: number) => `0190a1b2-c3d4-7e5f-8a9b-${String(page * 1000 + index).padStart(12, '0')}`;
		server = await scriptedServer((request) => {
			const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset') ?? 0);
			const page = offset === 0 ? 0 : offset === 40 ? 1 : 2;
			const results = Array.from({ length: sizes[page] }, (_, index) => ({ uuid: uuid(page, index), name: 'x'.repeat(index % 7) }));
			// the last page repeats the first page's first person, in upper case: the same UUID
			if (page === 2) results.push({ uuid: uuid(0, 0).toUpperCase(), name: 'again' });
			const next = page < 2 ? `${server.url}/api/projects/7/persons/?limit=200&offset=${offset + sizes[page]}` : null;
			return { status: 200, body: { results, next } };
		});
		const ctx = await context(server);
		const all = await requestAllPages.call(ctx, { ...listPersons, qs: { limit: 200 } }, { dedupeKey: 'uuid' });
		const expected = sizes.flatMap((size, page) => Array.from({ length: size }, (_, index) => ({ uuid: uuid(page, index), name: 'x'.repeat(index % 7) })));
		expect(all).toEqual(expected);
		expect(server.requests).toHaveLength(3);
	});

	test('requestAllPages collects every page, or the first maxRecords', async () => {
		server = await pagedServer();
		const ctx = await context(server);
		const all = await requestAllPages.call(ctx, listPersons, { dedupeKey: 'uuid' });
		expect(all.map((record) => record.uuid)).toEqual(['uuid-1', 'uuid-2', 'uuid-3', 'uuid-5', 'uuid-6']);
		const requestsForAll = server.requests.length;
		const three = await requestAllPages.call(ctx, listPersons, { dedupeKey: 'uuid', maxRecords: 3 });
		expect(three.map((record) => record.uuid)).toEqual(['uuid-1', 'uuid-2', 'uuid-3']);
		expect(server.requests.length - requestsForAll).toBe(2);
	});
});

describe('queryPages: ActorsQuery pages as they arrive', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	const query = { kind: 'ActorsQuery', select: ['actor'], source: { kind: 'FunnelsActorsQuery' } };

	const asked = () => server.requests.map((request) => {
		const { offset, limit } = JSON.parse(request.body).query as { offset: number; limit: number };
		return [offset, limit];
	});

	function queryServer(total: number) {
		return scriptedServer((request) => {
			const { limit, offset } = (JSON.parse(request.body) as { query: { limit: number; offset: number } }).query;
			const rows = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, index) => [{ id: `p${offset + index}` }]);
			return {
				status: 200,
				body: { columns: ['actor'], results: rows, hasMore: offset + limit < total, limit, offset, missing_actors_count: 1 },
			};
		});
	}

	test('yields each page, advancing offset by limit, until hasMore is false', async () => {
		server = await queryServer(5);
		const ctx = await context(server);
		const pages = [];
		for await (const page of queryPages.call(ctx, query, { pageSize: 2, refresh: 'blocking', itemIndex: 0 })) pages.push(page);
		expect(pages.map((page) => page.rows.length)).toEqual([2, 2, 1]);
		expect(pages.every((page) => page.columns[0] === 'actor' && page.missingActorsCount === 1)).toBe(true);
		expect(server.requests.map((request) => JSON.parse(request.body).query.offset)).toEqual([0, 2, 4]);
	});

	test.each([
		[true, [2, 3, 3]],
		[false, [1, 2, 3]],
	])('readAhead %s: the next page is asked for while the consumer handles the current one (or after it)', async (readAhead, expected) => {
		server = await queryServer(30);
		const ctx = await context(server);
		const seenWhileHandling: number[] = [];
		for await (const page of queryPages.call(ctx, query, { pageSize: 10, refresh: 'blocking', itemIndex: 0, readAhead })) {
			// a slow consumer: with readAhead, the next page's request reaches the server meanwhile
			const deadline = Date.now() + (readAhead ? 2000 : 100);
			while (page.offset < 20 && server.requests.length < page.offset / 10 + 2 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
			seenWhileHandling.push(server.requests.length);
		}
		expect(seenWhileHandling).toEqual(expected);
		expect(asked()).toEqual([[0, 10], [10, 10], [20, 10]]);
	});

	test('large pages one at a time (no readAhead): rows parsed as read from one reused buffer; rows read after the next page are refused', async () => {
		// 2000 rows of about 60 bytes: answers over 64 KB, split and parsed row by row
		const padding = 'x'.repeat(40);
		server = await scriptedServer((request) => {
			const { limit, offset } = (JSON.parse(request.body) as { query: { limit: number; offset: number } }).query;
			const rows = Array.from({ length: Math.max(0, Math.min(limit, 6000 - offset)) }, (_, index) => [{ id: `p${offset + index}`, padding }]);
			return { status: 200, body: { columns: ['actor'], results: rows, hasMore: offset + limit < 6000, limit, offset } };
		});
		const ctx = await context(server);
		const ids: unknown[] = [];
		for await (const page of queryPages.call(ctx, query, { pageSize: 2000, refresh: 'blocking', itemIndex: 0 })) {
			expect(page.rows.length).toBe(2000);
			for (const row of page.rows) ids.push((row[0] as IDataObject).id);
		}
		expect(ids).toEqual(Array.from({ length: 6000 }, (_, n) => `p${n}`));

		// a consumer that keeps a page and reads it after asking for the next: an error, never another page's bytes
		const pages: QueryPage[] = [];
		for await (const page of queryPages.call(ctx, query, { pageSize: 2000, refresh: 'blocking', itemIndex: 0 })) pages.push(page);
		expect(() => Array.from(pages[0].rows)).toThrow('Rows of a query page were read after the next page');
		expect(Array.from(pages[2].rows, (row) => (row[0] as IDataObject).id)).toEqual(ids.slice(4000));
	});

	test('readAhead: the next page\'s request is on its connection, written, before the current page is handed over', async () => {
		server = await queryServer(30);
		const ctx = await context(server);
		const sent: ClientRequest[] = [];
		const onStart = (message: unknown) => {
			sent.push((message as { request: ClientRequest }).request);
			// n8n's request path takes a while before the request exists (about 1.3 ms per request
			// measured in n8n-core): longer than one turn of the event loop
			const until = performance.now() + 3;
			while (performance.now() < until);
		};
		diagnostics.subscribe('http.client.request.start', onStart);
		const atHandover: Array<{ requests: number; connected: boolean; unwritten: number }> = [];
		try {
			for await (const page of queryPages.call(ctx, query, { pageSize: 10, refresh: 'blocking', itemIndex: 0, readAhead: true })) {
				// what the consumer finds as it receives the page, before any turn of the event loop
				const socket = sent[sent.length - 1]?.socket;
				atHandover.push({ requests: sent.length, connected: socket?.connecting === false, unwritten: socket?.writableLength ?? -1 });
				expect(page.rows).toHaveLength(10);
			}
		} finally {
			diagnostics.unsubscribe('http.client.request.start', onStart);
		}
		// pages 1 and 2: the next page's request is connected and nothing of it waits in the socket's buffer
		expect(atHandover.slice(0, 2)).toEqual([
			{ requests: 2, connected: true, unwritten: 0 },
			{ requests: 3, connected: true, unwritten: 0 },
		]);
		expect(atHandover[2].requests).toBe(3);
	});

	test('a page read ahead that fails: its error comes after the pages before it, and is not raised when the consumer stopped', async () => {
		server = await scriptedServer((request) => {
			const { limit, offset } = (JSON.parse(request.body) as { query: { limit: number; offset: number } }).query;
			if (offset > 0) return { status: 400, body: { type: 'validation_error', detail: 'Bad page' } };
			return { status: 200, body: { columns: ['actor'], results: [[{ id: 'p0' }], [{ id: 'p1' }]], hasMore: true, limit, offset } };
		});
		const ctx = await context(server);
		const rows: unknown[] = [];
		await expect((async () => {
			for await (const page of queryPages.call(ctx, query, { pageSize: 2, refresh: 'blocking', itemIndex: 0, readAhead: true })) rows.push(...page.rows);
		})()).rejects.toThrow(/Bad page/);
		expect(rows).toHaveLength(2);
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		try {
			for await (const page of queryPages.call(ctx, query, { pageSize: 2, refresh: 'blocking', itemIndex: 0, readAhead: true })) {
				expect(page.rows).toHaveLength(2);
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		} finally {
			process.off('unhandledRejection', onUnhandled);
		}
		expect(unhandled).toEqual([]);
		expect(server.requests).toHaveLength(4);
	});

	test('stops requesting when the consumer stops (with readAhead, after the page read ahead); maxRows shortens the last page', async () => {
		server = await queryServer(100);
		const ctx = await context(server);
		for (const readAhead of [false, true]) {
			for await (const page of queryPages.call(ctx, query, { pageSize: 10, refresh: 'blocking', itemIndex: 0, readAhead })) {
				expect(page.rows).toHaveLength(10);
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		expect(asked()).toEqual([[0, 10], [0, 10], [10, 10]]);
		server.requests.length = 1;
		const result = await queryAllPages.call(ctx, query, { pageSize: 10, maxRows: 25, refresh: 'blocking', itemIndex: 0 });
		expect(result.rows).toHaveLength(25);
		expect(result.missingActorsCount).toBe(3);
		expect(server.requests.slice(1).map((request) => JSON.parse(request.body).query.limit)).toEqual([10, 10, 5]);
	});

	test('overlap: every page but the first from one row earlier, that row apart from the rows; maxRows counts the rows', async () => {
		server = await queryServer(7);
		const ctx = await context(server);
		const pages = [];
		for await (const page of queryPages.call(ctx, query, { pageSize: 3, maxRows: 6, overlap: true, refresh: 'blocking', itemIndex: 0 })) pages.push(page);
		expect(pages.map((page) => [page.offset, page.overlapped, page.overlap, Array.from(page.rows, (row) => (row[0] as IDataObject).id)])).toEqual([
			[0, false, undefined, ['p0', 'p1', 'p2']],
			[3, true, [{ id: 'p2' }], ['p3', 'p4', 'p5']],
		]);
		expect(asked()).toEqual([[0, 3], [2, 4]]);
	});

	test('overlap at the largest page size: PostHog caps the limit at 50,000, the next page follows the rows it sent', async () => {
		server = await scriptedServer((request) => {
			const { limit: askedLimit, offset } = (JSON.parse(request.body) as { query: { limit: number; offset: number } }).query;
			const limit = Math.min(askedLimit, 50_000);
			const rows = Array.from({ length: Math.max(0, Math.min(limit, 120_000 - offset)) }, (_, index) => [offset + index]);
			return { status: 200, body: { columns: ['actor'], results: rows, hasMore: offset + limit < 120_000, limit, offset } };
		});
		const ctx = await context(server);
		const rows: unknown[] = [];
		for await (const page of queryPages.call(ctx, query, { pageSize: 50_000, overlap: true, refresh: 'blocking', itemIndex: 0 })) {
			expect(page.overlap).toEqual(page.offset === 0 ? undefined : [page.offset - 1]);
			for (const row of page.rows) rows.push(row[0]);
		}
		expect(asked()).toEqual([[0, 50_000], [49_999, 50_000], [99_998, 50_000]]);
		expect(rows).toEqual(Array.from({ length: 120_000 }, (_, n) => n));
	});

	test('overlap: the offset PostHog echoes must be the one asked (offset − 1)', async () => {
		server = await scriptedServer((request) => {
			const { limit, offset } = (JSON.parse(request.body) as { query: { limit: number; offset: number } }).query;
			const rows = Array.from({ length: limit }, (_, index) => [{ id: `p${offset + index}` }]);
			// the nominal offset instead of the one asked
			return { status: 200, body: { columns: ['actor'], results: rows, hasMore: true, limit, offset: offset === 0 ? 0 : offset + 1 } };
		});
		const ctx = await context(server);
		const pages = queryPages.call(ctx, query, { pageSize: 2, overlap: true, refresh: 'blocking', itemIndex: 0 });
		await expect((async () => {
			for await (const page of pages) expect(page.rows).toHaveLength(2);
		})()).rejects.toThrow('PostHog answered the page at offset 2 when asked for offset 1');
		expect(asked()).toEqual([[0, 2], [1, 3]]);
	});
});
