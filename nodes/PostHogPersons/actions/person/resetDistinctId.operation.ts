import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { recordItems } from '../../helpers/items';
import { runPerItem } from '../../helpers/perItem';
import { requiredText } from '../../helpers/validation';
import { apiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Distinct ID',
		name: 'distinctId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. user-42',
		description:
			'A distinct ID that belonged to a deleted person. After the reset, new events with this ID create a new person instead of being dropped.',
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['resetDistinctId'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, {
		read: (itemIndex) =>
			requiredText(
				this,
				'distinctId',
				itemIndex,
				'No distinct ID given',
				'Fill in Distinct ID with the distinct ID of the deleted person that should be usable again.',
				{ exact: true },
			),
		act: async (itemIndex, distinctId) => {
			const response = await apiRequest.call(this, {
				method: 'POST',
				endpoint: 'persons/reset_person_distinct_id/',
				body: { distinct_id: distinctId },
				requestClass: 'persons',
				idempotent: true,
				itemIndex,
			});
			return recordItems(
				{
					distinctId,
					reset: true,
					statusCode: response.statusCode,
					note: 'PostHog accepted the reset; new events with this distinct ID create a new person',
				},
				itemIndex,
			);
		},
	});
}
