/**
 * What the e2e scenarios share: reading n8n's run data, running a workflow with `n8n execute`,
 * the sandbox's request log and API, waiting, and posting a form as a browser does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Sandbox, SandboxOptions } from '../../../sandbox';
import type { Scenario } from './checks';
import { n8nCli, parseRawOutput, type N8nClient, type N8nInstance, type N8nServer } from './n8n';
import type { QueueStack } from './queueMode';
import { ROOT } from './paths';
import { seconds } from './procs';

/**
 * Everything a scenario can use; `client` and `server` exist from the server stage on (in the
 * queue stage: the main process), `queue` only in the queue stage.
 */
export interface E2eEnv {
	instance: N8nInstance;
	sandbox: Sandbox;
	/** Folder of this run (kept on failure). */
	runDir: string;
	client?: N8nClient;
	server?: N8nServer;
	queue?: QueueStack;
}

/**
 * One end-to-end scenario. `prepare` returns the workflows to import (and which of them to publish
 * before n8n starts); `run` asserts on n8n's results and on the sandbox. Stage `cli` runs with
 * `n8n execute` before the server starts, stage `server` after `n8n start`; stage `queue` runs in
 * n8n's queue mode (main + workers, Redis, PostgreSQL), only with `--queue` or when named in
 * `--only`, against a sandbox of its own started with `sandbox` (queue scenarios only).
 */
export interface E2eScenario {
	key: string;
	title: string;
	stage: 'cli' | 'server' | 'queue';
	sandbox?: SandboxOptions;
	prepare?(s: Scenario, env: E2eEnv): { workflows: WorkflowLike[]; publish?: string[] };
	run(s: Scenario, env: E2eEnv): Promise<void>;
}

type WorkflowLike = { id: string } & Record<string, unknown>;

/** examples/<name> when it exists, else the e2e copy under test/e2e/workflows. */
export function pickWorkflow(example: string, fallback: string): { file: string; fromExamples: boolean } {
	const exampleFile = path.join(ROOT, 'examples', example);
	if (fs.existsSync(exampleFile)) return { file: exampleFile, fromExamples: true };
	return { file: path.join(ROOT, 'test', 'e2e', 'workflows', fallback), fromExamples: false };
}

export function rel(file: string): string {
	return path.relative(ROOT, file);
}

export interface RunData {
	status?: string;
	finished?: boolean;
	data: { resultData: { runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: any; binary?: any }> | null> }; error?: any }>>; error?: any } };
}

/** Items of a node's last run on one output (0 = main; 1 = the error output when it is on). */
export function nodeOutput(run: RunData, nodeName: string, outputIndex = 0): Array<{ json: any; binary?: any }> {
	const tasks = run.data.resultData.runData[nodeName];
	if (!tasks || tasks.length === 0) return [];
	return tasks[tasks.length - 1].data?.main?.[outputIndex] ?? [];
}

export function runError(run: RunData): string | undefined {
	const error = run.data.resultData.error;
	if (!error) return undefined;
	return `${error.message ?? ''} ${error.description ?? ''}`.trim();
}

export async function executeWorkflow(instance: N8nInstance, s: Scenario, workflowId: string): Promise<RunData> {
	const result = await n8nCli(instance, ['execute', `--id=${workflowId}`, '--rawOutput'], { allowFailure: true, timeoutMs: 180_000 });
	s.note(`n8n execute --id=${workflowId}: exit ${result.code} in ${seconds(result.ms)}`);
	s.require(result.code === 0, 'n8n execute exits 0', `exit ${result.code}\n${(result.stdout + result.stderr).split('\n').slice(-25).join('\n')}`);
	const run = parseRawOutput(result.stdout) as RunData;
	s.check(run.finished === true || run.status === 'success', 'the execution finished successfully', { status: run.status, finished: run.finished, error: runError(run) });
	return run;
}

/** Requests the sandbox logged under the project API (method + path regex). */
export function logged(sandbox: Sandbox, method: string, pathPattern: RegExp) {
	return sandbox.requests.filter((entry) => entry.method === method && pathPattern.test(entry.path));
}

export async function sandboxApi(sandbox: Sandbox, method: string, route: string, body?: unknown): Promise<any> {
	const res = await fetch(`${sandbox.url}${route}`, {
		method,
		headers: { authorization: `Bearer ${sandbox.keys.all}`, ...(body ? { 'content-type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`sandbox ${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
	return JSON.parse(text);
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, intervalMs = 200): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await fn();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

/**
 * POSTs to a production webhook or form URL. n8n can answer ready before the webhooks of published
 * workflows are registered: a 404 is retried for up to 20 s.
 */
async function postRegistered(url: string, makeInit: () => RequestInit): Promise<{ status: number; text: string; attempts: number }> {
	let attempts = 0;
	const deadline = Date.now() + 20_000;
	for (;;) {
		attempts++;
		const res = await fetch(url, { method: 'POST', ...makeInit() });
		const text = await res.text();
		if (res.status !== 404 || Date.now() > deadline) return { status: res.status, text, attempts };
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Submits a form as a browser does (multipart fields `field-0`, `field-1`, ...). */
export async function postForm(url: string, fields: Record<string, string>): Promise<{ status: number; text: string; attempts: number }> {
	return await postRegistered(url, () => {
		const form = new FormData();
		for (const [key, value] of Object.entries(fields)) form.append(key, value);
		return { body: form };
	});
}

/** Calls a webhook with a JSON body. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; text: string; attempts: number }> {
	const text = JSON.stringify(body);
	return await postRegistered(url, () => ({ body: text, headers: { 'content-type': 'application/json' } }));
}
