import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { apiRequest } from '../transport';
import { planBatches, runBatches, type Batch, type BatchOutcome } from './batching';
import type { IdKind } from './ids';
import { idKey } from './ids';
import { completeDistinctIds, lookUpPersons, type LookupResult } from './person';
import type { Outcome, ReceiptJson } from './receipts';

/**
 * Deleting persons with a receipt for every requested ID:
 * 1. resolve every ID first (`batch_by_distinct_ids` / `batch_by_uuids`, 200 per call; numeric
 *    person IDs with `GET persons/{id}/`), so each ID is known as a person UUID or as not found;
 * 2. delete by UUID (`bulk_delete` with `ids`), so PostHog's `deletion_errors`, which name person
 *    UUIDs, map back to exactly the IDs that asked for those persons;
 * 3. where PostHog's answer leaves an outcome open (a call that failed after it may have been
 *    processed, persons neither counted nor listed as errors), look the persons up again: a person
 *    that no longer exists was deleted, one that still exists was not.
 */

export interface DeletionFlags {
	deleteEvents: boolean;
	deleteRecordings: boolean;
	keepPerson: boolean;
}

export type TargetKind = IdKind | 'personId';

export const ID_TYPES: Record<TargetKind, string> = {
	distinctId: 'distinct_id',
	uuid: 'person_uuid',
	personId: 'person_id',
};

/** What an input item asks for. */
export interface DeletionRequest {
	itemIndex: number;
	kind: TargetKind;
	/** As given, unique within the item. */
	ids: string[];
	flags: DeletionFlags;
	dryRun: boolean;
}

/** What happened to a person. */
export interface PersonOutcome {
	outcome: Outcome;
	reason?: string;
	cause?: Error;
}

/** The persons the requests name, after resolution. */
export interface Targets {
	/** Per kind, the look-up result by `idKey`. */
	lookups: Record<TargetKind, LookupResult>;
	/** Every person found, by UUID (lower case). */
	persons: Map<string, IDataObject>;
	/** Persons to delete (not dry run), with the flags of all items naming them merged. */
	plan: Map<string, DeletionFlags>;
	requests: number;
}

function emptyLookup(): LookupResult {
	return { found: new Map(), failed: new Map(), calls: 0 };
}

/** Numeric person IDs have no batch look-up: one `GET persons/{id}/` each (404 = not found). */
async function lookUpPersonIds(ctx: IExecuteFunctions, keys: string[], itemIndexOf: (key: string) => number): Promise<LookupResult> {
	const result = emptyLookup();
	for (const key of keys) {
		result.calls++;
		try {
			const response = await apiRequest.call(ctx, {
				method: 'GET',
				endpoint: `persons/${encodeURIComponent(key)}/`,
				requestClass: 'persons',
				idempotent: true,
				itemIndex: itemIndexOf(key),
				acceptStatus: [404],
			});
			if (response.statusCode !== 404 && typeof response.body.uuid === 'string') result.found.set(key, response.body);
		} catch (error) {
			result.failed.set(key, error as Error);
		}
	}
	return result;
}

/** Step 1: resolves the IDs of all requests and plans the deletions (nothing is deleted yet). */
export async function resolveTargets(ctx: IExecuteFunctions, requests: DeletionRequest[]): Promise<Targets> {
	const keys: Record<TargetKind, Map<string, number>> = { distinctId: new Map(), uuid: new Map(), personId: new Map() };
	for (const request of requests) {
		for (const id of request.ids) {
			const key = targetKey(request.kind, id);
			if (!keys[request.kind].has(key)) keys[request.kind].set(key, request.itemIndex);
		}
	}
	const itemOf = (kind: TargetKind) => (key: string) => keys[kind].get(key) ?? 0;
	const lookups: Record<TargetKind, LookupResult> = {
		distinctId: keys.distinctId.size ? await lookUpPersons(ctx, 'distinctId', [...keys.distinctId.keys()], itemOf('distinctId')) : emptyLookup(),
		uuid: keys.uuid.size ? await lookUpPersons(ctx, 'uuid', [...keys.uuid.keys()], itemOf('uuid')) : emptyLookup(),
		personId: keys.personId.size ? await lookUpPersonIds(ctx, [...keys.personId.keys()], itemOf('personId')) : emptyLookup(),
	};
	const persons = new Map<string, IDataObject>();
	const plan = new Map<string, DeletionFlags>();
	for (const request of requests) {
		for (const id of request.ids) {
			const person = lookups[request.kind].found.get(targetKey(request.kind, id));
			if (!person) continue;
			const uuid = String(person.uuid).toLowerCase();
			if (!persons.has(uuid)) persons.set(uuid, person);
			if (request.dryRun) continue;
			const flags = plan.get(uuid);
			plan.set(
				uuid,
				flags
					? {
							deleteEvents: flags.deleteEvents || request.flags.deleteEvents,
							deleteRecordings: flags.deleteRecordings || request.flags.deleteRecordings,
							keepPerson: flags.keepPerson && request.flags.keepPerson,
						}
					: { ...request.flags },
			);
		}
	}
	const completions = await completeDistinctIds(ctx, [...persons.values()]);
	const requestCount = lookups.distinctId.calls + lookups.uuid.calls + lookups.personId.calls + completions;
	return { lookups, persons, plan, requests: requestCount };
}

