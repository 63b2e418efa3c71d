/**
 * What the node makes of answers that are not what PostHog sends: 2xx pages that are not JSON,
 * echoed secrets, bodies that expand without end, redirects, odd query polls (defects 3, 6, 7
 * and 8 of the transport issue). Run through n8n-core's engine and request path.
 */
import { runNode } from '../harness/engine';
import { gzipBomb, redirect } from '../helpers/hostileReplies';
import { trendsPersons } from '../helpers/transportCases';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';

const KEY = 'phx_scriptedServerSecretKey0000000000000000';
const options = { rateLimits: 'none', retryDelayMs: 1, maxRetries: 1 };
const loginPage = '<!DOCTYPE html><html><head><title>Sign in · Example SSO</title></head><body><form>…</form></body></html>';
const html = (status = 200) => ({ status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: loginPage });

describe('transport: a 2xx answer must be what PostHog sends', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('an SSO login page (200 text/html) to Bulk Delete is an error, not "accepted"', async () => {
		server = await scriptedServer(() => html());
		const result = await runNode({
			parameters: { resource: 'person', operation: 'bulkDelete', ids: 'user-1', requestOptions: options },
			credentials: credentialsFor(server),
		});
		expect(result.items.map((item) => item.json.status)).not.toContain('accepted');
		expect(result.error?.message).toContain('PostHog answered 200 (text/html; charset=utf-8) with a body that is not JSON');
		expect(result.error?.description).toContain('Start of the answer: <!DOCTYPE html><html><head><title>Sign in · Example SSO');
	});

	test.each([
		['truncated JSON', '{"results": [{"uuid": "u1"}, {"uu'],
		['an HTML page', loginPage],
	])('Get Many answered with %s is an error, not 0 items', async (_name, body) => {
		server = await scriptedServer(() => ({ status: 200, body }));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: options },
			credentials: credentialsFor(server),
		});
		expect(result.items).toHaveLength(0);
		expect(result.error?.message).toMatch(/^PostHog answered 200 \(application\/json\) with a body that is not JSON$/);
	});

	test('a JSON page without "results" is an error naming the missing field', async () => {
		server = await scriptedServer(() => ({ status: 200, body: { detail: 'ok' } }));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: options },
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toBe('PostHog answered 200 (application/json) with a body without the field results');
	});

	test('Get answered with a login page is an error, not {}', async () => {
		server = await scriptedServer(() => html());
		const result = await runNode({
			parameters: { resource: 'person', operation: 'get', person: { __rl: true, mode: 'id', value: '018f1a2b-0000-7000-8000-000000000001' }, requestOptions: options },
			credentials: credentialsFor(server),
		});
		expect(result.items).toHaveLength(0);
		expect(result.error?.message).toMatch(/with a body that is not JSON/);
	});
});

