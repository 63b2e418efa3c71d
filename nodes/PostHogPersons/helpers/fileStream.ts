import type { IExecuteFunctions } from 'n8n-workflow';

type Listener = (...args: unknown[]) => void;

/** What `prepareBinaryData` accepts besides a Buffer: a Node Readable. */
export type BinaryStream = Exclude<Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0], Buffer>;

/**
 * A readable byte stream over an async generator of Buffers, handed to `prepareBinaryData` so a
 * file is produced while n8n stores it.
 *
 * Community nodes may not import `node:stream` (n8n's community-node rules), so this implements
 * exactly what n8n's binary-data code uses of a Node Readable:
 * - async iteration: in filesystem mode n8n writes the file with `fs.writeFile(path, stream)`,
 *   which pulls one chunk at a time, so the file goes to disk as it is produced;
 * - the `data` / `end` / `error` / `close` events with `on` / `once` / `off` and `destroy`: in
 *   memory, S3, Azure and database modes n8n collects the chunks into one Buffer.
 * Either mode is used, never both. An error of the generator is emitted as `error` (before
 * `close`), or thrown to the iterating reader, so n8n rejects with the node's own error.
 */
export class ChunkStream {
	readonly readable = true;
	private readonly listeners = new Map<string, Listener[]>();
	private started = false;
	private finished = false;

	constructor(private readonly source: AsyncGenerator<Buffer>) {}

	/** This object as the stream type `prepareBinaryData` declares. */
	asBinaryStream(): BinaryStream {
		return this as unknown as BinaryStream;
	}

	on(event: string, listener: Listener): this {
		const list = this.listeners.get(event) ?? [];
		list.push(listener);
		this.listeners.set(event, list);
		if (event === 'data') this.start();
		return this;
	}

	addListener(event: string, listener: Listener): this {
		return this.on(event, listener);
	}

	once(event: string, listener: Listener): this {
		const wrapper: Listener = (...args) => {
			this.off(event, wrapper);
			listener(...args);
		};
		(wrapper as Listener & { original?: Listener }).original = listener;
		return this.on(event, wrapper);
	}

	off(event: string, listener: Listener): this {
		const list = this.listeners.get(event);
		if (list) {
			const index = list.findIndex(
				(entry) => entry === listener || (entry as Listener & { original?: Listener }).original === listener,
			);
			if (index >= 0) list.splice(index, 1);
		}
		return this;
	}

	removeListener(event: string, listener: Listener): this {
		return this.off(event, listener);
	}

	/** Stops producing (the generator's `finally` blocks run); emits `error` if given, then `close`. */
	destroy(error?: Error): this {
		if (this.finished) return this;
		this.finished = true;
		void this.source.return(undefined).catch(() => undefined);
		if (error) this.emit('error', error);
		this.emit('close');
		return this;
	}

	[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
		if (this.started) throw new Error('The CSV stream is already being read');
		this.started = true;
		return this.source;
	}

	private emit(event: string, ...args: unknown[]): void {
		for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
	}

	private start(): void {
		if (this.started) return;
		this.started = true;
		// after the caller has attached its other listeners (they are attached in the same tick)
		void Promise.resolve().then(async () => await this.pump());
	}

	private async pump(): Promise<void> {
		try {
			for (;;) {
				const next = await this.source.next();
				if (this.finished) return;
				if (next.done) break;
				this.emit('data', next.value);
			}
			this.finished = true;
			this.emit('end');
			this.emit('close');
		} catch (error) {
			if (this.finished) return;
			this.finished = true;
			this.emit('error', error);
			this.emit('close');
		}
	}
}
