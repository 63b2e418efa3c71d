import { isPostHogCloud } from './baseUrl';
import type { BucketLimit } from './rateLimiter';
import { RateLimiter } from './rateLimiter';
import type { RequestSettings } from './settings';
import type { RequestClass } from './types';

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

export interface Pacing {
	limiter: RateLimiter;
	/** Buckets each request class takes a slot in. */
	classBuckets: Record<RequestClass, string[]>;
}

/** The limiter for the chosen Rate Limits mode ("Automatic": Cloud limits on PostHog Cloud only). */
export function buildPacing(settings: RequestSettings, baseUrl: string): Pacing {
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
