import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, updateDisplayOptions } from 'n8n-workflow';

import { propertyFiltersProperty } from '../../helpers/filters';
import { forEachItem, withItemIndex } from '../../helpers/items';
import { emitRecordPages, outputFormat } from '../../helpers/output';
import { pageSizeOption, readLimit, readLocator } from '../../helpers/parameters';
import { SHIFT_WINDOWS } from '../../helpers/shiftCheck';
import type { RecordPage } from '../../helpers/recordPages';
import { mapPage } from '../../helpers/recordPages';
import { simplifyPerson } from '../../helpers/simplify';
import { cohortIdOf } from '../../helpers/validation';
import { DEFAULT_QUERY_PAGE_SIZE, MAX_QUERY_PAGE_SIZE } from '../../transport';
import { outputProperties, returnAllOrLimit, simplifyProperty } from '../descriptions/output';
import { cohortLocator } from '../descriptions/pickers';
import type { QueryListStats } from './personsQuery';
import { newQueryListStats, queryPersonPages } from './personsQuery';
import type { GapCheckStats } from './personsRest';
import { MAX_REREADS, newGapCheckStats, restPersonPages } from './personsRest';

type ListVia = 'auto' | 'query' | 'rest';

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
	simplifyProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'List Through',
				name: 'listVia',
				type: 'options',
				options: [
					{
						name: 'Automatic',
						value: 'auto',
						description: "The Query API; the persons list when the API key lacks the scope query:read",
					},
					{
						name: 'Query API',
						value: 'query',
						description: 'POST query/ with an ActorsQuery (scope query:read): every person exactly once',
					},
					{
						name: 'Persons List',
						value: 'rest',
						description:
							'GET persons/ (scope person:read), with a gap check for pages PostHog returns short; warns when it cannot prove nobody is missing',
					},
				],
				default: 'auto',
				description: 'Which PostHog API lists the persons',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_QUERY_PAGE_SIZE },
				default: DEFAULT_QUERY_PAGE_SIZE,
				description:
					'Persons per request to PostHog (up to 50,000). Larger pages need fewer requests; each page is held in memory while it is processed.',
			},
		],
	},
	...outputProperties,
];

const displayOptions = { show: { resource: ['person'], operation: ['getAll'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** A 403 because the API key lacks `query:read` (then Automatic lists through the persons list). */
function lacksQueryScope(error: unknown): boolean {
	return error instanceof NodeApiError && error.httpCode === '403' && /query:read/.test(`${error.message} ${error.description ?? ''}`);
}

/** Executions in which the key turned out to lack `query:read` (asked once per execution). */
const withoutQueryScope = new WeakSet<object>();

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const totals = { fellBack: false, rest: newGapCheckStats(), query: newQueryListStats() };
	const output = await forEachItem.call(this, items, async (itemIndex) => {
		const maxRows = readLimit(this, itemIndex);
		const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		if (filters.cohortId !== undefined) filters.cohortId = cohortIdOf(this.getNode(), readLocator(this, 'filters.cohortId', itemIndex), itemIndex);
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const simplify = this.getNodeParameter('simplify', itemIndex, false) as boolean;
		const pageSize = pageSizeOption(options);
		const via = (options.listVia ?? 'auto') as ListVia;
		// item output: speed over memory (see QueryPageOptions.readAhead); CSV: one page at a time
		const paging = { pageSize, maxRows, itemIndex, readAhead: outputFormat(this, itemIndex) === 'items' };
		const queryStats: QueryListStats = newQueryListStats();
		const restStats: GapCheckStats = newGapCheckStats();
		let usedRest = via === 'rest' || (via === 'auto' && withoutQueryScope.has(this));

		async function* pages(this: IExecuteFunctions): AsyncGenerator<RecordPage> {
			if (!usedRest) {
				const viaQuery = queryPersonPages.call(this, filters, paging, queryStats);
				let first: IteratorResult<RecordPage>;
				try {
					first = await viaQuery.next();
				} catch (error) {
					if (via !== 'auto' || !lacksQueryScope(error)) throw withItemIndex(this, error, itemIndex);
					withoutQueryScope.add(this);
					usedRest = true;
				}
				if (!usedRest) {
					if (first!.done) return;
					yield first!.value;
					yield* viaQuery;
					return;
				}
			}
			yield* restPersonPages.call(this, filters, paging, restStats);
		}
		async function* simplified(this: IExecuteFunctions): AsyncGenerator<RecordPage> {
			for await (const page of pages.call(this)) yield simplify ? mapPage(page, simplifyPerson) : page;
		}

		const result = await emitRecordPages(this, itemIndex, simplified.call(this), 'posthog-persons', () =>
			usedRest ? { listedThrough: 'persons list', gapCheck: { ...restStats } } : { listedThrough: 'query', shiftCheck: { ...queryStats.shiftCheck } },
		);
		if (usedRest && via === 'auto') totals.fellBack = true;
		for (const key of Object.keys(restStats) as Array<keyof GapCheckStats>) totals.rest[key] += restStats[key];
		totals.query.missing += queryStats.missing;
		for (const key of Object.keys(queryStats.shiftCheck) as Array<keyof QueryListStats['shiftCheck']>) totals.query.shiftCheck[key] += queryStats.shiftCheck[key];
		return result;
	});
	addNotices(this, totals);
	return output;
}

function addNotices(ctx: IExecuteFunctions, totals: { fellBack: boolean; rest: GapCheckStats; query: QueryListStats }) {
	const { rest, query } = totals;
	if (rest.unproven > 0) {
		ctx.addExecutionHints({
			type: 'warning',
			location: 'outputPane',
			message: `PostHog's persons list returned ${rest.shortPages} page(s) with fewer persons than requested; ${rest.unproven} of them stayed incomplete after ${MAX_REREADS} re-reads each, so up to ${rest.possiblyMissing} person(s) may be missing. Give the API key the scope query:read so the node lists through the Query API, which does not lose persons.`,
		});
	} else if (totals.fellBack) {
		const repaired = rest.shortPages > 0 ? ` ${rest.shortPages} short page(s) were re-read and proven complete.` : '';
		ctx.addExecutionHints({
			type: 'info',
			location: 'outputPane',
			message: `Listed through PostHog's persons list because the API key lacks the scope query:read.${repaired} Add query:read for the Query API, which lists every person exactly once with fewer requests.`,
		});
	}
	const { shiftCheck } = query;
	if (shiftCheck.unproven > 0) {
		ctx.addExecutionHints({
			type: 'warning',
			location: 'outputPane',
			message: `Persons were deleted or merged while the node paged through PostHog's Query API: ${shiftCheck.shiftedPages} page(s) started after persons not yet output, and ${shiftCheck.unproven} of them could not be proven complete after ${SHIFT_WINDOWS} re-reads each, so persons may be missing. ${shiftCheck.recovered} person(s) were found again and output. Run Get Many again when fewer persons are being deleted.`,
		});
	}
	if (query.missing > 0) {
		ctx.addExecutionHints({
			type: 'info',
			location: 'outputPane',
			message: `${query.missing} person(s) PostHog is still deleting were listed by its query but could no longer be loaded; they are not in the output.`,
		});
	}
}
