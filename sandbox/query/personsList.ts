// Listing persons with an ActorsQuery that has no source (what PostHog recommends for exports), ordered
// `created_at DESC, id DESC` as PostHog's persons list and exports order them: search, person and
// cohort filters, an exact distinct-id HogQL filter, limit/offset/hasMore with the 50,000-row cap.
// Pages are cut from a cached order, so paging through a million persons costs O(page) per request.

import type { SandboxPerson, SandboxStore } from '../store';
import { errors } from '../errors';
import { personName, serializeActor } from '../serialize';
import { personSearchMatcher, personsInListOrder } from '../routes/persons';
import { drfIso } from '../util/time';
import { assertSupportedFilters, matchesPersonFilters, UnsupportedFilterError } from './filters';
import { cellValue, DEFAULT_RETURNED_ROWS, MAX_SELECT_RETURNED_ROWS, resolveField, type ActorsQueryResult } from './actors';

type Obj = Record<string, any>;

/** The unique order this runner serves; other orders go through the general ActorsQuery runner. */
const LIST_ORDER = ['created_at desc', 'id desc'];

function isListOrder(orderBy: unknown): boolean {
	if (!Array.isArray(orderBy)) return false;
	const terms = orderBy.flatMap((term) => String(term).split(',')).map((term) => term.trim().replace(/\s+/g, ' ').toLowerCase());
	return terms.length === LIST_ORDER.length && terms.every((term, index) => term === LIST_ORDER[index]);
}

// ------------------------------------------------------------------------------------------------ HogQL filter

/** A HogQL string literal ('...' with \\, \' and '' escapes) at `start`; returns the value and the end index. */
function readStringLiteral(text: string, start: number): { value: string; end: number } | null {
	if (text[start] !== "'") return null;
	let value = '';
	for (let index = start + 1; index < text.length; index++) {
		const char = text[index];
		if (char === '\\') {
			const next = text[index + 1];
			if (next === undefined) return null;
			value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next === '0' ? '\0' : next;
			index++;
		} else if (char === "'") {
			if (text[index + 1] === "'") {
				value += "'";
				index++;
			} else return { value, end: index + 1 };
		} else value += char;
	}
	return null;
}

