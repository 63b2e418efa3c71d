/**
 * Bulk Delete: exact IDs, a receipt for every requested ID, and nothing done left unrecorded
 * (issue "Deletions you can prove", findings 1–4 and 7), in n8n-core's engine against the sandbox.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import { expectNoSecret, runAgainst, useSandbox } from '../helpers/sandbox';
import { apiPath, jsonOf, pairedIndexes } from '../person/util';

const getSandbox = useSandbox({ persons: 400, eventsPerPerson: 0 });

const bulk = (parameters: IDataObject = {}): IDataObject => ({
	resource: 'person',
	operation: 'bulkDelete',
	deleteBy: 'distinct_ids',
	...parameters,
	requestOptions: { rateLimits: 'none', retryDelayMs: 1, ...((parameters.requestOptions as IDataObject) ?? {}) },
});

const lookups = (sandbox: Sandbox) => sandbox.requests.filter((entry) => entry.path.includes('batch_by_'));
const deletes = (sandbox: Sandbox) => sandbox.requests.filter((entry) => entry.path.includes('bulk_delete'));

/** Seeded persons no earlier test of this file used (tests delete them). */
const used = new Set<string>();
function seeded(sandbox: Sandbox, count: number) {
	const picked = [...sandbox.store.personsByUuid.values()].filter((p) => p.id <= 400 && !used.has(p.uuid)).slice(0, count);
	if (picked.length < count) throw new Error('not enough seeded persons left');
	for (const p of picked) used.add(p.uuid);
	return picked;
}

function create(sandbox: Sandbox, ...distinctIds: string[]) {
	return sandbox.store.createPerson({ distinctIds, properties: { email: `${distinctIds[0].trim() || 'x'}@example.com`, name: 'Test Person' } });
}

