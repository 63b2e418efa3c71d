import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { dateText, isIsoDate } from '../../helpers/dates';
import { forEachItem } from '../../helpers/items';
import { emitRecords } from '../../helpers/output';
import { readPersonRef } from '../../helpers/person';
import { checkPersonId, isUuid } from '../../helpers/validation';
import { apiRequest } from '../../transport';
import { outputProperties } from '../descriptions/output';
import { personLocator } from '../descriptions/personLocator';

const properties: INodeProperties[] = [
	{
		...personLocator,
		description:
			'The person whose past properties to get. By distinct ID asks PostHog for the person behind that distinct ID at that time; by ID or from the list uses the person UUID.',
	},
	{
		displayName: 'Timestamp',
		name: 'timestamp',
		type: 'dateTime',
		default: '',
		required: true,
		placeholder: 'e.g. 2025-01-31T12:00:00Z',
		description:
			'Point in time (ISO 8601) at which to rebuild the properties from the $set events before it. Without a time zone, PostHog reads it as UTC.',
	},
	{
		displayName: 'Include Set-Once Properties',
		name: 'includeSetOnce',
		type: 'boolean',
		default: false,
		description: 'Whether to also apply $set_once updates (first values) when rebuilding the properties',
	},
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['getPropertiesAtTime'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The timestamp as PostHog's ISO parser accepts it, or a NodeOperationError. */
export function readTimestamp(ctx: IExecuteFunctions, itemIndex: number): string {
	const text = dateText(ctx.getNodeParameter('timestamp', itemIndex, ''));
	if (!isIsoDate(text)) {
		throw new NodeOperationError(
			ctx.getNode(),
			text === '' ? 'No timestamp given' : `"${text}" is not an ISO 8601 timestamp`,
			{
				itemIndex,
				description: 'Enter a date and time like 2025-01-31T12:00:00Z (or 2025-01-31 for midnight UTC).',
			},
		);
	}
	return text;
}

/** `distinct_id` or `person_id` (a UUID): exactly one, from the Person field. */
async function readIdentifier(ctx: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const node = ctx.getNode();
	const locator = ctx.getNodeParameter('person', itemIndex) as INodeParameterResourceLocator | string;
	let mode = typeof locator === 'object' ? locator.mode : 'id';
	let value = String(typeof locator === 'object' ? (locator.value ?? '') : locator).trim();
	if (mode === 'url') ({ mode, value } = readPersonRef(ctx, itemIndex));
	if (mode === 'distinctId') {
		if (value === '') {
			throw new NodeOperationError(node, 'No distinct ID given', {
				itemIndex,
				description: 'Fill in the Person field with the distinct ID your app sends to PostHog.',
			});
		}
		return { distinct_id: value };
	}
	const id = checkPersonId(node, value, itemIndex);
	if (isUuid(id)) return { person_id: id };
	// properties_at_time takes the UUID only: look the numeric ID up
	const response = await apiRequest.call(ctx, {
		method: 'GET',
		endpoint: `persons/${encodeURIComponent(id)}/`,
		requestClass: 'persons',
		idempotent: true,
		itemIndex,
	});
	const uuid = String(response.body.uuid ?? '');
	if (!isUuid(uuid)) {
		throw new NodeOperationError(node, `PostHog returned no UUID for the person ${id}`, {
			itemIndex,
			description: 'Pick the person from the list or enter its UUID instead of the numeric ID.',
		});
	}
	return { person_id: uuid };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const timestamp = readTimestamp(this, itemIndex);
		const includeSetOnce = this.getNodeParameter('includeSetOnce', itemIndex, false) === true;
		const identifier = await readIdentifier(this, itemIndex);
		const qs: IDataObject = { timestamp, ...identifier };
		if (includeSetOnce) qs.include_set_once = 'true';
		const response = await apiRequest.call(this, {
			method: 'GET',
			endpoint: 'persons/properties_at_time/',
			qs,
			requestClass: 'persons',
			idempotent: true,
			itemIndex,
		});
		return await emitRecords(this, itemIndex, [response.body], 'posthog-person-properties-at-time');
	});
}
