// The HTTP server: routing, content negotiation, authentication, scopes, throttling, faults, rendering.

import * as http from 'node:http';
import { ApiError, errors, hogError, throttledError } from './errors';
import { RequestContext, type Handler, type HandlerResult, type RuntimeServices } from './context';
import { findKey, missingScope, type KeyInfo } from './auth';
import { RATES, ThrottleRegistry, type ThrottleRate } from './throttle';
import { fault5xxBody } from './faults';
import { renderPaginatedCsv } from './csv';
import { addFault, pushCapped, type RequestLogEntry } from './log';
import * as persons from './routes/persons';
import * as query from './routes/query';
import * as insights from './routes/insights';
import { PICKER_VIEWSETS, matchPickerRoute, type PickerViewset } from './routes/pickers';

export const MAX_BODY_BYTES = 20 * 1024 * 1024; // DATA_UPLOAD_MAX_MEMORY_SIZE

type Renderer = 'json' | 'csv';

interface Route {
	viewset: 'persons' | 'query' | 'insights' | PickerViewset;
	/** DRF action name, or null when the method is not mapped for this URL */
	action: string | null;
	/** required scopes; null => "This action does not support personal API key access" */
	scopes: string[] | null;
	throttles: ThrottleRate[];
	handler: Handler;
	params: Record<string, string>;
	renderers: Renderer[];
}

interface ActionDef {
	method: string;
	action: string;
	scopes: string[] | null;
	handler: Handler;
	deleteThrottle?: boolean;
}

const PERSON_LIST_ACTIONS: Record<string, ActionDef> = {
	bulk_delete: { method: 'POST', action: 'bulk_delete', scopes: ['person:write'], handler: persons.bulkDelete, deleteThrottle: true },
	deletion_status: { method: 'GET', action: 'deletion_status', scopes: ['person:read'], handler: persons.deletionStatus },
	values: { method: 'GET', action: 'values', scopes: ['person:read'], handler: persons.propertyValues },
	cohorts: { method: 'GET', action: 'cohorts', scopes: ['person:read', 'cohort:read'], handler: persons.personCohorts },
	activity: { method: 'GET', action: 'all_activity', scopes: ['activity_log:read'], handler: persons.allActivity },
	reset_person_distinct_id: { method: 'POST', action: 'reset_person_distinct_id', scopes: ['person:write'], handler: persons.resetPersonDistinctId },
	batch_by_distinct_ids: { method: 'POST', action: 'batch_by_distinct_ids', scopes: ['person:read'], handler: persons.batchByDistinctIds },
	batch_by_uuids: { method: 'POST', action: 'batch_by_uuids', scopes: ['person:read'], handler: persons.batchByUuids },
	properties_at_time: { method: 'GET', action: 'properties_at_time', scopes: ['person:read'], handler: persons.propertiesAtTimeHandler },
};

const PERSON_DETAIL_ACTIONS: Record<string, ActionDef> = {
	split: { method: 'POST', action: 'split', scopes: ['person:write'], handler: persons.splitPerson },
	update_property: { method: 'POST', action: 'update_property', scopes: ['person:write'], handler: persons.updateProperty },
	delete_property: { method: 'POST', action: 'delete_property', scopes: ['person:write'], handler: persons.deleteProperty },
	activity: { method: 'GET', action: 'activity', scopes: ['activity_log:read'], handler: persons.personActivity },
	// no required_scopes => refused for personal API keys
	properties_timeline: { method: 'GET', action: 'properties_timeline', scopes: null, handler: () => ({ status: 200, body: {} }) },
	delete_events: { method: 'POST', action: 'delete_events', scopes: ['person:write'], handler: persons.deleteEvents, deleteThrottle: true },
	delete_recordings: { method: 'POST', action: 'delete_recordings', scopes: ['person:write'], handler: persons.deleteRecordings, deleteThrottle: true },
	emails: { method: 'GET', action: 'emails', scopes: ['person:read'], handler: persons.messageAssets },
	push_notifications: { method: 'GET', action: 'push_notifications', scopes: ['person:read'], handler: persons.messageAssets },
};

const notMapped: Handler = (ctx) => {
	throw errors.methodNotAllowed(ctx.method);
};

