/** Bulk Delete of N distinct IDs arriving as N input items, fault-free and under injected faults. */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox } from '../../sandbox';
import { runNode } from '../../test/harness/engine';
import { pickDistinctIds, sandboxCredentials } from '../../test/helpers/sandbox';
import { SIZES, log, seconds, type Benchmark } from './common';

interface DeleteRun {
	ids: number;
	items: number;
	requests: number;
	retries: number;
	expectedRequests: number;
	lost: number;
	doubled: number;
	unaccounted: number;
	ms: number;
}

/** N distinct IDs as N input items through Bulk Delete; counts what the sandbox saw and holds. */
async function bulkDeleteRun(faults: IDataObject | undefined): Promise<DeleteRun> {
	const ids = SIZES.deleteIds;
	const sandbox = await startSandbox({ port: 0, persons: ids + 1000, eventsPerPerson: 0, quiet: true });
	try {
		const targets = pickDistinctIds(sandbox, ids);
		if (faults) sandbox.setFaults({ ...faults, paths: 'bulk_delete', seed: 11 });
		const started = Date.now();
		const result = await runNode({
			parameters: {
				resource: 'person',
				operation: 'bulkDelete',
				deleteBy: 'distinct_ids',
				idsFrom: 'field',
				idField: 'distinct_id',
				deleteEvents: true,
				requestOptions: { rateLimits: 'cloud', maxRetries: 10, retryDelayMs: 100, maxWaitSeconds: 600 },
			},
			credentials: sandboxCredentials(sandbox),
			input: targets.map((target) => ({ distinct_id: target.distinctId })),
		});
		const ms = Date.now() - started;
		if (result.error) throw result.error;
		const calls = sandbox.requests.filter((entry) => entry.path.includes('bulk_delete'));
		const retries = calls.filter((entry) => entry.fault).length;
		let lost = 0;
		let doubled = 0;
		for (const target of targets) {
			if (sandbox.store.findByDistinctId(target.distinctId)) lost++;
			if ((sandbox.store.deletionCounts.get(target.uuid) ?? 0) > 1) doubled++;
		}
		const unaccounted = targets.filter(
			(target, index) =>
				result.items[index]?.json.status !== 'accepted' ||
				(result.items[index].pairedItem as { item?: number } | undefined)?.item !== index ||
				(result.items[index].json.ids as string[])?.[0] !== target.distinctId,
		).length;
		return {
			ids,
			items: result.items.length,
			requests: calls.length,
			retries,
			expectedRequests: Math.ceil(ids / 1000) + retries,
			lost,
			doubled,
			unaccounted,
			ms,
		};
	} finally {
		await sandbox.stop();
	}
}

export const bulkDeleteBenchmark: Benchmark = {
	key: 'bulkDelete',
	title: 'bulk delete, fault-free and with faults',
	async run() {
		const clean = await bulkDeleteRun(undefined);
		log(`  ${clean.ids} IDs in ${clean.requests} requests, ${seconds(clean.ms)}`);
		log('  with 10% 429, 5% 5xx, 2% connection resets …');
		const chaos = await bulkDeleteRun({ rate429: 0.1, retryAfterSeconds: 1, rate5xx: 0.05, resetRate: 0.01, resetAfterProcessingRate: 0.01 });
		log(`  ${chaos.ids} IDs in ${chaos.requests} requests (${chaos.retries} retries), ${seconds(chaos.ms)}`);
		return {
			results: {
				bulkDelete: {
					ids: clean.ids,
					items: clean.items,
					requests: clean.requests,
					expectedRequests: Math.ceil(clean.ids / 1000),
					lost: clean.lost,
					doubled: clean.doubled,
					unaccountedItems: clean.unaccounted,
					ms: clean.ms,
				},
				bulkDeleteChaos: {
					faults: '10% 429 (Retry-After 1 s), 5% 5xx, 1% reset before processing, 1% reset after processing',
					ids: chaos.ids,
					items: chaos.items,
					requests: chaos.requests,
					retries: chaos.retries,
					expectedRequests: chaos.expectedRequests,
					lost: chaos.lost,
					doubled: chaos.doubled,
					unaccountedItems: chaos.unaccounted,
					ms: chaos.ms,
				},
			},
			table: [
				['bulk delete', `${clean.ids} IDs as ${clean.items} items`, `${clean.requests} requests (ceil(N/1000) = ${Math.ceil(clean.ids / 1000)}), lost ${clean.lost}, doubled ${clean.doubled}`],
				['bulk delete, chaos', `${chaos.ids} IDs`, `${chaos.requests} requests = ${Math.ceil(chaos.ids / 1000)} + ${chaos.retries} retries, lost ${chaos.lost}, doubled ${chaos.doubled}, unaccounted items ${chaos.unaccounted}`],
			],
		};
	},
};
