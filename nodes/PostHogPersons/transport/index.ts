import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { networkApiError, postHogApiError } from './errors';
import type { BucketLimit } from './rateLimiter';
import { RateLimiter } from './rateLimiter';

export { parsePostHogError, postHogApiError } from './errors';

/**
 * The only code of the node that talks HTTP: credentials and base URL, retries with
 * backoff, Retry-After, pacing under PostHog's rate limits, pagination, and errors.
 */

export const CREDENTIAL_TYPE = 'postHogPersonsApi';

/** Node contexts that may call PostHog: execution, and list search in the editor. */
export type PostHogContext = IExecuteFunctions | ILoadOptionsFunctions;

/**
 * Which of PostHog's throttles a request counts against (persons-api.md §5, query-actors.md §1.6):
 * persons actions other than deletes use ClickHouseBurstRateThrottle (240/min); delete actions use
 * the persons_delete throttles (480/min, 4800/h); queries and insights use ClickHouseBurst (shared
 * with persons reads, same scope) plus ClickHouseSustained (1200/h).
 */
export type RequestClass = 'persons' | 'personsDelete' | 'query';

export const CLOUD_LIMITS: Record<string, BucketLimit> = {
	clickhouseBurst: { requests: 240, perSeconds: 60 },
	clickhouseSustained: { requests: 1200, perSeconds: 3600 },
	deleteBurst: { requests: 480, perSeconds: 60 },
	deleteSustained: { requests: 4800, perSeconds: 3600 },
};

const CLOUD_CLASS_BUCKETS: Record<RequestClass, string[]> = {
	persons: ['clickhouseBurst'],
	personsDelete: ['deleteBurst', 'deleteSustained'],
	query: ['clickhouseBurst', 'clickhouseSustained'],
};

export type RateLimitMode = 'auto' | 'cloud' | 'none' | 'custom';

export interface RequestSettings {
	concurrency: number;
	maxRetries: number;
	retryDelayMs: number;
	maxWaitSeconds: number;
	timeoutSeconds: number;
	rateLimits: RateLimitMode;
	customLimits: Array<{ appliesTo: RequestClass; requests: number; perSeconds: number }>;
}

export const DEFAULT_SETTINGS: RequestSettings = {
	concurrency: 1,
	maxRetries: 5,
	retryDelayMs: 1000,
	maxWaitSeconds: 300,
	timeoutSeconds: 120,
	rateLimits: 'auto',
	customLimits: [],
};

const CLOUD_HOSTS: Record<string, string> = {
	us: 'https://us.posthog.com',
	eu: 'https://eu.posthog.com',
};

/**
 * Base URL (scheme + host + port, no path) from the credential. Self-hosted hosts are
 * normalised: scheme added when missing, trailing slashes and any stray path dropped.
 * The credential test request computes the same thing with an expression.
 */
