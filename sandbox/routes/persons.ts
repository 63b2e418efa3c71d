// /api/projects/:id/persons/... — a port of PostHog's PersonViewSet behaviour (posthog/api/person.py).

import type { HandlerResult, RequestContext } from '../context';
import { ApiError, errors, hogError } from '../errors';
import { addFault } from '../log';
import { lostRowIndexes } from '../listGaps';
import { serializeListItem, serializeMinimalPerson, serializePerson } from '../serialize';
import type { SandboxPerson, SandboxStore } from '../store';
import { assertSupportedFilters, matchesPersonFilters, UnsupportedFilterError } from '../query/filters';
import { parsePythonUuid, uuidFromName, isAnonymousId } from '../util/prng';
import { drfIso, parseIsoDate, pythonIso } from '../util/time';
import { pyRepr, pyTruthy } from '../util/pyjson';
import { drfLimitOffsetPage, formatQueryParamsAbsoluteUrl } from '../urls';

export const DEFAULT_PAGE_LIMIT = 100;
export const CSV_EXPORT_LIMIT = 50_000;
export const MAX_SELECT_RETURNED_ROWS = 50_000;

const PY_INT_RE = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/** Python int() on a query-string value; anything else is a ValueError (500 in the view). */
function pyInt(raw: string): number {
	if (!PY_INT_RE.test(raw)) throw errors.serverError();
	return parseInt(raw.replace(/_/g, ''), 10);
}

/** safely_get_object: numeric id or UUID; other strings are a 400, unknown persons a 404. */
export function getPersonObject(ctx: RequestContext, rawId: string): SandboxPerson {
	const uuid = parsePythonUuid(rawId);
	let person: SandboxPerson | undefined;
	if (uuid) person = ctx.store.personsByUuid.get(uuid);
	else if (PY_INT_RE.test(rawId)) person = ctx.store.personsById.get(parseInt(rawId.replace(/_/g, ''), 10));
	else {
		throw errors.validation(
			`The ID provided does not look like a personID. If you are using a distinctId, please use /persons?distinct_id=${rawId} instead.`,
		);
	}
	if (!person) throw errors.notFound();
	return person;
}

function lookupPkOrUuid(store: SandboxStore, raw: string): SandboxPerson | undefined {
	const uuid = parsePythonUuid(raw);
	if (uuid) return store.personsByUuid.get(uuid);
	if (PY_INT_RE.test(raw)) return store.personsById.get(parseInt(raw.replace(/_/g, ''), 10));
	return undefined;
}

// ------------------------------------------------------------------------------------------------ list

const sortedCache = new WeakMap<SandboxStore, { version: number; persons: SandboxPerson[] }>();

/** Live persons ordered like the list endpoint: created_at DESC, then id (UUID) DESC. */
export function personsInListOrder(store: SandboxStore): SandboxPerson[] {
	const hit = sortedCache.get(store);
	if (hit && hit.version === store.personsVersion) return hit.persons;
	const persons = [...store.personsByUuid.values()].sort((a, b) =>
		b.createdAt !== a.createdAt ? b.createdAt - a.createdAt : a.uuid < b.uuid ? 1 : a.uuid > b.uuid ? -1 : 0,
	);
	sortedCache.set(store, { version: store.personsVersion, persons });
	return persons;
}

/** The ActorsQuery `search` for persons (newest PostHog: exact email/UUID short-circuit, else substring). */
export function personSearchMatcher(store: SandboxStore, search: string): (p: SandboxPerson) => boolean {
	const s = search.trim();
	const exactish = (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) || parsePythonUuid(s) !== null) && !/\s/.test(s);
	if (exactish) {
		const uuid = parsePythonUuid(s);
		const exact = store.personsByDistinctId.get(s) ?? (uuid ? store.personsByUuid.get(uuid) : undefined);
		if (exact) return (p) => p === exact;
	}
	const needle = search.toLowerCase();
	return (p) => {
		const email = p.properties.email;
		const name = p.properties.name;
		if (typeof email === 'string' && email.toLowerCase().includes(needle)) return true;
		if (typeof name === 'string' && name.toLowerCase().includes(needle)) return true;
		if (p.uuid.includes(needle)) return true;
		return p.distinctIds.some((d) => d.toLowerCase().includes(needle));
	};
}

