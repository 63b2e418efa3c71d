import type { Bucket } from '../../nodes/PostHogPersons/transport/rateLimiter';
import { RateLimiter } from '../../nodes/PostHogPersons/transport/rateLimiter';
import { maxInWindow } from '../helpers/transportCases';

const bucket = (name: string, requests: number, perSeconds: number): Bucket => ({ name, requests, perSeconds });

/** Times at which the limiter let requests through, with each response taking `latencyMs`. */
async function pace(limiter: RateLimiter, buckets: Bucket[], count: number, latencyMs = 0) {
	const sent: number[] = [];
	for (let index = 0; index < count; index++) {
		const slot = await limiter.acquire(buckets);
		sent.push(Date.now());
		if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
		slot.release();
	}
	return sent;
}

describe('RateLimiter (sliding window like DRF SimpleRateThrottle)', () => {
	test('never lets more than N requests into any window', async () => {
		const limiter = new RateLimiter();
		const sent = await pace(limiter, [bucket('burst', 5, 0.15)], 16);
		expect(maxInWindow(sent, 150)).toBe(5);
	});

	test('a request counts against every bucket of its class', async () => {
		const limiter = new RateLimiter();
		const sent = await pace(limiter, [bucket('burst', 4, 0.05), bucket('sustained', 6, 0.3)], 13);
		expect(maxInWindow(sent, 50)).toBeLessThanOrEqual(4);
		expect(maxInWindow(sent, 300)).toBeLessThanOrEqual(6);
	});

	test('the window of a slot starts when its response arrived (never before the server saw it)', async () => {
		const limiter = new RateLimiter();
		const sent = await pace(limiter, [bucket('burst', 2, 0.1)], 3, 60);
		// the third request waits until 100 ms after the FIRST RESPONSE (sent + 60 ms)
		expect(sent[2] - sent[0]).toBeGreaterThanOrEqual(160 - 5);
	});

	test('buckets without a limit never wait: on a clock that stands still, 50 requests all pass', async () => {
		// any wait would sleep while the clock never moves, so the test would time out instead
		const limiter = new RateLimiter(() => 1_000_000);
		const slots = await Promise.all(Array.from({ length: 50 }, () => limiter.acquire([bucket('unlimited', 0, 60)])));
		expect(slots).toHaveLength(50);
		// while one with a limit of 3 lets exactly 3 through on that clock
		const limited: number[] = [];
		const stop = new AbortController();
		const waits = Array.from({ length: 5 }, (_, index) =>
			limiter.acquire([bucket('three', 3, 60)], stop.signal).then(
				() => limited.push(index),
				() => undefined,
			),
		);
		await new Promise((resolve) => setTimeout(resolve, 50));
		stop.abort();
		await Promise.all(waits);
		expect(limited).toEqual([0, 1, 2]);
	});

	test('requests of one class wait in line: the order they asked in is the order they go', async () => {
		const limiter = new RateLimiter();
		const order: number[] = [];
		await Promise.all(
			Array.from({ length: 12 }, async (_, index) => {
				const slot = await limiter.acquire([bucket('burst', 3, 0.06)]);
				order.push(index);
				slot.release();
			}),
		);
		expect(order).toEqual(Array.from({ length: 12 }, (_, index) => index));
	});

	test('pause holds every request of the limiter, whatever its class', async () => {
		const limiter = new RateLimiter();
		const start = Date.now();
		limiter.pause(120);
		const [first, second] = await Promise.all([
			limiter.acquire([bucket('persons', 100, 60)]).then(() => Date.now() - start),
			limiter.acquire([]).then(() => Date.now() - start),
		]);
		expect(first).toBeGreaterThanOrEqual(115);
		expect(second).toBeGreaterThanOrEqual(115);
	});

	test('concurrency lets at most N hold a slot; a release hands the slot to the next in line', async () => {
		const limiter = new RateLimiter();
		let running = 0;
		let most = 0;
		const order: number[] = [];
		await Promise.all(
			Array.from({ length: 10 }, async (_, index) => {
				const slot = await limiter.concurrency(3);
				order.push(index);
				running++;
				most = Math.max(most, running);
				await new Promise((resolve) => setTimeout(resolve, 5));
				running--;
				slot.release();
			}),
		);
		expect(most).toBe(3);
		expect(order).toEqual(Array.from({ length: 10 }, (_, index) => index));
	});

	test('an aborted wait leaves the line and the next request goes', async () => {
		const limiter = new RateLimiter(() => 1_000_000);
		await limiter.acquire([bucket('one', 1, 60)]);
		const controller = new AbortController();
		const waiting = limiter.acquire([bucket('one', 1, 60)], controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow();
		const slot = await limiter.concurrency(1);
		const second = limiter.concurrency(1, AbortSignal.abort());
		await expect(second).rejects.toThrow();
		slot.release();
		await expect(limiter.concurrency(1)).resolves.toBeDefined();
	});
});
