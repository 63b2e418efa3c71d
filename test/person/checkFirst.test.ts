/**
 * Per-item operations check every item before they act (finding 5) and resolve distinct IDs in
 * batched look-ups (finding 6).
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox } from '../../sandbox';
import { runAgainst, useSandbox } from '../helpers/sandbox';
import { apiPath, byDistinctId, byId, expectInputError, jsonOf, person, personPicker } from './util';

const getSandbox = useSandbox({ persons: 300, eventsPerPerson: 0 });
const take = personPicker(getSandbox);

describe('finding 5: with any invalid item and no Continue On Fail, nothing is sent', () => {
	const cases: Array<[string, (good: string) => IDataObject, IDataObject[], RegExp]> = [
		[
			'Split',
			() => person('split', { person: byId('={{ $json.id }}') }),
			[{ id: 'GOOD' }, { id: 'not-an-id' }],
			/"not-an-id" is not a person ID/,
		],
		[
			'Update Properties',
			() => person('update', { person: byId('GOOD'), propertiesJson: '={{ $json.props }}' }),
			[{ props: { plan: 'pro' } }, { props: [1, 2] }],
			/Properties \(JSON\) must be a JSON object/,
		],
		[
			'Set Property',
			() => person('setProperty', { person: byId('GOOD'), propertyKey: 'plan', valueType: 'number', numberValue: '={{ $json.n }}' }),
			[{ n: 3 }, { n: 'three' }],
			/Value "three" is not a number/,
		],
		[
			'Delete Properties',
			() => person('deleteProperties', { person: byId('GOOD'), propertyKeys: '={{ $json.keys }}' }),
			[{ keys: ['plan'] }, { keys: [] }],
			/No property names to delete/,
		],
		[
			'Reset Distinct ID',
			() => person('resetDistinctId', { distinctId: '={{ $json.id }}' }),
			[{ id: 'user-000001' }, { id: { nested: 1 } }],
			/The value of "distinctId" is an object, not text/,
		],
		[
			'Delete',
			() => person('deletePerson', { person: byId('={{ $json.id }}') }),
			[{ id: 'GOOD' }, { id: 'not-an-id' }],
			/"not-an-id" is not a person ID/,
		],
	];

	it.each(cases)('%s', async (_name, parameters, input, message) => {
		const sandbox = getSandbox();
		const target = take();
		const before = JSON.stringify(sandbox.store.getPerson(target.uuid));
		const fill = (value: unknown): unknown =>
			value === 'GOOD' ? target.uuid : Array.isArray(value) ? value.map(fill) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)])) : value;
		const result = await runAgainst(sandbox, fill(parameters(target.uuid)) as IDataObject, { input: fill(input) as IDataObject[] });
		expectInputError(sandbox, result, message, 1);
		expect(JSON.stringify(sandbox.store.getPerson(target.uuid))).toBe(before);
	});

	it('an unknown distinct ID stops the run before any item is changed; with Continue On Fail only that item fails', async () => {
		const sandbox = getSandbox();
		const target = take();
		const parameters = person('update', { person: byDistinctId('={{ $json.did }}'), propertiesJson: { tier: 'gold' } });
		const input = [{ did: target.distinctIds[0] }, { did: 'nobody-has-this' }];
		const stopped = await runAgainst(sandbox, parameters, { input });
		expect(stopped.error?.message).toMatch(/No person with the distinct ID "nobody-has-this"/);
		expect(stopped.error?.context?.itemIndex).toBe(1);
		expect(sandbox.requests.map((entry) => entry.method)).toEqual(['POST']);
		expect(sandbox.store.getPerson(target.uuid)?.properties.tier).toBeUndefined();

		sandbox.clearRequests();
		const continued = await runAgainst(sandbox, parameters, { input, continueOnFail: true });
		expect(continued.error).toBeUndefined();
		expect(jsonOf(continued.items)[0]).toMatchObject({ id: target.uuid, accepted: true });
		expect(jsonOf(continued.items)[1].error).toMatch(/No person with the distinct ID "nobody-has-this"/);
		expect(sandbox.store.getPerson(target.uuid)?.properties.tier).toBe('gold');
	});

	it('with Continue On Fail, invalid items become error items (error output too) and the valid ones run', async () => {
		const sandbox = getSandbox();
		const [a, b] = [take(), take()];
		const result = await runAgainst(sandbox, person('setProperty', { person: byId('={{ $json.id }}'), propertyKey: 'plan', stringValue: 'pro' }), {
			input: [{ id: a.uuid }, { id: 'bad id' }, { id: b.uuid }],
			onError: 'continueErrorOutput',
		});
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items).map((json) => json.id)).toEqual([a.uuid, b.uuid]);
		expect(result.errorItems).toHaveLength(1);
		expect(result.errorItems[0].json.error).toMatch(/"bad id" is not a person ID/);
		expect(result.errorItems[0].json.id).toBe('bad id');
		expect(result.errorItems[0].pairedItem).toEqual({ item: 1 });
	});
});

describe('finding 6: distinct IDs are resolved in batched look-ups', () => {
	// N updates by distinct ID make N PATCHes and N/200 look-ups (10,000 updates: 10,050 requests; a
	// smaller N keeps the test quick on a loaded machine)
	it('2,000 updates by distinct ID make 2,000 PATCHes and 10 look-ups', async () => {
		const count = 2_000;
		const sandbox = await startSandbox({ port: 0, persons: count, eventsPerPerson: 0, rateLimits: false, quiet: true });
		try {
			const targets = [...sandbox.store.personsByUuid.values()].slice(0, count);
			const result = await runAgainst(
				sandbox,
				person('update', { person: byDistinctId('={{ $json.did }}'), propertiesJson: '={{ { n: $json.n } }}', requestOptions: { concurrency: 4 } }),
				{ input: targets.map((p, n) => ({ did: p.distinctIds[0], n })) },
			);
			expect(result.error).toBeUndefined();
			const lookups = sandbox.requests.filter((entry) => entry.path === apiPath(sandbox, 'persons/batch_by_distinct_ids/'));
			const patches = sandbox.requests.filter((entry) => entry.method === 'PATCH');
			expect(lookups).toHaveLength(count / 200);
			expect(patches).toHaveLength(count);
			expect(sandbox.requests).toHaveLength(count + count / 200);
			expect(lookups.every((entry) => (entry.body as { distinct_ids: string[] }).distinct_ids.length === 200)).toBe(true);
			targets.forEach((p, n) => expect(sandbox.store.getPerson(p.uuid)?.properties.n).toBe(n));
		} finally {
			await sandbox.stop();
		}
	}, 120_000);

	it('Get, Get Cohorts and Get Activity resolve the distinct IDs of all items at once too', async () => {
		const sandbox = getSandbox();
		const targets = [take(), take(), take()];
		const result = await runAgainst(sandbox, person('get', { person: byDistinctId('={{ $json.did }}') }), {
			input: targets.map((p) => ({ did: p.distinctIds[0] })),
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => entry.path)).toEqual([
			apiPath(sandbox, 'persons/batch_by_distinct_ids/'),
			...targets.map((p) => apiPath(sandbox, `persons/${p.uuid}/`)),
		]);
		expect(sandbox.requests[0].body).toEqual({ distinct_ids: targets.map((p) => p.distinctIds[0]) });
	});
});
