import { spawn } from 'node:child_process';
import * as path from 'node:path';
import axios from 'axios';
import { startSandbox, type Sandbox } from '../../sandbox';
import { ANCHOR, DAY, start } from './helpers';

describe('deterministic seeding', () => {
	let a: Sandbox;
	let b: Sandbox;
	let c: Sandbox;
	beforeAll(async () => {
		[a, b, c] = await Promise.all([start({ persons: 500, seed: 7 }), start({ persons: 500, seed: 7 }), start({ persons: 500, seed: 8 })]);
	});
	afterAll(async () => {
		await Promise.all([a.stop(), b.stop(), c.stop()]);
	});

	it('same seed and options => identical persons, events, keys and insights', () => {
		expect(b.store.persons).toEqual(a.store.persons);
		expect(b.store.events.length).toBe(a.store.events.length);
		const sig = (s: Sandbox) => s.store.events.map((e) => [e.uuid, e.event, e.distinctId, e.personId, e.timestamp, e.properties]);
		expect(sig(b)).toEqual(sig(a));
		expect(b.keys).toEqual(a.keys);
		expect(b.store.insights.map((i) => i.short_id)).toEqual(a.store.insights.map((i) => i.short_id));
		expect(b.store.propertyHistory(a.store.persons[3].uuid)).toEqual(a.store.propertyHistory(a.store.persons[3].uuid));
	});

	it('a different seed gives different data', () => {
		expect(c.store.persons[0].uuid).not.toBe(a.store.persons[0].uuid);
		expect(c.keys.all).not.toBe(a.keys.all);
	});

	it('keys look like real personal API keys', () => {
		for (const key of Object.values(a.keys)) expect(key).toMatch(/^phx_[A-Za-z0-9]{40}$/);
		expect(new Set(Object.values(a.keys)).size).toBe(6);
	});

	it('generates the data shapes the tests rely on', () => {
		const now = Date.parse(ANCHOR);
		const persons = a.store.persons;
		expect(persons.map((p) => p.id)).toEqual(persons.map((_, i) => i + 1));
		for (const p of persons) {
			expect(p.distinctIds.length).toBeGreaterThanOrEqual(1);
			expect(p.createdAt).toBeGreaterThanOrEqual(now - 60 * DAY);
			expect(p.createdAt).toBeLessThanOrEqual(now);
		}
		expect(persons.some((p) => p.distinctIds.length > 10)).toBe(true);
		expect(persons.some((p) => p.isIdentified)).toBe(true);
		expect(persons.some((p) => !p.isIdentified)).toBe(true);
		expect(persons.some((p) => typeof p.properties.address === 'object')).toBe(true);
		expect(persons.some((p) => Array.isArray(p.properties.tags))).toBe(true);
		expect(new Set(persons.filter((p) => p.isIdentified).map((p) => p.properties.plan))).toEqual(new Set(['free', 'pro', 'enterprise']));
		const names = new Set(a.store.events.map((e) => e.event));
		for (const n of ['$pageview', 'signed_up', 'purchased', 'viewed_pricing', '$identify']) expect(names.has(n)).toBe(true);
		expect(a.store.events.some((e) => e.properties.$process_person_profile === false)).toBe(true);
		for (const e of a.store.events) expect(e.timestamp).toBeLessThanOrEqual(now);
		// property history with a later plan change exists for some persons
		expect(persons.some((p) => a.store.propertyHistory(p.uuid).length === 3)).toBe(true);
		expect(a.store.cohorts.map((co) => co.id)).toEqual([1, 2, 3, 4, 5, 6]);
		expect(a.store.cohortMembers(1).size).toBe(persons.filter((p) => p.properties.plan === 'pro').length);
	});
});

describe('scale', () => {
	it('seeds 200,000 persons (timing printed, not asserted)', async () => {
		const t0 = performance.now();
		const big = await startSandbox({ port: 0, persons: 200_000, eventsPerPerson: 0, quiet: true, now: ANCHOR });
		const ms = performance.now() - t0;
		try {
			console.log(`[sandbox] seeded 200,000 persons (eventsPerPerson 0) and started in ${Math.round(ms)} ms`);
			expect(big.store.personsByUuid.size).toBe(200_000);
			const r = await axios.get(`${big.url}/api/projects/1/persons/?limit=100&offset=150000`, { headers: { Authorization: `Bearer ${big.keys.all}` } });
			expect(r.data.results).toHaveLength(100);
		} finally {
			await big.stop();
		}
	}, 240_000); // generous: the shared CI box is often heavily loaded
});

describe('CLI', () => {
	it('starts, prints the URL, project id and every key with its scopes, and serves requests', async () => {
		const root = path.join(__dirname, '..', '..');
		const t0 = performance.now();
		const child = spawn(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'sandbox/cli.ts', '--port', '0', '--persons', '200', '--seed', '42'], {
			cwd: root,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		try {
			let out = '';
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`CLI not ready: ${out}`)), 30_000);
				child.stdout.on('data', (chunk) => {
					out += String(chunk);
					if (out.includes('ready in')) {
						clearTimeout(timer);
						resolve();
					}
				});
				child.on('exit', (code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
			});
			console.log(`[sandbox] CLI ready after ${Math.round(performance.now() - t0)} ms (node + tsx, 200 persons)`);
			const url = /listening on (http:\/\/\S+)/.exec(out)![1];
			expect(out).toContain('project id: 1');
			for (const name of ['all', 'readOnly', 'noQuery', 'personOnly', 'otherProject', 'noInsight']) expect(out).toMatch(new RegExp(`${name}\\s+phx_[A-Za-z0-9]{40}`));
			expect(out).toContain('scopes: person:read cohort:read activity_log:read query:read insight:read');
			const key = /all\s+(phx_[A-Za-z0-9]{40})/.exec(out)![1];
			const r = await axios.get(`${url}/api/projects/1/persons/?limit=1`, { headers: { Authorization: `Bearer ${key}` } });
			expect(r.status).toBe(200);
		} finally {
			child.kill('SIGTERM');
		}
	});
});
