import { expectNoSecret, runAgainst, useSandbox } from '../helpers/sandbox';
import { apiPath, byDistinctId, byId, expectBearer, expectInputError, jsonOf, pairedIndexes, person, personPicker } from './util';

const getSandbox = useSandbox({ persons: 300 });
const take = personPicker(getSandbox);

const withIds = (count: number) => (p: { distinctIds: string[] }) => p.distinctIds.length >= count;

describe('Person → Split', () => {
	it('splits every distinct ID but the first off into persons of their own', async () => {
		const sandbox = getSandbox();
		const target = take(withIds(3));
		const [first, ...others] = [...target.distinctIds];
		const result = await runAgainst(sandbox, person('split', { person: byId(target.uuid) }));
		expect(result.error).toBeUndefined();

		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('POST');
		expect(call.path).toBe(apiPath(sandbox, `persons/${target.uuid}/split/`));
		expect(call.query).toEqual({});
		// no distinct IDs named: nothing (or an empty object) is sent, so PostHog keeps the first ID
		expect(call.body ?? {}).toEqual({});
		expect(call.status).toBe(201);
		expectBearer(sandbox);

		expect(jsonOf(result.items)).toEqual([
			{ id: target.uuid, split: true, statusCode: 201, note: expect.stringMatching(/asynchronously/) },
		]);
		const store = sandbox.store;
		expect(store.getPerson(target.uuid)?.distinctIds).toEqual([first]);
		for (const distinctId of others) {
			const owner = store.findByDistinctId(distinctId);
			expect(owner).toBeDefined();
			expect(owner?.uuid).not.toBe(target.uuid);
			expect(owner?.distinctIds).toEqual([distinctId]);
		}
	});

	it('keeps the named distinct ID with Keep One Distinct ID', async () => {
		const sandbox = getSandbox();
		const target = take(withIds(3));
		const keep = target.distinctIds[1];
		const others = target.distinctIds.filter((id) => id !== keep);
		const result = await runAgainst(
			sandbox,
			person('split', { person: byDistinctId(keep), splitMode: 'keepOne', mainDistinctId: keep }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.method, entry.path])).toEqual([
			['POST', apiPath(sandbox, 'persons/batch_by_distinct_ids/')],
			['POST', apiPath(sandbox, `persons/${target.uuid}/split/`)],
		]);
		expect(sandbox.requests[1].body).toEqual({ main_distinct_id: keep });
		expect(jsonOf(result.items)[0]).toMatchObject({ id: target.uuid, split: true, mainDistinctId: keep });
		expect(sandbox.store.getPerson(target.uuid)?.distinctIds).toEqual([keep]);
		for (const distinctId of others) expect(sandbox.store.findByDistinctId(distinctId)?.uuid).not.toBe(target.uuid);
	});

	it('moves only the listed distinct IDs with Move Selected Distinct IDs', async () => {
		const sandbox = getSandbox();
		const target = take(withIds(3));
		const [stay1, move, ...rest] = [...target.distinctIds];
		const result = await runAgainst(
			sandbox,
			person('split', { person: byId(target.id), splitMode: 'selected', distinctIdsToSplit: `${move}\n${move}` }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].path).toBe(apiPath(sandbox, `persons/${target.id}/split/`));
		expect(sandbox.requests[0].body).toEqual({ distinct_ids_to_split: [move] });
		expect(jsonOf(result.items)[0]).toMatchObject({ id: String(target.id), split: true, distinctIdsToSplit: [move] });
		expect(sandbox.store.getPerson(target.uuid)?.distinctIds).toEqual([stay1, ...rest]);
		expect(sandbox.store.findByDistinctId(move)?.uuid).not.toBe(target.uuid);
		expect(sandbox.store.activity.at(-1)).toMatchObject({ activity: 'split_person', item_id: String(target.id) });
	});

	it('rejects a missing distinct ID to keep or to move before sending anything', async () => {
		const sandbox = getSandbox();
		const target = take(withIds(2));
		const before = [...target.distinctIds];
		const noMain = await runAgainst(sandbox, person('split', { person: byId(target.uuid), splitMode: 'keepOne', mainDistinctId: '={{ "" }}' }));
		expectInputError(sandbox, noMain, /No distinct ID to keep given/, 0);

		const noList = await runAgainst(
			sandbox,
			person('split', { person: byId(target.uuid), splitMode: 'selected', distinctIdsToSplit: '={{ [] }}' }),
		);
		expectInputError(sandbox, noList, /No distinct IDs to move off the person: the list of IDs is empty/, 0);
		expect(sandbox.store.getPerson(target.uuid)?.distinctIds).toEqual(before);
	});

	it("surfaces PostHog's 400 for a distinct ID that is not on the person, without repeating the split", async () => {
		const sandbox = getSandbox();
		const target = take(withIds(2));
		const before = [...target.distinctIds];
		const result = await runAgainst(
			sandbox,
			person('split', { person: byId(target.uuid), splitMode: 'selected', distinctIdsToSplit: 'someone-else' }),
		);
		expect(result.error?.message).toMatch(/PostHog 400/);
		expect(result.error?.message).toMatch(/not on this person/);
		expect(result.error?.message).toMatch(/distinct_ids_to_split/);
		expect(sandbox.requests.map((entry) => entry.status)).toEqual([400]);
		expect(sandbox.store.getPerson(target.uuid)?.distinctIds).toEqual(before);
	});

	it('with Continue On Fail yields an error item for the failed item and splits the others; a read-only key names the scope', async () => {
		const sandbox = getSandbox();
		const [first, last] = [take(withIds(2)), take(withIds(2))];
		const result = await runAgainst(sandbox, person('split', { person: byId('={{ $json.id }}') }), {
			input: [{ id: first.uuid }, { id: '' }, { id: last.uuid }],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(pairedIndexes(result.items)).toEqual([0, 1, 2]);
		const out = jsonOf(result.items);
		expect(out[0]).toMatchObject({ id: first.uuid, split: true });
		expect(out[1].error).toMatch(/No person ID given/);
		expect(out[2]).toMatchObject({ id: last.uuid, split: true });
		expect(sandbox.store.getPerson(first.uuid)?.distinctIds).toHaveLength(1);
		expect(sandbox.store.getPerson(last.uuid)?.distinctIds).toHaveLength(1);

		sandbox.clearRequests();
		const readOnlyTarget = take(withIds(2));
		const denied = await runAgainst(sandbox, person('split', { person: byId(readOnlyTarget.uuid) }), { key: 'readOnly' });
		expect(denied.error?.message).toMatch(/person:write/);
		expect(sandbox.store.getPerson(readOnlyTarget.uuid)?.distinctIds.length).toBeGreaterThanOrEqual(2);
		expectNoSecret({ message: denied.error?.message, description: denied.error?.description }, sandbox.keys.readOnly);
	});
});
