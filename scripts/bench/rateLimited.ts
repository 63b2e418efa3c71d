import { startSandbox } from '../../sandbox';
import { runNode } from '../../test/harness/engine';
import { pickDistinctIds, sandboxCredentials } from '../../test/helpers/sandbox';
import { SIZES, log, type Benchmark } from './common';
import { deleteRateSummary, pacedDeleteParameters } from './pacing';

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
			parameters: pacedDeleteParameters(timeScale, { maxRetries: 10, retryDelayMs: 50, concurrency: 4 }),
			credentials: sandboxCredentials(sandbox),
			input: targets.map((target) => ({ distinct_id: target.distinctId })),
		});
		if (result.error) throw result.error;
		return { ...deleteRateSummary(sandbox, bound, timeScale), timeScale };
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
