/**
 * The retry decision, as a pure function: given what the last attempt produced, how many
 * retries of each kind were made and how long the request has taken, wait (and how long) or
 * give up (and why). No clock, no randomness of its own: the caller passes both.
 */

/** Rate-limit (429) retries of one request, counted apart from Max Retries. */
export const MAX_RATE_LIMIT_RETRIES = 10;
/** Shortest wait after a 429 that did not say how long to wait. */
export const MIN_RATE_LIMIT_WAIT_MS = 1000;
/** Longest backoff step. */
export const MAX_BACKOFF_MS = 30_000;

export interface RetryPolicy {
	/** Retries after server errors and network failures ("Max Retries"). */
	maxRetries: number;
	/** First backoff ("Initial Retry Delay"); doubles per retry. */
	retryDelayMs: number;
	/** Wall-clock bound of the whole request, every attempt and wait included ("Max Wait"). */
	maxWaitMs: number;
	/** Whether repeating the request cannot do harm. */
	idempotent: boolean;
}

/** How the failure of a network attempt relates to PostHog having processed it. */
export type NetworkFailure =
	/** The request never reached the server (refused, DNS temporarily failing): safe to repeat. */
	| 'notSent'
	/** Sent, but the answer never came or broke off (reset, timeout, truncated body). */
	| 'interrupted'
	/** Retrying cannot help (TLS mismatch, unknown host, answer too large, bad URL). */
	| 'fatal';

export type AttemptOutcome =
	| {
			kind: 'status';
			status: number;
			/** The Retry-After header, as sent. */
			retryAfter?: string;
			/** A 429 of PostHog's query concurrency limit ("Too many queries…", no Retry-After). */
			concurrencyThrottle?: boolean;
	  }
	| { kind: 'network'; failure: NetworkFailure };

export interface RetryState {
	/** Retries already made after server errors and network failures. */
	retries: number;
	/** Retries already made after 429s. */
	rateLimitRetries: number;
	/** Milliseconds since the first attempt was sent. */
	elapsedMs: number;
}

export type GiveUpReason =
	/** The outcome is not retried (4xx, 501, a non-idempotent request that may have been processed, a fatal network error). */
	| 'notRetryable'
	/** Max Retries reached. */
	| 'retriesExhausted'
	/** MAX_RATE_LIMIT_RETRIES reached. */
	| 'rateLimitRetriesExhausted'
	/** The wait would end after Max Wait. */
	| 'maxWait';

export type RetryDecision =
	| {
			action: 'retry';
			waitMs: number;
			counter: 'retries' | 'rateLimitRetries';
			/** Milliseconds every request with the same key should pause (a 429 with Retry-After). */
			pauseKeyMs?: number;
	  }
	| { action: 'giveUp'; reason: GiveUpReason; waitMs?: number };

/**
 * Milliseconds a Retry-After header asks for: seconds or an HTTP date. Undefined when absent,
 * unreadable, zero, negative or in the past (then the caller backs off instead).
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
	if (value === undefined) return undefined;
	const text = value.trim();
	if (text === '') return undefined;
	const seconds = Number(text);
	const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(text) - now;
	return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : undefined;
}

/** Exponential backoff with "equal jitter" (half fixed, half random), so concurrent retries spread out. */
export function backoffMs(retryDelayMs: number, retry: number, random: number): number {
	const exponential = Math.min(MAX_BACKOFF_MS, retryDelayMs * 2 ** Math.max(0, retry - 1));
	return Math.round(exponential / 2 + (random * exponential) / 2);
}

/** 5xx answers worth repeating: not 501 (never implemented) nor 512 (PostHog: query estimated too slow). */
export function isRetryableServerStatus(status: number): boolean {
	return status >= 500 && status <= 599 && status !== 501 && status !== 512;
}

/** What to do after a failed attempt. `random` is in [0, 1). */
export function decideRetry(
	policy: RetryPolicy,
	state: RetryState,
	outcome: AttemptOutcome,
	now: number,
	random: number,
): RetryDecision {
	let waitMs: number;
	let counter: 'retries' | 'rateLimitRetries';
	let pauseKeyMs: number | undefined;
	if (outcome.kind === 'status' && outcome.status === 429) {
		// PostHog did not process a throttled request: any request may be repeated
		if (state.rateLimitRetries >= MAX_RATE_LIMIT_RETRIES) return { action: 'giveUp', reason: 'rateLimitRetriesExhausted' };
		counter = 'rateLimitRetries';
		const asked = outcome.concurrencyThrottle ? undefined : retryAfterMs(outcome.retryAfter, now);
		if (asked !== undefined) {
			waitMs = asked;
			pauseKeyMs = asked;
		} else {
			waitMs = Math.max(MIN_RATE_LIMIT_WAIT_MS, backoffMs(Math.max(policy.retryDelayMs, MIN_RATE_LIMIT_WAIT_MS), state.rateLimitRetries + 1, random));
		}
	} else {
		const retryable =
			outcome.kind === 'status'
				? isRetryableServerStatus(outcome.status) && policy.idempotent
				: outcome.failure === 'notSent' || (outcome.failure === 'interrupted' && policy.idempotent);
		if (!retryable) return { action: 'giveUp', reason: 'notRetryable' };
		if (state.retries >= policy.maxRetries) return { action: 'giveUp', reason: 'retriesExhausted' };
		counter = 'retries';
		const asked = outcome.kind === 'status' ? retryAfterMs(outcome.retryAfter, now) : undefined;
		waitMs = asked ?? backoffMs(policy.retryDelayMs, state.retries + 1, random);
	}
	if (state.elapsedMs + waitMs >= policy.maxWaitMs) return { action: 'giveUp', reason: 'maxWait', waitMs };
	return { action: 'retry', waitMs, counter, ...(pauseKeyMs !== undefined ? { pauseKeyMs } : {}) };
}
