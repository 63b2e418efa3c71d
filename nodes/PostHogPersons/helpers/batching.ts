import type { IExecuteFunctions } from 'n8n-workflow';

import { getRequestSettings } from '../transport';
import { runPool } from './items';

/**
 * Calls that carry many IDs (bulk_delete: up to 1000): IDs are grouped (same endpoint and flags),
 * de-duplicated within a group, split into calls of at most `batchSize` and sent "Concurrency"
 * calls at a time. A failed call is recorded with its error; the other calls go on.
 */

export interface Batch {
	/** 1-based number of the call, in sending order. */
	number: number;
	group: string;
	ids: string[];
}

export function planBatches(entries: Array<{ group: string; ids: string[] }>, batchSize: number): Batch[] {
	const groups = new Map<string, Set<string>>();
	for (const entry of entries) {
		let ids = groups.get(entry.group);
		if (!ids) {
			ids = new Set();
			groups.set(entry.group, ids);
		}
		for (const id of entry.ids) ids.add(id);
	}
	const batches: Batch[] = [];
	for (const [group, unique] of groups) {
		const ids = [...unique];
		for (let start = 0; start < ids.length; start += batchSize) {
			batches.push({ number: batches.length + 1, group, ids: ids.slice(start, start + batchSize) });
		}
	}
	return batches;
}

export interface BatchOutcome<R> {
	batch: Batch;
	result?: R;
	error?: Error;
}

export async function runBatches<R>(
	ctx: IExecuteFunctions,
	batches: Batch[],
	send: (batch: Batch) => Promise<R>,
): Promise<Array<BatchOutcome<R>>> {
	const { concurrency } = await getRequestSettings.call(ctx);
	const outcomes: Array<BatchOutcome<R>> = new Array(batches.length);
	await runPool(batches.length, concurrency, async (index) => {
		const batch = batches[index];
		try {
			outcomes[index] = { batch, result: await send(batch) };
		} catch (error) {
			outcomes[index] = { batch, error: error as Error };
		}
	});
	return outcomes;
}
