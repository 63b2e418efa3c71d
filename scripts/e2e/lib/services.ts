/**
 * Redis and PostgreSQL for n8n's queue mode, started by the test as its own processes on
 * 127.0.0.1 from the Debian packages (`apt-get install redis-server postgresql`), on free ports,
 * with throw-away data, and stopped by PID.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { freePort, onCleanup, runCommand, startProcess, stop, tail, type Running } from './procs';

const INSTALL_HINT = 'install the Debian packages: apt-get install -y redis-server postgresql';

async function waitUntil(what: string, proc: Running, logFile: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (proc.exitCode() !== undefined) throw new Error(`${what} exited with code ${proc.exitCode()}. Log tail (${logFile}):\n${tail(logFile, 30)}`);
		if (await check().catch(() => false)) return;
		if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs / 1000} s. Log tail (${logFile}):\n${tail(logFile, 30)}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

function which(command: string): string | undefined {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		const file = path.join(dir, command);
		if (dir && fs.existsSync(file)) return file;
	}
	return undefined;
}

/** Sends one inline command to Redis and resolves with the first reply line. */
function redisCommand(port: number, command: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = net.connect({ port, host: '127.0.0.1' });
		let reply = '';
		socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
		socket.once('connect', () => socket.write(`${command}\r\n`));
		socket.on('data', (chunk) => {
			reply += chunk.toString('utf8');
			if (reply.includes('\r\n')) {
				socket.end();
				resolve(reply.split('\r\n')[0]);
			}
		});
		socket.once('error', reject);
	});
}

export interface RedisService {
	port: number;
	proc: Running;
}

/** redis-server on 127.0.0.1:<free port>, no persistence. */
export async function startRedis(dir: string, logFile: string): Promise<RedisService> {
	const binary = which('redis-server');
	if (!binary) throw new Error(`redis-server is not installed: ${INSTALL_HINT}`);
	fs.mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'];
	const proc = startProcess('redis-server', binary, args, { logFile });
	await waitUntil('redis-server', proc, logFile, async () => (await redisCommand(port, 'PING')) === '+PONG');
	return { port, proc };
}

export interface PostgresService {
	port: number;
	database: string;
	user: string;
	proc: Running;
	/** stops the server (fast shutdown) and deletes its data */
	stop(): Promise<void>;
}

/** The newest PostgreSQL of the Debian packages (/usr/lib/postgresql/<major>/bin), else PATH. */
function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
	for (const major of majors) {
		const bin = path.join(root, major, 'bin');
		if (fs.existsSync(path.join(bin, 'postgres'))) return bin;
	}
	const postgres = which('postgres');
	if (postgres) return path.dirname(fs.realpathSync(postgres));
	throw new Error(`PostgreSQL is not installed: ${INSTALL_HINT}`);
}

/** PostgreSQL refuses to run as root: then it runs as the Debian package's `postgres` user. */
function runAs(): { uid?: number; gid?: number } {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

/**
 * A fresh cluster (initdb, trust authentication, TCP on 127.0.0.1 only, no fsync: the data is
 * thrown away) with a database `n8n` owned by the superuser `n8n`.
 */
export async function startPostgres(logFile: string): Promise<PostgresService> {
	const bin = postgresBinDir();
	const owner = runAs();
	// a folder the postgres user can own (the work tree may not be reachable for it)
	const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pg-'));
	const data = path.join(dataRoot, 'data');
	fs.mkdirSync(data, { mode: 0o700 });
	if (owner.uid !== undefined) {
		fs.chownSync(dataRoot, owner.uid, owner.gid as number);
		fs.chownSync(data, owner.uid, owner.gid as number);
	}
	let removed = false;
	const removeData = () => {
		if (!removed) fs.rmSync(dataRoot, { recursive: true, force: true });
		removed = true;
	};
	onCleanup(removeData);
	const user = 'n8n';
	const database = 'n8n';
	await runCommand('initdb', path.join(bin, 'initdb'), ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
		cwd: dataRoot,
		logFile,
		timeoutMs: 120_000,
		...owner,
	});
	const port = await freePort();
	const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', '', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
	const proc = startProcess('postgres', path.join(bin, 'postgres'), args, { cwd: dataRoot, logFile, ...owner });
	const createdb = path.join(bin, 'createdb');
	await waitUntil('postgres', proc, logFile, async () => {
		const result = await runCommand('pg_isready', path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', user], { logFile, allowFailure: true, timeoutMs: 10_000 });
		return result.code === 0;
	});
	await runCommand('createdb', createdb, ['-h', '127.0.0.1', '-p', String(port), '-U', user, database], { logFile, timeoutMs: 30_000 });
	return {
		port,
		database,
		user,
		proc,
		stop: async () => {
			// SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave)
			if (proc.exitCode() === undefined) {
				try {
					process.kill(proc.pid, 'SIGINT');
				} catch {
					// already gone
				}
				await Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
			}
			await stop(proc);
			removeData();
		},
	};
}
