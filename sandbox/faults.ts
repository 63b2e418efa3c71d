// Fault injection: a seeded dice per request decides whether a fault fires.

import { mulberry32, type Rng } from './util/prng';

export interface FaultConfig {
	/** share of requests answered with an injected 429 (throttled body + Retry-After) */
	rate429?: number;
	/** Retry-After for injected 429s (default 1; 0 allowed) */
	retryAfterSeconds?: number;
	/** share answered 500/502/503 (bodies as PostHog/its proxy would send) */
	rate5xx?: number;
	/** default [500, 502, 503] */
	statuses5xx?: number[];
	/** share whose connection is destroyed before processing (nothing changes) */
	resetRate?: number;
	/** share processed (state changes!) and then the socket destroyed without a response */
	resetAfterProcessingRate?: number;
	slowRate?: number;
	slowMs?: number;
	/** share of list pages that omit some rows while `next` still advances by limit (PostHog issue #24787) */
	shortPageRate?: number;
	/** share of persons whose deletion fails: listed in deletion_errors and not deleted; single DELETE answers 503 */
	deletionErrorRate?: number;
	/** deletion_errors entries carry only `step`, no `person_uuid` (an answer the client cannot attribute) */
	deletionErrorsWithoutUuid?: boolean;
	/** share processed (state changes!) and then answered with a proxy 502/504 page instead of PostHog's answer */
	rate5xxAfterProcessing?: number;
	/** optional regex source; faults only apply to request paths matching it */
	paths?: string;
	/** PRNG seed for the fault dice (deterministic) */
	seed?: number;
}

export class FaultInjector {
	private config: FaultConfig | undefined;
	private rng: Rng = mulberry32(0);
	private pathRe: RegExp | null = null;

	constructor(config: FaultConfig | undefined) {
		this.set(config);
	}

	set(config: FaultConfig | undefined): void {
		this.config = config ? { ...config } : undefined;
		this.rng = mulberry32(config?.seed ?? 1234);
		this.pathRe = config?.paths ? new RegExp(config.paths) : null;
	}

	get active(): FaultConfig | undefined {
		return this.config;
	}

	appliesTo(path: string): boolean {
		if (!this.config) return false;
		return this.pathRe ? this.pathRe.test(path) : true;
	}

	/** Rolls the dice for a rate; false when the rate is 0/undefined (and then consumes no randomness). */
	roll(rate: number | undefined): boolean {
		if (!rate || rate <= 0) return false;
		return this.rng() < rate;
	}

	pick<T>(items: T[]): T {
		return items[Math.floor(this.rng() * items.length)];
	}

	random(): number {
		return this.rng();
	}
}

export function fault5xxBody(status: number): { contentType: string; text: string; headers: Record<string, string> } {
	if (status === 500) {
		return {
			contentType: 'application/json',
			text: JSON.stringify({ type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null }),
			headers: {},
		};
	}
	const titles: Record<number, string> = { 502: '502 Bad Gateway', 503: '503 Service Temporarily Unavailable', 504: '504 Gateway Time-out' };
	const title = titles[status] ?? `${status} Error`;
	return {
		contentType: 'text/html',
		text: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
		headers: {},
	};
}
