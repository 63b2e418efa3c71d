import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { buildPropertyFilters } from '../../helpers/filters';
import { IdSet } from '../../helpers/idSet';
import { withItemIndex } from '../../helpers/items';
import type { ShiftCheckStats } from '../../helpers/shiftCheck';
import { newShiftCheckStats, slidRows } from '../../helpers/shiftCheck';
import type { Progress, RecordPage } from '../../helpers/recordPages';
import { concatPages, finishPage, limitReached, upToLimit } from '../../helpers/recordPages';
import { emptyList } from '../../helpers/simplify';
import { queryPages } from '../../transport';

/**
 * Get Many through PostHog's Query API: an ActorsQuery over persons (no source) in a unique,
 * stable order, paged with limit/offset/hasMore. Every person is listed once: unlike the persons
 * list endpoint (PostHog issue #24787), a page never skips rows, and rows that move up between
 * pages (persons deleted while paging) are found again by the shift check (helpers/shiftCheck.ts).
 */

/** created_at alone is not unique (persons created in the same second could swap between pages). */
export const PERSONS_ORDER = ['created_at DESC', 'id DESC'];

/** Columns besides `person` that newer PostHog versions have; without them `name` and `last_seen_at` are filled in by the node. */
const OPTIONAL_COLUMNS = ['person_display_name -- Person', 'last_seen_at'];

/** Person properties PostHog uses for a person's display name when the project sets none. */
const DISPLAY_NAME_PROPERTIES = ['email', 'Email', 'name', 'Name', 'username', 'Username', 'UserName'];

/** A HogQL string literal (backslash escapes, as HogQL and ClickHouse read them). */
export function hogqlString(value: string): string {
	const escaped = value.replace(/[\\'\n\r\t\0]/g, (char) => {
		switch (char) {
			case '\n':
				return '\\n';
			case '\r':
				return '\\r';
			case '\t':
				return '\\t';
			case '\0':
				return '\\0';
			default:
				return `\\${char}`;
		}
	});
	return `'${escaped}'`;
}

/** The ActorsQuery (without limit/offset/select) for the Filters collection of Get Many. */
export function personsListQuery(filters: IDataObject): IDataObject {
	const properties: IDataObject[] = [];
	if (filters.email) properties.push({ type: 'person', key: 'email', operator: 'exact', value: String(filters.email) });
	if (filters.distinctId) {
		// exact match on any distinct ID (ActorsQuery has no distinct-id field; `search` would be a substring match)
		properties.push({
			type: 'hogql',
			key: `id IN (SELECT person_id FROM person_distinct_ids WHERE distinct_id = ${hogqlString(String(filters.distinctId))})`,
		});
	}
	if (filters.cohortId) properties.push({ type: 'cohort', key: 'id', operator: 'in', value: Number(filters.cohortId) });
	properties.push(...buildPropertyFilters(filters.propertyFilters as IDataObject, 'person'));
	const query: IDataObject = { kind: 'ActorsQuery', orderBy: PERSONS_ORDER };
	if (filters.search) query.search = String(filters.search);
	if (properties.length > 0) query.properties = properties;
	return query;
}

function displayName(person: IDataObject): IDataObject[string] {
	const properties = (person.properties ?? {}) as IDataObject;
	for (const key of DISPLAY_NAME_PROPERTIES) {
		if (properties[key] !== undefined && properties[key] !== null && properties[key] !== '') return properties[key];
	}
	const distinctIds = person.distinct_ids as string[] | undefined;
	return distinctIds?.[0] ?? person.id;
}

/**
 * A query row as a persons-list item (the same fields and order as `GET persons/` returns).
 *
 * Built by assignment to `{}`, with no object or array literal: V8 gives every non-empty literal
 * an allocation site and may decide from one minor GC that a site's objects live long
 * ("pretenuring"). A GC that happens while a whole page of items is alive makes that decision for
 * this function, after which every later item is created in the old generation, where it stays
 * as garbage until a full GC: a CSV export of 100,000 persons then peaked 50 MB higher.
 */
function listItem(actor: IDataObject, name: IDataObject[string], lastSeenAt: unknown): IDataObject {
	const item: IDataObject = {};
	item.type = 'person';
	item.id = actor.id;
	item.uuid = actor.id;
	item.created_at = actor.created_at ?? null;
	item.last_seen_at = (lastSeenAt ?? null) as IDataObject[string];
	item.properties = actor.properties ?? {};
	item.is_identified = actor.is_identified ?? null;
	item.name = name;
	item.distinct_ids = actor.distinct_ids ?? emptyList();
	item.matched_recordings = emptyList();
	item.value_at_data_point = null;
	return item;
}

