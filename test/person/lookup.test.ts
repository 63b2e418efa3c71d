import { binaryText } from '../harness/engine';
import { expectNoSecret, runAgainst, useSandbox } from '../helpers/sandbox';
import { apiPath, expectBearer, expectInputError, jsonOf, pairedIndexes, parseCsv, person, personPicker } from './util';

const getSandbox = useSandbox({ persons: 300 });
const take = personPicker(getSandbox);

describe('Person → Look Up by IDs', () => {
	it('sends the distinct IDs of all items de-duplicated in one call and maps the persons back to the items', async () => {
		const sandbox = getSandbox();
		const [a, b, c] = [take(), take(), take()];
		const [da, db, dc] = [a.distinctIds[0], b.distinctIds[0], c.distinctIds[0]];
		const unknown = 'nobody-knows-this-id';
		const result = await runAgainst(
			sandbox,
			person('lookup', { lookupBy: 'distinct_ids', ids: '={{ $json.ids }}' }),
			{ input: [{ ids: [da, db] }, { ids: [db, dc, unknown] }, { ids: [da] }] },
		);
		expect(result.error).toBeUndefined();

		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('POST');
		expect(call.path).toBe(apiPath(sandbox, 'persons/batch_by_distinct_ids/'));
		expect(call.query).toEqual({});
		expect(call.body).toEqual({ distinct_ids: [da, db, dc, unknown] });
		expectBearer(sandbox);

		expect(pairedIndexes(result.items)).toEqual([0, 0, 1, 1, 1, 2]);
		const out = jsonOf(result.items);
		expect(out.map((json) => [json.requested_id, json.found, json.uuid])).toEqual([
			[da, true, a.uuid],
			[db, true, b.uuid],
			[db, true, b.uuid],
			[dc, true, c.uuid],
			[unknown, false, undefined],
			[da, true, a.uuid],
		]);
		expect(out[0].id).toBe(a.id);
		expect(out[0].distinct_ids).toEqual(expect.arrayContaining([da]));
		expect(out[4]).toEqual({ requested_id: unknown, found: false });
		expectNoSecret(result.items, sandbox.keys.all);
	});

	it('sends more than 200 IDs in calls of 200 and can leave out IDs that were not found', async () => {
		const sandbox = getSandbox();
		const known = sandbox.store.persons.filter((p) => p.distinctIds.length > 0).map((p) => p.distinctIds[0]);
		const unknown = Array.from({ length: 150 }, (_, index) => `missing-${index}`);
		const ids = [...known, ...unknown];
		const result = await runAgainst(
			sandbox,
			person('lookup', { lookupBy: 'distinct_ids', ids: '={{ $json.ids }}', includeNotFound: false }),
			{ input: [{ ids }] },
		);
		expect(result.error).toBeUndefined();

		const sent = sandbox.requests.map((entry) => (entry.body as { distinct_ids: string[] }).distinct_ids);
		expect(sent.map((chunk) => chunk.length)).toEqual(
			Array.from({ length: Math.ceil(ids.length / 200) }, (_, index) => Math.min(200, ids.length - index * 200)),
		);
		expect(sent.flat()).toEqual(ids);

		const out = jsonOf(result.items);
		expect(out).toHaveLength(known.length);
		expect(out.every((json) => json.found === true)).toBe(true);
		for (const json of out) {
			expect(sandbox.store.findByDistinctId(String(json.requested_id))?.uuid).toBe(json.uuid);
		}
	});

	it('looks persons up by UUID, whatever their case, and keeps the requested spelling', async () => {
		const sandbox = getSandbox();
		const [a, b] = [take(), take()];
		const unknownUuid = '00000000-0000-4000-8000-000000000000';
		const result = await runAgainst(
			sandbox,
			person('lookup', { lookupBy: 'uuids', ids: `${a.uuid.toUpperCase()}\n${b.uuid}\n${unknownUuid}` }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].path).toBe(apiPath(sandbox, 'persons/batch_by_uuids/'));
		expect(sandbox.requests[0].body).toEqual({ uuids: [a.uuid, b.uuid, unknownUuid] });
		expect(jsonOf(result.items).map((json) => [json.requested_id, json.found, json.uuid])).toEqual([
			[a.uuid.toUpperCase(), true, a.uuid],
			[b.uuid, true, b.uuid],
			[unknownUuid, false, undefined],
		]);
	});

	it('rejects a non-UUID in UUID mode before sending anything, naming the item', async () => {
		const sandbox = getSandbox();
		const a = take();
		const result = await runAgainst(sandbox, person('lookup', { lookupBy: 'uuids', ids: '={{ $json.ids }}' }), {
			input: [{ ids: a.uuid }, { ids: [a.uuid, 'user-000001'] }],
		});
		expectInputError(sandbox, result, /not a UUID: "user-000001"/, 1);
	});

	it('an expression giving text is one ID, commas and spaces included (finding 1)', async () => {
		const sandbox = getSandbox();
		const a = take();
		const result = await runAgainst(sandbox, person('lookup', { lookupBy: 'distinct_ids', ids: '={{ $json.ids }}' }), {
			input: [{ ids: `${a.distinctIds[0]}, other` }],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.requests[0].body).toEqual({ distinct_ids: [`${a.distinctIds[0]}, other`] });
		expect(jsonOf(result.items)).toEqual([{ requested_id: `${a.distinctIds[0]}, other`, found: false }]);
	});

	it('rejects an empty ID list before sending anything', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, person('lookup', { lookupBy: 'distinct_ids', ids: '={{ $json.ids }}' }), {
			input: [{ ids: [] }],
		});
		expectInputError(sandbox, result, /No IDs to look up/, 0);
	});

	it('with Continue On Fail gives the bad item an error item and looks up the others', async () => {
		const sandbox = getSandbox();
		const [a, b] = [take(), take()];
		const result = await runAgainst(sandbox, person('lookup', { lookupBy: 'uuids', ids: '={{ $json.ids }}' }), {
			input: [{ ids: a.uuid }, { ids: 'not-a-uuid' }, { ids: b.uuid }],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].body).toEqual({ uuids: [a.uuid, b.uuid] });
		expect(pairedIndexes(result.items)).toEqual([0, 1, 2]);
		const [first, failed, last] = jsonOf(result.items);
		expect(first.uuid).toBe(a.uuid);
		expect(failed.error).toMatch(/not a UUID: "not-a-uuid"/);
		expect(last.uuid).toBe(b.uuid);
	});

	it('writes one CSV file per input item', async () => {
		const sandbox = getSandbox();
		const [a, b] = [take(), take()];
		const result = await runAgainst(
			sandbox,
			person('lookup', {
				lookupBy: 'distinct_ids',
				ids: `${a.distinctIds[0]}, ${b.distinctIds[0]}, ghost`,
				output: 'csv',
				fileName: 'lookup',
			}),
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.json).toMatchObject({ fileName: 'lookup.csv', rows: 3 });
		const { header, rows } = parseCsv(binaryText(item));
		expect(header).toEqual(expect.arrayContaining(['requested_id', 'found', 'uuid', 'distinct_ids.0']));
		expect(rows.map((row) => [row.requested_id, row.found, row.uuid])).toEqual([
			[a.distinctIds[0], 'true', a.uuid],
			[b.distinctIds[0], 'true', b.uuid],
			['ghost', 'false', ''],
		]);
		expectNoSecret(result.items, sandbox.keys.all);
	});
});
