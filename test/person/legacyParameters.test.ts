/**
 * Workflows saved with 0.1.0 store plain values (text, numbers) in the Person fields that are
 * pickers (resource locators) now. Each is run here as 0.1.0 stored it, and must send exactly
 * what the picker with the same value sends, and output the same items. A picker value without
 * a mode (`{__rl: true, value}`) reads as its value too.
 */
import type { IDataObject } from 'n8n-workflow';

import { apiCalls, runAgainst, useSandbox, type Sandbox } from '../helpers/sandbox';
import { apiPath, byId, jsonOf, person, personPicker } from './util';

const getSandbox = useSandbox({ persons: 300 });
const take = personPicker(getSandbox);

/** A value of a node parameter. */
type Value = IDataObject[string];

const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
/** A picker value as a hand-written or generated workflow may hold it: no mode. */
const noMode = (value: string | number) => ({ __rl: true, value });

/** Runs the parameters and returns what was sent and what came out. */
async function sentAndOut(sandbox: Sandbox, parameters: IDataObject) {
	sandbox.clearRequests();
	const result = await runAgainst(sandbox, parameters);
	expect(result.error).toBeUndefined();
	return { calls: apiCalls(sandbox), items: jsonOf(result.items) };
}

/** The query properties of Get Many: of the ActorsQuery (Query API) or the `properties` query string (persons list). */
function listedProperties(sandbox: Sandbox): unknown {
	const [call] = sandbox.requests;
	if (call.method === 'POST') return (call.body as { query: IDataObject }).query.properties;
	return JSON.parse(String(call.query.properties));
}

describe('Person fields as 0.1.0 stored them', () => {
	test('Delete Properties: Property Names as plain text, one or several', async () => {
		const sandbox = getSandbox();
		const target = take((p) => typeof p.properties.email === 'string' && typeof p.properties.name === 'string');
		const old = await sentAndOut(sandbox, person('deleteProperties', { person: byId(target.uuid), propertyKeys: 'email, name' }));
		expect(old.calls).toEqual([
			{ method: 'POST', path: apiPath(sandbox, `persons/${target.uuid}/delete_property/`), query: {}, body: { $unset: ['email', 'name'] }, status: 201 },
		]);
		expect(old.items).toEqual([{ id: target.uuid, deleted: true, statusCode: 201, properties: ['email', 'name'], note: expect.any(String) }]);
		expect(sandbox.store.getPerson(target.uuid)?.properties).not.toHaveProperty('email');

		const picked = await sentAndOut(sandbox, person('deleteProperties', { person: byId(target.uuid), propertyKeys: rl('name', 'email, name') }));
		expect(picked).toEqual(old);

		const single = await sentAndOut(sandbox, person('deleteProperties', { person: byId(target.uuid), propertyKeys: 'country' }));
		expect(single.calls.map((call) => call.body)).toEqual([{ $unset: 'country' }]);
		expect(sandbox.store.getPerson(target.uuid)?.properties).not.toHaveProperty('country');

		// only a stored picker is unwrapped: an object from an expression is no name
		sandbox.clearRequests();
		const fromExpression = await runAgainst(
			sandbox,
			person('deleteProperties', { person: byId(target.uuid), propertyKeys: '={{ { "__rl": true, "value": "plan" } }}' }),
		);
		expect(fromExpression.error?.message).toMatch(/Invalid property name/);
		expect(sandbox.requests).toEqual([]);
	});

	test.each([
		['Query API', 'query'],
		['persons list', 'rest'],
	])('Get Many: Cohort as a plain number (%s)', async (_label, listVia) => {
		const sandbox = getSandbox();
		const members = [...sandbox.store.cohortMembers(5)].sort();
		expect(members.length).toBeGreaterThan(0);
		const getMany = (cohortId: Value) => person('getAll', { returnAll: true, filters: { cohortId }, options: { listVia } });

		const old = await sentAndOut(sandbox, getMany(5));
		expect(listedProperties(sandbox)).toEqual([{ key: 'id', value: 5, type: 'cohort', operator: 'in' }]);
		expect(old.items.map((json) => json.uuid).sort()).toEqual(members);

		expect(await sentAndOut(sandbox, getMany(rl('id', '5')))).toEqual(old);
		expect(await sentAndOut(sandbox, getMany(noMode(5)))).toEqual(old);
	});

	test('Get Many: the key of a Person Properties filter as plain text', async () => {
		const sandbox = getSandbox();
		const getMany = (key: Value) =>
			person('getAll', { returnAll: true, filters: { propertyFilters: { filter: [{ key, operator: 'exact', value: 'enterprise' }] } } });
		const old = await sentAndOut(sandbox, getMany('plan'));
		expect(listedProperties(sandbox)).toEqual([{ key: 'plan', operator: 'exact', value: 'enterprise', type: 'person' }]);
		expect(old.items.map((json) => json.uuid).sort()).toEqual([...sandbox.store.cohortMembers(2)].sort());

		expect(await sentAndOut(sandbox, getMany(rl('name', 'plan')))).toEqual(old);
		expect(await sentAndOut(sandbox, getMany(noMode('plan')))).toEqual(old);
	});

	test('Set Property: Property Name as plain text', async () => {
		const sandbox = getSandbox();
		const target = take((p) => p.properties.plan === 'free');
		const setPlan = (propertyKey: Value, stringValue: string) =>
			person('setProperty', { person: byId(target.uuid), propertyKey, valueType: 'string', stringValue });

		const old = await sentAndOut(sandbox, setPlan('plan', 'pro'));
		expect(old.calls).toEqual([
			{ method: 'POST', path: apiPath(sandbox, `persons/${target.uuid}/update_property/`), query: {}, body: { key: 'plan', value: 'pro' }, status: 202 },
		]);
		expect(old.items).toEqual([{ id: target.uuid, accepted: true, statusCode: 202, key: 'plan', value: 'pro', note: expect.any(String) }]);
		expect(sandbox.store.getPerson(target.uuid)?.properties.plan).toBe('pro');

		expect(await sentAndOut(sandbox, setPlan(rl('list', 'plan'), 'pro'))).toEqual(old);
		const unmoded = await sentAndOut(sandbox, setPlan(noMode('plan'), 'enterprise'));
		expect(unmoded.calls.map((call) => call.body)).toEqual([{ key: 'plan', value: 'enterprise' }]);
		expect(sandbox.store.getPerson(target.uuid)?.properties.plan).toBe('enterprise');
	});

	test('Get Property Values: Property Name as plain text', async () => {
		const sandbox = getSandbox();
		const values = (propertyKey: Value) => person('getPropertyValues', { propertyKey });
		const old = await sentAndOut(sandbox, values('plan'));
		expect(old.calls.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
			{ method: 'GET', path: apiPath(sandbox, 'persons/values/'), query: { key: 'plan' } },
		]);
		expect(old.items.map((json) => json.name).sort()).toEqual(['enterprise', 'free', 'pro']);

		expect(await sentAndOut(sandbox, values(rl('name', 'plan')))).toEqual(old);
		expect(await sentAndOut(sandbox, values(noMode('plan')))).toEqual(old);
	});
});
