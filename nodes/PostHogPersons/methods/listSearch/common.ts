import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ApiResponse, RequestClass } from '../../transport';
import { CREDENTIAL_TYPE, apiRequest, postHogBaseUrl } from '../../transport';

/**
 * Shared by the "From List" searches: one request per page, a clear message when the API key
 * lacks the scope a list needs, links that open each entry in PostHog, local paging for
 * answers that come whole.
 */

export const PAGE_SIZE = 50;

/** The query of one page of a searched list: `limit`, `offset` from the token, `search` when given. */
export function pageQuery(filter: string | undefined, paginationToken: string | undefined, extra: IDataObject = {}): { offset: number; qs: IDataObject } {
	const offset = pageOffset(paginationToken);
	const qs: IDataObject = { ...extra, limit: PAGE_SIZE, offset };
	if (filter && filter.trim() !== '') qs.search = filter.trim();
	return { offset, qs };
}

export function pageOffset(paginationToken?: string): number {
	const offset = Number(paginationToken ?? 0);
	return Number.isInteger(offset) && offset > 0 ? offset : 0;
}

/** A GET for a list; a 403 for a missing scope says which scope to add and what the list shows. */
export async function listRequest(
	ctx: ILoadOptionsFunctions,
	endpoint: string,
	qs: IDataObject | undefined,
	what: string,
	requestClass: RequestClass = 'persons',
): Promise<ApiResponse> {
	try {
		return await apiRequest.call(ctx, { method: 'GET', endpoint, qs, requestClass, idempotent: true });
	} catch (error) {
		throw scopeError(ctx, error, what);
	}
}

/** A missing-scope 403 as an error that names the scope the list needs; other errors unchanged. */
export function scopeError(ctx: ILoadOptionsFunctions, error: unknown, what: string): unknown {
	if (!(error instanceof NodeApiError) || error.httpCode !== '403') return error;
	const scope = /missing required scope '([^']+)'/.exec(error.message)?.[1];
	if (!scope) return error;
	return new NodeOperationError(ctx.getNode(), `The API key lacks the scope ${scope}, which the list of ${what} needs`, {
		description: `Add the scope "${scope}" to the personal API key in PostHog (Settings → User → Personal API keys → edit the key), or type the value instead of picking it from the list.`,
	});
}

/** `https://<host>/project/<id>` for links to PostHog's pages, or undefined (project "@current"). */
export async function projectAppUrl(ctx: ILoadOptionsFunctions): Promise<string | undefined> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const projectId = String(credentials.projectId ?? '').trim();
	if (!/^\d+$/.test(projectId)) return undefined;
	try {
		return `${postHogBaseUrl(credentials)}/project/${projectId}`;
	} catch {
		return undefined;
	}
}

/** Whether an entry matches the search text (case-insensitive, any of the texts). */
export function matches(filter: string | undefined, ...texts: unknown[]): boolean {
	const needle = (filter ?? '').trim().toLowerCase();
	if (needle === '') return true;
	return texts.some((text) => text !== undefined && text !== null && String(text).toLowerCase().includes(needle));
}

/** A page of entries that PostHog sent all at once (actions, path nodes). */
export function localPage(entries: INodeListSearchItems[], paginationToken?: string, size = 100): INodeListSearchResult {
	const offset = pageOffset(paginationToken);
	const results = entries.slice(offset, offset + size);
	return { results, paginationToken: offset + size < entries.length ? String(offset + size) : undefined };
}

/** The token of the next page of a limit/offset list: while PostHog has a `next` link. */
export function nextToken(body: IDataObject, offset: number, size = PAGE_SIZE): string | undefined {
	return typeof body.next === 'string' && body.next !== '' ? String(offset + size) : undefined;
}
