import { sleep } from 'n8n-workflow';

/**
 * Client-side pacing that mirrors how PostHog throttles personal-API-key requests
 * (Django REST Framework's SimpleRateThrottle: at most N allowed requests in any sliding
 * window of D seconds, one history per key and throttle scope).
 *
 * A request takes a slot in every bucket of its class before it is sent; the slot's time is
 * moved to the moment the response arrived, which is never earlier than the moment PostHog
 * recorded it, so the client's window always closes after the server's.
 */
export interface BucketLimit {
	/** Maximum number of requests in any window. */
	requests: number;
	/** Window length in seconds. */
	perSeconds: number;
}

class SlidingWindow {
	private times: number[] = [];

	private head = 0;

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {}

	private prune(now: number) {
		while (this.head < this.times.length && this.times[this.head] <= now - this.windowMs) this.head++;
		if (this.head > 1024 && this.head * 2 > this.times.length) {
			this.times = this.times.slice(this.head);
			this.head = 0;
		}
	}

	/** Milliseconds to wait before one more request fits into the window (0 = now). */
	waitMs(now: number): number {
		this.prune(now);
		const used = this.times.length - this.head;
		if (used < this.limit) return 0;
		// the (used - limit + 1)-th oldest entry must leave the window
		return this.times[this.head + used - this.limit] + this.windowMs - now;
	}

	add(time: number) {
		// keep the history sorted; completions arrive almost in order, so this is O(1) in practice
		let index = this.times.length;
		while (index > this.head && this.times[index - 1] > time) index--;
		this.times.splice(index, 0, time);
	}

	replace(oldTime: number, newTime: number) {
		for (let index = this.times.length - 1; index >= this.head; index--) {
			if (this.times[index] === oldTime) {
				this.times.splice(index, 1);
				break;
			}
		}
		this.add(newTime);
	}
}

export interface Slot {
	release(): void;
}

export class RateLimiter {
	private buckets = new Map<string, SlidingWindow>();

	constructor(
		limits: Record<string, BucketLimit>,
		private readonly now: () => number = () => Date.now(),
	) {
		for (const [name, limit] of Object.entries(limits)) {
			if (limit.requests > 0 && limit.perSeconds > 0) {
				this.buckets.set(name, new SlidingWindow(Math.floor(limit.requests), limit.perSeconds * 1000));
			}
		}
	}

	/** Waits until a request that counts against `bucketNames` may be sent, and reserves it. */
	async acquire(bucketNames: readonly string[]): Promise<Slot> {
		const windows = bucketNames
			.map((name) => this.buckets.get(name))
			.filter((window): window is SlidingWindow => window !== undefined);
		for (;;) {
			const now = this.now();
			const wait = Math.max(0, ...windows.map((window) => window.waitMs(now)));
			if (wait <= 0) {
				for (const window of windows) window.add(now);
				let released = false;
				return {
					release: () => {
						if (released) return;
						released = true;
						const end = this.now();
						for (const window of windows) window.replace(now, end);
					},
				};
			}
			await sleep(Math.ceil(wait));
		}
	}
}
