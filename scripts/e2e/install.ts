/**
 * Installs an n8n host (n8n + Node 24.22.3 from the npm registry, defined by the committed
 * e2e/host-<version>/package.json and package-lock.json) into its folder (see lib/host.ts):
 *
 *   npm ci --ignore-scripts          (n8n's install scripts need the internet: the Kafka client
 *                                     downloads binaries; nothing else needed is skipped)
 *   npm rebuild sqlite3 isolated-vm  (with Node 24 and its headers)
 *
 * Idempotent: skipped when <host>/.installed.json records the hash of the committed files.
 * Run directly: `npx tsx scripts/e2e/install.ts [--n8n=<version>] [--force]`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { n8nHost, type N8nHost } from './lib/host';
import { LOGS_DIR } from './lib/paths';
import { log, runCommand, seconds } from './lib/procs';

/** Bump when the install steps change, so existing installs are redone. */
const RECIPE = 'v1: npm ci --ignore-scripts; npm rebuild sqlite3 isolated-vm (Node 24)';

export interface HostInstall {
	installed: boolean;
	ms: number;
	steps: Record<string, number>;
}

function hostHash(host: N8nHost): string {
	const hash = createHash('sha256');
	hash.update(RECIPE);
	for (const file of ['package.json', 'package-lock.json']) hash.update(fs.readFileSync(path.join(host.source, file), 'utf8'));
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
export function writeBin24(host: N8nHost): void {
	fs.mkdirSync(host.bin24, { recursive: true });
	const files: Record<string, string> = {
		node: `#!/bin/sh\nexec "${host.node24}" "$@"\n`,
		npm: `#!/bin/sh\nexec "${host.node24}" "${npmCli()}" "$@"\n`,
		npx: `#!/bin/sh\nexec "${host.node24}" "${npmCli().replace(/npm-cli\.js$/, 'npx-cli.js')}" "$@"\n`,
	};
	for (const [name, text] of Object.entries(files)) {
		const file = path.join(host.bin24, name);
		if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text, { mode: 0o755 });
	}
}

/** PATH and npm settings for anything that runs with Node 24. */
export function node24Env(host: N8nHost, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return {
		...base,
		PATH: `${host.bin24}${path.delimiter}${base.PATH ?? ''}`,
		npm_config_nodedir: host.node24Dir,
	};
}

function readMarker(host: N8nHost): { hash?: string } {
	try {
		return JSON.parse(fs.readFileSync(host.marker, 'utf8'));
	} catch {
		return {};
	}
}

function isInstalled(host: N8nHost, hash: string): boolean {
	return readMarker(host).hash === hash && fs.existsSync(host.node24) && fs.existsSync(host.n8nBin);
}

async function withLock<T>(host: N8nHost, fn: () => Promise<T>): Promise<T> {
	const lock = `${host.dir}.lock`;
	fs.mkdirSync(path.dirname(host.dir), { recursive: true });
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

export async function ensureHost(host: N8nHost, options: { force?: boolean } = {}): Promise<HostInstall> {
	const started = Date.now();
	const hash = hostHash(host);
	if (!options.force && isInstalled(host, hash)) {
		writeBin24(host);
		return { installed: false, ms: Date.now() - started, steps: {} };
	}
	return await withLock(host, async () => {
		if (!options.force && isInstalled(host, hash)) {
			writeBin24(host);
			return { installed: false, ms: Date.now() - started, steps: {} };
		}
		const logFile = path.join(LOGS_DIR, `host-install-${host.version}.log`);
		const steps: Record<string, number> = {};
		log(`Installing n8n ${host.version} + Node 24 into ${path.relative(process.cwd(), host.dir) || host.dir} (a few minutes; log: ${logFile})`);
		fs.mkdirSync(host.dir, { recursive: true });
		fs.rmSync(host.marker, { force: true });
		for (const file of ['package.json', 'package-lock.json']) {
			fs.copyFileSync(path.join(host.source, file), path.join(host.dir, file));
		}
		const npm = npmCli();
		// Node 20 runs this npm ci: nothing is executed (--ignore-scripts), so the engine warnings are harmless.
		let t = Date.now();
		await runCommand('npm ci', process.execPath, [npm, 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
			cwd: host.dir,
			logFile,
			timeoutMs: 30 * 60_000,
		});
		steps['npm ci --ignore-scripts'] = Date.now() - t;
		log(`  npm ci: ${seconds(steps['npm ci --ignore-scripts'])}`);
		writeBin24(host);
		t = Date.now();
		await runCommand('npm rebuild', host.node24, [npm, 'rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false', '--no-audit', '--no-fund'], {
			cwd: host.dir,
			env: node24Env(host),
			logFile,
			timeoutMs: 20 * 60_000,
		});
		steps['npm rebuild sqlite3 isolated-vm'] = Date.now() - t;
		log(`  npm rebuild sqlite3 isolated-vm: ${seconds(steps['npm rebuild sqlite3 isolated-vm'])}`);
		// the native modules must load in Node 24, and n8n must report its version
		await runCommand('native module check', host.node24, ['-e', "require('sqlite3'); require('isolated-vm')"], {
			cwd: host.dir,
			env: node24Env(host),
			logFile,
		});
		const version = await runCommand('n8n --version', host.node24, [host.n8nBin, '--version'], { cwd: host.dir, env: node24Env(host), logFile });
		if (version.stdout.trim() !== host.version) throw new Error(`expected n8n ${host.version}, got "${version.stdout.trim()}"`);
		const ms = Date.now() - started;
		fs.writeFileSync(host.marker, JSON.stringify({ hash, n8n: host.version, installedAt: new Date().toISOString(), ms, steps }, null, 2));
		log(`n8n host installed in ${seconds(ms)}`);
		return { installed: true, ms, steps };
	});
}

if (require.main === module) {
	ensureHost(n8nHost(), { force: process.argv.includes('--force') })
		.then((result) => {
			log(result.installed ? `installed in ${seconds(result.ms)}` : `already installed (checked in ${result.ms} ms)`);
		})
		.catch((error) => {
			process.stderr.write(`${(error as Error).stack ?? error}\n`);
			process.exit(1);
		});
}
