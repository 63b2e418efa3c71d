/** Scenario "export": funnel drop-offs -> CSV -> n8n's Extract From File (`n8n execute`). */
import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import type { N8nInstance } from '../lib/n8n';
import { executeWorkflow, logged, nodeOutput, pickWorkflow, rel, sandboxApi, type E2eScenario } from '../lib/runHelpers';
import { downstream, postHogNodes, prepareWorkflow, readWorkflow, type WorkflowFile, type WorkflowNode } from '../lib/setup';

let prepared: ReturnType<typeof prepareExportWorkflow> | undefined;

/** For a test copy of a scheduled example: `n8n execute` starts only at a Manual Trigger. */
export function asManualRun(workflow: WorkflowFile, s: Scenario): WorkflowFile {
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

export const exportScenario: E2eScenario = {
	key: 'export',
	title: 'Funnel drop-offs -> CSV -> Extract From File (n8n execute)',
	stage: 'cli',
	prepare(s) {
		const pick = pickWorkflow('weekly-funnel-dropoff-csv.json', 'funnel-dropoff-csv.json');
		s.note(`workflow: ${rel(pick.file)}`);
		prepared = prepareExportWorkflow(prepareWorkflow(readWorkflow(pick.file), pick.file), s);
		return { workflows: [prepared.workflow] };
	},
	run: (s, env) => scenarioExport(s, env.instance, env.sandbox, prepared as ReturnType<typeof prepareExportWorkflow>),
};
