import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { wait } from './abort';
import { PageBuffer } from './body';
import { postHogApiError } from './errors';
import { apiRequest } from './request';
import type { Session } from './session';
import { cancelSignal, getSession } from './session';

/** Most rows PostHog returns per query page. */
export const MAX_QUERY_PAGE_SIZE = 50_000;
/** Rows per query page unless the user chooses another Page Size. */
export const DEFAULT_QUERY_PAGE_SIZE = 1000;
/** Most pages one query paging fetches (10 million persons at the default page size of 1000). */
export const MAX_QUERY_PAGES = 10_000;

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

/**
 * The rows of one page of `queryPages`, parsed one by one as they are read (a large answer is split
 * row by row, see json.ts): reading a page row by row keeps a few rows in memory, not the page.
 * `length` is known before any row is parsed.
 */
export interface PageRows extends Iterable<unknown[]> {
	readonly length: number;
}

/** One page of `queryPages`: where its rows start, and the row before them when asked (`overlap`). */
export interface QueryPage {
	columns: string[];
	rows: PageRows;
	missingActorsCount: number;
	/** Offset of the first row of `rows`. */
	offset: number;
	/** Whether the page was asked from one row earlier (`overlap` option, every page but the first). */
	overlapped: boolean;
	/** The row at `offset − 1` when overlapped and PostHog had one (not in `rows`). */
	overlap?: unknown[];
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
	/**
	 * From the second page on, ask one row earlier (offset − 1, limit + 1) and hand that row over as
	 * `overlap`: it should be the last row of the previous page unless rows shifted between pages.
	 */
	overlap?: boolean;
	/**
	 * Speed over memory (for item output, where n8n keeps every item anyway): ask for the next page
	 * before this page's rows are read. Without it (CSV output) one page is asked for, read and
	 * handled at a time.
	 */
	readAhead?: boolean;
}

/**
 * Runs an ActorsQuery with limit/offset paging (`offset += limit` while `hasMore`), keeping the
 * rest of the query identical across pages, and yields each page as it arrives. Asynchronous
 * answers (202 with `query_status`) are polled with `GET /query/:id/` until complete, within the
 * node's "Max Wait". Stops with an error when PostHog answers another offset than asked, says
 * more rows follow but sends none, or after MAX_QUERY_PAGES pages.
 * With `overlap`, every page but the first is asked from one row earlier; with `readAhead`, the next
 * page is asked for before this one is handed over (see QueryPageOptions).
 * Stop early by leaving the `for await` loop.
 */
export async function* queryPages(
	this: IExecuteFunctions,
	query: IDataObject,
	options: QueryPageOptions,
): AsyncGenerator<QueryPage> {
	const session = await getSession(this);
	// one page at a time: every page's bytes go into the same buffer (read ahead: two pages at once)
	const pageBuffer = options.readAhead ? undefined : new PageBuffer();
	let yielded = 0;
	let pages = 0;
	let asked = pageAsked(options, 0, Number(query.offset ?? 0), 0);
	let next: Promise<QueryAnswer> | undefined = runQuery.call(this, session, { ...query, ...asked.range }, options, pageBuffer);
	let later: (() => Promise<QueryAnswer>) | undefined;
	while (next) {
		const current = asked;
		const answer = await next;
		const response = answer.body;
		next = undefined;
		const rowCount = current.overlapped ? Math.max(0, answer.rowCount - 1) : answer.rowCount;
		pages++;
		yielded += rowCount;
		let failure: NodeOperationError | undefined;
		if (response.hasMore === true && !(options.maxRows !== undefined && yielded >= options.maxRows)) {
			if (echoesOtherOffset(response, current.range.offset)) {
				// not the rows asked for: not handed over (the shift check would re-read on their account)
				throw queryError(session, options, undefined, `PostHog answered the page at offset ${String(response.offset)} when asked for offset ${current.range.offset}`);
			} else if (rowCount === 0) {
				failure = queryError(session, options, yielded, 'PostHog said more persons follow (hasMore) but sent none');
			} else if (pages >= MAX_QUERY_PAGES) {
				failure = queryError(session, options, yielded, `Paging stopped after ${MAX_QUERY_PAGES} pages`);
			} else {
				const step = Number(response.limit);
				asked = pageAsked(options, pages, current.range.offset + (Number.isFinite(step) && step > 0 ? step : current.range.limit), yielded);
				const { range } = asked;
				later = async () => await runQuery.call(this, session, { ...query, ...range }, options, pageBuffer);
				if (options.readAhead) {
					// one page ahead: the next page is asked for before this one's rows are parsed and
					// handled. Two turns of the event loop let the request actually leave first: n8n's
					// request path opens a connection in the first and writes the request when it is
					// connected, in the second (after one turn only, the write waited for this page's
					// parsing and items)
					next = later();
					later = undefined;
					next.catch(() => undefined);
					await sleep(0);
					await sleep(0);
				}
			}
		}
		const overlap = current.overlapped && answer.rowCount > 0 ? answer.row(0) : undefined;
		const rows = new AnswerRows(answer, current.overlapped ? 1 : 0);
		yield new AnswerPage(response.columns, rows, Number(response.missing_actors_count ?? 0), current.offset, current.overlapped, overlap);
		if (failure) throw failure;
		if (later) {
			next = later();
			later = undefined;
		}
	}
}