const DELETE_THROTTLES = [RATES.personsDeleteBurst, RATES.personsDeleteSustained];
const PERSONS_THROTTLES = [RATES.clickhouseBurst];
const CLICKHOUSE_THROTTLES = [RATES.clickhouseBurst, RATES.clickhouseSustained];
const DEFAULT_THROTTLES = [RATES.burst, RATES.sustained];

const SEGMENT_RE = /^[^/.]+$/;

function route(viewset: Route['viewset'], action: string | null, scopes: string[] | null, handler: Handler, params: Record<string, string> = {}, throttles?: ThrottleRate[]): Route {
	const renderers: Renderer[] = viewset === 'persons' ? ['json', 'csv'] : ['json'];
	const defaultThrottles = viewset === 'persons' ? PERSONS_THROTTLES : (PICKER_VIEWSETS as readonly string[]).includes(viewset) ? DEFAULT_THROTTLES : CLICKHOUSE_THROTTLES;
	return { viewset, action, scopes, handler, params, renderers, throttles: throttles ?? defaultThrottles };
}

/** Resolves DRF routes (trailing slash optional). Returns null when no URL pattern matches. */
export function matchRoute(method: string, pathname: string): (Route & { projectSegment: string }) | null {
	const m = /^\/api\/(?:projects|environments)\/([^/]+)\/(persons|query|insights|cohorts|actions|event_definitions|property_definitions)(?:\/(.*))?$/.exec(pathname);
	if (!m) return null;
	const projectSegment = m[1];
	if (!SEGMENT_RE.test(projectSegment)) return null;
	const viewset = m[2] as Route['viewset'];
	const rest = m[3] ?? '';
	const segs = rest === '' ? [] : rest.split('/');
	if (segs.length && segs[segs.length - 1] === '') segs.pop();
	if (segs.some((s) => !SEGMENT_RE.test(s))) return null;
	const verb = method === 'HEAD' ? 'GET' : method;
	const withProject = (r: Route | null) => (r ? { ...r, projectSegment } : null);

	if (viewset === 'persons') {
		if (segs.length === 0) {
			if (verb === 'GET') return withProject(route('persons', 'list', ['person:read'], persons.listPersons));
			if (verb === 'POST') return withProject(route('persons', 'create', ['person:write'], persons.createPerson));
			// DRF: PATCH without a detail is the "patch" action (a write action) but no handler is bound
			if (verb === 'PATCH') return withProject(route('persons', 'patch', ['person:write'], notMapped));
			return withProject(route('persons', null, null, notMapped));
		}
		if (segs.length === 1) {
			const listAction = PERSON_LIST_ACTIONS[segs[0]];
			if (listAction) {
				if (verb !== listAction.method) return withProject(route('persons', null, null, notMapped));
				return withProject(route('persons', listAction.action, listAction.scopes, listAction.handler, {}, listAction.deleteThrottle ? DELETE_THROTTLES : undefined));
			}
			const params = { id: segs[0] };
			switch (verb) {
				case 'GET':
					return withProject(route('persons', 'retrieve', ['person:read'], persons.retrievePerson, params));
				case 'PUT':
					return withProject(route('persons', 'update', ['person:write'], persons.updatePerson, params));
				case 'PATCH':
					return withProject(route('persons', 'partial_update', ['person:write'], persons.updatePerson, params));
				case 'DELETE':
					return withProject(route('persons', 'destroy', ['person:write'], persons.destroyPerson, params, DELETE_THROTTLES));
				default:
					return withProject(route('persons', null, null, notMapped, params));
			}
		}
		if (segs.length === 2) {
			const def = PERSON_DETAIL_ACTIONS[segs[1]];
			if (!def) return null;
			const params = { id: segs[0] };
			if (verb !== def.method) return withProject(route('persons', null, null, notMapped, params));
			return withProject(route('persons', def.action, def.scopes, def.handler, params, def.deleteThrottle ? DELETE_THROTTLES : undefined));
		}
		return null;
	}

	if (viewset === 'query') {
		if (segs.length === 0) {
			if (verb === 'POST') return withProject(route('query', 'create', ['query:read'], query.createQuery));
			return withProject(route('query', null, null, notMapped));
		}
		if (segs.length === 1) {
			if (segs[0] === 'upgrade') {
				if (verb !== 'POST') return withProject(route('query', null, null, notMapped));
				return withProject(
					route('query', 'upgrade', ['query:read'], (ctx) => ({ status: 200, body: { query: ctx.dataDict().query ?? null } })),
				);
			}
			const params = { id: segs[0], kind: segs[0] };
			if (verb === 'GET') return withProject(route('query', 'retrieve', ['query:read'], query.retrieveQuery, params));
			if (verb === 'DELETE') return withProject(route('query', 'destroy', ['query:read'], query.cancelQuery, params));
			if (verb === 'POST') return withProject(route('query', 'create_with_kind', ['query:read'], query.createQuery, { kind: segs[0] }));
			return withProject(route('query', null, null, notMapped, params));
		}
		return null;
	}

	if ((PICKER_VIEWSETS as readonly string[]).includes(viewset)) {
		const picker = matchPickerRoute(viewset as PickerViewset, verb, segs);
		return picker ? withProject(route(viewset, picker.action, picker.scopes, picker.handler)) : null;
	}

	// insights
	const sandboxOnly: Handler = (ctx) => {
		throw errors.methodNotAllowed(ctx.method, `Method "${ctx.method}" not allowed. (The PostHog sandbox only serves saved insights read-only.)`);
	};
	if (segs.length === 0) {
		if (verb === 'GET') return withProject(route('insights', 'list', ['insight:read'], insights.listInsights));
		if (verb === 'POST') return withProject(route('insights', 'create', ['insight:write'], sandboxOnly));
		return withProject(route('insights', null, null, notMapped));
	}
	if (segs.length === 1) {
		const params = { id: segs[0] };
		if (verb === 'GET') return withProject(route('insights', 'retrieve', ['insight:read'], insights.retrieveInsight, params));
		if (verb === 'PUT' || verb === 'PATCH') return withProject(route('insights', verb === 'PUT' ? 'update' : 'partial_update', ['insight:write'], sandboxOnly, params));
		if (verb === 'DELETE') return withProject(route('insights', 'destroy', ['insight:write'], sandboxOnly, params));
		return withProject(route('insights', null, null, notMapped, params));
	}
	return null;
}

