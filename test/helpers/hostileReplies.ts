/**
 * Answers of servers that misbehave the way proxies, SSO gateways and broken networks do, for
 * scriptedServer: bodies that trickle, never end, break off, or expand from a small gzip.
 */
import type * as http from 'http';
import * as zlib from 'zlib';

import type { Reply } from './scriptedServer';

/** Sends `text` one byte every `everyMs` (the connection never goes idle long enough for an idle timeout). */
export function trickle(text: string, everyMs: number, status = 200): Reply {
	return {
		handle(res: http.ServerResponse) {
			res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
			let index = 0;
			const timer = setInterval(() => {
				if (res.destroyed || index >= text.length) {
					clearInterval(timer);
					if (!res.destroyed) res.end();
					return;
				}
				res.write(text[index++]);
			}, everyMs);
			res.on('close', () => clearInterval(timer));
		},
	};
}

/** Accepts the request and never answers. */
export function hang(): Reply {
	return { handle: () => undefined };
}

/** Headers and the start of a body, then the connection is cut. */
export function brokenBody(start: string): Reply {
	return {
		handle(res: http.ServerResponse) {
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(start.length * 10) });
			res.write(start);
			setTimeout(() => res.socket?.destroy(), 20);
		},
	};
}

const bombs = new Map<number, Buffer>();

/** A gzip body that expands to about `megabytes` MB of valid JSON (`{"results": [], "next": null, "pad": "000…"}`). */
export function gzipBomb(megabytes: number): Reply {
	let gz = bombs.get(megabytes);
	if (!gz) {
		const head = '{"results": [], "next": null, "pad": "';
		const json = `${head}${'0'.repeat(megabytes * 1024 * 1024)}"}`;
		gz = zlib.gzipSync(json, { level: 9 });
		bombs.set(megabytes, gz);
	}
	const body = gz;
	return {
		handle(res: http.ServerResponse) {
			res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) });
			res.end(body);
		},
	};
}

/** A redirect to `location`. */
export function redirect(status: number, location: string): Reply {
	return { status, headers: { location }, body: '' };
}
