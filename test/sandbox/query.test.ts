import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { AxiosInstance } from 'axios';
import type { Sandbox, SandboxEvent } from '../../sandbox';
import { ANCHOR, client, DAY, hog, start } from './helpers';

// ------------------------------------------------------------------ reference computations (independent of the sandbox code)

const NOW = Date.parse(ANCHOR);
const dayOf = (t: number) => Math.floor(t / DAY) * DAY;
const TODAY = dayOf(NOW);
/** `-Nd` date range with PostHog's rounding: from the start of the day N days ago to the end of today */
const lastDays = (n: number) => ({ from: TODAY - n * DAY, to: TODAY + DAY - 1 });
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

let sb: Sandbox;
let api: AxiosInstance;

let eventIndex: { source: SandboxEvent[]; length: number; byPerson: Map<string, SandboxEvent[]> } | null = null;
function eventsOf(uuid: string): SandboxEvent[] {
	const events = sb.store.events;
	if (!eventIndex || eventIndex.source !== events || eventIndex.length !== events.length) {
		const byPerson = new Map<string, SandboxEvent[]>();
		for (const e of events) {
			const list = byPerson.get(e.personId) ?? [];
			list.push(e);
			byPerson.set(e.personId, list);
		}
		for (const list of byPerson.values()) list.sort((a, b) => a.timestamp - b.timestamp);
		eventIndex = { source: events, length: events.length, byPerson };
	}
	return eventIndex.byPerson.get(uuid) ?? [];
}

function allPersonIds(): string[] {
	return [...new Set(sb.store.events.map((e) => e.personId))];
}

interface Attempt {
	reached: number;
	times: number[];
	entry: SandboxEvent;
}

/** ordered funnel attempts of a person: one per entry event, greedily taking the earliest next step in the window */
function attempts(uuid: string, steps: string[], range: { from: number; to: number }, windowMs = 14 * DAY): Attempt[] {
	const evs = eventsOf(uuid).filter((e) => e.timestamp >= range.from && e.timestamp <= range.to);
	const out: Attempt[] = [];
	evs.forEach((entry, i) => {
		if (entry.event !== steps[0]) return;
		const times = [entry.timestamp];
		let last = i;
		for (let k = 1; k < steps.length; k++) {
			let found = -1;
			for (let j = last + 1; j < evs.length && evs[j].timestamp <= entry.timestamp + windowMs; j++) {
				if (evs[j].event === steps[k]) {
					found = j;
					break;
				}
			}
			if (found < 0) break;
			times.push(evs[found].timestamp);
			last = found;
		}
		out.push({ reached: times.length, times, entry });
	});
	return out;
}

function best(list: Attempt[]): Attempt | undefined {
	let b: Attempt | undefined;
	for (const a of list) if (!b || a.reached > b.reached) b = a;
	return b;
}

// ------------------------------------------------------------------ helpers

async function actors(query: Record<string, unknown>): Promise<{ status: number; data: any }> {
	const r = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', select: ['actor'], limit: 50000, ...query } });
	return { status: r.status, data: r.data };
}

function ids(data: any): string[] {
	return data.results.map((row: any[]) => row[0].id).sort();
}

const ev = (event: string, extra: Record<string, unknown> = {}) => ({ kind: 'EventsNode', event, ...extra });
const funnelSource = (steps: string[], extra: Record<string, unknown> = {}) => ({ kind: 'FunnelsQuery', series: steps.map((s) => ev(s)), dateRange: { date_from: '-30d' }, ...extra });

beforeAll(async () => {
	sb = await start({ persons: 1000 });
	api = client(sb);
});
afterAll(() => sb.stop());

// ------------------------------------------------------------------ tests

