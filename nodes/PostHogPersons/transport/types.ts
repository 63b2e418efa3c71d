import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, ILoadOptionsFunctions } from 'n8n-workflow';

import type { PageBuffer } from './body';

/** Name of the credential type every request authenticates with. */
export const CREDENTIAL_TYPE = 'postHogPersonsApi';

/** Node contexts that may call PostHog: execution, and list search in the editor. */
export type PostHogContext = IExecuteFunctions | ILoadOptionsFunctions;

/**
 * Which of PostHog's throttles a request counts against: persons actions other than deletes use
 * ClickHouseBurstRateThrottle (240/min); delete actions use the persons_delete throttles
 * (480/min, 4800/h); queries and insights use ClickHouseBurst (shared with persons reads, same
 * scope) plus ClickHouseSustained (1200/h).
 */
export type RequestClass = 'persons' | 'personsDelete' | 'query';

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
	itemIndex?: number;
	/** Status codes that are returned to the caller instead of being thrown (their body is not checked). */
	acceptStatus?: number[];
	/**
	 * Top-level fields a 2xx answer must have (for example `['results']` for a list, `['id']` for a
	 * person). Without it a 2xx answer must be JSON or empty; with it, empty or lacking a field is
	 * an error naming the status, content type and first bytes.
	 */
	expectFields?: string[];
	/**
	 * A large 2xx answer with a top-level `results` array: hand over the rest of the answer first
	 * and parse each row only when `resultAt(index)` is called (a pager asks for its next page
	 * meanwhile; a CSV export writes each row before the next one is parsed).
	 */
	deferResults?: boolean;
	/**
	 * Read a 2xx answer's body into this buffer instead of a new one (pages read one after the
	 * other; see PageBuffer): the answer is valid until the next request with the same buffer.
	 */
	pageBuffer?: PageBuffer;
}

export interface ApiResponse {
	statusCode: number;
	/** Parsed JSON answer (empty object for an empty body, e.g. PostHog's 202s). */
	body: IDataObject;
	/** The raw body of an accepted non-2xx answer that was not JSON (redacted). */
	text?: string;
	headers: Record<string, string | string[] | undefined>;
	attempts: number;
	/**
	 * With `deferResults`, for a large answer: `body.results` is empty, `resultCount` says how many
	 * rows there are, and `resultAt(index)` parses one (throwing the not-JSON error if the answer
	 * does not parse).
	 */
	resultCount?: number;
	resultAt?: (index: number) => unknown;
}
