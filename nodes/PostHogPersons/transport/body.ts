import { TransportFailure } from './networkErrors';

/**
 * Reads an answer's body (asked for as a stream, already decompressed by the HTTP client) with
 * two bounds a hostile or broken server cannot stretch: the attempt's deadline (a server
 * trickling one byte at a time is cut off when it passes) and a cap on the decoded size (a small
 * gzip answer that expands to gigabytes is stopped at the cap, not held in memory).
 */

/** Largest decoded answer the node reads: 64 MiB (a page of 50,000 persons is typically 10–40 MB). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

interface Destroyable {
	destroy(error?: Error): void;
}

function isStream(value: unknown): value is AsyncIterable<unknown> & Destroyable {
	return (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function' &&
		typeof (value as Destroyable).destroy === 'function'
	);
}

/** Stops a body nobody will read (an answer that came after its deadline). */
export function discardBody(body: unknown): void {
	if (isStream(body)) body.destroy();
}

function toBuffer(chunk: unknown): Buffer {
	if (Buffer.isBuffer(chunk)) return chunk;
	if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
	if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
	return Buffer.from(String(chunk), 'utf8');
}

/**
 * One buffer for the bodies of pages read one after the other (a CSV export): each body is written
 * into it as it arrives, so a run holds the bytes of one page however many pages it reads, and no
 * page leaves its bytes behind for the garbage collector. The bytes of one body stay valid until
 * the next body is read into the same buffer.
 */
export class PageBuffer {
	private buffer = Buffer.allocUnsafeSlow(0);
	private length = 0;
	/** Counts the bodies read into the buffer: bytes of an earlier body are no longer there. */
	generation = 0;

	/** Starts a new body (the previous one's bytes are overwritten from here on). */
	reset(): void {
		this.length = 0;
		this.generation++;
	}

	append(chunk: Buffer): void {
		const needed = this.length + chunk.length;
		if (needed > this.buffer.length) {
			// grows by doubling (a page's size is not known before its last byte), up to the cap
			const grown = Buffer.allocUnsafeSlow(Math.max(needed, Math.min(2 * this.buffer.length, MAX_BODY_BYTES)));
			grown.set(this.buffer.subarray(0, this.length) as unknown as Uint8Array);
			this.buffer = grown;
		}
		this.buffer.set(chunk as unknown as Uint8Array, this.length);
		this.length = needed;
	}

	/** The current body's bytes (a view, not a copy). */
	bytes(): Buffer {
		return this.buffer.subarray(0, this.length);
	}
}

/**
 * The body's bytes: a new Buffer, or a view into `into` (see PageBuffer). Rejects with
 * TransportFailure TIMEOUT, TOO_LARGE or INCOMPLETE.
 */
export async function readBody(body: unknown, signal: AbortSignal, maxBytes = MAX_BODY_BYTES, into?: PageBuffer): Promise<Buffer> {
	if (body === undefined || body === null) return Buffer.alloc(0);
	if (!isStream(body)) {
		// a client that already read the body (not n8n's usual path): still apply the cap
		const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
		if (bytes.length > maxBytes) throw tooLarge(maxBytes);
		return bytes;
	}
	const chunks: Buffer[] = [];
	let size = 0;
	into?.reset();
	let stop: TransportFailure | undefined;
	const onAbort = () => {
		stop = new TransportFailure('TIMEOUT', 'deadline passed');
		body.destroy(stop);
	};
	if (signal.aborted) onAbort();
	else signal.addEventListener('abort', onAbort, { once: true });
	try {
		for await (const chunk of body) {
			if (stop) break;
			const buffer = toBuffer(chunk);
			size += buffer.length;
			if (size > maxBytes) {
				stop = tooLarge(maxBytes);
				body.destroy();
				break;
			}
			if (into) into.append(buffer);
			else chunks.push(buffer);
		}
	} catch (error) {
		// the stream broke off, or was stopped by the deadline or the cap above
		stop ??= new TransportFailure('INCOMPLETE', error instanceof Error ? error.message : String(error));
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
	if (stop) throw stop;
	// n8n's HTTP client builds a new agent per request, so the connection is never reused: close it
	// now rather than leaving it open until the server's keep-alive timeout
	body.destroy();
	return into ? into.bytes() : Buffer.concat(chunks as unknown as Uint8Array[], size);
}

function tooLarge(maxBytes: number): TransportFailure {
	return new TransportFailure(
		'TOO_LARGE',
		`The answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB after decompression; the node stopped reading it`,
	);
}
