/**
 * CSV files with n8n-core's binary data in filesystem mode (N8N_DEFAULT_BINARY_DATA_MODE=filesystem):
 * the node hands n8n a stream and the file reaches the disk page by page, before the next page is
 * even requested (Get Many, an Insight operation, Get Activity); a failure leaves no file behind. Also ChunkStream on its own with Node's
 * `fs.writeFile` (the call n8n's filesystem store makes) and with n8n's in-memory collector.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { binaryToBuffer } from '@n8n/backend-network';

import { ChunkStream } from '../../nodes/PostHogPersons/helpers/fileStream';
import { runNode } from '../harness/engine';
import { parseCsv } from '../helpers/csv';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';
import { trendsPersons } from '../helpers/transportCases';
import { storedFile, useFilesystemBinaryData } from './binaryData';

const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'posthog-binary-'));
beforeAll(async () => {
	await useFilesystemBinaryData(storage);
});
afterAll(() => fs.rmSync(storage, { recursive: true, force: true }));

/** Every file under a folder with its size. */
function filesUnder(dir: string): Array<{ file: string; size: number }> {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => {
			const file = path.join((entry as unknown as { parentPath?: string; path: string }).parentPath ?? (entry as unknown as { path: string }).path, entry.name);
			return { file, size: fs.statSync(file).size };
		});
}

describe('ChunkStream', () => {
	it('fs.writeFile pulls one chunk at a time: each chunk is on disk before the next is produced', async () => {
		const target = path.join(storage, 'unit.csv');
		const sizesSeen: number[] = [];
		async function* chunks() {
			for (let index = 0; index < 4; index++) {
				sizesSeen.push(fs.existsSync(target) ? fs.statSync(target).size : -1);
				yield Buffer.from(`row ${index}\r\n`);
			}
		}
		await fs.promises.writeFile(target, new ChunkStream(chunks()).asBinaryStream());
		expect(sizesSeen).toEqual([0, 7, 14, 21]);
		expect(fs.readFileSync(target, 'utf8')).toBe('row 0\r\nrow 1\r\nrow 2\r\nrow 3\r\n');
	});

	it("n8n's in-memory collector gets every chunk, and the generator's own error", async () => {
		async function* good() {
			yield Buffer.from('a');
			yield Buffer.from('b');
		}
		expect((await binaryToBuffer(new ChunkStream(good()).asBinaryStream())).toString()).toBe('ab');
		const failure = new Error('page 2 failed');
		async function* bad() {
			yield Buffer.from('a');
			throw failure;
		}
		await expect(binaryToBuffer(new ChunkStream(bad()).asBinaryStream())).rejects.toBe(failure);
		await expect(fs.promises.writeFile(path.join(storage, 'bad.csv'), new ChunkStream(bad()).asBinaryStream())).rejects.toBe(failure);
	});
});

/** Bytes n8n has written so far (its temporary files while a stream is open). */
const writtenSoFar = () => filesUnder(storage).filter((entry) => /\.tmp\./.test(entry.file)).reduce((sum, entry) => sum + entry.size, 0);

/** Nothing on disk before the first page; then each page's rows are written before the next page is asked for. */
function expectGrowingPageByPage(sizesAtRequest: number[], pages: number) {
	expect(sizesAtRequest).toHaveLength(pages);
	expect(sizesAtRequest[0]).toBe(0);
	for (let page = 1; page < pages; page++) expect(sizesAtRequest[page]).toBeGreaterThan(sizesAtRequest[page - 1]);
}

/** The CSV file item of a run in filesystem mode: the item, the file n8n stored and its rows. */
async function storedCsv(result: Awaited<ReturnType<typeof runNode>>) {
	expect(result.error).toBeUndefined();
	const [item] = result.items;
	expect(item.binary!.data.id).toMatch(/^filesystem(-v2)?:/);
	const stored = await storedFile(item.binary!.data);
	return { item, stored, rows: parseCsv(stored.buffer.toString('utf8')).rows };
}

