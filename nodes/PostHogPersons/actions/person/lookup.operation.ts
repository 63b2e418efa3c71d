import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { IdKind } from '../../helpers/ids';
import { idKey, readIdKind, readItemIds } from '../../helpers/ids';
import { errorItem, usesErrorOutput, withItemIndex } from '../../helpers/items';
import { emitRecords } from '../../helpers/output';
import { addLookupKey, lookUpAll, lookupKeys } from '../../helpers/person';
import { idListProperty, idSourceProperties } from '../descriptions/idSource';
import { outputProperties } from '../descriptions/output';

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
				description: 'PostHog person UUIDs (any letter case)',
			},
		],
		default: 'distinct_ids',
	},
	...idSourceProperties,
	idListProperty(
		'IDs to look up. The IDs of all input items are combined, de-duplicated and sent in calls of up to 200; every found person is output on the input items that asked for it.',
	),
	{
		displayName: 'Output Not Found IDs',
		name: 'includeNotFound',
		type: 'boolean',
		default: true,
		description:
			'Whether to also output an item {requested_id, found: false} for every ID PostHog does not know, so no requested ID is silently dropped',
	},
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['lookup'] } };

export const description = updateDisplayOptions(displayOptions, properties);

interface LookupRequest {
	kind: IdKind;
	/** Requested IDs as given (unique within the item), in input order. */
	ids: string[];
}

function readRequest(ctx: IExecuteFunctions, itemIndex: number): LookupRequest {
	const kind = readIdKind(ctx, itemIndex, 'lookupBy', 'Look Up By');
	return { kind, ids: readItemIds(ctx, itemIndex, { kind, purpose: 'look up' }) };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const continueOnFail = this.continueOnFail();
	const errorOutput = usesErrorOutput(this);
	const results: INodeExecutionData[][] = items.map(() => []);
	// every item is read and checked before anything is sent
	const requests = new Map<number, LookupRequest>();
	const keys = lookupKeys();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const request = readRequest(this, itemIndex);
			requests.set(itemIndex, request);
			for (const id of request.ids) addLookupKey(keys, request.kind, idKey(request.kind, id), itemIndex);
		} catch (error) {
			const wrapped = withItemIndex(this, error, itemIndex);
			if (!continueOnFail) throw wrapped;
			results[itemIndex] = [errorItem(wrapped, { item: itemIndex }, { errorOutput })];
		}
	}
	// the IDs of all items, de-duplicated, in calls of 200
	const lookups = await lookUpAll(this, keys);
	// the persons found, mapped back to the items that asked for them
	for (const [itemIndex, request] of requests) {
		const { found, failed } = lookups[request.kind];
		const failedIds = request.ids.filter((id) => failed.has(idKey(request.kind, id)));
		if (failedIds.length > 0) {
			const cause = failed.get(idKey(request.kind, failedIds[0])) as Error;
			const error = new NodeOperationError(
				this.getNode(),
				`Look-up failed for ${failedIds.length} of ${request.ids.length} IDs of this item: ${cause.message}`,
				{ itemIndex, description: `Failed IDs: ${failedIds.slice(0, 20).join(', ')}${failedIds.length > 20 ? ', …' : ''}` },
			);
			if (!continueOnFail) throw error;
			const httpCode = (cause as { httpCode?: string | null }).httpCode;
			results[itemIndex] = [errorItem(error, { item: itemIndex }, { errorOutput, extra: { ...(httpCode ? { httpCode } : {}), failedIds } })];
			continue;
		}
		const includeNotFound = this.getNodeParameter('includeNotFound', itemIndex, true) as boolean;
		const records: IDataObject[] = [];
		for (const id of request.ids) {
			const person = found.get(idKey(request.kind, id));
			if (person) records.push({ requested_id: id, found: true, ...person });
			else if (includeNotFound) records.push({ requested_id: id, found: false });
		}
		results[itemIndex] = await emitRecords(this, itemIndex, records, 'posthog-persons-lookup');
	}
	return results.flat();
}
