import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch, BatchOutcome, ItemIds } from '../../helpers/batching';
import { planBatches, runBatches } from '../../helpers/batching';
import { errorItem, withItemIndex } from '../../helpers/items';
import { checkUuids, parseIdList } from '../../helpers/validation';
import { apiRequest } from '../../transport';

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
	const ids = parseIdList(ctx.getNodeParameter('ids', itemIndex, ''));
	if (ids.length === 0) {
		throw new NodeOperationError(node, 'No IDs to delete', {
			itemIndex,
			description:
				'Fill in IDs with one or more distinct IDs or person UUIDs (separated by commas or new lines), or map a field of the input item that holds them.',
		});
	}
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
	const continueOnFail = this.continueOnFail();
	const entries: ItemIds[] = [];
	const results: INodeExecutionData[][] = items.map(() => []);

	// 1. Validate every item before anything is sent.
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			entries.push(readItem(this, itemIndex));
		} catch (error) {
			const wrapped = withItemIndex(this, error, itemIndex);
			if (!continueOnFail) throw wrapped;
			results[itemIndex] = [errorItem(wrapped, { item: itemIndex })];
		}
	}

	// 2. One call per (flags, up to 1000 unique IDs), across all items.
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const batchSize = Math.min(BULK_DELETE_MAX_IDS, Math.max(1, Number(options.batchSize ?? BULK_DELETE_MAX_IDS)));
	const batches = planBatches(entries, batchSize);
	const outcomes = await runBatches(this, batches, async (batch: Batch): Promise<Summary> => {
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
	});

	// 3. Every input item gets its own outcome, from the calls that carried its IDs.
	const outcomesByItem = new Map<number, Array<BatchOutcome<Summary>>>();
	for (const outcome of outcomes) {
		for (const itemIndex of outcome.batch.itemIndexes) {
			const list = outcomesByItem.get(itemIndex) ?? [];
			list.push(outcome);
			outcomesByItem.set(itemIndex, list);
		}
	}
	let firstFailure: Error | undefined;
	for (const entry of entries) {
		const flags = JSON.parse(entry.group) as Flags;
		const mine = outcomesByItem.get(entry.itemIndex) ?? [];
		const calls = mine.map((outcome) => callSummary(outcome, batches.length));
		const ownIds = new Set(entry.ids);
		const deletionErrors = mine
			.flatMap((outcome) => outcome.result?.deletion_errors ?? [])
			.filter((error) => flags.idField !== 'ids' || ownIds.has(String(error.person_uuid)));
		const json: IDataObject = {
			idType: flags.idField,
			ids: entry.ids,
			deleteEvents: flags.delete_events,
			deleteRecordings: flags.delete_recordings,
			keepPerson: flags.keep_person,
			calls,
		};
		const failed = mine.filter((outcome) => outcome.error);
		if (failed.length > 0) {
			const failedIds = entry.ids.filter((id) => failed.some((outcome) => outcome.batch.ids.includes(id)));
			const cause = failed[0].error as Error;
			const error = new NodeOperationError(
				this.getNode(),
				`Bulk delete failed for ${failedIds.length} of ${entry.ids.length} IDs of this item: ${cause.message}`,
				{
					itemIndex: entry.itemIndex,
					description: `${failed.length} of ${batches.length} bulk_delete calls failed after retries; the other calls were sent and are reported on their items. Failed IDs: ${failedIds.slice(0, 20).join(', ')}${failedIds.length > 20 ? ', …' : ''}. ${(cause as NodeOperationError).description ?? ''}`.trim(),
				},
			);
			if (!continueOnFail) {
				firstFailure = firstFailure ?? error;
				continue;
			}
			const item = errorItem(error, { item: entry.itemIndex });
			item.json = { ...json, ...item.json, failedIds };
			results[entry.itemIndex] = [item];
			continue;
		}
		json.status = deletionErrors.length > 0 ? 'accepted_with_errors' : 'accepted';
		json.queued = mine.some((outcome) => Number(outcome.result?.persons_queued_for_deletion ?? 0) > 0);
		json.deletionErrors = deletionErrors;
		results[entry.itemIndex] = [{ json, pairedItem: { item: entry.itemIndex } }];
	}
	if (firstFailure) throw firstFailure;
	return results.flat();
}
