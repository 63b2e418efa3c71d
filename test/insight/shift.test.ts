/**
 * The Insight operations while persons leave the data point between pages (their events deleted,
 * or they converted out of a funnel drop-off): the shift check, as for Get Many. The sandbox's
 * events are changed right after it answered a given query page, before the node asks for the
 * next one.
 */
import type { IDataObject } from 'n8n-workflow';

import { binaryText } from '../harness/engine';
import { parseCsv } from '../helpers/csv';
import { useSandbox } from '../helpers/sandbox';
import { hintsOf, lostAndDoubled } from '../export/util';
import { NOW, ids, insightNamed, queryBodies, runInsight } from './setup';

const getSandbox = useSandbox({ now: NOW, persons: 1500, rateLimits: false });

/** Daily pageviews on one day, persons ordered by event count (each test takes some of them out). */
const trends = (extra: IDataObject = {}): IDataObject => ({
	insightSource: 'saved',
	insightId: insightNamed(getSandbox(), 'Daily pageviews').short_id,
	series: '1',
	day: '2024-02-20',
	...extra,
});

/** Runs `change` right after the sandbox answered the query with this index (0 = the first page), before the answer leaves. */
function afterQuery(index: number, change: () => void): void {
	const requests = getSandbox().requests;
	const push = requests.push.bind(requests);
	let queries = 0;
	requests.push = (...entries) => {
		for (const entry of entries) if (entry.method === 'POST' && /\/query\/$/.test(entry.path) && queries++ === index) change();
		return push(...entries);
	};
}

/** Takes the persons out of the data point by deleting their events. */
const leave = (uuids: string[]) => expect(getSandbox().store.removeEventsOfPersons(new Set(uuids))).toBeGreaterThan(0);

/** [offset, limit] of every query the node sent. */
const ranges = () => queryBodies(getSandbox()).map((body) => [(body.query as IDataObject).offset, (body.query as IDataObject).limit]);

describe('Insight operations: persons leaving the data point between pages', () => {
	let order: string[];
	beforeEach(async () => {
		const all = await runInsight(getSandbox(), 'trends', trends());
		order = ids(all.items);
		expect(order.length).toBeGreaterThan(30);
		getSandbox().clearRequests();
	});

	it('persons before the page boundary leave: the persons that slid onto the page already read are found again (items)', async () => {
		const left = [order[1], order[2], order[3]];
		afterQuery(0, () => leave(left));
		const result = await runInsight(getSandbox(), 'trends', trends({ options: { pageSize: 5 } }));
		expect(result.error).toBeUndefined();
		const got = ids(result.items);
		const stayed = order.filter((uuid) => !left.includes(uuid));
		expect(lostAndDoubled(stayed, got)).toMatchObject({ lost: [], doubled: [] });
		// the three that slid from the second page onto the first come right after it, in PostHog's order
		expect(got.slice(5, 8)).toEqual([order[5], order[6], order[7]]);
		// page 2, asked from one row earlier, started with a person not output yet: one re-read of [0, 5)
		// (beside the pages: [0, 5], then [4, 6], [9, 6], …)
		expect(ranges().filter(([offset]) => offset === 0)).toEqual([
			[0, 5],
			[0, 5],
		]);
		expect(hintsOf(result)).toEqual([]);
	});

	it('the CSV file has every person once and says what the shift check did', async () => {
		const left = [order[0], order[4]];
		afterQuery(0, () => leave(left));
		const result = await runInsight(getSandbox(), 'trends', trends({ output: 'csv', options: { pageSize: 5 } }));
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		const got = parseCsv(binaryText(item)).rows.map((row) => row.id);
		expect(lostAndDoubled(order.filter((uuid) => !left.includes(uuid)), got)).toMatchObject({ lost: [], doubled: [] });
		expect(item.json.shiftCheck).toEqual({ shiftedPages: 1, recovered: 2, unproven: 0, rereads: 1 });
	});

	it('more persons leave than a re-read can cover: a warning says persons may be missing', async () => {
		// after the second page, everyone output so far leaves: the third page starts 10 rows further on
		afterQuery(1, () => leave(order.slice(0, 10)));
		const result = await runInsight(getSandbox(), 'trends', trends({ options: { pageSize: 5 } }));
		expect(result.error).toBeUndefined();
		const got = ids(result.items);
		expect(new Set(got).size).toBe(got.length);
		// the re-read [5, 10) finds the five that were at 15-19; those at 10-14 are now before it
		expect(got.slice(10, 15)).toEqual(order.slice(15, 20));
		expect(got).not.toContain(order[10]);
		expect(hintsOf(result).map((hint) => hint.message)).toEqual([expect.stringMatching(/^Persons left this data point while the node paged .* 1 of them could not be proven complete after 4 re-reads each, so persons may be missing\. 5 person\(s\) were found again/)]);
	});

	it('nobody leaves: pages overlap by one row and nothing is re-read', async () => {
		const result = await runInsight(getSandbox(), 'trends', trends({ options: { pageSize: 5 } }));
		expect(ids(result.items)).toEqual(order);
		const asked = ranges();
		expect(asked).toEqual(asked.map((_range, index) => (index === 0 ? [0, 5] : [index * 5 - 1, 6])));
	});
});