describe('request validation', () => {
	const validateLikeReadme = (() => {
		const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../sandbox/schema/query-schema.json'), 'utf8'));
		const ajv = new Ajv({ allowUnionTypes: true, discriminator: true });
		addFormats(ajv);
		return ajv.compile({ ...schema, $ref: '#/definitions/ActorsQuery' });
	})();

	it('rejects invalid ActorsQuery bodies with 400 parse_error and pydantic-like text', async () => {
		const r = await api.post('/api/projects/1/query/', {
			query: { kind: 'ActorsQuery', source: { kind: 'FunnelsActorsQuery', funnelStep: 1.5, source: funnelSource(['$pageview', 'signed_up']) } },
		});
		expect(r.status).toBe(400);
		expect(r.data).toEqual(
			hog(
				'invalid_request',
				'parse_error',
				'JSON parse error - 1 validation error for QueryRequest\nquery.ActorsQuery.source.FunnelsActorsQuery.funnelStep\n  Input should be a valid integer, got a number with a fractional part [type=int_from_float, input_value=1.5, input_type=float]',
			),
		);
		const extra = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', selectt: ['actor'] } });
		expect(extra.data.code).toBe('parse_error');
		expect(extra.data.detail).toContain('Extra inputs are not permitted');
		const unknownKind = await api.post('/api/projects/1/query/', { query: { kind: 'FooQuery' } });
		expect(unknownKind.status).toBe(400);
		expect(unknownKind.data.code).toBe('parse_error');
		expect(unknownKind.data.detail).toMatch(/^JSON parse error - 1 validation error for QueryRequest\nquery\n {2}Input tag 'FooQuery' found using 'kind' does not match/);
		const innerKind = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', source: { kind: 'InsightActorsQuery', source: { kind: 'BarQuery', series: [] } } } });
		expect(innerKind.data.code).toBe('parse_error');
		expect(innerKind.data.detail).toContain("Input tag 'BarQuery' found using 'kind'");
		const missing = await api.post('/api/projects/1/query/', { refresh: 'blocking' });
		expect(missing.data.detail).toContain('query\n  Field required [type=missing');
		const refresh = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery' }, refresh: 'sometimes' });
		expect(refresh.data.code).toBe('parse_error');
	});

	it('accepts exactly what the schema (validated as its README says) accepts', async () => {
		const bodies: unknown[] = [
			{ kind: 'ActorsQuery' },
			{ kind: 'ActorsQuery', select: ['actor'], limit: 5, source: { kind: 'FunnelsActorsQuery', funnelStep: 1, source: funnelSource(['$pageview', 'signed_up']) } },
			{ kind: 'ActorsQuery', source: { kind: 'FunnelsActorsQuery', funnelStep: 1, source: { kind: 'FunnelsQuery' } } },
			{ kind: 'ActorsQuery', properties: [{ key: 'plan', value: 'pro', type: 'person' }] },
			{ kind: 'ActorsQuery', properties: [{ key: 'plan', value: 'pro', type: 'person', operator: 'exact' }], limit: 3 },
			{ kind: 'ActorsQuery', properties: [{ key: 'id', value: 1, type: 'cohort' }] },
			{ kind: 'ActorsQuery', properties: [{ key: 'id', value: 1, type: 'cohort', operator: 'in' }], limit: 3 },
			{ kind: 'ActorsQuery', limit: 'ten' },
			{ kind: 'ActorsQuery', source: { kind: 'InsightActorsQuery', day: 3, source: { kind: 'StickinessQuery', series: [ev('$pageview')] } }, limit: 3 },
			{ kind: 'ActorsQuery', source: { kind: 'InsightActorsQuery', operator: 'gte', source: { kind: 'StickinessQuery', series: [] } } },
			{ kind: 'ActorsQuery', source: { kind: 'StickinessActorsQuery', day: 2, operator: 'gte', source: { kind: 'StickinessQuery', series: [ev('$pageview')] } }, limit: 3 },
		];
		for (const body of bodies) {
			const r = await api.post('/api/projects/1/query/', { query: body });
			const schemaOk = validateLikeReadme(body);
			expect([JSON.stringify(body), r.status === 400 && r.data.code === 'parse_error']).toEqual([JSON.stringify(body), !schemaOk]);
		}
	});

	it('other query kinds are refused by the sandbox; path kind must match', async () => {
		const r = await api.post('/api/projects/1/query/', { query: { kind: 'HogQLQuery', query: 'select 1' } });
		expect(r.status).toBe(400);
		expect(r.data.type).toBe('validation_error');
		const mismatch = await api.post('/api/projects/1/query/TrendsQuery/', { query: { kind: 'ActorsQuery' } });
		expect(mismatch.data).toEqual(hog('validation_error', 'invalid_input', 'Query kind mismatch: path kind "TrendsQuery" does not match body kind "ActorsQuery".'));
	});
});