/** The values of `distinct_id = '...'` or `distinct_id IN ('...', ...)` (the rest of the text after the column). */
function readDistinctIdCondition(text: string): { values: string[]; end: number } | null {
	let index = text.search(/\S/);
	if (index < 0) return null;
	const values: string[] = [];
	if (text[index] === '=') {
		index = index + 1 + text.slice(index + 1).search(/\S/);
		const literal = readStringLiteral(text, index);
		return literal ? { values: [literal.value], end: literal.end } : null;
	}
	const inMatch = /^in\s*\(/i.exec(text.slice(index));
	if (!inMatch) return null;
	index += inMatch[0].length;
	for (;;) {
		index += text.slice(index).search(/\S/);
		const literal = readStringLiteral(text, index);
		if (!literal) return null;
		values.push(literal.value);
		index = literal.end + text.slice(literal.end).search(/\S/);
		if (text[index] === ')') return { values, end: index + 1 };
		if (text[index] !== ',') return null;
		index++;
	}
}

const DISTINCT_ID_SUBQUERY = /^\s*id\s+in\s*\(\s*select\s+person_id\s+from\s+person_distinct_ids\s+where\s+distinct_id\s*/i;

/**
 * The distinct IDs of a HogQL person filter of the form
 * `id IN (SELECT person_id FROM person_distinct_ids WHERE distinct_id = '<id>')` (or `IN ('<a>', '<b>')`).
 * Any other HogQL expression is beyond the sandbox: 400.
 */
export function distinctIdsOfHogqlFilter(expression: string): string[] {
	const head = DISTINCT_ID_SUBQUERY.exec(expression);
	const condition = head ? readDistinctIdCondition(expression.slice(head[0].length)) : null;
	const rest = condition ? expression.slice(head![0].length + condition.end) : '';
	if (!condition || !/^\s*\)\s*$/.test(rest)) {
		throw errors.validation(
			`The PostHog sandbox only evaluates the HogQL filter "id IN (SELECT person_id FROM person_distinct_ids WHERE distinct_id = '...')"; got: ${expression}`,
		);
	}
	return condition.values;
}

// ------------------------------------------------------------------------------------------------ filtering

interface Filters {
	/** persons allowed by HogQL distinct-id filters (each filter narrows the set), or null */
	allowed: Set<SandboxPerson> | null;
	/** person / cohort filters and property groups */
	rest: unknown[];
}

function intersect(current: Set<SandboxPerson> | null, next: Set<SandboxPerson>): Set<SandboxPerson> {
	return current === null ? next : new Set([...current].filter((person) => next.has(person)));
}

function splitFilters(store: SandboxStore, query: Obj): Filters {
	const lists = [query.properties, query.fixedProperties];
	let allowed: Set<SandboxPerson> | null = null;
	const rest: unknown[] = [];
	for (const list of lists) {
		if (list === undefined || list === null) continue;
		if (!Array.isArray(list)) {
			rest.push(list); // a property group; HogQL inside it is rejected by assertSupportedFilters
			continue;
		}
		for (const filter of list) {
			if (filter && typeof filter === 'object' && (filter as Obj).type === 'hogql') {
				const persons = new Set<SandboxPerson>();
				for (const id of distinctIdsOfHogqlFilter(String((filter as Obj).key ?? ''))) {
					const person = store.personsByDistinctId.get(id);
					if (person) persons.add(person);
				}
				allowed = intersect(allowed, persons);
			} else rest.push(filter);
		}
	}
	try {
		assertSupportedFilters(rest, false);
	} catch (err) {
		if (err instanceof UnsupportedFilterError) throw errors.validation(err.message);
		throw err;
	}
	return { allowed, rest };
}

const matchCache = new WeakMap<SandboxStore, Map<string, { version: number; persons: SandboxPerson[] }>>();

/** The persons matching the query's filters and search, in list order (cached per store version). */
function matchingPersons(store: SandboxStore, query: Obj): SandboxPerson[] {
	const key = JSON.stringify([query.properties ?? null, query.fixedProperties ?? null, query.search ?? null]);
	let cache = matchCache.get(store);
	if (!cache) matchCache.set(store, (cache = new Map()));
	const hit = cache.get(key);
	if (hit && hit.version === store.version) return hit.persons;
	const { allowed, rest } = splitFilters(store, query);
	const search = typeof query.search === 'string' && query.search ? personSearchMatcher(store, query.search) : null;
	let persons = personsInListOrder(store);
	if (allowed || rest.length || search) {
		try {
			persons = persons.filter(
				(person) =>
					(!allowed || allowed.has(person)) &&
					(!search || search(person)) &&
					(!rest.length || matchesPersonFilters(store, person, rest)),
			);
		} catch (err) {
			if (err instanceof UnsupportedFilterError) throw errors.validation(err.message);
			throw err;
		}
	}
	cache.set(key, { version: store.version, persons });
	if (cache.size > 20) cache.delete(cache.keys().next().value as string);
	return persons;
}

// ------------------------------------------------------------------------------------------------ columns

type CellOf = (person: SandboxPerson) => unknown;

/** Columns this runner adds to the general ones: `last_seen_at` and the Persons page's display-name column. */
function column(store: SandboxStore, expression: string): { cell: CellOf; type: string } {
	const bare = expression.replace(/--.*$/, '').trim();
	if (bare === 'last_seen_at') {
		return { cell: (person) => (person.lastSeenAt === null ? null : drfIso(person.lastSeenAt)), type: "Nullable(DateTime64(6, 'UTC'))" };
	}
	if (bare === 'person_display_name') {
		return { cell: (person) => ({ display_name: personName(person), id: person.uuid }), type: 'Tuple(String, UUID)' };
	}
	if (bare === 'person' || bare === 'actor') {
		return { cell: (person) => serializeActor(store, person.uuid), type: 'Tuple(UUID, String)' };
	}
	const resolved = resolveField(expression, { rows: [], extraColumns: new Set(), includeRecordings: false });
	return { cell: (person) => cellValue(store, resolved, { uuid: person.uuid }), type: resolved.type };
}

/**
 * Runs a no-source ActorsQuery ordered `created_at DESC, id DESC`; null for any other query (the
 * general runner handles those).
 */
export function runPersonsList(store: SandboxStore, query: Obj): ActorsQueryResult | null {
	if (query.source || !isListOrder(query.orderBy)) return null;
	const persons = matchingPersons(store, query);
	const select: string[] = Array.isArray(query.select) && query.select.length ? query.select : ['person', 'id', 'person.$delete'];
	const columns = select.map((expression) => column(store, expression));
	let limit = typeof query.limit === 'number' && query.limit > 0 ? query.limit : DEFAULT_RETURNED_ROWS;
	limit = Math.min(limit, MAX_SELECT_RETURNED_ROWS);
	const offset = typeof query.offset === 'number' && query.offset > 0 ? query.offset : 0;
	const page = persons.slice(offset, offset + limit);
	return {
		columns: [...select],
		results: page.map((person) => columns.map((col) => col.cell(person))),
		types: columns.map((col) => col.type),
		hogql: `SELECT ${select.join(', ')} FROM persons ORDER BY created_at DESC, id DESC LIMIT ${limit + 1} OFFSET ${offset}`,
		hasMore: persons.length > offset + limit,
		limit,
		offset,
		missing_actors_count: 0,
	};
}
