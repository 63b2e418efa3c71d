/**
 * `npm run test:e2e`: this package inside a real n8n (Node 24), against the PostHog sandbox.
 *
 *  1. installs the n8n host of the chosen version (skipped when up to date; see lib/host.ts),
 *     builds and packs this package;
 *  2. single-process stages: installs the tarball into a fresh N8N_USER_FOLDER/.n8n/nodes, starts
 *     the sandbox, imports a credential pointing at it and the workflows of every scenario, runs
 *     the "cli" scenarios with `n8n execute`, then the "server" ones after `n8n start`;
 *  3. with --queue: the "queue" scenarios in n8n's queue mode (main + 2 workers, Redis,
 *     PostgreSQL; see lib/queueMode.ts);
 *  each scenario asserting on n8n's results AND the sandbox's state.
 *
 * Every process is stopped by PID, also on failure and Ctrl-C. Exit code 1 on any failed check.
 * Options: --n8n=<version> (one of e2e/host-*; default the newest; also E2E_N8N_VERSION),
 *          --queue (add the queue-mode scenarios),
 *          --only=key1,key2 (run only these scenarios; naming a queue scenario runs it),
 *          --keep (leave .e2e/run for inspection; it is always kept on failure).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ensureHost } from './install';
import { Scenario } from './lib/checks';
import { n8nHost, type N8nHost } from './lib/host';
import { HttpError } from './lib/n8n';
import { E2E_DIR, LOGS_DIR } from './lib/paths';
import { buildPackage, packPackage } from './lib/pkg';
import { cleanupAll, installSignalHandlers, log } from './lib/procs';
import { rel, type E2eScenario } from './lib/runHelpers';
import { runQueueStage, runSingleProcessStages, type Selected, type StageContext } from './lib/stages';
import { formatReport, isFailed } from './lib/summary';
import { SCENARIOS } from './scenarios';

const RUN_DIR = path.join(E2E_DIR, 'run');

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

/** The scenarios to run: --only names them; otherwise every single-process one, plus the queue ones with --queue. */
export function selectScenarios(argv: string[], all: E2eScenario[] = SCENARIOS): E2eScenario[] {
	const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
	if (!only) return all.filter((scenario) => scenario.stage !== 'queue' || argv.includes('--queue'));
	const keys = only.split(',').map((key) => key.trim()).filter(Boolean);
	const unknown = keys.filter((key) => !all.some((scenario) => scenario.key === key));
	if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${all.map((scenario) => scenario.key).join(', ')}`);
	return all.filter((scenario) => keys.includes(scenario.key));
}

async function main(): Promise<number> {
	installSignalHandlers();
	const started = Date.now();
	const argv = process.argv.slice(2);
	const keep = argv.includes('--keep');
	let host: N8nHost | undefined;
	const selected: Selected[] = [];
	let failedSetup: string | undefined;
	let hostInstalled = false;

	try {
		host = n8nHost();
		for (const definition of selectScenarios(argv)) selected.push({ definition, s: new Scenario(definition.key, definition.title) });
		const installing = host;
		const install = await phase(`n8n ${host.version} host install (skipped when up to date)`, () => ensureHost(installing));
		hostInstalled = install.installed;
		log(`  n8n ${host.version} in ${host.dir}`);
		await phase('npm run build', () => buildPackage());
		const tarball = await phase('npm pack', () => packPackage());
		log(`  ${rel(tarball)}`);

		fs.rmSync(RUN_DIR, { recursive: true, force: true });
		fs.mkdirSync(RUN_DIR, { recursive: true });
		for (const name of fs.existsSync(LOGS_DIR) ? fs.readdirSync(LOGS_DIR) : []) {
			if (name.startsWith('e2e-') || name.startsWith('queue-')) fs.rmSync(path.join(LOGS_DIR, name), { force: true });
		}
		const ctx: StageContext = { host, tarball, runDir: RUN_DIR, phase };
		const single = selected.filter(({ definition }) => definition.stage !== 'queue');
		const queue = selected.filter(({ definition }) => definition.stage === 'queue');
		if (single.length > 0) await runSingleProcessStages(ctx, single);
		if (queue.length > 0) await runQueueStage(ctx, queue);
	} catch (error) {
		failedSetup = error instanceof HttpError ? `${error.message}` : ((error as Error).stack ?? String(error));
	} finally {
		await cleanupAll();
	}

	const report = {
		title: `this package in real n8n ${host?.version ?? '(no host)'}`,
		phases,
		totalMs: Date.now() - started,
		hostInstalled,
		scenarios: selected.map(({ s }) => s),
		failedSetup,
		logs: ['e2e-server.log', 'e2e-cli.log', 'queue-main-server.log', 'queue-main-cli.log', 'queue-worker1.log', 'queue-worker2.log'],
		runDir: RUN_DIR,
	};
	process.stdout.write(formatReport(report));
	const failed = isFailed(report);
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
