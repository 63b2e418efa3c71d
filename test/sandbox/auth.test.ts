import axios from 'axios';
import type { Sandbox } from '../../sandbox';
import { client, hog, P, start } from './helpers';

let sb: Sandbox;

beforeAll(async () => {
	sb = await start({ persons: 60, rateLimits: false });
});
afterAll(() => sb.stop());

describe('authentication', () => {
	it('401 not_authenticated without credentials, with the WWW-Authenticate header', async () => {
		const r = await client(sb, null).get(`${P}/`);
		expect(r.status).toBe(401);
		expect(r.data).toEqual(hog('authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'));
		expect(r.headers['www-authenticate']).toBe(`Bearer resource_metadata="${sb.url}/.well-known/oauth-protected-resource"`);
	});

	it('401 authentication_failed for an unknown key', async () => {
		const r = await client(sb, 'phx_thisKeyDoesNotExist0000000000000000000000').get(`${P}/`);
		expect(r.status).toBe(401);
		expect(r.data).toEqual(hog('authentication_error', 'authentication_failed', 'Personal API key found in request Authorization header is invalid.'));
		expect(r.headers['www-authenticate']).toContain('resource_metadata=');
	});

	it('only "Bearer <key>" counts in the header; OAuth pha_ tokens are skipped', async () => {
		const lower = await client(sb, null).get(`${P}/`, { headers: { Authorization: `bearer ${sb.keys.all}` } });
		expect(lower.data.code).toBe('not_authenticated');
		const oauth = await client(sb, null).get(`${P}/`, { headers: { Authorization: 'Bearer pha_abc' } });
		expect(oauth.data.code).toBe('not_authenticated');
	});

	it('accepts personal_api_key in the JSON body and the query string (header > body > query)', async () => {
		const anon = client(sb, null);
		expect((await anon.get(`${P}/?personal_api_key=${sb.keys.all}&limit=1`)).status).toBe(200);
		const viaBody = await anon.post(`${P}/batch_by_uuids/`, { personal_api_key: sb.keys.all, uuids: [] });
		expect(viaBody.status).toBe(200);
		expect(viaBody.data).toEqual({ results: {} });
		// the header wins even when it is invalid
		const bad = await client(sb, 'phx_invalid').get(`${P}/?personal_api_key=${sb.keys.all}`);
		expect(bad.status).toBe(401);
		// body beats query string
		const bodyFirst = await anon.post(`${P}/batch_by_uuids/?personal_api_key=${sb.keys.all}`, { personal_api_key: 'phx_wrong', uuids: [] });
		expect(bodyFirst.data.detail).toBe('Personal API key found in request body is invalid.');
	});
});

describe('scopes (APIScopePermission)', () => {
	const cases: [keyof Sandbox['keys'], string, string, string | null][] = [
		['readOnly', 'GET', `${P}/`, null],
		['readOnly', 'PATCH', `${P}/1/`, 'person:write'],
		['readOnly', 'POST', `${P}/bulk_delete/`, 'person:write'],
		['personOnly', 'GET', `${P}/1/`, null], // person:write implies person:read
		['personOnly', 'GET', `${P}/cohorts/?person_id=1`, 'cohort:read'],
		['personOnly', 'GET', `${P}/activity/`, 'activity_log:read'],
		['personOnly', 'POST', '/api/projects/1/query/', 'query:read'],
		['noQuery', 'POST', '/api/projects/1/query/', 'query:read'],
		['noQuery', 'GET', '/api/projects/1/insights/', null],
		['noInsight', 'GET', '/api/projects/1/insights/', 'insight:read'],
		['noInsight', 'GET', `${P}/deletion_status/`, null],
	];
	it.each(cases)('%s %s %s', async (key, method, url, missing) => {
		const r = await client(sb, sb.keys[key]).request({ method, url, data: method === 'GET' ? undefined : {} });
		if (missing) {
			expect(r.status).toBe(403);
			expect(r.data).toEqual(hog('authentication_error', 'permission_denied', `API key missing required scope '${missing}'`));
		} else {
			expect(r.status).not.toBe(403);
			expect(r.status).not.toBe(401);
		}
	});

	it('actions without required scopes are refused even for * keys', async () => {
		for (const [method, url] of [
			['GET', `${P}/1/properties_timeline/`],
			['DELETE', `${P}/`],
			['GET', `${P}/bulk_delete/`],
			['POST', `${P}/1/`],
		]) {
			const r = await client(sb).request({ method, url, data: method === 'GET' ? undefined : {} });
			expect([method, url, r.status, r.data.detail]).toEqual([method, url, 403, 'This action does not support personal API key access']);
		}
	});

	it('PATCH on the collection needs person:write and is then a 405', async () => {
		const r = await client(sb).patch(`${P}/`, {});
		expect(r.status).toBe(405);
		expect(r.data).toEqual(hog('invalid_request', 'method_not_allowed', 'Method "PATCH" not allowed.'));
	});
});

