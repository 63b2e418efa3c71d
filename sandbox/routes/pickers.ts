// The lists the node's pickers read: /api/projects/:id/cohorts/, actions/, event_definitions/ and
// property_definitions/ (read-only), each with PostHog's scope, paging and search as the fact sheet
// describes them. Routes: `matchPickerRoute`, used by server.ts.

import type { Handler, HandlerResult, RequestContext } from '../context';
import { errors } from '../errors';
import type { SandboxStore } from '../store';
import { formatUuid, hash32 } from '../util/prng';
import { drfIso } from '../util/time';
import { drfLimitOffsetPage } from '../urls';

type Obj = Record<string, any>;

export const PICKER_VIEWSETS = ['cohorts', 'actions', 'event_definitions', 'property_definitions'] as const;
export type PickerViewset = (typeof PICKER_VIEWSETS)[number];

/** The list action of each viewset and its scope (APIScopePermission: `<scope_object>:read`). */
const LIST_ROUTES: Record<PickerViewset, { scope: string; handler: Handler }> = {
	cohorts: { scope: 'cohort:read', handler: listCohorts },
	actions: { scope: 'action:read', handler: listActions },
	event_definitions: { scope: 'event_definition:read', handler: listEventDefinitions },
	property_definitions: { scope: 'property_definition:read', handler: listPropertyDefinitions },
};

/** The route of a picker URL: GET of the list (no detail routes in the sandbox). */
export function matchPickerRoute(viewset: PickerViewset, verb: string, segments: string[]): { action: string | null; scopes: string[] | null; handler: Handler } | null {
	if (segments.length > 0) return null;
	const route = LIST_ROUTES[viewset];
	if (verb !== 'GET') return { action: null, scopes: null, handler: (ctx) => { throw errors.methodNotAllowed(ctx.method); } };
	return { action: 'list', scopes: [route.scope], handler: route.handler };
}

function truthy(value: string | undefined): boolean {
	return value !== undefined && ['true', '1', 'yes', ''].includes(value.toLowerCase());
}

/** A search longer than PostHog's MAX_SEARCH_LENGTH (200) is a 400 on `search`. */
function searchText(ctx: RequestContext): string | undefined {
	const search = ctx.q('search');
	if (search === undefined || search.trim() === '') return undefined;
	if (search.length > 200) throw errors.validation('Search query is too long. Maximum 200 characters.', 'search');
	return search.trim().toLowerCase();
}

function page(ctx: RequestContext, items: Obj[]): HandlerResult {
	const result = drfLimitOffsetPage(items, ctx.absoluteUrl(), ctx.q('limit'), ctx.q('offset'), 100);
	return { status: 200, body: { count: result.count, next: result.next, previous: result.previous, results: result.results } };
}

// ------------------------------------------------------------------ cohorts

function listCohorts(ctx: RequestContext): HandlerResult {
	const store = ctx.store;
	const search = searchText(ctx);
	const type = ctx.q('type');
	let cohorts = store.cohorts.filter((cohort) => !cohort.deleted);
	if (type === 'static') cohorts = cohorts.filter((cohort) => cohort.isStatic);
	if (type === 'dynamic') cohorts = cohorts.filter((cohort) => !cohort.isStatic);
	if (search) {
		cohorts = cohorts
			.filter((cohort) => cohort.name.toLowerCase().includes(search))
			.sort((a, b) => Number(b.name.toLowerCase() === search) - Number(a.name.toLowerCase() === search));
	} else {
		cohorts = [...cohorts].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
	}
	const basic = truthy(ctx.q('basic'));
	return page(
		ctx,
		cohorts.map((cohort) => {
			const entry: Obj = {
				id: cohort.id,
				name: cohort.name,
				description: cohort.description,
				deleted: false,
				is_calculating: false,
				created_at: drfIso(cohort.createdAt),
				last_calculation: drfIso(store.now()),
				errors_calculating: 0,
				count: store.cohortMembers(cohort.id).size,
				is_static: cohort.isStatic,
				cohort_type: cohort.isStatic ? 'static' : null,
			};
			if (!basic) Object.assign(entry, { filters: cohort.filters ?? {}, query: null, groups: [] });
			if (search) entry.search_match_type = cohort.name.toLowerCase() === search ? 'exact' : 'similar';
			return entry;
		}),
	);
}

// ------------------------------------------------------------------ actions (not paginated)

function listActions(ctx: RequestContext): HandlerResult {
	const actions = [...ctx.store.actions].sort((a, b) => a.name.localeCompare(b.name));
	return {
		status: 200,
		body: {
			results: actions.map((action) => ({
				id: action.id,
				name: action.name,
				description: '',
				tags: [],
				steps: action.steps.map((step) => ({
					event: step.event,
					properties: step.properties ?? null,
					url: step.url ?? null,
					url_matching: step.url_matching ?? 'contains',
				})),
				deleted: false,
				is_calculating: false,
				is_action: true,
				team_id: ctx.projectId,
			})),
		},
	};
}

