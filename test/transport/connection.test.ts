/**
 * Credential values the node refuses before sending anything, with what to enter instead
 * (defect 9), and request bodies checked before sending (defect 11).
 */
import { runNode } from '../harness/engine';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';

const options = { rateLimits: 'none', retryDelayMs: 1, maxRetries: 0 };
const listPersons = { resource: 'person', operation: 'getAll', limit: 1, requestOptions: options };

describe('credential values the node refuses, and says why', () => {
	let server: ScriptedServer;
	beforeAll(async () => {
		server = await scriptedServer(() => ({ status: 200, body: { results: [], next: null } }));
	});
	afterAll(async () => server.close());
	beforeEach(() => server.requests.splice(0));

	test.each([
		['javascript:alert(1)', /^The credential's Host "javascript:alert\(1\)" is not a web address \(javascript:\)$/],
		['posthog.example.com\nevil', /^The credential's Host "posthog.example.com\\nevil" contains spaces or line breaks$/],
		['https://posthog.example.com :8000', /contains spaces or line breaks/],
		['https://user:secret@posthog.example.com', /^The credential's Host contains a user name or password/],
		['us.i.posthog.com', /^us\.i\.posthog\.com is PostHog's ingestion host/],
		['https://eu.i.posthog.com', /^eu\.i\.posthog\.com is PostHog's ingestion host/],
	])('Host %j', async (host, message) => {
		const result = await runNode({ parameters: listPersons, credentials: { ...credentialsFor(server), host } });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.message).not.toMatch(/Invalid URL/);
		expect(result.error?.description).toBeTruthy();
		expect(result.error?.message).not.toContain('secret');
	});

	test('the ingestion host message says which region to choose', async () => {
		const result = await runNode({ parameters: listPersons, credentials: { ...credentialsFor(server), host: 'eu.i.posthog.com' } });
		expect(result.error?.description).toContain('Choose Region "EU Cloud"');
	});

	test('a project API key (phc_) in place of the personal key is refused before anything is sent', async () => {
		const result = await runNode({ parameters: listPersons, credentials: credentialsFor(server, 'phc_projectKeyForCapturing123') });
		expect(result.error?.message).toBe('The credential holds a project API key (phc_…), not a personal API key');
		expect(result.error?.description).toContain('Settings → User → Personal API keys');
		expect(server.requests).toHaveLength(0);
	});

	test('"@current" as project ID is refused: it follows the project the key\'s user last opened', async () => {
		const result = await runNode({ parameters: listPersons, credentials: { ...credentialsFor(server), projectId: '@current' } });
		expect(result.error?.message).toMatch(/Project ID is "@current"; enter the project's number instead/);
		expect(server.requests).toHaveLength(0);
	});
});

describe('request bodies are checked before sending', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('a raw JSON query nested 10,000 levels deep is refused as input, and nothing is sent', async () => {
		server = await scriptedServer(() => ({ status: 200, body: { columns: [], results: [], hasMore: false } }));
		const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
		const query = `{"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}], "trendsFilter": {"display": "BoldNumber"}, "properties": ${deep}}`;
		const result = await runNode({
			parameters: { resource: 'insight', operation: 'getTrendsPersons', insightSource: 'json', insightQuery: query, series: '1', requestOptions: options },
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toBe('The request body is nested more than 100 levels deep; nothing was sent');
		expect(result.error?.message).not.toMatch(/call stack|PostHog \d/);
		expect(server.requests).toHaveLength(0);
	});
});
