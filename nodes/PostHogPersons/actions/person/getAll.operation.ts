import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { buildPropertyFilters, propertyFiltersProperty } from '../../helpers/filters';
import { forEachItem } from '../../helpers/items';
import { emitRecords } from '../../helpers/output';
import { requestAllPages } from '../../transport';
import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { cohortLocator } from '../descriptions/pickers';

const properties: INodeProperties[] = [
	...returnAllOrLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [
			cohortLocator({
				displayName: 'Cohort',
				name: 'cohortId',
				description: 'Only persons in this cohort: pick it (the list needs the scope cohort:read), or give its URL or numeric ID',
			}),
			{
				displayName: 'Distinct ID',
				name: 'distinctId',
				type: 'string',
				default: '',
				placeholder: 'e.g. user-42',
				description: 'Only the person who owns this distinct ID (exact match)',
			},
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'e.g. nathan@example.com',
				default: '',
				description: 'Only persons whose email property is exactly this',
			},
			propertyFiltersProperty(
				'propertyFilters',
				'Person Properties',
				false,
				'Only persons whose properties match all these conditions',
			),
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				placeholder: 'e.g. ada@',
				description: 'Matches email, name, person ID or distinct ID; partial values allowed',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10000 },
				default: 1000,
				description: 'Persons per request to PostHog (larger pages need fewer requests)',
			},
		],
	},
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['getAll'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** Query string of the list endpoint from the Filters collection. */
export function listFilters(filters: IDataObject): IDataObject {
	const qs: IDataObject = {};
	if (filters.search) qs.search = String(filters.search);
	if (filters.distinctId) qs.distinct_id = String(filters.distinctId);
	if (filters.email) qs.email = String(filters.email);
	const propertyFilters = buildPropertyFilters(filters.propertyFilters as IDataObject, 'person');
	if (filters.cohortId) {
		propertyFilters.push({ key: 'id', value: Number(filters.cohortId), type: 'cohort', operator: 'in' });
	}
	if (propertyFilters.length > 0) qs.properties = JSON.stringify(propertyFilters);
	return qs;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
		const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		if (filters.cohortId !== undefined) filters.cohortId = this.getNodeParameter('filters.cohortId', itemIndex, '', { extractValue: true }) as string;
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const pageSize = Number(options.pageSize ?? 1000);
		const persons = await requestAllPages.call(
			this,
			{
				method: 'GET',
				endpoint: 'persons/',
				qs: { ...listFilters(filters), limit: limit === undefined ? pageSize : Math.min(limit, pageSize) },
				requestClass: 'persons',
				idempotent: true,
				itemIndex,
			},
			{ maxRecords: limit, dedupeKey: 'uuid' },
		);
		return await emitRecords(this, itemIndex, persons, 'posthog-persons');
	});
}
