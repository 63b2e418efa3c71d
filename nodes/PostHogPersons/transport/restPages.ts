import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { IdSet } from '../helpers/idSet';
import { PageBuffer } from './body';
import { apiRequest } from './request';
import type { Session } from './session';
import { getSession } from './session';
import type { ApiRequest, PostHogContext } from './types';
import { nextLinkUrl, resolveUrl } from './urls';

/** Most pages one paging follows (100 million records at 1000 per page). */
export const MAX_PAGES = 100_000;
/** Pages in a row that may add no new record (offset paging shifts while persons are created) before paging stops. */
export const MAX_PAGES_WITHOUT_PROGRESS = 3;

/**
 * The keys of the records a paging has yielded: text keys (person UUIDs, activity entry IDs) in an
 * IdSet, 16 bytes per UUID instead of a string each, so a paging of a million records keeps a few
 * MB; any other key as it is.
 */
class RecordKeys {
	private readonly text = new IdSet();
	private readonly other = new Set<unknown>();

	/** Whether `key` is new (it is remembered from now on). */
	firstSight(key: unknown): boolean {
		if (typeof key === 'string') {
			if (this.text.has(key)) return false;
			this.text.add(key);
		} else {
			if (this.other.has(key)) return false;
			this.other.add(key);
		}
		return true;
	}
}

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
 * empty. Stops with an error when a link leaves the origin or the path paging started on, when
 * a link was already fetched or its offset does not grow, when MAX_PAGES_WITHOUT_PROGRESS pages
 * in a row add no new record (with `dedupeKey`), or after MAX_PAGES pages.
 * Stop early by leaving the `for await` loop.
 */
export async function* restPages(
	this: PostHogContext,
	first: ApiRequest,
	options: { dedupeKey?: string } = {},
): AsyncGenerator<RestPage> {
	const session = await getSession(this);
	const firstUrl = resolveUrl(session, first.endpoint);
	const expectFields = [...new Set([...(first.expectFields ?? []), 'results'])];
	const seen = options.dedupeKey ? new RecordKeys() : undefined;
	const visited = new Set<string>();
	let offset = Number(first.qs?.offset ?? firstUrl.searchParams.get('offset') ?? 0);
	let read = 0;
	let pages = 0;
	let withoutProgress = 0;
	// every page's bytes go into the same buffer: a page is parsed whole before the next is asked
	// for (unless its rows are parsed later, see ApiRequest.deferResults)
	const pageBuffer = first.deferResults ? undefined : new PageBuffer();
	let request: ApiRequest = { ...first, expectFields, pageBuffer };
	for (;;) {
		const response = await apiRequest.call(this, request);
		const body = response.body;
		const page = body.results;
		if (!Array.isArray(page)) throw pagingError(session, first, read, 'PostHog answered a page whose "results" is not a list');
		pages++;
		let records = page as IDataObject[];
		if (seen) {
			records = records.filter((record) => {
				const key = record?.[options.dedupeKey as string];
				return key === undefined || key === null || seen.firstSight(key);
			});
			withoutProgress = page.length > 0 && records.length === 0 ? withoutProgress + 1 : 0;
			if (withoutProgress >= MAX_PAGES_WITHOUT_PROGRESS) {
				throw pagingError(session, first, read, `PostHog returned ${withoutProgress} pages in a row holding only records already read`);
			}
		}
		read += records.length;
		yield { records, body };
		const next = typeof body.next === 'string' && body.next !== '' ? body.next : undefined;
		if (!next || page.length === 0) return;
		if (pages >= MAX_PAGES) throw pagingError(session, first, read, `Paging stopped after ${MAX_PAGES} pages`);
		const nextUrl = nextLinkUrl(session, next, firstUrl, first.itemIndex);
		const key = nextUrl.toString();
		const nextOffset = nextUrl.searchParams.get('offset');
		if (visited.has(key) || (nextOffset !== null && !(Number(nextOffset) > offset))) {
			throw pagingError(session, first, read, 'PostHog returned a "next" link that does not advance', `${nextUrl.pathname}${nextUrl.search}`);
		}
		visited.add(key);
		if (nextOffset !== null) offset = Number(nextOffset);
		request = { ...first, expectFields, pageBuffer, endpoint: key, qs: undefined };
	}
}

function pagingError(session: Session, first: ApiRequest, read: number, message: string, link?: string): NodeOperationError {
	const linkText = link ? `The link ${link} was already fetched or goes back. ` : '';
	return new NodeOperationError(session.node, message, {
		description: `${linkText}Stopping to avoid an endless loop after ${read} records. Try again later; if it persists, a proxy between n8n and PostHog may be rewriting the answers.`,
		itemIndex: first.itemIndex,
	});
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
