import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { apiRequest } from '../transport';
import type { IdKind } from './ids';
import { idKey } from './ids';
import { addLookupKey, completeDistinctIds, lookUpAll, lookupKeys, lookUpPersons, type LookupResult } from './person';
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
 * Step 2 for Bulk Delete is in bulkDeleteCalls.ts; Delete sends its own DELETE per person.
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
	const keys = lookupKeys();
	const personIds = new Map<string, number>();
	for (const request of requests) {
		for (const id of request.ids) {
			if (request.kind !== 'personId') addLookupKey(keys, request.kind, targetKey(request.kind, id), request.itemIndex);
			else if (!personIds.has(id)) personIds.set(id, request.itemIndex);
		}
	}
	const lookups: Record<TargetKind, LookupResult> = {
		...(await lookUpAll(ctx, keys)),
		personId: await lookUpPersonIds(ctx, [...personIds.keys()], (key) => personIds.get(key) ?? 0),
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
