import { ratePerWindow } from '../e2e/lib/windows';

/** What the pacing benchmarks share: PostHog Cloud's delete limits scaled in time, and the achieved rate. */

/** Bulk Delete of one distinct ID per call (field `distinct_id` of each item) under Cloud's delete limits. */
export function pacedDeleteParameters(timeScale: number, requestOptions: Record<string, unknown> = {}) {
	return {
		resource: 'person',
		operation: 'bulkDelete',
		idsFrom: 'field',
		idField: 'distinct_id',
		options: { batchSize: 1 },
		requestOptions: { ...scaledDeleteLimits(timeScale), ...requestOptions },
	};
}

/** Request Options with Cloud's delete limits (480/min, 4800/h) for a sandbox running `timeScale` times faster. */
export function scaledDeleteLimits(timeScale: number) {
	return {
		rateLimits: 'custom',
		customLimits: {
			limit: [
				{ appliesTo: 'personsDelete', requests: 480, perSeconds: 60 / timeScale },
				{ appliesTo: 'personsDelete', requests: 4800, perSeconds: 3600 / timeScale },
			],
		},
	};
}

/** A sandbox's request log, as far as the delete-rate summary reads it. */
interface RequestLog {
	requests: Array<{ path: string; status: number; startedAt: number }>;
}

/**
 * Accepted `bulk_delete` calls per (time-scaled) minute against the bound, and the 429s the
 * sandbox answered: the figures of the rate benchmarks.
 */
export function deleteRateSummary(sandbox: RequestLog, bound: number, timeScale: number) {
	const accepted = sandbox.requests.filter((entry) => entry.path.includes('bulk_delete') && entry.status === 202);
	const throttled = sandbox.requests.filter((entry) => entry.status === 429).length;
	const rate = ratePerWindow(
		accepted.map((entry) => entry.startedAt),
		60_000 / timeScale,
	);
	if (!rate) throw new Error(`the ${accepted.length} accepted calls span less than one rate-limit window`);
	const { perWindow: achievedPerMin, windows } = rate;
	return {
		boundPerMin: bound,
		achievedPerMin: Math.round(achievedPerMin * 10) / 10,
		ratio: Math.round((achievedPerMin / bound) * 1000) / 1000,
		calls: accepted.length,
		windows,
		throttled,
	};
}