// ------------------------------------------------------------------ event and property definitions

interface Definitions {
	version: number;
	events: Array<{ name: string; lastSeen: number }>;
	eventProperties: Map<string, string>;
	personProperties: Map<string, string>;
}

const definitionsCache = new WeakMap<SandboxStore, Definitions>();

function propertyType(value: unknown): string {
	if (typeof value === 'number') return 'Numeric';
	if (typeof value === 'boolean') return 'Boolean';
	if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return 'DateTime';
	return 'String';
}

/** Event names and property names seen in the store (what PostHog's ingestion records as definitions). */
function definitions(store: SandboxStore): Definitions {
	const hit = definitionsCache.get(store);
	if (hit && hit.version === store.version) return hit;
	const lastSeen = new Map<string, number>();
	const eventProperties = new Map<string, string>();
	const seenPropertyObjects = new Set<object>();
	for (const ev of store.events) {
		lastSeen.set(ev.event, Math.max(lastSeen.get(ev.event) ?? 0, ev.timestamp));
		if (seenPropertyObjects.has(ev.properties)) continue; // events share interned property objects
		seenPropertyObjects.add(ev.properties);
		for (const [key, value] of Object.entries(ev.properties)) if (!eventProperties.has(key)) eventProperties.set(key, propertyType(value));
	}
	const personProperties = new Map<string, string>();
	for (const person of store.personsByUuid.values()) {
		for (const [key, value] of Object.entries(person.properties)) if (!personProperties.has(key)) personProperties.set(key, propertyType(value));
	}
	const built: Definitions = {
		version: store.version,
		events: [...lastSeen.entries()].map(([name, ts]) => ({ name, lastSeen: ts })),
		eventProperties,
		personProperties,
	};
	definitionsCache.set(store, built);
	return built;
}

const DAY_MS = 86_400_000;

function stableUuid(name: string): string {
	return formatUuid([0, 1, 2, 3].map((index) => hash32(name, index).toString(16).padStart(8, '0')).join(''), 4);
}

function listEventDefinitions(ctx: RequestContext): HandlerResult {
	const search = searchText(ctx);
	const eventType = ctx.q('event_type') ?? 'event';
	if (!['event', 'event_custom', 'event_posthog', 'all', 'action_event'].includes(eventType)) {
		throw errors.validation(`"${eventType}" is not a valid choice.`, 'event_type');
	}
	let events = definitions(ctx.store).events;
	if (eventType === 'event_custom') events = events.filter((event) => !event.name.startsWith('$'));
	if (eventType === 'event_posthog') events = events.filter((event) => event.name.startsWith('$'));
	if (search) events = events.filter((event) => event.name.toLowerCase().includes(search));
	// last_seen_at::date DESC NULLS LAST, name ASC
	events = [...events].sort((a, b) => Math.floor(b.lastSeen / DAY_MS) - Math.floor(a.lastSeen / DAY_MS) || a.name.localeCompare(b.name));
	return page(
		ctx,
		events.map((event) => ({
			id: stableUuid(`event:${event.name}`),
			name: event.name,
			created_at: drfIso(ctx.store.now() - 90 * DAY_MS),
			last_seen_at: drfIso(event.lastSeen),
			last_updated_at: drfIso(event.lastSeen),
			tags: [],
			is_action: false,
			action_id: null,
			is_calculating: false,
			last_calculated_at: null,
			created_by: null,
			post_to_slack: false,
		})),
	);
}

function listPropertyDefinitions(ctx: RequestContext): HandlerResult {
	const type = ctx.q('type') ?? 'event';
	if (!['event', 'person', 'group', 'session'].includes(type)) throw errors.validation(`"${type}" is not a valid choice.`, 'type');
	const groupTypeIndex = ctx.q('group_type_index');
	if (type === 'group' && groupTypeIndex === undefined) throw errors.validation('`group_type_index` must be set for `group` type', 'group_type_index');
	if (type !== 'group' && groupTypeIndex !== undefined) throw errors.validation('`group_type_index` can only set for `group` type', 'group_type_index');
	const search = searchText(ctx);
	const source = type === 'person' ? definitions(ctx.store).personProperties : type === 'event' ? definitions(ctx.store).eventProperties : new Map<string, string>();
	let names = [...source.keys()];
	if (search) names = names.filter((name) => name.toLowerCase().includes(search));
	names.sort((a, b) => a.localeCompare(b));
	return page(
		ctx,
		names.map((name) => {
			const propertyTypeName = source.get(name) as string;
			return {
				id: stableUuid(`property:${type}:${name}`),
				name,
				is_numerical: propertyTypeName === 'Numeric',
				property_type: propertyTypeName,
				tags: [],
				is_seen_on_filtered_events: null,
			};
		}),
	);
}
