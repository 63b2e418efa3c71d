/**
 * Child processes of the e2e scripts: spawned, logged to files, and always stopped by their PID
 * (on success, on failure, on Ctrl-C / SIGTERM).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface Running {
	name: string;
	pid: number;
	child: ChildProcess;
	logFile?: string;
	exited: Promise<number | null>;
	exitCode(): number | null | undefined;
}

const running = new Map<number, Running>();
const cleanups: Array<() => Promise<void> | void> = [];

/** Registers work to do on exit (stop the sandbox, ...); runs after the children are stopped. */
export function onCleanup(fn: () => Promise<void> | void): void {
	cleanups.push(fn);
}

export function log(message: string): void {
	const stamp = new Date().toISOString().slice(11, 19);
	process.stdout.write(`[${stamp}] ${message}\n`);
}

/** Starts a long-running process whose output goes to logFile (appended). */
export function startProcess(
	name: string,
	command: string,
	args: string[],
	options: SpawnOptions & { logFile: string },
): Running {
	fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
	const out = fs.openSync(options.logFile, 'a');
	fs.writeSync(out, `\n===== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
	const child = spawn(command, args, { ...options, stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
	let code: number | null | undefined;
	const exited = new Promise<number | null>((resolve) => {
		child.on('exit', (exitCode, signal) => {
			code = exitCode ?? (signal ? 128 : null);
			running.delete(child.pid as number);
			resolve(code);
		});
	});
	const entry: Running = { name, pid: child.pid, child, logFile: options.logFile, exited, exitCode: () => code };
	running.set(child.pid, entry);
	return entry;
}

export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/**
 * Runs a command to completion. Output is captured and appended to logFile. Rejects when it
 * exits non-zero unless allowFailure.
 */
export async function runCommand(
	name: string,
	command: string,
	args: string[],
	options: SpawnOptions & { logFile: string; allowFailure?: boolean; timeoutMs?: number; echo?: boolean },
): Promise<RunResult> {
	const started = Date.now();
	fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
	fs.appendFileSync(options.logFile, `\n===== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
	const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
	const pid = child.pid;
	let code: number | null | undefined;
	const exited = new Promise<number | null>((resolve) => {
		child.on('exit', (exitCode, signal) => {
			code = exitCode ?? (signal ? 128 : null);
			resolve(code);
		});
	});
	running.set(pid, { name, pid, child, logFile: options.logFile, exited, exitCode: () => code });
	const stdout: Uint8Array[] = [];
	const stderr: Uint8Array[] = [];
	child.stdout?.on('data', (chunk: Uint8Array) => {
		stdout.push(chunk);
		fs.appendFileSync(options.logFile, chunk);
		if (options.echo) process.stdout.write(chunk);
	});
	child.stderr?.on('data', (chunk: Uint8Array) => {
		stderr.push(chunk);
		fs.appendFileSync(options.logFile, chunk);
		if (options.echo) process.stderr.write(chunk);
	});
	let timer: NodeJS.Timeout | undefined;
	if (options.timeoutMs) {
		timer = setTimeout(() => {
			fs.appendFileSync(options.logFile, `\n[e2e] ${name} timed out after ${options.timeoutMs} ms, stopping PID ${pid}\n`);
			void stopPid(pid, name);
		}, options.timeoutMs);
	}
	const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
	const exitCode = await exited;
	await closed;
	if (timer) clearTimeout(timer);
	running.delete(pid);
	const result: RunResult = {
		code: exitCode,
		stdout: Buffer.concat(stdout).toString('utf8'),
		stderr: Buffer.concat(stderr).toString('utf8'),
		ms: Date.now() - started,
	};
	if (exitCode !== 0 && !options.allowFailure) {
		const tail = (result.stderr || result.stdout).split('\n').slice(-30).join('\n');
		throw new Error(`${name} failed with exit code ${exitCode} (log: ${options.logFile})\n${tail}`);
	}
	return result;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * SIGTERM to the PID, wait up to graceMs, then SIGKILL to the process group the PID leads
 * (children were spawned detached, so the group id is that same PID: n8n's task runner goes too).
 */
export async function stopPid(pid: number, name: string, graceMs = 10_000): Promise<void> {
	const entry = running.get(pid);
	if (!alive(pid)) return;
	try {
		process.kill(pid, 'SIGTERM');
	} catch {
		return;
	}
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline) {
		if (entry && entry.exitCode() !== undefined) break;
		if (!entry && !alive(pid)) break;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	// the group: the task runner and any other child still alive after the leader stopped
	try {
		process.kill(-pid, 0);
		if (entry?.exitCode() === undefined) log(`${name} (PID ${pid}) did not stop within ${graceMs} ms: SIGKILL`);
		process.kill(-pid, 'SIGKILL');
	} catch {
		// group already gone
	}
}

export async function stop(proc: Running, graceMs?: number): Promise<void> {
	await stopPid(proc.pid, proc.name, graceMs);
	await Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
}

let cleaning: Promise<void> | undefined;

/** Whether a signal or the end of the script started stopping everything. */
export function isStopping(): boolean {
	return cleaning !== undefined;
}

/** Stops every child still running (newest first) and runs the registered cleanups. */
export function cleanupAll(): Promise<void> {
	if (!cleaning) {
		cleaning = (async () => {
			for (const entry of [...running.values()].reverse()) await stop(entry);
			for (const fn of cleanups.reverse()) {
				try {
					await fn();
				} catch (error) {
					process.stderr.write(`cleanup failed: ${(error as Error).message}\n`);
				}
			}
		})();
	}
	return cleaning;
}

/** Ctrl-C, SIGTERM and SIGHUP stop all children before the script exits. */
export function installSignalHandlers(): void {
	let received = 0;
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			received++;
			// Ctrl-C reaches this process twice (from the terminal and relayed by npm/tsx): one cleanup;
			// a third signal exits at once
			if (received === 1) {
				log(`${signal}: stopping ${running.size} process(es) by PID ...`);
				void cleanupAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
			} else if (received >= 3) {
				process.exit(1);
			}
		});
	}
}

/** A TCP port that is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** Whether something listens on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = net.connect({ port, host: '127.0.0.1' });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

export function tail(file: string | undefined, lines = 60): string {
	if (!file || !fs.existsSync(file)) return '';
	const text = fs.readFileSync(file, 'utf8');
	return text.split('\n').slice(-lines).join('\n');
}

export function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}
