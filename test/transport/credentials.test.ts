import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { postHogBaseUrl } from '../../nodes/PostHogPersons/transport';
import { resolveWithCredentials, testCredential } from '../harness/credentialTest';
import { loadPackage } from '../harness/engine';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';

describe('credential', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('the test request proves key and project with one persons page', async () => {
		server = await scriptedServer(() => ({ status: 200, body: { results: [], next: null } }));
		const result = await testCredential(credentialsFor(server, 'phx_good'));
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].url).toBe('/api/projects/7/persons/?limit=1');
		expect(server.requests[0].headers.authorization).toBe('Bearer phx_good');
	});

	test.each([
		[401, /rejected the personal API key/],
		[403, /lacks the person:read scope/],
		[404, /Project not found/],
	])('a %d answer gives PostHog\'s reason', async (status, message) => {
		server = await scriptedServer(() => ({ status, body: { type: 'x', code: 'y', detail: 'z', attr: null } }));
		const result = await testCredential(credentialsFor(server, 'phx_bad'));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
		expect(result.message).not.toContain('phx_bad');
	});

	// The node computes the base URL in TypeScript, the credential test with an expression: both must agree.
	test.each([
		['us', '', 'https://us.posthog.com'],
		['eu', '', 'https://eu.posthog.com'],
		['selfHosted', 'https://posthog.example.com', 'https://posthog.example.com'],
		['selfHosted', 'https://posthog.example.com/', 'https://posthog.example.com'],
		['selfHosted', '  posthog.example.com/project/1/insights?x=1 ', 'https://posthog.example.com'],
		['selfHosted', 'http://127.0.0.1:8010/api/', 'http://127.0.0.1:8010'],
		['selfHosted', 'HTTPS://PostHog.Example.com:8443#frag', 'HTTPS://PostHog.Example.com:8443'],
	])('region %s host "%s" → %s in node and credential test', async (region, host, expected) => {
		const credentials: ICredentialDataDecryptedObject = { region, host, projectId: '1', apiKey: 'k' };
		expect(postHogBaseUrl(credentials)).toBe(expected);
		const type = (await loadPackage()).getCredential('postHogPersonsApi').type;
		expect(resolveWithCredentials(type.test!.request.baseURL, credentials)).toBe(expected);
	});
});
