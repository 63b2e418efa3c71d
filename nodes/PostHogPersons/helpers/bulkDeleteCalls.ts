import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { apiRequest } from '../transport';
import { planBatches, runBatches, type Batch, type BatchOutcome } from './batching';
import type { DeletionFlags, PersonOutcome, Targets } from './deletion';
import { certainlyNotProcessed, recheck } from './deletion';

/**
 * Bulk Delete's deletions: the planned persons by UUID in `bulk_delete` calls (grouped by flags,
 * up to `batchSize` per call), and PostHog's answers read into one outcome per person.
 */

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
