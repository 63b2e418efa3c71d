import type { IDataObject } from 'n8n-workflow';

/**
 * What each insight kind's module (`<kind>.query.ts`, next to its operation) provides: the
 * rules of its data point that need no insight (checked before any request), and the
 * ActorsQuery for one data point of an insight query (without limit/offset, which the paging
 * adds).
 */
export interface KindQuery<Selector> {
	check(selector: Selector): void;
	build(source: IDataObject, selector: Selector, options: ActorsQueryOptions): IDataObject;
}

export interface ActorsQueryOptions {
	/** Add the `matched_recordings` column (kinds whose persons PostHog can link to recordings). */
	includeRecordings?: boolean;
}

/**
 * The ActorsQuery around an actors source: the `columns` (the actor first), plus
 * `matched_recordings` with Include Recordings (the source then carries `includeRecordings` too),
 * in `orderBy` order when given.
 */
export function actorsQuery(actors: IDataObject, columns: string[], options: ActorsQueryOptions, orderBy?: string[]): IDataObject {
	const select = [...columns];
	if (options.includeRecordings) {
		actors.includeRecordings = true;
		select.push('matched_recordings');
	}
	return orderBy ? { kind: 'ActorsQuery', select, source: actors, orderBy } : { kind: 'ActorsQuery', select, source: actors };
}