export function targetKey(kind: TargetKind, id: string): string {
	return kind === 'personId' ? id : idKey(kind, id);
}

/** Whether a failed request certainly did not change anything in PostHog (a 4xx answer). */
export function certainlyNotProcessed(error: Error): boolean {
	const status = Number((error as NodeApiError).httpCode);
	return Number.isInteger(status) && status >= 400 && status < 500 && status !== 408;
}

/**
 * Looks the persons up again and decides: gone → `deleted`; still there → `present`; look-up
 * failed → `uncertain`. Returns the requests made.
 */
export async function recheck(
	ctx: IExecuteFunctions,
	open: Map<string, { present: PersonOutcome; why: string }>,
	outcomes: Map<string, PersonOutcome>,
): Promise<number> {
	if (open.size === 0) return 0;
	const lookup = await lookUpPersons(ctx, 'uuid', [...open.keys()]);
	for (const [uuid, { present, why }] of open) {
		const failure = lookup.failed.get(uuid);
		if (failure) {
			outcomes.set(uuid, {
				outcome: 'uncertain',
				reason: `${why}; checking whether the person still exists failed too (${failure.message}). Check with Verify Deletion.`,
				cause: failure,
			});
		} else if (lookup.found.has(uuid)) {
			outcomes.set(uuid, present);
		} else {
			outcomes.set(uuid, { outcome: 'deleted', reason: `${why}; the person no longer exists in PostHog` });
		}
	}
	return lookup.calls;
}

type Summary = IDataObject & { attempts: number };

