/**
 * Retries, waits and deadlines against scripted loopback servers, run through n8n-core's engine
 * and request path (defects 2, 4 and 8 of the transport issue).
 */
import { runNode } from '../harness/engine';
import { brokenBody, hang, trickle } from '../helpers/hostileReplies';
import { actorsPage, trendsPersons } from '../helpers/transportCases';
import { credentialsFor, scriptedServer, type Reply, type ScriptedServer } from '../helpers/scriptedServer';

const listPersons = (requestOptions: Record<string, unknown>) => ({
	resource: 'person',
	operation: 'getAll',
	limit: 5,
	// the persons list (a plain GET with `results` pages), not the Query API
	options: { listVia: 'rest' },
	requestOptions: { rateLimits: 'none', retryDelayMs: 1, ...requestOptions },
});
const page: Reply = { status: 200, body: { results: [{ uuid: 'u1', distinct_ids: ['d1'] }], next: null } };
const throttled = (retryAfter?: string): Reply => ({
	status: 429,
	headers: retryAfter === undefined ? {} : ({ 'Retry-After': retryAfter } as Record<string, string>),
	body: { type: 'throttled_error', code: 'throttled', detail: 'Request was throttled. Expected available in 1 second.', attr: null },
});

describe('transport: Retry-After, Max Retries and Max Wait', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	// the old loop retried without delay for ever; the server gives in after 200 so it ends
	test.each(['0', '-5', 'Thu, 01 Jan 2015 00:00:00 GMT'])('429 with Retry-After "%s" backs off instead of hammering, and ends within Max Wait', async (retryAfter) => {
		server = await scriptedServer((_request, index) => (index < 200 ? throttled(retryAfter) : page));
		const result = await runNode({ parameters: listPersons({ maxWaitSeconds: 5 }), credentials: credentialsFor(server) });
		// it ends on the 429 when the next backoff would pass Max Wait, or, when Max Wait runs out
		// during the last attempt (the backoffs' jitter can put it a few ms before the deadline, and a
		// loaded machine answers late), with Max Wait's own timeout: either way within Max Wait
		const ending = `${result.error?.message} | ${result.error?.description}`;
		expect(ending).toMatch(/^PostHog 429 throttled.*\|.*Max Wait \(5 s\)|^No complete answer before Max Wait \(5 s\) ran out/s);
		// backoffs of at least 1 s, doubling (with jitter): 1 s, up to 2 s, then up to 4 s would pass 5 s
		expect(server.requests.length).toBeGreaterThanOrEqual(2);
		expect(server.requests.length).toBeLessThanOrEqual(4);
		expect(server.times[1] - server.times[0]).toBeGreaterThanOrEqual(900);
	});

	test('429s do not use up Max Retries: six 429s then a 500 still succeed with Max Retries 1', async () => {
		server = await scriptedServer((_request, index) => (index < 6 ? throttled('0.01') : index === 6 ? { status: 500, body: { detail: 'A server error occurred.' } } : page));
		const result = await runNode({ parameters: listPersons({ maxRetries: 1 }), credentials: credentialsFor(server) });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.uuid)).toEqual(['u1']);
		expect(server.requests).toHaveLength(8);
	});

	test('429s have their own cap (10 retries), whatever Max Wait', async () => {
		server = await scriptedServer(() => throttled('0.01'));
		const result = await runNode({ parameters: listPersons({ maxWaitSeconds: 3600 }), credentials: credentialsFor(server) });
		expect(server.requests).toHaveLength(11);
		expect(result.error?.description).toContain('Gave up after 10 retries of rate-limited answers');
	});

	test('Max Wait bounds the wall-clock time of the request, attempts included: broken connections are not retried back to back for ever', async () => {
		// every attempt takes 400 ms, then the connection is cut; Max Wait 1 s
		server = await scriptedServer(() => ({ destroy: true, delayMs: 400 }));
		const result = await runNode({ parameters: listPersons({ maxRetries: 20, maxWaitSeconds: 1 }), credentials: credentialsFor(server) });
		expect(`${result.error?.message} ${result.error?.description}`).toMatch(/Max Wait \(1 s\)/);
		expect(server.requests.length).toBeLessThanOrEqual(3);
	});

	test('a 429 Retry-After far beyond Max Wait fails at once instead of sleeping', async () => {
		server = await scriptedServer(() => throttled('86400'));
		const result = await runNode({ parameters: listPersons({ maxWaitSeconds: 60 }), credentials: credentialsFor(server) });
		expect(server.requests).toHaveLength(1);
		expect(result.error?.description).toMatch(/waiting 86400 s more would pass Max Wait \(60 s\)/);
	});

	test("PostHog's query-concurrency 429 (no Retry-After) backs off about a second, then the query runs", async () => {
		server = await scriptedServer((request, index) => {
			if (index < 2) {
				return { status: 429, body: { type: 'throttled_error', code: 'throttled', detail: 'Too many queries are running right now — please try again in a moment.', attr: null } };
			}
			return { status: 200, body: actorsPage(['p1']) };
		});
		const result = await runNode({
			parameters: trendsPersons({ requestOptions: { rateLimits: 'none', retryDelayMs: 1 } }),
			credentials: credentialsFor(server),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(server.requests).toHaveLength(3);
		expect(server.times[1] - server.times[0]).toBeGreaterThanOrEqual(900);
		expect(server.times[2] - server.times[1]).toBeGreaterThanOrEqual(900);
	});
});

