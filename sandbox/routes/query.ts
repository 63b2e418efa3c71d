// /api/projects/:id/query/ — QueryViewSet with ActorsQuery support, refresh modes and async polling.

import { createHash } from 'node:crypto';
import type { HandlerResult, RequestContext } from '../context';
import { ApiError, errors } from '../errors';
import type { AsyncQueryRecord, SandboxStore } from '../store';
import { runActorsQuery } from '../query/actors';
import { pathsResults } from '../query/paths';
import { KNOWN_QUERY_KINDS, definitionValidator, pydanticSimple, validateActorsQuery } from '../query/validate';
import { djangoJsonIso, drfIso, MS } from '../util/time';
import { hash32, formatUuid } from '../util/prng';

type Obj = Record<string, any>;

const REFRESH_VALUES = ['async', 'async_except_on_cache_miss', 'blocking', 'force_async', 'force_blocking', 'force_cache', 'lazy_async'];
const REQUEST_FIELDS = new Set(['query', 'refresh', 'client_query_id', 'name', 'async', 'filters_override', 'variables_override', 'limit_context', 'personal_api_key']);

const MODIFIERS = {
	personsOnEventsMode: 'person_id_override_properties_joined',
	personsArgMaxVersion: 'auto',
	inCohortVia: 'auto',
	materializationMode: 'legacy_null_as_null',
	optimizeJoinedFilters: false,
	bounceRatePageViewMode: 'count_pageviews',
	sessionTableVersion: 'auto',
	propertyGroupsMode: 'optimized',
	useMaterializedViews: true,
	convertToProjectTimezone: true,
};

function parseError(message: string): ApiError {
	return errors.parse(`JSON parse error - ${message}`);
}

function stableStringify(v: unknown): string {
	if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
	if (v && typeof v === 'object') {
		const keys = Object.keys(v as Obj).sort();
		return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Obj)[k])}`).join(',')}}`;
	}
	return JSON.stringify(v);
}

