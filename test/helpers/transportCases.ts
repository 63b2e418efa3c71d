/**
 * Small pieces the transport tests share: node parameters of a query-backed operation, an
 * ActorsQuery answer, and the count of arrivals in a sliding window.
 */
import type { IDataObject } from 'n8n-workflow';

/** "Get Trends Persons" from a raw JSON query (one POST query/ per page, no saved insight to fetch). */
export function trendsPersons(extra: IDataObject = {}): IDataObject {
	return {
		resource: 'insight',
		operation: 'getTrendsPersons',
		insightSource: 'json',
		insightQuery: JSON.stringify({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], trendsFilter: { display: 'BoldNumber' } }),
		series: '1',
		...extra,
	};
}

/** An ActorsQuery answer holding one person per id. */
export function actorsPage(ids: string[], extra: IDataObject = {}): IDataObject {
	return { columns: ['actor'], results: ids.map((id) => [{ id, distinct_ids: [], properties: {} }]), hasMore: false, limit: 100, offset: 0, ...extra };
}

/** Largest number of times inside any window of `windowMs`. */
export function maxInWindow(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let best = 0;
	for (let start = 0; start < sorted.length; start++) {
		let end = start;
		while (end < sorted.length && sorted[end] - sorted[start] < windowMs) end++;
		best = Math.max(best, end - start);
	}
	return best;
}
