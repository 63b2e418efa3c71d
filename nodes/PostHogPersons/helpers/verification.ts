import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { apiRequest, getRequestSettings, restPages } from '../transport';
import { runPool } from './items';
import { isUuid } from './validation';

/**
 * The event-deletion state of persons, from `GET persons/deletion_status/` (PostHog keeps a row per
 * person whose events it was asked to delete: pending, or completed with the time it verified the
 * deletion; newest first). For a few persons it asks once per person (`?person_uuid=`). For more,
 * it reads the first page of all rows (1000) and then whichever costs fewer requests: the
 * remaining pages, or one request per person not on the first page.
 */

export interface EventDeletion {
	status: 'pending' | 'completed';
	requestedAt: string | null;
	completedAt: string | null;
}

export interface EventDeletions {
	/** Newest row per person UUID (lower case); absent = no event deletion recorded. */
	rows: Map<string, EventDeletion>;
	/** UUIDs whose state could not be read, with the error. */
	failed: Map<string, Error>;
	requests: number;
}

/** Persons checked one by one below this count, without first asking how many rows there are. */
const PER_PERSON_BELOW = 4;
const PAGE_SIZE = 1000;

function readRow(row: unknown): { uuid: string; deletion: EventDeletion } | undefined {
	if (row === null || typeof row !== 'object') return undefined;
	const data = row as IDataObject;
	if (typeof data.person_uuid !== 'string' || !isUuid(data.person_uuid)) return undefined;
	const completedAt = typeof data.delete_verified_at === 'string' ? data.delete_verified_at : null;
	return {
		uuid: data.person_uuid.toLowerCase(),
		deletion: {
			status: data.status === 'completed' || completedAt !== null ? 'completed' : 'pending',
			requestedAt: typeof data.created_at === 'string' ? data.created_at : null,
			completedAt,
		},
	};
}

function keepNewest(rows: Map<string, EventDeletion>, list: unknown, wanted: Set<string>): void {
	for (const row of Array.isArray(list) ? list : []) {
		const read = readRow(row);
		// rows come newest first: the first row of a person is its latest request
		if (read && wanted.has(read.uuid) && !rows.has(read.uuid)) rows.set(read.uuid, read.deletion);
	}
}

/** Reads all rows page by page, unless after the first page asking per person is cheaper. Returns whether it read all. */
async function readAllRows(ctx: IExecuteFunctions, uuids: string[], wanted: Set<string>, result: EventDeletions): Promise<boolean> {
	let first = true;
	const pages = restPages.call(ctx, {
		method: 'GET',
		endpoint: 'persons/deletion_status/',
		qs: { status: 'all', limit: PAGE_SIZE },
		requestClass: 'persons',
		idempotent: true,
	});
	for await (const page of pages) {
		result.requests++;
		keepNewest(result.rows, page.records, wanted);
		if (!first) continue;
		first = false;
		const total = Number(page.body.count);
		const size = Math.max(1, page.records.length);
		const pagesLeft = Number.isFinite(total) && total >= 0 ? Math.ceil(total / size) - 1 : Infinity;
		const unseen = uuids.filter((uuid) => !result.rows.has(uuid)).length;
		if (pagesLeft > unseen) return false;
	}
	return true;
}

export async function eventDeletions(ctx: IExecuteFunctions, uuids: string[]): Promise<EventDeletions> {
	const result: EventDeletions = { rows: new Map(), failed: new Map(), requests: 0 };
	if (uuids.length === 0) return result;
	const wanted = new Set(uuids);
	if (uuids.length >= PER_PERSON_BELOW) {
		try {
			if (await readAllRows(ctx, uuids, wanted, result)) return result;
		} catch {
			// fall back to asking per person, which reports failures per person
		}
	}
	// rows come newest first, so a person seen on a page already has its latest row
	const rest = uuids.filter((uuid) => !result.rows.has(uuid));
	const { concurrency } = await getRequestSettings.call(ctx);
	await runPool(rest.length, concurrency, async (index) => {
		const uuid = rest[index];
		result.requests++;
		try {
			const response = await apiRequest.call(ctx, {
				method: 'GET',
				endpoint: 'persons/deletion_status/',
				qs: { status: 'all', person_uuid: uuid, limit: 1 },
				requestClass: 'persons',
				idempotent: true,
			});
			keepNewest(result.rows, response.body.results, wanted);
		} catch (error) {
			result.failed.set(uuid, error as Error);
		}
	});
	return result;
}