/** DRF DefaultContentNegotiation.select_renderer for the route's renderers. */
function negotiate(ctx: RequestContext, renderers: Renderer[]): Renderer {
	const fmt = ctx.q('format');
	if (fmt !== undefined) {
		if ((renderers as string[]).includes(fmt)) return fmt as Renderer;
		throw errors.notFound();
	}
	const mime: Record<Renderer, string> = { json: 'application/json', csv: 'text/csv' };
	const header = String(ctx.req.headers.accept ?? '*/*');
	const accepts = header
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)
		.map((s) => {
			const [type, ...params] = s.split(';').map((p) => p.trim());
			const hasParams = params.some((p) => p && !p.startsWith('q='));
			const [main, sub] = type.split('/');
			const precedence = type === '*/*' ? 0 : sub === '*' ? 1 : hasParams ? 3 : 2;
			return { type: type.toLowerCase(), main: (main ?? '').toLowerCase(), sub: (sub ?? '').toLowerCase(), precedence };
		});
	if (!accepts.length) return renderers[0];
	for (const level of [3, 2, 1, 0]) {
		const set = accepts.filter((a) => a.precedence === level);
		if (!set.length) continue;
		for (const r of renderers) {
			const [rm, rs] = mime[r].split('/');
			for (const a of set) {
				if (a.type === '*/*' || (a.main === rm && (a.sub === '*' || a.sub === rs))) return r;
			}
		}
	}
	throw errors.notAcceptable();
}

export interface ServerRuntime extends RuntimeServices {
	keysByValue: Map<string, KeyInfo>;
	throttles: ThrottleRegistry;
	rateLimits: boolean;
	requests: RequestLogEntry[];
	nextRequestId: number;
	quiet: boolean;
}

function readBody(req: http.IncomingMessage): Promise<{ body: Buffer; tooBig: boolean }> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooBig = false;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				tooBig = true;
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve({ body: Buffer.concat(chunks as unknown as Uint8Array[]), tooBig }));
		req.on('error', reject);
	});
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

