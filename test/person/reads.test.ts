import type { SandboxPerson } from '../../sandbox/store';
import { binaryText } from '../harness/engine';
import { expectNoSecret, runAgainst, useSandbox } from '../helpers/sandbox';
import {
	apiPath,
	byDistinctId,
	byId,
	expectBearer,
	expectInputError,
	fromList,
	jsonOf,
	pairedIndexes,
	parseCsv,
	person,
	personPicker,
} from './util';

const getSandbox = useSandbox({ persons: 300 });
const take = personPicker(getSandbox);

describe('Person → Get Cohorts', () => {
	function cohortsOf(p: SandboxPerson) {
		const store = getSandbox().store;
		return store.cohorts.filter((cohort) => !cohort.deleted && store.cohortMembers(cohort.id).has(p.uuid));
	}

	it('GETs persons/cohorts/?person_id and outputs one item per cohort the person is in', async () => {
		const sandbox = getSandbox();
		const target = take((p) => p.properties.plan === 'pro');
		const expected = cohortsOf(target);
		expect(expected.length).toBeGreaterThanOrEqual(2);
		const result = await runAgainst(sandbox, person('getCohorts', { person: fromList(target.uuid) }));
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('GET');
		expect(call.path).toBe(apiPath(sandbox, 'persons/cohorts/'));
		expect(call.query).toEqual({ person_id: target.uuid });
		expectBearer(sandbox);
		const out = jsonOf(result.items);
		expect(out.map((json) => [json.id, json.name])).toEqual(expected.map((cohort) => [cohort.id, cohort.name]));
		expect(pairedIndexes(result.items).every((index) => index === 0)).toBe(true);
	});

	it('resolves a distinct ID and writes the cohorts as CSV', async () => {
		const sandbox = getSandbox();
		const target = take((p) => p.properties.plan === 'enterprise');
		const expected = cohortsOf(target);
		const result = await runAgainst(
			sandbox,
			person('getCohorts', { person: byDistinctId(target.distinctIds[0]), output: 'csv', binaryPropertyName: 'cohorts' }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.path, entry.query])).toEqual([
			[apiPath(sandbox, 'persons/batch_by_distinct_ids/'), {}],
			[apiPath(sandbox, 'persons/cohorts/'), { person_id: target.uuid }],
		]);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ rows: expected.length, personId: target.uuid });
		const { header, rows } = parseCsv(binaryText(result.items[0], 'cohorts'));
		expect(header).toEqual(expect.arrayContaining(['id', 'name']));
		expect(rows.map((row) => row.name)).toEqual(expected.map((cohort) => cohort.name));
	});

	it('names the missing cohort:read scope', async () => {
		const sandbox = getSandbox();
		const target = take();
		const result = await runAgainst(sandbox, person('getCohorts', { person: byId(target.uuid) }), { key: 'personOnly' });
		expect(result.error?.message).toMatch(/cohort:read/);
		expect(result.error?.description).toMatch(/cohort:read/);
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, sandbox.keys.personOnly);
	});
});

describe('Person → Get Property Values', () => {
	function valueCounts(key: string, contains = '') {
		const counts = new Map<string, number>();
		for (const p of getSandbox().store.persons) {
			const value = p.properties[key];
			if (typeof value !== 'string' || !value.toLowerCase().includes(contains.toLowerCase())) continue;
			counts.set(value, (counts.get(value) ?? 0) + 1);
		}
		return counts;
	}

	it('GETs persons/values/?key and outputs one item per value with its count', async () => {
		const sandbox = getSandbox();
		const expected = valueCounts('plan');
		const result = await runAgainst(sandbox, person('getPropertyValues', { propertyKey: 'plan' }));
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('GET');
		expect(call.path).toBe(apiPath(sandbox, 'persons/values/'));
		expect(call.query).toEqual({ key: 'plan' });
		expectBearer(sandbox);
		const out = jsonOf(result.items);
		expect(new Map(out.map((json) => [json.name as string, json.count as number]))).toEqual(expected);
	});

	it('filters by Value Contains and writes CSV', async () => {
		const sandbox = getSandbox();
		const expected = valueCounts('plan', 'PR');
		expect(expected.size).toBeGreaterThan(0);
		const result = await runAgainst(
			sandbox,
			person('getPropertyValues', { propertyKey: 'plan', valueContains: 'PR', output: 'csv' }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests[0].query).toEqual({ key: 'plan', value: 'PR' });
		expect(result.items[0].json).toMatchObject({ key: 'plan', refreshing: false, rows: expected.size });
		const { header, rows } = parseCsv(binaryText(result.items[0]));
		expect(header).toEqual(['count', 'name']);
		expect(new Map(rows.map((row) => [row.name, Number(row.count)]))).toEqual(expected);
	});

	it('rejects an empty property name before sending anything', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, person('getPropertyValues', { propertyKey: '  ' }));
		expectInputError(sandbox, result, /No property name given/, 0);
	});
});