/** Validates the QueryRequest envelope and the ActorsQuery; returns the query and execution settings. */
function parseRequest(ctx: RequestContext, pathKind?: string): { query: Obj; mode: string; clientQueryId: string | null } {
	const data = ctx.data();
	if (!data || typeof data !== 'object' || Array.isArray(data)) {
		throw parseError(pydanticSimple('QueryRequest', '', 'Input should be a valid dictionary or instance of QueryRequest', 'model_type', data).replace('\n\n', '\n'));
	}
	const body = data as Obj;
	for (const key of Object.keys(body)) {
		if (!REQUEST_FIELDS.has(key)) throw parseError(pydanticSimple('QueryRequest', key, 'Extra inputs are not permitted', 'extra_forbidden', body[key]));
	}
	if (!('query' in body)) throw parseError(pydanticSimple('QueryRequest', 'query', 'Field required', 'missing', body));
	const refresh = body.refresh;
	if (refresh !== undefined && refresh !== null && typeof refresh !== 'boolean' && !REFRESH_VALUES.includes(refresh)) {
		throw parseError(
			pydanticSimple('QueryRequest', 'refresh', `Input should be ${REFRESH_VALUES.map((v) => `'${v}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`, 'literal_error', refresh),
		);
	}
	if (body.name !== undefined && body.name !== null && (typeof body.name !== 'string' || body.name.length > 128)) {
		throw parseError(pydanticSimple('QueryRequest', 'name', typeof body.name === 'string' ? 'String should have at most 128 characters' : 'Input should be a valid string', typeof body.name === 'string' ? 'string_too_long' : 'string_type', body.name));
	}
	if (body.client_query_id !== undefined && body.client_query_id !== null && typeof body.client_query_id !== 'string') {
		throw parseError(pydanticSimple('QueryRequest', 'client_query_id', 'Input should be a valid string', 'string_type', body.client_query_id));
	}
	const query = body.query;
	if (!query || typeof query !== 'object' || Array.isArray(query)) {
		throw parseError(pydanticSimple('QueryRequest', 'query', 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type', query));
	}
	const kind = (query as Obj).kind;
	if (kind === undefined) throw parseError(pydanticSimple('QueryRequest', 'query', "Unable to extract tag using discriminator 'kind'", 'union_tag_not_found', query));
	if (typeof kind !== 'string' || !KNOWN_QUERY_KINDS.includes(kind)) {
		throw parseError(
			pydanticSimple(
				'QueryRequest',
				'query',
				`Input tag '${String(kind)}' found using 'kind' does not match any of the expected tags: ${KNOWN_QUERY_KINDS.map((k) => `'${k}'`).join(', ')}`,
				'union_tag_invalid',
				query,
			),
		);
	}
	if (pathKind !== undefined && pathKind !== kind) {
		throw errors.validation(`Query kind mismatch: path kind "${pathKind}" does not match body kind "${kind}".`);
	}
	if (kind !== 'ActorsQuery' && kind !== 'PathsQuery') {
		throw errors.validation(`The PostHog sandbox only runs ActorsQuery and PathsQuery queries; kind "${kind}" is not supported.`, null, 'unsupported_query_kind');
	}
	const message = kind === 'PathsQuery' ? validatePathsQuery(query) : validateActorsQuery(query);
	if (message) throw parseError(message);

	let mode: string = typeof refresh === 'string' ? refresh : refresh === true ? 'force_blocking' : 'blocking';
	if (body.async === true) mode = 'async';
	if (mode === 'force_cache') mode = 'blocking'; // "Here in query endpoint we always want to calculate if the cache is stale"
	let finalQuery = query as Obj;
	if (body.filters_override && typeof body.filters_override === 'object') finalQuery = applyFiltersOverride(finalQuery, body.filters_override as Obj);
	return { query: finalQuery, mode, clientQueryId: typeof body.client_query_id === 'string' ? body.client_query_id : null };
}

/** A PathsQuery run on its own (the insight's links), validated against the schema's PathsQuery. */
function validatePathsQuery(query: unknown): string | null {
	const validate = definitionValidator('PathsQuery');
	if (validate(query)) return null;
	const first = (validate.errors ?? [])[0];
	return pydanticSimple('QueryRequest', `query.PathsQuery${first?.instancePath.replace(/\//g, '.') ?? ''}`, first?.message ?? 'Invalid query', 'value_error', query);
}

/** filters_override: date range / properties applied to the insight query inside the actors source. */
function applyFiltersOverride(query: Obj, override: Obj): Obj {
	const copy = JSON.parse(JSON.stringify(query)) as Obj;
	const insight = innermostInsight(copy);
	if (!insight) return copy;
	if (override.date_from !== undefined || override.date_to !== undefined || override.explicitDate !== undefined) {
		insight.dateRange = { ...(insight.dateRange ?? {}) };
		if (override.date_from !== undefined) insight.dateRange.date_from = override.date_from;
		if (override.date_to !== undefined) insight.dateRange.date_to = override.date_to;
		if (override.explicitDate !== undefined) insight.dateRange.explicitDate = override.explicitDate;
	}
	if (Array.isArray(override.properties) && override.properties.length) {
		const existing = insight.properties;
		insight.properties = Array.isArray(existing) ? [...existing, ...override.properties] : existing ? { type: 'AND', values: [existing, { type: 'AND', values: override.properties }] } : override.properties;
	}
	if (override.breakdown_filter && typeof override.breakdown_filter === 'object') insight.breakdownFilter = { ...(insight.breakdownFilter ?? {}), ...override.breakdown_filter };
	return copy;
}

function innermostInsight(node: Obj | undefined): Obj | null {
	let cur = node;
	for (let i = 0; i < 6 && cur; i++) {
		if (['TrendsQuery', 'FunnelsQuery', 'LifecycleQuery', 'StickinessQuery', 'RetentionQuery', 'PathsQuery'].includes(cur.kind)) return cur;
		cur = cur.source;
	}
	return null;
}

function cacheKeyFor(store: SandboxStore, query: Obj): string {
	return `cache_${createHash('sha256').update(`${store.projectId}:${stableStringify(query)}`).digest('hex').slice(0, 32)}`;
}

function computeResponse(store: SandboxStore, query: Obj, cacheKey: string): Record<string, unknown> {
	const t0 = performance.now();
	const result =
		query.kind === 'PathsQuery'
			? { results: pathsResults(store, query, store.now()), hogql: 'SELECT source, target, value, average_conversion_time FROM (paths) AS paths' }
			: runActorsQuery(store, query, store.now());
	const elapsed = (performance.now() - t0) / 1000;
	const now = store.now();
	return {
		...result,
		timings: [
			{ k: './query', t: Number(elapsed.toFixed(4)) },
			{ k: '.', t: Number(elapsed.toFixed(4)) },
		],
		modifiers: MODIFIERS,
		error: null,
		resolved_date_range: null,
		is_cached: false,
		last_refresh: drfIso(now),
		next_allowed_client_refresh: drfIso(now + MS.minute),
		cache_key: cacheKey,
		cache_target_age: drfIso(now + 15 * MS.minute),
		timezone: 'UTC',
		query_status: null,
	};
}

function cachedOrCompute(store: SandboxStore, query: Obj, force: boolean): Record<string, unknown> {
	const cacheKey = cacheKeyFor(store, query);
	const hit = store.queryCache.get(cacheKey);
	if (!force && hit && hit.version === store.version && Date.now() - hit.computedAtReal < store.settings.queryCacheTtlMs) {
		return { ...hit.response, is_cached: true };
	}
	const response = computeResponse(store, query, cacheKey);
	store.queryCache.set(cacheKey, { version: store.version, computedAtReal: Date.now(), lastRefresh: store.now(), response });
	if (store.queryCache.size > 500) store.queryCache.delete(store.queryCache.keys().next().value as string);
	return response;
}

function queryStatus(rec: AsyncQueryRecord, store: SandboxStore, iso: (ms: number) => string): Obj {
	const complete = rec.response !== null || rec.error !== null ? rec.polls > store.settings.asyncQueryPolls : false;
	return {
		id: rec.id,
		team_id: rec.teamId,
		complete,
		error: complete && rec.error !== null,
		error_message: complete && rec.error ? rec.error.message : null,
		results: complete && rec.response ? rec.response : null,
		start_time: iso(rec.startedAt),
		pickup_time: iso(rec.startedAt + 5),
		end_time: complete ? iso(rec.startedAt + 50) : null,
		expiration_time: iso(rec.startedAt + 20 * MS.minute),
		query_progress: null,
		labels: null,
		insight_id: rec.insightId,
		dashboard_id: null,
		task_id: formatUuid(hash32(rec.id).toString(16).padStart(8, '0').repeat(4), 4),
		query_async: true,
	};
}

export function createQuery(ctx: RequestContext): HandlerResult {
	const { query, mode, clientQueryId } = parseRequest(ctx, ctx.params.kind);
	const store = ctx.store;
	const asyncModes = ['async', 'lazy_async', 'force_async'];
	if (asyncModes.includes(mode)) {
		const cacheKey = cacheKeyFor(store, query);
		const hit = store.queryCache.get(cacheKey);
		if (mode !== 'force_async' && hit && hit.version === store.version && Date.now() - hit.computedAtReal < store.settings.queryCacheTtlMs) {
			return { status: 200, body: { ...hit.response, is_cached: true } };
		}
		const id = clientQueryId ?? createHash('sha256').update(`${Date.now()}:${Math.random()}`).digest('hex').slice(0, 32);
		const rec: AsyncQueryRecord = { id, teamId: store.projectId, startedAt: store.now(), polls: 0, response: null, error: null, insightId: null };
		try {
			rec.response = computeResponse(store, query, cacheKey);
			store.queryCache.set(cacheKey, { version: store.version, computedAtReal: Date.now(), lastRefresh: store.now(), response: rec.response });
		} catch (err) {
			if (!(err instanceof ApiError)) throw err;
			const detail = (err.body as Obj)?.detail;
			rec.error = { status: err.status, message: err.status < 500 && typeof detail === 'string' ? detail : null };
		}
		store.asyncQueries.set(id, rec);
		// statuses expire in PostHog; keep the newest 1000
		while (store.asyncQueries.size > 1000) store.asyncQueries.delete(store.asyncQueries.keys().next().value as string);
		return { status: 202, body: { cache_key: cacheKey, query_status: queryStatus(rec, store, drfIso) } };
	}
	return { status: 200, body: cachedOrCompute(store, query, mode === 'force_blocking') };
}

export function retrieveQuery(ctx: RequestContext): HandlerResult {
	const rec = ctx.store.asyncQueries.get(ctx.params.id);
	if (!rec) throw errors.notFound(`Query ${ctx.params.id} not found.`);
	rec.polls++;
	const status = queryStatus(rec, ctx.store, djangoJsonIso);
	let http = 202;
	if (status.error) http = status.error_message ? 400 : 500;
	else if (status.complete) http = 200;
	return { status: http, body: { query_status: status } };
}

export function cancelQuery(ctx: RequestContext): HandlerResult {
	const existed = ctx.store.asyncQueries.delete(ctx.params.id);
	return { status: 200, body: { message: existed ? 'Query cancelled' : 'Query not found' } };
}
