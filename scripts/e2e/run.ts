/**
 * `npm run test:e2e`: this package inside a real n8n 2.41.1 (Node 24), against the PostHog sandbox.
 *
 *  1. installs the n8n host into .e2e/host (skipped when up to date), builds and packs this
 *     package, installs the tarball into a fresh N8N_USER_FOLDER/.n8n/nodes;
 *  2. starts the sandbox in this process, imports a credential pointing at it and the workflows;
 *  3. runs the scenarios and asserts on n8n's results AND the sandbox's state:
 *       list     person getAll with expressions, via `n8n execute`
 *       export   insight getFunnelPersons -> CSV -> Extract From File, via `n8n execute`
 *       types    node + tool variant in /types/nodes.json, credential test over REST
 *       form     published Form Trigger -> bulk delete with events, via `n8n start` + HTTP POST
 *
 * Every process is stopped by PID, also on failure and Ctrl-C. Exit code 1 on any failed check.
 * Options: --keep (leave .e2e/run for inspection; it is always kept on failure).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox, type Sandbox } from '../../sandbox';
import { ensureHost } from './install';
import { runScenario, Scenario } from './lib/checks';
import { HttpError, N8nClient, n8nCli, parseRawOutput, startN8n, type N8nInstance, type N8nServer } from './lib/n8n';
import { CREDENTIAL_TYPE, E2E_DIR, LOGS_DIR, N8N_VERSION, NODE_TYPE, ROOT, TOOL_NODE_TYPE } from './lib/paths';
import { buildPackage, installPackage, packPackage } from './lib/pkg';
import { cleanupAll, freePort, installSignalHandlers, log, onCleanup, seconds, tail } from './lib/procs';
import {
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	credentialData,
	downstream,
	formTriggers,
	postHogNodes,
	prepareWorkflow,
	readWorkflow,
	writeCredentialFile,
	writeWorkflows,
	type WorkflowFile,
	type WorkflowNode,
} from './lib/setup';

const RUN_DIR = path.join(E2E_DIR, 'run');
const USER_FOLDER = path.join(RUN_DIR, 'home');
const OWNER = { email: 'e2e-owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'E2e-Owner-Pass-1' };

const phases: Array<[string, number]> = [];
async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
	const started = Date.now();
	log(`${name} ...`);
	try {
		return await fn();
	} finally {
		phases.push([name, Date.now() - started]);
	}
}

/** examples/<name> when it exists, else the e2e copy under test/e2e/workflows. */
function pickWorkflow(example: string, fallback: string): { file: string; fromExamples: boolean } {
	const exampleFile = path.join(ROOT, 'examples', example);
	if (fs.existsSync(exampleFile)) return { file: exampleFile, fromExamples: true };
	return { file: path.join(ROOT, 'test', 'e2e', 'workflows', fallback), fromExamples: false };
}

function rel(file: string): string {
	return path.relative(ROOT, file);
}

// ------------------------------------------------------------------------------------ helpers

interface RunData {
	status?: string;
	finished?: boolean;
	data: { resultData: { runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: any; binary?: any }> | null> }; error?: any }>>; error?: any } };
}

function nodeOutput(run: RunData, nodeName: string): Array<{ json: any; binary?: any }> {
	const tasks = run.data.resultData.runData[nodeName];
	if (!tasks || tasks.length === 0) return [];
	return tasks[tasks.length - 1].data?.main?.[0] ?? [];
}

function runError(run: RunData): string | undefined {
	const error = run.data.resultData.error;
	if (!error) return undefined;
	return `${error.message ?? ''} ${error.description ?? ''}`.trim();
}

async function executeWorkflow(instance: N8nInstance, s: Scenario, workflowId: string): Promise<RunData> {
	const result = await n8nCli(instance, ['execute', `--id=${workflowId}`, '--rawOutput'], { allowFailure: true, timeoutMs: 180_000 });
	s.note(`n8n execute --id=${workflowId}: exit ${result.code} in ${seconds(result.ms)}`);
	s.require(result.code === 0, 'n8n execute exits 0', `exit ${result.code}\n${(result.stdout + result.stderr).split('\n').slice(-25).join('\n')}`);
	const run = parseRawOutput(result.stdout) as RunData;
	s.check(run.finished === true || run.status === 'success', 'the execution finished successfully', { status: run.status, finished: run.finished, error: runError(run) });
	return run;
}

