/**
 * This package as users get it: built, packed with `npm pack`, and installed from the tarball
 * into <N8N_USER_FOLDER>/.n8n/nodes, where n8n's community-packages loader finds it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { npmCli } from '../install';
import { LOGS_DIR, PACK_DIR, PACKAGE_NAME, ROOT } from './paths';
import { runCommand } from './procs';

const logFile = path.join(LOGS_DIR, 'package.log');

export async function buildPackage(): Promise<void> {
	await runCommand('npm run build', process.execPath, [npmCli(), 'run', 'build'], { cwd: ROOT, logFile, timeoutMs: 300_000 });
}

/** `npm pack` into .e2e/pack; returns the tarball path. */
export async function packPackage(): Promise<string> {
	fs.rmSync(PACK_DIR, { recursive: true, force: true });
	fs.mkdirSync(PACK_DIR, { recursive: true });
	const result = await runCommand('npm pack', process.execPath, [npmCli(), 'pack', '--json', '--pack-destination', PACK_DIR], {
		cwd: ROOT,
		logFile,
		timeoutMs: 120_000,
	});
	const info = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
	const tarball = path.join(PACK_DIR, path.basename(info[0].filename));
	if (!fs.existsSync(tarball)) throw new Error(`npm pack did not write ${tarball}`);
	const files = info[0].files.map((file) => file.path);
	for (const needed of ['package.json', 'dist/nodes/PostHogPersons/PostHogPersons.node.js', 'dist/credentials/PostHogPersonsApi.credentials.js']) {
		if (!files.includes(needed)) throw new Error(`the packed tarball lacks ${needed}`);
	}
	return tarball;
}

/** Installs the tarball into <userFolder>/.n8n/nodes (replacing an earlier install). */
export async function installPackage(userFolder: string, tarball: string): Promise<string> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
	fs.rmSync(path.join(nodesDir, 'node_modules', PACKAGE_NAME), { recursive: true, force: true });
	await runCommand(
		'npm install <tarball>',
		process.execPath,
		[npmCli(), 'install', tarball, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'],
		{ cwd: nodesDir, logFile, timeoutMs: 120_000 },
	);
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	if (!fs.existsSync(path.join(installed, 'package.json'))) throw new Error(`${PACKAGE_NAME} is not in ${nodesDir}/node_modules`);
	return installed;
}