describe('transport: the key never comes back through an echoing server', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	const echo = (status: number) => (request: { headers: Record<string, unknown> }) => ({
		status,
		body: {
			type: 'server_error',
			code: 'error',
			detail: `Upstream rejected the request; headers were: Authorization: ${String(request.headers.authorization)}; raw key ${KEY}`,
			attr: null,
		},
	});

	test.each([400, 502])('a %d echoing the Authorization header: message, description, Continue On Fail item and run data hold no key', async (status) => {
		server = await scriptedServer(echo(status));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: options },
			credentials: credentialsFor(server),
			continueOnFail: true,
		});
		expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
		expect(result.items).toHaveLength(1);
		const item = result.items[0].json;
		expect(String(item.error)).toContain('Authorization: Bearer [redacted]; raw key [redacted]');
		expect(JSON.stringify(result.run)).not.toContain(KEY.slice(4));
		expect(JSON.stringify(result.run)).not.toMatch(/Bearer phx_/);
	});

	test('an echoing server without Continue On Fail: the run error holds no key', async () => {
		server = await scriptedServer(echo(403));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'bulkDelete', ids: 'user-1', requestOptions: options },
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toContain('Bearer [redacted]');
		expect(JSON.stringify(result.run)).not.toContain(KEY.slice(4));
	});

	/** A query page of `count` persons (a few hundred KB of JSON). */
	const bigQueryPage = (count: number, note = (n: number) => `note ${n} ${'x'.repeat(200)}`) => ({
		columns: ['person'],
		results: Array.from({ length: count }, (_, n) => [{ id: `018f1a2b-0000-7000-8000-${String(n).padStart(12, '0')}`, distinct_ids: [`user-${n}`], properties: { note: note(n) }, created_at: '2024-01-01T00:00:00Z' }]),
		hasMore: false,
		limit: 1000,
		offset: 0,
	});
	const queryGetMany = { resource: 'person', operation: 'getAll', returnAll: true, requestOptions: options };

	test('a large query page whose last row is not JSON is an error, not fewer persons', async () => {
		const text = JSON.stringify(bigQueryPage(400));
		// the last row holds a value that is not JSON (brackets and quotes still balanced)
		const broken = text.replace(/"created_at":"2024-01-01T00:00:00Z"\}\]\],"hasMore"/, '"created_at":2024-01-01}]],"hasMore"');
		expect(broken).not.toBe(text);
		server = await scriptedServer(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: broken }));
		const result = await runNode({ parameters: queryGetMany, credentials: credentialsFor(server) });
		expect(result.items).toHaveLength(0);
		expect(result.error?.message).toBe('PostHog answered 200 (application/json) with a body that is not JSON');
		expect(result.error?.description).toContain('Start of the answer: {"columns":["person"],"results":[[{"id":"018f1a2b');
	});

	test('a large query page is read completely, and the key echoed in it is removed', async () => {
		server = await scriptedServer(() => ({ status: 200, body: bigQueryPage(400, (n) => (n === 399 ? `saw ${KEY}` : `note ${n} ${'x'.repeat(200)}`)) }));
		const result = await runNode({ parameters: queryGetMany, credentials: credentialsFor(server) });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(400);
		expect(result.items[399].json.properties).toEqual({ note: 'saw [redacted]' });
		expect(result.items[0].json).toMatchObject({ id: '018f1a2b-0000-7000-8000-000000000000', distinct_ids: ['user-0'] });
		expect(JSON.stringify(result.items)).not.toContain(KEY.slice(4));
	});

	test('the key echoed in a 2xx body is removed from the output', async () => {
		server = await scriptedServer(() => ({ status: 200, body: { results: [{ uuid: 'u1', properties: { note: `saw ${KEY}` } }], next: null } }));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: options },
			credentials: credentialsFor(server),
		});
		expect(result.items.map((item) => item.json.properties)).toEqual([{ note: 'saw [redacted]' }]);
	});
});

describe('transport: bodies, redirects and query polls', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('a gzip answer that expands past 64 MiB is refused, not held in memory', async () => {
		server = await scriptedServer(() => gzipBomb(100));
		const result = await runNode({
			parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: options },
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toBe('The answer is larger than 64 MiB after decompression; the node stopped reading it (TOO_LARGE)');
		// too large is not retried
		expect(server.requests).toHaveLength(1);
	});

	test('a redirect names the target origin, suggests the Host, and the target gets nothing', async () => {
		const other = await scriptedServer(() => ({ status: 200, body: { results: [], next: null } }));
		try {
			server = await scriptedServer(() => redirect(301, `${other.url}/api/projects/7/persons/?limit=5`));
			const result = await runNode({
				parameters: { resource: 'person', operation: 'getAll', limit: 5, options: { listVia: 'rest' }, requestOptions: options },
				credentials: credentialsFor(server),
			});
			expect(result.error?.message).toBe(`The host answered 301 with a redirect to ${other.url}; the node does not follow redirects`);
			expect(result.error?.description).toContain(`set Host (or Region) in the credential to ${other.url}`);
			expect(other.requests).toHaveLength(0);
		} finally {
			await other.close();
		}
	});

	test('a query poll that says complete but has no results is a clear error', async () => {
		server = await scriptedServer((request) =>
			request.method === 'POST'
				? { status: 202, body: { query_status: { id: 'q1', complete: false } } }
				: { status: 200, body: { query_status: { id: 'q1', complete: true } } },
		);
		const result = await runNode({
			parameters: trendsPersons({ requestOptions: options }),
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toBe('PostHog finished the query but its answer has no "results" and "columns"');
		expect(result.error?.message).not.toMatch(/TypeError|Cannot read/);
	});
});
