import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { readItemIds } from '../../helpers/ids';
import { recordItems } from '../../helpers/items';
import { runPerItem } from '../../helpers/perItem';
import { apiRequest } from '../../transport';
import { personLocator } from '../descriptions/personLocator';
import { propertyNameLocator } from '../descriptions/pickers';

/** PostHog's cap on keys per delete_property call (newer versions take `$unset` as one key or a list of up to 1000). */
export const DELETE_PROPERTY_MAX_KEYS = 1000;

const properties: INodeProperties[] = [
	personLocator,
	propertyNameLocator(
		{
			displayName: 'Property Names',
			name: 'propertyKeys',
			required: true,
			description:
				'Person properties to remove ($unset), up to 1000: pick one from the list (needs the scope property_definition:read), or type names, one per line or separated by commas. An expression gives one name, or a list of names. Names the person does not have are ignored by PostHog.',
		},
		'searchPersonPropertyNames',
		'e.g. phone, address',
	),
];

const displayOptions = { show: { resource: ['person'], operation: ['deleteProperties'] } };

export const description = updateDisplayOptions(displayOptions, properties);

function readKeys(ctx: IExecuteFunctions, itemIndex: number): string[] {
	const keys = readItemIds(ctx, itemIndex, {
		kind: 'distinctId',
		purpose: 'delete',
		noun: { plural: 'property names', singular: 'property name' },
		parameter: 'propertyKeys',
		source: 'parameter',
	});
	if (keys.length > DELETE_PROPERTY_MAX_KEYS) {
		throw new NodeOperationError(ctx.getNode(), `${keys.length} property names given; PostHog accepts at most ${DELETE_PROPERTY_MAX_KEYS}`, {
			itemIndex,
			description: 'Split the names over several input items.',
		});
	}
	return keys;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	return await runPerItem(this, items, {
		read: (itemIndex) => readKeys(this, itemIndex),
		personParameter: 'person',
		act: async (itemIndex, keys, personId) => {
			const response = await apiRequest.call(this, {
				method: 'POST',
				endpoint: `persons/${encodeURIComponent(personId)}/delete_property/`,
				// a single key as a string: older PostHog versions only accept that form; the newest accepts both
				body: { $unset: keys.length === 1 ? keys[0] : keys },
				requestClass: 'persons',
				idempotent: true,
				itemIndex,
			});
			if (response.body.success === false) {
				throw new NodeApiError(
					node,
					{ message: String(response.body.detail ?? 'Unable to delete property'), httpCode: String(response.statusCode) },
					{
						message: `PostHog did not delete the properties: ${String(response.body.detail ?? 'Unable to delete property')}`,
						description: 'PostHog could not record the property deletion. Try again later.',
						httpCode: String(response.statusCode),
						itemIndex,
					},
				);
			}
			return recordItems(
				{
					id: personId,
					deleted: true,
					statusCode: response.statusCode,
					properties: keys,
					note: 'PostHog accepted the deletion and removes the properties asynchronously ($unset); a Get right after may still show them',
				},
				itemIndex,
			);
		},
	});
}
