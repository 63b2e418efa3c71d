/** Scenario "form": a published Form Trigger -> Bulk Delete with events (`n8n start` + HTTP POST). */
import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import type { N8nClient, N8nServer } from '../lib/n8n';
import { logged, nodeOutput, pickWorkflow, postForm, rel, waitFor, type E2eScenario, type RunData } from '../lib/runHelpers';
import { formTriggers, postHogNodes, prepareWorkflow, readWorkflow, type WorkflowFile } from '../lib/setup';

let workflow: WorkflowFile | undefined;

async function scenarioForm(s: Scenario, client: N8nClient, server: N8nServer, sandbox: Sandbox, workflow: WorkflowFile): Promise<void> {
	const trigger = s.require(formTriggers(workflow)[0], 'the workflow starts with a Form Trigger');
	const deleteNode = s.require(
		postHogNodes(workflow).find((n) => n.parameters.resource === 'person' && n.parameters.operation === 'bulkDelete'),
		'the workflow has a PostHog Persons person/bulkDelete node',
	);
	s.equal(deleteNode.parameters.deleteEvents, true, 'the bulk delete also deletes events');
	s.check((deleteNode.parameters.deleteBy ?? 'distinct_ids') === 'distinct_ids', 'it deletes by distinct ID', deleteNode.parameters.deleteBy);
	const fields: Array<{ fieldLabel: string }> = trigger.parameters.formFields?.values ?? [];
	const idField = fields.findIndex((f) => /distinct/i.test(f.fieldLabel));
	s.require(idField >= 0, 'the form has a distinct ID field', fields);

	// the victim: an identified person with several distinct IDs and events
	const store = sandbox.store;
	const person = s.require(
		store.persons.find(
			(p) => p.distinctIds.length >= 2 && p.distinctIds.some((d) => d.startsWith('user-')) && (store.eventsByPerson.get(p.uuid)?.length ?? 0) >= 3,
		),
		'the sandbox has an identified person with 2+ distinct IDs and 3+ events',
	);
	const distinctId = person.distinctIds.find((d) => d.startsWith('user-')) as string;
	const personsBefore = store.personsById.size;
	const eventsBefore = store.events.length;
	const ownEvents = store.eventsByPerson.get(person.uuid)?.length ?? 0;
	s.note(`deleting ${distinctId} (person ${person.uuid}, ${person.distinctIds.length} distinct IDs, ${ownEvents} events)`);

	sandbox.clearRequests();
	const formUrl = `${server.url}/form/${trigger.webhookId}`;
	const formFields: Record<string, string> = {};
	fields.forEach((field, index) => {
		formFields[`field-${index}`] = index === idField ? distinctId : `e2e ${field.fieldLabel}`;
	});
	const submitted = await postForm(formUrl, formFields);
	s.note(`POST ${formUrl} -> ${submitted.status} after ${submitted.attempts} attempt(s): ${submitted.text.slice(0, 120)}`);
	s.equal(submitted.status, 200, 'n8n accepts the form submission (200)');

	// n8n side: the production execution, read through the public API
	const execution = await waitFor(
		'the form execution in /api/v1/executions',
		async () => {
			const list = await client.ok('GET', `/api/v1/executions?workflowId=${workflow.id}&includeData=true&limit=5`);
			return (list.data as any[]).find((e) => e.finished || (e.status && e.status !== 'running' && e.status !== 'new'));
		},
		30_000,
		500,
	).catch((error: Error) => {
		s.check(false, 'n8n stored the execution', error.message);
		return undefined;
	});
	if (execution) {
		s.equal(execution.status, 'success', 'the execution succeeded');
		s.equal(execution.mode, 'webhook', 'it ran in production (webhook) mode');
		const run = { data: execution.data } as RunData;
		const submittedItem = nodeOutput(run, trigger.name)[0]?.json;
		s.equal(submittedItem?.[fields[idField].fieldLabel], distinctId, 'the Form Trigger output holds the submitted distinct ID');
		const result = nodeOutput(run, deleteNode.name);
		s.equal(result.length, 1, 'the bulk delete outputs one item');
		const json = result[0]?.json ?? {};
		s.equal(json.status, 'accepted', 'n8n reports the deletion as accepted');
		s.equal(json.ids, [distinctId], 'for the submitted distinct ID');
		s.equal(json.deleteEvents, true, 'with events');
	}

	// sandbox side: the request, then the person and (after the queued event deletion) their events
	const deletes = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/persons/bulk_delete/?$`));
	s.equal(deletes.length, 1, 'the sandbox received one bulk_delete');
	const body = deletes[0]?.body as Record<string, unknown> | undefined;
	s.equal(body?.distinct_ids, [distinctId], 'bulk_delete carried the distinct ID');
	s.equal(body?.delete_events, true, 'bulk_delete asked to delete events');
	s.equal(deletes[0]?.status, 202, 'the sandbox answered 202 Accepted (as PostHog does)');

	const gone = await waitFor(
		'the person and their events to be deleted',
		() => {
			const eventsLeft = store.events.filter((e) => e.personId === person.uuid).length;
			return !store.getPerson(person.uuid) && eventsLeft === 0 ? { eventsLeft } : undefined;
		},
		20_000,
	).catch(() => undefined);
	s.check(!store.getPerson(person.uuid), 'the person is gone from the sandbox');
	s.equal(
		person.distinctIds.filter((d) => store.findByDistinctId(d)),
		[],
		'none of their distinct IDs resolves to a person any more',
	);
	s.equal(store.deletionCounts.get(person.uuid), 1, 'the person was deleted exactly once');
	s.check(Boolean(gone), 'their events are gone (queued event deletion processed)', `${store.events.filter((e) => e.personId === person.uuid).length} left`);
	const row = store.asyncDeletions.find((r) => r.person_uuid === person.uuid);
	s.check(Boolean(row && row.delete_verified_at !== null), 'the event deletion is recorded as done', row);
	s.equal(store.personsById.size, personsBefore - 1, 'no other person was deleted');
	s.equal(store.events.length, eventsBefore - ownEvents, 'no other events were deleted');
}

export const formScenario: E2eScenario = {
	key: 'form',
	title: 'Published Form Trigger -> bulk delete with events (n8n start)',
	stage: 'server',
	prepare(s) {
		const pick = pickWorkflow('gdpr-delete-on-form.json', 'gdpr-delete-on-form.json');
		s.note(`workflow: ${rel(pick.file)}`);
		workflow = prepareWorkflow(readWorkflow(pick.file), pick.file);
		return { workflows: [workflow], publish: [workflow.id] };
	},
	run: (s, env) => scenarioForm(s, env.client as N8nClient, env.server as N8nServer, env.sandbox, workflow as WorkflowFile),
};
