// Per-request context shared by the route handlers.

import type { IncomingMessage } from 'node:http';
import { ApiError, errors } from './errors';
import { parseJsonLikePython, PyJsonError, utf8ErrorLikePython } from './util/pyjson';
import type { KeyInfo } from './auth';
import type { SandboxStore, SandboxUser } from './store';
import type { FaultInjector } from './faults';
import type { RequestLogEntry } from './log';

export interface HandlerResult {
	status: number;
	/** JSON payload; undefined => empty body (DRF `Response(status=...)` without data) */
	body?: unknown;
	headers?: Record<string, string>;
	/** rows a short-page fault dropped (recorded in the request log) */
	omittedRows?: string[];
}

export type Handler = (ctx: RequestContext) => HandlerResult | Promise<HandlerResult>;

export interface RuntimeServices {
	stores: Map<number, SandboxStore>;
	mainProjectId: number;
	faults: FaultInjector;
	baseUrl: () => string;
	bulkDeleteMode: 'sync' | 'queued';
}

export class RequestContext {
	readonly query: Record<string, string | string[]> = {};
	readonly queryPairs: [string, string][] = [];
	key: KeyInfo | null = null;
	store!: SandboxStore;
	projectId = 0;
	renderer: 'json' | 'csv' = 'json';
	params: Record<string, string> = {};
	private parsed: { value: unknown } | null = null;

	constructor(
		readonly req: IncomingMessage,
		readonly method: string,
		readonly rawUrl: string,
		readonly path: string,
		readonly rawBody: Buffer,
		readonly services: RuntimeServices,
		readonly log: RequestLogEntry,
	) {
		const qIndex = rawUrl.indexOf('?');
		const qs = qIndex >= 0 ? rawUrl.slice(qIndex + 1) : '';
		for (const [k, v] of new URLSearchParams(qs)) {
			this.queryPairs.push([k, v]);
			const prev = this.query[k];
			if (prev === undefined) this.query[k] = v;
			else if (Array.isArray(prev)) prev.push(v);
			else this.query[k] = [prev, v];
		}
	}

	get contentType(): string | undefined {
		const ct = this.req.headers['content-type'];
		return ct === undefined ? undefined : String(ct);
	}

	get hasBody(): boolean {
		return this.rawBody.length > 0;
	}

	get user(): SandboxUser | null {
		return this.key?.user ?? null;
	}

	/** Django QueryDict.get: the last value of a repeated parameter. */
	q(name: string): string | undefined {
		const v = this.query[name];
		if (v === undefined) return undefined;
		return Array.isArray(v) ? v[v.length - 1] : v;
	}

	has(name: string): boolean {
		return this.query[name] !== undefined;
	}

	/**
	 * DRF `request.data` with the viewset's JSONParser: `{}` without a body, 415 for other media types,
	 * 400 parse_error for malformed JSON.
	 */
	data(): unknown {
		if (this.parsed) return this.parsed.value;
		if (!this.hasBody) {
			this.parsed = { value: {} };
			return this.parsed.value;
		}
		const ct = this.contentType ?? '';
		const mediaType = ct.split(';')[0].trim().toLowerCase();
		if (mediaType !== 'application/json') throw errors.unsupportedMediaType(ct);
		const utf8Problem = utf8ErrorLikePython(this.rawBody);
		if (utf8Problem) throw errors.parse(`JSON parse error - ${utf8Problem}`);
		try {
			this.parsed = { value: parseJsonLikePython(this.rawBody.toString('utf8')) };
		} catch (err) {
			if (err instanceof PyJsonError) throw errors.parse(`JSON parse error - ${err.message}`);
			throw err;
		}
		return this.parsed.value;
	}

	/** request.data when the handler calls `.get()` on it: a non-object JSON body crashes the view (500). */
	dataDict(): Record<string, unknown> {
		const d = this.data();
		if (d === null || typeof d !== 'object' || Array.isArray(d)) throw errors.serverError();
		return d as Record<string, unknown>;
	}

	/** Whether faults apply to this request's path. */
	faultsApply(): boolean {
		return this.services.faults.appliesTo(this.path);
	}

	/** The project the key's user has as "current" (PostHog's `request.user.team`). */
	get userCurrentStore(): SandboxStore {
		return this.services.stores.get(this.services.mainProjectId) as SandboxStore;
	}

	/** Body already parsed successfully (used for logging). */
	peekParsed(): unknown {
		return this.parsed?.value;
	}

	/** request.build_absolute_uri() */
	absoluteUrl(): string {
		const host = this.req.headers.host;
		const base = host ? `http://${host}` : this.services.baseUrl();
		return base + this.rawUrl;
	}

	siteUrl(): string {
		const host = this.req.headers.host;
		return host ? `http://${host}` : this.services.baseUrl();
	}
}

export function isApiError(err: unknown): err is ApiError {
	return err instanceof ApiError;
}
