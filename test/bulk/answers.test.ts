/**
 * Bulk Delete against answers the sandbox does not give on its own: the 200 "deleted" shape without
 * `persons_queued_for_deletion` (mid-2026 PostHog), the empty 202 of older PostHog versions, and
 * `deletion_errors` naming a UUID in upper case or a person of no call.
 */
import type { IDataObject } from 'n8n-workflow';

import { runNode } from '../harness/engine';
import { credentialsFor, scriptedServer, type ScriptedServer, type SeenRequest } from '../helpers/scriptedServer';

const A = '0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4d';
const B = '0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4e';
const person = (uuid: string, distinctId: string) => ({ id: 1, uuid, distinct_ids: [distinctId], properties: {} });

let server: ScriptedServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

/** A PostHog that knows persons A (user-a) and B (user-b) and answers bulk_delete with `answer`. */
function posthog(answer: (body: IDataObject) => { status: number; body?: unknown }, gone: Set<string>) {
	return (request: SeenRequest) => {
		const body = request.body ? (JSON.parse(request.body) as IDataObject) : {};
		if (request.url.includes('batch_by_distinct_ids')) {
			const results: IDataObject = {};
			if ((body.distinct_ids as string[]).includes('user-a') && !gone.has(A)) results['user-a'] = person(A, 'user-a');
			if ((body.distinct_ids as string[]).includes('user-b') && !gone.has(B)) results['user-b'] = person(B, 'user-b');
			return { status: 200, body: { results } };
		}
		if (request.url.includes('batch_by_uuids')) {
			const results: IDataObject = {};
			for (const uuid of body.uuids as string[]) if (!gone.has(uuid)) results[uuid] = person(uuid, uuid === A ? 'user-a' : 'user-b');
			return { status: 200, body: { results } };
		}
		if (request.url.includes('bulk_delete')) return answer(body);
		return { status: 404, body: { detail: 'Not found.' } };
	};
}

async function run() {
	const result = await runNode({
		parameters: { resource: 'person', operation: 'bulkDelete', ids: 'user-a\nuser-b', requestOptions: { rateLimits: 'none', retryDelayMs: 1 } },
		credentials: credentialsFor(server as ScriptedServer),
		continueOnFail: true,
	});
	expect(result.error).toBeUndefined();
	return result.items.map((item) => item.json);
}

test('a 200 with persons_deleted and no persons_queued_for_deletion (synchronous PostHog) is "deleted"', async () => {
	const gone = new Set<string>();
	server = await scriptedServer(
		posthog((body) => {
			for (const uuid of body.ids as string[]) gone.add(uuid);
			return { status: 200, body: { persons_found: 2, persons_deleted: 2, events_queued_for_deletion: false, deletion_errors: [] } };
		}, gone),
	);
	expect((await run()).map((json) => [json.id, json.outcome, json.reason])).toEqual([
		['user-a', 'deleted', undefined],
		['user-b', 'deleted', undefined],
	]);
});

test('the empty 202 of older PostHog versions: the persons are looked up again', async () => {
	const gone = new Set<string>();
	server = await scriptedServer(
		posthog((body) => {
			gone.add((body.ids as string[])[0]);
			return { status: 202 };
		}, gone),
	);
	const out = await run();
	expect(out.map((json) => [json.id, json.outcome])).toEqual([
		['user-a', 'deleted'],
		['user-b', 'uncertain'],
	]);
	expect(out[0].reason).toMatch(/summary the node cannot read; the person no longer exists/);
	expect(server.requests.map((request) => request.url.replace(/^\/api\/projects\/7\//, ''))).toEqual([
		'persons/batch_by_distinct_ids/',
		'persons/bulk_delete/',
		'persons/batch_by_uuids/',
	]);
});

test('deletion_errors in upper case map to their person; an entry naming nobody of the call is not ignored', async () => {
	const gone = new Set<string>();
	server = await scriptedServer(
		posthog(() => {
			gone.add(B);
			return {
				status: 202,
				body: {
					persons_found: 2,
					persons_deleted: 1,
					persons_queued_for_deletion: 0,
					deletion_errors: [{ person_uuid: A.toUpperCase(), step: 'delete_person_postgres' }, { person_uuid: 'ffffffff-0000-4000-8000-000000000000' }],
				},
			};
		}, gone),
	);
	const out = await run();
	expect(out.map((json) => [json.id, json.outcome])).toEqual([
		['user-a', 'failed'],
		['user-b', 'deleted'],
	]);
	expect(out[0].reason).toMatch(/failed step: delete_person_postgres/);
	// the unattributed entry made the node check B again instead of taking "deleted" on trust
	expect(out[1].reason).toMatch(/without naming the person; the person no longer exists/);
});
