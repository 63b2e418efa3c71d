/**
 * Scenario "form": the GDPR example published in `n8n start` (Form Trigger → Bulk Delete with the
 * error output connected), three submissions: a distinct ID that contains a comma (exactly that
 * person is deleted), an unknown ID (`not_found`) and an ID the sandbox refuses to delete (error
 * output). The receipts are kept for the "verify" scenario.
 */
import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import type { N8nClient, N8nServer } from '../lib/n8n';
import { logged, nodeOutput, pickWorkflow, postForm, rel, waitFor, type E2eScenario, type RunData } from '../lib/runHelpers';
import { downstream, formTriggers, postHogNodes, prepareWorkflow, readWorkflow, type WorkflowFile } from '../lib/setup';

let workflow: WorkflowFile | undefined;

/** What the three submissions were and what n8n answered: the input of the "verify" scenario. */
export interface GdprSubmission {
	kind: 'comma' | 'unknown' | 'refused';
	distinctId: string;
	personUuid?: string;
	/** The deletion receipt n8n output (main or error output). */
	receipt?: Record<string, unknown>;
}
export const gdprSubmissions: GdprSubmission[] = [];

export const COMMA_ID = 'Doe, Jane';
export const UNKNOWN_ID = 'e2e-nobody-has-this-id';
export const REFUSED_ID = 'e2e-refused-person';

/** Executions of a workflow, newest first, with their data (public API). */
async function executions(client: N8nClient, workflowId: string): Promise<any[]> {
	const list = await client.ok('GET', `/api/v1/executions?workflowId=${workflowId}&includeData=true&limit=20`);
	return (list.data as any[]).filter((e) => e.finished || (e.status && e.status !== 'running' && e.status !== 'new'));
}

