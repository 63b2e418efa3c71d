/**
 * Bulk deletion at PostHog's limits with faults: every ID deleted exactly once, every input
 * item accounted for with a receipt, delete requests = calls + retries. (Full size runs in `npm run bench`.)
 */

import { startSandbox, type Sandbox } from '../../sandbox';
import { pickDistinctIds, runAgainst } from '../helpers/sandbox';

const ITEMS = 6000;
const IDS_PER_CALL = 100;

const bulkDeleteCalls = (sandbox: Sandbox) => sandbox.requests.filter((entry) => entry.path.includes('bulk_delete'));

describe('bulk delete across items under faults', () => {
	let sandbox: Sandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ port: 0, persons: ITEMS + 500, eventsPerPerson: 0, quiet: true });
	});
	afterEach(async () => sandbox.stop());

	test('10% 429, 5% 5xx, 2% connection resets: nothing lost, nothing doubled, every item accounted for', async () => {
		const targets = pickDistinctIds(sandbox, ITEMS);
		sandbox.setFaults({
			rate429: 0.1,
			retryAfterSeconds: 0,
			rate5xx: 0.05,
			resetRate: 0.01,
			resetAfterProcessingRate: 0.01,
			paths: 'bulk_delete',
			seed: 7,
		});
		const result = await runAgainst(
			sandbox,
			{
				resource: 'person',
				operation: 'bulkDelete',
				deleteBy: 'distinct_ids',
				ids: '={{ $json.distinct_id }}',
				deleteEvents: true,
				options: { batchSize: IDS_PER_CALL },
				requestOptions: { maxRetries: 10, retryDelayMs: 1, maxWaitSeconds: 120, rateLimits: 'cloud' },
			},
			{ input: targets.map((target) => ({ distinct_id: target.distinctId })) },
		);
		expect(result.error).toBeUndefined();

		// every input item has exactly one receipt, paired to it, carrying its own ID
		expect(result.items).toHaveLength(ITEMS);
		result.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.id).toBe(targets[index].distinctId);
			expect(item.json.personUuid).toBe(targets[index].uuid);
			expect(item.json.outcome).toBe('deleted');
		});

		// the sandbox: every person deleted exactly once, nobody else touched
		for (const target of targets) {
			expect(sandbox.store.findByDistinctId(target.distinctId)).toBeUndefined();
			expect(sandbox.store.deletionCounts.get(target.uuid)).toBe(1);
		}
		expect(sandbox.store.personsByUuid.size).toBe(500);

		// requests = one call per 100 persons + one per failed attempt
		const calls = bulkDeleteCalls(sandbox);
		const faulted = calls.filter((entry) => entry.fault).length;
		const expectedCalls = Math.ceil(ITEMS / IDS_PER_CALL);
		expect(faulted).toBeGreaterThan(0);
		expect(calls.filter((entry) => !entry.fault && entry.status === 202)).toHaveLength(expectedCalls);
		expect(Math.abs(calls.length - (expectedCalls + faulted))).toBeLessThanOrEqual(0.05 * (expectedCalls + faulted));
		// calls retried after PostHog had already processed an attempt: their persons were looked up again
		const retriedAfterProcessing = calls.filter((entry) => entry.fault === 'reset_after_processing').length;
		if (retriedAfterProcessing > 0) {
			expect(result.items.filter((item) => /no longer exists/.test(String(item.json.reason))).length).toBeGreaterThan(0);
		}
	});

	test('a call that still fails is "failed" on exactly the IDs it carried; the rest goes on', async () => {
		const targets = pickDistinctIds(sandbox, 1000);
		sandbox.setFaults({ rate5xx: 0.3, paths: 'bulk_delete', seed: 3 });
		const result = await runAgainst(
			sandbox,
			{
				resource: 'person',
				operation: 'bulkDelete',
				ids: '={{ $json.distinct_id }}',
				options: { batchSize: IDS_PER_CALL },
				requestOptions: { maxRetries: 0, retryDelayMs: 1, rateLimits: 'none' },
			},
			{ input: targets.map((target) => ({ distinct_id: target.distinctId })), continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1000);

		const failedUuids = new Set(
			bulkDeleteCalls(sandbox)
				.filter((entry) => entry.status >= 500)
				.flatMap((entry) => (entry.body as { ids: string[] }).ids),
		);
		expect(failedUuids.size).toBeGreaterThan(0);
		expect(failedUuids.size).toBeLessThan(1000);
		result.items.forEach((item, index) => {
			const target = targets[index];
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.id).toBe(target.distinctId);
			if (failedUuids.has(target.uuid)) {
				expect(item.json.outcome).toBe('failed');
				expect(item.json.reason).toMatch(/^PostHog 50\d/);
				expect(sandbox.store.findByDistinctId(target.distinctId)).toBeDefined();
			} else {
				expect(item.json.outcome).toBe('deleted');
				expect(sandbox.store.findByDistinctId(target.distinctId)).toBeUndefined();
			}
		});
	});

	test('more than 1000 IDs in one item are deleted in calls of 1000 person UUIDs, sent as JSON bodies', async () => {
		const targets = pickDistinctIds(sandbox, 2500);
		const result = await runAgainst(sandbox, {
			resource: 'person',
			operation: 'bulkDelete',
			ids: targets.map((target) => target.distinctId).join('\n'),
			requestOptions: { rateLimits: 'none' },
		});
		expect(result.error).toBeUndefined();
		const calls = bulkDeleteCalls(sandbox);
		expect(calls.map((entry) => (entry.body as { ids: string[] }).ids.length)).toEqual([1000, 1000, 500]);
		for (const entry of calls) {
			expect(entry.method).toBe('POST');
			expect(entry.contentType).toMatch(/application\/json/);
			expect(entry.query).toEqual({});
		}
		expect(result.items).toHaveLength(2500);
		expect(result.items.every((item) => item.json.outcome === 'deleted' && (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(sandbox.store.personsByUuid.size).toBe(ITEMS + 500 - 2500);
	});
});