describe('response shape, ordering and pagination', () => {
	it('returns columns, aligned rows, types, hogql, hasMore, limit/offset and cache fields', async () => {
		const r = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', select: ['actor', 'created_at', 'properties.email'], limit: 7 } });
		expect(r.status).toBe(200);
		const d = r.data;
		expect(d.columns).toEqual(['actor', 'created_at', 'properties.email']);
		expect(d.results).toHaveLength(7);
		expect(d.types).toHaveLength(3);
		expect(d.hogql).toContain('LIMIT 8 OFFSET 0');
		expect(d).toMatchObject({ hasMore: true, limit: 7, offset: 0, missing_actors_count: 0, timezone: 'UTC', query_status: null });
		for (const k of ['is_cached', 'last_refresh', 'next_allowed_client_refresh', 'cache_key', 'timings', 'modifiers']) expect(d).toHaveProperty(k);
		const [actor, createdAt, email] = d.results[0];
		expect(Object.keys(actor)).toEqual(['id', 'distinct_ids', 'properties', 'is_identified', 'created_at']);
		const person = sb.store.personsByUuid.get(actor.id)!;
		expect(email).toBe(person.properties.email ?? null);
		// created_at selected and no orderBy => created_at DESC
		const newest = [...sb.store.personsByUuid.values()].sort((a, b) => b.createdAt - a.createdAt)[0];
		expect(actor.id).toBe(newest.uuid);
		expect(createdAt).toBe(actor.created_at);
	});

	it('pages with limit/offset until hasMore is false, default limit 100, max 50000', async () => {
		const all: string[] = [];
		let offset = 0;
		for (;;) {
			const r = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', select: ['id'], limit: 400, offset } });
			all.push(...r.data.results.map((row: string[]) => row[0]));
			if (!r.data.hasMore) break;
			offset += r.data.limit;
		}
		// no orderBy and first column id => ordered by person id (UUID) ascending
		expect(all).toEqual([...sb.store.personsByUuid.keys()].sort());
		const def = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', select: ['id'] } });
		expect(def.data.limit).toBe(100);
		const big = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', select: ['id'], limit: 999999 } });
		expect(big.data.limit).toBe(50000);
	});

	it('orderBy, search and person properties filter the actors', async () => {
		const r = await api.post('/api/projects/1/query/', {
			query: { kind: 'ActorsQuery', select: ['actor', 'properties.email'], orderBy: ['properties.email DESC'], properties: [{ key: 'plan', value: 'enterprise', type: 'person', operator: 'exact' }], limit: 5000 },
		});
		const expected = [...sb.store.personsByUuid.values()].filter((p) => p.properties.plan === 'enterprise').map((p) => String(p.properties.email)).sort().reverse();
		expect(r.data.results.map((row: unknown[]) => row[1])).toEqual(expected);
		const s = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', select: ['id'], search: 'user-0001', limit: 5000 } });
		const expectedSearch = [...sb.store.personsByUuid.values()].filter((p) => p.distinctIds.some((d) => d.includes('user-0001'))).map((p) => p.uuid).sort();
		expect(s.data.results.map((row: string[]) => row[0])).toEqual(expectedSearch);
		const badField = await api.post('/api/projects/1/query/', { query: { kind: 'ActorsQuery', select: ['actor', 'event_count'] } });
		expect(badField.status).toBe(400);
		expect(badField.data).toEqual(hog('validation_error', 'invalid_input', 'Unable to resolve field: event_count'));
	});
});

