import type { AxiosInstance } from 'axios';
import { csvRecords } from '../helpers/csv';
import type { Sandbox, SandboxPerson } from '../../sandbox';
import { client, hog, P, start } from './helpers';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ANON_RE = UUID_RE;

let sb: Sandbox;
let api: AxiosInstance;

beforeAll(async () => {
	sb = await start({ persons: 400, rateLimits: false });
	api = client(sb);
});
afterAll(() => sb.stop());

function listOrder(): SandboxPerson[] {
	return [...sb.store.personsByUuid.values()].sort((a, b) => b.createdAt - a.createdAt || (a.uuid < b.uuid ? 1 : -1));
}

function identifiedWith(pred: (p: SandboxPerson) => boolean): SandboxPerson {
	const p = sb.store.persons.find((x) => x.isIdentified && pred(x));
	if (!p) throw new Error('no matching seeded person');
	return p;
}

describe('GET persons/ (list)', () => {
	it('returns 100 list items ordered by created_at desc, with UUID ids and an absolute next link', async () => {
		const r = await api.get(`${P}/`);
		expect(r.status).toBe(200);
		expect(Object.keys(r.data)).toEqual(['results', 'next', 'previous']);
		expect(r.data.results).toHaveLength(100);
		expect(r.data.results.map((x: { uuid: string }) => x.uuid)).toEqual(listOrder().slice(0, 100).map((p) => p.uuid));
		const item = r.data.results[0];
		expect(Object.keys(item)).toEqual(['type', 'id', 'uuid', 'created_at', 'last_seen_at', 'properties', 'is_identified', 'name', 'distinct_ids', 'matched_recordings', 'value_at_data_point']);
		expect(item.type).toBe('person');
		expect(item.id).toBe(item.uuid);
		expect(item.id).toMatch(UUID_RE);
		expect(item.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
		expect(r.data.next).toBe(`${sb.url}${P}/?offset=100`);
		expect(r.data.previous).toBeNull();
	});

	it('adds count only with include_total', async () => {
		const r = await api.get(`${P}/?include_total&limit=5`);
		expect(r.data.count).toBe(sb.store.personsByUuid.size);
		expect(r.data.next).toBe(`${sb.url}${P}/?include_total&limit=5&offset=5`);
	});

	it('reproduces the page-2 previous bug and correct links from page 3 on', async () => {
		const p2 = await api.get(`${P}/?limit=10&offset=10`);
		expect(p2.data.previous).toBe(`${sb.url}${P}/?limit=10&offset=10`);
		expect(p2.data.next).toBe(`${sb.url}${P}/?limit=10&offset=20`);
		const p3 = await api.get(`${P}/?limit=10&offset=20`);
		expect(p3.data.previous).toBe(`${sb.url}${P}/?limit=10&offset=10`);
		const order = listOrder();
		expect(p3.data.results.map((x: { id: string }) => x.id)).toEqual(order.slice(20, 30).map((p) => p.uuid));
	});

	it('gives an exactly-full last page a next link that returns an empty page', async () => {
		const p = identifiedWith(() => true);
		const r = await api.get(`${P}/?email=${encodeURIComponent(String(p.properties.email))}&limit=1`);
		expect(r.data.results.map((x: { id: string }) => x.id)).toEqual([p.uuid]);
		expect(r.data.next).not.toBeNull();
		const next = await api.get(r.data.next);
		expect(next.data.results).toEqual([]);
		expect(next.data.next).toBeNull();
	});

	it('filters by distinct_id (exact), email, search and properties (incl. cohorts)', async () => {
		const p = identifiedWith((x) => x.distinctIds.length > 1);
		const byDid = await api.get(`${P}/`, { params: { distinct_id: p.distinctIds[1] } });
		expect(byDid.data.results.map((x: { id: string }) => x.id)).toEqual([p.uuid]);
		const none = await api.get(`${P}/`, { params: { distinct_id: 'no-such-id' } });
		expect(none.data.results).toEqual([]);

		const search = await api.get(`${P}/`, { params: { search: 'user-00010', limit: 1000 } });
		const expected = listOrder().filter((x) => x.distinctIds.some((d) => d.includes('user-00010')) || String(x.properties.email ?? '').includes('user-00010'));
		expect(search.data.results.map((x: { id: string }) => x.id)).toEqual(expected.map((x) => x.uuid));

		const props = await api.get(`${P}/`, { params: { properties: JSON.stringify([{ key: 'plan', value: 'pro', type: 'person' }]), limit: 1000 } });
		const pro = listOrder().filter((x) => x.properties.plan === 'pro');
		expect(props.data.results.map((x: { id: string }) => x.id)).toEqual(pro.map((x) => x.uuid));
		const cohort = await api.get(`${P}/`, { params: { properties: JSON.stringify([{ type: 'cohort', key: 'id', value: 1 }]), limit: 1000 } });
		expect(cohort.data.results.map((x: { id: string }) => x.id)).toEqual(pro.map((x) => x.uuid));

		const bad = await api.get(`${P}/?properties=not-json`);
		expect(bad.status).toBe(400);
		expect(bad.data).toEqual(hog('validation_error', 'invalid_input', 'Properties are unparsable!'));
	});

	it('POST persons/ is 405 with PostHog\'s message', async () => {
		const r = await api.post(`${P}/`, { properties: {} });
		expect(r.status).toBe(405);
		expect(r.data).toEqual(
			hog('invalid_request', 'method_not_allowed', 'Creating persons via this API is not allowed. Please create persons by sending an $identify event. See https://posthog.com/docs/product-analytics/identify for details.'),
		);
	});

	it('short pages: rows are omitted while next still advances by limit; the log records them', async () => {
		sb.clearRequests();
		sb.setFaults({ shortPageRate: 1, seed: 7 });
		try {
			const r = await api.get(`${P}/?limit=20&offset=40`);
			expect(r.status).toBe(200);
			expect(r.data.results.length).toBeLessThan(20);
			expect(r.data.next).toBe(`${sb.url}${P}/?limit=20&offset=60`);
			const entry = sb.requests[sb.requests.length - 1];
			expect(entry.fault).toBe('short_page');
			const full = listOrder().slice(40, 60).map((p) => p.uuid);
			const got = r.data.results.map((x: { id: string }) => x.id);
			expect(full.filter((u) => !got.includes(u))).toEqual(entry.omittedRows);
			expect(entry.omittedRows!.length).toBe(20 - got.length);
		} finally {
			sb.setFaults(undefined);
		}
	});
});

describe('GET persons/:id/ (retrieve)', () => {
	it('accepts the integer id or the UUID and returns an integer id', async () => {
		const p = identifiedWith((x) => x.distinctIds.length > 1 && ANON_RE.test(x.distinctIds[0]));
		const byId = await api.get(`${P}/${p.id}/`);
		const byUuid = await api.get(`${P}/${p.uuid}`);
		expect(byId.status).toBe(200);
		expect(byUuid.data).toEqual(byId.data);
		expect(Object.keys(byId.data)).toEqual(['id', 'name', 'distinct_ids', 'properties', 'created_at', 'uuid', 'last_seen_at']);
		expect(byId.data.id).toBe(p.id);
		expect(byId.data.uuid).toBe(p.uuid);
		expect(byId.data.name).toBe(p.properties.email);
		// non-anonymous distinct ids first (the list keeps creation order)
		expect(ANON_RE.test(byId.data.distinct_ids[byId.data.distinct_ids.length - 1])).toBe(true);
		expect(p.distinctIds[0]).toBe(byId.data.distinct_ids[byId.data.distinct_ids.length - 1]);
	});

	it('rejects non-id strings and 404s unknown persons', async () => {
		const r = await api.get(`${P}/user-000001/`);
		expect(r.status).toBe(400);
		expect(r.data).toEqual(
			hog('validation_error', 'invalid_input', 'The ID provided does not look like a personID. If you are using a distinctId, please use /persons?distinct_id=user-000001 instead.'),
		);
		expect((await api.get(`${P}/999999/`)).data).toEqual(hog('invalid_request', 'not_found', 'Not found.'));
		expect((await api.get(`${P}/00000000-0000-4000-8000-000000000000/`)).status).toBe(404);
	});

	it('treats the removed legacy endpoints like current PostHog routing does', async () => {
		const trends = await api.get(`${P}/trends/`);
		expect(trends.status).toBe(400);
		expect(trends.data.detail).toContain('does not look like a personID');
		const funnel = await api.post(`${P}/funnel/`, {});
		expect(funnel.status).toBe(403);
		expect(funnel.data).toEqual(hog('authentication_error', 'permission_denied', 'This action does not support personal API key access'));
		const corr = await api.get(`${P}/funnel/correlation/`);
		expect(corr.status).toBe(404);
		expect(corr.data).toEqual(hog('invalid_request', 'not_found', 'Endpoint not found.'));
		const timeline = await api.get(`${P}/1/properties_timeline/`);
		expect(timeline.status).toBe(403);
		expect(timeline.data.detail).toBe('This action does not support personal API key access');
	});

	it('accepts paths without trailing slash and under /api/environments/ (no redirects)', async () => {
		const a = await api.get(`${P}/1`, { maxRedirects: 0 });
		const b = await api.get('/api/environments/1/persons/1/', { maxRedirects: 0 });
		const c = await api.get('/api/projects/@current/persons/1/', { maxRedirects: 0 });
		expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
		expect(b.data).toEqual(a.data);
		expect(c.data).toEqual(a.data);
	});
});

describe('writes: update, update_property, delete_property, activity', () => {
	it('PATCH/PUT apply $set, answer 202 with an empty body and log activity', async () => {
		const p = identifiedWith((x) => x.properties.plan === 'free');
		const before = sb.store.activity.length;
		const r = await api.patch(`${P}/${p.id}/`, { properties: { plan: 'enterprise', nested: { a: [1, 2] } } });
		expect(r.status).toBe(202);
		expect(r.data).toBe('');
		expect(sb.store.getPerson(p.id)!.properties.plan).toBe('enterprise');
		expect(sb.store.getPerson(p.id)!.properties.email).toBe(p.properties.email);
		const put = await api.put(`${P}/${p.uuid}/`, { properties: { plan: 'pro' } });
		expect(put.status).toBe(202);
		expect(sb.store.getPerson(p.id)!.properties.plan).toBe('pro');
		expect(sb.store.activity.length).toBe(before + 2);
		const entry = sb.store.activity[sb.store.activity.length - 1];
		expect(entry.activity).toBe('updated');
		expect(entry.item_id).toBe(String(p.id));
		const hist = sb.store.propertyHistory(p.uuid).filter((h) => h.source === 'api');
		expect(hist.map((h) => h.properties)).toEqual([{ plan: 'enterprise', nested: { a: [1, 2] } }, { plan: 'pro' }]);
	});

	it('reproduces the swapped code/detail 400 bodies', async () => {
		const swapped = (attr: string) => ({ attr, code: 'This field is required.', detail: 'required', type: 'validation_error' });
		const r1 = await api.patch(`${P}/1/`, {});
		expect(r1.status).toBe(400);
		expect(r1.data).toEqual(swapped('properties'));
		// the check runs before the person lookup
		expect((await api.put(`${P}/999999/`, { foo: 1 })).data).toEqual(swapped('properties'));
		expect((await api.post(`${P}/1/update_property/`, { key: 'x' })).data).toEqual(swapped('value'));
		expect((await api.post(`${P}/1/update_property/`, { value: 'x' })).data).toEqual(swapped('key'));
	});

	it('update_property sets one property (202); delete_property unsets (201 {success: true})', async () => {
		const p = identifiedWith((x) => x.id > 10);
		const up = await api.post(`${P}/${p.id}/update_property/`, { key: 'favorite_color', value: 'teal' });
		expect(up.status).toBe(202);
		expect(up.data).toBe('');
		expect(sb.store.getPerson(p.id)!.properties.favorite_color).toBe('teal');
		const del = await api.post(`${P}/${p.id}/delete_property/`, { $unset: 'favorite_color' });
		expect(del.status).toBe(201);
		expect(del.data).toEqual({ success: true });
		expect('favorite_color' in sb.store.getPerson(p.id)!.properties).toBe(false);
		const many = await api.post(`${P}/${p.id}/delete_property/`, { $unset: ['name', 'country'] });
		expect(many.status).toBe(201);
		expect(sb.store.getPerson(p.id)!.properties.name).toBeUndefined();
		expect(sb.store.getPerson(p.id)!.properties.country).toBeUndefined();
		const missing = await api.post(`${P}/${p.id}/delete_property/`, {});
		expect(missing.status).toBe(400);
		expect(missing.data).toEqual(hog('validation_error', 'required', 'This field is required.', '$unset'));
	});

	it('serves activity entries produced by the writes, paginated with absolute page links', async () => {
		const p = identifiedWith((x) => x.id > 20);
		await api.patch(`${P}/${p.id}/`, { properties: { step: 1 } });
		await api.post(`${P}/${p.id}/update_property/`, { key: 'step', value: 2 });
		await api.post(`${P}/${p.id}/delete_property/`, { $unset: 'step' });
		const r = await api.get(`${P}/${p.id}/activity/?limit=2`);
		expect(r.status).toBe(200);
		expect(r.data.total_count).toBe(3);
		expect(r.data.results.map((e: { activity: string }) => e.activity)).toEqual(['delete_property', 'updated']);
		const e = r.data.results[1];
		expect(Object.keys(e)).toEqual(['id', 'user', 'activity', 'scope', 'item_id', 'detail', 'created_at']);
		expect(e.user).toEqual({ first_name: 'Sandy', email: 'sandy@sandbox.posthog.test' });
		expect(e.scope).toBe('Person');
		expect(e.item_id).toBe(String(p.id));
		expect(e.detail.changes).toEqual([{ type: 'Person', action: 'changed', field: 'properties', before: null, after: null }]);
		expect(r.data.next).toBe(`${sb.url}${P}/${p.id}/activity/?limit=2&page=2`);
		expect(r.data.previous).toBeNull();
		const page2 = await api.get(r.data.next);
		expect(page2.data.results.map((x: { activity: string }) => x.activity)).toEqual(['updated']);
		expect(page2.data.previous).toBe(`${sb.url}${P}/${p.id}/activity/?limit=2&page=1`);
		const all = await api.get(`${P}/activity/`);
		expect(all.data.total_count).toBe(sb.store.activity.length);
		expect(all.data.results).toHaveLength(Math.min(10, sb.store.activity.length));
		const bad = await api.get(`${P}/activity/?limit=0`);
		expect(bad.status).toBe(400);
		expect(bad.data).toEqual(hog('validation_error', 'min_value', 'Ensure this value is greater than or equal to 1.', 'limit'));
	});
});

describe('deletion', () => {
	it('DELETE is 202 with empty body; ?delete_events=false still queues the event deletion', async () => {
		const p = identifiedWith((x) => (sb.store.eventsByPerson.get(x.uuid)?.length ?? 0) > 0 && x.id > 30);
		const eventCount = sb.store.eventsByPerson.get(p.uuid)!.length;
		const r = await api.delete(`${P}/${p.id}/?delete_events=false`);
		expect(r.status).toBe(202);
		expect(r.data).toBe('');
		expect(sb.store.deletionCounts.get(p.uuid)).toBe(1);
		expect((await api.get(`${P}/${p.id}/`)).status).toBe(404);
		// events are still there until the async deletion runs
		expect(sb.store.eventsByPerson.get(p.uuid)!.length).toBe(eventCount);
		const pending = await api.get(`${P}/deletion_status/`, { params: { person_uuid: p.uuid } });
		expect(pending.data).toEqual({
			count: 1,
			next: null,
			previous: null,
			results: [{ person_uuid: p.uuid, created_at: expect.any(String), status: 'pending', delete_verified_at: null }],
		});
		sb.store.processAsyncDeletions();
		expect(sb.store.eventsByPerson.get(p.uuid)).toBeUndefined();
		expect(sb.store.events.some((e) => e.personId === p.uuid)).toBe(false);
		const done = await api.get(`${P}/deletion_status/?status=completed&person_uuid=${p.uuid}`);
		expect(done.data.results[0].status).toBe('completed');
		expect(done.data.results[0].delete_verified_at).toMatch(/Z$/);
		const deleted = sb.store.activity.filter((a) => a.activity === 'deleted' && a.item_id === String(p.id));
		expect(deleted).toHaveLength(1);
	});

	it('DELETE without flags keeps the events', async () => {
		const p = identifiedWith((x) => (sb.store.eventsByPerson.get(x.uuid)?.length ?? 0) > 0 && x.id > 40);
		expect((await api.delete(`${P}/${p.uuid}/`)).status).toBe(202);
		expect(sb.store.eventsByPerson.get(p.uuid)!.length).toBeGreaterThan(0);
		expect(sb.store.asyncDeletions.some((a) => a.person_uuid === p.uuid)).toBe(false);
	});

	it('bulk_delete validates in PostHog\'s order with exact messages', async () => {
		const ids = Array.from({ length: 1001 }, (_, i) => `id-${i}`);
		const cases: [unknown, string][] = [
			[{ ids: ids, distinct_ids: ids }, 'You must provide either distinct_ids or ids, not both'],
			[{ distinct_ids: ids }, 'You can only pass 1000 distinct_ids in one call'],
			[{ ids: ids }, 'You can only pass 1000 ids in one call'],
			[{}, 'You need to specify either distinct_ids or ids'],
			[{ ids: [], distinct_ids: [] }, 'You need to specify either distinct_ids or ids'],
		];
		for (const [body, message] of cases) {
			const r = await api.post(`${P}/bulk_delete/`, body);
			expect(r.status).toBe(400);
			expect(r.data).toEqual(hog('validation_error', 'invalid_input', message));
		}
		// query-string parameters are ignored: only the JSON body counts
		const qs = await api.post(`${P}/bulk_delete/?distinct_ids=user-000001`);
		expect(qs.data.detail).toBe('You need to specify either distinct_ids or ids');
	});

	it('bulk_delete returns the full summary; flags use Python truthiness', async () => {
		const victims = sb.store.persons.filter((x) => x.isIdentified && x.id > 50).slice(0, 3);
		const r = await api.post(`${P}/bulk_delete/`, { distinct_ids: [...victims.map((v) => v.distinctIds[v.distinctIds.length - 1]), 'unknown-distinct-id'], delete_events: 'false' });
		expect(r.status).toBe(202);
		expect(r.data).toEqual({
			persons_found: 3,
			persons_deleted: 3,
			persons_queued_for_deletion: 0,
			events_queued_for_deletion: true,
			recordings_queued_for_deletion: false,
			deletion_errors: [],
		});
		for (const v of victims) {
			expect(sb.store.deletionCounts.get(v.uuid)).toBe(1);
			expect(sb.store.asyncDeletions.filter((a) => a.person_uuid === v.uuid)).toHaveLength(1);
		}
		const again = await api.post(`${P}/bulk_delete/`, { ids: victims.map((v) => v.uuid), delete_events: true });
		expect(again.data).toMatchObject({ persons_found: 0, persons_deleted: 0, events_queued_for_deletion: false });
		const keep = identifiedWith((x) => x.id > 60);
		const kp = await api.post(`${P}/bulk_delete/`, { ids: [keep.uuid], keep_person: 1, delete_events: true, delete_recordings: [0] });
		expect(kp.data).toEqual({
			persons_found: 1,
			persons_deleted: 0,
			persons_queued_for_deletion: 0,
			events_queued_for_deletion: true,
			recordings_queued_for_deletion: true,
			deletion_errors: [],
		});
		expect(sb.store.getPerson(keep.id)).toBeDefined();
	});

	it('deletion failures are reported in deletion_errors and as 503 for a single DELETE', async () => {
		const [a, b] = sb.store.persons.filter((x) => x.id > 70).slice(0, 2);
		sb.setFaults({ deletionErrorRate: 1, seed: 3 });
		try {
			const r = await api.post(`${P}/bulk_delete/`, { ids: [a.uuid] });
			expect(r.status).toBe(202);
			expect(r.data.persons_deleted).toBe(0);
			expect(r.data.deletion_errors).toEqual([{ person_uuid: a.uuid, step: expect.any(String) }]);
			expect(sb.store.getPerson(a.id)).toBeDefined();
			const single = await api.delete(`${P}/${b.id}/`);
			expect(single.status).toBe(503);
			expect(single.data.code).toBe('person_deletion_failed');
			expect(sb.store.getPerson(b.id)).toBeDefined();
			expect(sb.requests[sb.requests.length - 1].fault).toBe('deletion_error');
		} finally {
			sb.setFaults(undefined);
		}
		expect((await api.post(`${P}/bulk_delete/`, { ids: [a.uuid] })).data.persons_deleted).toBe(1);
	});

	it('deletion_status validates its filters', async () => {
		const bad = await api.get(`${P}/deletion_status/?status=done`);
		expect(bad.status).toBe(400);
		expect(bad.data).toEqual(hog('validation_error', 'invalid_choice', '"done" is not a valid choice.', 'status'));
		const badUuid = await api.get(`${P}/deletion_status/?person_uuid=nope`);
		expect(badUuid.data).toEqual(hog('validation_error', 'invalid_input', 'Must be a valid UUID.', 'person_uuid'));
		const page = await api.get(`${P}/deletion_status/?limit=1`);
		expect(page.data.count).toBe(sb.store.asyncDeletions.length);
		expect(page.data.results).toHaveLength(1);
		expect(page.data.next).toBe(`${sb.url}${P}/deletion_status/?limit=1&offset=1`);
	});

	it('queued bulk-delete mode reports persons_queued_for_deletion and removes them shortly after', async () => {
		const q = await start({ persons: 50, bulkDeleteMode: 'queued', rateLimits: false });
		try {
			const c = client(q);
			const targets = q.store.persons.slice(0, 2);
			const r = await c.post(`${P}/bulk_delete/`, { ids: targets.map((t) => t.uuid) });
			expect(r.data).toMatchObject({ persons_found: 2, persons_deleted: 0, persons_queued_for_deletion: 2 });
			expect(q.store.getPerson(targets[0].id)).toBeDefined();
			await new Promise((res) => setTimeout(res, q.store.settings.queuedDeletionDelayMs + 100));
			expect(q.store.getPerson(targets[0].id)).toBeUndefined();
			expect(q.store.deletionCounts.get(targets[1].uuid)).toBe(1);
		} finally {
			await q.stop();
		}
	});
});

describe('other actions', () => {
	it('reset_person_distinct_id validates and answers 202', async () => {
		const bad = await api.post(`${P}/reset_person_distinct_id/`, { distinct_id: '' });
		expect(bad.data).toEqual(hog('validation_error', 'invalid_input', 'distinct_id is required'));
		const victim = identifiedWith((x) => x.id > 80);
		const did = victim.distinctIds[victim.distinctIds.length - 1];
		await api.delete(`${P}/${victim.id}/`);
		expect(sb.store.deletedDistinctIds.get(did)).toBe(victim.uuid);
		const ok = await api.post(`${P}/reset_person_distinct_id/`, { distinct_id: did });
		expect(ok.status).toBe(202);
		expect(sb.store.deletedDistinctIds.has(did)).toBe(false);
	});

	it('split moves distinct ids to new deterministic persons (201)', async () => {
		const p = identifiedWith((x) => x.distinctIds.length >= 2 && x.id > 90);
		const moving = p.distinctIds[p.distinctIds.length - 1];
		const bad = await api.post(`${P}/${p.id}/split/`, { distinct_ids_to_split: ['not-mine'] });
		expect(bad.data).toEqual(hog('validation_error', 'invalid_input', "not on this person: ['not-mine']", 'distinct_ids_to_split'));
		const both = await api.post(`${P}/${p.id}/split/`, { distinct_ids_to_split: [moving], main_distinct_id: 'x' });
		expect(both.data.detail).toBe('main_distinct_id cannot be combined with distinct_ids_to_split');
		const r = await api.post(`${P}/${p.id}/split/`, { distinct_ids_to_split: [moving] });
		expect(r.status).toBe(201);
		expect(r.data).toEqual({ success: true });
		const moved = sb.store.findByDistinctId(moving)!;
		expect(moved.uuid).not.toBe(p.uuid);
		expect(sb.store.getPerson(p.id)!.distinctIds).not.toContain(moving);
	});

	it('values returns {results: [{name, count}], refreshing: false}', async () => {
		const r = await api.get(`${P}/values/?key=plan`);
		expect(r.headers['cache-control']).toBe('max-age=10');
		const counts = new Map<string, number>();
		for (const p of sb.store.personsByUuid.values()) if (typeof p.properties.plan === 'string') counts.set(p.properties.plan, (counts.get(p.properties.plan) ?? 0) + 1);
		expect(r.data.refreshing).toBe(false);
		expect(r.data.results).toEqual([...counts].sort((a, b) => b[1] - a[1]).map(([name, count]) => ({ name, count })));
		expect((await api.get(`${P}/values/`)).data).toEqual({ results: [], refreshing: false });
		const filtered = await api.get(`${P}/values/?key=plan&value=PRO`);
		expect(filtered.data.results.map((x: { name: string }) => x.name)).toEqual(['pro']);
	});

	it('cohorts lists the cohorts of a person; missing person_id is a 500', async () => {
		const p = identifiedWith((x) => x.properties.plan === 'pro' && x.id > 100);
		const r = await api.get(`${P}/cohorts/?person_id=${p.id}`);
		const ids = r.data.results.map((c: { id: number }) => c.id);
		expect(ids).toEqual(expect.arrayContaining([1, 4]));
		expect(ids).not.toContain(6);
		expect(Object.keys(r.data.results[0])).toEqual(['id', 'name', 'count']);
		const missing = await api.get(`${P}/cohorts/`);
		expect(missing.status).toBe(500);
		expect(missing.data).toEqual(hog('server_error', 'error', 'A server error occurred.'));
		expect((await api.get(`${P}/cohorts/?person_id=999999`)).status).toBe(404);
	});

	it('properties_at_time replays history and uses {"error": ...} bodies', async () => {
		const p = identifiedWith((x) => x.id > 110 && x.properties.plan === 'free');
		const before = sb.store.now();
		await api.patch(`${P}/${p.id}/`, { properties: { plan: 'pro' } });
		const did = p.distinctIds[p.distinctIds.length - 1];
		const old = await api.get(`${P}/properties_at_time/`, { params: { distinct_id: did, timestamp: new Date(before - 1000).toISOString() } });
		expect(old.status).toBe(200);
		expect(old.data.properties.plan).toBe('free');
		expect(old.data.properties.$initial_browser).toBeUndefined(); // $set_once excluded by default
		const withOnce = await api.get(`${P}/properties_at_time/`, { params: { person_id: p.uuid, timestamp: new Date(before + 60_000).toISOString(), include_set_once: 'true' } });
		expect(withOnce.data.properties.plan).toBe('pro');
		expect(withOnce.data.properties.$initial_browser).toBe(p.properties.$initial_browser);
		expect(withOnce.data.point_in_time_metadata).toMatchObject({ include_set_once: true, person_id_used: p.uuid, distinct_id_used: null, query_mode: 'person_id', distinct_ids_count: p.distinctIds.length });
		expect((await api.get(`${P}/properties_at_time/?timestamp=2024-01-01`)).data).toEqual({ error: 'Must provide either distinct_id or person_id parameter' });
		expect((await api.get(`${P}/properties_at_time/?distinct_id=a&person_id=b&timestamp=x`)).data).toEqual({ error: 'Cannot provide both distinct_id and person_id - choose one' });
		expect((await api.get(`${P}/properties_at_time/?distinct_id=a`)).data).toEqual({ error: 'timestamp parameter is required (ISO format: 2023-06-15T14:30:00Z)' });
		expect((await api.get(`${P}/properties_at_time/?distinct_id=a&timestamp=yesterday`)).data).toEqual({ error: 'Invalid timestamp format. Use ISO format like 2023-06-15T14:30:00Z' });
		const nf = await api.get(`${P}/properties_at_time/?distinct_id=nobody&timestamp=2024-01-01T00:00:00Z`);
		expect(nf.status).toBe(404);
		expect(nf.data).toEqual({ error: "Person with distinct_id 'nobody' not found" });
	});

	it('batch_by_distinct_ids / batch_by_uuids truncate to 200 and return MinimalPerson (10 distinct ids)', async () => {
		const many = sb.store.persons.find((x) => x.distinctIds.length > 10)!;
		expect(many).toBeDefined();
		const others = sb.store.persons.filter((x) => x !== many).slice(0, 210);
		const dids = [many.distinctIds[1], ...others.map((o) => o.distinctIds[0])];
		const r = await api.post(`${P}/batch_by_distinct_ids/`, { distinct_ids: dids });
		expect(Object.keys(r.data.results)).toHaveLength(200);
		expect(r.data.results[dids[0]].distinct_ids).toHaveLength(10);
		expect(r.data.results[dids[0]].id).toBe(many.id);
		expect(r.data.results[dids[205]]).toBeUndefined();
		expect((await api.post(`${P}/batch_by_distinct_ids/`, { distinct_ids: 'x' })).data).toEqual({ results: {} });

		const uuids = others.map((o) => o.uuid);
		const u = await api.post(`${P}/batch_by_uuids/`, { uuids: [...uuids.slice(0, 200), 'not-a-uuid'] });
		expect(u.status).toBe(200);
		expect(Object.keys(u.data.results)).toHaveLength(200);
		const bad = await api.post(`${P}/batch_by_uuids/`, { uuids: ['not-a-uuid'] });
		expect(bad.status).toBe(400);
		expect(bad.data).toEqual(hog('validation_error', 'invalid_input', 'One or more UUIDs are invalid.'));
	});
});

describe('CSV rendering', () => {
	it('renders list results flattened, sorted header, RFC 4180 quoting, ignoring limit/offset', async () => {
		const r = await api.get(`${P}/?format=csv&limit=5&offset=10`, { responseType: 'text' });
		expect(r.status).toBe(200);
		expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
		const rows = csvRecords(r.data);
		const header = rows[0];
		expect([...header].sort()).toEqual(header);
		expect(header).toEqual(expect.arrayContaining(['id', 'distinct_ids.0', 'properties.email', 'properties.address.city', 'properties.preferences.notifications.email', 'properties.tags.0']));
		expect(rows.length - 1).toBe(sb.store.personsByUuid.size);
		const bioPerson = sb.store.persons.find((p) => typeof p.properties.bio === 'string');
		if (bioPerson) {
			const row = rows.find((x) => x[header.indexOf('id')] === bioPerson.uuid)!;
			expect(row[header.indexOf('properties.bio')]).toBe(bioPerson.properties.bio);
			expect(r.data).toContain('"Says ""hi"", likes commas, and\nnew lines"');
		}
		const first = listOrder()[0];
		expect(rows[1][header.indexOf('id')]).toBe(first.uuid);
		expect(rows[1][header.indexOf('is_identified')]).toBe(first.isIdentified ? 'True' : 'False');
		const viaAccept = await api.get(`${P}/?limit=1`, { headers: { Accept: 'text/csv' }, responseType: 'text' });
		expect(viaAccept.headers['content-type']).toBe('text/csv; charset=utf-8');
		expect(viaAccept.data).toBe(r.data);
	});

	it('renders an empty document for payloads without a results list (retrieve, errors)', async () => {
		const r = await api.get(`${P}/1/?format=csv`, { responseType: 'text' });
		expect(r.status).toBe(200);
		expect(r.data).toBe('');
		const nf = await api.get(`${P}/999999/?format=csv`, { responseType: 'text' });
		expect(nf.status).toBe(404);
		expect(nf.data).toBe('');
		const act = await api.get(`${P}/activity/?format=csv`, { responseType: 'text' });
		expect(csvRecords(act.data)[0]).toEqual(expect.arrayContaining(['activity', 'detail.changes.0.field', 'user.email']));
		const unknownFormat = await api.get(`${P}/?format=xml`);
		expect(unknownFormat.status).toBe(404);
	});
});
