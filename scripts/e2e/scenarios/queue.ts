/**
 * Scenario "queue": n8n in queue mode (main + 2 workers, Redis, PostgreSQL). 40 webhook calls at
 * once, each a GDPR batch of 500–2,000 distinct IDs for Bulk Delete, all with one credential,
 * against a sandbox that enforces PostHog Cloud's delete limits (480/min, 4800/h) ten times faster.
 *
 * It asserts invariants, not timing: every execution succeeds and ran on a worker; the bulk_delete
 * calls PostHog accepted are exactly Σ ceil(IDs / IDs per call), every other answer was a 429
 * that was retried; no ID was in two accepted calls; every requested person is deleted exactly
 * once and nobody else; the bound holds in every window. It reports the aggregate calls per
 * minute against the bound and the 429s, which show whether the executions and the processes
 * share the key's budget (Request Options → n8n Processes Sharing This Key).
 */
import * as fs from 'node:fs';

import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import { logged, postJson, type E2eEnv, type E2eScenario } from '../lib/runHelpers';
import { CREDENTIAL_ID, CREDENTIAL_NAME, type WorkflowFile } from '../lib/setup';
import { stackRssBytes } from '../lib/queueMode';
import { QUEUE_WORKERS } from '../lib/stages';
import { CREDENTIAL_TYPE, NODE_TYPE } from '../lib/paths';
import { maxInWindow, ratePerWindow } from '../lib/windows';

const EXECUTIONS = 40;
const IDS_PER_CALL = 25;
const TIME_SCALE = 10;
/** PostHog Cloud's delete throttles (per personal API key) */
const BURST = { requests: 480, perSeconds: 60 };
const SUSTAINED = { requests: 4800, perSeconds: 3600 };
/**
 * The sandbox logs when a request arrived; its throttle decides after reading the body (a few ms
 * later), so windows are checked this much shorter than the throttle's.
 */
const ARRIVAL_SLACK_MS = 50;
const WEBHOOK_PATH = 'e2e-queue-bulk-delete';
const WORKFLOW_ID = 'E2eQueueBulkDel1';

/** 500–2,000 IDs per execution, spread deterministically. */
const ID_COUNTS = Array.from({ length: EXECUTIONS }, (_, i) => 500 + ((i * 613) % 1501));
const TOTAL_IDS = ID_COUNTS.reduce((sum, n) => sum + n, 0);

function queueWorkflow(): WorkflowFile {
	return {
		id: WORKFLOW_ID,
		name: 'E2E queue mode: bulk delete from a webhook',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'a6f0c1de-0000-4000-8000-000000000a01',
				name: 'Deletion Batch',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '5b9e7c2a-6f4d-4b8e-9a1c-3d2e1f0a9b01',
				parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', options: {} },
			},
			{
				id: 'a6f0c1de-0000-4000-8000-000000000a02',
				name: 'Bulk Delete',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [260, 0],
				parameters: {
					resource: 'person',
					operation: 'bulkDelete',
					deleteBy: 'distinct_ids',
					idsFrom: 'field',
					idField: 'body.ids',
					options: { batchSize: IDS_PER_CALL },
					requestOptions: {
						rateLimits: 'custom',
						customLimits: {
							limit: [
								{ appliesTo: 'personsDelete', requests: BURST.requests, perSeconds: BURST.perSeconds / TIME_SCALE },
								{ appliesTo: 'personsDelete', requests: SUSTAINED.requests, perSeconds: SUSTAINED.perSeconds / TIME_SCALE },
								{ appliesTo: 'persons', requests: 240, perSeconds: 60 / TIME_SCALE },
							],
						},
						// the processes that run executions: the workers
						processesSharingKey: QUEUE_WORKERS,
					},
				},
				credentials: { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
			},
		],
		connections: { 'Deletion Batch': { main: [[{ node: 'Bulk Delete', type: 'main', index: 0 }]] } },
	};
}

/** `count` persons of the sandbox, each by one of its distinct IDs (no two share a person). */
function personsToDelete(sandbox: Sandbox, count: number): Array<{ distinctId: string; uuid: string }> {
	return [...sandbox.store.personsByUuid.values()].slice(0, count).map((person) => ({ distinctId: person.distinctIds[0], uuid: person.uuid }));
}

/** The IDs a bulk_delete call carried, whichever way it names them (distinct IDs or person UUIDs). */
function idsOf(body: unknown): string[] {
	const b = (body ?? {}) as { distinct_ids?: unknown; ids?: unknown };
	return [...(Array.isArray(b.distinct_ids) ? b.distinct_ids : []), ...(Array.isArray(b.ids) ? b.ids : [])].map(String);
}

