/**
 * The shift check of offset pages read through PostHog's Query API in a unique order (Get Many;
 * the Insight operations). Offset pages are computed one by one, so rows that go away while the
 * node pages move the rows after them up: the first rows of the next page slide onto the page
 * already read and would be skipped. For Get Many those are persons deleted or merged meanwhile
 * (GDPR deletions during an export); for an insight's data point, persons who left it meanwhile
 * (converted to the next funnel step, their events deleted). Rows added meanwhile move rows down
 * instead; those repeats are dropped by the caller.
 *
 * Every page but the first is asked from one row earlier (offset − 1): that row should be one
 * already output (the last one of the previous page, or an earlier one when rows moved down).
 * When it is not, rows moved up, and the node re-reads backwards from the page's offset o, the
 * windows [o − W, o) for W = 16, 64, 256 and then the page size (never before offset 0), until a
 * window holds a row already output. The order is total, so every row not output yet after that
 * one was originally at or after o (or is new): those are output, ahead of the page. A window
 * reaching offset 0 proves the page too. After SHIFT_WINDOWS re-reads without that proof the page
 * is counted as unproven (the rows found are still output).
 */

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { QueryPage, QueryPageOptions } from '../transport';
import { queryPage } from '../transport';

/** Window sizes of the re-reads of one shifted page; the last is the page size. */
const WINDOWS = [16, 64, 256];
/** Re-reads of one shifted page before it is reported as unproven. */
export const SHIFT_WINDOWS = WINDOWS.length + 1;

export interface ShiftCheckStats {
	/** Pages whose first (overlapping) row was not one already output: rows moved up. */
	shiftedPages: number;
	/** Persons output from the re-reads of those pages. */
	recovered: number;
	/** Shifted pages for which no re-read reached a row already output (persons may be missing). */
	unproven: number;
	/** Extra requests made by the shift check. */
	rereads: number;
}

export function newShiftCheckStats(): ShiftCheckStats {
	return { shiftedPages: 0, recovered: 0, unproven: 0, rereads: 0 };
}

/** The window sizes for a page at `offset` of `pageSize` rows: growing, up to the page size, never past offset 0. */
function shiftWindows(offset: number, pageSize: number): number[] {
	const sizes: number[] = [];
	for (const size of [...WINDOWS, pageSize]) {
		const window = Math.min(size, pageSize, offset);
		if (window > (sizes[sizes.length - 1] ?? 0)) sizes.push(window);
		if (window === Math.min(pageSize, offset)) break;
	}
	return sizes;
}

/**
 * Re-reads backwards from `offset` (see above). `read` fetches the rows [start, start + size);
 * `keyOf` gives a row's person (actor) ID (undefined: no person to judge by). Returns the rows
 * after the last one whose person is in `seen`, whose person is not in `seen` (not added to it).
 */
async function recoverShifted<Row>(
	offset: number,
	pageSize: number,
	read: (start: number, size: number) => Promise<Row[]>,
	keyOf: (row: Row) => string | undefined,
	seen: { has(id: string): boolean },
	stats: ShiftCheckStats,
): Promise<Row[]> {
	stats.shiftedPages++;
	let found: Row[] = [];
	for (const size of shiftWindows(offset, pageSize)) {
		stats.rereads++;
		const rows = await read(offset - size, size);
		let lastSeen = rows.length - 1;
		while (lastSeen >= 0 && !seen.has(keyOf(rows[lastSeen]) ?? '')) lastSeen--;
		found = rows.slice(lastSeen + 1).filter((row) => {
			const key = keyOf(row);
			return key !== undefined && !seen.has(key);
		});
		if (lastSeen >= 0 || size === offset) return found;
	}
	stats.unproven++;
	return found;
}

/**
 * The rows that slid onto the page before `page` (re-read as above, with `query` and `paging`),
 * to be output ahead of it: none when the page's overlap row is one already output.
 */
export async function slidRows(
	this: IExecuteFunctions,
	query: IDataObject,
	paging: QueryPageOptions,
	page: QueryPage,
	keyOf: (row: unknown[]) => string | undefined,
	seen: { has(id: string): boolean },
	stats: ShiftCheckStats,
): Promise<unknown[][]> {
	if (!page.overlapped || seen.has((page.overlap && keyOf(page.overlap)) ?? '')) return [];
	const read = async (offset: number, limit: number) => (await queryPage.call(this, query, { offset, limit }, paging)).rows;
	return await recoverShifted(page.offset, paging.pageSize, read, keyOf, seen, stats);
}