describe('Get Many as CSV, filesystem binary data', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	/**
	 * An ActorsQuery server with `pages` pages of `perPage` persons; `onRequest` runs before each
	 * answer. `insight`: rows as an insight's (`actor`, `event_count`) instead of Get Many's (`person`).
	 */
	async function queryServer(pages: number, perPage: number, onRequest: (page: number) => void, failOn?: number, insight = false) {
		return await scriptedServer((request) => {
			const { query } = JSON.parse(request.body) as { query: { offset: number; limit: number } };
			// pages after the first are asked from one row earlier (the overlap row)
			const page = Math.ceil(query.offset / perPage);
			onRequest(page);
			if (page === failOn) return { status: 500, body: { type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null } };
			const end = Math.min(query.offset + query.limit, pages * perPage);
			const results = Array.from({ length: end - query.offset }, (_, index) => {
				const n = query.offset + index;
				const person = { id: `uuid-${n}`, distinct_ids: [`user-${n}`], properties: { email: `p${n}@x.io`, plan: 'pro' }, is_identified: true, created_at: '2024-01-01T00:00:00Z' };
				return insight ? [person, pages * perPage - n] : [person];
			});
			const columns = insight ? ['actor', 'event_count'] : ['person'];
			return { status: 200, body: { columns, results, hasMore: end < pages * perPage, limit: query.limit, offset: query.offset } };
		});
	}

	const run = async (pageSize: number) =>
		await runNode({
			parameters: { resource: 'person', operation: 'getAll', returnAll: true, output: 'csv', fileName: 'fs', options: { pageSize }, requestOptions: { maxRetries: 0, rateLimits: 'none' } },
			credentials: credentialsFor(server),
		});

	it('the file grows on disk page by page while the pages are requested; the item carries only its id', async () => {
		const sizesAtRequest: number[] = [];
		server = await queryServer(5, 200, () => sizesAtRequest.push(writtenSoFar()));
		const result = await run(200);
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		const binary = item.binary!.data;
		expect(binary.id).toMatch(/^filesystem(-v2)?:/);
		expect(binary.data).not.toContain('uuid-');
		const stored = await storedFile(binary);
		expect(stored.path && fs.existsSync(stored.path)).toBe(true);
		const { rows } = parseCsv(stored.buffer.toString('utf8'));
		expect(rows.map((row) => row.uuid)).toEqual(Array.from({ length: 1000 }, (_, n) => `uuid-${n}`));
		expect(item.json).toMatchObject({ rows: 1000, bytes: stored.buffer.length });
		// CSV output does not read ahead
		expectGrowingPageByPage(sizesAtRequest, 5);
	});

	it('the same for an Insight operation (Get Trends Persons): the file grows page by page', async () => {
		const sizesAtRequest: number[] = [];
		server = await queryServer(5, 200, () => sizesAtRequest.push(writtenSoFar()), undefined, true);
		const result = await runNode({
			parameters: trendsPersons({ returnAll: true, output: 'csv', options: { pageSize: 200 }, requestOptions: { maxRetries: 0, rateLimits: 'none' } }),
			credentials: credentialsFor(server),
		});
		const { item, stored, rows } = await storedCsv(result);
		expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 1000 }, (_, n) => `uuid-${n}`));
		expect(rows[0].event_count).toBe('1000');
		expect(item.json).toMatchObject({ rows: 1000, bytes: stored.buffer.length, shiftCheck: { shiftedPages: 0, recovered: 0, unproven: 0, rereads: 0 } });
		expectGrowingPageByPage(sizesAtRequest, 5);
	});

	/**
	 * Pages of 2000 persons (answers over 64 KB, split row by row): records `writtenSoFar()` when
	 * page 2 is asked for and when its last row is parsed (JSON.parse of that row alone).
	 */
	async function lastRowOfPage2(insight: boolean) {
		const at: { request?: number; lastRow?: number } = {};
		server = await queryServer(2, 2000, (page) => {
			if (page === 1) at.request = writtenSoFar();
		}, undefined, insight);
		const parse = JSON.parse;
		const spy = jest.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
			if (typeof text === 'string' && text.startsWith('[{"id":"uuid-3999"')) at.lastRow = writtenSoFar();
			return parse(text, reviver);
		});
		try {
			const parameters = { returnAll: true, output: 'csv', options: { pageSize: 2000 }, requestOptions: { maxRetries: 0, rateLimits: 'none' } };
			const result = await runNode({
				parameters: insight ? trendsPersons(parameters) : { resource: 'person', operation: 'getAll', fileName: 'fs', ...parameters },
				credentials: credentialsFor(server),
			});
			const { rows } = await storedCsv(result);
			expect(rows).toHaveLength(4000);
		} finally {
			spy.mockRestore();
		}
		return at;
	}

	it.each([
		['Get Many', false],
		['Get Trends Persons', true],
	])('%s: a page is converted row by row: its first rows are on disk before its last row is parsed', async (_name, insight) => {
		const at = await lastRowOfPage2(insight);
		expect(at.request).toBeGreaterThan(0);
		// more than page 1 is on disk when the last row of page 2 is parsed: 1984 of its rows (31 chunks of 64)
		expect(at.lastRow).toBeGreaterThan(at.request! + 100_000);
	});

	it('a large page with a row that is not JSON, found while the page is being written: the not-JSON error and no file', async () => {
		const before = filesUnder(storage).length;
		server = await scriptedServer((request) => {
			const { query } = JSON.parse(request.body) as { query: { offset: number; limit: number } };
			const rows = Array.from({ length: Math.min(query.limit, 4000 - query.offset) }, (_, index) => {
				const n = query.offset + index;
				// row 3500 breaks off inside its object; every other row is a person
				return n === 3500 ? '[{"id":"uuid-3500",}]' : JSON.stringify([{ id: `uuid-${n}`, distinct_ids: [`user-${n}`], properties: { email: `p${n}@x.io` }, created_at: '2024-01-01T00:00:00Z' }]);
			});
			const end = query.offset + rows.length;
			return { status: 200, headers: { 'content-type': 'application/json' }, body: `{"columns":["person"],"results":[${rows.join(',')}],"hasMore":${end < 4000},"limit":${query.limit},"offset":${query.offset}}` };
		});
		const result = await run(2000);
		expect(result.error?.message).toMatch(/not JSON/);
		expect(result.items).toEqual([]);
		expect(filesUnder(storage).filter((entry) => /\.tmp\./.test(entry.file))).toEqual([]);
		expect(filesUnder(storage)).toHaveLength(before);
	});

	it('a page that fails leaves the node error and no file', async () => {
		const before = filesUnder(storage).length;
		server = await queryServer(5, 100, () => undefined, 3);
		const result = await run(100);
		expect(result.error?.message).toMatch(/A server error occurred/);
		expect(result.items).toEqual([]);
		expect(filesUnder(storage).filter((entry) => /\.tmp\./.test(entry.file))).toEqual([]);
		expect(filesUnder(storage)).toHaveLength(before);
	});
});