/** A 400 saying PostHog does not know one of the optional columns. */
function rejectsOptionalColumns(error: unknown): boolean {
	if (!(error instanceof NodeApiError) || error.httpCode !== '400') return false;
	const text = `${error.message} ${error.description ?? ''}`;
	return /last_seen_at|person_display_name/.test(text);
}

export interface QueryListStats {
	/** Persons PostHog listed but could no longer load (being deleted); not output. */
	missing: number;
	/** Pages whose rows moved up between pages, and what re-reading them found. */
	shiftCheck: ShiftCheckStats;
}

export function newQueryListStats(): QueryListStats {
	return { missing: 0, shiftCheck: newShiftCheckStats() };
}

/** A row's person cell, when it is a person object. */
function actorOf(row: unknown[], personIndex: number): IDataObject | undefined {
	const actor = row[personIndex] as IDataObject | null;
	return actor && typeof actor === 'object' ? actor : undefined;
}

/** Whether PostHog could load the person (a person being deleted comes without properties and distinct IDs). */
function loaded(actor: IDataObject | undefined): actor is IDataObject {
	return actor !== undefined && (actor.properties !== undefined || actor.distinct_ids !== undefined);
}

/**
 * Pages of persons-list items through the Query API, each person once, with the shift check.
 * `maxRows`: stop after that many persons. Each page is made as it is read (see RecordPage).
 * Throws the first request's error unchanged (the caller may fall back to the persons list).
 */
export async function* queryPersonPages(
	this: IExecuteFunctions,
	filters: IDataObject,
	options: { pageSize: number; maxRows?: number; itemIndex: number; readAhead?: boolean },
	stats: QueryListStats,
): AsyncGenerator<RecordPage> {
	const base = personsListQuery(filters);
	const seen = new IdSet();
	let select = ['person', ...OPTIONAL_COLUMNS];
	let listed = false;
	const progress: Progress = { emitted: 0, max: options.maxRows };
	for (;;) {
		const paging = { pageSize: options.pageSize, refresh: 'force_blocking', itemIndex: options.itemIndex, name: 'n8n: Get Many persons' };
		const query = { ...base, select };
		const pages = queryPages.call(this, query, { ...paging, maxRows: options.maxRows, overlap: true, readAhead: options.readAhead });
		try {
			for await (const page of pages) {
				const personIndex = page.columns.indexOf('person');
				if (personIndex < 0 && (page.rows.length > 0 || page.overlap)) {
					throw new NodeOperationError(this.getNode(), 'PostHog answered the persons query without a "person" column', {
						itemIndex: options.itemIndex,
						description: `Columns received: ${JSON.stringify(page.columns).slice(0, 200)}. Check the Host of the credential: it must be a PostHog instance.`,
					});
				}
				const keyOf = (row: unknown[]) => {
					const id = actorOf(row, personIndex)?.id;
					return id === undefined || id === null ? undefined : String(id);
				};
				// persons that slid onto the previous page (persons deleted meanwhile), ahead of this one
				const slid = await slidRows.call(this, query, paging, page, keyOf, seen, stats.shiftCheck);
				const recovered = Array.from(personRecords(page.columns, slid, seen, { missing: 0 }));
				stats.shiftCheck.recovered += recovered.length;
				const records = upToLimit(concatPages(recovered, personRecords(page.columns, page.rows, seen, stats)), progress);
				listed = true;
				yield records;
				finishPage(records);
				if (limitReached(progress)) return;
			}
			return;
		} catch (error) {
			// an older PostHog without the optional columns: once, before anything was listed
			if (!listed && select.length > 1 && rejectsOptionalColumns(error)) {
				select = ['person'];
				continue;
			}
			throw withItemIndex(this, error, options.itemIndex);
		}
	}
}

/**
 * The persons of query rows not in `seen` (added to it as they are read): a person already output
 * on an earlier page is skipped (persons created while paging move rows down). Rows holding a
 * person PostHog could no longer load are left out and counted in `counts.missing`.
 */
function* personRecords(columns: string[], rows: Iterable<unknown[]>, seen: IdSet, counts: { missing: number }): Generator<IDataObject> {
	const personIndex = columns.indexOf('person');
	const nameIndex = columns.indexOf(OPTIONAL_COLUMNS[0]);
	const lastSeenIndex = columns.indexOf('last_seen_at');
	for (const row of rows) {
		const actor = actorOf(row, personIndex);
		if (!loaded(actor)) {
			counts.missing++;
			continue;
		}
		const id = String(actor.id);
		if (seen.has(id)) continue;
		seen.add(id);
		const nameCell = nameIndex >= 0 ? (row[nameIndex] as IDataObject | null) : null;
		const name = nameCell && typeof nameCell === 'object' ? nameCell.display_name : displayName(actor);
		yield listItem(actor, name, lastSeenIndex >= 0 ? row[lastSeenIndex] : null);
	}
}
