import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { recordItems } from '../../helpers/items';
import { runPerItem } from '../../helpers/perItem';
import { parseJsonParameter } from '../../helpers/validation';
import { apiRequest } from '../../transport';
import { personLocator } from '../descriptions/personLocator';

export const ASYNC_SET_NOTE =
	'PostHog accepted the update and applies it asynchronously ($set event); a Get right after may still show the old values';

const properties: INodeProperties[] = [
	personLocator,
	{
		displayName: 'Properties',
		name: 'propertiesUi',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add property',
		default: {},
		description:
			'Person properties to set ($set): listed properties get the new value, all others stay as they are. Nothing is removed (use Delete Properties for that).',
		options: [
			{
				displayName: 'Property',
				name: 'property',
				values: [
					{
						displayName: 'Name',
						name: 'key',
						type: 'string',
						default: '',
						placeholder: 'e.g. plan',
						description: 'Name of the person property',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. enterprise',
						description:
							'New value. Text as typed; an expression can give a number, boolean, list or object. For typed values in bulk, use Properties (JSON).',
					},
				],
			},
		],
	},
	{
		displayName: 'Properties (JSON)',
		name: 'propertiesJson',
		type: 'json',
		default: '',
		placeholder: 'e.g. {"plan": "enterprise", "seats": 12}',
		description:
			'Properties to set as a JSON object, merged with the rows above (a row wins over the same name here). Leave empty to use only the rows.',
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['update'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The properties to send, from the JSON field and the key/value rows. */
export function readProperties(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const node = ctx.getNode();
	const parsed = parseJsonParameter<unknown>(
		node,
		ctx.getNodeParameter('propertiesJson', itemIndex, ''),
		'Properties (JSON)',
		itemIndex,
	);
	if (parsed !== undefined && parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
		throw new NodeOperationError(node, 'Properties (JSON) must be a JSON object', {
			itemIndex,
			description: 'Write the properties as an object of names and values, e.g. {"plan": "enterprise", "seats": 12}.',
		});
	}
	const result: IDataObject = { ...((parsed as IDataObject | undefined) ?? {}) };
	const rows = ((ctx.getNodeParameter('propertiesUi', itemIndex, {}) as IDataObject).property ?? []) as IDataObject[];
	rows.forEach((row, index) => {
		const key = String(row.key ?? '').trim();
		if (key === '') {
			throw new NodeOperationError(node, `Property row ${index + 1} has no name`, {
				itemIndex,
				description: 'Fill in the Name of every property row, or remove the empty row.',
			});
		}
		result[key] = row.value as IDataObject[string];
	});
	if (Object.keys(result).length === 0) {
		throw new NodeOperationError(node, 'No properties to update', {
			itemIndex,
			description: 'Add at least one property row, or fill in Properties (JSON) with an object such as {"plan": "enterprise"}.',
		});
	}
	return result;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, {
		read: (itemIndex) => readProperties(this, itemIndex),
		personParameter: 'person',
		act: async (itemIndex, propertiesToSet, personId) => {
			const response = await apiRequest.call(this, {
				method: 'PATCH',
				endpoint: `persons/${encodeURIComponent(personId)}/`,
				body: { properties: propertiesToSet },
				requestClass: 'persons',
				idempotent: true,
				itemIndex,
			});
			return recordItems(
				{ id: personId, accepted: true, statusCode: response.statusCode, properties: propertiesToSet, note: ASYNC_SET_NOTE },
				itemIndex,
			);
		},
	});
}
