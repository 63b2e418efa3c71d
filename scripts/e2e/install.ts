/**
 * Installs the n8n host (n8n 2.41.1 + Node 24.22.3 from the npm registry, defined by the
 * committed e2e/host/package.json and package-lock.json) into .e2e/host:
 *
 *   npm ci --ignore-scripts          (n8n's install scripts need the internet; see docs)
 *   npm rebuild sqlite3 isolated-vm  (with Node 24 and its headers)
 *
 * Idempotent: skipped when .e2e/host/.installed.json records the hash of the committed files.
 * Run directly: `npx tsx scripts/e2e/install.ts` (add --force to reinstall).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { BIN24, HOST_DIR, HOST_MARKER, HOST_SOURCE, LOGS_DIR, N8N_BIN, N8N_VERSION, NODE24, NODE24_DIR } from './lib/paths';
import { log, runCommand, seconds } from './lib/procs';

/** Bump when the install steps change, so existing installs are redone. */
const RECIPE = 'v1: npm ci --ignore-scripts; npm rebuild sqlite3 isolated-vm (Node 24)';

export interface HostInstall {
	installed: boolean;
	ms: number;
	steps: Record<string, number>;
}

function hostHash(): string {
	const hash = createHash('sha256');
	hash.update(RECIPE);
	for (const file of ['package.json', 'package-lock.json']) hash.update(fs.readFileSync(path.join(HOST_SOURCE, file), 'utf8'));
	hash.update(`${process.platform}-${process.arch}`);
	return hash.digest('hex');
}

/** npm's CLI script, to run npm with a chosen Node binary. */
export function npmCli(): string {
	const candidates = [
		process.env.npm_execpath,
		path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
		'/usr/lib/node_modules/npm/bin/npm-cli.js',
		'/usr/local/lib/node_modules/npm/bin/npm-cli.js',
	];
	for (const candidate of candidates) {
		if (candidate && /npm-cli\.js$/.test(candidate) && fs.existsSync(candidate)) return path.resolve(candidate);
	}
	throw new Error('npm-cli.js not found (set npm_execpath)');
}

/** bin24/node and bin24/npm: put first on PATH so n8n's children and npm scripts use Node 24. */
export function writeBin24(): void {
	fs.mkdirSync(BIN24, { recursive: true });
	const files: Record<string, string> = {
		node: `#!/bin/sh\nexec "${NODE24}" "$@"\n`,
		npm: `#!/bin/sh\nexec "${NODE24}" "${npmCli()}" "$@"\n`,
		npx: `#!/bin/sh\nexec "${NODE24}" "${npmCli().replace(/npm-cli\.js$/, 'npx-cli.js')}" "$@"\n`,
	};
	for (const [name, text] of Object.entries(files)) {
		const file = path.join(BIN24, name);
		if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text, { mode: 0o755 });
	}
}

/** PATH and npm settings for anything that runs with Node 24. */
export function node24Env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return {
		...base,
		PATH: `${BIN24}${path.delimiter}${base.PATH ?? ''}`,
		npm_config_nodedir: NODE24_DIR,
	};
}

function readMarker(): { hash?: string } {
	try {
		return JSON.parse(fs.readFileSync(HOST_MARKER, 'utf8'));
	} catch {
		return {};
	}
}

function isInstalled(hash: string): boolean {
	return readMarker().hash === hash && fs.existsSync(NODE24) && fs.existsSync(N8N_BIN);
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
	const lock = `${HOST_DIR}.lock`;
	fs.mkdirSync(path.dirname(HOST_DIR), { recursive: true });
	const deadline = Date.now() + 20 * 60_000;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch {
			let holder = 0;
			try {
				holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
			} catch {
				// being created
			}
			let holderAlive = false;
			try {
				if (holder) process.kill(holder, 0);
				holderAlive = holder > 0;
			} catch {
				holderAlive = false;
			}
			if (holder && !holderAlive) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`${lock} is held by PID ${holder}`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

export async function ensureHost(options: { force?: boolean } = {}): Promise<HostInstall> {
	const started = Date.now();
	const hash = hostHash();
	if (!options.force && isInstalled(hash)) {
		writeBin24();
		return { installed: false, ms: Date.now() - started, steps: {} };
	}
	return await withLock(async () => {
		if (!options.force && isInstalled(hash)) {
			writeBin24();
			return { installed: false, ms: Date.now() - started, steps: {} };
		}
		const logFile = path.join(LOGS_DIR, 'host-install.log');
		const steps: Record<string, number> = {};
		log(`Installing n8n ${N8N_VERSION} + Node 24 into ${path.relative(process.cwd(), HOST_DIR) || HOST_DIR} (a few minutes; log: ${logFile})`);
		fs.mkdirSync(HOST_DIR, { recursive: true });
		fs.rmSync(HOST_MARKER, { force: true });
		for (const file of ['package.json', 'package-lock.json']) {
			fs.copyFileSync(path.join(HOST_SOURCE, file), path.join(HOST_DIR, file));
		}
		const npm = npmCli();
		// Node 20 runs this npm ci: nothing is executed (--ignore-scripts), so the engine warnings are harmless.
		let t = Date.now();
		await runCommand('npm ci', process.execPath, [npm, 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
			cwd: HOST_DIR,
			logFile,
			timeoutMs: 30 * 60_000,
		});
		steps['npm ci --ignore-scripts'] = Date.now() - t;
		log(`  npm ci: ${seconds(steps['npm ci --ignore-scripts'])}`);
		writeBin24();
		t = Date.now();
		await runCommand('npm rebuild', NODE24, [npm, 'rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false', '--no-audit', '--no-fund'], {
			cwd: HOST_DIR,
			env: node24Env(),
			logFile,
			timeoutMs: 20 * 60_000,
		});
		steps['npm rebuild sqlite3 isolated-vm'] = Date.now() - t;
		log(`  npm rebuild sqlite3 isolated-vm: ${seconds(steps['npm rebuild sqlite3 isolated-vm'])}`);
		// the native modules must load in Node 24, and n8n must report its version
		await runCommand('native module check', NODE24, ['-e', "require('sqlite3'); require('isolated-vm')"], {
			cwd: HOST_DIR,
			env: node24Env(),
			logFile,
		});
		const version = await runCommand('n8n --version', NODE24, [N8N_BIN, '--version'], { cwd: HOST_DIR, env: node24Env(), logFile });
		if (version.stdout.trim() !== N8N_VERSION) throw new Error(`expected n8n ${N8N_VERSION}, got "${version.stdout.trim()}"`);
		const ms = Date.now() - started;
		fs.writeFileSync(HOST_MARKER, JSON.stringify({ hash, n8n: N8N_VERSION, installedAt: new Date().toISOString(), ms, steps }, null, 2));
		log(`n8n host installed in ${seconds(ms)}`);
		return { installed: true, ms, steps };
	});
}

if (require.main === module) {
	ensureHost({ force: process.argv.includes('--force') })
		.then((result) => {
			log(result.installed ? `installed in ${seconds(result.ms)}` : `already installed (checked in ${result.ms} ms)`);
		})
		.catch((error) => {
			process.stderr.write(`${(error as Error).stack ?? error}\n`);
			process.exit(1);
		});
}
