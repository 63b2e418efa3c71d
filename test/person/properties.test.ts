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
	person,
	personPicker,
} from './util';

const getSandbox = useSandbox({ persons: 300 });
const take = personPicker(getSandbox);

describe('Person → Update Properties', () => {
	it('PATCHes the rows and the JSON as {properties} and PostHog sets them', async () => {
		const sandbox = getSandbox();
		const target = take((p) => typeof p.properties.email === 'string');
		const before = { ...target.properties };
		const result = await runAgainst(
			sandbox,
			person('update', {
				person: byId(target.uuid),
				propertiesUi: { property: [{ key: 'plan', value: 'enterprise' }, { key: 'nickname', value: 'Ace' }] },
				propertiesJson: '{"seats": 12, "plan": "pro", "flags": {"vip": true}}',
			}),
		);
		expect(result.error).toBeUndefined();

		const sent = { plan: 'enterprise', nickname: 'Ace', seats: 12, flags: { vip: true } };
		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('PATCH');
		expect(call.path).toBe(apiPath(sandbox, `persons/${target.uuid}/`));
		expect(call.query).toEqual({});
		expect(call.body).toEqual({ properties: sent });
		expect(call.status).toBe(202);
		expectBearer(sandbox);

		expect(jsonOf(result.items)).toEqual([
			{ id: target.uuid, accepted: true, statusCode: 202, properties: sent, note: expect.stringMatching(/asynchronously/) },
		]);
		expect(sandbox.store.getPerson(target.uuid)?.properties).toEqual({ ...before, ...sent });
	});

	it('finds the person by distinct ID first', async () => {
		const sandbox = getSandbox();
		const target = take();
		const distinctId = target.distinctIds[target.distinctIds.length - 1];
		const result = await runAgainst(
			sandbox,
			person('update', { person: byDistinctId(distinctId), propertiesJson: { tier: 'gold' } }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.method, entry.path, entry.query])).toEqual([
			['POST', apiPath(sandbox, 'persons/batch_by_distinct_ids/'), {}],
			['PATCH', apiPath(sandbox, `persons/${target.uuid}/`), {}],
		]);
		expect(sandbox.requests[0].body).toEqual({ distinct_ids: [distinctId] });
		expect(sandbox.store.getPerson(target.uuid)?.properties.tier).toBe('gold');
	});

	it('rejects malformed JSON, a JSON list and an empty update before sending anything', async () => {
		const sandbox = getSandbox();
		const target = take();
		const malformed = await runAgainst(sandbox, person('update', { person: byId(target.uuid), propertiesJson: '{"plan": }' }));
		expectInputError(sandbox, malformed, /Properties \(JSON\) is not valid JSON/, 0);

		const list = await runAgainst(sandbox, person('update', { person: byId(target.uuid), propertiesJson: '["plan"]' }));
		expectInputError(sandbox, list, /must be a JSON object/, 0);

		const empty = await runAgainst(sandbox, person('update', { person: byDistinctId(target.distinctIds[0]) }));
		expectInputError(sandbox, empty, /No properties to update/, 0);

		const unnamed = await runAgainst(
			sandbox,
			person('update', { person: byId(target.uuid), propertiesUi: { property: [{ key: ' ', value: 'x' }] } }),
		);
		expectInputError(sandbox, unnamed, /Property row 1 has no name/, 0);
	});

	it('names the missing scope when the key may only read, without leaking the key', async () => {
		const sandbox = getSandbox();
		const target = take();
		const before = { ...target.properties };
		const result = await runAgainst(
			sandbox,
			person('update', { person: byId(target.uuid), propertiesJson: '{"plan": "changed-by-test"}' }),
			{ key: 'readOnly' },
		);
		expect(result.error?.message).toMatch(/person:write/);
		expect(result.error?.context?.itemIndex).toBe(0);
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].status).toBe(403);
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, sandbox.keys.readOnly);
		expect(sandbox.store.getPerson(target.uuid)?.properties).toEqual(before);
	});

	it('with Continue On Fail yields one error item per failed item and updates the others', async () => {
		const sandbox = getSandbox();
		const [first, last] = [take(), take()];
		const missingId = String(sandbox.store.nextPersonId + 1000);
		const result = await runAgainst(
			sandbox,
			person('update', { person: byId('={{ $json.id }}'), propertiesJson: '={{ $json.props }}' }),
			{
				input: [
					{ id: first.uuid, props: '{"source": "n8n-test"}' },
					{ id: first.uuid, props: 'not json' },
					{ id: missingId, props: '{"source": "n8n-test"}' },
					{ id: last.uuid, props: '{"source": "n8n-test"}' },
				],
				continueOnFail: true,
			},
		);
		expect(result.error).toBeUndefined();
		expect(pairedIndexes(result.items)).toEqual([0, 1, 2, 3]);
		const out = jsonOf(result.items);
		expect(out[0]).toMatchObject({ id: first.uuid, accepted: true });
		expect(out[1].error).toMatch(/not valid JSON/);
		expect(out[2]).toMatchObject({ httpCode: '404' });
		expect(String(out[2].error)).toMatch(/404/);
		expect(out[3]).toMatchObject({ id: last.uuid, accepted: true });
		expect(sandbox.requests.map((entry) => [entry.method, entry.status])).toEqual([
			['PATCH', 202],
			['PATCH', 404],
			['PATCH', 202],
		]);
		expect(sandbox.store.getPerson(first.uuid)?.properties.source).toBe('n8n-test');
		expect(sandbox.store.getPerson(last.uuid)?.properties.source).toBe('n8n-test');
		expectNoSecret(result.items, sandbox.keys.all);
	});
});