describe('Person → Get Properties at Time', () => {
	/** A seeded person whose plan changed after it was created (history: $set … then $set {plan}). */
	function upgradedPerson() {
		const store = getSandbox().store;
		return take((p) => {
			const sets = store.propertyHistory(p.uuid).filter((entry) => entry.op === '$set');
			return sets.length >= 2 && sets[sets.length - 1].timestamp > sets[0].timestamp;
		});
	}

	/** Properties from the $set writes up to `at` (optionally $set_once), from the sandbox's history. */
	function expectedAt(p: SandboxPerson, at: number, includeSetOnce = false) {
		const out: Record<string, unknown> = {};
		for (const entry of getSandbox().store.propertyHistory(p.uuid)) {
			if (entry.timestamp > at) continue;
			if (entry.op === '$set') Object.assign(out, entry.properties);
			if (entry.op === '$set_once' && includeSetOnce) {
				for (const [key, value] of Object.entries(entry.properties)) if (!(key in out)) out[key] = value;
			}
		}
		return out;
	}

	it('asks by person UUID and returns the properties as they were', async () => {
		const sandbox = getSandbox();
		const target = upgradedPerson();
		const history = sandbox.store.propertyHistory(target.uuid).filter((entry) => entry.op === '$set');
		const at = Math.floor((history[0].timestamp + history[history.length - 1].timestamp) / 2);
		const timestamp = new Date(at).toISOString();
		const expected = expectedAt(target, at);
		expect(expected.plan).not.toBe(target.properties.plan);

		const result = await runAgainst(sandbox, person('getPropertiesAtTime', { person: byId(target.uuid), timestamp }));
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('GET');
		expect(call.path).toBe(apiPath(sandbox, 'persons/properties_at_time/'));
		expect(call.query).toEqual({ timestamp, person_id: target.uuid });
		expectBearer(sandbox);
		const [out] = jsonOf(result.items);
		expect(out.uuid).toBe(target.uuid);
		expect(out.properties).toEqual(expected);
		expect(out.point_in_time_metadata).toMatchObject({ query_mode: 'person_id', person_id_used: target.uuid, include_set_once: false });
	});

	it('asks by distinct ID with $set_once, and resolves a numeric ID to the UUID first', async () => {
		const sandbox = getSandbox();
		const target = upgradedPerson();
		const at = sandbox.store.now();
		const timestamp = new Date(at).toISOString();
		const byDistinct = await runAgainst(
			sandbox,
			person('getPropertiesAtTime', { person: byDistinctId(target.distinctIds[0]), timestamp, includeSetOnce: true }),
		);
		expect(byDistinct.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].query).toEqual({ timestamp, distinct_id: target.distinctIds[0], include_set_once: 'true' });
		expect(jsonOf(byDistinct.items)[0].properties).toEqual(expectedAt(target, at, true));

		sandbox.clearRequests();
		const byNumber = await runAgainst(sandbox, person('getPropertiesAtTime', { person: byId(target.id), timestamp }));
		expect(byNumber.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.path, entry.query])).toEqual([
			[apiPath(sandbox, `persons/${target.id}/`), {}],
			[apiPath(sandbox, 'persons/properties_at_time/'), { timestamp, person_id: target.uuid }],
		]);
		expect(jsonOf(byNumber.items)[0].properties).toEqual(expectedAt(target, at));
	});

	it('rejects an invalid or missing timestamp and a missing identifier before sending anything', async () => {
		const sandbox = getSandbox();
		const target = take();
		for (const timestamp of ['yesterday', '2025-02-30T10:00:00Z', '2025-01-01T25:00:00Z', '={{ "" }}']) {
			const result = await runAgainst(sandbox, person('getPropertiesAtTime', { person: byId(target.uuid), timestamp }));
			expectInputError(sandbox, result, timestamp.startsWith('=') ? /No timestamp given/ : /is not an ISO 8601 timestamp/, 0);
		}
		const neither = await runAgainst(
			sandbox,
			person('getPropertiesAtTime', { person: byDistinctId(' '), timestamp: '2025-01-01T00:00:00Z' }),
		);
		expectInputError(sandbox, neither, /No distinct ID given/, 0);
		const notAnId = await runAgainst(
			sandbox,
			person('getPropertiesAtTime', { person: byId('={{ "user-000001" }}'), timestamp: '2025-01-01' }),
		);
		expectInputError(sandbox, notAnId, /is not a person ID/, 0);
	});

	it("shows PostHog's {error} message for an unknown distinct ID; Continue On Fail keeps the others", async () => {
		const sandbox = getSandbox();
		const target = take();
		const timestamp = new Date(sandbox.store.now()).toISOString();
		const result = await runAgainst(
			sandbox,
			person('getPropertiesAtTime', { person: byDistinctId('={{ $json.did }}'), timestamp }),
			{ input: [{ did: 'ghost-distinct-id' }, { did: target.distinctIds[0] }], continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(pairedIndexes(result.items)).toEqual([0, 1]);
		const [failed, ok] = jsonOf(result.items);
		expect(failed.error).toMatch(/PostHog 404: Person with distinct_id 'ghost-distinct-id' not found/);
		expect(failed.httpCode).toBe('404');
		expect(ok.uuid).toBe(target.uuid);
		expectNoSecret(result.items, sandbox.keys.all);
	});

	it('writes the point-in-time person as CSV', async () => {
		const sandbox = getSandbox();
		const target = take((p) => typeof p.properties.email === 'string');
		const timestamp = new Date(sandbox.store.now()).toISOString();
		const result = await runAgainst(
			sandbox,
			person('getPropertiesAtTime', { person: byId(target.uuid), timestamp, output: 'csv' }),
		);
		expect(result.error).toBeUndefined();
		const { header, rows } = parseCsv(binaryText(result.items[0]));
		expect(header).toEqual(expect.arrayContaining(['uuid', 'properties.email', 'point_in_time_metadata.query_mode']));
		expect(rows).toEqual([expect.objectContaining({ uuid: target.uuid, 'properties.email': target.properties.email })]);
	});
});
