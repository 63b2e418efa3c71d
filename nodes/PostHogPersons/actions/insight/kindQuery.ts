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
