import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorItem, usesErrorOutput, withItemIndex } from './items';

/**
 * Receipts: one output item per requested ID saying what happened to it (`outcome`, `reason`).
 * With "On Error → Continue (using error output)", failed, uncertain and unchecked IDs leave on the
 * error output as `{error, details: <receipt>}` (n8n adds the input item's fields) and the others on
 * the main output. Elsewhere receipts never have a `json.error` field: n8n's "Retry On Fail" re-runs
 * a node whose first output item has one, which would repeat a deletion and lose this run's record.
 */

export type Outcome =
	| 'deleted'
	| 'queued'
	| 'kept'
	| 'not_found'
	| 'failed'
	| 'uncertain'
	| 'would_delete'
	| 'exists'
	| 'deleted_events_pending'
	| 'unknown';

/** Outcomes that need attention: they leave on the error output / make the run fail. */
const PROBLEMS: ReadonlySet<string> = new Set<Outcome>(['failed', 'uncertain', 'unknown']);

export function isProblem(outcome: string): boolean {
	return PROBLEMS.has(outcome);
}

/** How many IDs of each outcome the error message names. */
export const NAMED_PER_OUTCOME = 50;

const LABELS: Record<string, string> = {
	deleted: 'Deleted',
	queued: 'Queued for deletion',
	kept: 'Person kept, events/recordings queued for deletion',
	would_delete: 'Would be deleted (dry run)',
	not_found: 'Not found',
	failed: 'Failed',
	uncertain: 'Uncertain',
	unknown: 'Could not be checked',
	exists: 'Still exists',
	deleted_events_pending: 'Deleted, event deletion pending',
};

/** Order of the outcomes in the error; those marked `true` are listed even when none had them. */
const ORDER: Array<[Outcome, boolean]> = [
	['failed', true],
	['uncertain', false],
	['unknown', false],
	['deleted', true],
	['queued', false],
	['kept', false],
	['would_delete', false],
	['deleted_events_pending', false],
	['exists', false],
	['not_found', true],
];

export interface ReceiptJson extends IDataObject {
	id: string;
	idType: string;
	outcome: Outcome;
}

/** An output item for a receipt, paired to its input item (on the error output: `{error, details}`). */
export function receiptItem(receipt: ReceiptJson, itemIndex: number, label: string, errorOutput: boolean): INodeExecutionData {
	if (errorOutput && isProblem(receipt.outcome)) {
		const word = receipt.outcome === 'unknown' ? 'incomplete' : receipt.outcome;
		const error = `${label} ${word} for ${shownId(receipt.id)}: ${String(receipt.reason ?? '')}`;
		return { json: { error, details: receipt }, pairedItem: { item: itemIndex } };
	}
	return { json: receipt, pairedItem: { item: itemIndex } };
}

function shownId(id: string): string {
	return JSON.stringify(id.length > 100 ? `${id.slice(0, 97)}…` : id);
}

/**
 * Counts receipts by outcome and remembers the first IDs of each (linear in the number of IDs),
 * to build the error that a run without Continue On Fail throws when any ID failed.
 */
export class ReceiptTally {
	private readonly counts = new Map<string, number>();
	private readonly named = new Map<string, string[]>();
	private firstProblem: { itemIndex: number; reason: string; cause?: Error } | undefined;
	total = 0;

	add(receipt: ReceiptJson, itemIndex: number, cause?: Error): void {
		this.total++;
		const outcome = receipt.outcome;
		this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
		let list = this.named.get(outcome);
		if (!list) {
			list = [];
			this.named.set(outcome, list);
		}
		if (list.length < NAMED_PER_OUTCOME) {
			list.push(receipt.reason && isProblem(outcome) ? `${shownId(receipt.id)} (${String(receipt.reason)})` : shownId(receipt.id));
		}
		if (isProblem(outcome) && !this.firstProblem) {
			this.firstProblem = { itemIndex, reason: String(receipt.reason ?? ''), cause };
		}
	}

	count(outcome: Outcome): number {
		return this.counts.get(outcome) ?? 0;
	}

