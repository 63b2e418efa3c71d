import { binaryText } from '../harness/engine';
import { expectNoSecret, runAgainst, useSandbox } from '../helpers/sandbox';
import {
	apiPath,
	byDistinctId,
	byId,
	expectBearer,
	expectInputError,
	jsonOf,
	pairedIndexes,
	parseCsv,
	person,
	personPicker,
} from './util';

const getSandbox = useSandbox({ persons: 300 });
const take = personPicker(getSandbox);

beforeAll(() => {
	// event deletions stay pending until a test completes them
	getSandbox().store.settings.eventDeletionDelayMs = -1;
});

/** Every query value the sandbox received, as `key=value` strings. */
function queryPairs(query: Record<string, string | string[]>): string[] {
	return Object.entries(query).flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((entry) => `${key}=${entry}`));
}

describe('Person → Delete', () => {
	const receipt = (target: { uuid: string; distinctIds: string[] }, extra: Record<string, unknown> = {}) => ({
		idType: 'person_uuid',
		outcome: 'deleted',
		personUuid: target.uuid,
		distinctIds: expect.arrayContaining(target.distinctIds.slice(0, 1)),
		deleteEvents: false,
		deleteRecordings: false,
		keepPerson: false,
		...extra,
	});

	it('looks the person up, DELETEs it without any flag in the query string when all are off, and outputs a receipt', async () => {
		const sandbox = getSandbox();
		const target = take();
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId(target.uuid) }));
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.method, entry.path])).toEqual([
			['POST', apiPath(sandbox, 'persons/batch_by_uuids/')],
			['DELETE', apiPath(sandbox, `persons/${target.uuid}/`)],
		]);
		const call = sandbox.requests[1];
		expect(call.query).toEqual({});
		expect(call.status).toBe(202);
		expectBearer(sandbox);

		expect(jsonOf(result.items)).toEqual([{ id: target.uuid, ...receipt(target) }]);
		expect(sandbox.store.getPerson(target.uuid)).toBeUndefined();
		expect(sandbox.store.deletionCounts.get(target.uuid)).toBe(1);
		expect(sandbox.store.asyncDeletions.some((row) => row.person_uuid === target.uuid)).toBe(false);
		expect(sandbox.store.recordingDeletions.some((row) => row.person_uuid === target.uuid)).toBe(false);
	});

	it('sends only the flags that are on, as =true (PostHog treats a present flag as true)', async () => {
		const sandbox = getSandbox();
		const target = take();
		const result = await runAgainst(
			sandbox,
			person('deletePerson', { person: byDistinctId(target.distinctIds[0]), deleteEvents: true, deleteRecordings: false }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests[0].path).toBe(apiPath(sandbox, 'persons/batch_by_distinct_ids/'));
		expect(sandbox.requests[0].body).toEqual({ distinct_ids: [target.distinctIds[0]] });
		const deletes = sandbox.requests.filter((entry) => entry.method === 'DELETE');
		expect(deletes).toHaveLength(1);
		expect(deletes[0].path).toBe(apiPath(sandbox, `persons/${target.uuid}/`));
		expect(queryPairs(deletes[0].query)).toEqual(['delete_events=true']);

		expect(jsonOf(result.items)[0]).toEqual({
			id: target.distinctIds[0],
			...receipt(target, { idType: 'distinct_id', deleteEvents: true }),
		});
		expect(sandbox.store.getPerson(target.uuid)).toBeUndefined();
		expect(sandbox.store.asyncDeletions.filter((row) => row.person_uuid === target.uuid)).toHaveLength(1);
		expect(sandbox.store.recordingDeletions.some((row) => row.person_uuid === target.uuid)).toBe(false);
	});

	it('with Keep Person deletes only recordings and keeps the person ("kept")', async () => {
		const sandbox = getSandbox();
		const target = take();
		const result = await runAgainst(
			sandbox,
			person('deletePerson', { person: byId(target.id), deleteRecordings: true, keepPerson: true }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.method, entry.path])).toEqual([
			['GET', apiPath(sandbox, `persons/${target.id}/`)],
			['DELETE', apiPath(sandbox, `persons/${target.uuid}/`)],
		]);
		expect(queryPairs(sandbox.requests[1].query).sort()).toEqual(['delete_recordings=true', 'keep_person=true']);
		expect(jsonOf(result.items)[0]).toMatchObject({ id: String(target.id), idType: 'person_id', outcome: 'kept', keepPerson: true, deleteRecordings: true });
		expect(sandbox.store.getPerson(target.uuid)).toBeDefined();
		expect(sandbox.store.recordingDeletions.filter((row) => row.person_uuid === target.uuid)).toHaveLength(1);
		expect(sandbox.store.asyncDeletions.some((row) => row.person_uuid === target.uuid)).toBe(false);
	});

	it('rejects Keep Person without anything to delete before sending anything', async () => {
		const sandbox = getSandbox();
		const target = take();
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId(target.uuid), keepPerson: true }));
		expectInputError(sandbox, result, /Keep Person/, 0);
		expect(sandbox.store.getPerson(target.uuid)).toBeDefined();
	});

	it('finding 5: checks every item before sending anything (no DELETE for item 1 when item 2 is bad)', async () => {
		const sandbox = getSandbox();
		const first = take();
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId('={{ $json.id }}') }), {
			input: [{ id: String(first.id) }, { id: 'not-an-id' }],
		});
		expectInputError(sandbox, result, /"not-an-id" is not a person ID/, 1);
		expect(sandbox.store.getPerson(first.uuid)).toBeDefined();
	});

	it('an unknown person is "not_found" (not an error), and nothing is deleted for it', async () => {
		const sandbox = getSandbox();
		const missing = sandbox.store.nextPersonId + 5000;
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId(missing) }));
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items)).toEqual([{ id: String(missing), idType: 'person_id', outcome: 'not_found', reason: expect.any(String) }]);
		expect(sandbox.requests.map((entry) => [entry.method, entry.status])).toEqual([['GET', 404]]);
	});

	it("reports PostHog's 503 person_deletion_failed as failed, does not repeat the delete, and names it in the error", async () => {
		const sandbox = getSandbox();
		const target = take();
		sandbox.setFaults({ deletionErrorRate: 1 });
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId(target.uuid) }));
		expect(result.error?.message).toMatch(/^Delete: 1 of 1 IDs failed \(0 deleted, 0 not found\): PostHog could not delete the person \(503 person_deletion_failed: Person deletion failed at step/);
		expect(result.error?.description).toContain(`Failed (1): "${target.uuid}"`);
		expect(sandbox.requests.map((entry) => [entry.method, entry.status])).toEqual([
			['POST', 200],
			['DELETE', 503],
		]);
		expect(sandbox.store.getPerson(target.uuid)).toBeDefined();
	});

	it('a DELETE whose answer is lost after PostHog processed it is not repeated; the person is looked up again', async () => {
		const sandbox = getSandbox();
		const target = take();
		sandbox.setFaults({ resetAfterProcessingRate: 1, paths: `persons/${target.uuid}/$` });
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId(target.uuid) }));
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.filter((entry) => entry.method === 'DELETE')).toHaveLength(1);
		expect(jsonOf(result.items)[0]).toMatchObject({ outcome: 'deleted', reason: expect.stringMatching(/no longer exists/) });
		expect(sandbox.store.deletionCounts.get(target.uuid)).toBe(1);
	});

	it('Dry Run shows the person and deletes nothing', async () => {
		const sandbox = getSandbox();
		const target = take((p) => typeof p.properties.email === 'string');
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId(target.uuid), options: { dryRun: true } }));
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items)[0]).toMatchObject({ outcome: 'would_delete', personUuid: target.uuid, email: target.properties.email });
		expect(sandbox.requests.map((entry) => entry.method)).toEqual(['POST']);
		expect(sandbox.store.getPerson(target.uuid)).toBeDefined();
	});

	it('names the missing scope for a read-only key and keeps the person', async () => {
		const sandbox = getSandbox();
		const target = take();
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId(target.uuid) }), { key: 'readOnly' });
		expect(result.error?.message).toMatch(/person:write/);
		expect(result.error?.description).toMatch(/Add the scope "person:write"/);
		expect(sandbox.store.getPerson(target.uuid)).toBeDefined();
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, sandbox.keys.readOnly);
	});

	it('with Continue On Fail gives the bad item an "invalid" item and deletes the others', async () => {
		const sandbox = getSandbox();
		const [first, last] = [take(), take()];
		const result = await runAgainst(sandbox, person('deletePerson', { person: byId('={{ $json.id }}') }), {
			input: [{ id: first.uuid }, { id: 'not-an-id' }, { id: last.uuid }],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(pairedIndexes(result.items)).toEqual([0, 1, 2]);
		const out = jsonOf(result.items);
		expect(out[0]).toMatchObject({ id: first.uuid, outcome: 'deleted' });
		expect(out[1]).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/"not-an-id" is not a person ID/) });
		expect(out[2]).toMatchObject({ id: last.uuid, outcome: 'deleted' });
		expect(sandbox.requests.filter((entry) => entry.method === 'DELETE').map((entry) => entry.path)).toEqual([
			apiPath(sandbox, `persons/${first.uuid}/`),
			apiPath(sandbox, `persons/${last.uuid}/`),
		]);
		expect(sandbox.store.getPerson(first.uuid)).toBeUndefined();
		expect(sandbox.store.getPerson(last.uuid)).toBeUndefined();
		expectNoSecret(result.items, sandbox.keys.all);
	});
});

