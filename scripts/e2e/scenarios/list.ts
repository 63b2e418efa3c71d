/** Scenario "list": person getAll (through the Query API) with expressions evaluated by n8n (`n8n execute`). */
import * as path from 'node:path';

import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import type { N8nInstance } from '../lib/n8n';
import { ROOT } from '../lib/paths';
import { executeWorkflow, logged, nodeOutput, rel, sandboxApi, type E2eScenario } from '../lib/runHelpers';
import { postHogNodes, prepareWorkflow, readWorkflow, type WorkflowFile } from '../lib/setup';

let workflow: WorkflowFile | undefined;

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
	const requests = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/query/?$`));
	const items = nodeOutput(run, node.name);

	// sandbox side: one ActorsQuery page with the evaluated expressions, authorised with the credential's key
	s.equal(requests.length, 1, 'the sandbox received exactly one POST /query/ (Get Many lists through the Query API)');
	s.equal(logged(sandbox, 'GET', new RegExp(`^/api/projects/${sandbox.projectId}/persons/?$`)).length, 0, 'and no GET /persons/');
	const request = requests[0];
	const query = (request?.body as { query?: Record<string, unknown> } | undefined)?.query;
	if (request) {
		s.equal(query?.search, expectedSearch, `search is the evaluated expression ("${expectedSearch}")`);
		s.equal(query?.limit, expectedLimit, `limit is the evaluated expression (${expectedLimit})`);
		s.equal(query?.orderBy, ['created_at DESC', 'id DESC'], 'the order is unique and stable (created_at DESC, id DESC)');
		s.equal(request.keyName, 'all', 'the request carried the credential\'s API key (Bearer)');
		s.equal(request.status, 200, 'the sandbox answered 200');
	}

	// the sandbox's persons list for the same search (fetched after the run) holds the same persons, in the same order and shape
	const expected = await sandboxApi(sandbox, 'GET', `/api/projects/${sandbox.projectId}/persons/?search=${encodeURIComponent(expectedSearch)}&limit=${expectedLimit}`);
	const expectedUuids = (expected.results as Array<{ uuid: string }>).map((p) => p.uuid);
	s.equal(items.map((item) => item.json), expected.results, 'each item is exactly the persons-list item of GET /persons/');
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

export const listScenario: E2eScenario = {
	key: 'list',
	title: 'List persons with expressions (person getAll, n8n execute)',
	stage: 'cli',
	prepare(s) {
		const file = path.join(ROOT, 'test', 'e2e', 'workflows', 'list-persons-expression.json');
		s.note(`workflow: ${rel(file)}`);
		workflow = prepareWorkflow(readWorkflow(file), file);
		return { workflows: [workflow] };
	},
	run: (s, env) => scenarioList(s, env.instance, env.sandbox, workflow as WorkflowFile),
};