describe('finding 1: IDs are used exactly as given', () => {
	it('never splits a field value or a list element and never trims', async () => {
		const sandbox = getSandbox();
		const doeJane = create(sandbox, 'Doe, Jane');
		const [doe, jane] = [create(sandbox, 'Doe'), create(sandbox, 'Jane')];
		const acme42 = create(sandbox, 'acme,42');
		const [acme, n42] = [create(sandbox, 'acme'), create(sandbox, '42')];
		const [u1170, u1171] = [create(sandbox, 'user_1170'), create(sandbox, 'user_1171')];
		const padded = create(sandbox, ' padded ');
		const trimmed = create(sandbox, 'padded');

		const result = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'Distinct ID' }), {
			input: [{ 'Distinct ID': 'Doe, Jane' }, { 'Distinct ID': ['acme,42'] }, { 'Distinct ID': 'user_1170, user_1171' }, { 'Distinct ID': ' padded ' }],
		});
		expect(result.error).toBeUndefined();
		expect(lookups(sandbox).map((entry) => entry.body)).toEqual([{ distinct_ids: ['Doe, Jane', 'acme,42', 'user_1170, user_1171', ' padded '] }]);
		expect(deletes(sandbox).map((entry) => entry.body)).toEqual([
			{ ids: [doeJane.uuid, acme42.uuid, padded.uuid], delete_events: false, delete_recordings: false, keep_person: false },
		]);
		for (const gone of [doeJane, acme42, padded]) expect(sandbox.store.getPerson(gone.uuid)).toBeUndefined();
		for (const kept of [doe, jane, acme, n42, u1170, u1171, trimmed]) expect(sandbox.store.getPerson(kept.uuid)).toBeDefined();

		expect(pairedIndexes(result.items)).toEqual([0, 1, 2, 3]);
		expect(jsonOf(result.items).map((json) => [json.id, json.outcome, json.personUuid])).toEqual([
			['Doe, Jane', 'deleted', doeJane.uuid],
			['acme,42', 'deleted', acme42.uuid],
			['user_1170, user_1171', 'not_found', undefined],
			[' padded ', 'deleted', padded.uuid],
		]);
	});

	it('an expression gives one ID (or a list); only typed text is a list of lines and commas', async () => {
		const sandbox = getSandbox();
		const doeJane = create(sandbox, 'Smith, Ann');
		const [a, b, c] = [create(sandbox, 'typed-a'), create(sandbox, 'typed-b'), create(sandbox, 'typed-c')];
		const fromExpression = await runAgainst(sandbox, bulk({ ids: '={{ $json.name }}', options: { dryRun: true } }), {
			input: [{ name: 'Smith, Ann' }, { name: ['typed-a', 'typed-b'] }],
		});
		expect(jsonOf(fromExpression.items).map((json) => [json.id, json.outcome])).toEqual([
			['Smith, Ann', 'would_delete'],
			['typed-a', 'would_delete'],
			['typed-b', 'would_delete'],
		]);
		expect(pairedIndexes(fromExpression.items)).toEqual([0, 1, 1]);
		sandbox.clearRequests();
		const typed = await runAgainst(sandbox, bulk({ ids: ' typed-a , typed-b\ntyped-c\n\n' }));
		expect(typed.error).toBeUndefined();
		expect(lookups(sandbox)[0].body).toEqual({ distinct_ids: ['typed-a', 'typed-b', 'typed-c'] });
		for (const gone of [a, b, c]) expect(sandbox.store.getPerson(gone.uuid)).toBeUndefined();
		expect(sandbox.store.getPerson(doeJane.uuid)).toBeDefined();
	});

	it.each([
		['an object', { id: 'u1' }, /Invalid ID: the value is an object/],
		['a boolean', true, /Invalid ID: the value is the boolean true/],
		['a number that is not a whole number', 1e21, /Invalid ID: the value is the number 1e\+21/],
		['a nested list', ['ok', ['nested']], /Invalid ID: element 2 of the list is a list/],
		['empty text', '', /No IDs to delete: the value is empty text/],
		['an empty list element', ['ok', ''], /Invalid ID: element 2 of the list is empty text/],
		['nothing', undefined, /No IDs to delete: there is no value/],
	])('refuses %s before anything is sent', async (_what, value, message) => {
		const sandbox = getSandbox();
		const [ok] = seeded(sandbox, 1);
		const result = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'id' }), {
			input: [{ id: ok.distinctIds[0] }, value === undefined ? {} : { id: value }],
		});
		expect(result.error?.message).toMatch(message);
		expect(result.error?.context?.itemIndex).toBe(1);
		expect(sandbox.requests).toEqual([]);
		expect(sandbox.store.getPerson(ok.uuid)).toBeDefined();
	});

	it('accepts whole numbers as their digits and refuses non-UUIDs in UUID mode', async () => {
		const sandbox = getSandbox();
		const numeric = create(sandbox, '1234567');
		const result = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'id' }), { input: [{ id: 1234567 }] });
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items)).toEqual([expect.objectContaining({ id: '1234567', outcome: 'deleted', personUuid: numeric.uuid })]);
		sandbox.clearRequests();
		const uuidMode = await runAgainst(sandbox, bulk({ deleteBy: 'ids', ids: `${numeric.uuid}\nuser-1` }));
		expect(uuidMode.error?.message).toMatch(/not a UUID: "user-1"/);
		expect(sandbox.requests).toEqual([]);
	});

	it('with Continue On Fail, an invalid item gets an "invalid" item and the others are deleted', async () => {
		const sandbox = getSandbox();
		const [a, b] = seeded(sandbox, 2);
		const result = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'id' }), {
			input: [{ id: a.distinctIds[0] }, { id: { nested: true } }, { id: b.distinctIds[0] }],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items).map((json) => json.outcome)).toEqual(['deleted', 'invalid', 'deleted']);
		expect(jsonOf(result.items)[1].reason).toMatch(/is an object/);
		expect(jsonOf(result.items)[1]).not.toHaveProperty('error');
		expect(sandbox.store.getPerson(a.uuid)).toBeUndefined();
		expect(sandbox.store.getPerson(b.uuid)).toBeUndefined();
	});
});

