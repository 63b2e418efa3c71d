/**
 * The only code of the node that talks HTTP. One file per concern:
 * - types.ts: requests, responses, request classes, the credential name
 * - baseUrl.ts: the PostHog origin from the credential
 * - settings.ts, session.ts: request settings and what one execution's requests share
 * - pacing.ts, rateLimiter.ts: client-side pacing under PostHog's rate limits
 * - retry.ts, request.ts: one call with retries, Retry-After and error mapping (errors.ts)
 * - urls.ts: endpoint and `next` link resolution on the credential's origin
 * - restPages.ts: `next`-link paging; queryPages.ts: ActorsQuery paging and polling
 */
export { postHogBaseUrl, isPostHogCloud } from './baseUrl';
export { parsePostHogError, postHogApiError } from './errors';
export { CLOUD_LIMITS } from './pacing';
export type { ActorsQueryResponse, QueryPageOptions, QueryPagesResult } from './queryPages';
export { queryAllPages, queryPages } from './queryPages';
export { apiRequest } from './request';
export type { PageOptions, RestPage } from './restPages';
export { requestAllPages, restPages } from './restPages';
export { getRequestSettings } from './session';
export type { RateLimitMode, RequestSettings } from './settings';
export { DEFAULT_SETTINGS } from './settings';
export type { ApiRequest, ApiResponse, PostHogContext, RequestClass } from './types';
export { CREDENTIAL_TYPE } from './types';
