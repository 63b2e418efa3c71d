/**
 * `npm run dev`: real n8n (2.41.1, or `-- --n8n=<version>` of e2e/host-*) with this package,
 * the PostHog sandbox and the example workflows, for trying the node in n8n's editor.
 *
 *   - installs the n8n host on the first run (a few minutes; later runs skip it; see lib/host.ts),
 *   - builds + packs this package and installs the tarball into .e2e/dev/home/.n8n/nodes,
 *   - starts the sandbox on 127.0.0.1:5690 (SANDBOX_PORT; a free port when taken) and imports
 *     the credential "PostHog sandbox" pointing at it, plus every examples/*.json workflow
 *     (form workflows are published so their form URL works),
 *   - starts n8n on http://127.0.0.1:5678 (N8N_PORT) and creates / logs in the owner,
 *   - stops everything (by PID) on Ctrl-C.
 *
 * The user folder (.e2e/dev/home; .e2e/dev/home-<version> for other n8n versions, as their
 * databases differ) is kept between runs: the owner, your own workflows and
 * executions stay. The credential and the examples are imported again only when they changed
 * (an import overwrites edits made to the example workflows in n8n). Delete .e2e/dev to start
 * from scratch.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox, type Sandbox } from '../../sandbox';
import { ensureHost } from './install';
import { activateWorkflowArgs, hostVersions, n8nHost } from './lib/host';
import { N8nClient, n8nCli, startN8n, type N8nInstance, type N8nServer, type Owner } from './lib/n8n';
import { E2E_DIR, LOGS_DIR, ROOT } from './lib/paths';
import { buildPackage, installPackage, packPackage } from './lib/pkg';
import { cleanupAll, installSignalHandlers, isStopping, log, onCleanup, portInUse, seconds } from './lib/procs';
import {
	CREDENTIAL_NAME,
	exampleFiles,
	formTriggers,
	prepareWorkflow,
	readWorkflow,
	writeCredentialFile,
	writeWorkflows,
	type WorkflowFile,
} from './lib/setup';

export const DEV_DIR = path.join(E2E_DIR, 'dev');
export const DEV_STATE = path.join(DEV_DIR, 'state.json');
const HOST = n8nHost();
const NEWEST = hostVersions().slice(-1)[0];
const USER_FOLDER = path.join(DEV_DIR, HOST.version === NEWEST ? 'home' : `home-${HOST.version}`);
const IMPORTED = path.join(USER_FOLDER, 'imported.sha256');
const DEFAULT_SANDBOX_PORT = 5690;

export const DEV_OWNER: Owner = {
	email: process.env.N8N_DEV_EMAIL ?? 'dev@example.com',
	firstName: 'Dev',
	lastName: 'Owner',
	password: process.env.N8N_DEV_PASSWORD ?? 'PostHog-Dev-1',
};

export interface DevState {
	url: string;
	pid: number;
	owner: Owner;
	sandboxUrl: string;
	workflows: Array<{ id: string; name: string; file: string; postHogNodes: string[] }>;
}

export interface DevEnvironment {
	server: N8nServer;
	sandbox: Sandbox;
	state: DevState;
	startMs: number;
}

/** Workflows to import: examples/*.json, or the e2e workflows while examples/ is empty. */
function devWorkflowFiles(): string[] {
	const examples = exampleFiles();
	if (examples.length > 0) return examples;
	const dir = path.join(ROOT, 'test', 'e2e', 'workflows');
	return fs
		.readdirSync(dir)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => path.join(dir, name));
}

