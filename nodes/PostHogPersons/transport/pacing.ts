import { createHash } from 'crypto';

import { isPostHogCloud } from './connection';
import type { Bucket, BucketLimit } from './rateLimiter';
import { RateLimiter } from './rateLimiter';
import type { RequestSettings } from './settings';
import type { RequestClass } from './types';

/**
 * Which limits a request waits for, and the one limiter per API key that every execution of
 * this n8n process shares. PostHog counts its throttles per personal API key (a hash of it), so
 * 50 executions running at once share one budget; each process of a queue-mode installation
 * paces at its share of it ("n8n Processes Sharing This Key").
 */

/** PostHog Cloud's per-key throttles. */
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

/** PostHog runs at most 3 API queries of a team at once; a fourth waits up to 30 s, then gets 429. */
export const MAX_CONCURRENT_QUERIES = 3;

/** Limiters kept per process (least recently used keys are dropped beyond this). */
export const MAX_LIMITERS = 256;

export type ClassBuckets = Record<RequestClass, Bucket[]>;

/** Buckets per request class for the chosen Rate Limits mode, at this process's share of each. */
export function classBuckets(settings: RequestSettings, origin: string): ClassBuckets {
	const share = Math.max(1, Math.floor(settings.processesSharingKey));
	const shared = (name: string, limit: BucketLimit): Bucket => ({
		name,
		requests: Math.max(1, Math.floor(limit.requests / share)),
		perSeconds: limit.perSeconds,
	});
	const mode = settings.rateLimits === 'auto' ? (isPostHogCloud(origin) ? 'cloud' : 'none') : settings.rateLimits;
	const buckets: ClassBuckets = { persons: [], personsDelete: [], query: [] };
	if (mode === 'cloud') {
		for (const requestClass of Object.keys(CLOUD_CLASS_BUCKETS) as RequestClass[]) {
			buckets[requestClass] = CLOUD_CLASS_BUCKETS[requestClass].map((name) => shared(name, CLOUD_LIMITS[name]));
		}
	} else if (mode === 'custom') {
		settings.customLimits.forEach((entry, index) => {
			if (!(entry.requests > 0 && entry.perSeconds > 0)) return;
			(buckets[entry.appliesTo] ?? buckets.persons).push(shared(`custom${index}`, entry));
		});
	}
	return buckets;
}

/** Query API requests this process may run at once for one key. */
export function queryConcurrency(settings: RequestSettings): number {
	return Math.max(1, Math.floor(MAX_CONCURRENT_QUERIES / Math.max(1, Math.floor(settings.processesSharingKey))));
}

const limiters = new Map<string, RateLimiter>();

/** The limiter of one (origin, project, API key) in this process; the key itself is only kept hashed. */
export function limiterFor(origin: string, projectId: string, apiKey: string): RateLimiter {
	const id = `${origin}|${projectId}|${createHash('sha256').update(apiKey).digest('hex')}`;
	let limiter = limiters.get(id);
	if (limiter) {
		limiters.delete(id); // re-inserted below: Map order is the recency order
	} else {
		limiter = new RateLimiter();
		if (limiters.size >= MAX_LIMITERS) limiters.delete(limiters.keys().next().value as string);
	}
	limiters.set(id, limiter);
	return limiter;
}