/** The offset and limit to ask for the page at `offset` (one row earlier when overlapping). */
function pageAsked(options: QueryPageOptions, pages: number, offset: number, yielded: number) {
	const limit = options.maxRows === undefined ? options.pageSize : Math.min(options.pageSize, options.maxRows - yielded);
	const overlapped = options.overlap === true && pages > 0 && offset > 0;
	const range = overlapped ? { offset: offset - 1, limit: Math.min(limit + 1, MAX_QUERY_PAGE_SIZE) } : { offset, limit };
	return { offset, overlapped, range };
}

/**
 * One ActorsQuery page at an explicit offset and limit (a re-read), with the same checks as
 * `queryPages`: PostHog must answer the offset asked.
 */
export async function queryPage(
	this: IExecuteFunctions,
	query: IDataObject,
	page: { offset: number; limit: number },
	options: QueryPageOptions,
): Promise<QueryPagesResult> {
	const session = await getSession(this);
	const answer = await runQuery.call(this, session, { ...query, ...page }, options);
	const response = answer.body;
	if (echoesOtherOffset(response, page.offset)) {
		throw queryError(session, options, undefined, `PostHog answered the page at offset ${String(response.offset)} when asked for offset ${page.offset}`);
	}
	return { columns: response.columns, rows: Array.from(new AnswerRows(answer, 0)).slice(0, page.limit), missingActorsCount: Number(response.missing_actors_count ?? 0) };
}