describe('funnels (FunnelsActorsQuery)', () => {
	const steps = ['$pageview', 'signed_up', 'purchased'];
	const range = lastDays(30);

	it.each([1, 2, 3, -2, -3])('funnelStep %d matches the reference', async (step) => {
		const r = await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: step, source: funnelSource(steps) } });
		expect(r.status).toBe(200);
		const expected = allPersonIds()
			.filter((uuid) => {
				const b = best(attempts(uuid, steps, range));
				if (!b) return false;
				return step > 0 ? b.reached >= step : b.reached === -step - 1;
			})
			.sort();
		expect(expected.length).toBeGreaterThan(0);
		expect(ids(r.data)).toEqual(expected);
	});

	it('has both conversions and drop-offs at every step', async () => {
		const counts = await Promise.all([1, 2, 3, -2, -3].map(async (step) => (await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: step, source: funnelSource(steps) } })).data.results.length));
		expect(counts.every((c) => c > 0)).toBe(true);
		expect(counts[0]).toBe(counts[1] + counts[3]);
		expect(counts[1]).toBe(counts[2] + counts[4]);
	});

	it('honours the conversion window', async () => {
		const source = funnelSource(['$pageview', 'signed_up'], { funnelsFilter: { funnelWindowInterval: 1, funnelWindowIntervalUnit: 'day' } });
		const r = await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: 2, source } });
		const expected = allPersonIds().filter((u) => (best(attempts(u, ['$pageview', 'signed_up'], range, DAY))?.reached ?? 0) >= 2).sort();
		expect(ids(r.data)).toEqual(expected);
		const wide = await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: 2, source: funnelSource(['$pageview', 'signed_up']) } });
		expect(wide.data.results.length).toBeGreaterThan(r.data.results.length);
	});

	it('strict <= ordered <= unordered', async () => {
		const count = async (order: string) =>
			(await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: 2, source: funnelSource(['$pageview', 'signed_up'], { funnelsFilter: { funnelOrderType: order } }) } })).data.results.length;
		const [strict, ordered, unordered] = [await count('strict'), await count('ordered'), await count('unordered')];
		expect(strict).toBeLessThanOrEqual(ordered);
		expect(ordered).toBeLessThan(unordered); // some persons signed up before their first pageview
	});

	it('filters by funnelStepBreakdown (first-touch event property)', async () => {
		const source = funnelSource(['$pageview', 'signed_up'], { breakdownFilter: { breakdown_type: 'event', breakdown: '$browser' } });
		const r = await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: 2, funnelStepBreakdown: ['Chrome'], source } });
		const expected = allPersonIds()
			.filter((u) => {
				const list = attempts(u, ['$pageview', 'signed_up'], range);
				const b = best(list);
				return !!b && b.reached >= 2 && list[0].entry.properties.$browser === 'Chrome';
			})
			.sort();
		expect(expected.length).toBeGreaterThan(0);
		expect(ids(r.data)).toEqual(expected);
	});

	it('funnel trends: converted / dropped off persons of an entrance period', async () => {
		const period = TODAY - 6 * DAY;
		const source = funnelSource(['$pageview', 'signed_up'], { interval: 'day', dateRange: { date_from: '-14d' }, funnelsFilter: { funnelVizType: 'trends' } });
		const range14 = lastDays(14);
		const classify = (u: string) => {
			const inPeriod = attempts(u, ['$pageview', 'signed_up'], range14).filter((a) => a.entry.timestamp >= period && a.entry.timestamp < period + DAY);
			if (!inPeriod.length) return null;
			return inPeriod.some((a) => a.reached >= 2) ? 'converted' : 'dropped';
		};
		for (const dropOff of [false, true]) {
			const r = await actors({ source: { kind: 'FunnelsActorsQuery', funnelTrendsDropOff: dropOff, funnelTrendsEntrancePeriodStart: `${iso(period)} 00:00:00`, source } });
			expect(r.status).toBe(200);
			const expected = allPersonIds().filter((u) => classify(u) === (dropOff ? 'dropped' : 'converted')).sort();
			expect(expected.length).toBeGreaterThan(0);
			expect(ids(r.data)).toEqual(expected);
		}
		const missing = await actors({ source: { kind: 'FunnelsActorsQuery', funnelTrendsEntrancePeriodStart: iso(period), source } });
		expect(missing.status).toBe(400);
		expect(missing.data.detail).toContain('funnelTrendsDropOff');
	});

	it('runner errors: invalid funnelStep is a 500, a one-step funnel a 400', async () => {
		for (const funnelStep of [0, -1, undefined]) {
			const r = await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep, source: funnelSource(steps) } });
			expect(r.status).toBe(500);
			expect(r.data).toEqual(hog('server_error', 'error', 'A server error occurred.'));
		}
		const one = await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: 1, source: funnelSource(['$pageview']) } });
		expect(one.status).toBe(400);
		expect(one.data).toEqual(hog('validation_error', 'funnels_require_at_least_two_steps', 'Funnels require at least two steps.'));
		const action = await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: 1, source: { kind: 'FunnelsQuery', series: [ev('$pageview'), { kind: 'ActionsNode', id: 99 }] } } });
		expect(action.data.detail).toBe('Action ID 99 does not exist!');
	});
});