interface Outgoing {
	status: number;
	headers: Record<string, string>;
	body: string;
}

function jsonOut(status: number, body: unknown, headers: Record<string, string> = {}): Outgoing {
	return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? '' : JSON.stringify(body) };
}

export function createRequestListener(rt: ServerRuntime): http.RequestListener {
	return (req, res) => {
		void handle(rt, req, res).catch((err) => {
			if (!rt.quiet) console.error('[sandbox] unhandled error', err);
			if (!res.headersSent) {
				res.writeHead(500, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(hogError('server_error', 'error', 'A server error occurred.')));
			}
		});
	};
}

async function handle(rt: ServerRuntime, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
	const startedAt = Date.now();
	const t0 = performance.now();
	const method = (req.method ?? 'GET').toUpperCase();
	const rawUrl = req.url ?? '/';
	const qIdx = rawUrl.indexOf('?');
	let pathname = qIdx >= 0 ? rawUrl.slice(0, qIdx) : rawUrl;
	try {
		pathname = decodeURIComponent(pathname);
	} catch {
		/* keep raw */
	}
	const { body: rawBody, tooBig } = await readBody(req);
	const authHeader = req.headers.authorization;
	const log: RequestLogEntry = {
		id: rt.nextRequestId++,
		method,
		path: pathname,
		query: {},
		body: undefined,
		rawBody: tooBig ? `<${MAX_BODY_BYTES}+ bytes>` : rawBody.toString('utf8'),
		contentType: req.headers['content-type'],
		authorization: authHeader,
		keyName: null,
		status: 0,
		startedAt,
		durationMs: 0,
	};
	const ctx = new RequestContext(req, method, rawUrl, pathname, rawBody, rt, log);
	log.query = ctx.query;
	// the parsed JSON body; undefined when there is no body or it is not JSON
	try {
		log.body = rawBody.length ? JSON.parse(log.rawBody) : undefined;
	} catch {
		log.body = undefined;
	}
	const finish = (status: number) => {
		log.status = status;
		log.durationMs = performance.now() - t0;
		pushCapped(rt.requests, log);
	};

	// ---- faults that fire before processing
	const faults = rt.faults;
	const faultsApply = faults.appliesTo(pathname);
	const cfg = faults.active;
	if (faultsApply && cfg) {
		if (faults.roll(cfg.resetRate)) {
			addFault(log, 'reset');
			finish(0);
			req.socket.destroy();
			return;
		}
		if (faults.roll(cfg.rate429)) {
			addFault(log, '429');
			const ra = cfg.retryAfterSeconds ?? 1;
			const err = throttledError(ra, ra);
			send(res, method, jsonOut(429, err.body, err.headers));
			finish(429);
			return;
		}
		if (faults.roll(cfg.rate5xx)) {
			const status = faults.pick(cfg.statuses5xx?.length ? cfg.statuses5xx : [500, 502, 503]);
			addFault(log, String(status));
			const out = fault5xxBody(status);
			send(res, method, { status, headers: { 'Content-Type': out.contentType, ...out.headers }, body: out.text });
			finish(status);
			return;
		}
		if (faults.roll(cfg.slowRate)) {
			addFault(log, 'slow');
			await sleep(cfg.slowMs ?? 2000);
		}
	}
	const resetAfter = faultsApply && !!cfg && faults.roll(cfg.resetAfterProcessingRate);
	const failAfter = !resetAfter && faultsApply && !!cfg && faults.roll(cfg.rate5xxAfterProcessing);

	let out: Outgoing;
	let renderer: Renderer = 'json';
	let rendererSettled = false;
	try {
		if (tooBig) {
			out = { status: 400, headers: { 'Content-Type': 'text/html' }, body: '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n' };
		} else {
			const r = matchRoute(method, pathname);
			if (!r) throw errors.notFound('Endpoint not found.');
			ctx.params = r.params;
			renderer = negotiate(ctx, r.renderers);
			rendererSettled = true;
			ctx.renderer = renderer;
			const result = await dispatch(rt, ctx, r);
			if (result.omittedRows?.length) log.omittedRows = result.omittedRows;
			out = render(renderer, result.status, result.body, result.headers ?? {});
		}
	} catch (err) {
		if (err instanceof ApiError) {
			if (err.raw) out = { status: err.status, headers: { 'Content-Type': err.raw.contentType, ...err.headers }, body: err.raw.text };
			else out = render(rendererSettled ? renderer : 'json', err.status, err.body, err.headers);
		} else {
			if (!rt.quiet) console.error('[sandbox] handler crashed', err);
			out = render(rendererSettled ? renderer : 'json', 500, hogError('server_error', 'error', 'A server error occurred.'), {});
		}
	}
	if (out.status === 401) out.headers['WWW-Authenticate'] = `Bearer resource_metadata="${ctx.siteUrl()}/.well-known/oauth-protected-resource"`;
	log.keyName = ctx.key?.name ?? null;
	if (resetAfter) {
		addFault(log, 'reset_after_processing');
		finish(out.status);
		req.socket.destroy();
		return;
	}
	if (failAfter) {
		const status = faults.pick([502, 504]);
		addFault(log, `${status}_after_processing`);
		const page = fault5xxBody(status);
		out = { status, headers: { 'Content-Type': page.contentType, ...page.headers }, body: page.text };
	}
	send(res, method, out);
	finish(out.status);
}