describe('Person → Reset Distinct ID', () => {
	it('POSTs {distinct_id} and PostHog frees the distinct ID of a deleted person', async () => {
		const sandbox = getSandbox();
		const target = take();
		const distinctId = target.distinctIds[0];
		sandbox.store.deletePerson(target.uuid);
		expect(sandbox.store.deletedDistinctIds.has(distinctId)).toBe(true);

		const result = await runAgainst(sandbox, person('resetDistinctId', { distinctId }));
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('POST');
		expect(call.path).toBe(apiPath(sandbox, 'persons/reset_person_distinct_id/'));
		expect(call.query).toEqual({});
		expect(call.body).toEqual({ distinct_id: distinctId });
		expect(call.status).toBe(202);
		expectBearer(sandbox);
		expect(jsonOf(result.items)).toEqual([
			{ distinctId, reset: true, statusCode: 202, note: expect.stringMatching(/new person/) },
		]);
		expect(sandbox.store.deletedDistinctIds.has(distinctId)).toBe(false);
		expect(sandbox.store.distinctIdResets.at(-1)).toMatchObject({ distinctId, wasDeleted: true });
	});

	it('rejects an empty distinct ID before sending anything', async () => {
		const sandbox = getSandbox();
		const single = await runAgainst(sandbox, person('resetDistinctId', { distinctId: '={{ "" }}' }));
		expectInputError(sandbox, single, /No distinct ID given/, 0);

		// finding 5: every item is checked first, so item 0 is not sent either
		const result = await runAgainst(sandbox, person('resetDistinctId', { distinctId: '={{ $json.id }}' }), {
			input: [{ id: 'user-1' }, { id: '' }],
		});
		expectInputError(sandbox, result, /No distinct ID given/, 1);
	});

	it('sends the distinct ID exactly as given, spaces included', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, person('resetDistinctId', { distinctId: '={{ $json.id }}' }), { input: [{ id: ' user 1 ' }] });
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => entry.body)).toEqual([{ distinct_id: ' user 1 ' }]);
	});

	it('names the missing scope for a read-only key', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, person('resetDistinctId', { distinctId: 'user-000001' }), { key: 'readOnly' });
		expect(result.error?.message).toMatch(/person:write/);
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, sandbox.keys.readOnly);
	});
});