	/** The error to throw (without Continue On Fail) when any ID failed or is uncertain; undefined otherwise. */
	error(ctx: IExecuteFunctions, label: string): NodeOperationError | undefined {
		if (!this.firstProblem) return undefined;
		const problems = this.count('failed') + this.count('uncertain') + this.count('unknown');
		const lines: string[] = [];
		for (const [outcome, always] of ORDER) {
			const count = this.count(outcome);
			if (count === 0 && !always) continue;
			const names = this.named.get(outcome) ?? [];
			const more = count > names.length ? `, … and ${count - names.length} more` : '';
			lines.push(`${LABELS[outcome]} (${count})${names.length > 0 ? `: ${names.join(', ')}${more}` : ''}`);
		}
		const hint = (this.firstProblem.cause as NodeOperationError | undefined)?.description;
		if (hint) lines.push('', String(hint));
		lines.push(
			'',
			'This is the full record of the run. Turn on "Continue On Fail" (or On Error → Continue using error output) to get one item per ID instead, with the failed IDs on the error output.',
		);
		return new NodeOperationError(
			ctx.getNode(),
			`${label}: ${problems} of ${this.total} IDs failed (${this.count('deleted')} deleted, ${this.count('not_found')} not found): ${this.firstProblem.reason}`,
			{ itemIndex: this.firstProblem.itemIndex, description: lines.join('\n') },
		);
	}
}

/**
 * The output item of an input item that was not valid (Continue On Fail): nothing was sent for it.
 * Like a problem receipt: `{outcome: 'invalid', reason, ...}`, or `{error, details}` on the error output.
 */
export function invalidItem(error: Error, itemIndex: number, errorOutput: boolean): INodeExecutionData {
	const { error: message, ...rest } = errorItem(error, { item: itemIndex }).json;
	const details: IDataObject = { outcome: 'invalid', reason: message, ...rest };
	return { json: errorOutput ? { error: message, details } : details, pairedItem: { item: itemIndex } };
}

/**
 * Reads and checks every input item before anything is sent. Without Continue On Fail the first
 * bad item is thrown; with it, bad items become `invalidItem`s and the others go on.
 */
export function readEveryItem<R>(
	ctx: IExecuteFunctions,
	count: number,
	read: (itemIndex: number) => R,
): { requests: Map<number, R>; invalid: Map<number, INodeExecutionData> } {
	const continueOnFail = ctx.continueOnFail();
	const requests = new Map<number, R>();
	const invalid = new Map<number, INodeExecutionData>();
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			requests.set(itemIndex, read(itemIndex));
		} catch (error) {
			const wrapped = withItemIndex(ctx, error, itemIndex);
			if (!continueOnFail) throw wrapped;
			invalid.set(itemIndex, invalidItem(wrapped, itemIndex, usesErrorOutput(ctx)));
		}
	}
	return { requests, invalid };
}

/**
 * The output in input order (each item's invalid item, or one receipt item per ID). Without
 * Continue On Fail, a failed or uncertain ID makes the run fail with the tally's error, which
 * names what was done.
 */
export function emitReceipts<R>(
	ctx: IExecuteFunctions,
	count: number,
	read: { requests: Map<number, R>; invalid: Map<number, INodeExecutionData> },
	receiptsOf: (request: R) => Array<{ json: ReceiptJson; cause?: Error }>,
	labels: { item: string; run: string },
): INodeExecutionData[] {
	const errorOutput = usesErrorOutput(ctx);
	const output: INodeExecutionData[] = [];
	// on the error output, problems are emitted last: n8n keeps the order within each output, and
	// a first item with `json.error` would make "Retry On Fail" re-run the node
	const problems: INodeExecutionData[] = [];
	const tally = new ReceiptTally();
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const bad = read.invalid.get(itemIndex);
		const request = read.requests.get(itemIndex);
		if (bad) (errorOutput ? problems : output).push(bad);
		if (request === undefined) continue;
		for (const { json, cause } of receiptsOf(request)) {
			tally.add(json, itemIndex, cause);
			(errorOutput && isProblem(json.outcome) ? problems : output).push(receiptItem(json, itemIndex, labels.item, errorOutput));
		}
	}
	for (const item of problems) output.push(item);
	if (!ctx.continueOnFail()) {
		const error = tally.error(ctx, labels.run);
		if (error) throw error;
	}
	return output;
}
