import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { networkApiError, postHogApiError } from './errors';
import { NOT_SENT_NETWORK_CODES, RETRYABLE_NETWORK_CODES, backoffMs, networkCode, retryAfterMs } from './retry';
import { getSession } from './session';
import type { ApiRequest, ApiResponse, PostHogContext } from './types';
import { CREDENTIAL_TYPE } from './types';
import { resolveUrl } from './urls';

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
	let waitedMs = 0;
	let attempt = 0;

	for (;;) {
		attempt++;
		const slot = await session.limiter.acquire(buckets);
		const options: IHttpRequestOptions = {
			method: request.method,
			url: url.toString(),
			qs: request.qs,
			headers: { Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: settings.timeoutSeconds * 1000,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			allowedDomains: session.hostname,
			json: true,
		};
		if (request.body !== undefined) options.body = request.body;

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
			if (typeof raw.body === 'string' && raw.body.trim() !== '') {
				try {
					const parsed = JSON.parse(raw.body) as unknown;
					if (parsed !== null && typeof parsed === 'object') response.body = parsed as IDataObject;
				} catch {
					response.text = raw.body;
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
