import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { AbortedError, anySignal, waitUnlessAborted } from './abort';
import type { Answer } from './attempt';
import { headerValue, sendAttempt } from './attempt';
import { apiError, networkApiError, postHogApiError, redirectError, unexpectedAnswerError } from './errors';
import { splitResults } from './json';
import type { NetworkProblem } from './networkErrors';
import { networkProblem } from './networkErrors';
import type { Slot } from './rateLimiter';
import { redact } from './redact';
import { RequestBodyProblem, serializeBody } from './requestBody';
import type { AttemptOutcome, GiveUpReason, RetryPolicy } from './retry';
import { MAX_RATE_LIMIT_RETRIES, decideRetry } from './retry';
import type { Session } from './session';
import { cancelSignal, getSession } from './session';
import type { ApiRequest, ApiResponse, PostHogContext } from './types';
import { resolveUrl } from './urls';

/**
 * One PostHog API call: pacing (shared per API key), the retry loop (decisions in retry.ts),
 * and the checks of the answer.
 * - Every attempt has a deadline (Timeout); the whole request, every attempt and wait included,
 *   ends within Max Wait.
 * - 429: waits Retry-After (or a backoff when there is none, or it is zero, negative or past) and
 *   retries any request, at most MAX_RATE_LIMIT_RETRIES times; a Retry-After pauses every request
 *   of the key in this process.
 * - 5xx other than 501/512, timeouts and broken connections: retried with exponential backoff
 *   and jitter, only when the request is idempotent (a refused connection: always), at most Max
 *   Retries times.
 * - Redirects are not followed; other 4xx are never retried.
 * - A 2xx answer must be JSON (or empty) and hold `expectFields`.
 */
export async function apiRequest(this: PostHogContext, request: ApiRequest): Promise<ApiResponse> {
	const session = await getSession(this);
	const { settings } = session;
	const url = resolveUrl(session, request.endpoint);
	const path = url.pathname + url.search;
	const body = requestBody(session, request);
	const cancel = cancelSignal(this);
	const policy: RetryPolicy = {
		maxRetries: settings.maxRetries,
		retryDelayMs: settings.retryDelayMs,
		maxWaitMs: settings.maxWaitSeconds * 1000,
		idempotent: request.idempotent,
	};
	const timeoutMs = settings.timeoutSeconds * 1000;
	const runsQuery = request.requestClass === 'query' && request.method === 'POST';
	const failure = { method: request.method, path, itemIndex: request.itemIndex, secret: session.apiKey };
	let started: number | undefined;
	let attempts = 0;
	let retries = 0;
	let rateLimitRetries = 0;

	for (;;) {
		const slots = await takeSlots(session, request, runsQuery, cancel, started === undefined ? undefined : started + policy.maxWaitMs, () =>
			giveUpError(session, failure, attempts, 'waiting for a rate-limit slot'),
		);
		started ??= Date.now();
		attempts++;
		// an attempt ends at its Timeout, or earlier when Max Wait runs out
		const left = started + policy.maxWaitMs - Date.now();
		const attemptMs = Math.max(1, Math.min(timeoutMs, left));
		let answer: Answer | undefined;
		let problem: NetworkProblem | undefined;
		try {
			answer = await sendAttempt(this, {
				method: request.method,
				url: url.toString(),
				qs: request.qs,
				body,
				hostname: session.hostname,
				credentials: session.credentials,
				timeoutMs: attemptMs,
				cancel,
				keepBytes: request.deferResults,
				pageBuffer: request.pageBuffer,
			});
		} catch (error) {
			if (cancel?.aborted) throw cancelled(session, request);
			problem = networkProblem(error, { origin: session.origin, timeoutSeconds: settings.timeoutSeconds });
			if (!problem) throw unexpectedFailure(session, error, failure);
			if (problem.code === 'TIMEOUT' && attemptMs < timeoutMs) {
				problem = {
					...problem,
					summary: `No complete answer before Max Wait (${settings.maxWaitSeconds} s) ran out`,
					hint: 'The request and its retries took longer than Max Wait. Raise "Max Wait (Seconds)" under Request Options, or narrow the request.',
				};
			}
		} finally {
			for (const slot of slots) slot.release();
		}

		let outcome: AttemptOutcome;
		if (answer) {
			const { statusCode } = answer;
			const success = statusCode >= 200 && statusCode < 300;
			if (success || request.acceptStatus?.includes(statusCode)) {
				return readAnswer(session, request, answer, attempts, success, path);
			}
			if (statusCode >= 300 && statusCode < 400) {
				throw redirectError(session.node, { statusCode, location: headerValue(answer.headers, 'location'), origin: session.origin, ...failure });
			}
			outcome = {
				kind: 'status',
				status: statusCode,
				retryAfter: headerValue(answer.headers, 'retry-after'),
				concurrencyThrottle: statusCode === 429 && isConcurrencyThrottle(answer),
			};
		} else {
			outcome = { kind: 'network', failure: (problem as NetworkProblem).failure };
		}

		const decision = decideRetry(policy, { retries, rateLimitRetries, elapsedMs: Date.now() - started }, outcome, Date.now(), Math.random());
		if (decision.action === 'giveUp') {
			const why = giveUpSentence(decision.reason, { attempts, policy, waitMs: decision.waitMs, elapsedMs: Date.now() - started });
			if (answer) {
				throw postHogApiError(session.node, { statusCode: answer.statusCode, body: redact(answer.text, session.apiKey), ...failure, attempts, extraDescription: why });
			}
			throw networkApiError(session.node, problem as NetworkProblem, { ...failure, attempts, extraDescription: why });
		}
		if (decision.pauseKeyMs !== undefined) session.limiter.pause(decision.pauseKeyMs);
		if (decision.counter === 'retries') retries++;
		else rateLimitRetries++;
		if (!(await waitUnlessAborted(decision.waitMs, cancel))) throw cancelled(session, request);
	}
}

