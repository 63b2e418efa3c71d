import type { IExecuteFunctions } from 'n8n-workflow';

import { getRequestSettings } from '../transport';
import { runPool } from './items';

/**
 * Cross-item batching for endpoints that take many IDs per call (bulk_delete: 1000,
 * batch_by_distinct_ids / batch_by_uuids: 200): the IDs of all input items are collected,
 * de-duplicated within a group (same endpoint and flags), split into calls of at most
 * `batchSize`, and every call remembers which input items it carries.
 */

export interface ItemIds {
	itemIndex: number;
	/** Items are only batched together when their group keys are equal (e.g. same flags). */
	group: string;
	ids: string[];
}

export interface Batch {
	/** 1-based number of the call, in sending order. */
	number: number;
	group: string;
	ids: string[];
	/** Input items whose IDs are (partly) in this call. */
	itemIndexes: number[];
}

export function planBatches(entries: ItemIds[], batchSize: number): Batch[] {
	const groups = new Map<string, Map<string, Set<number>>>();
	for (const entry of entries) {
		let owners = groups.get(entry.group);
		if (!owners) {
			owners = new Map();
			groups.set(entry.group, owners);
		}
		for (const id of entry.ids) {
			let items = owners.get(id);
			if (!items) {
				items = new Set();
				owners.set(id, items);
			}
			items.add(entry.itemIndex);
		}
	}
	const batches: Batch[] = [];
	for (const [group, owners] of groups) {
		const ids = [...owners.keys()];
		for (let start = 0; start < ids.length; start += batchSize) {
			const chunk = ids.slice(start, start + batchSize);
			const itemIndexes = new Set<number>();
			for (const id of chunk) for (const index of owners.get(id) ?? []) itemIndexes.add(index);
			batches.push({
				number: batches.length + 1,
				group,
				ids: chunk,
				itemIndexes: [...itemIndexes].sort((a, b) => a - b),
			});
		}
	}
	return batches;
}

export interface BatchOutcome<R> {
	batch: Batch;
	result?: R;
	error?: Error;
}

/**
 * Sends every batch (at most "Concurrency" at a time). A call that fails, after the
 * transport's retries, is recorded with its error; the other calls go on.
 */
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