export function listPersons(ctx: RequestContext): HandlerResult {
	const store = ctx.store;
	// Filter(request=request): properties are parsed first
	const rawProps = ctx.q('properties');
	let parsedProps: unknown = [];
	if (rawProps) {
		try {
			parsedProps = JSON.parse(rawProps);
		} catch {
			throw errors.validation('Properties are unparsable!');
		}
	}
	const offset = ctx.q('offset') ? pyInt(ctx.q('offset') as string) : 0;
	let limit = ctx.q('limit') ? pyInt(ctx.q('limit') as string) : 0;
	const isCsv = ctx.renderer === 'csv';
	let effOffset = offset;
	if (isCsv) {
		limit = CSV_EXPORT_LIMIT;
		effOffset = 0;
	} else if (!limit) limit = DEFAULT_PAGE_LIMIT;

	const filters: Record<string, unknown>[] = [];
	if (rawProps) {
		const list: unknown[] = Array.isArray(parsedProps)
			? parsedProps
			: parsedProps && typeof parsedProps === 'object'
				? Object.keys(parsedProps as object)
				: [];
		if (!Array.isArray(parsedProps) && (typeof parsedProps !== 'object' || parsedProps === null)) throw errors.serverError();
		for (const prop of list) {
			if (!prop || typeof prop !== 'object' || Array.isArray(prop)) throw errors.serverError();
			const p = { ...(prop as Record<string, unknown>) };
			if (p.type !== 'cohort' && p.operator === undefined) p.operator = 'exact';
			// ActorsQuery(properties=...) only accepts person-scope filters; anything else fails pydantic (500)
			if (!['person', 'cohort', 'hogql', 'empty'].includes(String(p.type))) throw errors.serverError();
			filters.push(p);
		}
	}
	const email = ctx.q('email');
	if (email) filters.push({ type: 'person', key: 'email', value: email, operator: 'exact' });
	const distinctId = ctx.q('distinct_id');
	let only: SandboxPerson | null | undefined;
	if (distinctId) only = store.personsByDistinctId.get(distinctId) ?? null;
	const search = ctx.q('search');
	const searchMatch = search ? personSearchMatcher(store, search) : null;

	let candidates: SandboxPerson[];
	if (only === null) candidates = [];
	else if (only) candidates = [only];
	else candidates = personsInListOrder(store);
	let matched: SandboxPerson[];
	try {
		assertSupportedFilters(filters, false);
		matched = candidates.filter((p) => (!searchMatch || searchMatch(p)) && (!filters.length || matchesPersonFilters(store, p, filters)));
	} catch (err) {
		if (err instanceof UnsupportedFilterError) throw errors.validation(err.message);
		throw err;
	}

	// HogQLHasMorePaginator: limit <= 0 => 100, capped at MAX_SELECT_RETURNED_ROWS; offset <= 0 => 0
	const rowsLimit = limit <= 0 ? DEFAULT_PAGE_LIMIT : Math.min(limit, MAX_SELECT_RETURNED_ROWS);
	const rowsOffset = Math.max(0, effOffset);
	const page = matched.slice(rowsOffset, rowsOffset + rowsLimit);
	let results = page.map(serializeListItem);
	let omittedRows: string[] | undefined;
	if (!isCsv && ctx.faultsApply() && page.length > 1 && ctx.services.faults.roll(ctx.services.faults.active?.shortPageRate)) {
		// issue #24787: hydration returns fewer persons than the query did; `next` still advances by limit
		const drop = 1 + Math.floor(ctx.services.faults.random() * Math.min(3, page.length - 1));
		const dropIdx = new Set<number>();
		while (dropIdx.size < drop) dropIdx.add(Math.floor(ctx.services.faults.random() * page.length));
		omittedRows = [...dropIdx].sort((a, b) => a - b).map((i) => page[i].uuid);
		results = results.filter((_, i) => !dropIdx.has(i));
		addFault(ctx.log, 'short_page');
	}
	const gapConfig = ctx.faultsApply() ? ctx.services.faults.active : undefined;
	const lost = isCsv || !gapConfig ? [] : lostRowIndexes(gapConfig.seed ?? 1234, gapConfig.listGapRate ?? 0, rowsOffset, limit, page.length);
	if (lost.length > 0) {
		const lostUuids = new Set(lost.map((index) => page[index].uuid));
		results = results.filter((row) => !lostUuids.has(row.uuid as string));
		omittedRows = [...(omittedRows ?? []), ...lostUuids];
		addFault(ctx.log, 'list_gap');
	}
	const shouldPaginate = page.length >= limit;
	const url = ctx.absoluteUrl();
	const next = shouldPaginate ? formatQueryParamsAbsoluteUrl(url, effOffset + limit) : null;
	const previous = effOffset - limit >= 0 ? formatQueryParamsAbsoluteUrl(url, effOffset - limit) : null;
	const body: Record<string, unknown> = { results, next, previous };
	if (ctx.has('include_total')) body.count = matched.length;
	return { status: 200, body, omittedRows };
}

