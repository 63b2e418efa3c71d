import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { recordItems } from '../../helpers/items';
import { runPerItem } from '../../helpers/perItem';
import { parseJsonParameter, requiredText } from '../../helpers/validation';
import { apiRequest } from '../../transport';
import { personLocator } from '../descriptions/personLocator';
import { propertyNameLocator } from '../descriptions/pickers';
import { ASYNC_SET_NOTE } from './update.operation';

type ValueType = 'string' | 'number' | 'boolean' | 'json';

const properties: INodeProperties[] = [
	personLocator,
	propertyNameLocator({
		displayName: 'Property Name',
		name: 'propertyKey',
		required: true,
		description:
			'The person property to set: pick it (the list needs the scope property_definition:read) or type its name; it is created if the person does not have it yet',
	}),
	{
		displayName: 'Value Type',
		name: 'valueType',
		type: 'options',
		options: [
			{ name: 'Boolean', value: 'boolean', description: 'True or false' },
			{ name: 'JSON', value: 'json', description: 'Any JSON value: object, list, number, text or null' },
			{ name: 'Number', value: 'number', description: 'A number' },
			{ name: 'String', value: 'string', description: 'Text, sent as is' },
		],
		default: 'string',
		description: 'How the value is sent, so PostHog stores it with the right type',
	},
	{
		displayName: 'Value',
		name: 'stringValue',
		type: 'string',
		default: '',
		placeholder: 'e.g. enterprise',
		description: 'New value of the property (text)',
		displayOptions: { show: { valueType: ['string'] } },
	},
	{
		displayName: 'Value',
		name: 'numberValue',
		type: 'number',
		default: 0,
		description: 'New value of the property (number)',
		displayOptions: { show: { valueType: ['number'] } },
	},
	{
		displayName: 'Value',
		name: 'booleanValue',
		type: 'boolean',
		default: false,
		description: 'Whether the new value of the property is true (on) or false (off)',
		displayOptions: { show: { valueType: ['boolean'] } },
	},
	{
		displayName: 'Value (JSON)',
		name: 'jsonValue',
		type: 'json',
		default: '',
		placeholder: 'e.g. {"seats": 12, "tier": "gold"}',
		description: 'New value of the property as JSON (object, list, number, quoted text, true/false or null)',
		displayOptions: { show: { valueType: ['json'] } },
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['setProperty'] } };

export const description = updateDisplayOptions(displayOptions, properties);

function readValue(ctx: IExecuteFunctions, itemIndex: number): IDataObject[string] {
	const node = ctx.getNode();
	const valueType = ctx.getNodeParameter('valueType', itemIndex, 'string') as ValueType;
	switch (valueType) {
		case 'string':
			return String(ctx.getNodeParameter('stringValue', itemIndex, '') ?? '');
		case 'number': {
			const raw = ctx.getNodeParameter('numberValue', itemIndex, 0) as unknown;
			const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
			if (typeof value !== 'number' || !Number.isFinite(value)) {
				throw new NodeOperationError(node, `Value "${String(raw)}" is not a number`, {
					itemIndex,
					description: 'Enter a number (e.g. 12 or 3.5), or choose another Value Type.',
				});
			}
			return value;
		}
		case 'boolean': {
			const raw = ctx.getNodeParameter('booleanValue', itemIndex, false) as unknown;
			if (typeof raw === 'boolean') return raw;
			if (raw === 'true' || raw === 'false') return raw === 'true';
			throw new NodeOperationError(node, `Value "${String(raw)}" is not a boolean`, {
				itemIndex,
				description: 'Use true or false, or choose another Value Type.',
			});
		}
		case 'json': {
			const raw = ctx.getNodeParameter('jsonValue', itemIndex, '') as unknown;
			if (typeof raw === 'string' && raw.trim() === '') {
				throw new NodeOperationError(node, 'Value (JSON) is empty', {
					itemIndex,
					description: 'Enter a JSON value, e.g. {"seats": 12}, [1, 2], "text", 42, true or null.',
				});
			}
			return parseJsonParameter<IDataObject[string]>(node, raw, 'Value (JSON)', itemIndex);
		}
		default:
			throw new NodeOperationError(node, `"${String(valueType)}" is not a value type`, {
				itemIndex,
				description: 'Set Value Type to String, Number, Boolean or JSON.',
			});
	}
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, {
		read: (itemIndex) => ({
			key: requiredText(
				this,
				'propertyKey',
				itemIndex,
				'No property name given',
				'Fill in Property Name with the name of the person property to set, e.g. plan.',
			),
			value: readValue(this, itemIndex),
		}),
		personParameter: 'person',
		act: async (itemIndex, { key, value }, personId) => {
			const response = await apiRequest.call(this, {
				method: 'POST',
				endpoint: `persons/${encodeURIComponent(personId)}/update_property/`,
				body: { key, value },
				requestClass: 'persons',
				idempotent: true,
				itemIndex,
			});
			return recordItems(
				{ id: personId, accepted: true, statusCode: response.statusCode, key, value, note: ASYNC_SET_NOTE },
				itemIndex,
			);
		},
	});
}
