/**
 * Person → Verify Deletion: one receipt per ID saying whether the person still exists, whether the
 * distinct ID still resolves, and how far the deletion of its events is.
 */
import type { IDataObject } from 'n8n-workflow';

import { runAgainst, useSandbox } from '../helpers/sandbox';
import { apiPath, jsonOf, pairedIndexes, person, personPicker } from './util';

const getSandbox = useSandbox({ persons: 300 });
const take = personPicker(getSandbox);

beforeAll(() => {
	// event deletions stay pending until a test completes them
	getSandbox().store.settings.eventDeletionDelayMs = -1;
});

const verify = (parameters: IDataObject) => person('verifyDeletion', { requestOptions: { rateLimits: 'none' }, ...parameters });
const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);

describe('Person → Verify Deletion', () => {
	it('checks the receipts of a Bulk Delete: gone, events pending; later, events deleted', async () => {
		const sandbox = getSandbox();
		const [a, b] = [take(), take()];
		const deletion = await runAgainst(
			sandbox,
			person('bulkDelete', { ids: `${a.distinctIds[0]}\n${b.distinctIds[0]}\nnever-existed`, deleteEvents: true }),
		);
		expect(deletion.error).toBeUndefined();
		const receipts = jsonOf(deletion.items);
		sandbox.clearRequests();

		const parameters = verify({ verifyBy: 'distinct_ids', idsFrom: 'field', idField: 'id', personUuidField: 'personUuid' });
		const pending = await runAgainst(sandbox, parameters, { input: receipts });
		expect(pending.error).toBeUndefined();
		expect(pairedIndexes(pending.items)).toEqual([0, 1, 2]);
		expect(jsonOf(pending.items)).toEqual([
			{
				id: a.distinctIds[0],
				idType: 'distinct_id',
				outcome: 'deleted_events_pending',
				distinctIdResolves: false,
				personUuid: a.uuid,
				personExists: false,
				eventDeletion: 'pending',
				eventDeletionRequestedAt: iso,
				eventDeletionCompletedAt: null,
				checkedAt: iso,
			},
			expect.objectContaining({ id: b.distinctIds[0], outcome: 'deleted_events_pending', personUuid: b.uuid }),
			{
				id: 'never-existed',
				idType: 'distinct_id',
				outcome: 'deleted',
				distinctIdResolves: false,
				personUuid: null,
				personExists: false,
				eventDeletion: 'unknown',
				eventDeletionRequestedAt: null,
				eventDeletionCompletedAt: null,
				checkedAt: iso,
				reason: expect.stringMatching(/No person has this distinct ID/),
			},
		]);
		// one look-up per kind for all items; the event deletions of the two known persons, one by one
		expect(sandbox.requests.map((entry) => [entry.method, entry.path])).toEqual([
			['POST', apiPath(sandbox, 'persons/batch_by_distinct_ids/')],
			['POST', apiPath(sandbox, 'persons/batch_by_uuids/')],
			['GET', apiPath(sandbox, 'persons/deletion_status/')],
			['GET', apiPath(sandbox, 'persons/deletion_status/')],
		]);
		expect(sandbox.requests[2].query).toEqual({ status: 'all', person_uuid: a.uuid, limit: '1' });

		sandbox.store.processAsyncDeletions();
		const done = await runAgainst(sandbox, parameters, { input: receipts.slice(0, 1) });
		expect(jsonOf(done.items)[0]).toMatchObject({ outcome: 'deleted', eventDeletion: 'completed', eventDeletionCompletedAt: iso });
	});

	it('by person UUID, in any letter case: a person that still exists is "exists" with its distinct IDs', async () => {
		const sandbox = getSandbox();
		const [alive, gone] = [take(), take()];
		sandbox.store.deletePerson(gone.uuid);
		const result = await runAgainst(sandbox, verify({ verifyBy: 'uuids', ids: `${alive.uuid.toUpperCase()}\n${gone.uuid}` }));
		expect(result.error).toBeUndefined();
		const [first, second] = jsonOf(result.items);
		expect(first).toMatchObject({
			id: alive.uuid.toUpperCase(),
			idType: 'person_uuid',
			outcome: 'exists',
			personUuid: alive.uuid,
			personExists: true,
			distinctIds: expect.arrayContaining([alive.distinctIds[0]]),
			eventDeletion: 'none',
		});
		expect(second).toMatchObject({ id: gone.uuid, outcome: 'deleted', personExists: false, eventDeletion: 'none' });
		expect(sandbox.requests[0].body).toEqual({ uuids: [alive.uuid, gone.uuid] });
	});

	it('a distinct ID used again after the deletion shows the new owner', async () => {
		const sandbox = getSandbox();
		const old = take();
		const distinctId = old.distinctIds[0];
		sandbox.store.deletePerson(old.uuid);
		const newcomer = sandbox.store.createPerson({ distinctIds: [distinctId] });
		const result = await runAgainst(sandbox, verify({ idsFrom: 'field', idField: 'id' }), { input: [{ id: distinctId, personUuid: old.uuid }] });
		expect(jsonOf(result.items)[0]).toMatchObject({
			outcome: 'exists',
			distinctIdResolves: true,
			distinctIdPersonUuid: newcomer.uuid,
			personUuid: old.uuid,
			personExists: false,
			reason: expect.stringMatching(/now belongs to another person/),
		});
	});

	it('many persons: reads all event deletions in pages of 1000 instead of once per person when that is cheaper', async () => {
		const sandbox = getSandbox();
		const targets = [take(), take(), take(), take(), take(), take()];
		for (const p of targets) sandbox.store.queueEventDeletion(p.uuid, 'test');
		const result = await runAgainst(sandbox, verify({ verifyBy: 'uuids', ids: '={{ $json.uuids }}' }), { input: [{ uuids: targets.map((p) => p.uuid) }] });
		expect(result.error).toBeUndefined();
		const statusCalls = sandbox.requests.filter((entry) => entry.path.endsWith('deletion_status/'));
		expect(statusCalls.map((entry) => entry.query)).toEqual([{ status: 'all', limit: '1000' }]);
		expect(jsonOf(result.items).map((json) => [json.outcome, json.eventDeletion])).toEqual(Array(6).fill(['exists', 'pending']));
	});

	it('a check that fails is "unknown" and leaves on the error output; the rest on the main output', async () => {
		const sandbox = getSandbox();
		const [a, b] = [take(), take()];
		sandbox.setFaults({ rate5xx: 1, statuses5xx: [500], paths: 'deletion_status' });
		const result = await runAgainst(sandbox, verify({ verifyBy: 'uuids', ids: `${a.uuid}\n${b.uuid}`, requestOptions: { rateLimits: 'none', maxRetries: 0 } }), {
			onError: 'continueErrorOutput',
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(0);
		expect(result.errorItems.map((item) => (item.json.details as IDataObject).outcome)).toEqual(['unknown', 'unknown']);
		expect(result.errorItems[0].json.error).toMatch(/^Verification incomplete for ".+": Reading the event deletion status failed: PostHog 500/);

		const thrown = await runAgainst(sandbox, verify({ verifyBy: 'uuids', ids: a.uuid, requestOptions: { rateLimits: 'none', maxRetries: 0 } }));
		expect(thrown.error?.message).toMatch(/^Verify deletion: 1 of 1 IDs failed/);
	});

	it('refuses a non-UUID in Person UUID Field before sending anything', async () => {
		const sandbox = getSandbox();
		const result = await runAgainst(sandbox, verify({ idsFrom: 'field', idField: 'id' }), { input: [{ id: 'user-1', personUuid: 'nope' }] });
		expect(result.error?.message).toMatch(/The field "personUuid" does not hold a person UUID/);
		expect(sandbox.requests).toEqual([]);
	});
});
