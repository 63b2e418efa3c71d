// ActorsQueryRunner: runs the source, applies search/properties, select, orderBy, limit/offset (hasMore)
// and enriches actor columns, like PostHog's ActorsQueryRunner: `hasMore` from fetching limit + 1 rows,
// the response fields PostHog sends, and the `select` columns and default ordering it supports.

import type { SandboxStore } from '../store';
import { errors } from '../errors';
import { serializeActor, personName } from '../serialize';
import { drfIso, isoDate } from '../util/time';
import { assertSupportedFilters, matchesPersonFilters, UnsupportedFilterError } from './filters';
import { personSearchMatcher } from '../routes/persons';
import { runPersonsList } from './personsList';
import {
	funnelActors,
	funnelCorrelationActors,
	lifecycleActors,
	stickinessActors,
	trendsActors,
	type ActorRow,
	type SourceResult,
} from './engine';
import { pathsActors } from './paths';
import { retentionActors } from './retention';

type Obj = Record<string, any>;

export const DEFAULT_RETURNED_ROWS = 100;
export const MAX_SELECT_RETURNED_ROWS = 50_000;

function unsupported(message: string): never {
	throw errors.validation(message);
}

function runSource(store: SandboxStore, source: Obj | undefined, now: number): SourceResult {
	if (!source) {
		const rows: ActorRow[] = [...store.personsByUuid.values()].sort((a, b) => a.id - b.id).map((p) => ({ uuid: p.uuid }));
		return { rows, extraColumns: new Set(), includeRecordings: false };
	}
	switch (source.kind) {
		case 'InsightActorsQuery': {
			const inner = source.source;
			switch (inner?.kind) {
				case 'TrendsQuery':
					return trendsActors(store, inner, source, now);
				case 'LifecycleQuery':
					return lifecycleActors(store, inner, source, now);
				case 'StickinessQuery':
					return stickinessActors(store, inner, source, undefined, now);
				case 'RetentionQuery':
					return retentionActors(store, inner, source, now);
				case 'PathsQuery':
					return pathsActors(store, inner, now);
				case 'FunnelsQuery':
					return unsupported('Use a FunnelsActorsQuery to get the persons of a funnel.');
				default:
					return unsupported(`Insight actors for ${inner?.kind} are not supported by the sandbox.`);
			}
		}
		case 'StickinessActorsQuery':
			return stickinessActors(store, source.source, source, source.operator, now);
		case 'FunnelsActorsQuery':
			return funnelActors(store, source, now);
		case 'FunnelCorrelationActorsQuery':
			return funnelCorrelationActors(store, source, now);
		case 'HogQLQuery':
			return unsupported('HogQLQuery sources are not supported by the sandbox.');
		default:
			return unsupported(`Unsupported ActorsQuery source ${source.kind}.`);
	}
}

export interface Column {
	/** text as sent in `select` */
	label: string;
	kind: 'actor' | 'id' | 'created_at' | 'event_count' | 'event_distinct_ids' | 'matched_recordings' | 'property' | 'null' | 'is_identified' | 'distinct_ids' | 'value' | 'length';
	path?: string[];
	/** 'value' / 'length': the source column (retention's day_0 …, appearances) */
	name?: string;
	type: string;
}

