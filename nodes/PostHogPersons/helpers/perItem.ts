import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, runItems, usesErrorOutput, withItemIndex } from './items';
import type { PersonRef } from './person';
import { readPersonRef, resolvePersonRefs } from './person';

export interface PerItemOperation<P> {
	/** Reads and checks one item without sending anything; throws (NodeOperationError) on bad input. */
	read: (itemIndex: number) => P;
	/** The Person field to resolve before acting; omit for operations that name no person. */
	personParameter?: string;
	/** Acts on one valid item; `personId` is the `{id}` of `/persons/{id}/` ('' without a Person field). */
	act: (itemIndex: number, plan: P, personId: string) => Promise<INodeExecutionData[]>;
}

/**
 * A per-item operation that checks before it acts:
 * 1. every item is read and checked first; without Continue On Fail the first bad item is thrown
 *    before anything is sent, with it the bad items become error items and the others go on;
 * 2. the distinct IDs of all items' Person fields are resolved in batched look-ups (200 per call),
 *    and without Continue On Fail an item whose person cannot be found stops the run before
 *    anything is changed;
 * 3. the valid items are acted on, "Concurrency" at a time (see `runItems`).
 */
export async function runPerItem<P>(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	operation: PerItemOperation<P>,
): Promise<INodeExecutionData[]> {
	const continueOnFail = ctx.continueOnFail();
	const results: INodeExecutionData[][] = new Array(items.length);
	const plans = new Map<number, P>();
	const refs = new Map<number, PersonRef>();
	for (let index = 0; index < items.length; index++) {
		try {
			const plan = operation.read(index);
			if (operation.personParameter) refs.set(index, readPersonRef(ctx, index, operation.personParameter));
			plans.set(index, plan);
		} catch (error) {
			const wrapped = withItemIndex(ctx, error, index);
			if (!continueOnFail) throw wrapped;
			results[index] = [errorItem(wrapped, { item: index }, { errorOutput: usesErrorOutput(ctx) })];
		}
	}
	let personIds = new Map<number, string | Error>();
	if (operation.personParameter) {
		personIds = (await resolvePersonRefs(ctx, new Map([...refs].filter(([index]) => plans.has(index))))).ids;
		for (const [index, outcome] of personIds) {
			if (!(outcome instanceof Error)) continue;
			const wrapped = withItemIndex(ctx, outcome, index);
			if (!continueOnFail) throw wrapped;
			results[index] = [errorItem(wrapped, { item: index }, { errorOutput: usesErrorOutput(ctx) })];
			plans.delete(index);
		}
	}
	await runItems(ctx, [...plans.keys()], results, async (index) =>
		operation.act(index, plans.get(index) as P, String(personIds.get(index) ?? '')),
	);
	return results.flat();
}