export function postHogBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const region = String(credentials.region ?? 'us');
	if (region !== 'selfHosted') return CLOUD_HOSTS[region] ?? CLOUD_HOSTS.us;
	const host = String(credentials.host ?? '').trim();
	const withScheme = /^https?:\/\//i.test(host) ? host : `https://${host}`;
	const match = /^(https?:\/\/[^/?#]+)/i.exec(withScheme);
	if (!host || !match) throw new Error('The credential has no Host for the self-hosted PostHog instance');
	return match[1];
}

export function isPostHogCloud(baseUrl: string): boolean {
	return /^https:\/\/(us|eu|app)\.posthog\.com$/i.test(baseUrl);
}

interface Session {
	node: INode;
	baseUrl: string;
	origin: string;
	hostname: string;
	projectPath: string;
	settings: RequestSettings;
	limiter: RateLimiter;
	classBuckets: Record<RequestClass, string[]>;
}

const sessions = new WeakMap<object, Promise<Session>>();

function readSettings(ctx: PostHogContext): RequestSettings {
	let raw: IDataObject = {};
	if ('getInputData' in ctx) {
		raw = (ctx.getNodeParameter('requestOptions', 0, {}) as IDataObject) ?? {};
	}
	const customLimits = (((raw.customLimits as IDataObject | undefined)?.limit as IDataObject[]) ?? []).map(
		(entry) => ({
			appliesTo: String(entry.appliesTo ?? 'persons') as RequestClass,
			requests: Number(entry.requests ?? 0),
			perSeconds: Number(entry.perSeconds ?? 60),
		}),
	);
	const settings: RequestSettings = {
		concurrency: Math.max(1, Math.floor(Number(raw.concurrency ?? DEFAULT_SETTINGS.concurrency))),
		maxRetries: Math.max(0, Math.floor(Number(raw.maxRetries ?? DEFAULT_SETTINGS.maxRetries))),
		retryDelayMs: Math.max(0, Number(raw.retryDelayMs ?? DEFAULT_SETTINGS.retryDelayMs)),
		maxWaitSeconds: Math.max(0, Number(raw.maxWaitSeconds ?? DEFAULT_SETTINGS.maxWaitSeconds)),
		timeoutSeconds: Math.max(1, Number(raw.timeoutSeconds ?? DEFAULT_SETTINGS.timeoutSeconds)),
		rateLimits: String(raw.rateLimits ?? DEFAULT_SETTINGS.rateLimits) as RateLimitMode,
		customLimits,
	};
	return settings;
}

function buildLimiter(settings: RequestSettings, baseUrl: string) {
	const mode = settings.rateLimits === 'auto' ? (isPostHogCloud(baseUrl) ? 'cloud' : 'none') : settings.rateLimits;
	if (mode === 'cloud') {
		return { limiter: new RateLimiter(CLOUD_LIMITS), classBuckets: CLOUD_CLASS_BUCKETS };
	}
	const classBuckets: Record<RequestClass, string[]> = { persons: [], personsDelete: [], query: [] };
	const limits: Record<string, BucketLimit> = {};
	if (mode === 'custom') {
		settings.customLimits.forEach((entry, index) => {
			const name = `custom${index}`;
			limits[name] = { requests: entry.requests, perSeconds: entry.perSeconds };
			(classBuckets[entry.appliesTo] ?? classBuckets.persons).push(name);
		});
	}
	return { limiter: new RateLimiter(limits), classBuckets };
}

async function createSession(ctx: PostHogContext): Promise<Session> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const node = ctx.getNode();
	let baseUrl: string;
	try {
		baseUrl = postHogBaseUrl(credentials);
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message, {
			description: 'Open the credential and fill in Host (for example https://posthog.example.com).',
		});
	}
	const projectId = String(credentials.projectId ?? '').trim();
	if (!/^(\d+|@current)$/.test(projectId)) {
		throw new NodeOperationError(node, `The credential's Project ID "${projectId}" is not a number`, {
			description:
				'Use the numeric project ID from PostHog → Settings → Project (for example 12345), not the project API key (phc_...).',
		});
	}
	const settings = readSettings(ctx);
	const { limiter, classBuckets } = buildLimiter(settings, baseUrl);
	const url = new URL(baseUrl);
	return {
		node,
		baseUrl,
		origin: url.origin,
		hostname: url.hostname,
		projectPath: `/api/projects/${projectId}/`,
		settings,
		limiter,
		classBuckets,
	};
}

function getSession(ctx: PostHogContext): Promise<Session> {
	let session = sessions.get(ctx);
	if (!session) {
		session = createSession(ctx);
		sessions.set(ctx, session);
	}
	return session;
}

/** Request settings of this execution (from the node's "Request Options"). */
export async function getRequestSettings(this: IExecuteFunctions): Promise<RequestSettings> {
	return (await getSession(this)).settings;
}

export interface ApiRequest {
	method: IHttpRequestMethods;
	/**
	 * Path under /api/projects/:projectId/ (for example `persons/bulk_delete/`), or an absolute
	 * URL returned by PostHog (a `next` link). Absolute URLs must be on the credential's origin.
	 */
	endpoint: string;
	qs?: IDataObject;
	body?: IDataObject;
	requestClass: RequestClass;
	/** Whether repeating the request cannot do harm (reads, bulk delete, property sets). */
	idempotent: boolean;
	/** `text` for CSV answers. */
	responseType?: 'json' | 'text';
	itemIndex?: number;
	/** Status codes that are returned to the caller instead of being thrown. */
	acceptStatus?: number[];
}

export interface ApiResponse {
	statusCode: number;
	/** Parsed JSON answer (empty object for an empty body, e.g. PostHog's 202s). */
	body: IDataObject;
	/** Raw text answer, for `responseType: 'text'` (CSV). */
	text?: string;
	headers: Record<string, string | string[] | undefined>;
	attempts: number;
}

const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'ECONNREFUSED',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
]);

