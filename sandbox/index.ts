// PostHog-compatible sandbox server: Persons REST API, Query API (ActorsQuery) and saved insights.
// See sandbox/README.md.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeKeys, type KeyInfo, type SandboxKeys } from './auth';
import { FaultInjector, type FaultConfig } from './faults';
import type { RequestLogEntry } from './log';
import { seedStore } from './seed';
import { createRequestListener, type ServerRuntime } from './server';
import { SandboxStore } from './store';
import { ThrottleRegistry } from './throttle';
import { parseIsoDate } from './util/time';

export type { FaultConfig } from './faults';
export type { SandboxKeys, KeyInfo } from './auth';
export type { RequestLogEntry } from './log';
export {
	SandboxStore,
	SandboxEvent,
	sortDistinctIds,
	type SandboxPerson,
	type SandboxCohort,
	type SandboxAction,
	type SandboxInsight,
	type ActivityLogEntry,
	type AsyncDeletionRow,
	type AsyncQueryRecord,
	type PropertyHistoryEntry,
	type StoreSettings,
} from './store';

export interface SandboxOptions {
	/** 0 = pick a free port (default 0) */
	port?: number;
	/** default '127.0.0.1' */
	host?: string;
	/** default 42; same seed + same options => identical data (UUIDs, ids, events) */
	seed?: number;
	/** default 2000 */
	persons?: number;
	/** average events per person, default 6 (0 allowed for big benchmarks) */
	eventsPerPerson?: number;
	/** default 1 */
	projectId?: number;
	/** ISO anchor of the sandbox clock for seeding (default: current time). Events lie in [now-60d, now]. */
	now?: string;
	/** default 1. 60 => rate-limit windows run 60x faster */
	timeScale?: number;
	/** default true = PostHog Cloud throttles; false = self-hosted default (RATE_LIMIT_ENABLED off) */
	rateLimits?: boolean;
	/** default 'sync' (persons_deleted=N); 'queued' => persons_deleted 0, persons_queued_for_deletion N */
	bulkDeleteMode?: 'sync' | 'queued';
	faults?: FaultConfig;
	quiet?: boolean;
}

export interface Sandbox {
	/** e.g. http://127.0.0.1:54321 (no trailing slash) */
	url: string;
	projectId: number;
	keys: SandboxKeys;
	/** in-memory state of the project, inspectable and mutable by tests (see README) */
	store: SandboxStore;
	/** request log (last 200k entries) */
	requests: RequestLogEntry[];
	clearRequests(): void;
	setFaults(faults: FaultConfig | undefined): void;
	resetRateLimits(): void;
	stop(): Promise<void>;
}

/** Key metadata (scopes, restrictions) by key name — handy for CLIs and docs. */
export function describeKeys(seed = 42, projectId = 1): KeyInfo[] {
	return makeKeys(seed, projectId);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const seed = options.seed ?? 42;
	const projectId = options.projectId ?? 1;
	const host = options.host ?? '127.0.0.1';
	const nowOpt = options.now !== undefined ? parseIsoDate(options.now) ?? Date.parse(options.now) : Date.now();
	if (!Number.isFinite(nowOpt)) throw new Error(`startSandbox: invalid "now" option ${options.now}`);
	const anchor = Math.floor(nowOpt);
	const realStart = Date.now();
	const timeScale = options.timeScale && options.timeScale > 0 ? options.timeScale : 1;

	const store = new SandboxStore(projectId, seed, anchor, realStart);
	seedStore(store, { seed, persons: options.persons ?? 2000, eventsPerPerson: options.eventsPerPerson ?? 6, now: anchor });
	// the project the `otherProject` key is restricted to: exists, but holds no data
	const otherStore = new SandboxStore(projectId + 1, seed, anchor, realStart);

	const keyInfos = makeKeys(seed, projectId);
	const keys = Object.fromEntries(keyInfos.map((k) => [k.name, k.value])) as unknown as SandboxKeys;
	const requests: RequestLogEntry[] = [];
	let url = '';
	const rt: ServerRuntime = {
		stores: new Map([
			[projectId, store],
			[projectId + 1, otherStore],
		]),
		mainProjectId: projectId,
		faults: new FaultInjector(options.faults),
		baseUrl: () => url,
		bulkDeleteMode: options.bulkDeleteMode ?? 'sync',
		keysByValue: new Map(keyInfos.map((k) => [k.value, k])),
		throttles: new ThrottleRegistry(timeScale),
		rateLimits: options.rateLimits ?? true,
		requests,
		nextRequestId: 1,
		quiet: options.quiet ?? false,
	};

	const server = http.createServer(createRequestListener(rt));
	server.keepAliveTimeout = 5000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const addr = server.address() as AddressInfo;
	const urlHost = host.includes(':') ? `[${host}]` : host;
	url = `http://${urlHost}:${addr.port}`;

	let stopped = false;
	return {
		url,
		projectId,
		keys,
		store,
		requests,
		clearRequests: () => {
			requests.length = 0;
		},
		setFaults: (faults) => rt.faults.set(faults),
		resetRateLimits: () => rt.throttles.reset(),
		stop: async () => {
			if (stopped) return;
			stopped = true;
			store.dispose();
			otherStore.dispose();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}
