import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { postHogApiError } from './errors';
import { apiRequest } from './request';
import { getSession } from './session';

/** Answer of `POST /query/` for an ActorsQuery. */
export interface ActorsQueryResponse extends IDataObject {
	columns: string[];
	results: unknown[][];
	hasMore?: boolean;
	limit?: number;
	offset?: number;
	missing_actors_count?: number;
}

/** One page of an ActorsQuery (or all pages, from `queryAllPages`). */
export interface QueryPagesResult {
	columns: string[];
	rows: unknown[][];
	missingActorsCount: number;
}

export interface QueryPageOptions {
	pageSize: number;
	/** Stop once this many rows were yielded (undefined = all). */
	maxRows?: number;
	/** `blocking` or `force_blocking` (Bypass Cache). */
	refresh: string;
	itemIndex: number;
	/** Name of the query in PostHog's query log. */
	name?: string;
}

/**
 * Runs an ActorsQuery with limit/offset paging (`offset += limit` while `hasMore`), keeping the
 * rest of the query identical across pages, and yields each page as it arrives. Asynchronous
 * answers (202 with `query_status`) are polled with `GET /query/:id/` until complete, within the
 * node's "Max Wait". Stop early by leaving the `for await` loop.
 */
export async function* queryPages(
	this: IExecuteFunctions,
	query: IDataObject,
	options: QueryPageOptions,
): AsyncGenerator<QueryPagesResult> {
	let yielded = 0;
	let columns: string[] = [];
	let offset = Number(query.offset ?? 0);
	for (;;) {
		const remaining =
			options.maxRows === undefined ? options.pageSize : Math.min(options.pageSize, options.maxRows - yielded);
		const response = await runQuery.call(this, { ...query, limit: remaining, offset }, options);
		columns = response.columns ?? columns;
		const rows = response.results ?? [];
		yielded += rows.length;
		yield { columns, rows, missingActorsCount: Number(response.missing_actors_count ?? 0) };
		if (response.hasMore !== true || rows.length === 0) return;
		if (options.maxRows !== undefined && yielded >= options.maxRows) return;
		offset = Number(response.offset ?? offset) + Number(response.limit ?? remaining);
	}
}

/** All rows of `queryPages`, collected. */
export async function queryAllPages(
	this: IExecuteFunctions,
	query: IDataObject,
	options: QueryPageOptions,
): Promise<QueryPagesResult> {
	const rows: unknown[][] = [];
	let columns: string[] = [];
	let missingActorsCount = 0;
	for await (const page of queryPages.call(this, query, options)) {
		columns = page.columns;
		for (const row of page.rows) rows.push(row);
		missingActorsCount += page.missingActorsCount;
	}
	return { columns, rows, missingActorsCount };
}

async function runQuery(
	this: IExecuteFunctions,
	query: IDataObject,
	options: { refresh: string; itemIndex: number; name?: string },
): Promise<ActorsQueryResponse> {
	const body: IDataObject = { query, refresh: options.refresh };
	if (options.name) body.name = options.name;
	const response = await apiRequest.call(this, {
		method: 'POST',
		endpoint: 'query/',
		body,
		requestClass: 'query',
		idempotent: true,
		itemIndex: options.itemIndex,
	});
	if (response.statusCode === 202 || (response.body.query_status as IDataObject | undefined)?.complete === false) {
		return await pollQuery.call(this, response.body.query_status as IDataObject, options.itemIndex);
	}
	return response.body as ActorsQueryResponse;
}

async function pollQuery(this: IExecuteFunctions, status: IDataObject, itemIndex: number): Promise<ActorsQueryResponse> {
	const session = await getSession(this);
	const id = String(status?.id ?? '');
	if (!id) {
		throw new NodeOperationError(session.node, 'PostHog answered 202 without a query id to poll', { itemIndex });
	}
	const deadline = Date.now() + session.settings.maxWaitSeconds * 1000;
	let delay = 500;
	for (;;) {
		const response = await apiRequest.call(this, {
			method: 'GET',
			endpoint: `query/${encodeURIComponent(id)}/`,
			requestClass: 'query',
			idempotent: true,
			itemIndex,
		});
		const current = (response.body.query_status ?? {}) as IDataObject;
		if (current.complete === true) {
			if (current.error) {
				throw postHogApiError(session.node, {
					statusCode: 400,
					body: { detail: current.error_message ?? 'The query failed in PostHog' },
					method: 'GET',
					path: `${session.projectPath}query/${id}/`,
					itemIndex,
				});
			}
			return current.results as ActorsQueryResponse;
		}
		if (Date.now() + delay > deadline) {
			throw new NodeOperationError(session.node, `The PostHog query ${id} did not finish within the Max Wait`, {
				description: 'Raise "Max Wait" under Request Options, or narrow the query.',
				itemIndex,
			});
		}
		await sleep(delay);
		delay = Math.min(5000, Math.round(delay * 1.5));
	}
}
