import type { AxiosInstance } from 'axios';
import type { Sandbox } from '../../sandbox';
import { ThrottleRegistry, RATES } from '../../sandbox/throttle';
import { client, hog, P, start } from './helpers';

async function burst(api: AxiosInstance, url: string, n: number, concurrency = 24): Promise<number[]> {
	const statuses: number[] = [];
	let next = 0;
	const worker = async () => {
		while (next < n) {
			next++;
			statuses.push((await api.get(url)).status);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return statuses;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SimpleRateThrottle (unit, fake clock)', () => {
	it('allows num_requests per window, records only allowed requests, waits like DRF', () => {
		let now = 0;
		const reg = new ThrottleRegistry(1, () => now);
		const rate = { scope: 't', numRequests: 3, durationSeconds: 60 };
		expect([1, 2, 3].map(() => reg.check('k', [rate]).allowed)).toEqual([true, true, true]);
		now = 15_000;
		const denied = reg.check('k', [rate]);
		expect(denied.allowed).toBe(false);
		// remaining = 60 - (15 - 0) = 45 s; available = 3 - 3 + 1 = 1
		expect(denied.waitSeconds).toBeCloseTo(45);
		now = 60_001; // the first three expire
		expect(reg.check('k', [rate]).allowed).toBe(true);
		expect(reg.check('other-key', [rate]).allowed).toBe(true);
	});

	it('with several throttles reports the largest wait; allowing throttles still record', () => {
		let now = 0;
		const reg = new ThrottleRegistry(1, () => now);
		const burstRate = { scope: 'b', numRequests: 2, durationSeconds: 10 };
		const sustained = { scope: 's', numRequests: 3, durationSeconds: 100 };
		reg.check('k', [burstRate, sustained]);
		reg.check('k', [burstRate, sustained]);
		now = 1000;
		const third = reg.check('k', [burstRate, sustained]); // burst refuses, sustained records (3/3)
		expect(third.allowed).toBe(false);
		expect(third.scopes).toEqual(['b']);
		now = 11_000;
		const fourth = reg.check('k', [burstRate, sustained]);
		expect(fourth.allowed).toBe(false);
		expect(fourth.scopes).toEqual(['s']);
		expect(fourth.waitSeconds).toBeCloseTo(89);
	});

	it('timeScale shortens the windows', () => {
		let now = 0;
		const reg = new ThrottleRegistry(60, () => now);
		for (let i = 0; i < 240; i++) expect(reg.check('k', [RATES.clickhouseBurst]).allowed).toBe(true);
		expect(reg.check('k', [RATES.clickhouseBurst]).allowed).toBe(false);
		now = 1001; // a "minute" is one real second
		expect(reg.check('k', [RATES.clickhouseBurst]).allowed).toBe(true);
	});
});

describe('rate limits over HTTP', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await start({ persons: 30, timeScale: 12 });
	});
	afterAll(() => sb.stop());
	beforeEach(() => sb.resetRateLimits());

	it('240 persons requests per "minute" pass, the 241st is 429 with Retry-After and the throttled body, then it recovers', async () => {
		const api = client(sb);
		const statuses = await burst(api, `${P}/?limit=1`, 240);
		expect(statuses.filter((s) => s === 200)).toHaveLength(240);
		const r = await api.get(`${P}/?limit=1`);
		expect(r.status).toBe(429);
		const retryAfter = Number(r.headers['retry-after']);
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(5); // a 60 s window at timeScale 12 lasts 5 s
		expect(r.data).toEqual(
			hog('throttled_error', 'throttled', `Request was throttled. Expected available in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`),
		);
		// the query endpoint shares the clickhouse_burst bucket of the same key
		expect((await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', limit: 1 } })).status).toBe(429);
		// other keys have their own buckets; delete actions use the persons_delete throttles
		expect((await client(sb, sb.keys.readOnly).get(`${P}/?limit=1`)).status).toBe(200);
		expect((await api.post(`${P}/bulk_delete/`, { ids: ['00000000-0000-4000-8000-000000000000'] })).status).toBe(202);
		await sleep(retryAfter * 1000 + 50);
		expect((await api.get(`${P}/?limit=1`)).status).toBe(200);
	});

	it('is off with rateLimits: false (self-hosted default)', async () => {
		const open = await start({ persons: 10, rateLimits: false, timeScale: 20 });
		try {
			const statuses = await burst(client(open), `${P}/?limit=1`, 260);
			expect(statuses.every((s) => s === 200)).toBe(true);
		} finally {
			await open.stop();
		}
	});
});

