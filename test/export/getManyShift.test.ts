/**
 * Get Many through the Query API while persons are deleted or created between its pages (GDPR
 * deletions during a scheduled export): the shift check. The sandbox's store is changed right
 * after it answered a given query page, before the node can ask for the next one.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import { runAgainst } from '../helpers/sandbox';
import { allPersons, csvOf, hintsOf, listOrder, lostAndDoubled, uuidsOf } from './util';

let sandbox: Sandbox;
afterEach(async () => sandbox?.stop());

async function start(persons: number): Promise<string[]> {
	sandbox = await startSandbox({ port: 0, persons, eventsPerPerson: 0, rateLimits: false, quiet: true });
	return listOrder(allPersons(sandbox));
}

/** Runs `change` right after the sandbox answered the query with this index (0 = the first page), before the answer leaves. */
function afterQuery(index: number, change: () => void): void {
	const requests = sandbox.requests;
	const push = requests.push.bind(requests);
	let queries = 0;
	requests.push = (...entries) => {
		for (const entry of entries) if (entry.method === 'POST' && /\/query\/$/.test(entry.path) && queries++ === index) change();
		return push(...entries);
	};
}

const deleteAll = (uuids: string[]) => uuids.forEach((uuid) => expect(sandbox.store.deletePerson(uuid)).toBe(true));

/** [offset, limit] of every query the node sent (all valid: the sandbox checks each body against PostHog's schema). */
function pagesAsked(): number[][] {
	const queries = sandbox.requests.filter((entry) => entry.method === 'POST' && /\/query\/$/.test(entry.path));
	expect(queries.every((entry) => entry.status === 200)).toBe(true);
	return queries.map((entry) => {
		const { query } = entry.body as { query: IDataObject };
		return [query.offset as number, query.limit as number];
	});
}

const getMany = (pageSize: number, extra: IDataObject = {}) => ({ resource: 'person', operation: 'getAll', returnAll: true, options: { pageSize }, ...extra });
const warnings = (result: Parameters<typeof hintsOf>[0]) => hintsOf(result).filter((hint) => hint.type === 'warning');

/** Every person that existed throughout is output once; the deleted ones at most once. */
function expectEveryoneOnce(order: string[], deleted: string[], got: string[]) {
	const survivors = order.filter((uuid) => !deleted.includes(uuid));
	const { lost, doubled, extra } = lostAndDoubled(survivors, got);
	expect({ lost, doubled }).toEqual({ lost: [], doubled: [] });
	expect(extra.every((uuid) => deleted.includes(uuid))).toBe(true);
}