// ------------------------------------------------------------------------------------------------ detail

export function retrievePerson(ctx: RequestContext): HandlerResult {
	const person = getPersonObject(ctx, ctx.params.id);
	return { status: 200, body: serializePerson(person) };
}

function swappedRequired(attr: string): ApiError {
	return new ApiError(400, { attr, code: 'This field is required.', detail: 'required', type: 'validation_error' });
}

export function updatePerson(ctx: RequestContext): HandlerResult {
	const data = ctx.dataDict();
	if (data.properties === undefined || data.properties === null) throw swappedRequired('properties');
	const person = getPersonObject(ctx, ctx.params.id);
	setProperties(ctx, person, data.properties);
	return { status: 202 };
}

function setProperties(ctx: RequestContext, person: SandboxPerson, props: unknown): void {
	// capture_internal($set) failures are swallowed by PostHog; a non-object $set simply changes nothing
	if (props && typeof props === 'object' && !Array.isArray(props)) ctx.store.setPersonProperties(person, props as Record<string, unknown>, 'api');
	ctx.store.logActivity(ctx.user, 'updated', person, {
		changes: [{ type: 'Person', action: 'changed', field: 'properties', before: null, after: null }],
	});
	ctx.store.touch();
}

export function createPerson(): HandlerResult {
	throw errors.methodNotAllowed(
		'POST',
		'Creating persons via this API is not allowed. Please create persons by sending an $identify event. See https://posthog.com/docs/product-analytics/identify for details.',
	);
}

export function updateProperty(ctx: RequestContext): HandlerResult {
	const data = ctx.dataDict();
	if (!('value' in data)) throw swappedRequired('value');
	if (data.key === undefined || data.key === null) throw swappedRequired('key');
	if (typeof data.key === 'object') throw errors.serverError(); // unhashable dict key
	const person = getPersonObject(ctx, ctx.params.id);
	setProperties(ctx, person, { [String(data.key)]: data.value });
	return { status: 202 };
}