describe('funnel correlation (FunnelCorrelationActorsQuery)', () => {
	const steps = ['$pageview', 'signed_up'];
	const range = lastDays(30);
	const correlation = (extra: Record<string, unknown>, type = 'events') => ({
		kind: 'FunnelCorrelationActorsQuery',
		...extra,
		source: { kind: 'FunnelCorrelationQuery', funnelCorrelationType: type, source: { kind: 'FunnelsActorsQuery', funnelStep: 1, source: funnelSource(steps) } },
	});

	it.each([true, false, undefined])('events correlation, converted=%s', async (converted) => {
		const r = await actors({ source: correlation({ funnelCorrelationPersonConverted: converted, funnelCorrelationPersonEntity: ev('viewed_pricing') }) });
		expect(r.status).toBe(200);
		const expected = allPersonIds()
			.filter((u) => {
				const b = best(attempts(u, steps, range));
				if (!b) return false;
				const isConverted = b.reached === steps.length;
				if (converted !== undefined && converted !== isConverted) return false;
				const first = b.times[0];
				const final = isConverted ? b.times[b.times.length - 1] : first + 14 * DAY;
				return eventsOf(u).some((e) => e.event === 'viewed_pricing' && e.timestamp > first && e.timestamp < final && e.timestamp <= range.to);
			})
			.sort();
		expect(expected.length).toBeGreaterThan(0);
		expect(ids(r.data)).toEqual(expected);
	});

	it('event_with_properties correlation uses the entity\'s event property filters', async () => {
		const entity = ev('$pageview', { properties: [{ key: '$pathname', value: '/pricing', type: 'event', operator: 'exact' }] });
		const r = await actors({ source: correlation({ funnelCorrelationPersonConverted: false, funnelCorrelationPersonEntity: entity }, 'event_with_properties') });
		const expected = allPersonIds()
			.filter((u) => {
				const b = best(attempts(u, steps, range));
				if (!b || b.reached === steps.length) return false;
				const first = b.times[0];
				return eventsOf(u).some((e) => e.event === '$pageview' && e.properties.$pathname === '/pricing' && e.timestamp > first && e.timestamp < first + 14 * DAY && e.timestamp <= range.to);
			})
			.sort();
		expect(expected.length).toBeGreaterThan(0);
		expect(ids(r.data)).toEqual(expected);
	});

	it('properties correlation and its errors', async () => {
		const r = await actors({
			source: correlation({ funnelCorrelationPersonConverted: true, funnelCorrelationPropertyValues: [{ key: 'plan', value: 'pro', type: 'person', operator: 'exact' }] }, 'properties'),
		});
		const expected = allPersonIds()
			.filter((u) => best(attempts(u, steps, range))?.reached === 2 && sb.store.personsByUuid.get(u)?.properties.plan === 'pro')
			.sort();
		expect(ids(r.data)).toEqual(expected);
		const noValues = await actors({ source: correlation({}, 'properties') });
		expect(noValues.data).toEqual(hog('validation_error', 'invalid_input', 'Property Correlation expects atleast one Property to get persons for'));
		const noEntity = await actors({ source: correlation({}) });
		expect(noEntity.data).toEqual(hog('validation_error', 'invalid_input', 'No entity for persons specified'));
	});
});

