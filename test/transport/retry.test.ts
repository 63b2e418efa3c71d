import type { AttemptOutcome, RetryDecision, RetryPolicy, RetryState } from '../../nodes/PostHogPersons/transport/retry';
import { MAX_RATE_LIMIT_RETRIES, backoffMs, decideRetry, retryAfterMs } from '../../nodes/PostHogPersons/transport/retry';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const policy: RetryPolicy = { maxRetries: 5, retryDelayMs: 1000, maxWaitMs: 300_000, idempotent: true };
const fresh: RetryState = { retries: 0, rateLimitRetries: 0, elapsedMs: 0 };
const status = (code: number, extra: Partial<Extract<AttemptOutcome, { kind: 'status' }>> = {}): AttemptOutcome => ({ kind: 'status', status: code, ...extra });
const net = (failure: 'notSent' | 'interrupted' | 'fatal'): AttemptOutcome => ({ kind: 'network', failure });

// random 0.5 → backoff = 3/4 of the exponential step
type Row = [string, Partial<RetryPolicy>, Partial<RetryState>, AttemptOutcome, RetryDecision];
const table: Row[] = [
	['429 with Retry-After 2 waits 2 s and pauses the key', {}, {}, status(429, { retryAfter: '2' }), { action: 'retry', waitMs: 2000, counter: 'rateLimitRetries', pauseKeyMs: 2000 }],
	['429 with an HTTP date 5 s ahead', {}, {}, status(429, { retryAfter: new Date(NOW + 5000).toUTCString() }), { action: 'retry', waitMs: 5000, counter: 'rateLimitRetries', pauseKeyMs: 5000 }],
	['429 with Retry-After 0 backs off (at least 1 s), no pause', {}, {}, status(429, { retryAfter: '0' }), { action: 'retry', waitMs: 1000, counter: 'rateLimitRetries' }],
	['429 with a negative Retry-After backs off', {}, { rateLimitRetries: 2 }, status(429, { retryAfter: '-30' }), { action: 'retry', waitMs: 3000, counter: 'rateLimitRetries' }],
	['429 with a past date backs off', {}, {}, status(429, { retryAfter: new Date(NOW - 60_000).toUTCString() }), { action: 'retry', waitMs: 1000, counter: 'rateLimitRetries' }],
	['429 with garbage backs off', {}, {}, status(429, { retryAfter: 'soon' }), { action: 'retry', waitMs: 1000, counter: 'rateLimitRetries' }],
	['429 backoff is at least 1 s even with Initial Retry Delay 0', { retryDelayMs: 0 }, {}, status(429), { action: 'retry', waitMs: 1000, counter: 'rateLimitRetries' }],
	['query-concurrency 429 backs off, ignoring a Retry-After, no pause', {}, {}, status(429, { concurrencyThrottle: true, retryAfter: '0' }), { action: 'retry', waitMs: 1000, counter: 'rateLimitRetries' }],
	['429s do not use Max Retries', { maxRetries: 0 }, { retries: 0 }, status(429, { retryAfter: '1' }), { action: 'retry', waitMs: 1000, counter: 'rateLimitRetries', pauseKeyMs: 1000 }],
	['429s have their own cap', {}, { rateLimitRetries: MAX_RATE_LIMIT_RETRIES }, status(429, { retryAfter: '1' }), { action: 'giveUp', reason: 'rateLimitRetriesExhausted' }],
	['a non-idempotent request is retried after 429', { idempotent: false }, {}, status(429, { retryAfter: '1' }), { action: 'retry', waitMs: 1000, counter: 'rateLimitRetries', pauseKeyMs: 1000 }],
	['503 backs off exponentially', {}, { retries: 2 }, status(503), { action: 'retry', waitMs: 3000, counter: 'retries' }],
	['503 honours a positive Retry-After', {}, {}, status(503, { retryAfter: '7' }), { action: 'retry', waitMs: 7000, counter: 'retries' }],
	['500 after six 429s is still retried (separate counters)', {}, { rateLimitRetries: 6, retries: 0 }, status(500), { action: 'retry', waitMs: 750, counter: 'retries' }],
	['500 after Max Retries gives up', {}, { retries: 5 }, status(500), { action: 'giveUp', reason: 'retriesExhausted' }],
	['500 of a non-idempotent request is not retried', { idempotent: false }, {}, status(500), { action: 'giveUp', reason: 'notRetryable' }],
	['501 is not retried', {}, {}, status(501), { action: 'giveUp', reason: 'notRetryable' }],
	['512 (query too slow) is not retried', {}, {}, status(512), { action: 'giveUp', reason: 'notRetryable' }],
	['400 is not retried', {}, {}, status(400), { action: 'giveUp', reason: 'notRetryable' }],
	['a refused connection is retried even when not idempotent', { idempotent: false }, {}, net('notSent'), { action: 'retry', waitMs: 750, counter: 'retries' }],
	['a broken connection is retried when idempotent', {}, { retries: 1 }, net('interrupted'), { action: 'retry', waitMs: 1500, counter: 'retries' }],
	['a broken connection is not retried when not idempotent', { idempotent: false }, {}, net('interrupted'), { action: 'giveUp', reason: 'notRetryable' }],
	['a fatal network failure is not retried', {}, {}, net('fatal'), { action: 'giveUp', reason: 'notRetryable' }],
	['network retries count against Max Retries', {}, { retries: 5 }, net('notSent'), { action: 'giveUp', reason: 'retriesExhausted' }],
	['a wait that would pass Max Wait gives up now', { maxWaitMs: 60_000 }, { elapsedMs: 59_000 }, status(429, { retryAfter: '2' }), { action: 'giveUp', reason: 'maxWait', waitMs: 2000 }],
	['Max Wait counts time spent in attempts, too', { maxWaitMs: 10_000 }, { elapsedMs: 9_500 }, net('interrupted'), { action: 'giveUp', reason: 'maxWait', waitMs: 750 }],
	['a year-long Retry-After gives up at once', {}, {}, status(429, { retryAfter: String(365 * 86400) }), { action: 'giveUp', reason: 'maxWait', waitMs: 365 * 86400 * 1000 }],
	['backoff is capped at 30 s', {}, { retries: 4, elapsedMs: 0 }, status(502), { action: 'retry', waitMs: 12_000, counter: 'retries' }],
];

describe('decideRetry (pure): attempt outcome, retries so far and time spent → wait or give up', () => {
	test.each(table)('%s', (_name, policyChange, stateChange, outcome, expected) => {
		expect(decideRetry({ ...policy, ...policyChange }, { ...fresh, ...stateChange }, outcome, NOW, 0.5)).toEqual(expected);
	});

	test('Retry-After values', () => {
		expect(retryAfterMs(undefined, NOW)).toBeUndefined();
		expect(retryAfterMs('', NOW)).toBeUndefined();
		expect(retryAfterMs('0', NOW)).toBeUndefined();
		expect(retryAfterMs('-1', NOW)).toBeUndefined();
		expect(retryAfterMs('1.5', NOW)).toBe(1500);
		expect(retryAfterMs(new Date(NOW + 3000).toUTCString(), NOW)).toBe(3000);
	});

	test('backoff doubles per retry with equal jitter and stops at 30 s', () => {
		expect([1, 2, 3, 4, 5, 6, 7].map((retry) => backoffMs(1000, retry, 0))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
		expect([1, 2, 3, 6].map((retry) => backoffMs(1000, retry, 0.999999))).toEqual([1000, 2000, 4000, 30000]);
	});
});
