/** Sliding-window arithmetic on request times (ms), as PostHog's throttles count them. */

/** The most requests that fall into any window of `windowMs` (times need not be sorted). */
export function maxInWindow(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let max = 0;
	let start = 0;
	for (let end = 0; end < sorted.length; end++) {
		while (sorted[end] - sorted[start] >= windowMs) start++;
		max = Math.max(max, end - start + 1);
	}
	return max;
}

/**
 * The rate achieved over the complete windows after the first request: a sliding-window limit
 * lets at most k × bound requests into k windows from the first one, so this is what to compare
 * with the bound. Undefined when the requests span less than one window.
 */
export function ratePerWindow(times: number[], windowMs: number): { perWindow: number; windows: number } | undefined {
	if (times.length === 0) return undefined;
	const sorted = [...times].sort((a, b) => a - b);
	const first = sorted[0];
	const windows = Math.floor((sorted[sorted.length - 1] - first) / windowMs);
	if (windows < 1) return undefined;
	const inWindows = sorted.filter((time) => time < first + windows * windowMs).length;
	return { perWindow: inWindows / windows, windows };
}
