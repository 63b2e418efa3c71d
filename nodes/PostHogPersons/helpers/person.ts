import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRequest } from '../transport';
import { checkPersonId } from './validation';

/**
 * A person's page in PostHog: `…/person/<distinct ID, URL-encoded>` (how PostHog links persons)
 * or `…/persons/<UUID>`.
 */
export const PERSON_URL_PATTERN = '^\\s*https?://[^\\s]+/(person|persons)/([^/?#\\s]+)';

/** What the Person field names: a numeric ID / UUID, or a distinct ID. */
export interface PersonReference {
	kind: 'id' | 'distinctId';
	value: string;
}

/**
 * The Person field (resource locator) of one item. A URL is read like PostHog builds it:
 * `…/person/<distinct ID>` (URL-encoded) is a distinct ID, `…/persons/<UUID>` an ID.
 */
export function readPersonReference(ctx: IExecuteFunctions, itemIndex: number, parameter = 'person'): PersonReference {
	const locator = ctx.getNodeParameter(parameter, itemIndex) as INodeParameterResourceLocator | string;
	const mode = typeof locator === 'object' ? locator.mode : 'id';
	const value = String(typeof locator === 'object' ? (locator.value ?? '') : locator).trim();
	if (mode === 'distinctId') return { kind: 'distinctId', value };
	if (mode !== 'url') return { kind: 'id', value };
	const match = new RegExp(PERSON_URL_PATTERN).exec(value);
	if (!match) {
		throw new NodeOperationError(ctx.getNode(), `"${value}" is not the address of a person in PostHog`, {
			itemIndex,
			description:
				"Open the person in PostHog and copy the address: it contains /person/ followed by a distinct ID (or /persons/ followed by the UUID), e.g. https://us.posthog.com/project/1/person/user-42.",
		});
	}
	let segment: string;
	try {
		segment = decodeURIComponent(match[2]);
	} catch {
		segment = match[2];
	}
	return { kind: match[1] === 'persons' ? 'id' : 'distinctId', value: segment };
}

/**
 * The `{id}` for `/persons/{id}/...` from the Person field (resource locator): the picked or
 * typed numeric ID / UUID as is; a distinct ID is resolved to the person's UUID with
 * `GET /persons/?distinct_id=` (PostHog's path only accepts IDs and UUIDs).
 */
export async function resolvePersonId(this: IExecuteFunctions, itemIndex: number, parameter = 'person'): Promise<string> {
	const { kind, value } = readPersonReference(this, itemIndex, parameter);
	if (kind !== 'distinctId') return checkPersonId(this.getNode(), value, itemIndex);
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
