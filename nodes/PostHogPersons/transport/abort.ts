import { sleep } from 'n8n-workflow';

/**
 * Waiting that stops when a signal fires (the execution is cancelled, or a deadline passed).
 * n8n 2.x's `sleep` takes the signal itself; n8n 1.x's ignores it, so the race below is what
 * makes every wait abortable on both.
 */

export class AbortedError extends Error {
	constructor(readonly reason: unknown) {
		super(reason instanceof Error ? reason.message : 'The operation was aborted');
		this.name = 'AbortedError';
	}
}

/** Settles like `promise`, or rejects with AbortedError as soon as `signal` fires. */
export async function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
	if (!signal) return await promise;
	if (signal.aborted) {
		promise.catch(() => undefined);
		throw new AbortedError(signal.reason);
	}
	return await new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(new AbortedError(signal.reason));
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}

/** Like `raceAbort`, but resolves `{ aborted: true }` instead of rejecting when `signal` fires. */
export async function settleWithin<T>(promise: Promise<T>, signal?: AbortSignal): Promise<{ value: T } | { aborted: true }> {
	return await raceAbort(promise, signal).then(
		(value) => ({ value }),
		(error: unknown) => {
			if (error instanceof AbortedError) return { aborted: true as const };
			return Promise.reject(error);
		},
	);
}

/** Waits `ms` milliseconds; false when `signal` fired first. */
export async function waitUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
	const settled = await settleWithin(wait(ms), signal);
	return !('aborted' in settled);
}

/** Waits `ms` milliseconds unless `signal` fires first (then rejects with AbortedError). */
export async function wait(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0) {
		if (signal?.aborted) throw new AbortedError(signal.reason);
		return;
	}
	await raceAbort(sleep(ms, signal), signal);
}

/**
 * One signal that fires when any of `signals` fires. Call `dispose` when done: it removes the
 * listeners from long-lived signals (such as the execution's cancel signal).
 */
export function anySignal(signals: Array<AbortSignal | undefined>): { signal: AbortSignal; dispose: () => void } {
	const controller = new AbortController();
	const removers: Array<() => void> = [];
	for (const signal of signals) {
		if (!signal) continue;
		if (signal.aborted) {
			controller.abort(signal.reason);
			break;
		}
		const onAbort = () => controller.abort(signal.reason);
		signal.addEventListener('abort', onAbort, { once: true });
		removers.push(() => signal.removeEventListener('abort', onAbort));
	}
	return { signal: controller.signal, dispose: () => removers.forEach((remove) => remove()) };
}
