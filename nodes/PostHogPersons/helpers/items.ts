import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { getRequestSettings } from '../transport';

/** Output item for a failed input item (Continue On Fail): the error, paired to its input. */
export function errorItem(error: Error, pairedItem: IPairedItemData | IPairedItemData[]): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	const description = (error as NodeApiError).description;
	if (description) json.errorDescription = description;
	const httpCode = (error as NodeApiError).httpCode;
	if (httpCode) json.httpCode = httpCode;
	return { json, pairedItem };
}

/** Makes sure an error names the item it belongs to; wraps plain errors into NodeOperationError. */
export function withItemIndex(ctx: IExecuteFunctions, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/**
 * Runs `task(0..count-1)` with at most `concurrency` tasks in flight. Tasks are started in
 * index order; `shouldStop` is checked before each new start.
 */
export async function runPool(
	count: number,
	concurrency: number,
	task: (index: number) => Promise<void>,
	shouldStop: () => boolean = () => false,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < count && !shouldStop()) {
			const index = next++;
			await task(index);
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}

/**
 * Runs `fn` for every input item, at most "Concurrency" at a time (Request Options), and
 * returns the outputs in input order. With Continue On Fail a failing item yields one error
 * item paired to it and the others go on; otherwise the first failure (in item order) is
 * thrown once the items in flight have finished.
 */
export async function forEachItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	fn: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const { concurrency } = await getRequestSettings.call(this);
	const results: INodeExecutionData[][] = new Array(items.length);
	const continueOnFail = this.continueOnFail();
	let firstError: { index: number; error: Error } | undefined;
	await runPool(
		items.length,
		concurrency,
		async (index) => {
			try {
				results[index] = await fn(index);
			} catch (error) {
				const wrapped = withItemIndex(this, error, index);
				if (continueOnFail) {
					results[index] = [errorItem(wrapped, { item: index })];
				} else if (!firstError || index < firstError.index) {
					firstError = { index, error: wrapped };
				}
			}
		},
		() => firstError !== undefined,
	);
	if (firstError) throw firstError.error;
	return results.flat();
}

/**
 * Wraps JSON records as output items paired to one input item (one pass: listing 100,000
 * persons should not cost a copy per step).
 */
export function recordItems(records: IDataObject | IDataObject[], itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(records) ? records : [records];
	const items = new Array<INodeExecutionData>(list.length);
	for (let index = 0; index < list.length; index++) {
		items[index] = { json: list[index], pairedItem: { item: itemIndex } };
	}
	return items;
}