export function deleteProperty(ctx: RequestContext): HandlerResult {
	const person = getPersonObject(ctx, ctx.params.id);
	const data = ctx.dataDict();
	const raw = data.$unset;
	if (raw === undefined || raw === null) throw errors.validation('This field is required.', '$unset', 'required');
	let keys: string[];
	if (typeof raw === 'string') {
		if (!raw.trim()) throw errors.validation('This field may not be blank.', '$unset', 'blank');
		keys = [raw];
	} else if (Array.isArray(raw)) {
		if (!raw.length) throw errors.validation('This list may not be empty.', '$unset', 'empty');
		if (raw.length > 1000) throw errors.validation('Ensure this field has no more than 1000 elements.', '$unset', 'max_length');
		if (!raw.every((k) => typeof k === 'string' && k.trim())) throw errors.validation('Not a valid string.', '$unset');
		keys = raw as string[];
	} else {
		throw errors.validation('Not a valid string.', '$unset');
	}
	if (!person.distinctIds.length) throw errors.validation('Person has no distinct IDs.');
	ctx.store.unsetPersonProperties(person, keys, 'api');
	ctx.store.logActivity(ctx.user, 'delete_property', person, {
		name: person.uuid,
		changes: [{ type: 'Person', action: 'changed', field: null, before: null, after: null }],
	});
	return { status: 201, body: { success: true } };
}

export function splitPerson(ctx: RequestContext): HandlerResult {
	const person = getPersonObject(ctx, ctx.params.id);
	const data = ctx.dataDict();
	const main = data.main_distinct_id;
	const toSplit = data.distinct_ids_to_split;
	const before = [...person.distinctIds];
	if (toSplit !== undefined && toSplit !== null) {
		if (!Array.isArray(toSplit) || !toSplit.every((d) => typeof d === 'string')) {
			throw errors.validation('must be a list of strings', 'distinct_ids_to_split');
		}
		if (!toSplit.length) throw errors.validation('must not be empty', 'distinct_ids_to_split');
		if (main !== undefined && main !== null) throw errors.validation('main_distinct_id cannot be combined with distinct_ids_to_split');
		const unknown = [...new Set(toSplit as string[])].filter((d) => !before.includes(d)).sort();
		if (unknown.length) throw errors.validation(`not on this person: ${pyRepr(unknown)}`, 'distinct_ids_to_split');
	}
	// split_person runs as a Celery task in PostHog; the sandbox applies it before answering
	const keep = typeof main === 'string' ? main : before[0];
	const moving = Array.isArray(toSplit) ? (toSplit as string[]) : before.filter((d) => d !== keep);
	const store = ctx.store;
	for (const did of moving) {
		if (!person.distinctIds.includes(did)) continue;
		person.distinctIds = person.distinctIds.filter((d) => d !== did);
		store.personsByDistinctId.delete(did);
		const uuid = uuidFromName(`${store.projectId}:${did}`);
		const existing = store.personsByUuid.get(uuid);
		const target =
			existing ??
			store.createPerson({ distinctIds: [], uuid, isIdentified: !isAnonymousId(did), properties: {} });
		target.distinctIds.push(did);
		store.personsByDistinctId.set(did, target);
		store.reassignEvents(new Set([did]), person.uuid, target.uuid);
		const evs = store.eventsByPerson.get(target.uuid);
		if (evs?.length) target.lastSeenAt = evs[evs.length - 1].timestamp;
	}
	store.touch();
	const after: Record<string, unknown> = { distinct_ids: before };
	if (Array.isArray(toSplit)) after.distinct_ids_to_split = [...toSplit];
	store.logActivity(ctx.user, 'split_person', person, {
		name: person.uuid,
		changes: [{ type: 'Person', action: 'split', field: null, before: null, after }],
	});
	return { status: 201, body: { success: true } };
}

// ------------------------------------------------------------------------------------------------ deletion

const DELETION_STEPS = ['delete_person_distinct_ids', 'delete_person_postgres', 'delete_person_clickhouse'];

interface DeleteSummary {
	persons_found: number;
	persons_deleted: number;
	persons_queued_for_deletion: number;
	events_queued_for_deletion: boolean;
	recordings_queued_for_deletion: boolean;
	deletion_errors: { person_uuid?: string; step: string }[];
}

/** Python `list(x)` for the ids/distinct_ids body values (strings iterate characters, numbers crash). */
function pyList(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	if (typeof value === 'string') return [...value];
	if (value && typeof value === 'object') return Object.keys(value);
	throw errors.serverError();
}

