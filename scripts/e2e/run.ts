/**
 * `npm run test:e2e`: this package inside a real n8n (Node 24), against the PostHog sandbox.
 *
 *  1. installs the n8n host into .e2e/host (skipped when up to date), builds and packs this
 *     package, installs the tarball into a fresh N8N_USER_FOLDER/.n8n/nodes;
 *  2. starts the sandbox in this process, imports a credential pointing at it and the workflows
 *     of every scenario;
 *  3. runs the scenarios of scenarios/index.ts (stage "cli" with `n8n execute`, then stage
 *     "server" after `n8n start`), each asserting on n8n's results AND the sandbox's state.
 *
 * Every process is stopped by PID, also on failure and Ctrl-C. Exit code 1 on any failed check.
 * Options: --keep (leave .e2e/run for inspection; it is always kept on failure),
 *          --only=key1,key2 (run only these scenarios).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox } from '../../sandbox';
import { ensureHost } from './install';
import { runScenario, Scenario } from './lib/checks';
import { HttpError, N8nClient, n8nCli, startN8n, type N8nInstance, type N8nServer } from './lib/n8n';
import { E2E_DIR, LOGS_DIR, N8N_VERSION } from './lib/paths';
import { buildPackage, installPackage, packPackage } from './lib/pkg';
import { cleanupAll, freePort, installSignalHandlers, log, onCleanup, seconds, tail } from './lib/procs';
import { rel, type E2eEnv, type E2eScenario } from './lib/runHelpers';
import { writeCredentialFile, writeWorkflows, type WorkflowFile } from './lib/setup';
import { SCENARIOS } from './scenarios';

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

function selectedScenarios(): E2eScenario[] {
	const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
	if (!only) return SCENARIOS;
	const keys = only.split(',').map((key) => key.trim()).filter(Boolean);
	const unknown = keys.filter((key) => !SCENARIOS.some((scenario) => scenario.key === key));
	if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((scenario) => scenario.key).join(', ')}`);
	return SCENARIOS.filter((scenario) => keys.includes(scenario.key));
}

async function main(): Promise<number> {
	installSignalHandlers();
	const started = Date.now();
	const keep = process.argv.includes('--keep');
	const definitions = selectedScenarios();
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
		const env: E2eEnv = { instance, sandbox, runDir: RUN_DIR };

		// every scenario's workflows, prepared before anything is imported
		const workflows: WorkflowFile[] = [];
		const publish: string[] = [];
		const runnable: Array<[E2eScenario, Scenario]> = [];
		for (const definition of definitions) {
			const s = new Scenario(definition.key, definition.title);
			scenarios.push(s);
			try {
				const prepared = definition.prepare?.(s, env);
				workflows.push(...((prepared?.workflows ?? []) as WorkflowFile[]));
				publish.push(...(prepared?.publish ?? []));
				runnable.push([definition, s]);
			} catch (error) {
				s.error = (error as Error).stack ?? String(error);
			}
		}

		await phase('n8n import:credentials + import:workflow', async () => {
			const credentialFile = path.join(RUN_DIR, 'credentials.json');
			writeCredentialFile(credentialFile, { url: sandbox.url, projectId: sandbox.projectId, apiKey: sandbox.keys.all });
			await n8nCli(instance, ['import:credentials', `--input=${credentialFile}`]);
			if (workflows.length > 0) {
				const workflowDir = path.join(RUN_DIR, 'workflows');
				writeWorkflows(workflowDir, workflows);
				await n8nCli(instance, ['import:workflow', '--separate', `--input=${workflowDir}`]);
			}
		});

		for (const [definition, s] of runnable.filter(([d]) => d.stage === 'cli')) {
			await phase(`scenario ${definition.key} (n8n execute)`, () => runScenario(s, (sc) => definition.run(sc, env)));
		}

		const serverScenarios = runnable.filter(([d]) => d.stage === 'server');
		if (serverScenarios.length > 0) {
			for (const id of publish) await phase(`n8n publish:workflow ${id}`, () => n8nCli(instance, ['publish:workflow', `--id=${id}`]));
			server = await phase('n8n start (until /healthz/readiness)', () => startN8n(instance));
			const client = new N8nClient(server.url);
			await phase('owner setup, login, API key (REST)', async () => {
				await client.setupOwner(OWNER);
				await client.login(OWNER);
				await client.createApiKey('e2e');
			});
			env.server = server;
			env.client = client;
			for (const [definition, s] of serverScenarios) {
				await phase(`scenario ${definition.key} (n8n start)`, () => runScenario(s, (sc) => definition.run(sc, env)));
			}
		}
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
