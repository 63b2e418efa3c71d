import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { buildPropertyFilters } from '../../helpers/filters';
import { apiRequest, restPages } from '../../transport';

/**
 * Get Many through the persons list endpoint (`GET persons/`), for API keys without `query:read`,
 * with a gap check for PostHog issue #24787: a page can come back with fewer rows than `limit`
 * while more pages follow, and the rows it lacks are not on the next page either.
 *
 * Pages are read by following `next` (offsets 0, L, 2L, …; L = page size). A page that is short
 * although more follow covers the window [o, o+L) with fewer than L rows.
 * The node then re-reads the end of that window from later offsets, [o+1, o+L), [o+2, o+L), …
 * (each a request PostHog answers on its own), and counts the different persons all reads of the
 * window returned: every one of them lies inside the window, so L different persons prove the
 * window complete. After MAX_REREADS re-reads without that proof the window is reported as
 * unproven, with how many persons may be missing from it.
 */

/** Re-reads of one short page before it is reported as unproven. */
export const MAX_REREADS = 10;

export interface GapCheckStats {
	/** Pages shorter than the page size although more followed. */
	shortPages: number;
	/** Of those, pages proven complete by re-reading. */
	repaired: number;
	/** Of those, pages that could not be proven complete. */
	unproven: number;
	/** Persons that may be missing from the unproven pages (their page size minus the persons found). */
	possiblyMissing: number;
	/** Extra requests made by the gap check. */
	rereads: number;
}

export function newGapCheckStats(): GapCheckStats {
	return { shortPages: 0, repaired: 0, unproven: 0, possiblyMissing: 0, rereads: 0 };
}

/** Query string of the list endpoint from the Filters collection. */
export function listFilters(filters: IDataObject): IDataObject {
	const qs: IDataObject = {};
	if (filters.search) qs.search = String(filters.search);
	if (filters.distinctId) qs.distinct_id = String(filters.distinctId);
	if (filters.email) qs.email = String(filters.email);
	const propertyFilters = buildPropertyFilters(filters.propertyFilters as IDataObject, 'person');
	if (filters.cohortId) {
		propertyFilters.push({ key: 'id', value: Number(filters.cohortId), type: 'cohort', operator: 'in' });
	}
	if (propertyFilters.length > 0) qs.properties = JSON.stringify(propertyFilters);
	return qs;
}

/** The `offset` a `next` link asks for (PostHog's links carry it in the query string). */
function offsetOf(link: unknown, fallback: number): number {
	if (typeof link !== 'string' || link === '') return fallback;
	try {
		const offset = Number(new URL(link, 'http://n8n.invalid').searchParams.get('offset'));
		return Number.isFinite(offset) ? offset : fallback;
	} catch {
		return fallback;
	}
}

/**
 * Pages of persons (as the list endpoint returns them), each person once, with the gap check.
 * The pages come from the transport's `restPages` (PostHog's `next` links, kept on the
 * credential's origin and path, stopped when they do not advance or bring nothing new); the
 * re-reads of a short window are single requests at explicit offsets. `maxRows`: stop after that
 * many persons.
 */
export async function* restPersonPages(
	this: IExecuteFunctions,
	filters: IDataObject,
	options: { pageSize: number; maxRows?: number; itemIndex: number },
	stats: GapCheckStats,
): AsyncGenerator<IDataObject[]> {
	const qs = listFilters(filters);
	const limit = options.maxRows === undefined ? options.pageSize : Math.min(options.pageSize, options.maxRows);
	const request = { method: 'GET' as const, endpoint: 'persons/', requestClass: 'persons' as const, idempotent: true, itemIndex: options.itemIndex };
	const keyOf = (row: IDataObject) => String(row.uuid ?? row.id);
	/** Persons output from re-reads (the main pages are de-duplicated by restPages). */
	const recovered = new Set<string>();
	let emitted = 0;
	let offset = 0;
	for await (const page of restPages.call(this, { ...request, qs: { ...qs, limit, offset: 0 } }, { dedupeKey: 'uuid' })) {
		const raw = page.body.results as IDataObject[];
		const more = typeof page.body.next === 'string' && page.body.next !== '';
		let rows = page.records.filter((row) => !recovered.has(keyOf(row)));
		if (more && raw.length < limit) {
			// a short page although more follow: prove the window [offset, offset + limit) complete
			stats.shortPages++;
			const inWindow = new Set(raw.map(keyOf));
			for (let shift = 1; shift <= MAX_REREADS && shift < limit && inWindow.size < limit; shift++) {
				stats.rereads++;
				const again = await apiRequest.call(this, { ...request, qs: { ...qs, limit: limit - shift, offset: offset + shift }, expectFields: ['results'] });
				const againRows = Array.isArray(again.body.results) ? (again.body.results as IDataObject[]) : [];
				for (const row of againRows.slice(0, limit - shift)) {
					const key = keyOf(row);
					if (inWindow.has(key)) continue;
					inWindow.add(key);
					if (!recovered.has(key)) {
						recovered.add(key);
						rows.push(row);
					}
				}
			}
			// the list order is created_at DESC: put the recovered persons back in place (ties keep their order)
			rows = rows.sort((a, b) => Date.parse(String(b.created_at)) - Date.parse(String(a.created_at)) || 0);
			if (inWindow.size >= limit) stats.repaired++;
			else {
				stats.unproven++;
				stats.possiblyMissing += limit - inWindow.size;
			}
		}
		const out = options.maxRows === undefined ? rows : rows.slice(0, options.maxRows - emitted);
		emitted += out.length;
		if (out.length > 0) yield out;
		if (options.maxRows !== undefined && emitted >= options.maxRows) return;
		offset = offsetOf(page.body.next, offset + limit);
	}
}
