import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { DeletionFlags, DeletionRequest } from '../../helpers/deletion';
import { bulkDeleteTargets } from '../../helpers/bulkDeleteCalls';
import { deletionReceipt, refuseNodeRetry, resolveTargets } from '../../helpers/deletion';
import { readIdKind, readItemIds } from '../../helpers/ids';
import { emitReceipts, readEveryItem } from '../../helpers/receipts';
import { dryRunOption, deletionFlagProperties, irreversibleNotice } from '../descriptions/deletion';
import { idListProperty, idSourceProperties } from '../descriptions/idSource';

/** PostHog's cap on IDs per bulk_delete call. */
export const BULK_DELETE_MAX_IDS = 1000;

const properties: INodeProperties[] = [
	irreversibleNotice('bulkDeleteNotice'),
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
				description: 'PostHog person UUIDs (any letter case)',
			},
		],
		default: 'distinct_ids',
	},
	...idSourceProperties,
	idListProperty(
		'IDs to delete. The IDs of all input items are combined and de-duplicated, looked up 200 per call and deleted by person UUID in calls of up to 1000; every ID gets its own output item.',
	),
	...deletionFlagProperties('persons'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			dryRunOption,
			{
				displayName: 'Persons per Call',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: BULK_DELETE_MAX_IDS },
				default: BULK_DELETE_MAX_IDS,
				description: 'How many persons one bulk_delete call deletes (PostHog accepts at most 1000)',
			},
		],
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['bulkDelete'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export function readFlags(ctx: IExecuteFunctions, itemIndex: number, what: string): DeletionFlags {
	const flags: DeletionFlags = {
		deleteEvents: ctx.getNodeParameter('deleteEvents', itemIndex, false) === true,
		deleteRecordings: ctx.getNodeParameter('deleteRecordings', itemIndex, false) === true,
		keepPerson: ctx.getNodeParameter('keepPerson', itemIndex, false) === true,
	};
	if (flags.keepPerson && !flags.deleteEvents && !flags.deleteRecordings) {
		throw new NodeOperationError(ctx.getNode(), '"Keep Person" without "Delete Events" or "Delete Recordings" deletes nothing', {
			itemIndex,
			description: `Turn on Delete Events and/or Delete Recordings, or turn off Keep Person to delete the ${what}.`,
		});
	}
	return flags;
}

function readRequest(ctx: IExecuteFunctions, itemIndex: number): DeletionRequest {
	const kind = readIdKind(ctx, itemIndex, 'deleteBy', 'Delete By');
	const ids = readItemIds(ctx, itemIndex, { kind, purpose: 'delete' });
	const flags = readFlags(ctx, itemIndex, 'persons');
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return { itemIndex, kind, ids, flags, dryRun: options.dryRun === true };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	if (!this.continueOnFail()) refuseNodeRetry(this);
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const batchSize = Math.min(BULK_DELETE_MAX_IDS, Math.max(1, Math.floor(Number(options.batchSize ?? BULK_DELETE_MAX_IDS)) || 1));
	// 1. every item is read and checked before anything is sent
	const read = readEveryItem(this, items.length, (itemIndex) => readRequest(this, itemIndex));
	// 2. every ID resolved, 3. deleted by person UUID, 4. one receipt per requested ID
	const targets = await resolveTargets(this, [...read.requests.values()]);
	const { outcomes } = await bulkDeleteTargets(this, targets, batchSize);
	return emitReceipts(
		this,
		items.length,
		read,
		(request) => request.ids.map((id) => deletionReceipt(request, id, targets, outcomes)),
		{ item: 'Deletion', run: 'Bulk delete' },
	);
}