describe('trends (InsightActorsQuery over TrendsQuery)', () => {
	const day = TODAY - 3 * DAY;
	const trends = (extra: Record<string, unknown> = {}, seriesExtra: Record<string, unknown> = {}) => ({
		kind: 'TrendsQuery',
		series: [ev('$pageview', seriesExtra), ev('signed_up')],
		interval: 'day',
		dateRange: { date_from: '-7d' },
		...extra,
	});
	const perPerson = (pred: (e: SandboxEvent) => boolean) => {
		const m = new Map<string, number>();
		for (const e of sb.store.events) if (pred(e)) m.set(e.personId, (m.get(e.personId) ?? 0) + 1);
		return m;
	};

	it('persons and event_count of a day bucket match the reference; orderBy event_count DESC', async () => {
		const r = await actors({ select: ['actor', 'event_count'], orderBy: ['event_count DESC', 'actor_id DESC'], source: { kind: 'InsightActorsQuery', day: iso(day), source: trends() } });
		expect(r.status).toBe(200);
		const expected = perPerson((e) => e.event === '$pageview' && e.timestamp >= day && e.timestamp < day + DAY);
		expect(expected.size).toBeGreaterThan(0);
		const got = new Map<string, number>(r.data.results.map((row: any[]) => [row[0].id, row[1]]));
		expect(got).toEqual(expected);
		const counts = r.data.results.map((row: any[]) => row[1]);
		expect(counts).toEqual([...counts].sort((a, b) => b - a));
	});

	it('series index, breakdown value and action series', async () => {
		const signups = await actors({ source: { kind: 'InsightActorsQuery', day: iso(day), series: 1, source: trends() } });
		expect(ids(signups.data)).toEqual([...perPerson((e) => e.event === 'signed_up' && e.timestamp >= day && e.timestamp < day + DAY).keys()].sort());
		const chrome = await actors({
			source: { kind: 'InsightActorsQuery', day: iso(day), breakdown: 'Chrome', source: trends({ breakdownFilter: { breakdown_type: 'event', breakdown: '$browser' } }) },
		});
		expect(ids(chrome.data)).toEqual([...perPerson((e) => e.event === '$pageview' && e.properties.$browser === 'Chrome' && e.timestamp >= day && e.timestamp < day + DAY).keys()].sort());
		const action = await actors({ source: { kind: 'InsightActorsQuery', day: iso(day), source: { ...trends(), series: [{ kind: 'ActionsNode', id: 1 }] } } });
		expect(ids(action.data)).toEqual(
			[...perPerson((e) => e.event === '$pageview' && String(e.properties.$current_url).includes('/pricing') && e.timestamp >= day && e.timestamp < day + DAY).keys()].sort(),
		);
	});

	it('hourly buckets and compare: previous', async () => {
		const hour = TODAY - 2 * DAY + 15 * 3_600_000;
		const bucket = `${iso(hour)} 15:00:00`;
		const r = await actors({ source: { kind: 'InsightActorsQuery', day: bucket, source: trends({ interval: 'hour', dateRange: { date_from: '-3d' } }) } });
		expect(r.data.results.length).toBeGreaterThan(0);
		expect(ids(r.data)).toEqual([...perPerson((e) => e.event === '$pageview' && e.timestamp >= hour && e.timestamp < hour + 3_600_000).keys()].sort());
		// previous period of a -7d range (8 days long): the bucket shifted back by 8 days
		const prev = await actors({ source: { kind: 'InsightActorsQuery', day: iso(day), compare: 'previous', source: trends({ compareFilter: { compare: true } }) } });
		const shifted = day - 8 * DAY;
		expect(prev.data.results.length).toBeGreaterThan(0);
		expect(ids(prev.data)).toEqual([...perPerson((e) => e.event === '$pageview' && e.timestamp >= shifted && e.timestamp < shifted + DAY).keys()].sort());
	});

	it('weekly buckets, total-value displays and the day assertion', async () => {
		const weekStart = TODAY - new Date(TODAY).getUTCDay() * DAY - 7 * DAY;
		const week = await actors({ source: { kind: 'InsightActorsQuery', day: iso(weekStart), source: trends({ interval: 'week', dateRange: { date_from: '-30d' } }) } });
		expect(ids(week.data)).toEqual([...perPerson((e) => e.event === '$pageview' && e.timestamp >= weekStart && e.timestamp < weekStart + 7 * DAY).keys()].sort());
		const total = await actors({ source: { kind: 'InsightActorsQuery', source: trends({ trendsFilter: { display: 'BoldNumber' } }) } });
		const range = lastDays(7);
		expect(ids(total.data)).toEqual([...perPerson((e) => e.event === '$pageview' && e.timestamp >= range.from && e.timestamp <= range.to).keys()].sort());
		const noDay = await actors({ source: { kind: 'InsightActorsQuery', source: trends() } });
		expect(noDay.status).toBe(500);
		const dayOnTotal = await actors({ source: { kind: 'InsightActorsQuery', day: iso(day), source: trends({ trendsFilter: { display: 'ActionsPie' } }) } });
		expect(dayOnTotal.status).toBe(500);
	});
});

describe('lifecycle (InsightActorsQuery over LifecycleQuery)', () => {
	const target = TODAY - 5 * DAY;
	function status(uuid: string, d: number): string | null {
		const person = sb.store.personsByUuid.get(uuid);
		const range = lastDays(30);
		const active = [
			...new Set(
				eventsOf(uuid)
					.filter((e) => e.event === '$pageview' && e.properties.$process_person_profile !== false && e.timestamp >= range.from - DAY && e.timestamp <= range.to)
					.map((e) => dayOf(e.timestamp)),
			),
		].sort((a, b) => a - b);
		const idx = active.indexOf(d);
		if (idx >= 0) {
			const prev = idx === 0 ? dayOf(person ? person.createdAt : 0) : active[idx - 1];
			if (prev === d) return 'new';
			if (idx > 0 && prev === d - DAY) return 'returning';
			return 'resurrecting';
		}
		return active.includes(d - DAY) ? 'dormant' : null;
	}

	it.each(['new', 'returning', 'resurrecting', 'dormant'])('%s persons match the reference', async (st) => {
		const r = await actors({
			source: { kind: 'InsightActorsQuery', day: `${iso(target)}T13:45:00Z`, status: st, source: { kind: 'LifecycleQuery', series: [ev('$pageview')], interval: 'day', dateRange: { date_from: '-30d' } } },
		});
		expect(r.status).toBe(200);
		const expected = allPersonIds().filter((u) => status(u, target) === st).sort();
		expect(expected.length).toBeGreaterThan(0);
		expect(ids(r.data)).toEqual(expected);
		for (const row of r.data.results) expect(row[0].is_identified).toBe(true);
	});
});

