/**
 * The only code of the node that talks HTTP. One file per concern:
 * - types.ts: requests, responses, request classes, the credential name
 * - connection.ts: the PostHog origin, project and key from the credential, checked
 * - settings.ts, session.ts: request settings and what one execution's requests share
 * - pacing.ts, rateLimiter.ts: pacing under PostHog's per-key limits, shared per key in the process
 * - request.ts: one call (the retry loop); retry.ts: the retry decision; attempt.ts, body.ts: one
 *   HTTP attempt with its deadline and size cap; networkErrors.ts, errors.ts, redact.ts: errors
 * - requestBody.ts: request bodies checked before sending; abort.ts: abortable waits
 * - urls.ts: endpoints and `next` links kept on the credential's origin and path
 * - restPages.ts: `next`-link paging; queryPages.ts: ActorsQuery paging and polling
 */
export { isPostHogCloud, postHogBaseUrl } from './connection';
export { parsePostHogError, postHogApiError } from './errors';
export { CLOUD_LIMITS, MAX_CONCURRENT_QUERIES } from './pacing';
export type { ActorsQueryResponse, QueryPage, QueryPageOptions, QueryPagesResult } from './queryPages';
export { DEFAULT_QUERY_PAGE_SIZE, MAX_QUERY_PAGES, MAX_QUERY_PAGE_SIZE, queryAllPages, queryPage, queryPages } from './queryPages';
export { apiRequest } from './request';
export type { PageOptions, RestPage } from './restPages';
export { MAX_PAGES, requestAllPages, restPages } from './restPages';
export { getRequestSettings, useRequestSettings } from './session';
export type { RateLimitMode, RequestSettings } from './settings';
export { DEFAULT_SETTINGS } from './settings';
export type { ApiRequest, ApiResponse, PostHogContext, RequestClass } from './types';
export { CREDENTIAL_TYPE } from './types';