describe('Person → Set Property', () => {
	it.each([
		['string', { stringValue: 'enterprise' }, 'enterprise'],
		['number', { numberValue: 42.5 }, 42.5],
		['boolean', { booleanValue: true }, true],
		['json', { jsonValue: '{"seats": 12, "tags": ["a", "b"]}' }, { seats: 12, tags: ['a', 'b'] }],
	])('sends a %s value typed as {key, value}', async (valueType, fields, expected) => {
		const sandbox = getSandbox();
		const target = take();
		const key = `typed_${valueType}`;
		const result = await runAgainst(
			sandbox,
			person('setProperty', { person: fromList(target.uuid), propertyKey: key, valueType, ...fields }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('POST');
		expect(call.path).toBe(apiPath(sandbox, `persons/${target.uuid}/update_property/`));
		expect(call.query).toEqual({});
		expect(call.body).toEqual({ key, value: expected });
		expect(call.status).toBe(202);
		expectBearer(sandbox);
		expect(jsonOf(result.items)).toEqual([
			{ id: target.uuid, accepted: true, statusCode: 202, key, value: expected, note: expect.stringMatching(/asynchronously/) },
		]);
		expect(sandbox.store.getPerson(target.uuid)?.properties[key]).toEqual(expected);
	});

	it('rejects a missing name, malformed JSON and a non-number before sending anything', async () => {
		const sandbox = getSandbox();
		const target = take();
		const noKey = await runAgainst(sandbox, person('setProperty', { person: byId(target.uuid), propertyKey: ' ', stringValue: 'x' }));
		expectInputError(sandbox, noKey, /No property name given/, 0);

		const badJson = await runAgainst(
			sandbox,
			person('setProperty', { person: byId(target.uuid), propertyKey: 'x', valueType: 'json', jsonValue: '{oops' }),
		);
		expectInputError(sandbox, badJson, /Value \(JSON\) is not valid JSON/, 0);

		const notNumber = await runAgainst(
			sandbox,
			person('setProperty', { person: byId(target.uuid), propertyKey: 'x', valueType: 'number', numberValue: '={{ "many" }}' }),
		);
		expectInputError(sandbox, notNumber, /is not a number/, 0);
	});

	it('names the missing scope for a read-only key', async () => {
		const sandbox = getSandbox();
		const target = take();
		const result = await runAgainst(
			sandbox,
			person('setProperty', { person: byId(target.uuid), propertyKey: 'plan', stringValue: 'pro' }),
			{ key: 'readOnly' },
		);
		expect(result.error?.message).toMatch(/person:write/);
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, sandbox.keys.readOnly);
	});
});

describe('Person → Delete Properties', () => {
	it('POSTs {$unset: [keys]} and PostHog removes the properties', async () => {
		const sandbox = getSandbox();
		const target = take((p) => typeof p.properties.email === 'string' && typeof p.properties.name === 'string');
		const keep = Object.keys(target.properties).filter((key) => key !== 'email' && key !== 'name');
		const result = await runAgainst(
			sandbox,
			person('deleteProperties', { person: byId(target.uuid), propertyKeys: 'email,\nname' }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('POST');
		expect(call.path).toBe(apiPath(sandbox, `persons/${target.uuid}/delete_property/`));
		expect(call.body).toEqual({ $unset: ['email', 'name'] });
		expect(call.status).toBe(201);
		expectBearer(sandbox);
		expect(jsonOf(result.items)).toEqual([
			{ id: target.uuid, deleted: true, statusCode: 201, properties: ['email', 'name'], note: expect.stringMatching(/asynchronously/) },
		]);
		const after = sandbox.store.getPerson(target.uuid)?.properties ?? {};
		expect(after).not.toHaveProperty('email');
		expect(after).not.toHaveProperty('name');
		expect(Object.keys(after).sort()).toEqual(keep.sort());
	});

	it('sends a single key as a one-element list, by distinct ID', async () => {
		const sandbox = getSandbox();
		const target = take((p) => p.properties.country !== undefined);
		const result = await runAgainst(
			sandbox,
			person('deleteProperties', { person: byDistinctId(target.distinctIds[0]), propertyKeys: '={{ ["country"] }}' }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.method, entry.path])).toEqual([
			['POST', apiPath(sandbox, 'persons/batch_by_distinct_ids/')],
			['POST', apiPath(sandbox, `persons/${target.uuid}/delete_property/`)],
		]);
		// one key goes as a string (the form every PostHog version accepts)
		expect(sandbox.requests[1].body).toEqual({ $unset: 'country' });
		expect(sandbox.store.getPerson(target.uuid)?.properties).not.toHaveProperty('country');
	});

	it('rejects an empty list of names before sending anything', async () => {
		const sandbox = getSandbox();
		const target = take();
		const result = await runAgainst(sandbox, person('deleteProperties', { person: byId(target.uuid), propertyKeys: ' , ' }));
		expectInputError(sandbox, result, /No property names to delete: nothing is filled in/, 0);
	});

	it('names the missing scope for a read-only key and leaves the person alone', async () => {
		const sandbox = getSandbox();
		const target = take((p) => p.properties.country !== undefined);
		const before = { ...target.properties };
		const result = await runAgainst(
			sandbox,
			person('deleteProperties', { person: byId(target.uuid), propertyKeys: 'country' }),
			{ key: 'readOnly' },
		);
		expect(result.error?.message).toMatch(/person:write/);
		expect(sandbox.store.getPerson(target.uuid)?.properties).toEqual(before);
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, sandbox.keys.readOnly);
	});
});