describe('projects and routing', () => {
	it('404 Project not found. for non-integer and unknown projects', async () => {
		for (const pid of ['abc', '999']) {
			const r = await client(sb).get(`/api/projects/${pid}/persons/`);
			expect(r.status).toBe(404);
			expect(r.data).toEqual(hog('invalid_request', 'not_found', 'Project not found.'));
		}
	});

	it('keys restricted to another project get 403 elsewhere and work on their project', async () => {
		const r = await client(sb, sb.keys.otherProject).get(`${P}/`);
		expect(r.status).toBe(403);
		expect(r.data).toEqual(hog('authentication_error', 'permission_denied', 'API key does not have access to the requested project: ID 1.'));
		const own = await client(sb, sb.keys.otherProject).get('/api/projects/2/persons/');
		expect(own.status).toBe(200);
		expect(own.data.results).toEqual([]);
	});

	it('unknown API paths answer 404 Endpoint not found. without auth', async () => {
		for (const url of ['/api/projects/1/nope/', '/api/projects/1/persons/1/foo/', '/api/whatever', '/api/projects/1/persons/a/b/c/']) {
			const r = await client(sb, null).get(url);
			expect([url, r.status, r.data]).toEqual([url, 404, hog('invalid_request', 'not_found', 'Endpoint not found.')]);
		}
	});

	it('content negotiation: unknown ?format= is 404, an unsatisfiable Accept is 406', async () => {
		expect((await client(sb).get(`${P}/?format=xml`)).status).toBe(404);
		const r = await client(sb).get(`${P}/`, { headers: { Accept: 'text/html' } });
		expect(r.status).toBe(406);
		expect(r.data).toEqual(hog('invalid_request', 'not_acceptable', 'Could not satisfy the request Accept header.'));
		// equal precedence: the renderer order wins (JSON before CSV)
		const both = await client(sb).get(`${P}/?limit=1`, { headers: { Accept: 'text/csv, application/json' } });
		expect(both.headers['content-type']).toBe('application/json');
	});
});

describe('request bodies', () => {
	it('415 for non-JSON bodies', async () => {
		const r = await axios.post(`${sb.url}${P}/bulk_delete/`, 'ids=1', {
			headers: { Authorization: `Bearer ${sb.keys.all}`, 'Content-Type': 'application/x-www-form-urlencoded' },
			validateStatus: () => true,
		});
		expect(r.status).toBe(415);
		expect(r.data).toEqual(hog('invalid_request', 'unsupported_media_type', 'Unsupported media type "application/x-www-form-urlencoded" in request.'));
		const plain = await axios.post(`${sb.url}${P}/bulk_delete/`, '{"ids": []}', {
			headers: { Authorization: `Bearer ${sb.keys.all}`, 'Content-Type': 'text/plain' },
			validateStatus: () => true,
		});
		expect(plain.status).toBe(415);
	});

	it('400 parse_error for malformed JSON, with Python json messages', async () => {
		const send = (text: string, key: string | null = sb.keys.all) =>
			axios.post(`${sb.url}${P}/bulk_delete/`, text, {
				headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), 'Content-Type': 'application/json' },
				validateStatus: () => true,
				transformRequest: [(d) => d],
			});
		const cases: [string, string][] = [
			["{'ids': []}", 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
			['{"ids": [1,]}', 'Expecting value: line 1 column 12 (char 11)'],
			['{"ids" []}', "Expecting ':' delimiter: line 1 column 8 (char 7)"],
			['{"ids": []} x', 'Extra data: line 1 column 13 (char 12)'],
			['{\n "ids": [}', 'Expecting value: line 2 column 10 (char 11)'],
			['{"a": NaN}', "Out of range float values are not JSON compliant: 'NaN'"],
		];
		for (const [text, message] of cases) {
			const r = await send(text);
			expect([text, r.status, r.data]).toEqual([text, 400, hog('invalid_request', 'parse_error', `JSON parse error - ${message}`)]);
		}
		// without an Authorization header the body is parsed during authentication: the parse error comes first
		const anon = await send('{oops', null);
		expect(anon.status).toBe(400);
		expect(anon.data.code).toBe('parse_error');
	});

	it('refuses bodies over 20 MB (DATA_UPLOAD_MAX_MEMORY_SIZE)', async () => {
		const big = JSON.stringify({ ids: [], pad: 'x'.repeat(20 * 1024 * 1024) });
		const r = await axios.post(`${sb.url}${P}/bulk_delete/`, big, {
			headers: { Authorization: `Bearer ${sb.keys.all}`, 'Content-Type': 'application/json' },
			validateStatus: () => true,
			maxBodyLength: Infinity,
		});
		expect(r.status).toBe(400);
		expect(String(r.data)).toContain('Bad Request (400)');
	});

	it('an empty body is {} (and a JSON array body crashes views that call .get on it)', async () => {
		const empty = await axios.post(`${sb.url}${P}/bulk_delete/`, undefined, { headers: { Authorization: `Bearer ${sb.keys.all}` }, validateStatus: () => true });
		expect(empty.data.detail).toBe('You need to specify either distinct_ids or ids');
		const arr = await client(sb).post(`${P}/bulk_delete/`, [1, 2]);
		expect(arr.status).toBe(500);
		expect(arr.data).toEqual(hog('server_error', 'error', 'A server error occurred.'));
	});
});
