/**
 * Scenario "personsExport": the scheduled export of every person as CSV
 * (examples/weekly-persons-export-csv.json) in real n8n, with the sandbox's persons list losing
 * rows like PostHog issue #24787 (`listGapRate`). Two branches from the trigger: the example's node
 * (Query API) and a copy that lists through the persons list with its gap check. Each file is read
 * by n8n's Extract From File, which must read exactly as many rows as the sandbox has persons.
 * n8n 2.x keeps binary data on disk by default outside queue mode, so the files are streamed there
 * (n8n 1.x keeps them in memory).
 */
import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import type { N8nInstance } from '../lib/n8n';
import { executeWorkflow, logged, nodeOutput, pickWorkflow, rel, type E2eScenario } from '../lib/runHelpers';
import { downstream, postHogNodes, prepareWorkflow, readWorkflow, type WorkflowFile, type WorkflowNode } from '../lib/setup';
import { asManualRun } from './export';

interface Prepared {
	workflow: WorkflowFile;
	branches: Array<{ label: string; exporter: WorkflowNode; reader: WorkflowNode }>;
}

let prepared: Prepared | undefined;

/** Page size of both branches: several pages for the 400 sandbox persons. */
const PAGE_SIZE = 45;

function prepare(workflow: WorkflowFile, s: Scenario): Prepared {
	const copy = asManualRun(workflow, s);
	const exporter = s.require(
		postHogNodes(copy).find((n) => n.parameters.resource === 'person' && n.parameters.operation === 'getAll'),
		'the workflow has a PostHog Persons person/getAll node',
	);
	s.equal(exporter.parameters.returnAll, true, 'the export node returns all persons');
	s.equal(exporter.parameters.output, 'csv', 'the export node returns a CSV file');
	const reader = s.require(
		downstream(copy, exporter.name)
			.map((name) => copy.nodes.find((n) => n.name === name))
			.find((n) => n?.type === 'n8n-nodes-base.extractFromFile'),
		'an Extract From File node reads the CSV',
	);
	exporter.parameters.options = { ...(exporter.parameters.options ?? {}), pageSize: PAGE_SIZE };

	// the same export through the persons list (what a key without query:read gets)
	const restExporter: WorkflowNode = {
		...JSON.parse(JSON.stringify(exporter)),
		id: 'e2e-persons-list-export',
		name: `${exporter.name} (persons list)`,
		position: [exporter.position[0], exporter.position[1] + 220],
	};
	restExporter.parameters.options = { pageSize: PAGE_SIZE, listVia: 'rest' };
	const restReader: WorkflowNode = {
		...JSON.parse(JSON.stringify(reader)),
		id: 'e2e-persons-list-reader',
		name: `${reader.name} (persons list)`,
		position: [reader.position[0], reader.position[1] + 220],
	};
	copy.nodes.push(restExporter, restReader);
	const trigger = Object.keys(copy.connections).find((from) => downstream(copy, from).includes(exporter.name)) as string;
	copy.connections[trigger].main![0]!.push({ node: restExporter.name, type: 'main', index: 0 });
	copy.connections[restExporter.name] = { main: [[{ node: restReader.name, type: 'main', index: 0 }]] };
	s.note(`test copy: page size ${PAGE_SIZE}; a second branch "${restExporter.name}" lists through GET persons/`);
	return {
		workflow: copy,
		branches: [
			{ label: 'Query API', exporter, reader },
			{ label: 'persons list', exporter: restExporter, reader: restReader },
		],
	};
}

async function scenarioPersonsExport(s: Scenario, instance: N8nInstance, sandbox: Sandbox, { workflow, branches }: Prepared): Promise<void> {
	sandbox.clearRequests();
	sandbox.setFaults({ listGapRate: 0.5, seed: 24787 });
	let run;
	try {
		run = await executeWorkflow(instance, s, workflow.id);
	} finally {
		sandbox.setFaults(undefined);
	}
	const expected = [...sandbox.store.personsByUuid.keys()].sort();
	s.check(expected.length > PAGE_SIZE * 3, `the sandbox has several pages of persons (${expected.length})`);

	// the sandbox really lost rows on the persons list, and the Query API was used by the other branch
	const listPages = logged(sandbox, 'GET', new RegExp(`^/api/projects/${sandbox.projectId}/persons/?$`));
	const gaps = listPages.filter((entry) => entry.fault?.includes('list_gap'));
	s.check(gaps.length > 0, 'the persons list lost rows on some pages (PostHog issue #24787 reproduced)', listPages.length);
	const queries = logged(sandbox, 'POST', new RegExp(`^/api/projects/${sandbox.projectId}/query/?$`));
	s.equal(queries.length, Math.ceil(expected.length / PAGE_SIZE), `the Query API branch read ${Math.ceil(expected.length / PAGE_SIZE)} query pages`);

	for (const { label, exporter, reader } of branches) {
		const files = nodeOutput(run, exporter.name);
		s.equal(files.length, 1, `${label}: one item holding the CSV file`);
		const binary = files[0]?.binary?.data;
		s.equal(binary?.mimeType, 'text/csv', `${label}: the binary data is text/csv`);
		s.check(/^posthog-persons-\d{4}-\d\d-\d\d\.csv$/.test(String(binary?.fileName)), `${label}: the file name expression was evaluated`, binary?.fileName);
		if (binary?.id) s.check(String(binary.id).startsWith('filesystem'), `${label}: n8n stored the file on disk (filesystem binary data)`, binary.id);
		else s.note(`${label}: n8n kept the file in memory (binary data mode "default")`);
		const rows = nodeOutput(run, reader.name);
		s.equal(rows.length, expected.length, `${label}: Extract From File reads exactly as many rows as the sandbox has persons (${expected.length})`);
		s.equal(files[0]?.json.rows, expected.length, `${label}: the file item reports the same row count`);
		const uuids = rows.map((row) => String(row.json.uuid));
		s.equal([...uuids].sort(), expected, `${label}: every sandbox person is in the file exactly once`);
		if (label === 'persons list') {
			const gapCheck = files[0]?.json.gapCheck ?? {};
			s.check(gapCheck.shortPages > 0 && gapCheck.repaired === gapCheck.shortPages && gapCheck.unproven === 0, `${label}: the gap check re-read every short page and proved it complete`, gapCheck);
		}
	}
}

export const personsExportScenario: E2eScenario = {
	key: 'personsExport',
	title: 'Scheduled CSV export of every person, persons list losing rows (#24787) -> Extract From File (n8n execute)',
	stage: 'cli',
	prepare(s) {
		const pick = pickWorkflow('weekly-persons-export-csv.json', 'weekly-persons-export-csv.json');
		s.note(`workflow: ${rel(pick.file)}`);
		prepared = prepare(prepareWorkflow(readWorkflow(pick.file), pick.file), s);
		return { workflows: [prepared.workflow] };
	},
	run: (s, env) => scenarioPersonsExport(s, env.instance, env.sandbox, prepared as Prepared),
};
