/**
 * Scenario "paths": Get Paths Persons in real n8n (`n8n execute`) on the saved "Site paths" insight:
 * the persons who reached the busiest node, and those who went along the busiest link. n8n's items
 * and counts are compared with the paths computed from the seeded events (test/insight/reference.ts).
 */
import type { Sandbox } from '../../../sandbox';
import { lastDays, pageviewPaths, pathPersons } from '../../../test/insight/reference';
import type { Scenario } from '../lib/checks';
import type { N8nInstance } from '../lib/n8n';
import { executeWorkflow, logged, nodeOutput, type E2eScenario } from '../lib/runHelpers';
import type { WorkflowFile } from '../lib/setup';
import { manualTriggerWorkflow, postHogNode } from '../lib/workflowBuilder';

const WORKFLOW_ID = 'E2ePathsPersons1';
const REACHED = 'Reached the busiest node';
const EDGE = 'Went along the busiest link';

let plan: { from: string; to: string; shortId: string } | undefined;

const sitePaths = (sandbox: Sandbox) => pageviewPaths(sandbox, lastDays(sandbox, 14), 5);


function prepare(s: Scenario, sandbox: Sandbox): WorkflowFile {
	const insight = s.require(sandbox.store.insights.find((i) => i.name === 'Site paths'), 'the sandbox seeds the saved insight "Site paths"');
	const links = new Map<string, number>();
	for (const { path } of sitePaths(sandbox)) for (const step of path) if (step.previousKey) links.set(`${step.previousKey}\n${step.key}`, (links.get(`${step.previousKey}\n${step.key}`) ?? 0) + 1);
	const [busiest] = [...links.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
	const [from, to] = s.require(busiest, 'the seeded events have page-view paths (test data sanity)')[0].split('\n');
	plan = { from, to, shortId: insight.short_id };
	s.note(`saved insight ${insight.short_id}; busiest link ${from} → ${to}`);
	const url = `${sandbox.url}/project/${sandbox.projectId}/insights/${insight.short_id}`;
	const paths = { resource: 'insight', operation: 'getPathsPersons', returnAll: true, insightSource: 'saved' };
	return manualTriggerWorkflow(WORKFLOW_ID, 'E2E: paths persons', [
		postHogNode(REACHED, [240, -100], {
			...paths,
			insightId: { __rl: true, mode: 'url', value: url },
			pathPersons: 'reached',
			pathNode: { __rl: true, mode: 'list', value: to },
		}),
		postHogNode(EDGE, [240, 100], {
			...paths,
			insightId: { __rl: true, mode: 'id', value: insight.short_id },
			pathPersons: 'edge',
			pathNode: { __rl: true, mode: 'key', value: from },
			pathNextNode: { __rl: true, mode: 'key', value: to },
			options: { includeRecordings: true },
		}),
	]);}

async function scenarioPaths(s: Scenario, instance: N8nInstance, sandbox: Sandbox): Promise<void> {
	const { from, to, shortId } = s.require(plan, 'the scenario was prepared');
	sandbox.clearRequests();
	const run = await executeWorkflow(instance, s, WORKFLOW_ID);
	const lookups = logged(sandbox, 'GET', new RegExp(`^/api/projects/${sandbox.projectId}/insights/?$`));
	s.check(lookups.length === 2 && lookups.every((entry) => entry.query.short_id === shortId), 'both nodes looked the insight up by short ID (from the URL and from the ID)', lookups.map((l) => l.query));
	const bodies = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/query/?$`)).map((entry) => (entry.body as { query: any }).query);
	const filters = bodies.map((query) => query.source?.source?.pathsFilter);
	s.check(filters.some((f) => f?.pathEndKey === to && f?.pathStartKey === undefined), 'reached: pathEndKey is the node', filters);
	s.check(filters.some((f) => f?.pathStartKey === from && f?.pathEndKey === to), 'link: pathStartKey and pathEndKey are its two nodes', filters);

	const paths = sitePaths(sandbox);
	const reached = pathPersons(paths, (step) => step.key === to);
	const reachedItems = nodeOutput(run, REACHED);
	s.check(reached.size > 0, `persons reached ${to} in the seeded events (test data sanity)`, reached.size);
	s.equal(reachedItems.map((item) => String(item.json.id)).sort(), [...reached.keys()].sort(), `reached: n8n's items are the ${reached.size} persons whose paths reach the node`);
	s.equal(reachedItems.map((item) => item.json.event_count), reachedItems.map((item) => reached.get(String(item.json.id))), 'reached: event_count is how often their paths reached it');

	const edge = pathPersons(paths, (step) => step.previousKey === from && step.key === to);
	const edgeItems = nodeOutput(run, EDGE);
	s.equal(edgeItems.map((item) => String(item.json.id)).sort(), [...edge.keys()].sort(), `link: n8n's items are the ${edge.size} persons who went ${from} → ${to}`);
	s.check(
		edgeItems.every((item) => Array.isArray(item.json.matched_recordings) && item.json.matched_recordings.length > 0),
		'link: each person comes with matched_recordings',
		edgeItems[0]?.json.matched_recordings,
	);
}

export const pathsScenario: E2eScenario = {
	key: 'paths',
	title: 'Paths persons: a node and a link of a saved paths insight (n8n execute)',
	stage: 'cli',
	prepare: (s, env) => ({ workflows: [prepare(s, env.sandbox)] }),
	run: (s, env) => scenarioPaths(s, env.instance, env.sandbox),
};
