/**
 * Real n8n (one of the installed hosts, see host.ts) driven through its CLI, its HTTP server and
 * its REST API.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { node24Env } from '../install';
import { versionEnv, type N8nHost } from './host';
import { LOGS_DIR } from './paths';
import { freePort, log, portInUse, runCommand, startProcess, stop, tail, type RunResult, type Running } from './procs';

export interface N8nInstance {
	/** the installed n8n version this instance runs */
	host: N8nHost;
	/** N8N_USER_FOLDER (n8n keeps its config and SQLite database in <userFolder>/.n8n) */
	userFolder: string;
	port: number;
	/** name used for the log files in .e2e/logs */
	logName: string;
	/** extra environment */
	env?: Record<string, string>;
}

export function baseUrl(instance: N8nInstance): string {
	return `http://127.0.0.1:${instance.port}`;
}

/** Environment of every n8n process: loopback only, no telemetry, community packages from .n8n/nodes. */
export function n8nEnv(instance: N8nInstance, brokerPort: number): NodeJS.ProcessEnv {
	const url = `${baseUrl(instance)}/`;
	const env: NodeJS.ProcessEnv = {
		...node24Env(instance.host),
		N8N_USER_FOLDER: instance.userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(instance.port),
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: url,
		N8N_EDITOR_BASE_URL: url,
		N8N_SECURE_COOKIE: 'false',
		DB_TYPE: 'sqlite',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_LEVEL: 'info',
		...versionEnv(instance.host),
		...instance.env,
	};
	// an n8n of the developer's own shell must not leak in
	delete env.N8N_CONFIG_FILES;
	delete env.NODE_OPTIONS;
	return env;
}

function logFile(instance: N8nInstance, what: string): string {
	return path.join(LOGS_DIR, `${instance.logName}-${what}.log`);
}

/** Runs one n8n CLI command (each gets its own free task-runner broker port). */
export async function n8nCli(
	instance: N8nInstance,
	args: string[],
	options: { allowFailure?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
	const brokerPort = await freePort();
	return await runCommand(`n8n ${args[0]}`, instance.host.node24, [instance.host.n8nBin, ...args], {
		cwd: instance.userFolder,
		env: n8nEnv(instance, brokerPort),
		logFile: logFile(instance, 'cli'),
		timeoutMs: options.timeoutMs ?? 120_000,
		allowFailure: options.allowFailure,
	});
}

/** The run data printed by `n8n execute --id <id> --rawOutput` (log lines around it are skipped). */
export function parseRawOutput(stdout: string): any {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line === '{');
	if (start < 0) throw new Error(`no JSON in the output of n8n execute:\n${stdout.slice(-2000)}`);
	for (let end = lines.length; end > start; end--) {
		if (lines[end - 1] !== '}') continue;
		try {
			return JSON.parse(lines.slice(start, end).join('\n'));
		} catch {
			// a later closing brace belongs to the document
		}
	}
	throw new Error(`unparsable JSON in the output of n8n execute:\n${stdout.slice(-2000)}`);
}

export interface N8nServer {
	proc: Running;
	url: string;
	brokerPort: number;
	logFile: string;
	startMs: number;
	stop(): Promise<void>;
}

/** `n8n start`, waiting for /healthz/readiness and the REST API. */
export async function startN8n(instance: N8nInstance, options: { timeoutMs?: number } = {}): Promise<N8nServer> {
	if (await portInUse(instance.port)) throw new Error(`port ${instance.port} is already in use`);
	const brokerPort = await freePort();
	const file = logFile(instance, 'server');
	const started = Date.now();
	const proc = startProcess('n8n start', instance.host.node24, [instance.host.n8nBin, 'start'], {
		cwd: instance.userFolder,
		env: n8nEnv(instance, brokerPort),
		logFile: file,
	});
	const url = baseUrl(instance);
	const deadline = started + (options.timeoutMs ?? 120_000);
	for (;;) {
		if (proc.exitCode() !== undefined) {
			throw new Error(`n8n start exited with code ${proc.exitCode()} before it was ready. Log tail (${file}):\n${tail(file)}`);
		}
		// n8n 1.x answers /healthz/readiness before its REST API is mounted: wait for both
		const ready = await fetch(`${url}/healthz/readiness`)
			.then(async (res) => res.status === 200 && (await fetch(`${url}/rest/settings`)).status === 200)
			.catch(() => false);
		if (ready) break;
		if (Date.now() > deadline) {
			await stop(proc);
			throw new Error(`n8n did not become ready within ${(options.timeoutMs ?? 120_000) / 1000} s. Log tail (${file}):\n${tail(file)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	const startMs = Date.now() - started;
	log(`n8n ready at ${url} (PID ${proc.pid}, broker port ${brokerPort}) in ${(startMs / 1000).toFixed(1)} s`);
	return { proc, url, brokerPort, logFile: file, startMs, stop: () => stop(proc) };
}

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly body: string,
		message: string,
	) {
		super(message);
	}
}

/** n8n's internal REST API (/rest, /types) with the session cookie of a logged-in user, and the public API. */
export class N8nClient {
	private cookie = '';
	/** n8n binds the auth cookie to this header */
	private readonly browserId = `e2e-${process.pid}-${Date.now()}`;
	apiKey = '';

	constructor(readonly url: string) {}

	async request(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
		const res = await fetch(`${this.url}${route}`, {
			method,
			headers: {
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
				...(this.apiKey && route.startsWith('/api/') ? { 'X-N8N-API-KEY': this.apiKey } : {}),
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookies = res.headers.getSetCookie?.() ?? [];
		for (const setCookie of setCookies) {
			const pair = setCookie.split(';')[0];
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		const text = await res.text();
		let json: any;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = undefined;
		}
		return { status: res.status, json, text };
	}

	async ok(method: string, route: string, body?: unknown): Promise<any> {
		const res = await this.request(method, route, body);
		if (res.status < 200 || res.status >= 300) {
			throw new HttpError(res.status, res.text, `${method} ${route} answered ${res.status}: ${res.text.slice(0, 500)}`);
		}
		return res.json;
	}

	get loggedIn(): boolean {
		return this.cookie !== '';
	}

	/** Creates the instance owner (only possible while none exists). */
	async setupOwner(owner: Owner): Promise<void> {
		await this.ok('POST', '/rest/owner/setup', {
			email: owner.email,
			firstName: owner.firstName,
			lastName: owner.lastName,
			password: owner.password,
		});
	}

	async login(owner: Owner): Promise<void> {
		await this.ok('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		if (!this.cookie) throw new Error('POST /rest/login set no n8n-auth cookie');
	}

	/** Owner setup on a fresh instance, login on a set-up one. */
	async setupOrLogin(owner: Owner): Promise<'created' | 'existing'> {
		const res = await this.request('POST', '/rest/owner/setup', {
			email: owner.email,
			firstName: owner.firstName,
			lastName: owner.lastName,
			password: owner.password,
		});
		await this.login(owner);
		return res.status >= 200 && res.status < 300 ? 'created' : 'existing';
	}

	/** An API key with every scope the instance offers, for the public API (/api/v1). */
	async createApiKey(label: string): Promise<string> {
		const scopes = (await this.ok('GET', '/rest/api-keys/scopes')).data as string[];
		const created = await this.ok('POST', '/rest/api-keys', { label, scopes, expiresAt: null });
		this.apiKey = created.data.rawApiKey;
		return this.apiKey;
	}
}

export interface Owner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

/** Reads a JSON file. */
export function readJson<T = any>(file: string): T {
	return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
