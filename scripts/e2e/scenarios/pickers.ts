/**
 * Scenario "pickers": the node's lists loaded through n8n's REST API as the editor loads them
 * (`POST /rest/dynamic-node-parameters/resource-locator-results` with the stored credential and
 * the panel's parameters): saved insights of the operation's kind, cohorts, the nodes of a paths
 * insight, and a key without a list's scope, for which the list names the scope to add.
 */
import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import type { N8nClient } from '../lib/n8n';
import { CREDENTIAL_TYPE, NODE_TYPE } from '../lib/paths';
import { logged, type E2eScenario } from '../lib/runHelpers';
import { CREDENTIAL_ID, CREDENTIAL_NAME, credentialData } from '../lib/setup';

const ROUTE = '/rest/dynamic-node-parameters/resource-locator-results';

function listRequest(methodName: string, path: string, parameters: Record<string, unknown>, credential: { id: string; name: string }, filter?: string) {
	return {
		nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
		methodName,
		path,
		currentNodeParameters: parameters,
		credentials: { [CREDENTIAL_TYPE]: credential },
		...(filter ? { filter } : {}),
	};
}

async function scenarioPickers(s: Scenario, client: N8nClient, sandbox: Sandbox): Promise<void> {
	const stored = { id: CREDENTIAL_ID, name: CREDENTIAL_NAME };

	// Saved Insight of Get Retention Persons: only retention insights
	sandbox.clearRequests();
	const insights = await client.ok('POST', ROUTE, listRequest('searchInsights', 'parameters.insightId', { resource: 'insight', operation: 'getRetentionPersons', insightSource: 'saved' }, stored));
	const expected = sandbox.store.insights.filter((i) => (i.query.source as { kind?: string } | undefined)?.kind === 'RetentionQuery').sort((a, b) => b.last_modified_at - a.last_modified_at);
	s.equal(insights.data.results.map((entry: { value: string }) => entry.value), expected.map((i) => i.short_id), 'the Saved Insight list holds exactly the retention insights, newest first');
	s.equal(insights.data.results[0]?.url, `${sandbox.url}/project/${sandbox.projectId}/insights/${expected[0].short_id}`, 'each entry links to the insight in PostHog');
	const insightCalls = logged(sandbox, 'GET', /\/insights\/?$/);
	s.equal(insightCalls.map((call) => [call.query.insight, call.query.basic, call.keyName]), [['RETENTION', 'true', 'all']], 'n8n asked PostHog for RETENTION insights (basic), with the stored key');

	// Cohort of Get Many, with a search
	const cohorts = await client.ok('POST', ROUTE, listRequest('searchCohorts', 'parameters.filters.cohortId', { resource: 'person', operation: 'getAll', filters: {} }, stored, 'customers'));
	const customerCohorts = sandbox.store.cohorts.filter((c) => !c.deleted && c.name.toLowerCase().includes('customers')).map((c) => String(c.id));
	s.check(customerCohorts.length > 0, 'the sandbox has cohorts named "…customers" (test data sanity)', customerCohorts);
	s.equal(cohorts.data.results.map((entry: { value: string }) => entry.value).sort(), customerCohorts.sort(), 'the Cohort list finds exactly the cohorts whose name contains "customers"');

	// Node of Get Paths Persons: the nodes of the saved paths insight
	const site = s.require(sandbox.store.insights.find((i) => i.name === 'Site paths'), 'the sandbox seeds "Site paths"');
	sandbox.clearRequests();
	const nodes = await client.ok(
		'POST',
		ROUTE,
		listRequest(
			'searchPathNodes',
			'parameters.pathNode',
			{ resource: 'insight', operation: 'getPathsPersons', insightSource: 'saved', insightId: { __rl: true, mode: 'list', value: site.short_id }, pathPersons: 'reached' },
			stored,
		),
	);
	const query = logged(sandbox, 'POST', /\/query\/?$/)[0];
	s.equal((query?.body as { query?: { kind?: string } } | undefined)?.query?.kind, 'PathsQuery', 'the node list ran the insight\'s PathsQuery');
	const keys: string[] = nodes.data.results.map((entry: { value: string }) => entry.value);
	s.check(keys.length > 5 && keys.every((key) => /^\d+_https:\/\//.test(key)), 'the node list holds node keys like 2_https://…', keys.slice(0, 5));

	// a key without action:read: the Action list says which scope to add
	const restricted = await client.ok('POST', '/rest/credentials', {
		name: 'PostHog sandbox (read-only key)',
		type: CREDENTIAL_TYPE,
		data: credentialData({ url: sandbox.url, projectId: sandbox.projectId, apiKey: sandbox.keys.readOnly }),
	});
	const readOnly = { id: String(restricted.data.id), name: String(restricted.data.name) };
	const denied = await client.request('POST', ROUTE, listRequest('searchActions', 'parameters.insightSeries.entry[0].actionId', { resource: 'insight', operation: 'getTrendsPersons', insightSource: 'defined' }, readOnly));
	s.note(`actions list with the read-only key: HTTP ${denied.status} ${denied.text.slice(0, 300)}`);
	s.check(denied.status >= 400, 'n8n answers the failed list with an error status', denied.status);
	s.check(denied.text.includes('The API key lacks the scope action:read, which the list of actions needs'), 'the error names the missing scope action:read', denied.text.slice(0, 300));
	s.check(!denied.text.includes(sandbox.keys.readOnly), 'the error does not contain the API key');
}

export const pickersScenario: E2eScenario = {
	key: 'pickers',
	title: 'The node\'s lists through n8n\'s REST API (saved insights, cohorts, path nodes, missing scope)',
	stage: 'server',
	run: (s, env) => scenarioPickers(s, env.client as N8nClient, env.sandbox),
};
