import type { IDataObject } from 'n8n-workflow';

import { IdSet } from '../../helpers/idSet';

/**
 * Turns ActorsQuery result rows (arrays aligned with `columns`) into one record per person:
 * `{ id, distinct_ids, properties, created_at, is_identified, ...other columns }`.
 *
 * The `actor` (or `person`) cell is PostHog's enriched person dict; a person PostHog could not
 * load any more (deleted since its events were counted) comes back as `{id}` only and is kept
 * as such. Other columns (`event_count`, `matched_recordings`) are added under their names.
 * Offset pages are not snapshot-consistent, so a person repeated on a later page is dropped.
 */

const ACTOR_COLUMNS = new Set(['actor', 'person']);
const PERSON_KEYS = new Set(['id', 'distinct_ids', 'properties', 'created_at', 'is_identified']);

function actorRecord(cell: unknown): IDataObject {
	if (cell === null || typeof cell !== 'object' || Array.isArray(cell)) return { id: cell as IDataObject[string] };
	const actor = cell as IDataObject;
	// fixed key order first, then anything else PostHog sends (e.g. group fields); one pass per
	// person, no intermediate arrays: this runs for every row of every page
	const record: IDataObject = {};
	if ('id' in actor) record.id = actor.id;
	if ('distinct_ids' in actor) record.distinct_ids = actor.distinct_ids;
	if ('properties' in actor) record.properties = actor.properties;
	if ('created_at' in actor) record.created_at = actor.created_at;
	if ('is_identified' in actor) record.is_identified = actor.is_identified;
	for (const key in actor) if (!PERSON_KEYS.has(key)) record[key] = actor[key];
	return record;
}

/** Index of the actor (person) column, or -1. */
function actorColumn(columns: string[]): number {
	return columns.findIndex((column) => ACTOR_COLUMNS.has(column));
}

/** Whether an actor cell is a person PostHog could not load any more (`{id}` only, or a bare ID). */
function isMissing(cell: unknown): boolean {
	if (cell === null || typeof cell !== 'object' || Array.isArray(cell)) return true;
	return !('distinct_ids' in cell) && !('properties' in cell);
}

/**
 * The person (actor) ID of a row of these columns, as its record's `id` is taken from the actor
 * cell; undefined when the columns have no actor column or the cell holds no ID.
 */
export function actorIdOf(columns: string[]): ((row: unknown[]) => string | undefined) | undefined {
	const actorIndex = actorColumn(columns);
	if (actorIndex < 0) return undefined;
	return (row) => {
		const cell = row[actorIndex];
		const id = cell !== null && typeof cell === 'object' && !Array.isArray(cell) ? (cell as IDataObject).id : cell;
		return id === undefined || id === null ? undefined : String(id);
	};
}

/** Whether a row's actor is a person PostHog could not load any more. */
export function isMissingActor(columns: string[], row: unknown[]): boolean {
	const actorIndex = actorColumn(columns);
	return actorIndex >= 0 && isMissing(row[actorIndex]);
}

export interface ActorRecords {
	records: IDataObject[];
	/** Rows whose person could not be loaded (`{id}` only). */
	missing: number;
	/** Rows dropped because the same person was already on an earlier page. */
	duplicates: number;
}

/**
 * The records of actor rows, made as they are read (see RecordPage), counting in `counts` the
 * rows whose person could not be loaded and those dropped as repeats. `seen`: IDs of persons
 * already output (pass the same set for every page of one run). A row's person is its actor's ID
 * (actorIdOf, as the shift check reads it), or the record's `id` when the columns have no actor.
 */
export function* actorRecords(
	columns: string[],
	rows: Iterable<unknown[]>,
	seen: IdSet,
	counts: { missing: number; duplicates: number },
): Generator<IDataObject> {
	const actorIndex = actorColumn(columns);
	const actorId = actorIdOf(columns);
	for (const row of rows) {
		const record = actorIndex >= 0 ? actorRecord(row[actorIndex]) : {};
		for (let index = 0; index < columns.length; index++) {
			if (index !== actorIndex) record[columns[index]] = row[index] as IDataObject[string];
		}
		const id = actorId ? actorId(row) : record.id === undefined || record.id === null ? undefined : String(record.id);
		if (id !== undefined) {
			if (seen.has(id)) {
				counts.duplicates++;
				continue;
			}
			seen.add(id);
		}
		if (actorIndex >= 0 && isMissing(row[actorIndex])) counts.missing++;
		yield record;
	}
}

/** All records of actor rows at once (see actorRecords). */
export function actorRowsToRecords(columns: string[], rows: Iterable<unknown[]>, seen = new IdSet()): ActorRecords {
	const counts = { missing: 0, duplicates: 0 };
	const records = Array.from(actorRecords(columns, rows, seen, counts));
	return { records, ...counts };
}
