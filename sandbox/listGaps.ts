// PostHog issue #24787 as a deterministic fault of the persons list (`faults.listGapRate`):
// some full pages come back with fewer rows than `limit` while `next` still advances by `limit`,
// and the rows they lose are only served by pages that start at other offsets.

import { hash32 } from './util/prng';

/** Most rows one page loses (PostHog reports pages of 98 or 99 out of 100). */
export const MAX_LOST_PER_PAGE = 3;

/**
 * Indexes (within the page) of the rows a list page loses, or [] when it loses none.
 * - Only full pages (`pageLength >= limit`) lose rows, so a client can see the gap.
 * - Whether a page loses rows, and which, depends only on the seed and the page's `offset`:
 *   asking for the same offset again loses the same rows; a page that starts elsewhere has its
 *   own dice.
 * - A page never loses its first row, so every row is served by the page that starts at it.
 */
export function lostRowIndexes(seed: number, rate: number, offset: number, limit: number, pageLength: number): number[] {
	if (!(rate > 0) || pageLength < 2 || pageLength < limit) return [];
	const roll = (salt: string) => hash32(`${offset}:${salt}`, seed) / 0x1_0000_0000;
	if (roll('page') >= rate) return [];
	const count = Math.min(pageLength - 1, 1 + Math.floor(roll('count') * MAX_LOST_PER_PAGE));
	const lost = new Set<number>();
	for (let attempt = 0; lost.size < count && attempt < 100; attempt++) {
		lost.add(1 + Math.floor(roll(`row${attempt}`) * (pageLength - 1)));
	}
	return [...lost].sort((a, b) => a - b);
}
