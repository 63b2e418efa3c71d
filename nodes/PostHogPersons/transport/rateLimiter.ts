import { raceAbort, wait } from './abort';

/**
 * Client-side pacing of one API key, mirroring how PostHog throttles personal-API-key requests
 * (Django REST Framework's SimpleRateThrottle: at most N allowed requests in any sliding window
 * of D seconds, one history per key and throttle scope).
 *
 * - A request takes a slot in every bucket of its class before it is sent; the slot's time is
 *   moved to the moment the response arrived, which is never earlier than the moment PostHog
 *   recorded it, so the client's window always closes after the server's.
 * - Requests of one class wait in line (first come, first served), so many executions sharing a
 *   key take turns instead of racing for each free slot.
 * - `pause` (a 429's Retry-After) holds every request of the key until it has passed.
 * - `concurrency` caps requests in flight (PostHog runs at most 3 API queries of a team at once).
 */
export interface BucketLimit {
	/** Maximum number of requests in any window. */
	requests: number;
	/** Window length in seconds. */
	perSeconds: number;
}

/** A bucket: its limit and a name that identifies its history (same name = same history). */
export interface Bucket extends BucketLimit {
	name: string;
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

/**
 * Waits in `queue` until the function it put there is called. If `signal` fires first it leaves
 * the queue; if it was called just as the signal fired, `passOn` hands the turn to the next.
 */
async function waitInQueue(queue: Array<() => void>, signal: AbortSignal | undefined, passOn: () => void): Promise<void> {
	let admit!: () => void;
	const turn = new Promise<void>((resolve) => (admit = resolve));
	queue.push(admit);
	let admitted = false;
	try {
		await raceAbort(turn, signal);
		admitted = true;
	} finally {
		if (!admitted) {
			const index = queue.indexOf(admit);
			if (index >= 0) queue.splice(index, 1);
			else passOn();
		}
	}
}

/** A first-come-first-served line: `enter` resolves when it is the caller's turn. */
class Line {
	private waiting: Array<() => void> = [];

	private busy = false;

	async enter(signal?: AbortSignal): Promise<() => void> {
		if (this.busy) await waitInQueue(this.waiting, signal, () => this.leave());
		this.busy = true;
		let left = false;
		return () => {
			if (left) return;
			left = true;
			this.leave();
		};
	}

	private leave() {
		const next = this.waiting.shift();
		if (next) next();
		else this.busy = false;
	}
}

export class RateLimiter {
	private windows = new Map<string, SlidingWindow>();

	private lines = new Map<string, Line>();

	private pausedUntil = 0;

	private running = 0;

	private runningWaiters: Array<() => void> = [];

	constructor(private readonly now: () => number = () => Date.now()) {}

	private window(bucket: Bucket): SlidingWindow | undefined {
		if (!(bucket.requests > 0 && bucket.perSeconds > 0)) return undefined;
		const id = `${bucket.name}:${Math.floor(bucket.requests)}/${bucket.perSeconds}`;
		let window = this.windows.get(id);
		if (!window) {
			window = new SlidingWindow(Math.floor(bucket.requests), bucket.perSeconds * 1000);
			this.windows.set(id, window);
		}
		return window;
	}

	/** Holds every request of this limiter for `ms` (longer pauses win). */
	pause(ms: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
	}

	/** Waits until a request that counts against `buckets` may be sent, and reserves it. */
	async acquire(buckets: readonly Bucket[], signal?: AbortSignal): Promise<Slot> {
		const windows = buckets.map((bucket) => this.window(bucket)).filter((window): window is SlidingWindow => window !== undefined);
		const lineKey = buckets.map((bucket) => `${bucket.name}:${bucket.requests}/${bucket.perSeconds}`).join('|');
		let line = this.lines.get(lineKey);
		if (!line) {
			line = new Line();
			this.lines.set(lineKey, line);
		}
		const leave = await line.enter(signal);
		try {
			for (;;) {
				const now = this.now();
				const waitMs = Math.max(this.pausedUntil - now, 0, ...windows.map((window) => window.waitMs(now)));
				if (waitMs <= 0) {
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
				await wait(Math.ceil(waitMs), signal);
			}
		} finally {
			leave();
		}
	}

	/** Waits until fewer than `max` requests hold a concurrency slot (first come, first served), and takes one. */
	async concurrency(max: number, signal?: AbortSignal): Promise<Slot> {
		if (this.running >= max || this.runningWaiters.length > 0) {
			await waitInQueue(this.runningWaiters, signal, () => this.releaseRunning());
		} else {
			this.running++;
		}
		let released = false;
		return {
			release: () => {
				if (released) return;
				released = true;
				this.releaseRunning();
			},
		};
	}

	/** Hands a freed concurrency slot to the next in line, or frees it. */
	private releaseRunning() {
		const next = this.runningWaiters.shift();
		if (next) next();
		else this.running--;
	}
}
