import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRequest } from '../transport';
import { checkPersonId } from './validation';

/**
 * The `{id}` for `/persons/{id}/...` from the Person field (resource locator): the picked or
 * typed numeric ID / UUID as is; a distinct ID is resolved to the person's UUID with
 * `GET /persons/?distinct_id=` (PostHog's path only accepts IDs and UUIDs).
 */
export async function resolvePersonId(this: IExecuteFunctions, itemIndex: number, parameter = 'person'): Promise<string> {
	const locator = this.getNodeParameter(parameter, itemIndex) as INodeParameterResourceLocator | string;
	const mode = typeof locator === 'object' ? locator.mode : 'id';
	const value = String(typeof locator === 'object' ? (locator.value ?? '') : locator).trim();
	if (mode !== 'distinctId') return checkPersonId(this.getNode(), value, itemIndex);
	if (value === '') {
		throw new NodeOperationError(this.getNode(), 'No distinct ID given', {
			itemIndex,
			description: 'Fill in the Person field with the distinct ID your app sends to PostHog.',
		});
	}
	const response = await apiRequest.call(this, {
		method: 'GET',
		endpoint: 'persons/',
		qs: { distinct_id: value, limit: 1 },
		requestClass: 'persons',
		idempotent: true,
		itemIndex,
	});
	const person = ((response.body.results as IDataObject[] | undefined) ?? [])[0];
	if (!person) {
		throw new NodeOperationError(this.getNode(), `No person with the distinct ID "${value}" in this project`, {
			itemIndex,
			description: 'Check the distinct ID (it is case-sensitive) and the Project ID of the credential.',
		});
	}
	return String(person.uuid ?? person.id);
}
