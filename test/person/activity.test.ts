import { binaryText } from '../harness/engine';
import { expectNoSecret, runAgainst, useSandbox } from '../helpers/sandbox';
import { SANDBOX_USER } from '../../sandbox/auth';
import { apiPath, byDistinctId, byId, expectBearer, jsonOf, pairedIndexes, parseCsv, person, personPicker } from './util';

const getSandbox = useSandbox({ persons: 300 });
const take = personPicker(getSandbox);

/** Activity entries of the sandbox (optionally of one person), newest first, as the API orders them. */
function expectedIds(itemId?: string): string[] {
	return getSandbox()
		.store.activity.map((entry, index) => ({ entry, index }))
		.filter(({ entry }) => itemId === undefined || entry.item_id === itemId)
		.sort((a, b) => b.entry.created_at - a.entry.created_at || b.index - a.index)
		.map(({ entry }) => entry.id);
}

beforeAll(() => {
	// activity for 230 persons, so "all persons" spans three pages of 100
	const store = getSandbox().store;
	// 2300 entries: three pages of up to 1000
	for (let round = 0; round < 10; round++) {
		for (const p of store.persons.slice(0, 230)) {
			store.logActivity(SANDBOX_USER, 'updated', p, {
				changes: [{ type: 'Person', action: 'changed', field: 'properties', before: null, after: null }],
			});
		}
	}
});

describe('Person → Get Activity', () => {
	it('follows the page links of persons/activity/ for Return All and outputs every entry, newest first', async () => {
		const sandbox = getSandbox();
		const expected = expectedIds();
		expect(expected.length).toBeGreaterThan(2000);
		const result = await runAgainst(sandbox, person('getActivity', { activityOf: 'all', returnAll: true }));
		expect(result.error).toBeUndefined();

		const pages = Math.ceil(expected.length / 1000);
		expect(sandbox.requests).toHaveLength(pages);
		expect(sandbox.requests.map((entry) => [entry.method, entry.path, entry.query])).toEqual(
			Array.from({ length: pages }, (_, index) => [
				'GET',
				apiPath(sandbox, 'persons/activity/'),
				{ page: String(index + 1), limit: '1000' },
			]),
		);
		expectBearer(sandbox);
		expect(jsonOf(result.items).map((json) => json.id)).toEqual(expected);
		expectNoSecret(result.items, sandbox.keys.all);
	});

	it("lists one person's activity, including what the node itself changed", async () => {
		const sandbox = getSandbox();
		const target = take();
		const update = await runAgainst(
			sandbox,
			person('update', { person: byId(target.uuid), propertiesJson: '{"activity_test": 1}' }),
		);
		expect(update.error).toBeUndefined();
		sandbox.clearRequests();

		const expected = expectedIds(String(target.id));
		const result = await runAgainst(
			sandbox,
			person('getActivity', { person: byDistinctId(target.distinctIds[0]), returnAll: true }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.path, entry.query])).toEqual([
			[apiPath(sandbox, 'persons/batch_by_distinct_ids/'), {}],
			[apiPath(sandbox, `persons/${target.uuid}/activity/`), { page: '1', limit: '1000' }],
		]);
		const out = jsonOf(result.items);
		expect(out.map((json) => json.id)).toEqual(expected);
		expect(out.every((json) => json.item_id === String(target.id))).toBe(true);
		expect(out[0]).toMatchObject({ activity: 'updated', scope: 'Person', user: { email: SANDBOX_USER.email } });
	});

	it('stops at Limit and writes CSV per input item', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, person('getActivity', { activityOf: 'all', limit: 7, output: 'csv' }), {
			input: [{}, {}],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => entry.query)).toEqual([
			{ page: '1', limit: '7' },
			{ page: '1', limit: '7' },
		]);
		expect(pairedIndexes(result.items)).toEqual([0, 1]);
		const { header, rows } = parseCsv(binaryText(result.items[0]));
		expect(header).toEqual(expect.arrayContaining(['id', 'activity', 'item_id', 'user.email', 'created_at']));
		expect(rows.map((row) => row.id)).toEqual(expectedIds().slice(0, 7));
	});

	it('names the missing activity_log:read scope', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, person('getActivity', { activityOf: 'all' }), { key: 'personOnly' });
		expect(result.error?.message).toMatch(/activity_log:read/);
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, sandbox.keys.personOnly);
	});

	it('with Continue On Fail yields an error item for a person that does not exist', async () => {
		const sandbox = getSandbox();
		const target = take();
		const missing = sandbox.store.nextPersonId + 5000;
		const result = await runAgainst(sandbox, person('getActivity', { person: byId('={{ $json.id }}'), limit: 3 }), {
			input: [{ id: String(missing) }, { id: target.uuid }],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		const out = jsonOf(result.items);
		expect(out[0]).toMatchObject({ httpCode: '404' });
		expect(pairedIndexes(result.items)[0]).toBe(0);
		expect(out.slice(1).map((json) => json.id)).toEqual(expectedIds(String(target.id)).slice(0, 3));
		expect(pairedIndexes(result.items).slice(1).every((index) => index === 1)).toBe(true);
	});
});