describe('stickiness', () => {
	const range = lastDays(30);
	const activeDays = (uuid: string) => new Set(eventsOf(uuid).filter((e) => e.event === '$pageview' && e.timestamp >= range.from && e.timestamp <= range.to).map((e) => dayOf(e.timestamp))).size;
	const source = (extra: Record<string, unknown> = {}) => ({ kind: 'StickinessQuery', series: [ev('$pageview')], interval: 'day', dateRange: { date_from: '-30d' }, ...extra });

	it.each([1, 2, 3])('day = %d active days (exact)', async (n) => {
		const r = await actors({ source: { kind: 'InsightActorsQuery', day: n, source: source() } });
		const expected = allPersonIds().filter((u) => activeDays(u) === n).sort();
		expect(expected.length).toBeGreaterThan(0);
		expect(ids(r.data)).toEqual(expected);
	});

	it('cumulative means N or more; StickinessActorsQuery operator; non-integer day is a 500', async () => {
		const cum = await actors({ source: { kind: 'InsightActorsQuery', day: '3', source: source({ stickinessFilter: { computedAs: 'cumulative' } }) } });
		expect(ids(cum.data)).toEqual(allPersonIds().filter((u) => activeDays(u) >= 3).sort());
		const lte = await actors({ source: { kind: 'StickinessActorsQuery', day: 2, operator: 'lte', source: source() } });
		expect(ids(lte.data)).toEqual(allPersonIds().filter((u) => activeDays(u) >= 1 && activeDays(u) <= 2).sort());
		const bad = await actors({ source: { kind: 'InsightActorsQuery', day: iso(TODAY), source: source() } });
		expect(bad.status).toBe(500);
	});
});

describe('missing actors, caching, async queries', () => {
	it('events of a deleted person come back as {id} and count in missing_actors_count', async () => {
		const day = TODAY - 2 * DAY;
		const victim = sb.store.events.find((e) => e.event === '$pageview' && e.timestamp >= day && e.timestamp < day + DAY && sb.store.personsByUuid.has(e.personId))!;
		const query = { select: ['actor'], source: { kind: 'InsightActorsQuery', day: iso(day), source: { kind: 'TrendsQuery', series: [ev('$pageview')], dateRange: { date_from: '-7d' } } } };
		expect((await actors(query)).data.missing_actors_count).toBe(0);
		expect((await api.delete(`/api/projects/1/persons/${victim.personId}/`)).status).toBe(202);
		const r = await actors(query);
		expect(r.data.missing_actors_count).toBe(1);
		expect(r.data.results.find((row: any[]) => row[0].id === victim.personId)[0]).toEqual({ id: victim.personId });
	});

	it('blocking reuses a fresh cache (is_cached), force_blocking recomputes', async () => {
		const body = { query: { kind: 'ActorsQuery', select: ['id'], limit: 3, search: 'user-0002' } };
		const first = await api.post('/api/projects/1/query/', body);
		const second = await api.post('/api/projects/1/query/', body);
		expect(first.data.is_cached).toBe(false);
		expect(second.data.is_cached).toBe(true);
		expect(second.data.results).toEqual(first.data.results);
		expect(second.data.last_refresh).toBe(first.data.last_refresh);
		const forced = await api.post('/api/projects/1/query/', { ...body, refresh: 'force_blocking' });
		expect(forced.data.is_cached).toBe(false);
	});

	it('async modes answer 202 + query_status; polling gives 202 then 200 with the whole response; DELETE cancels', async () => {
		const query = { kind: 'ActorsQuery', select: ['actor'], source: { kind: 'FunnelsActorsQuery', funnelStep: 2, source: funnelSource(['$pageview', 'signed_up']) } };
		const blocking = await api.post('/api/projects/1/query/', { query, refresh: 'force_blocking' });
		const start202 = await api.post('/api/projects/1/query/', { query, refresh: 'force_async', client_query_id: 'my-query-1' });
		expect(start202.status).toBe(202);
		expect(start202.data.query_status).toMatchObject({ id: 'my-query-1', team_id: 1, complete: false, error: false, error_message: null, query_async: true });
		const polls: number[] = [];
		let final: any;
		for (let i = 0; i < 5; i++) {
			const p = await api.get('/api/projects/1/query/my-query-1/');
			polls.push(p.status);
			if (p.status === 200) {
				final = p.data;
				break;
			}
			expect(p.data.query_status.complete).toBe(false);
		}
		expect(polls).toEqual([202, 202, 200]);
		expect(final.query_status.complete).toBe(true);
		expect(final.query_status.results.results).toEqual(blocking.data.results);
		expect(final.query_status.results.columns).toEqual(['actor']);
		const cancel = await api.delete('/api/projects/1/query/my-query-1/');
		expect(cancel.status).toBe(200);
		expect((await api.get('/api/projects/1/query/my-query-1/')).status).toBe(404);

		const failing = await api.post('/api/projects/1/query/', {
			query: { kind: 'ActorsQuery', source: { kind: 'FunnelsActorsQuery', funnelStep: 1, source: funnelSource(['$pageview']) } },
			refresh: 'force_async',
			client_query_id: 'bad-1',
		});
		expect(failing.status).toBe(202);
		let last: any;
		for (let i = 0; i < 4; i++) last = await api.get('/api/projects/1/query/bad-1/');
		expect(last.status).toBe(400);
		expect(last.data.query_status).toMatchObject({ complete: true, error: true, error_message: 'Funnels require at least two steps.' });
	});
});

