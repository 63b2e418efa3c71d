/**
 * Scenario "retention": Get Retention Persons in real n8n (`n8n execute`): a saved retention insight
 * picked in the Insight field, one cohort row; and a retention defined in the node with a breakdown,
 * its intervals as a list. n8n's items are compared with the sandbox's answer to the query it got
 * and with the row computed from the seeded events (test/insight/reference.ts).
 */
import type { Sandbox } from '../../../sandbox';
import { DAY, dayStart, isEvent, retentionRow, type RetentionSpec } from '../../../test/insight/reference';
import type { Scenario } from '../lib/checks';
import type { N8nInstance } from '../lib/n8n';
import { executeWorkflow, logged, nodeOutput, sandboxApi, type E2eScenario } from '../lib/runHelpers';
import type { WorkflowFile } from '../lib/setup';
import { manualTriggerWorkflow, postHogNode } from '../lib/workflowBuilder';

const WORKFLOW_ID = 'E2eRetention0001';
const SAVED = 'Retention (saved insight)';
const DEFINED = 'Retention (defined, breakdown)';

let plan: { savedRow: number; definedRow: number; savedSpec: RetentionSpec; definedSpec: RetentionSpec } | undefined;

function daySpec(sandbox: Sandbox, days: number, total: number, firstTime: boolean, start: string, returning: string): RetentionSpec {
	const now = sandbox.store.now();
	return { period: 'day', from: dayStart(now - days * DAY), to: dayStart(now) + DAY - 1, total, firstTime, start: isEvent(start), returning: isEvent(returning) };
}

/** The row with the most persons (so the check compares real lists, not empty ones). */
function busiestRow(sandbox: Sandbox, spec: RetentionSpec, rows: number, breakdown?: Parameters<typeof retentionRow>[3]): number {
	let best = 0;
	let size = -1;
	for (let row = 0; row < rows; row++) {
		const count = retentionRow(sandbox, spec, row, breakdown).size;
		if (count > size) [best, size] = [row, count];
	}
	return best;
}

const chrome = (ev: { properties: Record<string, unknown> }) => ev.properties.$browser === 'Chrome';

function prepare(s: Scenario, sandbox: Sandbox): WorkflowFile {
	const insight = s.require(sandbox.store.insights.find((i) => i.name === 'Signup retention'), 'the sandbox seeds the saved insight "Signup retention"');
	const savedSpec = daySpec(sandbox, 14, 7, true, 'signed_up', '$pageview');
	const definedSpec = daySpec(sandbox, 10, 5, false, '$pageview', '$pageview');
	plan = { savedRow: busiestRow(sandbox, savedSpec, 15), definedRow: busiestRow(sandbox, definedSpec, 11, chrome), savedSpec, definedSpec };
	s.note(`saved insight ${insight.short_id}, row ${plan.savedRow}; defined retention, row ${plan.definedRow}, breakdown $browser = Chrome`);
	const retention = { resource: 'insight', operation: 'getRetentionPersons', returnAll: true };
	return manualTriggerWorkflow(WORKFLOW_ID, 'E2E: retention persons', [
		postHogNode(SAVED, [240, -100], {
			...retention,
			insightSource: 'saved',
			insightId: { __rl: true, mode: 'list', value: insight.short_id, cachedResultName: insight.name },
			cohortRow: plan.savedRow,
		}),
		postHogNode(DEFINED, [240, 100], {
			...retention,
			insightSource: 'defined',
			startEvent: { __rl: true, mode: 'list', value: '$pageview' },
			returningEvent: { __rl: true, mode: 'name', value: '$pageview' },
			retentionType: 'retention_recurring',
			totalIntervals: 5,
			dateFrom: '-10d',
			breakdownType: 'event',
			breakdownProperty: { __rl: true, mode: 'list', value: '$browser' },
			dataPointBreakdown: 'Chrome',
			cohortRow: plan.definedRow,
			options: { intervalsAs: 'list', pageSize: 10 },
		}),
	]);}

