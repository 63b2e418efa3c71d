import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { buildPropertyFilters } from '../../helpers/filters';
import { apiRequest } from '../../transport';

/**
 * Get Many through the persons list endpoint (`GET persons/`), for API keys without `query:read`,
 * with a gap check for PostHog issue #24787: a page can come back with fewer rows than `limit`
 * while more pages follow, and the rows it lacks are not on the next page either.
 *
 * Pages are read at offsets 0, L, 2L, … (L = page size) while PostHog says more follow (`next`).
 * A page that is short although more follow covers the window [o, o+L) with fewer than L rows.
 * The node then re-reads the end of that window from later offsets, [o+1, o+L), [o+2, o+L), …
 * (each a request PostHog answers on its own), and counts the different persons all reads of the
 * window returned: every one of them lies inside the window, so L different persons prove the
 * window complete. After MAX_REREADS re-reads without that proof the window is reported as
 * unproven, with how many persons may be missing from it.
 */

/** Re-reads of one short page before it is reported as unproven. */
export const MAX_REREADS = 10;

/** Pages in a row that bring no person not listed before, before the node stops (a server that pages forever). */
const MAX_STALE_PAGES = 3;

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

/**
 * Pages of persons (as the list endpoint returns them), each person once, with the gap check.
 * `maxRows`: stop after that many persons.
 */
export async function* restPersonPages(
	this: IExecuteFunctions,
	filters: IDataObject,
	options: { pageSize: number; maxRows?: number; itemIndex: number },
	stats: GapCheckStats,
): AsyncGenerator<IDataObject[]> {
	const qs = listFilters(filters);
	const pageSize = options.pageSize;
	const seen = new Set<string>();
	let emitted = 0;
	let stalePages = 0;
	const read = async (offset: number, limit: number) => {
		const response = await apiRequest.call(this, {
			method: 'GET',
			endpoint: 'persons/',
			qs: { ...qs, limit, offset },
			requestClass: 'persons',
			idempotent: true,
			itemIndex: options.itemIndex,
			expectFields: ['results'],
		});
		const rows = Array.isArray(response.body.results) ? (response.body.results as IDataObject[]) : [];
		const more = typeof response.body.next === 'string' && response.body.next !== '';
		return { rows, more };
	};
	const keyOf = (row: IDataObject) => String(row.uuid ?? row.id);

	for (let offset = 0, limit = pageSize; ; offset += limit) {
		limit = options.maxRows === undefined ? pageSize : Math.min(pageSize, options.maxRows - emitted);
		const page = await read(offset, limit);
		const rows = [...page.rows];
		if (page.more && page.rows.length < limit) {
			// a short page although more follow: prove the window [offset, offset + limit) complete
			stats.shortPages++;
			const inWindow = new Set(page.rows.map(keyOf));
			for (let shift = 1; shift <= MAX_REREADS && shift < limit && inWindow.size < limit; shift++) {
				stats.rereads++;
				const again = await read(offset + shift, limit - shift);
				for (const row of again.rows.slice(0, limit - shift)) {
					const key = keyOf(row);
					if (!inWindow.has(key)) {
						inWindow.add(key);
						rows.push(row);
					}
				}
			}
			// the list order is created_at DESC: put the recovered persons back in place (ties keep their order)
			rows.sort((a, b) => Date.parse(String(b.created_at)) - Date.parse(String(a.created_at)) || 0);
			if (inWindow.size >= limit) stats.repaired++;
			else {
				stats.unproven++;
				stats.possiblyMissing += limit - inWindow.size;
			}
		}
		const fresh: IDataObject[] = [];
		for (const row of rows) {
			const key = keyOf(row);
			if (seen.has(key)) continue;
			seen.add(key);
			fresh.push(row);
		}
		const out = options.maxRows === undefined ? fresh : fresh.slice(0, options.maxRows - emitted);
		emitted += out.length;
		if (out.length > 0) yield out;
		if (!page.more || page.rows.length === 0) return;
		if (options.maxRows !== undefined && emitted >= options.maxRows) return;
		stalePages = fresh.length === 0 ? stalePages + 1 : 0;
		if (stalePages >= MAX_STALE_PAGES) {
			throw new NodeOperationError(this.getNode(), 'PostHog keeps returning pages of persons that were already listed', {
				itemIndex: options.itemIndex,
				description: `${MAX_STALE_PAGES} pages in a row (up to offset ${offset}) held no new person; stopping to avoid an endless loop after ${emitted} persons.`,
			});
		}
	}
}
