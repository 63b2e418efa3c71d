import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { emitRecords } from '../../helpers/output';
import { readLimit } from '../../helpers/parameters';
import { isUuid } from '../../helpers/validation';
import { requestAllPages } from '../../transport';
import { outputProperties, returnAllOrLimit } from '../descriptions/output';

/** Rows per request (PostHog's default page size). */
export const DELETION_STATUS_PAGE_SIZE = 100;

const STATUSES = ['all', 'pending', 'completed'];

const properties: INodeProperties[] = [
	{
		displayName: 'Status',
		name: 'deletionStatus',
		type: 'options',
		options: [
			{ name: 'All', value: 'all', description: 'Pending and completed deletions' },
			{ name: 'Completed', value: 'completed', description: 'Event deletions PostHog has carried out' },
			{ name: 'Pending', value: 'pending', description: 'Event deletions still queued' },
		],
		default: 'all',
		description:
			'Which event deletions to list. PostHog tracks the deletion of events requested with Delete or Bulk Delete (Delete Events on); they run in off-peak batches.',
	},
	{
		displayName: 'Person UUID',
		name: 'personUuid',
		type: 'string',
		default: '',
		placeholder: 'e.g. 0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4d',
		description: 'Only the deletion of this person (its UUID; a deleted person cannot be looked up by distinct ID). Leave empty for all persons.',
	},
	...returnAllOrLimit,
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['getDeletionStatus'] } };

export const description = updateDisplayOptions(displayOptions, properties);

function readQuery(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const node = ctx.getNode();
	const status = String(ctx.getNodeParameter('deletionStatus', itemIndex, 'all') ?? '').trim();
	if (!STATUSES.includes(status)) {
		throw new NodeOperationError(node, `"${status}" is not a deletion status`, {
			itemIndex,
			description: 'Use one of: all, pending, completed.',
		});
	}
	const qs: IDataObject = { status };
	const personUuid = String(ctx.getNodeParameter('personUuid', itemIndex, '') ?? '').trim();
	if (personUuid !== '') {
		if (!isUuid(personUuid)) {
			throw new NodeOperationError(node, `"${personUuid}" is not a person UUID`, {
				itemIndex,
				description:
					'Use the UUID of the deleted person, like 0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4d, or leave the field empty for all persons.',
			});
		}
		qs.person_uuid = personUuid;
	}
	return qs;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const qs = readQuery(this, itemIndex);
		const limit = readLimit(this, itemIndex);
		const rows = await requestAllPages.call(
			this,
			{
				method: 'GET',
				endpoint: 'persons/deletion_status/',
				qs: { ...qs, limit: limit === undefined ? DELETION_STATUS_PAGE_SIZE : Math.min(limit, DELETION_STATUS_PAGE_SIZE) },
				requestClass: 'persons',
				idempotent: true,
				itemIndex,
			},
			{ maxRecords: limit },
		);
		return await emitRecords(this, itemIndex, rows, 'posthog-deletion-status');
	});
}