describe('Get Activity as CSV, filesystem binary data', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	it('the file grows on disk page by page while the pages are requested', async () => {
		const sizesAtRequest: number[] = [];
		server = await scriptedServer((request) => {
			sizesAtRequest.push(writtenSoFar());
			const page = Number(new URL(request.url, 'http://x').searchParams.get('page') ?? 1);
			const results = Array.from({ length: 100 }, (_, index) => {
				const n = (page - 1) * 100 + index;
				return { id: `activity-${n}`, activity: 'updated', scope: 'Person', item_id: `uuid-${n}`, created_at: '2024-01-01T00:00:00Z', detail: { name: `p${n}@x.io` } };
			});
			const next = page < 4 ? `${server.url}/api/projects/7/persons/activity/?page=${page + 1}&limit=100` : null;
			return { status: 200, body: { results, next } };
		});
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getActivity', activityOf: 'all', returnAll: true, output: 'csv', requestOptions: { maxRetries: 0, rateLimits: 'none' } },
			credentials: credentialsFor(server),
		});
		const { item, stored, rows } = await storedCsv(result);
		expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 400 }, (_, n) => `activity-${n}`));
		expect(item.json).toMatchObject({ rows: 400, bytes: stored.buffer.length });
		expectGrowingPageByPage(sizesAtRequest, 4);
	});
});
