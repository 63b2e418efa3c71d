import axios, { type AxiosInstance } from 'axios';
import * as http from 'node:http';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';

export const ANCHOR = '2024-06-15T12:00:00Z';
export const DAY = 86_400_000;

export async function start(options: SandboxOptions = {}): Promise<Sandbox> {
	return startSandbox({ port: 0, now: ANCHOR, quiet: true, persons: 400, ...options });
}

/** axios client that never throws on HTTP status and authenticates with the given key (if any). */
export function client(sb: Sandbox, key: string | null = sb.keys.all): AxiosInstance {
	return axios.create({
		baseURL: sb.url,
		headers: key ? { Authorization: `Bearer ${key}` } : {},
		validateStatus: () => true,
		// keep bodies as text where the test needs to inspect raw output
		transitional: { silentJSONParsing: true },
		httpAgent: new http.Agent({ keepAlive: false }),
	});
}

export function hog(type: string, code: string, detail: unknown, attr: string | null = null) {
	return { type, code, detail, attr };
}

export const P = '/api/projects/1/persons';
