/**
 * One limiter per API key for every execution of the n8n process: pacing, a 429's Retry-After
 * and PostHog's 3 concurrent queries are shared, not per execution (limits of the transport issue).
 */
import { runNode } from '../harness/engine';
import { actorsPage, maxInWindow, trendsPersons } from '../helpers/transportCases';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';

const page = { status: 200, body: { results: [{ uuid: 'u1', distinct_ids: ['d1'] }], next: null } };
const customLimit = (requests: number, perSeconds: number, extra: Record<string, unknown> = {}) => ({
	rateLimits: 'custom',
	customLimits: { limit: [{ appliesTo: 'persons', requests, perSeconds }] },
	retryDelayMs: 1,
	...extra,
});
const listPerItem = (requestOptions: Record<string, unknown>) => ({ resource: 'person', operation: 'getAll', limit: 1, requestOptions });

describe('pacing per API key, shared by the executions of a process', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('two executions at once stay under one limit together (4 per second), not 4 each', async () => {
		server = await scriptedServer(() => page);
		const run = () => runNode({ parameters: listPerItem(customLimit(4, 1)), credentials: credentialsFor(server), input: Array.from({ length: 6 }, () => ({})) });
		const results = await Promise.all([run(), run()]);
		expect(results.map((result) => result.error)).toEqual([undefined, undefined]);
		expect(server.requests).toHaveLength(12);
		expect(maxInWindow(server.times, 1000)).toBeLessThanOrEqual(4);
	});

	test('n8n Processes Sharing This Key: each process paces at its share (6 per second shared by 2 → 3)', async () => {
		server = await scriptedServer(() => page);
		const result = await runNode({
			parameters: listPerItem(customLimit(6, 1, { processesSharingKey: 2 })),
			credentials: credentialsFor(server),
			input: Array.from({ length: 7 }, () => ({})),
		});
		expect(result.error).toBeUndefined();
		expect(maxInWindow(server.times, 1000)).toBeLessThanOrEqual(3);
	});

	test("a 429's Retry-After pauses every execution using the key, not only the one that got it", async () => {
		server = await scriptedServer((_request, index) =>
			index === 0
				? { status: 429, headers: { 'Retry-After': '1' }, body: { type: 'throttled_error', code: 'throttled', detail: 'Request was throttled. Expected available in 1 second.', attr: null } }
				: page,
		);
		const options = customLimit(1000, 60);
		const first = runNode({ parameters: listPerItem(options), credentials: credentialsFor(server) });
		while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
		await new Promise((resolve) => setTimeout(resolve, 50));
		const second = runNode({ parameters: listPerItem(options), credentials: credentialsFor(server), input: Array.from({ length: 3 }, () => ({})) });
		const results = await Promise.all([first, second]);
		expect(results.map((result) => result.error)).toEqual([undefined, undefined]);
		const throttledAt = server.times[0];
		expect(server.times.slice(1).every((time) => time - throttledAt >= 950)).toBe(true);
	});

	test('at most 3 Query API requests of a key run at once, whatever Concurrency says', async () => {
		server = await scriptedServer(() => ({
			status: 200,
			delayMs: 150,
			body: actorsPage(['p1']),
		}));
		const result = await runNode({
			parameters: trendsPersons({ requestOptions: { rateLimits: 'none', concurrency: 8 } }),
			credentials: credentialsFor(server),
			input: Array.from({ length: 8 }, () => ({})),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(8);
		expect(server.requests).toHaveLength(8);
		expect(server.maxInFlight).toBe(3);
	});
});