async function scenarioRetention(s: Scenario, instance: N8nInstance, sandbox: Sandbox): Promise<void> {
	const { savedRow, definedRow, savedSpec, definedSpec } = s.require(plan, 'the scenario was prepared');
	sandbox.clearRequests();
	const run = await executeWorkflow(instance, s, WORKFLOW_ID);
	const queries = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/query/?$`));
	const bodies = queries.map((entry) => (entry.body as { query: any }).query);
	s.check(queries.every((entry) => entry.status === 200), 'the sandbox accepted every query (schema-valid)', queries.map((q) => q.status));

	// saved insight: one page, the interval columns
	const saved = nodeOutput(run, SAVED);
	const savedQuery = bodies.find((query) => query.source?.interval === savedRow && !query.source?.breakdown);
	s.equal(savedQuery?.select, ['person', 'day_0', 'day_1', 'day_2', 'day_3', 'day_4', 'day_5', 'day_6'], 'saved: select person and day_0 … day_6');
	s.equal(savedQuery?.orderBy, ['length(appearances) DESC', 'actor_id'], 'saved: most active first');
	const reference = retentionRow(sandbox, savedSpec, savedRow);
	s.check(reference.size > 0, `row ${savedRow} has persons in the seeded events (test data sanity)`, reference.size);
	s.equal(saved.map((item) => String(item.json.id)).sort(), [...reference.keys()].sort(), `saved: n8n's items are exactly the ${reference.size} persons of row ${savedRow} (from the seeded events)`);
	s.equal(
		saved.map((item) => [0, 1, 2, 3, 4, 5, 6].filter((k) => item.json[`day_${k}`] === 1)),
		saved.map((item) => reference.get(String(item.json.id))),
		'saved: each person\'s day_N columns are the intervals they came back in',
	);

	// defined in the node: several pages, the breakdown as an array, appearances
	const defined = nodeOutput(run, DEFINED);
	const definedQueries = bodies.filter((query) => Array.isArray(query.source?.breakdown));
	s.equal(definedQueries[0]?.source?.breakdown, ['Chrome'], 'defined: the breakdown value is sent as an array');
	s.equal(definedQueries[0]?.source?.source?.retentionFilter?.retentionType, 'retention_recurring', 'defined: recurring retention');
	s.equal(
		definedQueries.map((query) => [query.offset, query.limit]),
		definedQueries.map((_query, index) => (index === 0 ? [0, 10] : [index * 10 - 1, 11])),
		'defined: pages of 10, each after the first asked from one row earlier (the shift check)',
	);
	const definedReference = retentionRow(sandbox, definedSpec, definedRow, chrome);
	s.check(definedReference.size > 10, `row ${definedRow} (Chrome) has more than one page of persons (test data sanity)`, definedReference.size);
	s.equal(defined.map((item) => String(item.json.id)).sort(), [...definedReference.keys()].sort(), `defined: n8n's items are the ${definedReference.size} Chrome persons of row ${definedRow}`);
	s.equal(
		defined.map((item) => item.json.appearances),
		defined.map((item) => definedReference.get(String(item.json.id))),
		'defined: appearances are the intervals each person came back in',
	);
	const full = await sandboxApi(sandbox, 'POST', `/api/projects/${sandbox.projectId}/query/`, { query: { ...definedQueries[0], limit: 50_000, offset: 0 } });
	s.equal(defined.map((item) => item.json.id), (full.results as unknown[][]).map((row) => (row[0] as { id: string }).id), 'defined: in the order of the sandbox\'s full answer');
}

export const retentionScenario: E2eScenario = {
	key: 'retention',
	title: 'Retention persons: saved insight and defined in the node (n8n execute)',
	stage: 'cli',
	prepare: (s, env) => ({ workflows: [prepare(s, env.sandbox)] }),
	run: (s, env) => scenarioRetention(s, env.instance, env.sandbox),
};
