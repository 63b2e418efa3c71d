import { RateLimiter } from '../../nodes/PostHogPersons/transport/rateLimiter';

/** Times at which the limiter let requests through, with each response taking `latencyMs`. */
async function pace(limiter: RateLimiter, buckets: string[], count: number, latencyMs = 0) {
	const sent: number[] = [];
	for (let index = 0; index < count; index++) {
		const slot = await limiter.acquire(buckets);
		sent.push(Date.now());
		if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
		slot.release();
	}
	return sent;
}

/** Largest number of sends inside any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number) {
	let best = 0;
	for (let start = 0; start < times.length; start++) {
		let end = start;
		while (end < times.length && times[end] - times[start] < windowMs) end++;
		best = Math.max(best, end - start);
	}
	return best;
}

describe('RateLimiter (sliding window like DRF SimpleRateThrottle)', () => {
	test('never lets more than N requests into any window', async () => {
		const limiter = new RateLimiter({ burst: { requests: 5, perSeconds: 0.15 } });
		const sent = await pace(limiter, ['burst'], 16);
		expect(maxInWindow(sent, 150)).toBe(5);
	});

	test('a request counts against every bucket of its class', async () => {
		const limiter = new RateLimiter({
			burst: { requests: 4, perSeconds: 0.05 },
			sustained: { requests: 6, perSeconds: 0.3 },
		});
		const sent = await pace(limiter, ['burst', 'sustained'], 13);
		expect(maxInWindow(sent, 50)).toBeLessThanOrEqual(4);
		expect(maxInWindow(sent, 300)).toBeLessThanOrEqual(6);
	});

	test('the window of a slot starts when its response arrived (never before the server saw it)', async () => {
		const limiter = new RateLimiter({ burst: { requests: 2, perSeconds: 0.1 } });
		const sent = await pace(limiter, ['burst'], 3, 60);
		// the third request waits until 100 ms after the FIRST RESPONSE (sent + 60 ms)
		expect(sent[2] - sent[0]).toBeGreaterThanOrEqual(160 - 5);
	});

	test('buckets without a limit do not wait', async () => {
		const limiter = new RateLimiter({});
		const sent = await pace(limiter, ['anything'], 50);
		expect(sent).toHaveLength(50);
	});
});