/** Failures that happened before the request reached PostHog: safe to retry for any request. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);

function networkCode(error: unknown): string | undefined {
	const candidates: unknown[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const record = current as IDataObject;
		candidates.push(record.code, (record.context as IDataObject | undefined)?.code);
		current = record.cause ?? record.error;
	}
	const code = candidates.find((value) => typeof value === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(value));
	if (code) return code as string;
	const message = error instanceof Error ? error.message : String(error);
	if (/socket hang up/i.test(message)) return 'ECONNRESET';
	if (/timeout/i.test(message)) return 'ETIMEDOUT';
	return undefined;
}

function headerValue(headers: ApiResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

function retryAfterMs(headers: ApiResponse['headers']): number | undefined {
	const value = headerValue(headers, 'retry-after');
	if (value === undefined) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function backoffMs(settings: RequestSettings, attempt: number): number {
	const exponential = Math.min(30_000, settings.retryDelayMs * 2 ** (attempt - 1));
	// "equal jitter": half fixed, half random, so concurrent retries spread out
	return Math.round(exponential / 2 + (Math.random() * exponential) / 2);
}

function resolveUrl(session: Session, endpoint: string): URL {
	if (/^https?:\/\//i.test(endpoint)) {
		const url = new URL(endpoint);
		if (url.origin !== session.origin) {
			throw new NodeOperationError(
				session.node,
				`PostHog returned a link to another origin (${url.origin}); the node only sends the API key to ${session.origin}`,
				{
					description:
						'Check Region / Host in the credential: it must be the address PostHog itself uses for links (its SITE_URL).',
				},
			);
		}
		return url;
	}
	return new URL(`${session.projectPath}${endpoint.replace(/^\/+/, '')}`, session.origin);
}

/**
 * One PostHog API call with pacing, retries and error mapping.
 * - 429: waits Retry-After (or backoff) and retries any request (PostHog did not process it).
 * - 5xx other than 501/512, timeouts and connection resets: retried with exponential backoff and
 *   jitter, only when the request is idempotent.
 * - other 4xx: never retried; thrown as NodeApiError with PostHog's detail.
 * The total time spent waiting for one request is bounded by "Max Wait" (Request Options).
 */
export async function apiRequest(this: PostHogContext, request: ApiRequest): Promise<ApiResponse> {
	const session = await getSession(this);
	const { settings } = session;
	const url = resolveUrl(session, request.endpoint);
	const path = url.pathname + (url.search ? url.search : '');
	const buckets = session.classBuckets[request.requestClass];
	const maxWaitMs = settings.maxWaitSeconds * 1000;
	const textResponse = request.responseType === 'text';
	let waitedMs = 0;
	let attempt = 0;

	for (;;) {
		attempt++;
		const slot = await session.limiter.acquire(buckets);
		const options: IHttpRequestOptions = {
			method: request.method,
			url: url.toString(),
			qs: request.qs,
			headers: { Accept: textResponse ? 'text/csv' : 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: settings.timeoutSeconds * 1000,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			allowedDomains: session.hostname,
		};
		if (request.body !== undefined) options.body = request.body;
		if (textResponse) {
			options.encoding = 'text';
			options.json = false;
		} else {
			options.json = true;
		}

		let response: ApiResponse | undefined;
		let failure: { code: string; reason: string } | undefined;
		try {
			const raw = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, options)) as {
				statusCode: number;
				body: unknown;
				headers: ApiResponse['headers'];
			};
			response = {
				statusCode: raw.statusCode,
				body: raw.body !== null && typeof raw.body === 'object' ? (raw.body as IDataObject) : {},
				headers: raw.headers ?? {},
				attempts: attempt,
			};
			if (typeof raw.body === 'string') {
				if (textResponse) response.text = raw.body;
				else if (raw.body.trim() !== '') {
					try {
						const parsed = JSON.parse(raw.body) as unknown;
						if (parsed !== null && typeof parsed === 'object') response.body = parsed as IDataObject;
					} catch {
						response.text = raw.body;
					}
				}
			}
		} catch (error) {
			const code = networkCode(error);
			if (!code) {
				if (error instanceof NodeOperationError) {
					throw new NodeOperationError(session.node, error, { itemIndex: request.itemIndex });
				}
				throw new NodeApiError(
					session.node,
					{ message: (error as Error).message ?? 'Request failed' },
					{
						message: `Request to PostHog failed: ${(error as Error).message}`,
						description: `Request: ${request.method} ${path}`,
						itemIndex: request.itemIndex,
					},
				);
			}
			failure = { code, reason: (error as Error).message ?? code };
		} finally {
			slot.release();
		}

		let waitMs: number | undefined;
		if (failure) {
			const retryable = RETRYABLE_NETWORK_CODES.has(failure.code) || failure.code.startsWith('UND_ERR');
			const allowed = request.idempotent || NOT_SENT_NETWORK_CODES.has(failure.code);
			if (!retryable || !allowed || attempt > settings.maxRetries) {
				throw networkApiError(session.node, {
					...failure,
					method: request.method,
					path,
					itemIndex: request.itemIndex,
					attempts: attempt,
				});
			}
			waitMs = backoffMs(settings, attempt);
		} else if (response) {
			const { statusCode } = response;
			if ((statusCode >= 200 && statusCode < 300) || request.acceptStatus?.includes(statusCode)) {
				return response;
			}
			if (statusCode === 429) {
				waitMs = retryAfterMs(response.headers) ?? backoffMs(settings, attempt);
			} else if (
				statusCode >= 500 &&
				statusCode !== 501 &&
				statusCode !== 512 &&
				request.idempotent &&
				attempt <= settings.maxRetries
			) {
				waitMs = retryAfterMs(response.headers) ?? backoffMs(settings, attempt);
			}
			if (waitMs === undefined || waitedMs + waitMs > maxWaitMs) {
				throw postHogApiError(session.node, {
					statusCode,
					body: response.text ?? response.body,
					method: request.method,
					path,
					itemIndex: request.itemIndex,
					attempts: attempt,
				});
			}
		}
		if (waitMs === undefined) continue;
		if (waitedMs + waitMs > maxWaitMs) waitMs = Math.max(0, maxWaitMs - waitedMs);
		waitedMs += waitMs;
		if (waitMs > 0) await sleep(waitMs);
	}
}

