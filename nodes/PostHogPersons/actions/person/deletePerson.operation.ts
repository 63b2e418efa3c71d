import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { DeletionFlags, DeletionRequest, PersonOutcome, Targets } from '../../helpers/deletion';
import { certainlyNotProcessed, deletionReceipt, recheck, refuseNodeRetry, resolveTargets } from '../../helpers/deletion';
import { runPool } from '../../helpers/items';
import { readPersonRef } from '../../helpers/person';
import { emitReceipts, readEveryItem } from '../../helpers/receipts';
import { isUuid } from '../../helpers/validation';
import { apiRequest, getRequestSettings, parsePostHogError, postHogApiError } from '../../transport';
import { deletionFlagProperties, dryRunOption, irreversibleNotice } from '../descriptions/deletion';
import { personLocator } from '../descriptions/personLocator';
import { readFlags } from './bulkDelete.operation';

const properties: INodeProperties[] = [
	irreversibleNotice('deleteNotice'),
	personLocator,
	...deletionFlagProperties('person'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [dryRunOption],
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['deletePerson'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * PostHog checks these flags by presence (`"delete_events" in request.GET`), so even
 * `delete_events=false` would delete events: only flags that are on go into the query string.
 */
export function presenceFlags(flags: DeletionFlags): IDataObject {
	const qs: IDataObject = {};
	if (flags.deleteEvents) qs.delete_events = 'true';
	if (flags.deleteRecordings) qs.delete_recordings = 'true';
	if (flags.keepPerson) qs.keep_person = 'true';
	return qs;
}

function readRequest(ctx: IExecuteFunctions, itemIndex: number): DeletionRequest {
	const ref = readPersonRef(ctx, itemIndex);
	const flags = readFlags(ctx, itemIndex, 'person');
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const kind = ref.mode === 'distinctId' ? 'distinctId' : isUuid(ref.value) ? 'uuid' : 'personId';
	return { itemIndex, kind, ids: [ref.value], flags, dryRun: options.dryRun === true };
}

/** One `DELETE persons/{uuid}/` per person (never repeated after a failure that may have reached PostHog). */
async function deleteOne(ctx: IExecuteFunctions, uuid: string, flags: DeletionFlags): Promise<PersonOutcome> {
	const response = await apiRequest.call(ctx, {
		method: 'DELETE',
		endpoint: `persons/${encodeURIComponent(uuid)}/`,
		qs: presenceFlags(flags),
		requestClass: 'personsDelete',
		idempotent: false,
		acceptStatus: [404, 503],
	});
	if (response.statusCode === 404) {
		return { outcome: 'not_found', reason: 'The person existed when it was looked up, but PostHog no longer found it when deleting (deleted meanwhile)' };
	}
	if (response.statusCode === 503) {
		const body = response.text ?? response.body;
		const info = parsePostHogError(body, 503);
		if (info.code !== 'person_deletion_failed') {
			// another 503 (e.g. from a proxy) does not say whether PostHog deleted: the person is looked up again
			throw postHogApiError(ctx.getNode(), { statusCode: 503, body, method: 'DELETE', path: `persons/${uuid}/` });
		}
		return {
			outcome: 'failed',
			reason: `PostHog could not delete the person (503${info.code ? ` ${info.code}` : ''}: ${info.detail}); it still exists and can be deleted again`,
		};
	}
	return { outcome: flags.keepPerson ? 'kept' : 'deleted' };
}

async function deleteTargets(ctx: IExecuteFunctions, targets: Targets): Promise<Map<string, PersonOutcome>> {
	const outcomes = new Map<string, PersonOutcome>();
	const open = new Map<string, { present: PersonOutcome; why: string }>();
	const planned = [...targets.plan];
	const { concurrency } = await getRequestSettings.call(ctx);
	await runPool(planned.length, concurrency, async (index) => {
		const [uuid, flags] = planned[index];
		try {
			outcomes.set(uuid, await deleteOne(ctx, uuid, flags));
		} catch (error) {
			const failure: PersonOutcome = { outcome: 'failed', reason: (error as Error).message, cause: error as Error };
			if (certainlyNotProcessed(error as Error)) outcomes.set(uuid, failure);
			else open.set(uuid, { present: failure, why: `The DELETE request failed (${(error as Error).message})` });
		}
	});
	await recheck(ctx, open, outcomes);
	return outcomes;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	if (!this.continueOnFail()) refuseNodeRetry(this);
	const read = readEveryItem(this, items.length, (itemIndex) => readRequest(this, itemIndex));
	const targets = await resolveTargets(this, [...read.requests.values()]);
	const outcomes = await deleteTargets(this, targets);
	return emitReceipts(
		this,
		items.length,
		read,
		(request) => request.ids.map((id) => deletionReceipt(request, id, targets, outcomes)),
		{ item: 'Deletion', run: 'Delete' },
	);
}