function pyLen(value: unknown): number {
	if (Array.isArray(value) || typeof value === 'string') return value.length;
	if (value && typeof value === 'object') return Object.keys(value).length;
	throw errors.serverError();
}

export function bulkDeletePersonsCore(
	ctx: RequestContext,
	args: { distinctIds?: unknown; ids?: unknown; deleteEvents: boolean; deleteRecordings: boolean; keepPerson: boolean },
): DeleteSummary {
	const { distinctIds, ids } = args;
	if (pyTruthy(distinctIds) && pyTruthy(ids)) throw errors.validation('You must provide either distinct_ids or ids, not both');
	if (pyTruthy(distinctIds) && pyLen(distinctIds) > 1000) throw errors.validation('You can only pass 1000 distinct_ids in one call');
	if (pyTruthy(ids) && pyLen(ids) > 1000) throw errors.validation('You can only pass 1000 ids in one call');
	if (!pyTruthy(distinctIds) && !pyTruthy(ids)) throw errors.validation('You need to specify either distinct_ids or ids');

	const store = ctx.store;
	const persons: SandboxPerson[] = [];
	const seen = new Set<string>();
	if (pyTruthy(ids)) {
		for (const raw of pyList(ids)) {
			const uuid = parsePythonUuid(raw);
			if (!uuid) throw errors.serverError(); // the UUID lookup blows up on malformed ids (not confirmed against PostHog; see sandbox/README.md)
			const p = store.personsByUuid.get(uuid);
			if (p && !seen.has(p.uuid)) {
				seen.add(p.uuid);
				persons.push(p);
			}
		}
	} else {
		for (const raw of pyList(distinctIds)) {
			const p = typeof raw === 'string' ? store.personsByDistinctId.get(raw) : undefined;
			if (p && !seen.has(p.uuid)) {
				seen.add(p.uuid);
				persons.push(p);
			}
		}
	}

	let deleted = 0;
	let queued = 0;
	const deletionErrors: { person_uuid?: string; step: string }[] = [];
	const faults = ctx.services.faults;
	if (!args.keepPerson) {
		for (const p of persons) {
			const refused = store.refusedDeletions.has(p.uuid);
			if (refused || (ctx.faultsApply() && faults.roll(faults.active?.deletionErrorRate))) {
				const step = refused ? 'delete_person_postgres' : faults.pick(DELETION_STEPS);
				deletionErrors.push(ctx.faultsApply() && faults.active?.deletionErrorsWithoutUuid ? { step } : { person_uuid: p.uuid, step });
				if (!refused) addFault(ctx.log, 'deletion_error');
				continue;
			}
			if (ctx.services.bulkDeleteMode === 'queued') {
				queued++;
				const user = ctx.user;
				store.later(store.settings.queuedDeletionDelayMs, () => {
					if (store.personsByUuid.get(p.uuid) === p) {
						store.deletePerson(p.uuid);
						store.logActivity(user, 'deleted', p, { name: p.uuid });
					}
				});
			} else {
				store.deletePerson(p.uuid);
				store.logActivity(ctx.user, 'deleted', p, { name: p.uuid });
				deleted++;
			}
		}
	}
	if (args.deleteEvents) for (const p of persons) store.queueEventDeletion(p.uuid, ctx.key?.name ?? null);
	if (args.deleteRecordings) for (const p of persons) store.recordingDeletions.push({ person_uuid: p.uuid, created_at: store.now() });
	store.touch();
	return {
		persons_found: persons.length,
		persons_deleted: deleted,
		persons_queued_for_deletion: queued,
		events_queued_for_deletion: args.deleteEvents && persons.length > 0,
		recordings_queued_for_deletion: args.deleteRecordings && persons.length > 0,
		deletion_errors: deletionErrors,
	};
}

