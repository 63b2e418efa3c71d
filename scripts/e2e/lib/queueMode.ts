/**
 * n8n in queue mode, as users scale it out: a main process (editor, REST API, webhooks and
 * forms, which it turns into jobs) and workers that run the executions, coordinated through Redis,
 * with PostgreSQL as the database. Every process has the package installed (they share one
 * N8N_USER_FOLDER, and with it the encryption key and .n8n/nodes), its own task-runner broker
 * port, and each worker its own health-check port and event-log file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { N8nHost } from './host';
import { n8nEnv, startN8n, type N8nInstance, type N8nServer } from './n8n';
import { LOGS_DIR } from './paths';
import { freePort, log, startProcess, stop, tail, type Running } from './procs';
import { startPostgres, startRedis, type PostgresService, type RedisService } from './services';

export interface QueueWorker {
	index: number;
	proc: Running;
	healthPort: number;
	logFile: string;
}

export interface QueueStack {
	redis: RedisService;
	postgres: PostgresService;
	/** the main process's instance (for `n8n` CLI commands against the same database and Redis) */
	instance: N8nInstance;
	main?: N8nServer;
	workers: QueueWorker[];
	/** executions one worker runs at the same time (`n8n worker --concurrency`) */
	concurrency: number;
}

/** Redis and PostgreSQL, and the instance settings every process of the stack shares. */
export async function startQueueServices(host: N8nHost, userFolder: string, runDir: string, port: number): Promise<QueueStack> {
	const redis = await startRedis(path.join(runDir, 'redis'), path.join(LOGS_DIR, 'queue-redis.log'));
	log(`  redis-server on 127.0.0.1:${redis.port} (PID ${redis.proc.pid})`);
	const postgres = await startPostgres(path.join(LOGS_DIR, 'queue-postgres.log'));
	log(`  postgres on 127.0.0.1:${postgres.port} (PID ${postgres.proc.pid})`);
	const instance: N8nInstance = {
		host,
		userFolder,
		port,
		logName: 'queue-main',
		env: {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
		},
	};
	return { redis, postgres, instance, workers: [], concurrency: 10 };
}

/** `n8n worker`, waiting for its /healthz/readiness. */
export async function startWorker(stack: QueueStack, index: number, timeoutMs = 120_000): Promise<QueueWorker> {
	const healthPort = await freePort();
	const logFile = path.join(LOGS_DIR, `queue-worker${index}.log`);
	const env = {
		...n8nEnv(stack.instance, await freePort()),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_EVENTBUS_LOGWRITER_LOGBASENAME: `n8nEventLog-worker${index}`,
	};
	const { host } = stack.instance;
	const proc = startProcess(`n8n worker ${index}`, host.node24, [host.n8nBin, 'worker', `--concurrency=${stack.concurrency}`], {
		cwd: stack.instance.userFolder,
		env,
		logFile,
	});
	const started = Date.now();
	for (;;) {
		if (proc.exitCode() !== undefined) throw new Error(`n8n worker ${index} exited with code ${proc.exitCode()}. Log tail (${logFile}):\n${tail(logFile, 40)}`);
		const ready = await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`)
			.then((res) => res.status === 200)
			.catch(() => false);
		if (ready) break;
		if (Date.now() - started > timeoutMs) {
			await stop(proc);
			throw new Error(`n8n worker ${index} was not ready within ${timeoutMs / 1000} s. Log tail (${logFile}):\n${tail(logFile, 40)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	log(`  worker ${index} ready (PID ${proc.pid}, health port ${healthPort}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	const worker = { index, proc, healthPort, logFile };
	stack.workers.push(worker);
	return worker;
}

/** The main process and `workers` workers, started side by side. */
export async function startQueueProcesses(stack: QueueStack, workers: number): Promise<void> {
	const [main] = await Promise.all([startN8n(stack.instance), ...Array.from({ length: workers }, (_, i) => startWorker(stack, i + 1))]);
	stack.main = main;
}

/** Main first (no new jobs), then the workers (they finish what they run), then the services. */
export async function stopQueueStack(stack: QueueStack): Promise<void> {
	if (stack.main) await stack.main.stop();
	await Promise.all(stack.workers.map((worker) => stop(worker.proc, 30_000)));
	await stop(stack.redis.proc);
	await stack.postgres.stop();
}

/**
 * Resident memory (bytes) of the whole stack right now: every process in the process groups of
 * main, the workers, Redis and PostgreSQL (n8n's task runners and PostgreSQL's backends included).
 * Linux only (/proc); 0 elsewhere.
 */
export function stackRssBytes(stack: QueueStack): number {
	const groups = new Set([stack.main?.proc.pid, ...stack.workers.map((w) => w.proc.pid), stack.redis.proc.pid, stack.postgres.proc.pid].filter((pid): pid is number => pid !== undefined));
	let total = 0;
	let entries: string[] = [];
	try {
		entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
	} catch {
		return 0;
	}
	for (const pid of entries) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			// fields after the command name (which may contain spaces): state ppid pgrp ...
			const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
			if (!groups.has(pgrp)) continue;
			const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (rss) total += Number(rss[1]) * 1024;
		} catch {
			// the process ended meanwhile
		}
	}
	return total;
}