/** PostHog echoes the offset of the page it answers; another one means the answer is not that page. */
function echoesOtherOffset(response: ActorsQueryResponse, asked: number): boolean {
	return response.offset !== undefined && response.offset !== null && Number(response.offset) !== asked;
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

/** `read`: rows paged so far (undefined for a single re-read). */
function queryError(session: Session, options: { itemIndex: number }, read: number | undefined, message: string): NodeOperationError {
	const stopping = read === undefined ? 'Stopping: the answer is not the rows asked for.' : `Stopping to avoid an endless loop after ${read} persons.`;
	return new NodeOperationError(session.node, message, {
		description: `${stopping} Try again later; if it persists, a proxy between n8n and PostHog may be rewriting the answers.`,
		itemIndex: options.itemIndex,
	});
}

/** A finished ActorsQuery answer must hold its rows and columns. */
function checkResults(session: Session, answer: unknown, options: { itemIndex: number }): ActorsQueryResponse {
	const body = answer as ActorsQueryResponse | undefined;
	if (!body || typeof body !== 'object' || !Array.isArray(body.results) || !Array.isArray(body.columns)) {
		throw new NodeOperationError(session.node, 'PostHog finished the query but its answer has no "results" and "columns"', {
			description: 'The answer is not what PostHog\'s Query API sends; a proxy may be in between. Try again, or Bypass Cache.',
			itemIndex: options.itemIndex,
		});
	}
	return body;
}

/**
 * A finished query's answer: `row(index)` gives one result row, parsed when asked for (see
 * ApiRequest.deferResults). A class, like the other objects made per page that hold a page's
 * data: V8 may decide from a few minor GCs to create every object of an object literal in its old
 * generation, and such an object, once garbage, still keeps the page it points to alive through
 * every minor GC until a full one (a 100,000-person export in pages of 100 then peaked about 90 MB higher).
 */
class QueryAnswer {
	constructor(
		readonly body: ActorsQueryResponse,
		readonly rowCount: number,
		readonly row: (index: number) => unknown[],
	) {}
}

/** A query answer whose rows are already parsed (`answerOf` in attempt.ts is the HTTP answer). */
function parsedAnswer(body: ActorsQueryResponse): QueryAnswer {
	return new QueryAnswer(body, body.results.length, (index) => body.results[index]);
}

/** A page as `queryPages` hands it over (a class, see QueryAnswer). */
class AnswerPage implements QueryPage {
	constructor(
		readonly columns: string[],
		readonly rows: PageRows,
		readonly missingActorsCount: number,
		readonly offset: number,
		readonly overlapped: boolean,
		readonly overlap: unknown[] | undefined,
	) {}
}

/** The rows of an answer from `first` on, each parsed when the reader gets to it. */
class AnswerRows implements PageRows {
	constructor(
		private readonly answer: QueryAnswer,
		private readonly first: number,
	) {}

	get length(): number {
		return Math.max(0, this.answer.rowCount - this.first);
	}

	*[Symbol.iterator](): Iterator<unknown[]> {
		for (let index = this.first; index < this.answer.rowCount; index++) yield this.answer.row(index);
	}
}

async function runQuery(
	this: IExecuteFunctions,
	session: Session,
	query: IDataObject,
	options: { refresh: string; itemIndex: number; name?: string; readAhead?: boolean },
	pageBuffer?: PageBuffer,
): Promise<QueryAnswer> {
	const body: IDataObject = { query, refresh: options.refresh };
	if (options.name) body.name = options.name;
	const response = await apiRequest.call(this, {
		method: 'POST',
		endpoint: 'query/',
		body,
		requestClass: 'query',
		idempotent: true,
		itemIndex: options.itemIndex,
		deferResults: true,
		pageBuffer,
	});
	const status = response.body.query_status as IDataObject | undefined;
	if (response.statusCode === 202 || (status && status.complete === false)) {
		return parsedAnswer(checkResults(session, await pollQuery.call(this, session, status ?? {}, options.itemIndex), options));
	}
	const answer = checkResults(session, response.body, options);
	const { resultAt, resultCount } = response;
	if (resultAt === undefined || resultCount === undefined) return parsedAnswer(answer);
	const generation = pageBuffer?.generation;
	return new QueryAnswer(answer, resultCount, (index) => {
		// a mistake in the node, never the answer's: the rows of a page are read before the next page
		if (pageBuffer && pageBuffer.generation !== generation) throw new Error('Rows of a query page were read after the next page');
		return resultAt(index) as unknown[];
	});
}

async function pollQuery(this: IExecuteFunctions, session: Session, status: IDataObject, itemIndex: number): Promise<unknown> {
	const id = typeof status.id === 'string' || typeof status.id === 'number' ? String(status.id) : '';
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
			expectFields: ['query_status'],
		});
		const current = response.body.query_status as IDataObject;
		if (current !== null && typeof current === 'object' && current.complete === true) {
			if (current.error) {
				throw postHogApiError(session.node, {
					statusCode: 400,
					body: { detail: current.error_message ?? 'The query failed in PostHog' },
					method: 'GET',
					path: `${session.projectPath}query/${id}/`,
					itemIndex,
					secret: session.apiKey,
				});
			}
			return current.results;
		}
		if (Date.now() + delay > deadline) {
			throw new NodeOperationError(session.node, `The PostHog query ${id} did not finish within the Max Wait`, {
				description: 'Raise "Max Wait" under Request Options, or narrow the query.',
				itemIndex,
			});
		}
		await wait(delay, cancelSignal(this));
		delay = Math.min(5000, Math.round(delay * 1.5));
	}
}