describe('fault injection', () => {
	let sb: Sandbox;
	let api: AxiosInstance;
	beforeAll(async () => {
		sb = await start({ persons: 30, rateLimits: false });
		api = client(sb);
	});
	afterAll(() => sb.stop());
	afterEach(() => sb.setFaults(undefined));

	it('rate429 answers the throttled body with the configured Retry-After', async () => {
		sb.setFaults({ rate429: 1, retryAfterSeconds: 0 });
		const r = await api.get(`${P}/`);
		expect(r.status).toBe(429);
		expect(r.headers['retry-after']).toBe('0');
		expect(r.data).toEqual(hog('throttled_error', 'throttled', 'Request was throttled. Expected available in 0 seconds.'));
		expect(sb.requests[sb.requests.length - 1]).toMatchObject({ status: 429, fault: '429' });
		sb.setFaults({ rate429: 1 });
		expect((await api.get(`${P}/`)).headers['retry-after']).toBe('1');
	});

	it('rate5xx answers PostHog\'s JSON 500 or the proxy\'s HTML 502/503', async () => {
		sb.setFaults({ rate5xx: 1, statuses5xx: [500] });
		const r500 = await api.get(`${P}/`);
		expect(r500.status).toBe(500);
		expect(r500.data).toEqual(hog('server_error', 'error', 'A server error occurred.'));
		sb.setFaults({ rate5xx: 1, statuses5xx: [502] });
		const r502 = await api.get(`${P}/`);
		expect(r502.status).toBe(502);
		expect(r502.headers['content-type']).toBe('text/html');
		expect(r502.data).toContain('502 Bad Gateway');
	});

	it('resetRate destroys the connection before processing: nothing changes', async () => {
		const p = sb.store.persons[0];
		sb.setFaults({ resetRate: 1 });
		await expect(api.patch(`${P}/${p.id}/`, { properties: { reset_test: 1 } })).rejects.toThrow();
		expect(sb.store.getPerson(p.id)!.properties.reset_test).toBeUndefined();
		expect(sb.requests[sb.requests.length - 1]).toMatchObject({ status: 0, fault: 'reset', method: 'PATCH' });
	});

	it('resetAfterProcessingRate applies the change and then drops the connection', async () => {
		const p = sb.store.persons[1];
		sb.setFaults({ resetAfterProcessingRate: 1 });
		await expect(api.patch(`${P}/${p.id}/`, { properties: { after_reset: 1 } })).rejects.toThrow();
		expect(sb.store.getPerson(p.id)!.properties.after_reset).toBe(1);
		expect(sb.requests[sb.requests.length - 1]).toMatchObject({ status: 202, fault: 'reset_after_processing' });
	});

	it('slowRate delays answers; paths limits faults to matching paths', async () => {
		sb.setFaults({ slowRate: 1, slowMs: 250, paths: '/query/' });
		const t0 = Date.now();
		expect((await api.get(`${P}/?limit=1`)).status).toBe(200);
		expect(Date.now() - t0).toBeLessThan(250);
		const t1 = Date.now();
		await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', limit: 1 } });
		expect(Date.now() - t1).toBeGreaterThanOrEqual(245);
		expect(sb.requests[sb.requests.length - 1].fault).toBe('slow');
	});

	it('fault dice are deterministic for a given seed', async () => {
		const run = async () => {
			sb.setFaults({ rate429: 0.3, rate5xx: 0.2, seed: 99 });
			const out: number[] = [];
			for (let i = 0; i < 30; i++) out.push((await api.get(`${P}/?limit=1`)).status);
			return out;
		};
		const a = await run();
		const b = await run();
		expect(a).toEqual(b);
		expect(new Set(a).size).toBeGreaterThan(1);
	});
});
