/**
 * Bulk Delete of N distinct IDs arriving as N input items, with a receipt per ID: fault-free under
 * PostHog Cloud's rate limits (the sandbox enforces them; windows run 10x faster), and under
 * injected faults. Counts what the sandbox saw and holds, and checks every receipt.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import type { RequestLogEntry } from '../../sandbox/log';
import { runNode } from '../../test/harness/engine';
import { pickDistinctIds, sandboxCredentials } from '../../test/helpers/sandbox';
import { SIZES, log, seconds, type Benchmark } from './common';

const TIME_SCALE = 10;
/** PostHog Cloud's per-key limits: person look-ups and reads (ClickHouse burst), deletions. */
const BOUNDS = { persons: { requests: 240, perSeconds: 60 }, personsDelete: { requests: 480, perSeconds: 60 } };

interface ClassFigures {
	requests: number;
	/** Cloud-equivalent seconds from the first to the last request of the class. */
	seconds: number;
	/** Requests per Cloud minute over that span. */
	perMinute: number;
	boundPerMinute: number;
	/** Fewest Cloud seconds the bound allows for this many requests (sliding window). */
	minimumSeconds: number;
}

interface DeleteRun {
	ids: number;
	items: number;
	lookups: number;
	fullPersonReads: number;
	deletes: number;
	rechecks: number;
	retries: number;
	throttled: number;
	expectedRequests: number;
	lost: number;
	doubled: number;
	misattributed: number;
	unaccounted: number;
	ms: number;
	classes: { persons: ClassFigures; personsDelete: ClassFigures };
}

function classFigures(entries: RequestLogEntry[], bound: { requests: number; perSeconds: number }): ClassFigures {
	const times = entries.map((entry) => entry.startedAt).sort((a, b) => a - b);
	const spanSeconds = times.length > 1 ? ((times[times.length - 1] - times[0]) / 1000) * TIME_SCALE : 0;
	const windows = Math.max(0, Math.ceil(entries.length / bound.requests) - 1);
	return {
		requests: entries.length,
		seconds: Math.round(spanSeconds * 10) / 10,
		perMinute: spanSeconds > 0 ? Math.round((entries.length / spanSeconds) * 600) / 10 : entries.length,
		boundPerMinute: (bound.requests * 60) / bound.perSeconds,
		minimumSeconds: windows * bound.perSeconds,
	};
}

/** Every receipt names its own ID and the right person, and says "deleted". */
function checkReceipts(items: INodeExecutionData[], targets: Array<{ distinctId: string; uuid: string }>) {
	let misattributed = 0;
	let unaccounted = Math.abs(items.length - targets.length);
	targets.forEach((target, index) => {
		const item = items[index];
		if (!item || (item.pairedItem as { item?: number } | undefined)?.item !== index || item.json.outcome !== 'deleted') unaccounted++;
		else if (item.json.id !== target.distinctId || item.json.personUuid !== target.uuid) misattributed++;
	});
	return { misattributed, unaccounted };
}

async function bulkDeleteRun(faults: IDataObject | undefined): Promise<DeleteRun> {
	const ids = SIZES.deleteIds;
	const sandbox: Sandbox = await startSandbox({ port: 0, persons: ids + 1000, eventsPerPerson: 0, timeScale: TIME_SCALE, quiet: true });
	try {
		const targets = pickDistinctIds(sandbox, ids);
		const fullReadsExpected = new Set(targets.map((t) => sandbox.store.getPerson(t.uuid)).filter((p) => (p?.distinctIds.length ?? 0) >= 10)).size;
		if (faults) sandbox.setFaults({ ...faults, paths: 'bulk_delete|batch_by', seed: 11 });
		const scaled = (bound: { requests: number; perSeconds: number }) => ({ requests: bound.requests, perSeconds: bound.perSeconds / TIME_SCALE });
		const started = Date.now();
		const result = await runNode({
			parameters: {
				resource: 'person',
				operation: 'bulkDelete',
				deleteBy: 'distinct_ids',
				idsFrom: 'field',
				idField: 'distinct_id',
				deleteEvents: true,
				requestOptions: {
					rateLimits: 'custom',
					customLimits: {
						limit: [
							{ appliesTo: 'persons', ...scaled(BOUNDS.persons) },
							{ appliesTo: 'personsDelete', ...scaled(BOUNDS.personsDelete) },
							{ appliesTo: 'personsDelete', requests: 4800, perSeconds: 3600 / TIME_SCALE },
						],
					},
					maxRetries: 10,
					retryDelayMs: 100,
					maxWaitSeconds: 600,
				},
			},
			credentials: sandboxCredentials(sandbox),
			input: targets.map((target) => ({ distinct_id: target.distinctId })),
		});
		const ms = Date.now() - started;
		if (result.error) throw result.error;
		const requests = sandbox.requests;
		const lookups = requests.filter((entry) => entry.path.includes('batch_by_distinct_ids'));
		const rechecks = requests.filter((entry) => entry.path.includes('batch_by_uuids'));
		const fullReads = requests.filter((entry) => entry.method === 'GET');
		const deletes = requests.filter((entry) => entry.path.includes('bulk_delete'));
		let lost = 0;
		let doubled = 0;
		for (const target of targets) {
			if (sandbox.store.findByDistinctId(target.distinctId)) lost++;
			if ((sandbox.store.deletionCounts.get(target.uuid) ?? 0) > 1) doubled++;
		}
		const retries = requests.filter((entry) => entry.fault && entry.fault !== 'deletion_error').length;
		return {
			ids,
			items: result.items.length,
			lookups: lookups.length,
			fullPersonReads: fullReads.length,
			deletes: deletes.length,
			rechecks: rechecks.length,
			retries,
			throttled: requests.filter((entry) => entry.status === 429 && !entry.fault).length,
			expectedRequests: Math.ceil(ids / 200) + fullReadsExpected + Math.ceil(ids / 1000),
			lost,
			doubled,
			...checkReceipts(result.items, targets),
			ms,
			classes: {
				persons: classFigures([...lookups, ...fullReads, ...rechecks], BOUNDS.persons),
				personsDelete: classFigures(deletes, BOUNDS.personsDelete),
			},
		};
	} finally {
		await sandbox.stop();
	}
}

