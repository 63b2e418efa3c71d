import type { RequestClass } from './types';

/**
 * How the transport behaves for one execution (the node's "Request Options"). The node reads
 * them from its parameters (helpers/requestSettings.ts) and hands them over with
 * `useRequestSettings`; without that (list search in the editor) the defaults apply.
 */

export type RateLimitMode = 'auto' | 'cloud' | 'none' | 'custom';

export interface RequestSettings {
	/** Input items (or batch calls) processed at the same time. */
	concurrency: number;
	/** Retries after server errors, timeouts and broken connections. */
	maxRetries: number;
	/** First backoff; doubles per retry. */
	retryDelayMs: number;
	/** Longest time one request may take in total, every attempt and wait included. */
	maxWaitSeconds: number;
	/** Longest time one attempt may take, from sending to the last byte of the answer. */
	timeoutSeconds: number;
	rateLimits: RateLimitMode;
	customLimits: Array<{ appliesTo: RequestClass; requests: number; perSeconds: number }>;
	/** n8n processes (main + queue-mode workers) using the same key: each paces at its share. */
	processesSharingKey: number;
}

export const DEFAULT_SETTINGS: RequestSettings = {
	concurrency: 1,
	maxRetries: 5,
	retryDelayMs: 1000,
	maxWaitSeconds: 300,
	timeoutSeconds: 120,
	rateLimits: 'auto',
	customLimits: [],
	processesSharingKey: 1,
};