export function bulkDelete(ctx: RequestContext): HandlerResult {
	const data = ctx.dataDict();
	const summary = bulkDeletePersonsCore(ctx, {
		distinctIds: data.distinct_ids,
		ids: data.ids,
		deleteEvents: pyTruthy(data.delete_events),
		deleteRecordings: pyTruthy(data.delete_recordings),
		keepPerson: pyTruthy(data.keep_person),
	});
	return { status: 202, body: summary };
}

export function destroyPerson(ctx: RequestContext): HandlerResult {
	const person = getPersonObject(ctx, ctx.params.id);
	const summary = bulkDeletePersonsCore(ctx, {
		ids: [person.uuid],
		// presence flags: ?delete_events=false still deletes events
		deleteEvents: ctx.has('delete_events'),
		deleteRecordings: ctx.has('delete_recordings'),
		keepPerson: ctx.has('keep_person'),
	});
	if (summary.deletion_errors.length) {
		const step = summary.deletion_errors[0].step;
		throw new ApiError(503, hogError('server_error', 'person_deletion_failed', `Person deletion failed at step "${step}". The person was not deleted; please retry.`));
	}
	return { status: 202 };
}

export function deleteEvents(ctx: RequestContext): HandlerResult {
	const person = getPersonObject(ctx, ctx.params.id);
	ctx.store.queueEventDeletion(person.uuid, ctx.key?.name ?? null);
	return { status: 202 };
}

export function deleteRecordings(ctx: RequestContext): HandlerResult {
	const person = getPersonObject(ctx, ctx.params.id);
	ctx.store.recordingDeletions.push({ person_uuid: person.uuid, created_at: ctx.store.now() });
	return { status: 202 };
}

export function deletionStatus(ctx: RequestContext): HandlerResult {
	const status = ctx.q('status') ?? 'all';
	if (!['pending', 'completed', 'all'].includes(status)) throw errors.validation(`"${status}" is not a valid choice.`, 'status', 'invalid_choice');
	const rawUuid = ctx.q('person_uuid');
	let personUuid: string | null = null;
	if (rawUuid !== undefined) {
		personUuid = parsePythonUuid(rawUuid);
		if (!personUuid) throw errors.validation('Must be a valid UUID.', 'person_uuid');
	}
	let rows = [...ctx.store.asyncDeletions].reverse().sort((a, b) => b.created_at - a.created_at);
	if (status === 'pending') rows = rows.filter((r) => r.delete_verified_at === null);
	else if (status === 'completed') rows = rows.filter((r) => r.delete_verified_at !== null);
	if (personUuid) rows = rows.filter((r) => r.person_uuid === personUuid);
	const page = drfLimitOffsetPage(rows, ctx.absoluteUrl(), ctx.q('limit'), ctx.q('offset'), 100);
	return {
		status: 200,
		body: {
			count: page.count,
			next: page.next,
			previous: page.previous,
			results: page.results.map((r) => ({
				person_uuid: r.person_uuid,
				created_at: drfIso(r.created_at),
				status: r.delete_verified_at ? 'completed' : 'pending',
				delete_verified_at: r.delete_verified_at === null ? null : drfIso(r.delete_verified_at),
			})),
		},
	};
}

export function resetPersonDistinctId(ctx: RequestContext): HandlerResult {
	const data = ctx.dataDict();
	const did = data.distinct_id;
	if (!did || typeof did !== 'string') throw errors.validation('distinct_id is required');
	const wasDeleted = ctx.store.deletedDistinctIds.delete(did);
	ctx.store.distinctIdResets.push({ distinctId: did, at: ctx.store.now(), wasDeleted });
	ctx.store.touch();
	return { status: 202 };
}

// ------------------------------------------------------------------------------------------------ other read actions