describe('finding 2: failures are reported as failures, whatever the UUIDs look like', () => {
	it('upper-case UUIDs with 30% deletion errors: every failed person is "failed", every deleted one "deleted"', async () => {
		const sandbox = getSandbox();
		const targets = seeded(sandbox, 100);
		sandbox.setFaults({ deletionErrorRate: 0.3, paths: 'bulk_delete', seed: 5 });
		const result = await runAgainst(sandbox, bulk({ deleteBy: 'ids', idsFrom: 'field', idField: 'uuid' }), {
			input: targets.map((p) => ({ uuid: p.uuid.toUpperCase() })),
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		const out = jsonOf(result.items);
		expect(out).toHaveLength(100);
		const stillThere = targets.filter((p) => sandbox.store.getPerson(p.uuid));
		expect(stillThere.length).toBeGreaterThan(15);
		targets.forEach((p, index) => {
			expect(out[index].id).toBe(p.uuid.toUpperCase());
			expect(out[index].personUuid).toBe(p.uuid);
			expect(out[index].outcome).toBe(sandbox.store.getPerson(p.uuid) ? 'failed' : 'deleted');
		});
		expect(out.filter((json) => json.outcome === 'failed')[0].reason).toMatch(/could not delete the person \(failed step: delete_person_/);
	});

	it('a deletion error without person_uuid never lets a person that still exists pass as deleted', async () => {
		const sandbox = getSandbox();
		const targets = seeded(sandbox, 40);
		sandbox.setFaults({ deletionErrorRate: 0.25, deletionErrorsWithoutUuid: true, paths: 'bulk_delete', seed: 9 });
		const result = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'id', options: { batchSize: 20 } }), {
			input: targets.map((p) => ({ id: p.distinctIds[0] })),
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		const errorsInAnswers = deletes(sandbox).length;
		expect(errorsInAnswers).toBe(2);
		const out = jsonOf(result.items);
		const stillThere = new Set(targets.filter((p) => sandbox.store.getPerson(p.uuid)).map((p) => p.uuid));
		expect(stillThere.size).toBeGreaterThan(0);
		out.forEach((json, index) => {
			expect(json.outcome).toBe(stillThere.has(targets[index].uuid) ? 'failed' : 'deleted');
		});
		// the open persons were looked up again (by UUID) after the deletions
		expect(sandbox.requests.filter((entry) => entry.path.includes('batch_by_uuids')).length).toBeGreaterThan(0);
	});

	it('queued deletions (PostHog Cloud) are "queued"; an unattributed error there makes its call "uncertain"', async () => {
		const sandbox = await startSandbox({ port: 0, persons: 60, eventsPerPerson: 0, bulkDeleteMode: 'queued', quiet: true });
		try {
			const targets = [...sandbox.store.personsByUuid.values()].slice(0, 20);
			const clean = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'id', options: { batchSize: 10 } }), {
				input: targets.slice(0, 10).map((p) => ({ id: p.distinctIds[0] })),
			});
			expect(clean.error).toBeUndefined();
			expect(jsonOf(clean.items).map((json) => json.outcome)).toEqual(Array(10).fill('queued'));
			sandbox.setFaults({ deletionErrorRate: 0.5, deletionErrorsWithoutUuid: true, paths: 'bulk_delete', seed: 2 });
			const unclear = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'id' }), {
				input: targets.slice(10).map((p) => ({ id: p.distinctIds[0] })),
				onError: 'continueErrorOutput',
			});
			expect(unclear.items).toHaveLength(0);
			expect(unclear.errorItems).toHaveLength(10);
			for (const item of unclear.errorItems) {
				expect(item.json.error).toMatch(/^Deletion uncertain for/);
				expect((item.json.details as IDataObject).outcome).toBe('uncertain');
			}
		} finally {
			await sandbox.stop();
		}
	});
});

describe('finding 3: unknown IDs are "not_found"', () => {
	it('an ID nobody has and a person deleted a minute earlier are not_found; the others deleted', async () => {
		const sandbox = getSandbox();
		const [earlier, now] = seeded(sandbox, 2);
		sandbox.store.deletePerson(earlier.uuid);
		const result = await runAgainst(sandbox, bulk({ ids: `${earlier.distinctIds[0]}\nnobody-has-this-id\n${now.distinctIds[0]}` }));
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items).map((json) => [json.id, json.outcome])).toEqual([
			[earlier.distinctIds[0], 'not_found'],
			['nobody-has-this-id', 'not_found'],
			[now.distinctIds[0], 'deleted'],
		]);
		expect(deletes(sandbox).map((entry) => (entry.body as IDataObject).ids)).toEqual([[now.uuid]]);
		expect(sandbox.store.deletionCounts.get(earlier.uuid)).toBe(1);
	});
});