/** Requests the sandbox logged under the project API (method + path regex). */
function logged(sandbox: Sandbox, method: string, pathPattern: RegExp) {
	return sandbox.requests.filter((entry) => entry.method === method && pathPattern.test(entry.path));
}

async function sandboxApi(sandbox: Sandbox, method: string, route: string, body?: unknown): Promise<any> {
	const res = await fetch(`${sandbox.url}${route}`, {
		method,
		headers: { authorization: `Bearer ${sandbox.keys.all}`, ...(body ? { 'content-type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`sandbox ${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
	return JSON.parse(text);
}

async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, intervalMs = 200): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await fn();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

// ------------------------------------------------------------------------------------ scenario: list

async function scenarioList(s: Scenario, instance: N8nInstance, sandbox: Sandbox, workflow: WorkflowFile): Promise<void> {
	const node = s.require(
		postHogNodes(workflow).find((n) => n.parameters.resource === 'person' && n.parameters.operation === 'getAll'),
		'the workflow has a PostHog Persons person/getAll node',
	);
	const setNode = s.require(workflow.nodes.find((n) => n.type === 'n8n-nodes-base.set'), 'the workflow has an Edit Fields node feeding the search');
	const domain = String(setNode.parameters.assignments.assignments.find((a: { name: string }) => a.name === 'domain')?.value);
	// what n8n's expression engine must produce for the two expression parameters
	s.equal(node.parameters.limit, '={{ 2 + 3 }}', 'Limit is an expression');
	s.equal(node.parameters.filters?.search, "={{ '@' + $json.domain.toLowerCase() }}", 'Search is an expression on the input item');
	const expectedLimit = 2 + 3;
	const expectedSearch = `@${domain.toLowerCase()}`;

	sandbox.clearRequests();
	const run = await executeWorkflow(instance, s, workflow.id);
	const requests = logged(sandbox, 'GET', new RegExp(`^/api/projects/${sandbox.projectId}/persons/?$`));
	const items = nodeOutput(run, node.name);

	// sandbox side: one list call with the evaluated expressions, authorised with the credential's key
	s.equal(requests.length, 1, 'the sandbox received exactly one GET /persons/');
	const request = requests[0];
	if (request) {
		s.equal(request.query.search, expectedSearch, `search= is the evaluated expression ("${expectedSearch}")`);
		s.equal(request.query.limit, String(expectedLimit), `limit= is the evaluated expression (${expectedLimit})`);
		s.equal(request.keyName, 'all', 'the request carried the credential\'s API key (Bearer)');
		s.equal(request.status, 200, 'the sandbox answered 200');
	}

	// the sandbox's own answer to that query (fetched again, after the run) is what n8n must output
	const expected = await sandboxApi(sandbox, 'GET', `/api/projects/${sandbox.projectId}/persons/?search=${encodeURIComponent(expectedSearch)}&limit=${expectedLimit}`);
	const expectedUuids = (expected.results as Array<{ uuid: string }>).map((p) => p.uuid);
	s.check(expectedUuids.length === expectedLimit, `the sandbox has at least ${expectedLimit} persons matching "${expectedSearch}" (test data sanity)`, expectedUuids.length);
	s.equal(items.length, expectedUuids.length, 'one n8n item per person');
	s.equal(
		items.map((item) => item.json.uuid),
		expectedUuids,
		'the items are the sandbox\'s persons, in the sandbox\'s order',
	);
	const needle = expectedSearch.toLowerCase();
	const mismatching = items.filter((item) => {
		const person = sandbox.store.getPerson(String(item.json.uuid));
		if (!person) return true;
		const email = String(person.properties.email ?? '').toLowerCase();
		return !email.includes(needle) && !person.distinctIds.some((d) => d.toLowerCase().includes(needle));
	});
	s.equal(mismatching.map((item) => item.json.uuid), [], `every item is a live sandbox person whose email or distinct ID contains "${needle}"`);
	s.check(
		items.every((item) => Array.isArray(item.json.distinct_ids) && item.json.properties && typeof item.json.properties === 'object'),
		'items carry distinct_ids and properties',
		items[0]?.json,
	);
}

// ------------------------------------------------------------------------------------ scenario: export

/** For a test copy of a scheduled example: `n8n execute` starts only at a Manual Trigger. */
function asManualRun(workflow: WorkflowFile, s: Scenario): WorkflowFile {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowFile;
	if (copy.nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger')) return copy;
	const trigger = copy.nodes.find((n) => /trigger$/i.test(n.type) && !Object.values(copy.connections).some((c) => (c.main ?? []).some((t) => (t ?? []).some((x) => x.node === n.name))));
	if (trigger) {
		s.note(`test copy: trigger "${trigger.name}" (${trigger.type}) replaced by a Manual Trigger for \`n8n execute\``);
		trigger.type = 'n8n-nodes-base.manualTrigger';
		trigger.typeVersion = 1;
		trigger.parameters = {};
		delete trigger.webhookId;
	}
	copy.id = `${copy.id.slice(0, 12)}Man1`;
	copy.name = `${copy.name} (e2e manual run)`;
	return copy;
}

function ensureCsvReader(workflow: WorkflowFile, funnelNode: WorkflowNode, s: Scenario): WorkflowNode {
	const next = downstream(workflow, funnelNode.name)
		.map((name) => workflow.nodes.find((n) => n.name === name))
		.find((n) => n?.type === 'n8n-nodes-base.extractFromFile');
	if (next) return next;
	const reader: WorkflowNode = {
		id: 'e2e-read-csv',
		name: 'Read CSV (e2e)',
		type: 'n8n-nodes-base.extractFromFile',
		typeVersion: 1.1,
		position: [funnelNode.position[0] + 240, funnelNode.position[1] + 200],
		parameters: { operation: 'csv', binaryPropertyName: funnelNode.parameters.binaryPropertyName ?? 'data', options: {} },
	};
	workflow.nodes.push(reader);
	const outputs = (workflow.connections[funnelNode.name] ??= { main: [[]] });
	outputs.main = outputs.main ?? [[]];
	outputs.main[0] = [...(outputs.main[0] ?? []), { node: reader.name, type: 'main', index: 0 }];
	s.note(`test copy: "${reader.name}" (Extract From File, CSV) added after "${funnelNode.name}"`);
	return reader;
}

export function prepareExportWorkflow(workflow: WorkflowFile, s: Scenario): { workflow: WorkflowFile; funnelNode: WorkflowNode; reader: WorkflowNode } {
	const copy = asManualRun(workflow, s);
	const funnelNode = s.require(
		postHogNodes(copy).find((n) => n.parameters.resource === 'insight' && n.parameters.operation === 'getFunnelPersons'),
		'the workflow has a PostHog Persons insight/getFunnelPersons node',
	);
	s.equal(funnelNode.parameters.output, 'csv', 'the funnel node outputs a CSV file');
	s.equal(funnelNode.parameters.dataPoint, 'droppedOff', 'the funnel node asks for drop-offs');
	const reader = ensureCsvReader(copy, funnelNode, s);
	return { workflow: copy, funnelNode, reader };
}

function actorUuid(cell: unknown): string | undefined {
	if (cell && typeof cell === 'object' && 'id' in (cell as object)) return String((cell as { id: unknown }).id);
	return typeof cell === 'string' ? cell : undefined;
}

async function scenarioExport(
	s: Scenario,
	instance: N8nInstance,
	sandbox: Sandbox,
	prepared: { workflow: WorkflowFile; funnelNode: WorkflowNode; reader: WorkflowNode },
): Promise<void> {
	const { workflow, funnelNode, reader } = prepared;
	sandbox.clearRequests();
	const run = await executeWorkflow(instance, s, workflow.id);

	// n8n side: one CSV file item, then one row item per person read by Extract From File
	const fileItems = nodeOutput(run, funnelNode.name);
	s.equal(fileItems.length, 1, 'the funnel node outputs one item holding the CSV file');
	const fileItem = s.require(fileItems[0], 'the CSV file item exists');
	const binaryField = funnelNode.parameters.binaryPropertyName ?? 'data';
	const binary = fileItem.binary?.[binaryField];
	s.check(Boolean(binary), `the item has binary data in "${binaryField}"`, fileItem.binary);
	s.equal(binary?.mimeType, 'text/csv', 'the binary data is text/csv');
	s.check(/\.csv$/.test(String(binary?.fileName ?? '')), 'the file name ends with .csv', binary?.fileName);
	const fileNameParameter = String(funnelNode.parameters.fileName ?? '');
	if (fileNameParameter.startsWith('=')) {
		s.check(!String(binary?.fileName).includes('{{') && !String(binary?.fileName).includes('$now'), 'the File Name expression was evaluated by n8n', binary?.fileName);
	} else if (fileNameParameter) {
		s.equal(binary?.fileName, fileNameParameter, 'the file has the configured name');
	}
	const rows = nodeOutput(run, reader.name);
	s.equal(rows.length, fileItem.json.rows, `"${reader.name}" (Extract From File) reads as many rows as the node reports (json.rows)`);
	const csvIds = rows.map((row) => String(row.json.id));
	s.equal(new Set(csvIds).size, csvIds.length, 'no person appears twice in the CSV');
	s.check(
		rows.every((row) => 'distinct_ids' in row.json || Object.keys(row.json).some((k) => k.startsWith('distinct_ids'))),
		'the CSV rows have distinct_ids columns',
		rows[0]?.json,
	);

	// sandbox side: the actors query the node sent, and the sandbox's full answer to it
	const queries = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/query/?$`));
	s.check(queries.length >= 1, 'the sandbox received the actors query (POST /query/)', queries.length);
	s.check(
		queries.every((entry) => entry.status === 200 || entry.status === 202),
		'the sandbox accepted every query',
		queries.map((q) => q.status),
	);
	const query = (queries[0]?.body as { query?: any } | undefined)?.query;
	const source = query?.source;
	s.equal(source?.kind, 'FunnelsActorsQuery', 'the query asks for funnel actors');
	s.check(typeof source?.funnelStep === 'number' && source.funnelStep <= -2, 'the query asks for drop-offs (negative funnelStep)', source?.funnelStep);
	const full = await sandboxApi(sandbox, 'POST', `/api/projects/${sandbox.projectId}/query/`, {
		query: { ...query, limit: 50_000, offset: 0 },
		refresh: 'force_blocking',
	});
	const actorColumn = (full.columns as string[]).findIndex((c) => c === 'person' || c === 'actor' || c === 'id');
	const expectedIds = (full.results as unknown[][]).map((row) => actorUuid(row[actorColumn])).filter((id): id is string => Boolean(id));
	s.check(expectedIds.length > 0, 'the sandbox has drop-off persons for this funnel (test data sanity)', expectedIds.length);
	s.equal(csvIds.length, expectedIds.length, `row count equals the sandbox's drop-off count (${expectedIds.length})`);
	s.equal([...csvIds].sort(), [...expectedIds].sort(), 'the CSV ids are exactly the sandbox\'s drop-off persons');

	// independent of the sandbox's funnel engine: conditions every drop-off at step 2 must meet
	const funnel = source?.source;
	const series = Array.isArray(funnel?.series) ? funnel.series : [];
	const eventsOnly = series.length >= 2 && series.every((entry: any) => entry.kind === 'EventsNode' && typeof entry.event === 'string');
	const order = funnel?.funnelsFilter?.funnelOrderType ?? 'ordered';
	const days = /^-(\d+)d$/.exec(String(funnel?.dateRange?.date_from ?? ''));
	if (source?.funnelStep === -2 && eventsOnly && order !== 'unordered') {
		const [first, second] = [series[0].event as string, series[1].event as string];
		const eventsOf = (uuid: string) => sandbox.store.eventsByPerson.get(uuid) ?? [];
		const withoutFirst = csvIds.filter((id) => !eventsOf(id).some((e) => e.event === first));
		s.equal(withoutFirst, [], `every drop-off person has a "${first}" event (sandbox store)`);
		if (days && !funnel?.filterTestAccounts && !funnel?.properties?.length) {
			const now = sandbox.store.now();
			const from = now - (Number(days[1]) - 1) * 86_400_000;
			const csvSet = new Set(csvIds);
			const mustDrop = [...sandbox.store.eventsByPerson.entries()]
				.filter(([uuid, evs]) => sandbox.store.personsByUuid.has(uuid) && evs.some((e) => e.event === first && e.timestamp >= from && e.timestamp <= now - 60_000) && !evs.some((e) => e.event === second))
				.map(([uuid]) => uuid);
			s.check(mustDrop.length > 0, `some persons did "${first}" in range but never "${second}" (test data sanity)`, mustDrop.length);
			const missing = mustDrop.filter((uuid) => !csvSet.has(uuid));
			s.equal(missing, [], `every person with "${first}" in the date range and no "${second}" at all is in the CSV (${mustDrop.length} persons)`);
		}
	} else {
		s.note('independent drop-off conditions skipped (not a step-2 drop-off of an ordered events-only funnel)');
	}
}

// ------------------------------------------------------------------------------------ scenario: types + credential test

interface CredentialRules {
	[status: number]: string;
}

function credentialRules(): CredentialRules {
	// the credential class n8n loaded (the same build that was packed)
	const file = path.join(ROOT, 'dist', 'credentials', 'PostHogPersonsApi.credentials.js');
	const { PostHogPersonsApi } = require(file);
	const rules: CredentialRules = {};
	for (const rule of new PostHogPersonsApi().test.rules ?? []) {
		if (rule.type === 'responseCode') rules[rule.properties.value] = rule.properties.message;
	}
	return rules;
}

async function scenarioTypes(s: Scenario, client: N8nClient, sandbox: Sandbox): Promise<void> {
	const unauthenticated = await new N8nClient(client.url).request('GET', '/types/nodes.json');
	s.equal(unauthenticated.status, 401, '/types/nodes.json needs a login (401 without the cookie)');
	const types = await client.ok('GET', '/types/nodes.json');
	s.check(Array.isArray(types) && types.length > 100, 'n8n lists its node types', Array.isArray(types) ? types.length : typeof types);
	const node = (types as any[]).find((t) => t.name === NODE_TYPE);
	const tool = (types as any[]).find((t) => t.name === TOOL_NODE_TYPE);
	s.check(Boolean(node), `${NODE_TYPE} is listed`);
	s.check(Boolean(tool), `${TOOL_NODE_TYPE} (AI tool variant) is listed`);
	s.equal(node?.displayName, 'PostHog Persons', 'display name');
	s.check((node?.credentials ?? []).some((c: { name: string }) => c.name === CREDENTIAL_TYPE), `the node uses ${CREDENTIAL_TYPE}`, node?.credentials);
	const resources = (node?.properties ?? []).find((p: { name: string }) => p.name === 'resource')?.options?.map((o: { value: string }) => o.value);
	s.check(Array.isArray(resources) && resources.includes('person') && resources.includes('insight'), 'resources person and insight', resources);
	s.check(Array.isArray(tool?.outputs) && JSON.stringify(tool.outputs).includes('ai_tool'), 'the tool variant outputs ai_tool', tool?.outputs);

	const credentialTypes = await client.ok('GET', '/types/credentials.json');
	s.check((credentialTypes as any[]).some((c) => c.name === CREDENTIAL_TYPE), `credential type ${CREDENTIAL_TYPE} is listed`);

	// credential test: POST /rest/credentials/test {credentials: {id, name, type, data}} (n8n's CredentialsController)
	const rules = credentialRules();
	const good = credentialData({ url: sandbox.url, projectId: sandbox.projectId, apiKey: sandbox.keys.all });
	const testWith = async (label: string, data: Record<string, string>) => {
		sandbox.clearRequests();
		const answer = await client.ok('POST', '/rest/credentials/test', {
			credentials: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data },
		});
		const calls = logged(sandbox, 'GET', /\/persons\/?$/);
		s.note(`credential test "${label}": n8n ${JSON.stringify(answer.data)}; sandbox ${calls.map((c) => `${c.method} ${c.path}?${new URLSearchParams(c.query as Record<string, string>)} -> ${c.status}`).join(', ')}`);
		return { result: answer.data as { status: string; message: string }, calls };
	};

	const ok = await testWith('good key', good);
	s.equal(ok.result.status, 'OK', 'the stored credential tests OK');
	s.equal(ok.calls.length, 1, 'the test made one request to the sandbox');
	s.equal(ok.calls[0]?.path, `/api/projects/${sandbox.projectId}/persons/`, 'it lists the persons of the project');
	s.equal(ok.calls[0]?.keyName, 'all', 'with the stored key');

	const badKey = await testWith('bad key', { ...good, apiKey: `phx_${'x'.repeat(40)}` });
	s.equal(badKey.calls[0]?.status, 401, 'the sandbox rejects the bad key with 401');
	s.equal(badKey.result, { status: 'Error', message: rules[401] }, 'n8n shows the credential\'s 401 message');

	const wrongProject = await testWith('wrong project id', { ...good, projectId: String(sandbox.projectId + 4242) });
	const status = wrongProject.calls[0]?.status;
	s.check(status === 403 || status === 404, 'the sandbox refuses the unknown project (403/404)', status);
	s.equal(wrongProject.result, { status: 'Error', message: rules[status ?? 0] }, `n8n shows the credential's ${status} message`);

	const otherProjectKey = await testWith('key of another project', { ...good, apiKey: sandbox.keys.otherProject });
	s.equal(otherProjectKey.calls[0]?.status, 403, 'the sandbox refuses a key restricted to another project with 403');
	s.equal(otherProjectKey.result, { status: 'Error', message: rules[403] }, 'n8n shows the credential\'s 403 message');
}

// ------------------------------------------------------------------------------------ scenario: form

async function postForm(url: string, fields: Record<string, string>): Promise<{ status: number; text: string; attempts: number }> {
	let attempts = 0;
	const deadline = Date.now() + 20_000;
	for (;;) {
		attempts++;
		const form = new FormData();
		for (const [key, value] of Object.entries(fields)) form.append(key, value);
		const res = await fetch(url, { method: 'POST', body: form });
		const text = await res.text();
		// n8n can answer ready before the published workflows' webhooks are registered
		if (res.status !== 404 || Date.now() > deadline) return { status: res.status, text, attempts };
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

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

// ------------------------------------------------------------------------------------ main

async function main(): Promise<number> {
	installSignalHandlers();
	const started = Date.now();
	const keep = process.argv.includes('--keep');
	const scenarios: Scenario[] = [];
	let server: N8nServer | undefined;
	let failedSetup: string | undefined;
	let hostInstalled = false;

	try {
		const host = await phase('n8n host install (skipped when up to date)', () => ensureHost());
		hostInstalled = host.installed;
		await phase('npm run build', () => buildPackage());
		const tarball = await phase('npm pack', () => packPackage());
		log(`  ${rel(tarball)}`);

		fs.rmSync(RUN_DIR, { recursive: true, force: true });
		fs.mkdirSync(USER_FOLDER, { recursive: true });
		for (const name of fs.existsSync(LOGS_DIR) ? fs.readdirSync(LOGS_DIR) : []) {
			if (name.startsWith('e2e-')) fs.rmSync(path.join(LOGS_DIR, name), { force: true });
		}
		await phase('install the tarball into .n8n/nodes', () => installPackage(USER_FOLDER, tarball));

		const sandbox = await phase('start the sandbox', () => startSandbox({ port: 0, persons: 400, seed: 42, quiet: true }));
		onCleanup(() => sandbox.stop());
		log(`  sandbox at ${sandbox.url} (project ${sandbox.projectId})`);

		const instance: N8nInstance = { userFolder: USER_FOLDER, port: await freePort(), logName: 'e2e' };

		// workflows: the examples once they exist, else the e2e copies
		const list = new Scenario('list', 'List persons with expressions (person getAll, n8n execute)');
		const exportScenario = new Scenario('export', 'Funnel drop-offs -> CSV -> Extract From File (n8n execute)');
		const types = new Scenario('types', 'Node types listing and credential test (REST)');
		const form = new Scenario('form', 'Published Form Trigger -> bulk delete with events (n8n start)');
		scenarios.push(list, exportScenario, types, form);

		const listPick = { file: path.join(ROOT, 'test', 'e2e', 'workflows', 'list-persons-expression.json'), fromExamples: false };
		const exportPick = pickWorkflow('weekly-funnel-dropoff-csv.json', 'funnel-dropoff-csv.json');
		const formPick = pickWorkflow('gdpr-delete-on-form.json', 'gdpr-delete-on-form.json');
		list.note(`workflow: ${rel(listPick.file)}`);
		exportScenario.note(`workflow: ${rel(exportPick.file)}`);
		form.note(`workflow: ${rel(formPick.file)}`);
		const listWorkflow = prepareWorkflow(readWorkflow(listPick.file), listPick.file);
		const formWorkflow = prepareWorkflow(readWorkflow(formPick.file), formPick.file);
		let exportPrepared: ReturnType<typeof prepareExportWorkflow> | undefined;
		try {
			exportPrepared = prepareExportWorkflow(prepareWorkflow(readWorkflow(exportPick.file), exportPick.file), exportScenario);
		} catch (error) {
			exportScenario.error = (error as Error).message;
		}
		const workflows = [listWorkflow, formWorkflow, ...(exportPrepared ? [exportPrepared.workflow] : [])];

		await phase('n8n import:credentials + import:workflow', async () => {
			const credentialFile = path.join(RUN_DIR, 'credentials.json');
			writeCredentialFile(credentialFile, { url: sandbox.url, projectId: sandbox.projectId, apiKey: sandbox.keys.all });
			await n8nCli(instance, ['import:credentials', `--input=${credentialFile}`]);
			const workflowDir = path.join(RUN_DIR, 'workflows');
			writeWorkflows(workflowDir, workflows);
			await n8nCli(instance, ['import:workflow', '--separate', `--input=${workflowDir}`]);
		});

		await phase('scenario list (n8n execute)', () => runScenario(list, (s) => scenarioList(s, instance, sandbox, listWorkflow)));
		if (exportPrepared) {
			const prepared = exportPrepared;
			await phase('scenario export (n8n execute)', () => runScenario(exportScenario, (s) => scenarioExport(s, instance, sandbox, prepared)));
		}

		await phase('n8n publish:workflow (form)', () => n8nCli(instance, ['publish:workflow', `--id=${formWorkflow.id}`]));
		server = await phase('n8n start (until /healthz/readiness)', () => startN8n(instance));
		const client = new N8nClient(server.url);
		await phase('owner setup, login, API key (REST)', async () => {
			await client.setupOwner(OWNER);
			await client.login(OWNER);
			await client.createApiKey('e2e');
		});
		const running = server;
		await phase('scenario types (REST)', () => runScenario(types, (s) => scenarioTypes(s, client, sandbox)));
		await phase('scenario form (HTTP form POST)', () => runScenario(form, (s) => scenarioForm(s, client, running, sandbox, formWorkflow)));
	} catch (error) {
		failedSetup = error instanceof HttpError ? `${error.message}` : ((error as Error).stack ?? String(error));
	} finally {
		if (server) await phase('stop n8n (SIGTERM by PID)', () => (server as N8nServer).stop());
		await cleanupAll();
	}

	// ------------------------------------------------------------------ summary
	const failed = Boolean(failedSetup) || scenarios.some((s) => !s.ok);
	const out: string[] = [''];
	out.push(`==== e2e summary: this package in real n8n ${N8N_VERSION} ====`);
	out.push('Timings:');
	for (const [name, ms] of phases) out.push(`  ${seconds(ms).padStart(8)}  ${name}`);
	out.push(`  ${seconds(Date.now() - started).padStart(8)}  TOTAL${hostInstalled ? ' (including the host install)' : ''}`);
	for (const s of scenarios) {
		const passed = s.checks.filter((c) => c.ok).length;
		out.push('');
		out.push(`${s.ok ? 'PASS' : 'FAIL'}  ${s.title}  (${passed}/${s.checks.length} checks, ${seconds(s.ms)})`);
		for (const note of s.notes) out.push(`      note: ${note}`);
		for (const c of s.checks) {
			out.push(`   ${c.ok ? '✓' : '✗'} ${c.name}`);
			if (!c.ok && c.detail) out.push(`        ${c.detail.split('\n').join('\n        ')}`);
		}
		if (s.error && !s.error.startsWith('Error: precondition failed')) out.push(`   ✗ error: ${s.error.split('\n').slice(0, 12).join('\n     ')}`);
		if (s.checks.length === 0 && !s.error) out.push('   ✗ no checks ran');
	}
	if (failedSetup) {
		out.push('');
		out.push(`FAIL  setup: ${failedSetup}`);
	}
	if (failed) {
		for (const name of ['e2e-server.log', 'e2e-cli.log']) {
			const file = path.join(LOGS_DIR, name);
			const text = tail(file, 40);
			if (text) out.push('', `---- tail of ${rel(file)} ----`, text);
		}
	}
	out.push('');
	const total = scenarios.length;
	const passedScenarios = scenarios.filter((s) => s.ok).length;
	out.push(failed ? `E2E FAILED: ${passedScenarios}/${total} scenarios passed. Logs: ${rel(LOGS_DIR)}/, state: ${rel(RUN_DIR)}/` : `E2E PASSED: ${passedScenarios}/${total} scenarios in ${seconds(Date.now() - started)}`);
	process.stdout.write(`${out.join('\n')}\n`);
	if (!failed && !keep) fs.rmSync(RUN_DIR, { recursive: true, force: true });
	return failed ? 1 : 0;
}

if (require.main === module) {
	main()
		.then((code) => process.exit(code))
		.catch(async (error) => {
			process.stderr.write(`${(error as Error).stack ?? error}\n`);
			await cleanupAll();
			process.exit(1);
		});
}