export function resolveField(expr: string, source: SourceResult): Column {
	const raw = expr.trim();
	const asMatch = /^(.*?)\s+as\s+[`"]?[\w$]+[`"]?$/i.exec(raw);
	const e = (asMatch ? asMatch[1] : raw).trim().replace(/^`|`$/g, '');
	const label = expr;
	switch (e) {
		case 'actor':
		case 'person':
			return { label, kind: 'actor', type: 'Tuple(UUID, String)' };
		case 'id':
		case 'actor_id':
		case 'person_id':
		case 'person.id':
			return { label, kind: 'id', type: 'UUID' };
		case 'created_at':
		case 'person.created_at':
			return { label, kind: 'created_at', type: "DateTime64(3, 'UTC')" };
		case 'is_identified':
		case 'person.is_identified':
			return { label, kind: 'is_identified', type: 'Bool' };
		case 'distinct_ids':
		case 'pdi.distinct_ids':
			return { label, kind: 'distinct_ids', type: 'Array(String)' };
		case 'person.$delete':
			return { label, kind: 'null', type: 'Nullable(Nothing)' };
		case 'event_count':
		case 'event_distinct_ids':
			if (!source.extraColumns.has(e)) throw errors.validation(`Unable to resolve field: ${e}`);
			return { label, kind: e, type: e === 'event_count' ? 'UInt64' : 'Array(String)' };
		case 'matched_recordings':
			if (!source.includeRecordings) throw errors.validation('Unable to resolve field: matched_recordings');
			return { label, kind: 'matched_recordings', type: 'Array(Tuple(String, Array(Tuple(DateTime64(6, \'UTC\'), UUID, String))))' };
	}
	if (source.extraColumns.has(e)) return { label, kind: 'value', name: e, type: e === 'appearances' ? 'Array(Int64)' : 'UInt8' };
	const length = /^length\((\w+)\)$/.exec(e);
	if (length && source.extraColumns.has(length[1])) return { label, kind: 'length', name: length[1], type: 'UInt64' };
	const m = /^(?:person\.)?properties\.(.+)$/.exec(e);
	if (m) {
		const path = m[1].split('.').map((s) => s.replace(/^[`"]|[`"]$/g, ''));
		return { label, kind: 'property', path, type: 'Nullable(String)' };
	}
	throw errors.validation(`Unable to resolve field: ${e}`);
}

export function cellValue(store: SandboxStore, col: Column, row: ActorRow): unknown {
	const person = store.personsByUuid.get(row.uuid);
	switch (col.kind) {
		case 'actor':
			return serializeActor(store, row.uuid);
		case 'id':
			return row.uuid;
		case 'created_at':
			return person ? drfIso(person.createdAt) : null;
		case 'is_identified':
			return person ? person.isIdentified : null;
		case 'distinct_ids':
			return person ? [...person.distinctIds] : [];
		case 'null':
			return null;
		case 'event_count':
			return row.eventCount ?? 0;
		case 'event_distinct_ids':
			return row.eventDistinctIds ?? [];
		case 'matched_recordings': {
			const bySession = new Map<string, { timestamp: string; uuid: string; window_id: string }[]>();
			for (const ev of row.matchingEvents ?? []) {
				const sid = ev.sessionId;
				const list = bySession.get(sid) ?? [];
				list.push({ timestamp: drfIso(ev.timestamp), uuid: ev.uuid, window_id: `${sid.slice(0, 24)}${isoDate(ev.timestamp).replace(/-/g, '').slice(0, 12)}` });
				bySession.set(sid, list);
			}
			return [...bySession.entries()].map(([session_id, events]) => ({ session_id, events }));
		}
		case 'value':
			return row.values?.[col.name as string] ?? null;
		case 'length': {
			const value = row.values?.[col.name as string];
			return Array.isArray(value) ? value.length : 0;
		}
		case 'property': {
			let cur: unknown = person?.properties;
			for (const seg of col.path ?? []) {
				if (cur === null || typeof cur !== 'object') return null;
				cur = (cur as Record<string, unknown>)[seg];
			}
			if (cur === undefined) return null;
			return typeof cur === 'object' && cur !== null ? JSON.stringify(cur) : cur;
		}
	}
}

interface OrderTerm {
	key: (row: ActorRow) => unknown;
	desc: boolean;
}

function compare(a: unknown, b: unknown): number {
	if (a === b) return 0;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	const sa = String(a);
	const sb = String(b);
	return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function orderTerms(store: SandboxStore, exprs: string[], source: SourceResult): OrderTerm[] {
	const terms: OrderTerm[] = [];
	for (const raw of exprs) {
		for (const part of raw.split(',')) {
			const m = /^\s*(.+?)(?:\s+(ASC|DESC))?\s*$/i.exec(part);
			if (!m || !m[1].trim()) continue;
			const expr = m[1].trim();
			const desc = (m[2] ?? 'ASC').toUpperCase() === 'DESC';
			if (expr === 'person' || expr === 'actor') {
				// ["person"] orders by the display name (email) in PostHog
				terms.push({ key: (row) => {
					const p = store.personsByUuid.get(row.uuid);
					return p ? String(personName(p)) : null;
				}, desc });
				continue;
			}
			const col = resolveField(expr, source);
			if (col.kind === 'actor') continue;
			terms.push({
				key: (row) => {
					if (col.kind === 'created_at') return store.personsByUuid.get(row.uuid)?.createdAt ?? null;
					const v = cellValue(store, col, row);
					return Array.isArray(v) ? v.length : v;
				},
				desc,
			});
		}
	}
	return terms;
}

export interface ActorsQueryResult {
	columns: string[];
	results: unknown[][];
	types: string[];
	hogql: string;
	hasMore: boolean;
	limit: number;
	offset: number;
	missing_actors_count: number;
}

export function runActorsQuery(store: SandboxStore, query: Obj, now: number): ActorsQueryResult {
	const personsList = runPersonsList(store, query);
	if (personsList) return personsList;
	const source = runSource(store, query.source, now);
	let rows = source.rows;
	// person-scope filters and search are applied to the actors (missing persons never match)
	const personFilters: unknown[] = [];
	if (query.properties && (!Array.isArray(query.properties) || query.properties.length)) personFilters.push(query.properties);
	if (Array.isArray(query.fixedProperties) && query.fixedProperties.length) personFilters.push(query.fixedProperties);
	const searchMatch = typeof query.search === 'string' && query.search ? personSearchMatcher(store, query.search) : null;
	try {
		assertSupportedFilters(personFilters, false);
	} catch (err) {
		if (err instanceof UnsupportedFilterError) throw errors.validation(err.message);
		throw err;
	}
	if (personFilters.length || searchMatch) {
		try {
			rows = rows.filter((row) => {
				const person = store.personsByUuid.get(row.uuid);
				if (!person) return false;
				if (searchMatch && !searchMatch(person)) return false;
				return !personFilters.length || matchesPersonFilters(store, person, personFilters);
			});
		} catch (err) {
			if (err instanceof UnsupportedFilterError) throw errors.validation(err.message);
			throw err;
		}
	}
	const defaultSelect = ['person', 'id', 'person.$delete', ...(query.source?.kind === 'InsightActorsQuery' && query.source?.source?.kind === 'TrendsQuery' ? ['event_distinct_ids'] : [])];
	const select: string[] = Array.isArray(query.select) && query.select.length ? query.select : defaultSelect;
	const columns = select.map((s) => resolveField(s, source));

	// ordering (actors_query_runner.to_query)
	if (Array.isArray(query.orderBy)) {
		if (query.orderBy.length) {
			const terms = orderTerms(store, query.orderBy, source);
			rows = sortRows(rows, terms);
		}
	} else {
		const createdIdx = columns.findIndex((c) => c.kind === 'created_at');
		if (createdIdx >= 0) rows = sortRows(rows, [{ key: (r) => store.personsByUuid.get(r.uuid)?.createdAt ?? null, desc: true }]);
		else {
			const first = columns[0];
			const key =
				first.kind === 'actor' || first.kind === 'id'
					? (r: ActorRow) => r.uuid
					: (r: ActorRow) => {
							const v = cellValue(store, first, r);
							return Array.isArray(v) ? v.length : v;
						};
			rows = sortRows(rows, [{ key, desc: false }]);
		}
	}

	let limit = typeof query.limit === 'number' && query.limit > 0 ? query.limit : DEFAULT_RETURNED_ROWS;
	limit = Math.min(limit, MAX_SELECT_RETURNED_ROWS);
	const offset = typeof query.offset === 'number' && query.offset > 0 ? query.offset : 0;
	const fetched = rows.slice(offset, offset + limit + 1);
	const hasMore = fetched.length > limit;
	const page = fetched.slice(0, limit);
	const hasActorColumn = columns.some((c) => c.kind === 'actor');
	const missing = hasActorColumn ? page.filter((r) => !store.personsByUuid.has(r.uuid)).length : 0;
	const results = page.map((row) => columns.map((col) => cellValue(store, col, row)));
	const orderSql = Array.isArray(query.orderBy) ? (query.orderBy.length ? ` ORDER BY ${query.orderBy.join(', ')}` : '') : '';
	const hogql = `SELECT ${select.join(', ')} FROM (${query.source?.kind ?? 'persons'}) AS source${orderSql} LIMIT ${limit + 1} OFFSET ${offset}`;
	return {
		columns: [...select],
		results,
		types: columns.map((c) => c.type),
		hogql,
		hasMore,
		limit,
		offset,
		missing_actors_count: missing,
	};
}

function sortRows(rows: ActorRow[], terms: OrderTerm[]): ActorRow[] {
	if (!terms.length) return rows;
	const decorated = rows.map((row, i) => ({ row, i, keys: terms.map((t) => t.key(row)) }));
	decorated.sort((a, b) => {
		for (let k = 0; k < terms.length; k++) {
			const x = a.keys[k];
			const y = b.keys[k];
			const xNull = x === null || x === undefined;
			const yNull = y === null || y === undefined;
			if (xNull || yNull) {
				if (xNull && yNull) continue;
				return xNull ? 1 : -1; // ClickHouse: NULLS LAST in both directions
			}
			const c = compare(x, y);
			if (c !== 0) return terms[k].desc ? -c : c;
		}
		return a.i - b.i;
	});
	return decorated.map((d) => d.row);
}
