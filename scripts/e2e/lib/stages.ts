/**
 * The stages of `npm run test:e2e`: single-process n8n (SQLite; stage "cli" with `n8n execute`,
 * then stage "server" after `n8n start`) and queue mode (main + workers, Redis, PostgreSQL; stage
 * "queue"). Each stage has its own user folder and database, imports the credential and the
 * workflows of its scenarios with n8n's CLI, activates those to publish, then runs the scenarios.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox, type Sandbox, type SandboxOptions } from '../../../sandbox';
import { runScenario, type Scenario } from './checks';
import { activateWorkflowArgs, type N8nHost } from './host';
import { N8nClient, n8nCli, startN8n, type N8nInstance, type N8nServer } from './n8n';
import { installPackage } from './pkg';
import { freePort, log, onCleanup } from './procs';
import { startQueueProcesses, startQueueServices, stopQueueStack, type QueueStack } from './queueMode';
import type { E2eEnv, E2eScenario } from './runHelpers';
import { writeCredentialFile, writeWorkflows, type WorkflowFile } from './setup';

export interface StageContext {
	host: N8nHost;
	/** the packed package */
	tarball: string;
	runDir: string;
	phase<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface Selected {
	definition: E2eScenario;
	s: Scenario;
}

const OWNER = { email: 'e2e-owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'E2e-Owner-Pass-1' };
/** Workers of the queue stage, as in the smallest real scale-out. */
export const QUEUE_WORKERS = 2;

/** Each scenario's workflows, collected before anything is imported (a failing prepare fails only its scenario). */
function prepareAll(selected: Selected[], env: E2eEnv): { workflows: WorkflowFile[]; publish: string[]; runnable: Selected[] } {
	const workflows: WorkflowFile[] = [];
	const publish: string[] = [];
	const runnable: Selected[] = [];
	for (const entry of selected) {
		try {
			const prepared = entry.definition.prepare?.(entry.s, env);
			workflows.push(...((prepared?.workflows ?? []) as WorkflowFile[]));
			publish.push(...(prepared?.publish ?? []));
			runnable.push(entry);
		} catch (error) {
			entry.s.error = (error as Error).stack ?? String(error);
		}
	}
	return { workflows, publish, runnable };
}

/** The sandbox credential and the workflows, imported with n8n's CLI; then the ones to publish activated. */
async function importAll(ctx: StageContext, instance: N8nInstance, sandbox: Sandbox, dir: string, workflows: WorkflowFile[], publish: string[]): Promise<void> {
	await ctx.phase('n8n import:credentials + import:workflow', async () => {
		const credentialFile = path.join(dir, 'credentials.json');
		writeCredentialFile(credentialFile, { url: sandbox.url, projectId: sandbox.projectId, apiKey: sandbox.keys.all });
		await n8nCli(instance, ['import:credentials', `--input=${credentialFile}`]);
		if (workflows.length > 0) {
			const workflowDir = path.join(dir, 'workflows');
			writeWorkflows(workflowDir, workflows);
			await n8nCli(instance, ['import:workflow', '--separate', `--input=${workflowDir}`]);
		}
	});
	for (const id of publish) {
		const args = activateWorkflowArgs(ctx.host, id);
		await ctx.phase(`n8n ${args[0]} ${id}`, () => n8nCli(instance, args));
	}
}

/** Owner setup, login and an API key for the public API, over REST. */
async function adminClient(ctx: StageContext, server: N8nServer): Promise<N8nClient> {
	const client = new N8nClient(server.url);
	await ctx.phase('owner setup, login, API key (REST)', async () => {
		await client.setupOwner(OWNER);
		await client.login(OWNER);
		await client.createApiKey('e2e');
	});
	return client;
}

async function runAll(ctx: StageContext, entries: Selected[], env: E2eEnv, how: string): Promise<void> {
	for (const { definition, s } of entries) {
		await ctx.phase(`scenario ${definition.key} (${how})`, () => runScenario(s, (sc) => definition.run(sc, env)));
	}
}

/** Stages "cli" and "server": one n8n with SQLite in <runDir>/home, against a 400-person sandbox. */
export async function runSingleProcessStages(ctx: StageContext, selected: Selected[]): Promise<void> {
	const userFolder = path.join(ctx.runDir, 'home');
	fs.mkdirSync(userFolder, { recursive: true });
	await ctx.phase('install the tarball into .n8n/nodes', () => installPackage(userFolder, ctx.tarball));
	const sandbox = await ctx.phase('start the sandbox', () => startSandbox({ port: 0, persons: 400, seed: 42, quiet: true }));
	onCleanup(() => sandbox.stop());
	log(`  sandbox at ${sandbox.url} (project ${sandbox.projectId})`);

	const instance: N8nInstance = { host: ctx.host, userFolder, port: await freePort(), logName: 'e2e' };
	const env: E2eEnv = { instance, sandbox, runDir: ctx.runDir };
	const { workflows, publish, runnable } = prepareAll(selected, env);
	await importAll(ctx, instance, sandbox, ctx.runDir, workflows, publish);
	await runAll(
		ctx,
		runnable.filter(({ definition }) => definition.stage === 'cli'),
		env,
		'n8n execute',
	);
	const serverScenarios = runnable.filter(({ definition }) => definition.stage === 'server');
	if (serverScenarios.length === 0) return;
	const server = await ctx.phase('n8n start (until ready)', () => startN8n(instance));
	try {
		env.server = server;
		env.client = await adminClient(ctx, server);
		await runAll(ctx, serverScenarios, env, 'n8n start');
	} finally {
		await ctx.phase('stop n8n (SIGTERM by PID)', () => server.stop());
	}
}

/** The queue stage's sandbox: the scenarios' options merged (later ones win). */
function queueSandboxOptions(selected: Selected[]): SandboxOptions {
	return Object.assign({ port: 0, persons: 400, seed: 42, quiet: true }, ...selected.map(({ definition }) => definition.sandbox ?? {}));
}

/** Stage "queue": main + QUEUE_WORKERS workers in queue mode, in <runDir>/queue. */
export async function runQueueStage(ctx: StageContext, selected: Selected[]): Promise<void> {
	const dir = path.join(ctx.runDir, 'queue');
	const userFolder = path.join(dir, 'home');
	fs.mkdirSync(userFolder, { recursive: true });
	await ctx.phase('queue: install the tarball into .n8n/nodes (shared by main and workers)', () => installPackage(userFolder, ctx.tarball));
	const options = queueSandboxOptions(selected);
	const sandbox = await ctx.phase(`queue: start the sandbox (${options.persons} persons)`, () => startSandbox(options));
	onCleanup(() => sandbox.stop());
	log(`  sandbox at ${sandbox.url} (project ${sandbox.projectId})`);

	let stack: QueueStack | undefined;
	try {
		stack = await ctx.phase('queue: start Redis and PostgreSQL', async () => startQueueServices(ctx.host, userFolder, dir, await freePort()));
		const env: E2eEnv = { instance: stack.instance, sandbox, runDir: dir, queue: stack };
		const { workflows, publish, runnable } = prepareAll(selected, env);
		await importAll(ctx, stack.instance, sandbox, dir, workflows, publish);
		const started = stack;
		await ctx.phase(`queue: start main + ${QUEUE_WORKERS} workers (until ready)`, () => startQueueProcesses(started, QUEUE_WORKERS));
		env.server = stack.main;
		env.client = await adminClient(ctx, stack.main as N8nServer);
		await runAll(ctx, runnable, env, 'queue mode');
	} finally {
		const running = stack;
		if (running) await ctx.phase('queue: stop main, workers, Redis, PostgreSQL (by PID)', () => stopQueueStack(running));
	}
}
