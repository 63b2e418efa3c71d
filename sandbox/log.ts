// Request log kept by the sandbox (capped so long benchmarks don't exhaust memory).

import type { SandboxKeys } from './auth';

export interface RequestLogEntry {
	id: number;
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	/** parsed JSON body; undefined when the request had no body or the body is not valid JSON */
	body: unknown;
	rawBody: string;
	contentType?: string;
	authorization?: string;
	keyName?: keyof SandboxKeys | null;
	/** HTTP status sent (or that would have been sent before an injected reset); 0 = connection reset before processing */
	status: number;
	/** injected fault: '429' | '500' | '502' | '503' | 'reset' | 'reset_after_processing' | 'slow' | 'short_page' | 'list_gap' | 'deletion_error' */
	fault?: string;
	/** person UUIDs a short-page fault dropped from a list page */
	omittedRows?: string[];
	startedAt: number;
	durationMs: number;
}

export const REQUEST_LOG_CAP = 200_000;

/** Appends an entry and trims the oldest 10% when the cap is exceeded (the array identity is kept). */
export function pushCapped(log: RequestLogEntry[], entry: RequestLogEntry, cap = REQUEST_LOG_CAP): void {
	log.push(entry);
	if (log.length > cap) log.splice(0, Math.ceil(cap / 10));
}

export function addFault(entry: RequestLogEntry, fault: string): void {
	entry.fault = entry.fault ? `${entry.fault},${fault}` : fault;
}