describe('saved insights', () => {
	const schemaValidator = (() => {
		const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../sandbox/schema/query-schema.json'), 'utf8'));
		const ajv = new Ajv({ allowUnionTypes: true, discriminator: true });
		addFormats(ajv);
		return ajv.compile({ ...schema, $ref: '#/definitions/InsightVizNode' });
	})();

	it('seeds the insight kinds the node needs, with 8-char short ids and schema-valid queries', () => {
		const kinds = sb.store.insights.map((i) => (i.query.kind === 'InsightVizNode' ? `${(i.query.source as any).kind}${(i.query.source as any).funnelsFilter?.funnelVizType === 'trends' ? ':trends' : ''}` : i.query.kind));
		expect(kinds).toEqual(expect.arrayContaining(['FunnelsQuery', 'FunnelsQuery:trends', 'TrendsQuery', 'LifecycleQuery', 'StickinessQuery', 'DataVisualizationNode']));
		expect(sb.store.insights.some((i) => (i.query.source as any).breakdownFilter && (i.query.source as any).kind === 'TrendsQuery')).toBe(true);
		for (const insight of sb.store.insights) {
			expect(insight.short_id).toMatch(/^[A-Za-z0-9]{8}$/);
			if (insight.query.kind === 'InsightVizNode') expect([insight.name, schemaValidator(insight.query)]).toEqual([insight.name, true]);
		}
	});

	it('lists by short_id, retrieves by id or short_id (basic=true too), 404s unknown ones', async () => {
		const insight = sb.store.insights[0];
		const list = await api.get(`/api/projects/1/insights/?short_id=${insight.short_id}`);
		expect(list.status).toBe(200);
		expect(list.data).toMatchObject({ count: 1, next: null, previous: null });
		expect(list.data.results[0]).toMatchObject({ id: insight.id, short_id: insight.short_id, query: insight.query });
		const byId = await api.get(`/api/projects/1/insights/${insight.id}/`);
		const byShort = await api.get(`/api/projects/1/insights/${insight.short_id}/?basic=true`);
		expect(byId.data.query).toEqual(insight.query);
		expect(byShort.data).toMatchObject({ id: insight.id, query: insight.query });
		expect(byShort.data.result).toBeUndefined();
		expect((await api.get('/api/projects/1/insights/zzzzzzzz/')).data).toEqual(hog('invalid_request', 'not_found', 'Not found.'));
		expect((await api.get('/api/projects/1/insights/?short_id=nope')).data.count).toBe(0);
	});

	it("a saved funnel's source can be wrapped verbatim into an actors query", async () => {
		const funnel = sb.store.insights.find((i) => (i.query.source as any)?.kind === 'FunnelsQuery' && !(i.query.source as any).funnelsFilter?.funnelVizType?.includes('trends'))!;
		const r = await actors({ source: { kind: 'FunnelsActorsQuery', funnelStep: 2, source: funnel.query.source } });
		expect(r.status).toBe(200);
		expect(r.data.results.length).toBeGreaterThan(0);
	});
});
