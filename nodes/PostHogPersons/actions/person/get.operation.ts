import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { emitRecords } from '../../helpers/output';
import { resolvePersonId } from '../../helpers/person';
import { personOutput } from '../../helpers/simplify';
import { apiRequest } from '../../transport';
import { outputProperties, simplifyProperty } from '../descriptions/output';
import { personLocator } from '../descriptions/personLocator';

const properties: INodeProperties[] = [personLocator, simplifyProperty, ...outputProperties];

const displayOptions = { show: { resource: ['person'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const personId = await resolvePersonId.call(this, itemIndex);
		const response = await apiRequest.call(this, {
			method: 'GET',
			endpoint: `persons/${encodeURIComponent(personId)}/`,
			requestClass: 'persons',
			idempotent: true,
			itemIndex,
		});
		return await emitRecords(this, itemIndex, [personOutput(this, itemIndex, response.body)], 'posthog-person');
	});
}
