/**
 * Shared setup for engine-level tests: a sandbox per test file, credentials pointing at it,
 * and helpers to run the node and read what the sandbox received.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox, type SandboxKeys, type SandboxOptions } from '../../sandbox';
import { runNode, type SingleNodeOptions } from '../harness/engine';

export type { Sandbox };

/** Credential data for the sandbox, as a user would fill in the form (self-hosted host). */
export function sandboxCredentials(sandbox: Pick<Sandbox, 'url' | 'projectId' | 'keys'>, key: keyof SandboxKeys = 'all'): ICredentialDataDecryptedObject {
	return {
		region: 'selfHosted',
		host: sandbox.url,
		projectId: String(sandbox.projectId),
		apiKey: sandbox.keys[key],
	};
}

/**
 * Starts a sandbox before the tests of a file and stops it after. The getter returns the running
 * sandbox; its request log is cleared before each test.
 */
export function useSandbox(options: SandboxOptions = {}): () => Sandbox {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, persons: 300, quiet: true, ...options });
	});
	afterAll(async () => {
		await sandbox?.stop();
	});
	beforeEach(() => {
		sandbox?.clearRequests();
		sandbox?.setFaults(undefined);
		sandbox?.resetRateLimits();
	});
	return () => {
		if (!sandbox) throw new Error('sandbox not started');
		return sandbox;
	};
}

/** The first `count` persons of the sandbox: one distinct ID each (as an app would send it) and the UUID. */
export function pickDistinctIds(sandbox: Sandbox, count: number): Array<{ distinctId: string; uuid: string }> {
	const picked: Array<{ distinctId: string; uuid: string }> = [];
	for (const person of sandbox.store.personsByUuid.values()) {
		if (picked.length === count) break;
		picked.push({ distinctId: person.distinctIds[0], uuid: person.uuid });
	}
	return picked;
}

/** Runs the PostHog Persons node once against the sandbox with the given parameters. */
export async function runAgainst(
	sandbox: Sandbox,
	parameters: IDataObject,
	options: Partial<Omit<SingleNodeOptions, 'parameters'>> & { key?: keyof SandboxKeys } = {},
) {
	const { key, ...rest } = options;
	return await runNode({
		parameters,
		credentials: sandboxCredentials(sandbox, key ?? 'all'),
		...rest,
	});
}

/** Requests the sandbox received under the API (excluding nothing): method, path, query, body. */
export function apiCalls(sandbox: Sandbox) {
	return sandbox.requests.map((entry) => ({
		method: entry.method,
		path: entry.path,
		query: entry.query,
		body: entry.body,
		status: entry.status,
	}));
}

/** Asserts that a secret string appears nowhere in a value (items, errors, binary data). */
export function expectNoSecret(value: unknown, secret: string) {
	const text = JSON.stringify(value, (_key, entry) =>
		entry && typeof entry === 'object' && entry.type === 'Buffer' ? Buffer.from(entry.data).toString('utf8') : entry,
	);
	expect(text).not.toContain(secret);
	// binary payloads are base64: decode them too
	for (const match of text.match(/"data":"([A-Za-z0-9+/=]{16,})"/g) ?? []) {
		const decoded = Buffer.from(match.slice(8, -1), 'base64').toString('utf8');
		expect(decoded).not.toContain(secret);
	}
}
