import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { emitRecords } from '../../helpers/output';
import { resolvePersonId } from '../../helpers/person';
import { apiRequest } from '../../transport';
import { outputProperties } from '../descriptions/output';
import { personLocator } from '../descriptions/personLocator';

const properties: INodeProperties[] = [
	{
		...personLocator,
		description:
			'The person whose cohorts to get. Needs the scopes person:read and cohort:read. PostHog looks membership up in the project the API key\'s user last used, so use a key whose user works in this project.',
	},
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['getCohorts'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const personId = await resolvePersonId.call(this, itemIndex);
		const response = await apiRequest.call(this, {
			method: 'GET',
			endpoint: 'persons/cohorts/',
			qs: { person_id: personId },
			requestClass: 'persons',
			idempotent: true,
			itemIndex,
		});
		const body = response.body as IDataObject | IDataObject[];
		const cohorts = Array.isArray(body) ? body : ((body.results as IDataObject[] | undefined) ?? []);
		return await emitRecords(this, itemIndex, cohorts, 'posthog-person-cohorts', { personId });
	});
}
