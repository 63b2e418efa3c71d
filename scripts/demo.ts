/**
 * `npm run demo`: runs the example workflows of examples/ inside n8n-core's engine (the same
 * harness the tests use) and prints what happened.
 *
 * - Default: against the embedded PostHog sandbox (no account needed): the GDPR form deletion,
 *   the weekly funnel drop-off CSV export, the weekly CSV export of every person and a read-only
 *   person search.
 * - With POSTHOG_HOST, POSTHOG_PROJECT_ID and POSTHOG_API_KEY set: only the read-only examples,
 *   against that PostHog (POSTHOG_FUNNEL_INSIGHT = short ID of one of your funnels, for the export).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../sandbox';
import { NODE_TYPE, binaryText, runWorkflow, type WorkflowJson } from '../test/harness/engine';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const OUTPUT = path.join(EXAMPLES, 'output');

function readExample(file: string): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as WorkflowJson;
}

function postHogNode(workflow: WorkflowJson) {
	const node = workflow.nodes.find((entry) => entry.type === NODE_TYPE);
	if (!node) throw new Error(`${workflow.name}: no PostHog Persons node`);
	return node;
}

function triggerNode(workflow: WorkflowJson) {
	const node = workflow.nodes.find((entry) => /trigger/i.test(entry.type));
	if (!node) throw new Error(`${workflow.name}: no trigger node`);
	return node;
}

function heading(text: string) {
	console.log(`\n━━ ${text}`);
}

function failOn(result: { error?: Error }, what: string) {
	if (result.error) throw new Error(`${what} failed: ${result.error.message}`);
}

function saveCsv(item: INodeExecutionData): { file: string; rows: number } {
	fs.mkdirSync(OUTPUT, { recursive: true });
	const file = path.join(OUTPUT, String(item.json.fileName ?? 'export.csv'));
	fs.writeFileSync(file, binaryText(item));
	return { file, rows: Number(item.json.rows ?? 0) };
}

async function demoGdprDeletion(sandbox: Sandbox, credentials: ICredentialDataDecryptedObject) {
	const workflow = readExample('gdpr-delete-on-form.json');
	heading(`${workflow.name}  (examples/gdpr-delete-on-form.json)`);
	// somebody with events, as a privacy team would get them: by the ID the app uses
	const person = [...sandbox.store.personsByUuid.values()].find(
		(entry) => entry.distinctIds.some((id) => id.startsWith('user-')) && (sandbox.store.eventsByPerson.get(entry.uuid)?.length ?? 0) > 3,
	);
	if (!person) throw new Error('the sandbox has no identified person with events');
	const distinctId = person.distinctIds.find((id) => id.startsWith('user-')) as string;
	const eventsBefore = sandbox.store.eventsByPerson.get(person.uuid)?.length ?? 0;
	const submission: IDataObject = {
		'Distinct ID': distinctId,
		'Request reference': 'GDPR-DEMO-0001',
		submittedAt: new Date().toISOString(),
		formMode: 'production',
	};
	console.log(`Form submitted: Distinct ID "${distinctId}" (person ${person.uuid}, ${person.properties.email ?? 'no email'}, ${eventsBefore} events)`);
	const result = await runWorkflow(workflow, {
		credentials: { postHogPersonsApi: credentials },
		pinData: { [triggerNode(workflow).name]: [submission] },
	});
	failOn(result, 'GDPR deletion');
	const [receipt] = result.output(postHogNode(workflow).name);
	const failed = result.output(postHogNode(workflow).name, 1);
	if (failed.length > 0) throw new Error(`the deletion failed: ${String(failed[0].json.error)}`);
	console.log(
		`Receipt: ${receipt?.json.id} → ${receipt?.json.outcome}, person ${receipt?.json.personUuid}, distinct IDs ${JSON.stringify(receipt?.json.distinctIds)}, events queued for deletion: ${receipt?.json.deleteEvents}`,
	);
	const gone = sandbox.store.getPerson(person.uuid) === undefined;
	const pending = sandbox.store.asyncDeletions.filter((row) => row.person_uuid === person.uuid && row.delete_verified_at === null);
	console.log(`Sandbox afterwards: person ${gone ? 'deleted' : 'STILL PRESENT'}; ${pending.length} event deletion pending (PostHog runs these in off-peak batches)`);
	// what PostHog's scheduled batch does later (the sandbox runs it on request)
	sandbox.store.processAsyncDeletions();
	const eventsAfter = sandbox.store.eventsByPerson.get(person.uuid)?.length ?? 0;
	console.log(`After the deletion batch: events ${eventsBefore} → ${eventsAfter} (Get Deletion Status shows it as completed)`);
	if (!gone || eventsAfter !== 0) throw new Error('the person or their events were not deleted');
	return { deleted: distinctId, eventsBefore, eventsAfter };
}

async function demoFunnelExport(credentials: ICredentialDataDecryptedObject, insightOverride?: string) {
	const workflow = readExample('weekly-funnel-dropoff-csv.json');
	heading(`${workflow.name}  (examples/weekly-funnel-dropoff-csv.json)`);
	const node = postHogNode(workflow);
	if (insightOverride) {
		const mode = /^https?:\/\//i.test(insightOverride) ? 'url' : 'id';
		node.parameters = { ...node.parameters, insightId: { __rl: true, mode, value: insightOverride } };
	}
	console.log(`Saved funnel ${(node.parameters.insightId as IDataObject).value}: persons who dropped off at step ${node.parameters.step}`);
	const result = await runWorkflow(workflow, {
		credentials: { postHogPersonsApi: credentials },
		pinData: { [triggerNode(workflow).name]: [{ timestamp: new Date().toISOString(), 'Day of week': 'Monday' }] },
	});
	failOn(result, 'Funnel export');
	const [item] = result.output(node.name);
	if (!item?.binary) throw new Error('the funnel node returned no CSV file');
	const saved = saveCsv(item);
	const header = binaryText(item).split('\r\n')[0];
	console.log(`Exported ${saved.rows} persons (${item.json.bytes} bytes) to ${path.relative(ROOT, saved.file)}`);
	console.log(`CSV columns: ${header.slice(0, 160)}${header.length > 160 ? '…' : ''}`);
	return saved;
}

async function demoPersonsExport(credentials: ICredentialDataDecryptedObject) {
	const workflow = readExample('weekly-persons-export-csv.json');
	heading(`${workflow.name}  (examples/weekly-persons-export-csv.json)`);
	const node = postHogNode(workflow);
	const result = await runWorkflow(workflow, {
		credentials: { postHogPersonsApi: credentials },
		pinData: { [triggerNode(workflow).name]: [{ timestamp: new Date().toISOString(), 'Day of week': 'Sunday' }] },
	});
	failOn(result, 'Persons export');
	const [item] = result.output(node.name);
	if (!item?.binary) throw new Error('the export node returned no CSV file');
	const saved = saveCsv(item);
	console.log(`Exported ${saved.rows} persons (${item.json.bytes} bytes, ${item.json.columns} columns) to ${path.relative(ROOT, saved.file)}`);
	return saved;
}

async function demoDomainList(credentials: ICredentialDataDecryptedObject) {
	const workflow = readExample('list-persons-of-a-domain.json');
	heading(`${workflow.name}  (examples/list-persons-of-a-domain.json)`);
	const result = await runWorkflow(workflow, {
		credentials: { postHogPersonsApi: credentials },
		pinData: { [triggerNode(workflow).name]: [{}] },
	});
	failOn(result, 'Person search');
	const items = result.output(postHogNode(workflow).name);
	console.log(`${items.length} persons, e.g.:`);
	for (const item of items.slice(0, 3)) {
		console.log(`  ${(item.json.properties as IDataObject)?.email}  (${(item.json.distinct_ids as string[])?.[0]})`);
	}
	return items.length;
}

function liveCredentials(): ICredentialDataDecryptedObject | undefined {
	const host = process.env.POSTHOG_HOST;
	const projectId = process.env.POSTHOG_PROJECT_ID;
	const apiKey = process.env.POSTHOG_API_KEY;
	if (!host || !projectId || !apiKey) return undefined;
	const region = /^https:\/\/us\.posthog\.com\/?$/i.test(host) ? 'us' : /^https:\/\/eu\.posthog\.com\/?$/i.test(host) ? 'eu' : 'selfHosted';
	return { region, host, projectId, apiKey };
}

async function main() {
	const started = Date.now();
	const live = liveCredentials();
	if (live) {
		console.log(`Live mode: read-only examples against ${process.env.POSTHOG_HOST} (project ${live.projectId})`);
		const listed = await demoDomainList(live);
		await demoPersonsExport(live);
		const funnel = process.env.POSTHOG_FUNNEL_INSIGHT;
		if (funnel) await demoFunnelExport(live, funnel);
		else console.log('\n(set POSTHOG_FUNNEL_INSIGHT to the short ID of one of your funnels to run the CSV export too)');
		console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: ${listed} persons listed. Nothing was written to PostHog.`);
		return;
	}
	const sandbox = await startSandbox({ port: 0, persons: 2000, seed: 42, quiet: true });
	try {
		console.log(`PostHog sandbox at ${sandbox.url} (project ${sandbox.projectId}, ${sandbox.store.personsByUuid.size} persons)`);
		const credentials: ICredentialDataDecryptedObject = {
			region: 'selfHosted',
			host: sandbox.url,
			projectId: String(sandbox.projectId),
			apiKey: sandbox.keys.all,
		};
		const deletion = await demoGdprDeletion(sandbox, credentials);
		const exported = await demoFunnelExport(credentials);
		const persons = await demoPersonsExport(credentials);
		const listed = await demoDomainList(credentials);
		heading('Summary');
		console.log(`Deleted: person with distinct ID ${deletion.deleted} and ${deletion.eventsBefore - deletion.eventsAfter} events`);
		console.log(`Exported: ${exported.rows} funnel drop-offs → ${path.relative(ROOT, exported.file)}`);
		console.log(`Exported: ${persons.rows} persons → ${path.relative(ROOT, persons.file)}`);
		console.log(`Listed: ${listed} persons of example.com`);
		console.log(`Requests sent to the sandbox: ${sandbox.requests.length}; done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	} finally {
		await sandbox.stop();
	}
}

main().catch((error) => {
	console.error(`\nDemo failed: ${(error as Error).message}`);
	process.exitCode = 1;
});