export const bulkDeleteBenchmark: Benchmark = {
	key: 'bulkDelete',
	title: 'bulk delete with receipts, under PostHog Cloud limits and with faults',
	async run() {
		const clean = await bulkDeleteRun(undefined);
		const p = clean.classes.persons;
		const d = clean.classes.personsDelete;
		log(`  ${clean.ids} IDs: ${clean.lookups} look-ups + ${clean.fullPersonReads} full reads + ${clean.deletes} deletes, ${seconds(clean.ms)} (windows ${TIME_SCALE}x faster)`);
		log('  with 10% 429, 5% 5xx, 2% connection resets on look-ups and deletes …');
		const chaos = await bulkDeleteRun({ rate429: 0.1, retryAfterSeconds: 0, rate5xx: 0.05, resetRate: 0.01, resetAfterProcessingRate: 0.01 });
		log(`  ${chaos.ids} IDs in ${chaos.lookups + chaos.fullPersonReads + chaos.deletes + chaos.rechecks} requests (${chaos.retries} retries), ${seconds(chaos.ms)}`);
		const figures = (run: DeleteRun) => ({
			ids: run.ids,
			items: run.items,
			requests: { lookups: run.lookups, fullPersonReads: run.fullPersonReads, deletes: run.deletes, rechecks: run.rechecks, retries: run.retries },
			expectedRequests: run.expectedRequests,
			lost: run.lost,
			doubled: run.doubled,
			misattributed: run.misattributed,
			unaccountedItems: run.unaccounted,
			throttled429: run.throttled,
			ms: run.ms,
			cloudEquivalent: run.classes,
		});
		return {
			results: {
				bulkDelete: { timeScale: TIME_SCALE, ...figures(clean) },
				bulkDeleteChaos: {
					faults: '10% 429 (Retry-After 0), 5% 5xx, 1% reset before processing, 1% reset after processing, on look-ups and bulk_delete',
					...figures(chaos),
				},
			},
			table: [
				[
					'bulk delete with receipts',
					`${clean.ids} IDs as ${clean.items} items`,
					`${clean.lookups} look-ups + ${clean.fullPersonReads} full reads + ${clean.deletes} deletes (expected ${clean.expectedRequests}), 429s ${clean.throttled}, lost ${clean.lost}, doubled ${clean.doubled}, misattributed ${clean.misattributed}`,
				],
				[
					'  pacing (Cloud-equivalent)',
					`look-ups ${p.perMinute}/min, deletes ${d.perMinute}/min`,
					`person reads ${p.requests} in ${p.seconds} s (bound ${p.boundPerMinute}/min allows ≥ ${p.minimumSeconds} s); deletes ${d.requests} in ${d.seconds} s (bound ${d.boundPerMinute}/min)`,
				],
				[
					'bulk delete, chaos',
					`${chaos.ids} IDs`,
					`${chaos.lookups + chaos.fullPersonReads + chaos.deletes + chaos.rechecks} requests = ${chaos.expectedRequests} + ${chaos.retries} retries + ${chaos.rechecks} re-checks, lost ${chaos.lost}, doubled ${chaos.doubled}, misattributed ${chaos.misattributed}, unaccounted ${chaos.unaccounted}`,
				],
			],
		};
	},
};
