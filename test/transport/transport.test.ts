import { runNode } from '../harness/engine';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';

const KEY = 'phx_scriptedServerSecretKey0000000000000000';
const person = (n: number) => ({ id: `uuid-${n}`, uuid: `uuid-${n}`, distinct_ids: [`user-${n}`], properties: { n } });
const fastRetries = { maxRetries: 3, retryDelayMs: 1, maxWaitSeconds: 5, rateLimits: 'none' };

// Get Activity follows PostHog's `next` links (restPages); Get Many computes its own offsets
const activityAll = { resource: 'person', operation: 'getActivity', activityOf: 'all' };

describe('transport: pagination', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('follows next past short pages and stops when next is empty', async () => {
		server = await scriptedServer((request) => {
			const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset') ?? 0);
			const base = `${server.url}/api/projects/7/persons/activity/?limit=3`;
			if (offset === 0) return { status: 200, body: { results: [person(1), person(2)], next: `${base}&offset=3` } };
			if (offset === 3) return { status: 200, body: { results: [person(4), person(5), person(6)], next: `${base}&offset=6` } };
			return { status: 200, body: { results: [person(7)], next: null } };
		});
		const result = await runNode({
			parameters: { ...activityAll, returnAll: true, requestOptions: fastRetries },
			credentials: credentialsFor(server),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.uuid)).toEqual(['uuid-1', 'uuid-2', 'uuid-4', 'uuid-5', 'uuid-6', 'uuid-7']);
		expect(server.requests.map((request) => request.url)).toEqual([
			'/api/projects/7/persons/activity/?page=1&limit=1000',
			'/api/projects/7/persons/activity/?limit=3&offset=3',
			'/api/projects/7/persons/activity/?limit=3&offset=6',
		]);
	});

	test('refuses a next link to another origin and never sends the key there', async () => {
		const other = await scriptedServer(() => ({ status: 200, body: { results: [person(9)], next: null } }));
		try {
			server = await scriptedServer(() => ({
				status: 200,
				// the link carries the key (a proxy that rewrites links could do this): it must not come back
				body: { results: [person(1)], next: `${other.url}/api/projects/7/persons/${KEY}/?offset=1&token=${KEY}` },
			}));
			const result = await runNode({
				parameters: { ...activityAll, returnAll: true, requestOptions: fastRetries },
				credentials: credentialsFor(server),
			});
			expect(result.error?.message).toMatch(/link to another origin/);
			expect(JSON.stringify(result.run)).not.toContain(KEY);
			expect(other.requests).toHaveLength(0);
		} finally {
			await other.close();
		}
	});

	test('stops with an error on a next link that does not advance', async () => {
		server = await scriptedServer(() => ({
			status: 200,
			body: { results: [person(1)], next: `${server.url}/api/projects/7/persons/activity/?limit=1&offset=1` },
		}));
		const result = await runNode({
			parameters: { ...activityAll, returnAll: true, requestOptions: fastRetries },
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toMatch(/does not advance/);
		// the first page, then its next link, whose answer points at the same link again
		expect(server.requests).toHaveLength(2);
	});
});

describe('transport: retries and errors', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('retries 503, 502 and a connection reset on a read, then succeeds', async () => {
		server = await scriptedServer((_request, index) => {
			if (index === 0) return { status: 503, body: { type: 'server_error', code: 'error', detail: 'A server error occurred.' } };
			if (index === 1) return { destroy: true };
			if (index === 2) return { status: 502, body: '<html>Bad gateway</html>' };
			return { status: 200, body: { results: [person(1)], next: null } };
		});
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: fastRetries },
			credentials: credentialsFor(server),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(server.requests).toHaveLength(4);
	});

	test('honours 429 with Retry-After', async () => {
		server = await scriptedServer((_request, index) =>
			index === 0
				? {
						status: 429,
						headers: { 'Retry-After': '2' },
						body: { type: 'throttled_error', code: 'throttled', detail: 'Request was throttled. Expected available in 1 second.', attr: null },
					}
				: { status: 200, body: { results: [], next: null } },
		);
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: fastRetries },
			credentials: credentialsFor(server),
		});
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		// it waited the two seconds PostHog asked for (a backoff would be about 1 s here)
		expect(server.times[1] - server.times[0]).toBeGreaterThanOrEqual(1950);
	});

	test('never retries a 4xx other than 429 and shows PostHog\'s detail', async () => {
		server = await scriptedServer(() => ({
			status: 400,
			body: { type: 'validation_error', code: 'invalid_input', detail: 'You can only pass 1000 ids in one call', attr: null },
		}));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'bulkDelete', ids: 'user-1', requestOptions: fastRetries },
			credentials: credentialsFor(server),
		});
		expect(server.requests).toHaveLength(1);
		expect(result.error?.message).toContain('You can only pass 1000 ids in one call');
		expect(result.error?.context?.itemIndex).toBe(0);
	});

	test('a failed batched call gives its Continue On Fail items the httpCode, like other error items', async () => {
		server = await scriptedServer(() => ({
			status: 400,
			body: { type: 'validation_error', code: 'invalid_input', detail: 'You can only pass 1000 ids in one call', attr: null },
		}));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'lookup', lookupBy: 'distinct_ids', ids: 'user-1', requestOptions: fastRetries },
			credentials: credentialsFor(server),
			continueOnFail: true,
		});
		expect(result.items.map((item) => [item.json.httpCode, item.json.failedIds])).toEqual([['400', ['user-1']]]);
	});

	test('gives up after Max Retries and reports the attempts', async () => {
		server = await scriptedServer(() => ({ status: 500, body: { type: 'server_error', code: 'error', detail: 'A server error occurred.' } }));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: { ...fastRetries, maxRetries: 2 } },
			credentials: credentialsFor(server),
		});
		expect(server.requests).toHaveLength(3);
		expect(result.error?.message).toContain('A server error occurred.');
		expect(result.error?.description).toContain('Attempts: 3');
	});

	test('a missing scope names the scope to add', async () => {
		server = await scriptedServer(() => ({
			status: 403,
			// a proxy in front of PostHog that echoes the request's Authorization header
			body: { type: 'authentication_error', code: 'permission_denied', detail: `API key missing required scope 'person:write' (sent: Authorization: Bearer ${KEY})`, attr: null },
		}));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'bulkDelete', ids: 'user-1', requestOptions: fastRetries },
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toContain("API key missing required scope 'person:write'");
		expect(result.error?.description).toContain('Add the scope "person:write"');
		expect(JSON.stringify(result.run.data)).not.toContain(KEY);
	});

	test('odd PostHog bodies: swapped code/detail and {"error": ...}', async () => {
		const bodies = [
			{ attr: 'properties', code: 'This field is required.', detail: 'required', type: 'validation_error' },
			{ error: 'Person not found' },
		];
		server = await scriptedServer((_request, index) => ({ status: index === 0 ? 400 : 404, body: bodies[index % 2] }));
		const first = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 1, options: { listVia: 'rest' }, requestOptions: fastRetries },
			credentials: credentialsFor(server),
		});
		expect(first.error?.message).toBe('PostHog 400 required: This field is required. (field: properties)');
		const second = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 1, options: { listVia: 'rest' }, requestOptions: fastRetries },
			credentials: credentialsFor(server),
		});
		expect(second.error?.message).toBe('PostHog 404: Person not found');
	});

	test('sends the key only as a Bearer header to the configured host, with the normalised project path', async () => {
		server = await scriptedServer(() => ({ status: 200, body: { results: [], next: null } }));
		await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 1, options: { listVia: 'rest' }, requestOptions: fastRetries },
			credentials: { ...credentialsFor(server), host: `${server.url}/project/7/persons?x=1` },
		});
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
		expect(server.requests[0].url).toBe('/api/projects/7/persons/?limit=1&offset=0');
	});
});
