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
	| { status: number; body?: unknown; headers?: Record<string, string> }
	| { destroy: true };

export interface ScriptedServer {
	url: string;
	requests: SeenRequest[];
	close(): Promise<void>;
}

export async function scriptedServer(handler: (request: SeenRequest, index: number) => Reply): Promise<ScriptedServer> {
	const requests: SeenRequest[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			const seen = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
			requests.push(seen);
			const reply = handler(seen, requests.length - 1);
			if ('destroy' in reply) {
				req.socket.destroy();
				return;
			}
			const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
			res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
			res.end(text);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
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