/** Executions each worker started, from its log ("Worker started execution <id>"). */
function executionsPerWorker(env: E2eEnv): number[] {
	return (env.queue?.workers ?? []).map((worker) => {
		const text = fs.existsSync(worker.logFile) ? fs.readFileSync(worker.logFile, 'utf8') : '';
		return (text.match(/Worker started execution \d+/g) ?? []).length;
	});
}

async function scenarioQueue(s: Scenario, env: E2eEnv): Promise<void> {
	const { sandbox, client, server } = env;
	if (!client || !server) throw new Error('the queue stage did not start n8n');
	const store = sandbox.store;
	const targets = personsToDelete(sandbox, TOTAL_IDS);
	s.require(targets.length === TOTAL_IDS, `the sandbox has ${TOTAL_IDS} persons to delete (test data)`, targets.length);
	const uuidOf = new Map(targets.map((t) => [t.distinctId, t.uuid]));
	const distinctOfUuid = new Map(targets.map((t) => [t.uuid, t.distinctId]));
	const batches: string[][] = [];
	let offset = 0;
	for (const count of ID_COUNTS) {
		batches.push(targets.slice(offset, offset + count).map((t) => t.distinctId));
		offset += count;
	}
	const personsBefore = store.personsById.size;
	s.note(`${EXECUTIONS} webhook calls at once, ${TOTAL_IDS} distinct IDs (${Math.min(...ID_COUNTS)}–${Math.max(...ID_COUNTS)} per call), ${IDS_PER_CALL} IDs per bulk_delete, ${QUEUE_WORKERS} workers × concurrency ${env.queue?.concurrency}`);

	sandbox.clearRequests();
	sandbox.resetRateLimits();
	const url = `${server.url}/webhook/${WEBHOOK_PATH}`;
	const started = Date.now();
	let peakRss = env.queue ? stackRssBytes(env.queue) : 0;
	const sampler = setInterval(() => {
		if (env.queue) peakRss = Math.max(peakRss, stackRssBytes(env.queue));
	}, 1000);
	const answers = await Promise.all(batches.map((ids) => postJson(url, { ids }))).finally(() => clearInterval(sampler));
	const wallMs = Date.now() - started;
	s.note(`all ${EXECUTIONS} webhook calls answered after ${(wallMs / 1000).toFixed(1)} s; peak resident memory of main, workers (with their task runners), Redis and PostgreSQL: ${(peakRss / 2 ** 30).toFixed(2)} GiB`);

	// n8n: every call answered 200, every execution succeeded, on the workers
	const statuses = answers.map((a) => a.status);
	s.equal(statuses.filter((status) => status !== 200), [], `every webhook call answers 200 (${EXECUTIONS})`);
	for (const answer of answers.filter((a) => a.status !== 200)) s.note(`webhook answer ${answer.status}: ${answer.text.slice(0, 500)}`);
	const list = await client.ok('GET', `/api/v1/executions?workflowId=${WORKFLOW_ID}&limit=250`);
	const executions = list.data as Array<{ id: string; status?: string; finished?: boolean; mode?: string }>;
	s.equal(executions.length, EXECUTIONS, `n8n stored ${EXECUTIONS} executions`);
	// a failed execution: its error, so a failure here says why
	for (const failed of executions.filter((e) => e.status !== 'success')) {
		const detail = (await client.ok('GET', `/api/v1/executions/${failed.id}?includeData=true`)) as { data?: { resultData?: { error?: { message?: string; description?: string } } } };
		const error = detail.data?.resultData?.error;
		s.note(`execution ${failed.id} (${failed.status}): ${String(error?.message ?? 'no error stored').slice(0, 500)}${error?.description ? ` | ${String(error.description).slice(0, 1500)}` : ''}`);
	}
	s.equal(
		executions.filter((e) => e.status !== 'success').map((e) => ({ id: e.id, status: e.status })),
		[],
		'every execution succeeded',
	);
	s.check(executions.every((e) => e.mode === 'webhook'), 'they ran in production (webhook) mode', [...new Set(executions.map((e) => e.mode))]);
	const perWorker = executionsPerWorker(env);
	s.note(`executions per worker: ${perWorker.join(', ')}`);
	s.equal(perWorker.reduce((sum, n) => sum + n, 0), EXECUTIONS, 'the workers ran every execution (none ran in main)');
	s.check(perWorker.length === QUEUE_WORKERS && perWorker.every((n) => n > 0), `each of the ${QUEUE_WORKERS} workers ran executions`, perWorker);

	// the sandbox: calls, retries, IDs
	const calls = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/persons/bulk_delete/?$`));
	const accepted = calls.filter((c) => c.status === 202);
	const refused = calls.filter((c) => c.status !== 202);
	const throttled = refused.filter((c) => c.status === 429).length;
	const expectedCalls = ID_COUNTS.reduce((sum, n) => sum + Math.ceil(n / IDS_PER_CALL), 0);
	s.equal(accepted.length, expectedCalls, `accepted bulk_delete calls = Σ ceil(IDs / ${IDS_PER_CALL}) = ${expectedCalls}`);
	s.equal(
		refused.filter((c) => c.status !== 429).map((c) => c.status),
		[],
		`every other bulk_delete answer was a 429, retried (calls = ${expectedCalls} + ${refused.length} retries)`,
	);
	const sent = accepted.flatMap((c) => idsOf(c.body).map((id) => distinctOfUuid.get(id) ?? id));
	const seen = new Set<string>();
	const twice = sent.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
	s.equal(twice.slice(0, 10), [], 'no ID was in two accepted calls');
	const requested = new Set(batches.flat());
	s.equal(sent.filter((id) => !requested.has(id)).slice(0, 10), [], 'every ID sent was requested');
	const lost = targets.filter((t) => store.getPerson(t.uuid) !== undefined).map((t) => t.distinctId);
	s.equal(lost.slice(0, 10), [], `every requested person is deleted (${lost.length} of ${TOTAL_IDS} left)`);
	const notOnce = targets.filter((t) => store.deletionCounts.get(t.uuid) !== 1).map((t) => [t.distinctId, store.deletionCounts.get(t.uuid) ?? 0]);
	s.equal(notOnce.slice(0, 10), [], 'each exactly once');
	s.equal(store.personsById.size, personsBefore - TOTAL_IDS, 'nobody else was deleted');
	s.check(uuidOf.size === TOTAL_IDS, 'the requested distinct IDs are all different (test data)', uuidOf.size);

	// PostHog's bound, and the rate achieved against it
	const times = accepted.map((c) => c.startedAt);
	const burstWindowMs = (BURST.perSeconds * 1000) / TIME_SCALE;
	const sustainedWindowMs = (SUSTAINED.perSeconds * 1000) / TIME_SCALE;
	const burstMax = maxInWindow(times, burstWindowMs - ARRIVAL_SLACK_MS);
	const sustainedMax = maxInWindow(times, sustainedWindowMs - ARRIVAL_SLACK_MS);
	s.check(burstMax <= BURST.requests, `at most ${BURST.requests} accepted calls in any PostHog minute (${burstWindowMs / 1000} s here): ${burstMax}`, burstMax);
	s.check(sustainedMax <= SUSTAINED.requests, `at most ${SUSTAINED.requests} in any PostHog hour: ${sustainedMax}`, sustainedMax);
	const rate = ratePerWindow(times, burstWindowMs);
	const lookups = logged(sandbox, 'POST', /\/persons\/batch_by_distinct_ids\/?$/);
	s.note(
		`aggregate ${rate ? `${rate.perWindow.toFixed(1)} calls per PostHog minute over ${rate.windows} complete windows` : 'n/a (less than one window)'} of the bound ${BURST.requests} (${rate ? ((100 * rate.perWindow) / BURST.requests).toFixed(1) : '-'} %); ` +
			`${throttled} bulk_delete answers were 429 (${((100 * throttled) / Math.max(1, calls.length)).toFixed(1)} % of ${calls.length})` +
			(lookups.length ? `; ${lookups.length} batch_by_distinct_ids look-ups, ${lookups.filter((c) => c.status === 429).length} answered 429` : ''),
	);
}

export const queueScenario: E2eScenario = {
	key: 'queue',
	title: `Queue mode: ${EXECUTIONS} webhook bulk deletions at once on main + ${QUEUE_WORKERS} workers (Redis, PostgreSQL), PostHog Cloud's delete limits`,
	stage: 'queue',
	sandbox: { persons: TOTAL_IDS + 1000, eventsPerPerson: 0, timeScale: TIME_SCALE, rateLimits: true },
	prepare: () => ({ workflows: [queueWorkflow()], publish: [WORKFLOW_ID] }),
	run: scenarioQueue,
};
