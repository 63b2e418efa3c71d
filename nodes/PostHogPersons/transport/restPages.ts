import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRequest } from './request';
import { getSession } from './session';
import type { ApiRequest, PostHogContext } from './types';
import { resolveUrl } from './urls';

export interface RestPage {
	/** The page's records (`results`), without records already yielded when `dedupeKey` is set. */
	records: IDataObject[];
	/** The whole answer of the page. */
	body: IDataObject;
}

/**
 * Follows PostHog's `next` links (limit/offset pages of persons, activity, deletion status) and
 * yields each page as it arrives. Never stops on a short page (PostHog issue #24787: pages can
 * hold fewer rows than `limit` while more follow); stops when `next` is empty or the page is
 * empty. A `next` that points to another origin or does not advance is an error.
 * Stop early by leaving the `for await` loop.
 */
export async function* restPages(
	this: PostHogContext,
	first: ApiRequest,
	options: { dedupeKey?: string } = {},
): AsyncGenerator<RestPage> {
	const seen = options.dedupeKey ? new Set<unknown>() : undefined;
	const visited = new Set<string>();
	let read = 0;
	let request: ApiRequest = first;
	for (;;) {
		const response = await apiRequest.call(this, request);
		const body = (response.body ?? {}) as IDataObject;
		const page = (body.results as IDataObject[] | undefined) ?? [];
		let records = page;
		if (seen) {
			records = page.filter((record) => {
				const key = record[options.dedupeKey as string];
				if (key === undefined || key === null) return true;
				if (seen.has(key)) return false;
				seen.add(key);
				return true;
			});
		}
		read += records.length;
		yield { records, body };
		const next = typeof body.next === 'string' && body.next !== '' ? body.next : undefined;
		if (!next || page.length === 0) return;
		const session = await getSession(this);
		const nextUrl = resolveUrl(session, next).toString();
		if (visited.has(nextUrl)) {
			throw new NodeOperationError(session.node, 'PostHog returned a "next" link that does not advance', {
				description: `The link ${new URL(nextUrl).pathname}${new URL(nextUrl).search} was already fetched; stopping to avoid an endless loop. ${read} records were read.`,
				itemIndex: first.itemIndex,
			});
		}
		visited.add(nextUrl);
		request = { ...first, endpoint: nextUrl, qs: undefined };
	}
}

export interface PageOptions {
	/** Stop once this many records were collected (undefined = all). */
	maxRecords?: number;
	/** Key that identifies a record; repeated records (offset paging is not snapshot-consistent) are dropped. */
	dedupeKey?: string;
}

/** All records of `restPages`, or the first `maxRecords`. */
export async function requestAllPages(
	this: PostHogContext,
	first: ApiRequest,
	options: PageOptions = {},
): Promise<IDataObject[]> {
	const records: IDataObject[] = [];
	for await (const page of restPages.call(this, first, { dedupeKey: options.dedupeKey })) {
		for (const record of page.records) {
			records.push(record);
			if (options.maxRecords !== undefined && records.length >= options.maxRecords) return records;
		}
	}
	return records;
}
