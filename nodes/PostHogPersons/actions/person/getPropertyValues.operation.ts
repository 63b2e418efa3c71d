import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { requiredText } from '../../helpers/validation';
import { emitRecords } from '../../helpers/output';
import { apiRequest } from '../../transport';
import { outputProperties } from '../descriptions/output';
import { propertyNameLocator } from '../descriptions/pickers';

const properties: INodeProperties[] = [
	propertyNameLocator({
		displayName: 'Property Name',
		name: 'propertyKey',
		required: true,
		description:
			'The person property whose values to list, each with the number of persons that have it: pick it (the list needs the scope property_definition:read) or type its name. Unknown and restricted properties give no values.',
	}),
	{
		displayName: 'Value Contains',
		name: 'valueContains',
		type: 'string',
		default: '',
		placeholder: 'e.g. enter',
		description: 'Only values that contain this text (case-insensitive). Leave empty for all values.',
	},
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['getPropertyValues'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const key = requiredText(
			this,
			'propertyKey',
			itemIndex,
			'No property name given',
			'Fill in Property Name with the person property whose values to list, e.g. plan.',
		);
		const contains = String(this.getNodeParameter('valueContains', itemIndex, '') ?? '');
		const qs: IDataObject = { key };
		if (contains !== '') qs.value = contains;
		const response = await apiRequest.call(this, {
			method: 'GET',
			endpoint: 'persons/values/',
			qs,
			requestClass: 'persons',
			idempotent: true,
			itemIndex,
		});
		// current PostHog: {results: [{name, count}], refreshing}; 2024/25 and older: a bare array
		const body = response.body as IDataObject | IDataObject[];
		const values = Array.isArray(body) ? body : ((body.results as IDataObject[] | undefined) ?? []);
		const extra: IDataObject = { key };
		if (!Array.isArray(body) && typeof body.refreshing === 'boolean') extra.refreshing = body.refreshing;
		return await emitRecords(this, itemIndex, values, 'posthog-person-property-values', extra);
	});
}