function render(renderer: Renderer, status: number, body: unknown, headers: Record<string, string>): Outgoing {
	if (renderer === 'csv') {
		return { status, headers: { 'Content-Type': 'text/csv; charset=utf-8', ...headers }, body: renderPaginatedCsv(body) };
	}
	return jsonOut(status, body, headers);
}

function send(res: http.ServerResponse, method: string, out: Outgoing): void {
	const buf = Buffer.from(out.body, 'utf8');
	res.writeHead(out.status, { ...out.headers, 'Content-Length': String(buf.length), Vary: 'Accept, Cookie' });
	res.end(method === 'HEAD' ? undefined : buf);
}

async function dispatch(rt: ServerRuntime, ctx: RequestContext, r: Route & { projectSegment: string }): Promise<HandlerResult> {
	// ---- authentication (PersonalAPIKeyAuthentication): the body is only parsed when the header has no key
	let found = findKey(ctx.req.headers.authorization, undefined, {});
	if (!found) {
		const body = ctx.hasBody ? ctx.data() : undefined; // may raise 415 / 400 parse_error
		found = findKey(undefined, body, ctx.query);
	}
	if (found) {
		const key = rt.keysByValue.get(found.key);
		if (!key) {
			throw new ApiError(401, hogError('authentication_error', 'authentication_failed', `Personal API key found in request ${found.source} is invalid.`));
		}
		ctx.key = key;
	} else {
		throw new ApiError(401, hogError('authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'));
	}
	const key = ctx.key;

	// ---- APIScopePermission
	if (!r.scopes) throw errors.permissionDenied('This action does not support personal API key access');
	const resolveProjectId = (): number => {
		if (r.projectSegment === '@current') return rt.mainProjectId;
		if (!/^\d+$/.test(r.projectSegment)) throw errors.notFound('Project not found.');
		return Number(r.projectSegment);
	};
	if (key.scopedTeams.length) {
		const pid = resolveProjectId();
		if (!rt.stores.has(pid)) throw errors.notFound('Project not found.');
		if (!key.scopedTeams.includes(pid)) throw errors.permissionDenied(`API key does not have access to the requested project: ID ${pid}.`);
	}
	const missing = missingScope(key.scopes, r.scopes);
	if (missing) throw errors.permissionDenied(`API key missing required scope '${missing}'`);

	// ---- project
	const pid = resolveProjectId();
	const store = rt.stores.get(pid);
	if (!store) throw errors.notFound('Project not found.');
	ctx.store = store;
	ctx.projectId = pid;

	// ---- throttles (personal API key => per-key buckets)
	if (rt.rateLimits) {
		const verdict = rt.throttles.check(key.value, r.throttles);
		if (!verdict.allowed) {
			const wait = verdict.waitSeconds === null ? null : Math.max(1, Math.ceil(verdict.waitSeconds));
			throw throttledError(wait ?? 1, wait);
		}
	}
	return r.handler(ctx);
}