describe('Person → Get Deletion Status', () => {
	it('lists pending event deletions of one person with status and person_uuid in the query', async () => {
		const sandbox = getSandbox();
		const target = take();
		sandbox.store.queueEventDeletion(target.uuid, 'test');
		const result = await runAgainst(
			sandbox,
			person('getDeletionStatus', { deletionStatus: 'pending', personUuid: target.uuid.toUpperCase() }),
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		const [call] = sandbox.requests;
		expect(call.method).toBe('GET');
		expect(call.path).toBe(apiPath(sandbox, 'persons/deletion_status/'));
		expect(call.query).toEqual({ status: 'pending', person_uuid: target.uuid.toUpperCase(), limit: '50' });
		expectBearer(sandbox);
		expect(jsonOf(result.items)).toEqual([
			{ person_uuid: target.uuid, created_at: expect.any(String), status: 'pending', delete_verified_at: null },
		]);
	});

	it('follows next links for Return All and returns every row the sandbox holds', async () => {
		const sandbox = getSandbox();
		const store = sandbox.store;
		for (const p of store.persons.slice(0, 230)) store.queueEventDeletion(p.uuid, 'test');
		store.processAsyncDeletions();
		const expected = store.asyncDeletions.filter((row) => row.delete_verified_at !== null);
		expect(expected.length).toBeGreaterThan(200);

		const result = await runAgainst(sandbox, person('getDeletionStatus', { deletionStatus: 'completed', returnAll: true }));
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.length).toBe(Math.ceil(expected.length / 100));
		expect(sandbox.requests[0].query).toEqual({ status: 'completed', limit: '100' });
		expect(sandbox.requests[1].query).toMatchObject({ status: 'completed', limit: '100', offset: '100' });
		const out = jsonOf(result.items);
		expect(out).toHaveLength(expected.length);
		expect(out.every((row) => row.status === 'completed')).toBe(true);
		expect(new Set(out.map((row) => row.person_uuid))).toEqual(new Set(expected.map((row) => row.person_uuid)));
	});

	it('stops at Limit and can write a CSV file', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, person('getDeletionStatus', { limit: 5, output: 'csv' }));
		expect(result.error).toBeUndefined();
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].query).toEqual({ status: 'all', limit: '5' });
		const { header, rows } = parseCsv(binaryText(result.items[0]));
		expect(header).toEqual(['created_at', 'delete_verified_at', 'person_uuid', 'status']);
		expect(rows).toHaveLength(5);
		expect(result.items[0].json).toMatchObject({ rows: 5 });
	});

	it('rejects an invalid status and a malformed UUID before sending anything', async () => {
		const sandbox = getSandbox();
		const badStatus = await runAgainst(sandbox, person('getDeletionStatus', { deletionStatus: '={{ "done" }}' }));
		expectInputError(sandbox, badStatus, /"done" is not a deletion status/, 0);

		const badUuid = await runAgainst(sandbox, person('getDeletionStatus', { personUuid: '={{ $json.uuid }}' }), {
			input: [{ uuid: '' }, { uuid: 'user-000001' }],
		});
		expect(badUuid.error?.message).toMatch(/"user-000001" is not a person UUID/);
		expect(badUuid.error?.context?.itemIndex).toBe(1);
		// the first item (no UUID: all persons) was fine and went out; the second sent nothing
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].query).not.toHaveProperty('person_uuid');
	});
});