function count(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Reads one bulk_delete answer into person outcomes; persons it leaves open go to `open`. */
function readAnswer(
	batch: Batch,
	flags: DeletionFlags,
	answer: BatchOutcome<Summary>,
	outcomes: Map<string, PersonOutcome>,
	open: Map<string, { present: PersonOutcome; why: string }>,
): void {
	const ids = batch.ids;
	if (answer.error) {
		const reason = answer.error.message;
		if (certainlyNotProcessed(answer.error)) {
			for (const uuid of ids) outcomes.set(uuid, { outcome: 'failed', reason, cause: answer.error });
		} else {
			const present: PersonOutcome = { outcome: 'failed', reason, cause: answer.error };
			for (const uuid of ids) open.set(uuid, { present, why: `The bulk_delete call failed (${reason})` });
		}
		return;
	}
	const body = answer.result as Summary;
	const errors = body.deletion_errors;
	const deleted = count(body.persons_deleted);
	const queued = count(body.persons_queued_for_deletion) ?? 0;
	if ((errors !== undefined && !Array.isArray(errors)) || (!flags.keepPerson && deleted === undefined)) {
		const present: PersonOutcome = { outcome: 'uncertain', reason: 'PostHog answered bulk_delete with a summary the node cannot read, and the person still exists' };
		for (const uuid of ids) open.set(uuid, { present, why: 'PostHog answered bulk_delete with a summary the node cannot read' });
		return;
	}
	const inCall = new Set(ids);
	let unattributed = 0;
	for (const entry of (errors ?? []) as unknown[]) {
		const uuid = entry !== null && typeof entry === 'object' ? (entry as IDataObject).person_uuid : undefined;
		const key = typeof uuid === 'string' ? uuid.toLowerCase() : undefined;
		if (key === undefined || !inCall.has(key)) {
			unattributed++;
			continue;
		}
		const step = (entry as IDataObject).step;
		outcomes.set(key, { outcome: 'failed', reason: `PostHog could not delete the person${typeof step === 'string' ? ` (failed step: ${step})` : ''}; it still exists and can be deleted again` });
	}
	const rest = ids.filter((uuid) => !outcomes.has(uuid));
	if (flags.keepPerson) {
		const outcome: PersonOutcome = unattributed
			? { outcome: 'uncertain', reason: `PostHog reported ${unattributed} deletion error(s) of this call without naming the person` }
			: { outcome: 'kept' };
		for (const uuid of rest) outcomes.set(uuid, outcome);
		return;
	}
	if (queued > 0) {
		// PostHog deletes the persons later: a person still existing now says nothing
		const outcome: PersonOutcome = unattributed
			? { outcome: 'uncertain', reason: `PostHog queued the deletion but reported ${unattributed} deletion error(s) of this call without naming the person; check with Verify Deletion` }
			: { outcome: 'queued' };
		for (const uuid of rest) outcomes.set(uuid, outcome);
		return;
	}
	if (unattributed === 0 && (deleted ?? 0) >= rest.length) {
		for (const uuid of rest) outcomes.set(uuid, { outcome: 'deleted' });
		return;
	}
	const why = unattributed
		? `PostHog reported ${unattributed} deletion error(s) of this call without naming the person`
		: `PostHog deleted ${deleted ?? 0} of the ${rest.length} persons of this call without reporting errors${answer.result?.attempts && answer.result.attempts > 1 ? ' (the call was retried; an earlier attempt may have deleted some)' : ''}`;
	const present: PersonOutcome = { outcome: 'failed', reason: `${why}, and the person still exists` };
	for (const uuid of rest) open.set(uuid, { present, why });
}

/** Steps 2 and 3: deletes the planned persons with bulk_delete calls; returns every person's outcome. */
export async function bulkDeleteTargets(
	ctx: IExecuteFunctions,
	targets: Targets,
	batchSize: number,
): Promise<{ outcomes: Map<string, PersonOutcome>; deleteCalls: number; recheckCalls: number }> {
	const entries = [...targets.plan].map(([uuid, flags]) => ({ group: JSON.stringify(flags), ids: [uuid] }));
	const batches = planBatches(entries, batchSize);
	const answers = await runBatches(ctx, batches, async (batch): Promise<Summary> => {
		const flags = JSON.parse(batch.group) as DeletionFlags;
		const response = await apiRequest.call(ctx, {
			method: 'POST',
			endpoint: 'persons/bulk_delete/',
			// the IDs travel in the JSON body; PostHog ignores them in the query string
			body: { ids: batch.ids, delete_events: flags.deleteEvents, delete_recordings: flags.deleteRecordings, keep_person: flags.keepPerson },
			requestClass: 'personsDelete',
			idempotent: true,
		});
		return { ...response.body, attempts: response.attempts };
	});
	const outcomes = new Map<string, PersonOutcome>();
	const open = new Map<string, { present: PersonOutcome; why: string }>();
	for (const answer of answers) readAnswer(answer.batch, JSON.parse(answer.batch.group) as DeletionFlags, answer, outcomes, open);
	const recheckCalls = await recheck(ctx, open, outcomes);
	return { outcomes, deleteCalls: batches.length, recheckCalls };
}

/** The receipt of one requested ID. Dry runs show the person's email and name; real deletions do not. */
export function deletionReceipt(
	request: DeletionRequest,
	id: string,
	targets: Targets,
	outcomes: Map<string, PersonOutcome>,
): { json: ReceiptJson; cause?: Error } {
	const key = targetKey(request.kind, id);
	const lookup = targets.lookups[request.kind];
	const json: ReceiptJson = { id, idType: ID_TYPES[request.kind], outcome: 'not_found' };
	const person = lookup.found.get(key);
	const failure = lookup.failed.get(key);
	if (!person) {
		if (failure) {
			json.outcome = 'failed';
			json.reason = `Looking the ID up failed, so nothing was deleted for it: ${failure.message}`;
			return { json, cause: failure };
		}
		json.reason =
			request.kind === 'distinctId'
				? 'No person has this distinct ID (used exactly as given; distinct IDs are case-sensitive)'
				: 'No person with this ID in the project';
		return { json };
	}
	const uuid = String(person.uuid).toLowerCase();
	const full = targets.persons.get(uuid) ?? person;
	json.personUuid = uuid;
	json.distinctIds = Array.isArray(full.distinct_ids) ? [...(full.distinct_ids as string[])] : [];
	if (full.distinctIdsComplete === false) json.distinctIdsComplete = false;
	const flags = request.dryRun ? request.flags : (targets.plan.get(uuid) ?? request.flags);
	json.deleteEvents = flags.deleteEvents;
	json.deleteRecordings = flags.deleteRecordings;
	json.keepPerson = flags.keepPerson;
	if (request.dryRun) {
		json.outcome = 'would_delete';
		const properties = (full.properties ?? {}) as IDataObject;
		if (properties.email !== undefined) json.email = properties.email;
		if (properties.name !== undefined) json.name = properties.name;
		return { json };
	}
	const outcome = outcomes.get(uuid) ?? { outcome: 'uncertain', reason: 'No answer from PostHog was recorded for this person' };
	json.outcome = outcome.outcome;
	if (outcome.reason) json.reason = outcome.reason;
	return { json, cause: outcome.cause };
}

/** Refuses n8n's "Retry On Fail" for deletions: it re-runs the whole node and the first run's receipts are lost. */
export function refuseNodeRetry(ctx: IExecuteFunctions): void {
	if (ctx.getNode().retryOnFail !== true) return;
	throw new NodeOperationError(ctx.getNode(), 'Turn off "Retry On Fail" in this node\'s settings', {
		description:
			'n8n would run the whole deletion again after a failure, and the record of what the first run deleted would be lost. The node already retries failed requests itself (Request Options → Max Retries), and reports every ID that still failed.',
	});
}
