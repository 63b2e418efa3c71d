import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getRequestSettings } from '../transport';
import { errorItem, runPool, withItemIndex } from './items';

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

export interface BatchedOperation<E extends ItemIds, R> {
	/** Reads and validates one input item; throws (NodeOperationError) on bad input. */
	read: (itemIndex: number) => E;
	/** IDs per call. */
	batchSize: number;
	/** Sends one call. */
	send: (batch: Batch) => Promise<R>;
	/** Names the operation in error messages, e.g. "Bulk delete". */
	label: string;
	/** Output items of an input item whose calls all succeeded. */
	emit: (entry: E, outcomes: Array<BatchOutcome<R>>, calls: number) => Promise<INodeExecutionData[]>;
	/** Extra fields for the error item of an input item with a failed call. */
	errorJson?: (entry: E, outcomes: Array<BatchOutcome<R>>, calls: number) => IDataObject;
}

/**
 * Runs an operation that batches IDs across input items:
 * 1. every item is read and validated before anything is sent (bad input: an error with the
 *    item index; with Continue On Fail an error item for that item only);
 * 2. the IDs are planned into calls (`planBatches`) and sent (`runBatches`);
 * 3. every item gets its own outcome from the calls that carried its IDs: a call that failed
 *    after retries is an error on exactly the items it carried, everything else goes on.
 *    Without Continue On Fail the first such error is thrown after all calls were made.
 */
export async function runBatchedOperation<E extends ItemIds, R>(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	operation: BatchedOperation<E, R>,
): Promise<INodeExecutionData[]> {
	const continueOnFail = ctx.continueOnFail();
	const entries: E[] = [];
	const results: INodeExecutionData[][] = items.map(() => []);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			entries.push(operation.read(itemIndex));
		} catch (error) {
			const wrapped = withItemIndex(ctx, error, itemIndex);
			if (!continueOnFail) throw wrapped;
			results[itemIndex] = [errorItem(wrapped, { item: itemIndex })];
		}
	}

	const batches = planBatches(entries, operation.batchSize);
	const outcomes = await runBatches(ctx, batches, operation.send);
	const outcomesByItem = new Map<number, Array<BatchOutcome<R>>>();
	for (const outcome of outcomes) {
		for (const itemIndex of outcome.batch.itemIndexes) {
			const list = outcomesByItem.get(itemIndex) ?? [];
			list.push(outcome);
			outcomesByItem.set(itemIndex, list);
		}
	}

	let firstFailure: Error | undefined;
	for (const entry of entries) {
		const mine = outcomesByItem.get(entry.itemIndex) ?? [];
		const failed = mine.filter((outcome) => outcome.error);
		if (failed.length === 0) {
			results[entry.itemIndex] = await operation.emit(entry, mine, batches.length);
			continue;
		}
		const failedIds = entry.ids.filter((id) => failed.some((outcome) => outcome.batch.ids.includes(id)));
		const cause = failed[0].error as NodeOperationError;
		const shown = `${failedIds.slice(0, 20).join(', ')}${failedIds.length > 20 ? ', …' : ''}`;
		const error = new NodeOperationError(
			ctx.getNode(),
			`${operation.label} failed for ${failedIds.length} of ${entry.ids.length} IDs of this item: ${cause.message}`,
			{
				itemIndex: entry.itemIndex,
				description: `${failed.length} of ${batches.length} calls failed after retries; the other calls were sent and are reported on their items. Failed IDs: ${shown}. ${cause.description ?? ''}`.trim(),
			},
		);
		if (!continueOnFail) {
			firstFailure = firstFailure ?? error;
			continue;
		}
		const item = errorItem(error, { item: entry.itemIndex });
		const httpCode = (cause as { httpCode?: string | null }).httpCode;
		item.json = { ...(operation.errorJson?.(entry, mine, batches.length) ?? {}), ...item.json, ...(httpCode ? { httpCode } : {}), failedIds };
		results[entry.itemIndex] = [item];
	}
	if (firstFailure) throw firstFailure;
	return results.flat();
}
