import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch, BatchOutcome, ItemIds } from '../../helpers/batching';
import { runBatchedOperation } from '../../helpers/batching';
import { checkUuids, itemIds } from '../../helpers/validation';
import { apiRequest } from '../../transport';
import { idSourceProperties } from '../descriptions/idSource';

/** PostHog's cap on IDs per bulk_delete call (persons-api.md §8.6). */
export const BULK_DELETE_MAX_IDS = 1000;

const properties: INodeProperties[] = [
	{
		displayName: 'Delete By',
		name: 'deleteBy',
		type: 'options',
		options: [
			{
				name: 'Distinct IDs',
				value: 'distinct_ids',
				description: 'The IDs your app sends to PostHog (every person owning one of them is deleted)',
			},
			{
				name: 'Person UUIDs',
				value: 'ids',
				description: 'PostHog person UUIDs',
			},
		],
		default: 'distinct_ids',
	},
	...idSourceProperties,
	{
		displayName: 'IDs',
		name: 'ids',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. user-42, user-43',
		description:
			'IDs to delete: separated by commas or new lines, or an array from an expression. The IDs of all input items are combined, de-duplicated and sent in calls of up to 1000.',
		displayOptions: { show: { idsFrom: ['parameter'] } },
	},
	{
		displayName: 'Delete Events',
		name: 'deleteEvents',
		type: 'boolean',
		default: false,
		description:
			'Whether to also delete the persons\' events (PostHog queues this and runs it in off-peak batches; only events captured before the request)',
	},
	{
		displayName: 'Delete Recordings',
		name: 'deleteRecordings',
		type: 'boolean',
		default: false,
		description: 'Whether to also delete the persons\' session recordings (queued by PostHog)',
	},
	{
		displayName: 'Keep Person',
		name: 'keepPerson',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep the person records and delete only their events and/or recordings (needs Delete Events or Delete Recordings)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'IDs per Call',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: BULK_DELETE_MAX_IDS },
				default: BULK_DELETE_MAX_IDS,
				description: 'How many IDs one bulk_delete call carries (PostHog accepts at most 1000)',
			},
		],
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['bulkDelete'] } };

export const description = updateDisplayOptions(displayOptions, properties);

interface Flags {
	idField: 'distinct_ids' | 'ids';
	delete_events: boolean;
	delete_recordings: boolean;
	keep_person: boolean;
}

type Summary = IDataObject & { deletion_errors?: IDataObject[]; attempts: number };

function readItem(ctx: IExecuteFunctions, itemIndex: number): ItemIds {
	const node = ctx.getNode();
	const idField = ctx.getNodeParameter('deleteBy', itemIndex, 'distinct_ids') as Flags['idField'];
	const ids = itemIds(ctx, itemIndex, 'delete');
	if (idField === 'ids') checkUuids(node, ids, itemIndex, 'person UUIDs');
	const flags: Flags = {
		idField,
		delete_events: ctx.getNodeParameter('deleteEvents', itemIndex, false) as boolean,
		delete_recordings: ctx.getNodeParameter('deleteRecordings', itemIndex, false) as boolean,
		keep_person: ctx.getNodeParameter('keepPerson', itemIndex, false) as boolean,
	};
	if (flags.keep_person && !flags.delete_events && !flags.delete_recordings) {
		throw new NodeOperationError(node, '"Keep Person" without "Delete Events" or "Delete Recordings" deletes nothing', {
			itemIndex,
			description: 'Turn on Delete Events and/or Delete Recordings, or turn off Keep Person to delete the persons.',
		});
	}
	return { itemIndex, group: JSON.stringify(flags), ids };
}

function callSummary(outcome: BatchOutcome<Summary>, calls: number): IDataObject {
	const summary: IDataObject = { call: outcome.batch.number, of: calls, ids: outcome.batch.ids.length };
	if (outcome.result) {
		const { attempts, ...posthog } = outcome.result;
		summary.attempts = attempts;
		Object.assign(summary, posthog);
		if (attempts > 1) {
			summary.note =
				'This call was retried after a failure; an earlier attempt may already have deleted some of these persons, so persons_found can be lower than the number of persons that were deleted.';
		}
	}
	if (outcome.error) summary.error = outcome.error.message;
	return summary;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const batchSize = Math.min(BULK_DELETE_MAX_IDS, Math.max(1, Number(options.batchSize ?? BULK_DELETE_MAX_IDS)));
	const itemJson = (entry: ItemIds, outcomes: Array<BatchOutcome<Summary>>, calls: number): IDataObject => {
		const flags = JSON.parse(entry.group) as Flags;
		return {
			idType: flags.idField,
			ids: entry.ids,
			deleteEvents: flags.delete_events,
			deleteRecordings: flags.delete_recordings,
			keepPerson: flags.keep_person,
			calls: outcomes.map((outcome) => callSummary(outcome, calls)),
		};
	};
	return await runBatchedOperation(this, items, {
		label: 'Bulk delete',
		batchSize,
		read: (itemIndex) => readItem(this, itemIndex),
		// one call per (flags, up to 1000 unique IDs), across all items; JSON body, never the query string
		send: async (batch: Batch): Promise<Summary> => {
			const flags = JSON.parse(batch.group) as Flags;
			const response = await apiRequest.call(this, {
				method: 'POST',
				endpoint: 'persons/bulk_delete/',
				body: {
					[flags.idField]: batch.ids,
					delete_events: flags.delete_events,
					delete_recordings: flags.delete_recordings,
					keep_person: flags.keep_person,
				},
				requestClass: 'personsDelete',
				idempotent: true,
				itemIndex: batch.itemIndexes[0],
			});
			return { ...response.body, attempts: response.attempts } as Summary;
		},
		errorJson: itemJson,
		emit: async (entry, outcomes, calls) => {
			const flags = JSON.parse(entry.group) as Flags;
			const ownIds = new Set(entry.ids);
			// deletion_errors name person UUIDs: exact per item when deleting by UUID; otherwise every
			// error of the calls that carried the item's IDs is reported on it
			const deletionErrors = outcomes
				.flatMap((outcome) => outcome.result?.deletion_errors ?? [])
				.filter((error) => flags.idField !== 'ids' || ownIds.has(String(error.person_uuid)));
			const json = itemJson(entry, outcomes, calls);
			json.status = deletionErrors.length > 0 ? 'accepted_with_errors' : 'accepted';
			json.queued = outcomes.some((outcome) => Number(outcome.result?.persons_queued_for_deletion ?? 0) > 0);
			json.deletionErrors = deletionErrors;
			return [{ json, pairedItem: { item: entry.itemIndex } }];
		},
	});
}