export function propertyValues(ctx: RequestContext): HandlerResult {
	const headers = { 'Cache-Control': 'max-age=10' };
	const key = ctx.q('key');
	if (!key || key.startsWith('$virt')) return { status: 200, body: { results: [], refreshing: false }, headers };
	const search = ctx.q('value');
	const counts = new Map<string, number>();
	for (const person of ctx.store.personsByUuid.values()) {
		const v = person.properties[key];
		if (v === undefined || v === null || v === '') continue;
		const name = typeof v === 'string' ? v : JSON.stringify(v);
		if (search && !name.toLowerCase().includes(search.toLowerCase())) continue;
		counts.set(name, (counts.get(name) ?? 0) + 1);
	}
	const results = [...counts.entries()]
		.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
		.slice(0, 10)
		.map(([name, count]) => ({ name, count }));
	return { status: 200, body: { results, refreshing: false }, headers };
}

export function personCohorts(ctx: RequestContext): HandlerResult {
	const personId = ctx.q('person_id');
	if (personId === undefined) throw errors.serverError(); // request.GET["person_id"] -> KeyError
	const person = lookupPkOrUuid(ctx.store, personId);
	if (!person) throw errors.notFound();
	// quirk: membership is looked up in the user's *current* project, not the URL's project
	const team = ctx.userCurrentStore;
	const results = team.cohorts
		.filter((c) => !c.deleted && team.cohortMembers(c.id).has(person.uuid))
		.map((c) => ({ id: c.id, name: c.name, count: team.cohortMembers(c.id).size }));
	return { status: 200, body: { results } };
}

function activityParams(ctx: RequestContext): { limit: number; page: number } {
	const parse = (name: string, def: number): number => {
		const raw = ctx.q(name);
		if (raw === undefined) return def;
		const cleaned = raw.trim().replace(/\.0*$/, '');
		if (!/^[+-]?\d+$/.test(cleaned)) throw errors.validation('A valid integer is required.', name);
		const n = parseInt(cleaned, 10);
		if (n < 1) throw errors.validation('Ensure this value is greater than or equal to 1.', name, 'min_value');
		return n;
	};
	const limit = parse('limit', 10);
	const page = parse('page', 1);
	return { limit, page };
}

function activityResponse(ctx: RequestContext, itemId: string | null): HandlerResult {
	const { limit, page } = activityParams(ctx);
	const entries = ctx.store.activity
		.filter((a) => a.scope === 'Person' && (itemId === null || a.item_id === itemId))
		.map((a, i) => ({ a, i }))
		.sort((x, y) => y.a.created_at - x.a.created_at || y.i - x.i)
		.map((x) => x.a);
	const total = entries.length;
	const numPages = Math.max(1, Math.ceil(total / limit));
	if (page > numPages) throw errors.serverError(); // Django Paginator.page() raises EmptyPage (status not confirmed against PostHog)
	const slice = entries.slice((page - 1) * limit, page * limit);
	const url = ctx.absoluteUrl();
	return {
		status: 200,
		body: {
			results: slice.map((a) => ({
				id: a.id,
				user: a.user,
				activity: a.activity,
				scope: a.scope,
				item_id: a.item_id,
				detail: a.detail,
				created_at: drfIso(a.created_at),
			})),
			next: page < numPages ? formatQueryParamsAbsoluteUrl(url, page + 1, limit, 'page') : null,
			previous: page > 1 ? formatQueryParamsAbsoluteUrl(url, page - 1, limit, 'page') : null,
			total_count: total,
		},
	};
}

export function allActivity(ctx: RequestContext): HandlerResult {
	return activityResponse(ctx, null);
}

export function personActivity(ctx: RequestContext): HandlerResult {
	const person = getPersonObject(ctx, ctx.params.id);
	return activityResponse(ctx, String(person.id));
}

export function batchByDistinctIds(ctx: RequestContext): HandlerResult {
	const data = ctx.dataDict();
	let ids = data.distinct_ids ?? [];
	if (!Array.isArray(ids) || ids.length === 0) return { status: 200, body: { results: {} } };
	ids = ids.slice(0, 200);
	const results: Record<string, unknown> = {};
	for (const did of ids as unknown[]) {
		if (typeof did !== 'string') continue;
		const p = ctx.store.personsByDistinctId.get(did);
		if (p) results[did] = serializeMinimalPerson(p);
	}
	return { status: 200, body: { results } };
}

