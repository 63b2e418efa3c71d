import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch, ItemIds } from '../../helpers/batching';
import { runBatchedOperation } from '../../helpers/batching';
import { emitRecords } from '../../helpers/output';
import { personOutput } from '../../helpers/simplify';
import { checkUuids, itemIds } from '../../helpers/validation';
import { apiRequest } from '../../transport';
import { idSourceProperties } from '../descriptions/idSource';
import { outputProperties, simplifyProperty } from '../descriptions/output';

/** PostHog uses only the first 200 IDs of a batch_by_* call and silently drops the rest (persons-api.md §8.17). */
export const LOOKUP_MAX_IDS = 200;

type LookupBy = 'distinct_ids' | 'uuids';

const ENDPOINTS: Record<LookupBy, string> = {
	distinct_ids: 'persons/batch_by_distinct_ids/',
	uuids: 'persons/batch_by_uuids/',
};

const properties: INodeProperties[] = [
	{
		displayName: 'Look Up By',
		name: 'lookupBy',
		type: 'options',
		options: [
			{
				name: 'Distinct IDs',
				value: 'distinct_ids',
				description: 'The IDs your app sends to PostHog (distinct_id)',
			},
			{
				name: 'Person UUIDs',
				value: 'uuids',
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
			'IDs to look up: separated by commas or new lines, or an array from an expression. The IDs of all input items are combined, de-duplicated and sent in calls of up to 200; every found person is output on the input items that asked for it.',
		displayOptions: { show: { idsFrom: ['parameter'] } },
	},
	{
		displayName: 'Output Not Found IDs',
		name: 'includeNotFound',
		type: 'boolean',
		default: true,
		description:
			'Whether to also output an item {requested_id, found: false} for every ID PostHog does not know, so no requested ID is silently dropped',
	},
	simplifyProperty,
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['lookup'] } };

export const description = updateDisplayOptions(displayOptions, properties);

interface LookupEntry extends ItemIds {
	/** Requested IDs as given (trimmed, de-duplicated), in input order. */
	requested: string[];
}

/** The key PostHog answers with: UUIDs in lower case (it renders uuid objects), distinct IDs as sent. */
function keyFor(lookupBy: LookupBy, id: string): string {
	return lookupBy === 'uuids' ? id.toLowerCase() : id;
}

function readItem(ctx: IExecuteFunctions, itemIndex: number): LookupEntry {
	const node = ctx.getNode();
	const lookupBy = ctx.getNodeParameter('lookupBy', itemIndex, 'distinct_ids') as LookupBy;
	if (!(lookupBy in ENDPOINTS)) {
		throw new NodeOperationError(node, `"${String(lookupBy)}" is not a way to look up persons`, {
			itemIndex,
			description: 'Set Look Up By to "Distinct IDs" or "Person UUIDs".',
		});
	}
	const requested = itemIds(ctx, itemIndex, 'look up');
	if (lookupBy === 'uuids') checkUuids(node, requested, itemIndex, 'person UUIDs');
	const ids = [...new Set(requested.map((id) => keyFor(lookupBy, id)))];
	return { itemIndex, group: lookupBy, ids, requested };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runBatchedOperation(this, items, {
		label: 'Look-up',
		batchSize: LOOKUP_MAX_IDS,
		read: (itemIndex) => readItem(this, itemIndex),
		// one call per endpoint and up to 200 unique IDs, across all items
		send: async (batch: Batch): Promise<IDataObject> => {
			const lookupBy = batch.group as LookupBy;
			const response = await apiRequest.call(this, {
				method: 'POST',
				endpoint: ENDPOINTS[lookupBy],
				body: { [lookupBy]: batch.ids },
				requestClass: 'persons',
				idempotent: true,
				itemIndex: batch.itemIndexes[0],
			});
			const found = response.body.results;
			return found !== null && typeof found === 'object' && !Array.isArray(found) ? (found as IDataObject) : {};
		},
		// the persons found, mapped back to the items that asked for them
		emit: async (entry, outcomes) => {
			const lookupBy = entry.group as LookupBy;
			const found: IDataObject = Object.assign({}, ...outcomes.map((outcome) => outcome.result ?? {}));
			const includeNotFound = this.getNodeParameter('includeNotFound', entry.itemIndex, true) as boolean;
			const records: IDataObject[] = [];
			for (const id of entry.requested) {
				const person = found[keyFor(lookupBy, id)];
				if (person !== null && typeof person === 'object') {
					records.push({ requested_id: id, found: true, ...personOutput(this, entry.itemIndex, person as IDataObject) });
				} else if (includeNotFound) {
					records.push({ requested_id: id, found: false });
				}
			}
			return await emitRecords(this, entry.itemIndex, records, 'posthog-persons-lookup');
		},
	});
}