describe('transport: deadlines and network failures', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('Timeout is a deadline per attempt: a server trickling one byte every 100 ms is cut off at the Timeout', async () => {
		const body = JSON.stringify({ results: [{ uuid: 'u1' }], next: null, pad: 'x'.repeat(60) });
		server = await scriptedServer(() => trickle(body, 100));
		const started = Date.now();
		const result = await runNode({ parameters: listPersons({ timeoutSeconds: 1, maxRetries: 0 }), credentials: credentialsFor(server) });
		expect(result.error?.message).toMatch(/No complete answer within the Timeout of 1 s/);
		expect(Date.now() - started).toBeLessThan(body.length * 100);
	});

	test('a hang names the Timeout', async () => {
		server = await scriptedServer(() => hang());
		const result = await runNode({ parameters: listPersons({ timeoutSeconds: 1, maxRetries: 0 }), credentials: credentialsFor(server) });
		expect(result.error?.message).toMatch(/within the Timeout of 1 s/);
		expect(result.error?.description).toContain('Timeout (Seconds)');
		// no HTTP status came back, so there is none to report
		expect(result.error?.httpCode ?? null).toBeNull();
	});

	test('a connection closed mid-body is retried for a read, and called what it is', async () => {
		server = await scriptedServer((_request, index) => (index === 0 ? brokenBody('{"results": [{"uuid": "u1"') : page));
		const result = await runNode({ parameters: listPersons({}), credentials: credentialsFor(server) });
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);

		await server.close();
		server = await scriptedServer(() => brokenBody('{"results": [{"uuid": "u1"'));
		const failed = await runNode({ parameters: listPersons({ maxRetries: 1 }), credentials: credentialsFor(server) });
		expect(failed.error?.message).toMatch(/connection closed before the answer was complete/);
		expect(failed.error?.message).not.toMatch(/Could not reach/);
	});

	test('a plain-HTTP server addressed with https:// says so and names the Host to use', async () => {
		server = await scriptedServer(() => page);
		const https = server.url.replace('http://', 'https://');
		const result = await runNode({ parameters: listPersons({ maxRetries: 0 }), credentials: { ...credentialsFor(server), host: https } });
		expect(result.error?.message).toBe(`The server at ${https} does not speak HTTPS (it answered in plain HTTP) (EPROTO)`);
		expect(result.error?.description).toContain(`set Host to ${server.url}`);
		expect(result.error?.message.length).toBeLessThan(150);
	});
});
