/**
 * The workflows in examples/ (the ones `npm run demo` runs and users import into n8n) run in
 * n8n-core's engine against the sandbox and do what their names say.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IDataObject } from 'n8n-workflow';

import { binaryText, NODE_TYPE, runWorkflow, type WorkflowJson } from '../harness/engine';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';
import { parseCsv } from '../helpers/csv';
import { funnelPersons, isEvent, lastDays } from '../insight/reference';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as WorkflowJson;
const getSandbox = useSandbox({ persons: 400, now: '2024-03-01T12:00:00.000Z' });

function nodes(workflow: WorkflowJson) {
	const postHog = workflow.nodes.find((node) => node.type === NODE_TYPE);
	const trigger = workflow.nodes.find((node) => /trigger/i.test(node.type));
	if (!postHog || !trigger) throw new Error(`${workflow.name}: missing nodes`);
	return { postHog, trigger };
}

test('every example is an importable n8n workflow using this package', () => {
	const files = fs.readdirSync(EXAMPLES).filter((file) => file.endsWith('.json'));
	expect(files.length).toBeGreaterThanOrEqual(3);
	for (const file of files) {
		const workflow = read(file);
		expect(workflow.id).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(workflow.settings).toEqual({ executionOrder: 'v1' });
		const { postHog } = nodes(workflow);
		expect(postHog.credentials).toEqual({ postHogPersonsApi: expect.objectContaining({ id: expect.any(String) }) });
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(workflow.nodes.some((node) => node.name === from)).toBe(true);
			for (const link of outputs.main.flat()) expect(workflow.nodes.some((node) => node.name === link?.node)).toBe(true);
		}
	}
});

test('GDPR form: the submitted distinct ID is resolved, deleted by UUID with events and recordings, and receipted', async () => {
	const sandbox = getSandbox();
	const workflow = read('gdpr-delete-on-form.json');
	const { postHog, trigger } = nodes(workflow);
	const person = [...sandbox.store.personsByUuid.values()].find((entry) => entry.distinctIds.some((id) => id.startsWith('user-')) && entry.distinctIds.length < 10);
	const distinctId = person!.distinctIds.find((id) => id.startsWith('user-'))!;
	const submission = (id: string, ref: string) => ({ 'Distinct ID': id, 'Request reference': ref, submittedAt: '2024-03-01T12:00:00Z', formMode: 'production' });
	const result = await runWorkflow(workflow, {
		credentials: { postHogPersonsApi: sandboxCredentials(sandbox) },
		pinData: { [trigger.name]: [submission(distinctId, 'R-1')] },
	});
	expect(result.error).toBeUndefined();
	expect(sandbox.requests.map((entry) => [entry.method, entry.path, entry.body])).toEqual([
		['POST', `/api/projects/${sandbox.projectId}/persons/batch_by_distinct_ids/`, { distinct_ids: [distinctId] }],
		[
			'POST',
			`/api/projects/${sandbox.projectId}/persons/bulk_delete/`,
			{ ids: [person!.uuid], delete_events: true, delete_recordings: true, keep_person: false },
		],
	]);
	const [item] = result.output(postHog.name);
	expect(item.json).toMatchObject({ id: distinctId, outcome: 'deleted', personUuid: person!.uuid, deleteEvents: true });
	expect(result.output('Deletion Receipts')).toHaveLength(1);
	expect(result.output(postHog.name, 1)).toEqual([]);
	expect(sandbox.store.getPerson(person!.uuid)).toBeUndefined();
	expect(sandbox.store.asyncDeletions.some((row) => row.person_uuid === person!.uuid)).toBe(true);
});

test('GDPR form: a person PostHog refuses to delete leaves on the error output to "Failed Deletions"', async () => {
	const sandbox = getSandbox();
	const workflow = read('gdpr-delete-on-form.json');
	const { postHog, trigger } = nodes(workflow);
	const person = [...sandbox.store.personsByUuid.values()].filter((entry) => entry.distinctIds.length > 0).at(-1)!;
	sandbox.store.refusedDeletions.add(person.uuid);
	try {
		const result = await runWorkflow(workflow, {
			credentials: { postHogPersonsApi: sandboxCredentials(sandbox) },
			pinData: { [trigger.name]: [{ 'Distinct ID': person.distinctIds[0], 'Request reference': 'R-2' }] },
		});
		expect(result.error).toBeUndefined();
		expect(result.output(postHog.name)).toEqual([]);
		const [failed] = result.output('Failed Deletions');
		expect(failed.json).toMatchObject({ 'Request reference': 'R-2', details: { id: person.distinctIds[0], outcome: 'failed', personUuid: person.uuid } });
		expect(String(failed.json.error)).toMatch(/^Deletion failed for/);
		expect(sandbox.store.getPerson(person.uuid)).toBeDefined();
	} finally {
		sandbox.store.refusedDeletions.delete(person.uuid);
	}
});

test('weekly funnel export: a CSV of exactly the persons who dropped off at step 2', async () => {
	const sandbox = getSandbox();
	const workflow = read('weekly-funnel-dropoff-csv.json');
	const { postHog, trigger } = nodes(workflow);
	const insight = sandbox.store.insights.find((entry) => entry.short_id === (postHog.parameters.insightId as IDataObject).value);
	expect(insight?.name).toBe('Signup funnel');
	const source = (insight!.query as IDataObject).source as IDataObject;
	const steps = (source.series as IDataObject[]).map((step) => isEvent(String(step.event)));
	const days = Number(/^-(\d+)d$/.exec(String((source.dateRange as IDataObject).date_from))![1]);

	const result = await runWorkflow(workflow, {
		credentials: { postHogPersonsApi: sandboxCredentials(sandbox) },
		pinData: { [trigger.name]: [{ timestamp: '2024-03-04T08:00:00Z' }] },
	});
	expect(result.error).toBeUndefined();
	const [file] = result.output(postHog.name);
	expect(file.binary?.data.mimeType).toBe('text/csv');
	expect(file.binary?.data.fileName).toMatch(/^signup-funnel-dropoffs-\d{4}-\d\d-\d\d\.csv$/);
	const rows = parseCsv(binaryText(file)).rows;
	const expected = funnelPersons(sandbox, steps, lastDays(sandbox, days)).filter((entry) => entry.best.steps.length === 1);
	expect(rows.map((row) => row.id).sort()).toEqual(expected.map((entry) => entry.personId).sort());
	expect(file.json.rows).toBe(rows.length);
	expect(rows.length).toBeGreaterThan(0);
});

test('domain list: persons whose email contains @example.com, at most 25', async () => {
	const sandbox = getSandbox();
	const workflow = read('list-persons-of-a-domain.json');
	const { postHog, trigger } = nodes(workflow);
	const result = await runWorkflow(workflow, {
		credentials: { postHogPersonsApi: sandboxCredentials(sandbox) },
		pinData: { [trigger.name]: [{}] },
	});
	expect(result.error).toBeUndefined();
	const items = result.output(postHog.name);
	const matching = [...sandbox.store.personsByUuid.values()].filter((person) =>
		String(person.properties.email ?? '').toLowerCase().includes('@example.com'),
	);
	expect(items).toHaveLength(Math.min(25, matching.length));
	for (const item of items) expect(String((item.json.properties as IDataObject).email)).toContain('@example.com');
	// Get Many lists through the Query API: one ActorsQuery page of 25
	expect(sandbox.requests).toHaveLength(1);
	expect(sandbox.requests[0].method).toBe('POST');
	expect((sandbox.requests[0].body as IDataObject).query).toMatchObject({
		kind: 'ActorsQuery',
		orderBy: ['created_at DESC', 'id DESC'],
		limit: 25,
		properties: [{ key: 'email', operator: 'icontains', value: '@example.com', type: 'person' }],
	});
});

test('weekly persons export: a CSV of every person, each once', async () => {
	const sandbox = getSandbox();
	const workflow = read('weekly-persons-export-csv.json');
	const { postHog, trigger } = nodes(workflow);
	const result = await runWorkflow(workflow, {
		credentials: { postHogPersonsApi: sandboxCredentials(sandbox) },
		pinData: { [trigger.name]: [{ timestamp: '2024-03-03T23:00:00Z' }] },
	});
	expect(result.error).toBeUndefined();
	const [file] = result.output(postHog.name);
	expect(file.binary?.data.mimeType).toBe('text/csv');
	expect(file.binary?.data.fileName).toMatch(/^posthog-persons-\d{4}-\d\d-\d\d\.csv$/);
	const rows = parseCsv(binaryText(file)).rows;
	expect(rows.map((row) => row.uuid).sort()).toEqual([...sandbox.store.personsByUuid.keys()].sort());
	expect(file.json.rows).toBe(rows.length);
});
