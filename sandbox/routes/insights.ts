// /api/projects/:id/insights/ — saved insights lookup (list with ?short_id=, retrieve by id or short_id).

import type { HandlerResult, RequestContext } from '../context';
import { errors } from '../errors';
import type { SandboxInsight } from '../store';
import { SANDBOX_USER } from '../auth';
import { drfIso } from '../util/time';
import { drfLimitOffsetPage } from '../urls';

const CREATED_BY = {
	id: 1,
	uuid: '0190c0de-5a4d-7000-8000-000000000001',
	distinct_id: 'sandbox-user-distinct-id',
	first_name: SANDBOX_USER.first_name,
	last_name: '',
	email: SANDBOX_USER.email,
	is_email_verified: true,
	hedgehog_config: null,
	role_at_organization: 'engineering',
};

function isBasic(ctx: RequestContext): boolean {
	const v = ctx.q('basic');
	return v !== undefined && ['true', '1', 'yes', ''].includes(v.toLowerCase());
}

export function serializeInsight(insight: SandboxInsight, basic: boolean): Record<string, unknown> {
	const common = {
		id: insight.id,
		short_id: insight.short_id,
		name: insight.name,
		derived_name: null,
		favorited: insight.favorited,
		filters: {},
		query: insight.query,
		dashboards: [],
		dashboard_tiles: [],
		description: insight.description,
		last_refresh: null,
	};
	if (basic) {
		return {
			...common,
			refreshing: false,
			saved: true,
			tags: insight.tags,
			updated_at: drfIso(insight.last_modified_at),
			created_by: CREATED_BY,
			created_at: drfIso(insight.created_at),
			last_modified_at: drfIso(insight.last_modified_at),
			deleted: insight.deleted,
			user_access_level: 'editor',
		};
	}
	return {
		...common,
		order: null,
		deleted: insight.deleted,
		cache_target_age: null,
		next_allowed_client_refresh: null,
		result: null,
		hasMore: null,
		columns: null,
		created_at: drfIso(insight.created_at),
		created_by: CREATED_BY,
		updated_at: drfIso(insight.last_modified_at),
		tags: insight.tags,
		last_modified_at: drfIso(insight.last_modified_at),
		last_modified_by: CREATED_BY,
		is_sample: false,
		effective_restriction_level: 21,
		effective_privilege_level: 37,
		user_access_level: 'editor',
		timezone: 'UTC',
		is_cached: false,
		query_status: null,
		hogql: null,
		types: null,
		saved: true,
		alerts: [],
		last_viewed_at: null,
	};
}

/** `insight=` of the insights list: the kind of an InsightVizNode's source, SQL, or other query insights. */
const INSIGHT_FILTERS: Record<string, string> = {
	TRENDS: 'TrendsQuery',
	FUNNELS: 'FunnelsQuery',
	RETENTION: 'RetentionQuery',
	PATHS: 'PathsQuery',
	STICKINESS: 'StickinessQuery',
	LIFECYCLE: 'LifecycleQuery',
};

function insightKindMatches(insight: SandboxInsight, filter: string): boolean {
	const query = insight.query as Record<string, any>;
	const sourceKind = query?.source?.kind;
	if (filter === 'SQL') return sourceKind === 'HogQLQuery';
	if (filter === 'JSON') return query?.kind !== 'InsightVizNode' && sourceKind !== 'HogQLQuery';
	return query?.kind === 'InsightVizNode' && sourceKind === INSIGHT_FILTERS[filter];
}

const ORDER_FIELDS: Record<string, (insight: SandboxInsight) => number | string> = {
	last_modified_at: (insight) => insight.last_modified_at,
	created_at: (insight) => insight.created_at,
	name: (insight) => insight.name.toLowerCase(),
	id: (insight) => insight.id,
};

/**
 * GET insights/: `short_id`, `insight` (kind), `search` (name, description, tags; exact matches
 * first), `saved`, `order` (e.g. -last_modified_at), limit/offset pages.
 */
export function listInsights(ctx: RequestContext): HandlerResult {
	let items = ctx.store.insights.filter((i) => !i.deleted);
	const shortId = ctx.q('short_id');
	if (shortId !== undefined) items = items.filter((i) => i.short_id === shortId);
	const kind = ctx.q('insight');
	if (kind !== undefined && kind !== '') {
		if (!INSIGHT_FILTERS[kind] && kind !== 'SQL' && kind !== 'JSON') throw errors.validation(`"${kind}" is not a valid choice.`, 'insight');
		items = items.filter((i) => insightKindMatches(i, kind));
	}
	if (ctx.q('saved') !== undefined && ['false', '0'].includes(String(ctx.q('saved')).toLowerCase())) items = []; // every seeded insight is saved
	const search = ctx.q('search')?.trim().toLowerCase();
	if (search !== undefined && search.length > 200) throw errors.validation('Search query is too long. Maximum 200 characters.', 'search');
	const order = ctx.q('order');
	const orderField = order ? ORDER_FIELDS[order.replace(/^-/, '')] : undefined;
	items = [...items].sort((a, b) => {
		if (orderField) {
			const x = orderField(a);
			const y = orderField(b);
			const c = x < y ? -1 : x > y ? 1 : 0;
			if (c !== 0) return order!.startsWith('-') ? -c : c;
		}
		return b.last_modified_at - a.last_modified_at || b.id - a.id;
	});
	if (search) {
		const text = (i: SandboxInsight) => [i.name, i.description, ...i.tags].join(' ').toLowerCase();
		items = items.filter((i) => text(i).includes(search));
		if (!orderField) items.sort((a, b) => Number(b.name.toLowerCase() === search) - Number(a.name.toLowerCase() === search));
	}
	const basic = isBasic(ctx);
	const page = drfLimitOffsetPage(items, ctx.absoluteUrl(), ctx.q('limit'), ctx.q('offset'), 100);
	const results = page.results.map((i) => {
		const entry = serializeInsight(i, basic);
		if (search) entry.search_match_type = i.name.toLowerCase() === search ? 'exact' : 'similar';
		return entry;
	});
	return { status: 200, body: { count: page.count, next: page.next, previous: page.previous, results } };
}

export function retrieveInsight(ctx: RequestContext): HandlerResult {
	const raw = ctx.params.id;
	const live = ctx.store.insights.filter((i) => !i.deleted);
	let insight = /^\d+$/.test(raw) ? live.find((i) => i.id === Number(raw)) : undefined;
	if (!insight) insight = live.find((i) => i.short_id === raw);
	if (!insight) throw errors.notFound();
	return { status: 200, body: serializeInsight(insight, isBasic(ctx)) };
}
