import { startSandbox } from '../../sandbox';
import { runNode } from '../../test/harness/engine';
import { pickDistinctIds, sandboxCredentials } from '../../test/helpers/sandbox';
import { SIZES, log, type Benchmark } from './common';

/**
 * Deletions paced under PostHog Cloud's delete limit (480/min, 4800/h), with the sandbox's
 * rate-limit windows running 10x faster (a "minute" lasts six seconds).
 */
async function rateLimitedRun() {
	const timeScale = 10;
	const calls = SIZES.rateCalls;
	const bound = 480;
	const sandbox = await startSandbox({ port: 0, persons: calls + 100, eventsPerPerson: 0, timeScale, quiet: true });
	try {
		const targets = pickDistinctIds(sandbox, calls);
		const result = await runNode({
			parameters: {
				resource: 'person',
				operation: 'bulkDelete',
				idsFrom: 'field',
				idField: 'distinct_id',
				options: { batchSize: 1 },
				requestOptions: {
					rateLimits: 'custom',
					customLimits: {
						limit: [
							{ appliesTo: 'personsDelete', requests: 480, perSeconds: 60 / timeScale },
							{ appliesTo: 'personsDelete', requests: 4800, perSeconds: 3600 / timeScale },
						],
					},
					maxRetries: 10,
					retryDelayMs: 50,
					concurrency: 4,
				},
			},
			credentials: sandboxCredentials(sandbox),
			input: targets.map((target) => ({ distinct_id: target.distinctId })),
		});
		if (result.error) throw result.error;
		const accepted = sandbox.requests.filter((entry) => entry.path.includes('bulk_delete') && entry.status === 202);
		const throttled = sandbox.requests.filter((entry) => entry.status === 429).length;
		// PostHog's limit is a sliding window: over k complete windows from the first call at most
		// k × 480 calls fit. The achieved rate is the calls sent in the complete windows.
		const windowMs = (60_000 / timeScale);
		const first = accepted[0].startedAt;
		const windows = Math.floor((accepted[accepted.length - 1].startedAt - first) / windowMs);
		const inWindows = accepted.filter((entry) => entry.startedAt < first + windows * windowMs).length;
		const achievedPerMin = inWindows / windows;
		return {
			boundPerMin: bound,
			achievedPerMin: Math.round(achievedPerMin * 10) / 10,
			ratio: Math.round((achievedPerMin / bound) * 1000) / 1000,
			calls: accepted.length,
			windows,
			throttled,
			timeScale,
		};
	} finally {
		await sandbox.stop();
	}
}

export const rateLimitedBenchmark: Benchmark = {
	key: 'rateLimited',
	title: 'rate-limited deletions (sandbox limits 10x faster)',
	async run() {
		const paced = await rateLimitedRun();
		log(`  ${paced.calls} calls, ${paced.achievedPerMin}/min of ${paced.boundPerMin}/min, ${paced.throttled} answered 429`);
		return {
			results: { rateLimited: paced },
			table: [['rate-limited deletes', `${paced.calls} calls`, `${paced.achievedPerMin}/min of ${paced.boundPerMin}/min (ratio ${paced.ratio}), ${paced.throttled} × 429`]],
		};
	},
};