describe('finding 4: nothing done goes unrecorded', () => {
	async function partlyFailing(sandbox: Sandbox, extra: Record<string, unknown>) {
		const targets = seeded(sandbox, 60);
		sandbox.setFaults({ rate5xx: 0.4, statuses5xx: [500], paths: 'bulk_delete', seed: 4 });
		const result = await runAgainst(
			sandbox,
			bulk({ idsFrom: 'field', idField: 'id', options: { batchSize: 10 }, requestOptions: { maxRetries: 0 } }),
			{ input: targets.map((p) => ({ id: p.distinctIds[0], ref: `REQ-${p.id}` })), ...extra },
		);
		const failedCalls = deletes(sandbox).filter((entry) => entry.status === 500);
		expect(failedCalls.length).toBeGreaterThan(0);
		expect(failedCalls.length).toBeLessThan(6);
		const deleted = targets.filter((p) => !sandbox.store.getPerson(p.uuid));
		const kept = targets.filter((p) => sandbox.store.getPerson(p.uuid));
		expect(kept).toHaveLength(failedCalls.length * 10);
		return { result, targets, deleted, kept };
	}

	it('without Continue On Fail the error counts and names what was deleted, not found and failed', async () => {
		const sandbox = getSandbox();
		const { result, deleted, kept } = await partlyFailing(sandbox, {});
		expect(result.error?.message).toMatch(new RegExp(`^Bulk delete: ${kept.length} of 60 IDs failed \\(${deleted.length} deleted, 0 not found\\): PostHog 500`));
		const description = String(result.error?.description);
		expect(description).toContain(`Failed (${kept.length}): `);
		expect(description).toContain(`Deleted (${deleted.length}): `);
		for (const p of deleted) expect(description).toContain(JSON.stringify(p.distinctIds[0]));
		for (const p of kept) expect(description).toContain(JSON.stringify(p.distinctIds[0]));
		expect(description).toContain('Not found (0)');
	});

	it('with the error output, failed IDs leave on it and the rest on the main output', async () => {
		const sandbox = getSandbox();
		const { result, deleted, kept } = await partlyFailing(sandbox, { onError: 'continueErrorOutput' });
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items).map((json) => json.id).sort()).toEqual(deleted.map((p) => p.distinctIds[0]).sort());
		expect(jsonOf(result.items).every((json) => json.outcome === 'deleted' && !('error' in json))).toBe(true);
		expect(result.errorItems.map((item) => (item.json.details as IDataObject).id).sort()).toEqual(kept.map((p) => p.distinctIds[0]).sort());
		for (const item of result.errorItems) {
			expect(item.json.error).toMatch(/^Deletion failed for ".+": PostHog 500/);
			// n8n merges the input item's fields into error-output items
			expect(item.json.ref).toMatch(/^REQ-/);
		}
	});

	it('a call that fails after PostHog processed it reports the persons as deleted, not failed', async () => {
		const sandbox = getSandbox();
		const targets = seeded(sandbox, 12);
		sandbox.setFaults({ rate5xxAfterProcessing: 0.5, resetAfterProcessingRate: 0.3, paths: 'bulk_delete', seed: 21 });
		const result = await runAgainst(
			sandbox,
			bulk({ idsFrom: 'field', idField: 'id', options: { batchSize: 2 }, requestOptions: { maxRetries: 0 } }),
			{ input: targets.map((p) => ({ id: p.distinctIds[0] })) },
		);
		expect(deletes(sandbox).filter((entry) => entry.fault).length).toBeGreaterThan(0);
		expect(result.error).toBeUndefined();
		for (const p of targets) expect(sandbox.store.getPerson(p.uuid)).toBeUndefined();
		const out = jsonOf(result.items);
		expect(out.map((json) => json.outcome)).toEqual(Array(12).fill('deleted'));
		expect(out.filter((json) => /no longer exists/.test(String(json.reason))).length).toBeGreaterThan(0);
	});

	it('an ID the sandbox refuses to delete is "failed" with PostHog\'s step, and the error output gets it', async () => {
		const sandbox = getSandbox();
		const [refused, fine] = seeded(sandbox, 2);
		sandbox.store.refusedDeletions.add(refused.uuid);
		const result = await runAgainst(sandbox, bulk({ ids: `${refused.distinctIds[0]}\n${fine.distinctIds[0]}`, deleteEvents: true }), {
			onError: 'continueErrorOutput',
		});
		expect(jsonOf(result.items)).toEqual([
			{
				id: fine.distinctIds[0],
				idType: 'distinct_id',
				outcome: 'deleted',
				personUuid: fine.uuid,
				distinctIds: expect.arrayContaining(fine.distinctIds),
				deleteEvents: true,
				deleteRecordings: false,
				keepPerson: false,
			},
		]);
		expect(result.errorItems).toHaveLength(1);
		expect(result.errorItems[0].json.details).toMatchObject({ id: refused.distinctIds[0], outcome: 'failed', personUuid: refused.uuid });
		expect(String((result.errorItems[0].json.details as IDataObject).reason)).toMatch(/failed step: delete_person_postgres/);
		expect(sandbox.store.getPerson(refused.uuid)).toBeDefined();
		sandbox.store.refusedDeletions.delete(refused.uuid);
	});

	it('refuses n8n\'s Retry On Fail (it would re-run the deletion and lose the record) before sending anything', async () => {
		const sandbox = getSandbox();
		const [target] = seeded(sandbox, 1);
		const result = await runAgainst(sandbox, bulk({ ids: target.distinctIds[0] }), { settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 } });
		expect(result.error?.message).toMatch(/Turn off "Retry On Fail"/);
		expect(sandbox.requests).toEqual([]);
		expect(sandbox.store.getPerson(target.uuid)).toBeDefined();
	});
});