describe('Get Many (Query API): persons deleted between pages', () => {
	it('persons deleted before the page boundary: the persons that slid onto the page already read are output (PostHog order kept)', async () => {
		const order = await start(100);
		const deleted = [order[2], order[4], order[6]];
		afterQuery(0, () => deleteAll(deleted));
		const result = await runAgainst(sandbox, getMany(10));
		expect(result.error).toBeUndefined();
		const got = uuidsOf(result.items);
		expectEveryoneOnce(order, deleted, got);
		// the deleted persons were output on the first page, before they were deleted; order unchanged
		expect(got).toEqual(order);
		// page 2 from offset 9 (the overlap row), whose first row was new: one re-read of [0, 10) (it reaches offset 0),
		// asked after page 3, which the node reads ahead (item output) while it handles page 2
		expect(pagesAsked()).toEqual([[0, 10], [9, 11], [19, 11], [0, 10], [29, 11], [39, 11], [49, 11], [59, 11], [69, 11], [79, 11], [89, 11]]);
		expect(warnings(result)).toEqual([]);
	});

	it('the last person of the previous page deleted: its successor is found again', async () => {
		const order = await start(100);
		afterQuery(0, () => deleteAll([order[9]]));
		const result = await runAgainst(sandbox, getMany(10));
		expectEveryoneOnce(order, [order[9]], uuidsOf(result.items));
		expect(uuidsOf(result.items).slice(0, 12)).toEqual(order.slice(0, 12));
		expect(pagesAsked().slice(0, 4)).toEqual([[0, 10], [9, 11], [19, 11], [0, 10]]);
	});

	it('more deletions than the first re-read window: the window grows (16, then 64 rows)', async () => {
		const order = await start(300);
		const deleted = order.slice(50, 80);
		afterQuery(0, () => deleteAll(deleted));
		const result = await runAgainst(sandbox, getMany(100, { output: 'csv' }));
		expect(result.error).toBeUndefined();
		expectEveryoneOnce(order, deleted, csvOf(result.items[0]).rows.map((row) => row.uuid));
		// [84, 100) holds only persons not output yet; [36, 100) reaches the last one output (original position 99)
		expect(pagesAsked()).toEqual([[0, 100], [99, 101], [84, 16], [36, 64], [199, 101]]);
		expect(result.items[0].json).toMatchObject({
			rows: 300,
			listedThrough: 'query',
			shiftCheck: { shiftedPages: 1, recovered: 30, unproven: 0, rereads: 2 },
		});
		expect(warnings(result)).toEqual([]);
	});

	it('more deletions than a page: after the last window it moves on, outputs what it found and warns (items and CSV)', async () => {
		let order = await start(200);
		// after page 2 (persons 0–39 output), 30 of them are deleted: the next page starts 30 rows later than it should
		let deleted = order.slice(10, 40);
		afterQuery(1, () => deleteAll(deleted));
		const result = await runAgainst(sandbox, getMany(20));
		expect(result.error).toBeUndefined();
		const got = uuidsOf(result.items);
		// the windows [24, 40) and [20, 40) hold persons 54–69 and 50–69 (output), not 40–49: those are the unproven loss
		expect(lostAndDoubled(order.filter((uuid) => !deleted.includes(uuid)), got)).toMatchObject({ lost: order.slice(40, 50), doubled: [] });
		expect(pagesAsked().slice(0, 6)).toEqual([[0, 20], [19, 21], [39, 21], [59, 21], [24, 16], [20, 20]]);
		const [warning] = warnings(result);
		expect(warning.message).toMatch(/deleted or merged while the node paged .* 1 page\(s\) started after persons not yet output, and 1 of them could not be proven complete after 4 re-reads each, so persons may be missing\. 20 person\(s\) were found again/);

		await sandbox.stop();
		order = await start(200);
		deleted = order.slice(10, 40);
		afterQuery(1, () => deleteAll(deleted));
		const csv = await runAgainst(sandbox, getMany(20, { output: 'csv' }));
		expect(csv.items[0].json).toMatchObject({ rows: 190, listedThrough: 'query', shiftCheck: { shiftedPages: 1, recovered: 20, unproven: 1, rereads: 2 } });
		expect(warnings(csv)).toHaveLength(1);
	});

	it('Limit: never more persons than asked, also when re-read persons come first', async () => {
		const order = await start(100);
		const deleted = [order[2], order[4], order[6]];
		afterQuery(0, () => deleteAll(deleted));
		const result = await runAgainst(sandbox, { resource: 'person', operation: 'getAll', limit: 15, options: { pageSize: 10 } });
		expect(uuidsOf(result.items)).toEqual(order.slice(0, 15));
		// the second page asks for the 5 persons left (+ the overlap row); the 3 found again come first
		expect(pagesAsked()).toEqual([[0, 10], [9, 6], [0, 10]]);
	});
});

describe('Get Many (Query API): persons created between pages', () => {
	it('rows move down: every person once, no re-read, no warning', async () => {
		const order = await start(100);
		const created: string[] = [];
		for (const index of [0, 1, 2]) afterQuery(index, () => created.push(sandbox.store.createPerson({ distinctIds: [`new-${index}`] }).uuid));
		const result = await runAgainst(sandbox, getMany(10, { output: 'csv' }));
		expect(result.error).toBeUndefined();
		const got = csvOf(result.items[0]).rows.map((row) => row.uuid);
		const { lost, doubled, extra } = lostAndDoubled(order, got);
		expect({ lost, doubled }).toEqual({ lost: [], doubled: [] });
		expect(extra.every((uuid) => created.includes(uuid))).toBe(true);
		// the new persons are listed first: each later page repeats rows already output, the overlap row is one of them
		expect(pagesAsked()).toEqual([[0, 10], [9, 11], [19, 11], [29, 11], [39, 11], [49, 11], [59, 11], [69, 11], [79, 11], [89, 11], [99, 11]]);
		expect(result.items[0].json).toMatchObject({ shiftCheck: { shiftedPages: 0, recovered: 0, unproven: 0, rereads: 0 } });
		expect(warnings(result)).toEqual([]);
	});

	it('Limit without changes: the pages after the first ask one row more, the output is exactly the first persons', async () => {
		const order = await start(100);
		const result = await runAgainst(sandbox, { resource: 'person', operation: 'getAll', limit: 25, options: { pageSize: 10 } });
		expect(uuidsOf(result.items)).toEqual(order.slice(0, 25));
		expect(pagesAsked()).toEqual([[0, 10], [9, 11], [19, 6]]);
	});
});