export interface PageOptions {
	/** Stop once this many records were collected (undefined = all). */
	maxRecords?: number;
	/** Key that identifies a record; repeated records (offset paging is not snapshot-consistent) are dropped. */
	dedupeKey?: string;
	/** Field with the records (default `results`). */
	resultsField?: string;
}

/**
 * Follows PostHog's `next` links (limit/offset pages of persons, activity, deletion status).
 * Never stops on a short page (PostHog issue #24787: pages can hold fewer rows than `limit`
 * while more follow); stops when `next` is empty, when the page is empty, or at `maxRecords`.
 * A `next` that points to another origin or does not advance is an error.
 */
export async function requestAllPages(
	this: PostHogContext,
	first: ApiRequest,
	options: PageOptions = {},
): Promise<IDataObject[]> {
	const resultsField = options.resultsField ?? 'results';
	const records: IDataObject[] = [];
	const seen = options.dedupeKey ? new Set<unknown>() : undefined;
	const visited = new Set<string>();
	let request: ApiRequest = first;
	for (;;) {
		const response = await apiRequest.call(this, request);
		const body = (response.body ?? {}) as IDataObject;
		const page = (body[resultsField] as IDataObject[] | undefined) ?? [];
		for (const record of page) {
			if (seen) {
				const key = record[options.dedupeKey as string];
				if (key !== undefined && key !== null) {
					if (seen.has(key)) continue;
					seen.add(key);
				}
			}
			records.push(record);
			if (options.maxRecords !== undefined && records.length >= options.maxRecords) return records;
		}
		const next = typeof body.next === 'string' && body.next !== '' ? body.next : undefined;
		if (!next || page.length === 0) return records;
		const session = await getSession(this);
		const nextUrl = resolveUrl(session, next).toString();
		if (visited.has(nextUrl)) {
			throw new NodeOperationError(session.node, 'PostHog returned a "next" link that does not advance', {
				description: `The link ${new URL(nextUrl).pathname}${new URL(nextUrl).search} was already fetched; stopping to avoid an endless loop. ${records.length} records were read.`,
				itemIndex: first.itemIndex,
			});
		}
		visited.add(nextUrl);
		request = { ...first, endpoint: nextUrl, qs: undefined };
	}
}

/** Answer of `POST /query/` for an ActorsQuery. */
export interface ActorsQueryResponse extends IDataObject {
	columns: string[];
	results: unknown[][];
	hasMore?: boolean;
	limit?: number;
	offset?: number;
	missing_actors_count?: number;
}

export interface QueryPagesResult {
	columns: string[];
	rows: unknown[][];
	missingActorsCount: number;
}

/**
 * Runs an ActorsQuery with limit/offset paging (`offset += limit` while `hasMore`), keeping the
 * rest of the query identical across pages. Asynchronous answers (202 with `query_status`) are
 * polled with `GET /query/:id/` until complete, within the node's "Max Wait".
 */
export async function queryAllPages(
	this: IExecuteFunctions,
	query: IDataObject,
	options: { maxRows?: number; pageSize: number; refresh: string; itemIndex: number; name?: string },
): Promise<QueryPagesResult> {
	const rows: unknown[][] = [];
	let columns: string[] = [];
	let missingActorsCount = 0;
	let offset = Number(query.offset ?? 0);
	for (;;) {
		const remaining = options.maxRows === undefined ? options.pageSize : Math.min(options.pageSize, options.maxRows - rows.length);
		const pageQuery = { ...query, limit: remaining, offset };
		const response = await runQuery.call(this, pageQuery, options);
		columns = response.columns ?? columns;
		const pageRows = response.results ?? [];
		rows.push(...pageRows);
		missingActorsCount += Number(response.missing_actors_count ?? 0);
		if (response.hasMore !== true || pageRows.length === 0) break;
		if (options.maxRows !== undefined && rows.length >= options.maxRows) break;
		offset = Number(response.offset ?? offset) + Number(response.limit ?? remaining);
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

async function pollQuery(
	this: IExecuteFunctions,
	status: IDataObject,
	itemIndex: number,
): Promise<ActorsQueryResponse> {
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
