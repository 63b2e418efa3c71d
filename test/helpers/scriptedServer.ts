/**
 * A loopback HTTP server whose answers a test scripts request by request, for transport
 * behaviour the sandbox does not produce on purpose (a hostile `next` link, a non-advancing
 * page, a precise sequence of failures).
 */
import * as http from 'http';

export interface SeenRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

export type Reply =
	| { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
	| { destroy: true; delayMs?: number }
	/** Full control of the answer (see hostileReplies.ts): trickling, gzip bombs, broken bodies. */
	| { handle(res: http.ServerResponse, req: http.IncomingMessage): void };

export interface ScriptedServer {
	url: string;
	requests: SeenRequest[];
	/** Arrival time (Date.now()) of each request. */
	times: number[];
	/** Most requests that were being answered at the same time. */
	maxInFlight: number;
	close(): Promise<void>;
}

export async function scriptedServer(handler: (request: SeenRequest, index: number) => Reply): Promise<ScriptedServer> {
	const requests: SeenRequest[] = [];
	const times: number[] = [];
	let inFlight = 0;
	const state = { maxInFlight: 0 };
	const server = http.createServer((req, res) => {
		let body = '';
		inFlight++;
		state.maxInFlight = Math.max(state.maxInFlight, inFlight);
		res.on('close', () => inFlight--);
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			const seen = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
			requests.push(seen);
			times.push(Date.now());
			const reply = handler(seen, requests.length - 1);
			if ('handle' in reply) {
				reply.handle(res, req);
				return;
			}
			const answer = () => {
				if ('destroy' in reply) {
					req.socket.destroy();
					return;
				}
				const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
				res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
				res.end(text);
			};
			if (reply.delayMs) setTimeout(answer, reply.delayMs);
			else answer();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		times,
		get maxInFlight() {
			return state.maxInFlight;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}

export function credentialsFor(server: { url: string }, apiKey = 'phx_scriptedServerSecretKey0000000000000000') {
	return { region: 'selfHosted', host: server.url, projectId: '7', apiKey };
}
