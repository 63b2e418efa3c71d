// Django REST framework's SimpleRateThrottle, keyed like PostHog's PersonalApiKeyRateThrottle
// (cache key = throttle scope + hash of the personal API key).

export interface ThrottleRate {
	scope: string;
	numRequests: number;
	/** window length in seconds (before timeScale) */
	durationSeconds: number;
}

// posthog/rate_limit.py and posthog/api/person.py
export const RATES = {
	clickhouseBurst: { scope: 'clickhouse_burst', numRequests: 240, durationSeconds: 60 },
	clickhouseSustained: { scope: 'clickhouse_sustained', numRequests: 1200, durationSeconds: 3600 },
	personsDeleteBurst: { scope: 'persons_delete_burst', numRequests: 480, durationSeconds: 60 },
	personsDeleteSustained: { scope: 'persons_delete_sustained', numRequests: 4800, durationSeconds: 3600 },
	// BurstRateThrottle / SustainedRateThrottle: the default of other viewsets (cohorts, actions, definitions)
	burst: { scope: 'burst', numRequests: 480, durationSeconds: 60 },
	sustained: { scope: 'sustained', numRequests: 4800, durationSeconds: 3600 },
} satisfies Record<string, ThrottleRate>;

export interface ThrottleVerdict {
	allowed: boolean;
	/** seconds (real time) until a request would be allowed, DRF's `wait()`; max over the failed throttles */
	waitSeconds: number | null;
	scopes: string[];
}

export class ThrottleRegistry {
	/** history of allowed request times (real ms), newest first, per `${scope}:${key}` */
	private readonly histories = new Map<string, number[]>();

	constructor(
		private timeScale: number,
		private readonly clock: () => number = () => Date.now(),
	) {}

	setTimeScale(timeScale: number): void {
		this.timeScale = timeScale;
	}

	reset(): void {
		this.histories.clear();
	}

	/**
	 * Runs every throttle like DRF's `check_throttles`: each throttle that allows the request records it
	 * (even if another throttle refuses), and the largest wait of the refusing throttles is reported.
	 */
	check(key: string, rates: ThrottleRate[]): ThrottleVerdict {
		const now = this.clock();
		const waits: number[] = [];
		const failed: string[] = [];
		for (const rate of rates) {
			const duration = (rate.durationSeconds * 1000) / this.timeScale;
			const cacheKey = `${rate.scope}:${key}`;
			let history = this.histories.get(cacheKey);
			if (!history) {
				history = [];
				this.histories.set(cacheKey, history);
			}
			while (history.length && history[history.length - 1] <= now - duration) history.pop();
			if (history.length >= rate.numRequests) {
				failed.push(rate.scope);
				const remaining = history.length ? duration - (now - history[history.length - 1]) : duration;
				const available = rate.numRequests - history.length + 1;
				if (available > 0) waits.push(remaining / 1000 / available);
			} else {
				history.unshift(now);
			}
		}
		if (!failed.length) return { allowed: true, waitSeconds: null, scopes: [] };
		return { allowed: false, waitSeconds: waits.length ? Math.max(...waits) : null, scopes: failed };
	}
}