async function scenarioForm(s: Scenario, client: N8nClient, server: N8nServer, sandbox: Sandbox, workflow: WorkflowFile, n8nMajor: number): Promise<void> {
	const trigger = s.require(formTriggers(workflow)[0], 'the workflow starts with a Form Trigger');
	const deleteNode = s.require(
		postHogNodes(workflow).find((n) => n.parameters.resource === 'person' && n.parameters.operation === 'bulkDelete'),
		'the workflow has a PostHog Persons person/bulkDelete node',
	);
	s.equal(deleteNode.parameters.deleteEvents, true, 'the bulk delete also deletes events');
	s.equal(deleteNode.onError, 'continueErrorOutput', 'its error output is on (On Error → Continue using error output)');
	const [receiptsNode, failedNode] = [0, 1].map((index) => workflow.connections[deleteNode.name]?.main?.[index]?.[0]?.node);
	s.require(receiptsNode && failedNode, 'both outputs of the bulk delete are connected', downstream(workflow, deleteNode.name));
	const fields: Array<{ fieldLabel: string }> = trigger.parameters.formFields?.values ?? [];
	const idField = fields.findIndex((f) => /distinct/i.test(f.fieldLabel));
	const refField = fields.findIndex((f) => /reference/i.test(f.fieldLabel));
	s.require(idField >= 0 && refField >= 0, 'the form has a distinct ID field and a request reference field', fields);

	// the people: "Doe, Jane" (with events) and the decoys her ID must not be split into, and a person PostHog refuses to delete
	const store = sandbox.store;
	const before = store.now() - 60_000;
	const jane = store.createPerson({ distinctIds: [COMMA_ID, 'e2e-jane-device'], properties: { email: 'jane.doe@example.com' } });
	const decoys = [store.createPerson({ distinctIds: ['Doe'] }), store.createPerson({ distinctIds: ['Jane'] })];
	const refused = store.createPerson({ distinctIds: [REFUSED_ID], properties: { email: 'refused@example.com' } });
	store.refusedDeletions.add(refused.uuid);
	for (const p of [jane, refused]) for (let n = 0; n < 3; n++) store.addEvent({ event: '$pageview', distinctId: p.distinctIds[0], timestamp: before + n });
	const personsBefore = store.personsByUuid.size;
	const janeEvents = store.eventsByPerson.get(jane.uuid)?.length ?? 0;
	s.note(`"${COMMA_ID}" is person ${jane.uuid} (${janeEvents} events); decoys "Doe", "Jane"; refused ${refused.uuid}`);

	sandbox.clearRequests();
	const formUrl = `${server.url}/form/${trigger.webhookId}`;
	const submissions: GdprSubmission[] = [
		{ kind: 'comma', distinctId: COMMA_ID, personUuid: jane.uuid },
		{ kind: 'unknown', distinctId: UNKNOWN_ID },
		{ kind: 'refused', distinctId: REFUSED_ID, personUuid: refused.uuid },
	];
	for (const [index, submission] of submissions.entries()) {
		const formFields: Record<string, string> = {};
		fields.forEach((field, position) => {
			formFields[`field-${position}`] = position === idField ? submission.distinctId : position === refField ? `GDPR-E2E-${index + 1}` : `e2e ${field.fieldLabel}`;
		});
		const posted = await postForm(formUrl, formFields);
		s.equal(posted.status, 200, `n8n accepts the submission of ${JSON.stringify(submission.distinctId)} (200)`);
		// one execution at a time, so each one is found by its request reference
		await waitFor(`the execution of submission ${index + 1}`, async () => (await executions(client, workflow.id)).length > index, 30_000, 300).catch(
			(error: Error) => s.check(false, `n8n stored execution ${index + 1}`, error.message),
		);
	}

	// n8n side: every execution succeeded; each submission's receipt is on the output it belongs to
	const runs = await executions(client, workflow.id);
	s.equal(runs.length, 3, 'n8n stored three executions');
	for (const [index, submission] of submissions.entries()) {
		const execution = runs.find((e) => nodeOutput({ data: e.data } as RunData, trigger.name)[0]?.json?.[fields[refField].fieldLabel] === `GDPR-E2E-${index + 1}`);
		if (!s.check(Boolean(execution), `the execution of ${JSON.stringify(submission.distinctId)} is stored`)) continue;
		s.equal(execution.status, 'success', `the execution of ${JSON.stringify(submission.distinctId)} succeeded`);
		s.equal(execution.mode, 'webhook', 'it ran in production (webhook) mode');
		const run = { data: execution.data } as RunData;
		const main = nodeOutput(run, deleteNode.name, 0);
		const errors = nodeOutput(run, deleteNode.name, 1);
		if (submission.kind === 'refused') {
			// n8n routes error items by their JSON from 2.36 on; n8n 1.x keeps them on the main output
			const routed = n8nMajor >= 2;
			const [there, other] = routed ? [errors, main] : [main, errors];
			s.equal(other.length, 0, routed ? 'the refused ID is not on the main output' : 'n8n 1.x: nothing on the error output');
			s.equal(there.length, 1, routed ? 'it is the one item on the error output' : 'n8n 1.x: it is the one item on the main output, marked by its error field');
			const item = there[0]?.json ?? {};
			s.check(/^Deletion failed for "e2e-refused-person": PostHog could not delete the person \(failed step: delete_person_postgres\)/.test(String(item.error)), 'error names the ID and PostHog\'s failed step', item.error);
			s.equal(item.details?.outcome, 'failed', 'details.outcome is "failed"');
			s.equal(item.details?.personUuid, refused.uuid, 'details.personUuid is the refused person');
			if (routed) s.equal(item[fields[refField].fieldLabel], 'GDPR-E2E-3', "n8n merged the form's request reference into the error item");
			const receiver = (routed ? failedNode : receiptsNode) as string;
			s.equal(nodeOutput(run, receiver).length, 1, `"${receiver}" received it`);
			submission.receipt = item.details;
		} else {
			s.equal(errors.length, 0, `nothing on the error output for ${JSON.stringify(submission.distinctId)}`);
			s.equal(main.length, 1, 'one receipt on the main output');
			const receipt = main[0]?.json ?? {};
			s.equal(receipt.id, submission.distinctId, 'the receipt names the ID exactly as submitted');
			if (submission.kind === 'comma') {
				s.equal(receipt.outcome, 'deleted', `"${COMMA_ID}" is deleted`);
				s.equal(receipt.personUuid, jane.uuid, 'the receipt names the person UUID');
				s.equal([...(receipt.distinctIds ?? [])].sort(), [COMMA_ID, 'e2e-jane-device'].sort(), 'and the distinct IDs that went with the person');
				s.equal(receipt.deleteEvents, true, 'with their events');
			} else {
				s.equal(receipt.outcome, 'not_found', 'the unknown ID is not_found');
			}
			s.equal(nodeOutput(run, receiptsNode as string).length, 1, `"${receiptsNode}" received the receipt`);
			submission.receipt = receipt;
		}
	}
	gdprSubmissions.splice(0, gdprSubmissions.length, ...submissions);

	// sandbox side: what was asked, and what it holds
	const lookups = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/persons/batch_by_distinct_ids/?$`));
	s.equal(lookups.map((entry) => (entry.body as { distinct_ids: string[] }).distinct_ids), submissions.map((x) => [x.distinctId]), 'each submission was looked up as one distinct ID, unsplit');
	const deletes = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/persons/bulk_delete/?$`));
	s.equal(
		deletes.map((entry) => entry.body),
		[jane.uuid, refused.uuid].map((uuid) => ({ ids: [uuid], delete_events: true, delete_recordings: true, keep_person: false })),
		'bulk_delete was called by person UUID for the two persons that exist, nothing for the unknown ID',
	);
	const gone = await waitFor('the events of "Doe, Jane" to be deleted', () => (store.events.filter((e) => e.personId === jane.uuid).length === 0 ? true : undefined), 20_000).catch(() => false);
	s.check(!store.getPerson(jane.uuid), `the person "${COMMA_ID}" is gone`);
	s.equal(store.deletionCounts.get(jane.uuid), 1, 'deleted exactly once');
	s.check(Boolean(gone), 'their events are gone (queued event deletion processed)');
	s.check(decoys.every((p) => store.getPerson(p.uuid)), 'the persons "Doe" and "Jane" still exist');
	s.check(Boolean(store.getPerson(refused.uuid)), 'the refused person still exists');
	s.equal(store.personsByUuid.size, personsBefore - 1, 'no other person was deleted');
}

export const formScenario: E2eScenario = {
	key: 'form',
	title: 'Published Form Trigger -> Bulk Delete with the error output (n8n start): comma ID, unknown ID, refused ID',
	stage: 'server',
	prepare(s) {
		const pick = pickWorkflow('gdpr-delete-on-form.json', 'gdpr-delete-on-form.json');
		s.note(`workflow: ${rel(pick.file)}`);
		workflow = prepareWorkflow(readWorkflow(pick.file), pick.file);
		return { workflows: [workflow], publish: [workflow.id] };
	},
	run: (s, env) => scenarioForm(s, env.client as N8nClient, env.server as N8nServer, env.sandbox, workflow as WorkflowFile, env.instance.host.major),
};
