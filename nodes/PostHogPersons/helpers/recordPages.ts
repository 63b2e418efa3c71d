import type { IDataObject } from 'n8n-workflow';

/**
 * Pages of records made as they are read. A paged operation hands over each page as a generator
 * that parses, checks and converts one row at a time while the consumer reads it (helpers/output.ts
 * writes a CSV file 64 records at a time), so a CSV export holds a few records, not a whole page
 * of them. Such a page is read once, to its end, before the next page is asked for: the persons
 * it marks as seen and the counts it keeps are then complete.
 */

/** A page of records: an array, or a generator that makes them as they are read. */
export type RecordPage = Iterable<IDataObject>;

/** How many records were handed over, and the most allowed (the operation's Limit; undefined = all). */
export interface Progress {
	emitted: number;
	max?: number;
}

/** The records of `records` while `progress` allows more, counted in it. */
export function* upToLimit(records: Iterable<IDataObject>, progress: Progress): Generator<IDataObject> {
	if (limitReached(progress)) return;
	for (const record of records) {
		progress.emitted++;
		yield record;
		if (limitReached(progress)) return;
	}
}

/** Whether `progress` has reached its limit. */
export function limitReached(progress: Progress): boolean {
	return progress.max !== undefined && progress.emitted >= progress.max;
}

/**
 * Reads what a consumer left of a page it was handed (nothing, when it read the page to its end),
 * so the page's rows are all checked before the next page is asked for.
 */
export function finishPage(page: Iterator<IDataObject>): void {
	while (!page.next().done);
}

/** `convert` of each record of a page, as it is read. */
export function* mapPage(records: Iterable<IDataObject>, convert: (record: IDataObject) => IDataObject): Generator<IDataObject> {
	for (const record of records) yield convert(record);
}

/** The records of `first`, then those of `second`, as they are read. */
export function* concatPages(first: Iterable<IDataObject>, second: Iterable<IDataObject>): Generator<IDataObject> {
	yield* first;
	yield* second;
}