describe('receipts', () => {
	it('resolve first, delete by UUID once per person, and name every distinct ID that went with it', async () => {
		const sandbox = getSandbox();
		const many = create(sandbox, ...Array.from({ length: 14 }, (_, index) => `device-${index}`));
		const [other] = seeded(sandbox, 1);
		const result = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'id' }), {
			input: [{ id: 'device-3' }, { id: ['device-7', other.distinctIds[0]] }],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.requests.map((entry) => [entry.method, entry.path])).toEqual([
			['POST', apiPath(sandbox, 'persons/batch_by_distinct_ids/')],
			['GET', apiPath(sandbox, `persons/${many.uuid}/`)],
			['POST', apiPath(sandbox, 'persons/bulk_delete/')],
		]);
		expect((deletes(sandbox)[0].body as IDataObject).ids).toEqual([many.uuid, other.uuid]);
		const out = jsonOf(result.items);
		expect(out.map((json) => [json.id, json.outcome, json.personUuid])).toEqual([
			['device-3', 'deleted', many.uuid],
			['device-7', 'deleted', many.uuid],
			[other.distinctIds[0], 'deleted', other.uuid],
		]);
		expect((out[0].distinctIds as string[]).sort()).toEqual([...many.distinctIds].sort());
		expect(sandbox.store.deletionCounts.get(many.uuid)).toBe(1);
		expectNoSecret(result.items, sandbox.keys.all);
	});

	it('Dry Run outputs what would be deleted, with email and name, and deletes nothing', async () => {
		const sandbox = getSandbox();
		const target = create(sandbox, 'dry-run-person', 'dry-run-device');
		const result = await runAgainst(sandbox, bulk({ ids: 'dry-run-person\nghost-id', deleteEvents: true, options: { dryRun: true } }));
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items)).toEqual([
			{
				id: 'dry-run-person',
				idType: 'distinct_id',
				outcome: 'would_delete',
				personUuid: target.uuid,
				distinctIds: ['dry-run-person', 'dry-run-device'],
				deleteEvents: true,
				deleteRecordings: false,
				keepPerson: false,
				email: 'dry-run-person@example.com',
				name: 'Test Person',
			},
			{ id: 'ghost-id', idType: 'distinct_id', outcome: 'not_found', reason: expect.stringMatching(/No person has this distinct ID/) },
		]);
		expect(deletes(sandbox)).toEqual([]);
		expect(sandbox.store.getPerson(target.uuid)).toBeDefined();
	});

	it('finding 7: 2,000 items whose deletions all fail carry only their own ID each', async () => {
		const sandbox = await startSandbox({ port: 0, persons: 2100, eventsPerPerson: 0, quiet: true });
		try {
			const targets = [...sandbox.store.personsByUuid.values()].slice(0, 2000);
			sandbox.setFaults({ deletionErrorRate: 1, paths: 'bulk_delete' });
			const result = await runAgainst(sandbox, bulk({ idsFrom: 'field', idField: 'id' }), {
				input: targets.map((p) => ({ id: p.distinctIds[0] })),
				continueOnFail: true,
			});
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(2000);
			result.items.forEach((item: INodeExecutionData, index) => {
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.json.id).toBe(targets[index].distinctIds[0]);
				expect(item.json.outcome).toBe('failed');
			});
			const bytes = JSON.stringify(jsonOf(result.items)).length;
			expect(bytes).toBeLessThan(2000 * 600);
		} finally {
			await sandbox.stop();
		}
	});
});