export function batchByUuids(ctx: RequestContext): HandlerResult {
	const data = ctx.dataDict();
	let uuids = data.uuids ?? [];
	if (!Array.isArray(uuids) || uuids.length === 0) return { status: 200, body: { results: {} } };
	uuids = uuids.slice(0, 200);
	const canonical: string[] = [];
	for (const u of uuids as unknown[]) {
		const c = parsePythonUuid(u);
		if (!c) throw errors.validation('One or more UUIDs are invalid.');
		canonical.push(c);
	}
	const results: Record<string, unknown> = {};
	for (const c of canonical) {
		const p = ctx.store.personsByUuid.get(c);
		if (p) results[p.uuid] = serializeMinimalPerson(p);
	}
	return { status: 200, body: { results } };
}

/** Replays $set (and optionally $set_once) writes up to `at`, like build_person_properties_at_time. */
export function propertiesAtTime(store: SandboxStore, uuid: string, at: number, includeSetOnce: boolean): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const entry of store.propertyHistory(uuid)) {
		if (entry.timestamp > at) break;
		if (entry.op === '$set') Object.assign(out, entry.properties as Record<string, unknown>);
		else if (entry.op === '$set_once' && includeSetOnce) {
			for (const [k, v] of Object.entries(entry.properties as Record<string, unknown>)) if (!(k in out)) out[k] = v;
		}
	}
	return out;
}

export function propertiesAtTimeHandler(ctx: RequestContext): HandlerResult {
	const distinctId = ctx.q('distinct_id');
	const personId = ctx.q('person_id');
	const ts = ctx.q('timestamp');
	const includeSetOnce = (ctx.q('include_set_once') ?? 'false').toLowerCase() === 'true';
	if (distinctId && personId) return { status: 400, body: { error: 'Cannot provide both distinct_id and person_id - choose one' } };
	if (!distinctId && !personId) return { status: 400, body: { error: 'Must provide either distinct_id or person_id parameter' } };
	if (!ts) return { status: 400, body: { error: 'timestamp parameter is required (ISO format: 2023-06-15T14:30:00Z)' } };
	const at = parseIsoDate(ts);
	if (at === null) return { status: 400, body: { error: 'Invalid timestamp format. Use ISO format like 2023-06-15T14:30:00Z' } };
	const identifierType = distinctId ? 'distinct_id' : 'person_id';
	const identifier = (distinctId || personId) as string;
	let person: SandboxPerson | undefined;
	if (distinctId) person = ctx.store.personsByDistinctId.get(distinctId);
	else {
		const uuid = parsePythonUuid(personId);
		if (!uuid) return { status: 500, body: { error: `Failed to retrieve person properties for ${identifierType} '${identifier}'` } };
		person = ctx.store.personsByUuid.get(uuid);
	}
	if (!person || !person.distinctIds.length) return { status: 404, body: { error: `Person with ${identifierType} '${identifier}' not found` } };
	const body = serializePerson(person);
	body.properties = propertiesAtTime(ctx.store, person.uuid, at, includeSetOnce);
	body.point_in_time_metadata = {
		queried_timestamp: pythonIso(at),
		include_set_once: includeSetOnce,
		distinct_id_used: distinctId ?? null,
		person_id_used: personId ?? null,
		query_mode: distinctId ? 'distinct_id' : 'person_id',
		distinct_ids_queried: [...person.distinctIds],
		distinct_ids_count: person.distinctIds.length,
	};
	return { status: 200, body };
}

/** emails / push_notifications: workflow message assets are feature-flagged off => 404 after the person lookup. */
export function messageAssets(ctx: RequestContext): HandlerResult {
	getPersonObject(ctx, ctx.params.id);
	throw errors.notFound();
}