/** The query-concurrency slot (Query API runs) and the rate-limit slot of one attempt. */
async function takeSlots(
	session: Session,
	request: ApiRequest,
	runsQuery: boolean,
	cancel: AbortSignal | undefined,
	deadline: number | undefined,
	onDeadline: () => Error,
): Promise<Slot[]> {
	const budget = deadline === undefined ? undefined : AbortSignal.timeout(Math.max(1, deadline - Date.now()));
	const { signal, dispose } = anySignal([cancel, budget]);
	const slots: Slot[] = [];
	let aborted = false;
	try {
		if (runsQuery) slots.push(await session.limiter.concurrency(session.maxQueries, signal));
		slots.push(await session.limiter.acquire(session.buckets[request.requestClass], signal));
	} catch (error) {
		for (const slot of slots) slot.release();
		if (!(error instanceof AbortedError)) throw new NodeOperationError(session.node, error as Error, { itemIndex: request.itemIndex });
		aborted = true;
	} finally {
		dispose();
	}
	if (aborted) throw cancel?.aborted ? cancelled(session, request) : onDeadline();
	return slots;
}

function requestBody(session: Session, request: ApiRequest): string | undefined {
	if (request.body === undefined) return undefined;
	try {
		return serializeBody(request.body);
	} catch (error) {
		const problem = error instanceof RequestBodyProblem ? error : undefined;
		throw new NodeOperationError(session.node, problem?.message ?? (error as Error), { description: problem?.description, itemIndex: request.itemIndex });
	}
}

/** PostHog's query-concurrency 429 ("Too many queries…", no Retry-After), told apart from a rate throttle. */
function isConcurrencyThrottle(answer: Answer): boolean {
	return /too many queries|concurrency/i.test(answer.text.slice(0, 2000)) && headerValue(answer.headers, 'retry-after') === undefined;
}

/** An ApiResponse (a class, not a literal, as every object made per page that holds its data: see QueryAnswer in queryPages.ts). */
class ParsedResponse implements ApiResponse {
	body: IDataObject = {};
	text?: string;
	resultCount?: number;
	resultAt?: (index: number) => unknown;

	constructor(
		readonly statusCode: number,
		readonly headers: ApiResponse['headers'],
		readonly attempts: number,
	) {}
}

