import { startSandbox } from '../../sandbox';
import { runNode } from '../../test/harness/engine';
import { pickDistinctIds, sandboxCredentials } from '../../test/helpers/sandbox';
import { SIZES, log, type Benchmark } from './common';
import { deleteRateSummary, pacedDeleteParameters } from './pacing';

/**
 * 50 executions of the node at once (as 50 form submissions arriving together), all with the
 * same API key, each deleting its own persons one call per ID, against the sandbox enforcing
 * PostHog Cloud's delete limits (480/min, 4800/h) with its windows 10x faster. The node's
 * limiter is shared per key across the executions of the process, so together they should run
 * at the bound and never provoke a 429.
 */
const EXECUTIONS = 50;

async function sharedKeyRun() {
	const timeScale = 10;
	const perExecution = Math.ceil(SIZES.rateCalls / EXECUTIONS);
	const calls = perExecution * EXECUTIONS;
	const bound = 480;
	const sandbox = await startSandbox({ port: 0, persons: calls + 100, eventsPerPerson: 0, timeScale, quiet: true });
	try {
		const targets = pickDistinctIds(sandbox, calls);
		const parameters = pacedDeleteParameters(timeScale, { maxWaitSeconds: 3600 });
		const results = await Promise.all(
			Array.from({ length: EXECUTIONS }, (_, execution) =>
				runNode({
					parameters,
					credentials: sandboxCredentials(sandbox),
					input: targets.slice(execution * perExecution, (execution + 1) * perExecution).map((target) => ({ distinct_id: target.distinctId })),
				}),
			),
		);
		const failed = results.filter((result) => result.error).length;
		const remaining = targets.filter((target) => sandbox.store.personsByUuid.has(target.uuid)).length;
		const { boundPerMin, achievedPerMin, ratio, calls: acceptedCalls, windows, throttled } = deleteRateSummary(sandbox, bound, timeScale);
		return {
			executions: EXECUTIONS,
			boundPerMin,
			achievedPerMin,
			ratio,
			calls: acceptedCalls,
			windows,
			throttled,
			failedExecutions: failed,
			notDeleted: remaining,
			timeScale,
		};
	} finally {
		await sandbox.stop();
	}
}

export const sharedKeyBenchmark: Benchmark = {
	key: 'sharedKey',
	title: `${EXECUTIONS} executions sharing one key (sandbox limits 10x faster)`,
	async run() {
		const shared = await sharedKeyRun();
		log(
			`  ${shared.executions} executions, ${shared.calls} calls, ${shared.achievedPerMin}/min of ${shared.boundPerMin}/min, ${shared.throttled} answered 429, ${shared.failedExecutions} failed, ${shared.notDeleted} not deleted`,
		);
		return {
			results: { sharedKey: shared },
			table: [
				[
					'50 executions, one key',
					`${shared.calls} calls`,
					`${shared.achievedPerMin}/min of ${shared.boundPerMin}/min (ratio ${shared.ratio}), ${shared.throttled} × 429`,
				],
			],
		};
	},
};
