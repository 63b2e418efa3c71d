/**
 * Paging that makes no progress or leaves the project must stop with an error (defects 5 and
 * 10 of the transport issue). Each server gives up after a while, so old code that loops ends too.
 */
import { runNode } from '../harness/engine';
import { trendsPersons } from '../helpers/transportCases';
import { credentialsFor, scriptedServer, type ScriptedServer } from '../helpers/scriptedServer';

const options = { rateLimits: 'none', retryDelayMs: 1, maxRetries: 0 };
const person = (n: number) => ({ uuid: `uuid-${n}`, distinct_ids: [`user-${n}`] });
// Get Many through the persons list (it follows PostHog's `next` links), pages of one person
const listAll = { resource: 'person', operation: 'getAll', returnAll: true, options: { listVia: 'rest', pageSize: 1 }, requestOptions: options };

describe('transport: paging without progress stops', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test('next links that advance but repeat the same persons stop after three pages of nothing new', async () => {
		server = await scriptedServer((request, index) => {
			const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset') ?? 0);
			const next = index < 200 ? `${server.url}/api/projects/7/persons/?limit=2&offset=${offset + 2}` : null;
			return { status: 200, body: { results: [person(1), person(2)], next } };
		});
		const result = await runNode({ parameters: { ...listAll, options: { listVia: 'rest', pageSize: 2 } }, credentials: credentialsFor(server) });
		expect(result.error?.message).toBe('PostHog returned 3 pages in a row holding only records already read');
		expect(server.requests).toHaveLength(4);
	});

	test('a query answering hasMore with the same offset stops at once', async () => {
		server = await scriptedServer((_request, index) => ({
			status: 200,
			body: { columns: ['actor'], results: [[{ id: `p${index}`, distinct_ids: [], properties: {} }]], hasMore: index < 200, limit: 2, offset: 0 },
		}));
		// pages of 2: the second is asked from offset 1 (one row earlier, the shift check's overlap row)
		const result = await runNode({
			parameters: trendsPersons({ returnAll: true, options: { pageSize: 2 }, requestOptions: options }),
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toBe('PostHog answered the page at offset 0 when asked for offset 1');
		expect(server.requests).toHaveLength(2);
		expect(server.requests.map((request) => JSON.parse(request.body).query.offset)).toEqual([0, 1]);
	});

	test('a query page that says more follow but holds no row stops', async () => {
		server = await scriptedServer((request, index) => {
			const { offset } = JSON.parse(request.body).query;
			return { status: 200, body: { columns: ['actor'], results: index === 0 ? [[{ id: 'p0', distinct_ids: [], properties: {} }]] : [], hasMore: index < 200, limit: 1, offset } };
		});
		const result = await runNode({
			parameters: trendsPersons({ returnAll: true, options: { pageSize: 1 }, requestOptions: options }),
			credentials: credentialsFor(server),
		});
		expect(result.error?.message).toBe('PostHog said more persons follow (hasMore) but sent none');
		// the second page lacks even its overlap row (the row before it), so the shift check re-reads [0, 1) once first
		expect(server.requests.map((request) => JSON.parse(request.body).query).map(({ offset, limit }) => [offset, limit])).toEqual([
			[0, 1],
			[0, 2],
			[0, 1],
		]);
	});

	test('a next link whose offset goes back stops', async () => {
		server = await scriptedServer((request) => {
			const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset') ?? 0);
			const nextOffset = offset === 0 ? 4 : offset === 4 ? 2 : null;
			return { status: 200, body: { results: [person(offset)], next: nextOffset === null ? null : `${server.url}/api/projects/7/persons/?offset=${nextOffset}` } };
		});
		const result = await runNode({ parameters: listAll, credentials: credentialsFor(server) });
		expect(result.error?.message).toBe('PostHog returned a "next" link that does not advance');
		expect(server.requests).toHaveLength(2);
	});
});

describe('transport: next links stay on the path paging started on', () => {
	let server: ScriptedServer;
	afterEach(async () => server?.close());

	test.each([
		['another project', (url: string) => `${url}/api/projects/8/persons/?offset=1`],
		['a relative escape', () => '../../../admin/?offset=1'],
		['an absolute escape with dot segments', (url: string) => `${url}/api/projects/7/persons/../../8/persons/?offset=1`],
		['an encoded escape', (url: string) => `${url}/api/projects/7/persons/%2e%2e/%2e%2e/8/persons/?offset=1`],
		['the admin', (url: string) => `${url}/admin/?offset=1`],
		['userinfo on the same origin', (url: string) => url.replace('http://', 'http://user:pw@') + '/api/projects/7/persons/?offset=1'],
	])('%s is refused and never requested', async (_name, link) => {
		server = await scriptedServer((_request, index) => ({ status: 200, body: { results: [person(index)], next: index === 0 ? link(server.url) : null } }));
		const result = await runNode({ parameters: listAll, credentials: credentialsFor(server) });
		expect(result.error?.message).toMatch(/^PostHog returned a (link with a user name|"next" link to another path|link that is not a valid address)/);
		expect(server.requests.map((request) => request.url)).toEqual(['/api/projects/7/persons/?limit=1&offset=0']);
	});
});