function readAnswer(session: Session, request: ApiRequest, answer: Answer, attempts: number, success: boolean, path: string): ApiResponse {
	// a 2xx body is data (only the key itself is removed); an error body is text for messages
	const { bytes } = answer;
	const keyInBody = bytes ? bytes.includes(session.apiKey) : answer.text.includes(session.apiKey);
	let decoded: string | undefined;
	const text = () => {
		decoded ??= success ? (keyInBody ? answer.text.split(session.apiKey).join('[redacted]') : answer.text) : redact(answer.text, session.apiKey);
		return decoded;
	};
	const response = new ParsedResponse(answer.statusCode, answer.headers, attempts);
	const contentType = headerValue(answer.headers, 'content-type') ?? '';
	const context = () => ({ statusCode: answer.statusCode, contentType, text: text(), method: request.method, path, itemIndex: request.itemIndex, attempts, secret: session.apiKey });
	let parsed: unknown;
	let parsedOk = true;
	let blank = false;
	// only requests with deferResults keep their bytes
	const split = bytes && success && !keyInBody ? splitResults(bytes) : undefined;
	if (split) {
		// the rows are parsed when asked for (see ApiRequest.deferResults)
		parsed = split.envelope;
		response.resultCount = split.rowCount;
		response.resultAt = (index) => {
			try {
				return split.row(index);
			} catch {
				throw unexpectedAnswerError(session.node, context());
			}
		};
	} else if (text().trim() === '') {
		blank = true;
	} else {
		try {
			parsed = JSON.parse(text());
		} catch {
			parsedOk = false;
		}
	}
	if (!blank) {
		if (parsedOk && parsed !== null && typeof parsed === 'object') {
			response.body = parsed as IDataObject;
		} else if (success) {
			throw unexpectedAnswerError(session.node, context());
		} else {
			response.text = text();
		}
	}
	if (success && request.expectFields && request.expectFields.length > 0) {
		const missing = request.expectFields.filter((field) => Array.isArray(response.body) || response.body[field] === undefined);
		if (missing.length > 0) throw unexpectedAnswerError(session.node, { ...context(), missing });
	}
	return response;
}

function giveUpSentence(reason: GiveUpReason, context: { attempts: number; policy: RetryPolicy; waitMs?: number; elapsedMs: number }): string | undefined {
	const maxWait = `Max Wait (${Math.round(context.policy.maxWaitMs / 1000)} s)`;
	switch (reason) {
		case 'retriesExhausted':
			return `Gave up after Max Retries (${context.policy.maxRetries}).`;
		case 'rateLimitRetriesExhausted':
			return `Gave up after ${MAX_RATE_LIMIT_RETRIES} retries of rate-limited answers.`;
		case 'maxWait':
			return `Gave up: waiting ${Math.ceil((context.waitMs ?? 0) / 1000)} s more would pass ${maxWait} (${Math.round(context.elapsedMs / 1000)} s spent).`;
		default:
			return context.policy.idempotent ? undefined : 'Not retried: the request may already have reached PostHog, and repeating it is not safe.';
	}
}

function giveUpError(session: Session, failure: { method: string; path: string; itemIndex?: number }, attempts: number, what: string) {
	return apiError(session.node, undefined, {
		message: `No answer from PostHog within Max Wait (${session.settings.maxWaitSeconds} s): the time ran out ${what}`,
		description: `Raise "Max Wait (Seconds)" under Request Options, lower Concurrency, or run fewer executions with this key at once.\nRequest: ${failure.method} ${failure.path}${attempts > 1 ? `\nAttempts: ${attempts}` : ''}`,
		itemIndex: failure.itemIndex,
	});
}

function cancelled(session: Session, request: ApiRequest): NodeOperationError {
	return new NodeOperationError(session.node, 'The execution was cancelled while a request to PostHog was running', { itemIndex: request.itemIndex });
}

function unexpectedFailure(session: Session, error: unknown, failure: { method: string; path: string; itemIndex?: number; secret: string }) {
	const reason = redact(error instanceof Error ? error.message : String(error), failure.secret).slice(0, 300);
	return apiError(session.node, undefined, {
		message: `Request to PostHog failed: ${reason}`,
		description: `Request: ${failure.method} ${failure.path}`,
		itemIndex: failure.itemIndex,
	});
}