export async function startDev(): Promise<DevEnvironment> {
	const started = Date.now();
	const port = Number(process.env.N8N_PORT ?? 5678);
	if (await portInUse(port)) {
		throw new Error(`127.0.0.1:${port} is in use (another n8n / npm run dev?). Stop it or set N8N_PORT.`);
	}
	const host = await ensureHost(HOST);
	if (host.installed) log(`n8n ${HOST.version} host installed in ${seconds(host.ms)}`);
	log('building and packing the package ...');
	await buildPackage();
	const tarball = await packPackage();
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	await installPackage(USER_FOLDER, tarball);

	// a stable sandbox port keeps the credential unchanged, so later starts skip the imports
	let sandboxPort = Number(process.env.SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT);
	if (sandboxPort && (await portInUse(sandboxPort))) {
		log(`127.0.0.1:${sandboxPort} is taken: the sandbox gets a free port`);
		sandboxPort = 0;
	}
	const sandbox = await startSandbox({ port: sandboxPort, seed: 42 });
	onCleanup(() => sandbox.stop());
	log(`sandbox at ${sandbox.url}`);

	const instance: N8nInstance = { host: HOST, userFolder: USER_FOLDER, port, logName: 'dev' };
	const credentialFile = path.join(DEV_DIR, 'credentials.json');
	writeCredentialFile(credentialFile, { url: sandbox.url, projectId: sandbox.projectId, apiKey: sandbox.keys.all });
	const files = devWorkflowFiles();
	const workflows: Array<{ workflow: WorkflowFile; file: string }> = files.map((file) => ({ workflow: prepareWorkflow(readWorkflow(file), file), file }));
	const workflowDir = path.join(DEV_DIR, 'workflows');
	writeWorkflows(
		workflowDir,
		workflows.map((w) => w.workflow),
	);
	const forms = workflows.filter((w) => formTriggers(w.workflow).length > 0);
	const hash = createHash('sha256');
	hash.update(fs.readFileSync(credentialFile, 'utf8'));
	for (const { workflow } of workflows) hash.update(JSON.stringify(workflow));
	const digest = hash.digest('hex');
	const database = path.join(USER_FOLDER, '.n8n', 'database.sqlite');
	if (fs.existsSync(database) && fs.existsSync(IMPORTED) && fs.readFileSync(IMPORTED, 'utf8') === digest) {
		log(`credential and ${workflows.length} workflow(s) unchanged since the last import`);
	} else {
		log(`importing the credential and ${workflows.length} workflow(s) ...`);
		await n8nCli(instance, ['import:credentials', `--input=${credentialFile}`]);
		await n8nCli(instance, ['import:workflow', '--separate', `--input=${workflowDir}`]);
		// form workflows are published so that their form URL works right away
		for (const { workflow } of forms) await n8nCli(instance, activateWorkflowArgs(HOST, workflow.id), { allowFailure: true });
		fs.writeFileSync(IMPORTED, digest);
	}
	if (isStopping()) throw new Error('interrupted');

	const server = await startN8n(instance);
	const client = new N8nClient(server.url);
	const owner = await client.setupOrLogin(DEV_OWNER).catch((error: Error) => {
		throw new Error(
			`could not log in as ${DEV_OWNER.email}: ${error.message}\n` +
				`The user folder ${USER_FOLDER} has another owner: set N8N_DEV_EMAIL / N8N_DEV_PASSWORD, or delete ${DEV_DIR}.`,
		);
	});
	if (owner === 'created') log(`owner ${DEV_OWNER.email} created`);
	if (isStopping()) throw new Error('interrupted');

	const state: DevState = {
		url: server.url,
		pid: server.proc.pid,
		owner: DEV_OWNER,
		sandboxUrl: sandbox.url,
		workflows: workflows.map(({ workflow, file }) => ({
			id: workflow.id,
			name: workflow.name,
			file: path.relative(ROOT, file),
			postHogNodes: workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-posthog-persons.')).map((n) => n.name),
		})),
	};
	fs.writeFileSync(DEV_STATE, JSON.stringify(state, null, 2));
	onCleanup(() => fs.rmSync(DEV_STATE, { force: true }));

	const startMs = Date.now() - started;
	const lines = [
		'',
		`n8n ${HOST.version} ${server.url} is ready (started in ${seconds(startMs)})`,
		'',
		`  Open        ${server.url}/signin`,
		`  Log in      ${DEV_OWNER.email} / ${DEV_OWNER.password}`,
		`  Credential  "${CREDENTIAL_NAME}" (PostHog Persons API, self-hosted ${sandbox.url}, project ${sandbox.projectId}, all-scopes key)`,
		'  Workflows:',
		...state.workflows.map((w) => `    ${server.url}/workflow/${w.id}   ${w.name}  (${w.file})`),
		...forms.flatMap(({ workflow }) => formTriggers(workflow).map((t) => `  Form        ${server.url}/form/${t.webhookId}   (${workflow.name})`)),
		'',
		`  Sandbox     ${sandbox.url}  keys: ${Object.entries(sandbox.keys)
			.map(([name, key]) => `${name}=${key.slice(0, 12)}…`)
			.join(' ')}`,
		`  Logs        ${path.relative(ROOT, LOGS_DIR)}/dev-server.log, dev-cli.log`,
		'',
		'Ctrl-C stops n8n and the sandbox.',
		'',
	];
	process.stdout.write(lines.join('\n'));
	return { server, sandbox, state, startMs };
}

async function main(): Promise<number> {
	installSignalHandlers();
	const dev = await startDev();
	const code = await dev.server.proc.exited;
	log(`n8n exited (code ${code}); stopping the sandbox`);
	await cleanupAll();
	return code ?? 1;
}

if (require.main === module) {
	main()
		.then((code) => process.exit(code))
		.catch(async (error) => {
			process.stderr.write(`${(error as Error).message ?? error}\n`);
			await cleanupAll();
			process.exit(1);
		});
}
