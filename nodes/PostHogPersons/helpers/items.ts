import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { getRequestSettings } from '../transport';

/**
 * Whether the node's setting is "On Error → Continue (using error output)". n8n then sends an item
 * to the error output when its JSON has `error` and no keys other than `error`, `message` and
 * `details` (it merges the input item's fields in). An item's own `error` property would route it
 * too, but n8n 2.x then replaces the item's JSON with just the message, so it is not used.
 */
export function usesErrorOutput(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().onError === 'continueErrorOutput';
}

/**
 * Output item for a failed input item (Continue On Fail), paired to its input: `{error,
 * errorDescription, httpCode, ...extra}`, or on the error output `{error, details: {...}}`.
 */
export function errorItem(
	error: Error,
	pairedItem: IPairedItemData | IPairedItemData[],
	options: { errorOutput?: boolean; extra?: IDataObject } = {},
): INodeExecutionData {
	const info: IDataObject = {};
	const description = (error as NodeApiError).description;
	if (description) info.errorDescription = description;
	const httpCode = (error as NodeApiError).httpCode;
	if (httpCode) info.httpCode = httpCode;
	Object.assign(info, options.extra ?? {});
	const json: IDataObject = options.errorOutput ? { error: error.message, details: info } : { error: error.message, ...info };
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
 * Runs `fn` for the given input items, at most "Concurrency" at a time (Request Options), and
 * stores the outputs in `results`. With Continue On Fail a failing item yields one error item
 * paired to it and the others go on; otherwise no new item is started after a failure and the
 * first failure (in item order) is thrown once the items in flight have finished.
 */
export async function runItems(
	ctx: IExecuteFunctions,
	indexes: number[],
	results: INodeExecutionData[][],
	fn: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<void> {
	const { concurrency } = await getRequestSettings.call(ctx);
	const continueOnFail = ctx.continueOnFail();
	let firstError: { index: number; error: Error } | undefined;
	await runPool(
		indexes.length,
		concurrency,
		async (position) => {
			const index = indexes[position];
			try {
				results[index] = await fn(index);
			} catch (error) {
				const wrapped = withItemIndex(ctx, error, index);
				if (continueOnFail) {
					results[index] = [errorItem(wrapped, { item: index }, { errorOutput: usesErrorOutput(ctx) })];
				} else if (!firstError || index < firstError.index) {
					firstError = { index, error: wrapped };
				}
			}
		},
		() => firstError !== undefined,
	);
	if (firstError) throw firstError.error;
}

/** Runs `fn` for every input item (see `runItems`) and returns the outputs in input order. */
export async function forEachItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	fn: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[][] = new Array(items.length);
	await runItems(
		this,
		items.map((_item, index) => index),
		results,
		fn,
	);
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
