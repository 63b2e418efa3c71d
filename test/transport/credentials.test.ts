import { NodeHelpers, type ICredentialDataDecryptedObject } from 'n8n-workflow';

import { postHogBaseUrl } from '../../nodes/PostHogPersons/transport';
import { resolveWithCredentials, testCredential } from '../harness/credentialTest';
import { loadPackage } from '../harness/engine';
import { redirect } from '../helpers/hostileReplies';
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

	// defect 1: n8n's request path follows redirects and by default forwards credentials across origins
	test.each([301, 302, 303, 307, 308])('a %d redirect to another origin: the key never reaches it, the test fails with a clear message', async (status) => {
		const other = await scriptedServer(() => ({ status: 200, body: { results: [], next: null } }));
		try {
			server = await scriptedServer(() => redirect(status, `${other.url}/api/projects/7/persons/?limit=1`));
			const result = await testCredential(credentialsFor(server, 'phx_redirectedSecretKey000000000000000000'));
			expect(server.requests).toHaveLength(1);
			expect(server.requests[0].headers.authorization).toBe('Bearer phx_redirectedSecretKey000000000000000000');
			expect(other.requests.map((request) => request.headers.authorization ?? '(none)')).toEqual([]);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/redirect/i);
			expect(result.message).not.toContain('phx_redirected');
		} finally {
			await other.close();
		}
	});

	// defect 9: "@current" (or anything but a number) never tests another project
	test.each(['@current', 'phc_abc', '12 34'])('Project ID "%s" is tested as "not-a-number" and gets the 404 message', async (projectId) => {
		server = await scriptedServer(() => ({ status: 404, body: { type: 'invalid_request', code: 'not_found', detail: 'Project not found.', attr: null } }));
		const result = await testCredential({ ...credentialsFor(server), projectId });
		expect(server.requests.map((request) => request.url)).toEqual(['/api/projects/not-a-number/persons/?limit=1']);
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/Project not found.*@current/) });
	});

	// defect 9: what the credential dialog says under a field the node would refuse
	test.each([
		[{ region: 'selfHosted', host: 'us.i.posthog.com' }, ['ingestionHostNotice']],
		[{ region: 'selfHosted', host: 'https://eu.i.posthog.com/' }, ['ingestionHostNotice']],
		[{ region: 'selfHosted', host: 'javascript:alert(1)' }, ['invalidHostNotice']],
		[{ region: 'selfHosted', host: 'posthog.example.com :8000' }, ['invalidHostNotice']],
		[{ region: 'selfHosted', host: 'posthog.example.com\n' }, []],
		[{ region: 'selfHosted', host: ' https://posthog.example.com:8000/ ' }, []],
		[{ region: 'us', host: 'us.i.posthog.com' }, []],
		[{ region: 'selfHosted', host: 'posthog.example.com\t:8000' }, ['invalidHostNotice']],
		[{ region: 'selfHosted', host: 'file:///etc/passwd' }, ['invalidHostNotice']],
		[{ region: 'selfHosted', host: 'https://posthog.example.com' }, []],
		[{ region: 'selfHosted', host: 'http://10.0.0.5:8000' }, []],
		[{ projectId: '@current' }, ['projectIdNotice']],
		[{ projectId: 'My project' }, ['projectIdNotice']],
		[{ projectId: 'phc_abc' }, ['projectIdNotice']],
		[{ projectId: 'https://us.posthog.com/project/12345' }, ['projectIdNotice']],
		[{ projectId: '#12345' }, ['projectIdNotice']],
		[{ projectId: '12345/' }, ['projectIdNotice']],
		[{ projectId: '12_345' }, ['projectIdNotice']],
		[{ projectId: '12345' }, []],
		[{ projectId: '9' }, []],
		[{ projectId: '' }, []],
		[{ projectId: ' 12345 ' }, []],
		[{ apiKey: 'phc_abcdef' }, ['projectKeyNotice']],
		[{ apiKey: 'phx_abcdef' }, []],
	])('notices for %j: %j', async (values, expected) => {
		const type = (await loadPackage()).getCredential('postHogPersonsApi').type;
		const data = { region: 'us', host: '', projectId: '1', apiKey: 'phx_x', ...values };
		const shown = type.properties
			.filter((property) => property.type === 'notice')
			.filter((property) => NodeHelpers.displayParameter(data, property, null, null))
			.map((property) => property.name);
		expect(shown).toEqual(expected);
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
