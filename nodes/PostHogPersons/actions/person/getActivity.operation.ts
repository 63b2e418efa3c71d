import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../helpers/items';
import { emitRecordPages } from '../../helpers/output';
import { readLimit } from '../../helpers/parameters';
import { resolvePersonId } from '../../helpers/person';
import { restPages } from '../../transport';
import { outputProperties, returnAllOrLimit } from '../descriptions/output';
import { personLocator } from '../descriptions/personLocator';

/**
 * Activity entries per request: PostHog's default page is only 10, and it sets no maximum. A page
 * of 1000 entries is about 0.4 MB; fewer requests mean less waiting under PostHog Cloud's rate
 * limit for person reads, and less of n8n's cost per request.
 */
export const ACTIVITY_PAGE_SIZE = 1000;

const properties: INodeProperties[] = [
	{
		displayName: 'Activity Of',
		name: 'activityOf',
		type: 'options',
		options: [
			{
				name: 'All Persons',
				value: 'all',
				description: 'The activity log of every person in the project',
			},
			{
				name: 'One Person',
				value: 'person',
				description: 'The activity log of one person',
			},
		],
		default: 'person',
		description:
			'Whose changes to list: updates, property deletions, splits, merges and deletions, newest first. Needs the scope activity_log:read.',
	},
	{
		...personLocator,
		displayOptions: { show: { activityOf: ['person'] } },
	},
	...returnAllOrLimit,
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['getActivity'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const activityOf = this.getNodeParameter('activityOf', itemIndex, 'person') as string;
		const limit = readLimit(this, itemIndex);
		let endpoint = 'persons/activity/';
		let personId: string | undefined;
		if (activityOf !== 'all') {
			personId = await resolvePersonId.call(this, itemIndex);
			endpoint = `persons/${encodeURIComponent(personId)}/activity/`;
		}
		const first = {
			method: 'GET' as const,
			endpoint,
			qs: { page: 1, limit: limit === undefined ? ACTIVITY_PAGE_SIZE : Math.min(limit, ACTIVITY_PAGE_SIZE) },
			requestClass: 'persons' as const,
			idempotent: true,
			itemIndex,
		};
		// pages as they arrive (a CSV file is written page by page), up to Limit entries
		async function* pages(this: IExecuteFunctions): AsyncGenerator<IDataObject[]> {
			let left = limit ?? Infinity;
			for await (const page of restPages.call(this, first, { dedupeKey: 'id' })) {
				const records = page.records.length > left ? page.records.slice(0, left) : page.records;
				left -= records.length;
				yield records;
				if (left <= 0) return;
			}
		}
		return await emitRecordPages(this, itemIndex, pages.call(this), 'posthog-person-activity', () => (personId ? { personId } : {}));
	});
}
