/**
 * Scenario "verify": a published Webhook → Split Out → Verify Deletion workflow gets the receipts of
 * the "form" scenario (run it first: `--only=form,verify`) and checks the same IDs: the comma ID's
 * person is gone with its events, the unknown ID has no person, the refused person still exists.
 */
import * as path from 'node:path';

import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import type { N8nClient, N8nServer } from '../lib/n8n';
import { ROOT } from '../lib/paths';
import { logged, nodeOutput, postJson, rel, waitFor, type E2eScenario, type RunData } from '../lib/runHelpers';
import { postHogNodes, prepareWorkflow, readWorkflow, type WorkflowFile } from '../lib/setup';
import { gdprSubmissions } from './form';

let workflow: WorkflowFile | undefined;

async function scenarioVerify(s: Scenario, client: N8nClient, server: N8nServer, sandbox: Sandbox, workflow: WorkflowFile): Promise<void> {
	s.require(gdprSubmissions.length === 3 && gdprSubmissions.every((x) => x.receipt), 'the "form" scenario ran first and kept its three receipts');
	const node = s.require(
		postHogNodes(workflow).find((n) => n.parameters.operation === 'verifyDeletion'),
		'the workflow has a PostHog Persons person/verifyDeletion node',
	);
	const webhook = s.require(workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook'), 'the workflow starts with a Webhook');
	const store = sandbox.store;
	const [comma, unknown, refused] = gdprSubmissions;
	// the receipts as a compliance log would hold them: the ID and, when PostHog knew the person, its UUID
	const receipts = gdprSubmissions.map((x) => ({ id: x.receipt?.id, ...(x.receipt?.personUuid ? { personUuid: x.receipt.personUuid } : {}) }));
	s.equal(receipts.map((r) => r.id), gdprSubmissions.map((x) => x.distinctId), 'the receipts name the submitted IDs');

	sandbox.clearRequests();
	const posted = await postJson(`${server.url}/webhook/${webhook.parameters.path}`, { receipts });
	s.equal(posted.status, 200, 'n8n accepts the receipts (200)');
	const execution = await waitFor(
		'the verification execution',
		async () => {
			const list = await client.ok('GET', `/api/v1/executions?workflowId=${workflow.id}&includeData=true&limit=5`);
			return (list.data as any[]).find((e) => e.finished || (e.status && e.status !== 'running' && e.status !== 'new'));
		},
		30_000,
		300,
	);
	s.equal(execution.status, 'success', 'the execution succeeded');
	const run = { data: execution.data } as RunData;
	const checked = nodeOutput(run, node.name, 0).map((item) => item.json);
	s.equal(nodeOutput(run, node.name, 1), [], 'no check failed (error output empty)');
	s.equal(checked.map((r) => r.id), [comma.distinctId, unknown.distinctId, refused.distinctId], 'one receipt per ID, in order, IDs exactly as given');
	s.equal(nodeOutput(run, 'Compliance Log').length, 3, 'the compliance log node received all three');

	const [c, u, r] = checked;
	const janeRow = store.asyncDeletions.find((row) => row.person_uuid === comma.personUuid);
	s.equal(
		[c?.outcome, c?.personExists, c?.distinctIdResolves, c?.eventDeletion],
		['deleted', false, false, janeRow?.delete_verified_at ? 'completed' : 'pending'],
		`"${comma.distinctId}": person gone, ID resolves to nobody, event deletion as the sandbox holds it`,
	);
	s.check(typeof c?.eventDeletionRequestedAt === 'string' && (!janeRow?.delete_verified_at || typeof c?.eventDeletionCompletedAt === 'string'), 'with the event deletion times', c);
	s.equal([u?.outcome, u?.personExists, u?.distinctIdResolves, u?.eventDeletion, u?.personUuid], ['deleted', false, false, 'unknown', null], 'the unknown ID: no person, event deletion unknown (no UUID)');
	s.equal([r?.outcome, r?.personExists, r?.distinctIdResolves, r?.personUuid], ['exists', true, true, refused.personUuid], 'the refused person still exists');
	s.check(Array.isArray(r?.distinctIds) && r.distinctIds.includes(refused.distinctId), 'and its distinct IDs are listed', r);

	// sandbox side: the same state; only reads, batched
	s.check(!store.getPerson(String(comma.personUuid)) && Boolean(store.getPerson(String(refused.personUuid))), 'the sandbox agrees: Jane gone, the refused person present');
	const writes = sandbox.requests.filter((entry) => entry.method !== 'GET' && !/batch_by_(distinct_ids|uuids)\/?$/.test(entry.path));
	s.equal(writes.map((entry) => `${entry.method} ${entry.path}`), [], 'verification only reads');
	s.equal(logged(sandbox, 'POST', /batch_by_distinct_ids\/?$/).map((entry) => entry.body), [{ distinct_ids: gdprSubmissions.map((x) => x.distinctId) }], 'one look-up for all distinct IDs');
	s.equal(logged(sandbox, 'POST', /batch_by_uuids\/?$/).map((entry) => entry.body), [{ uuids: [comma.personUuid, refused.personUuid] }], 'one look-up for the known person UUIDs');
}

export const verifyScenario: E2eScenario = {
	key: 'verify',
	title: 'Published Webhook -> Verify Deletion over the receipts of the form scenario (n8n start)',
	stage: 'server',
	prepare(s) {
		const file = path.join(ROOT, 'test', 'e2e', 'workflows', 'verify-deletion.json');
		s.note(`workflow: ${rel(file)}`);
		workflow = prepareWorkflow(readWorkflow(file), file);
		return { workflows: [workflow], publish: [workflow.id] };
	},
	run: (s, env) => scenarioVerify(s, env.client as N8nClient, env.server as N8nServer, env.sandbox, workflow as WorkflowFile),
};
