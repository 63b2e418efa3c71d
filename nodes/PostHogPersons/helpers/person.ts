import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRequest, getRequestSettings } from '../transport';
import type { IdKind } from './ids';
import { idKey } from './ids';
import { runPool } from './items';
import { checkPersonId } from './validation';

/**
 * Finding persons: the Person field (resource locator) of per-item operations, and batched
 * look-ups of many distinct IDs or UUIDs with `batch_by_distinct_ids` / `batch_by_uuids`
 * (PostHog uses only the first 200 IDs of such a call and silently drops the rest).
 */

export const LOOKUP_MAX_IDS = 200;

/** PostHog's batch look-ups return at most this many distinct IDs per person (MinimalPersonSerializer). */
export const LOOKUP_DISTINCT_IDS_CAP = 10;

const LOOKUP_CALLS: Record<IdKind, { endpoint: string; field: string }> = {
	distinctId: { endpoint: 'persons/batch_by_distinct_ids/', field: 'distinct_ids' },
	uuid: { endpoint: 'persons/batch_by_uuids/', field: 'uuids' },
};

export interface LookupResult {
	/** Persons found, by `idKey` of the requested ID. */
	found: Map<string, IDataObject>;
	/** Keys whose look-up call failed (after the transport's retries), with the error. */
	failed: Map<string, Error>;
	/** Look-up calls made. */
	calls: number;
}

function isPerson(value: unknown): value is IDataObject {
	return (
		value !== null &&
		typeof value === 'object' &&
		!Array.isArray(value) &&
		typeof (value as IDataObject).uuid === 'string' &&
		(value as IDataObject).uuid !== ''
	);
}

/**
 * Looks up IDs (already unique by `idKey`) in calls of 200, "Concurrency" calls at a time. A call
 * that fails after retries marks its IDs as failed; the other calls go on. Entries of PostHog's
 * answer that are not persons, or answer an ID nobody asked for, are ignored.
 */
export async function lookUpPersons(
	ctx: IExecuteFunctions,
	kind: IdKind,
	keys: string[],
	itemIndexOf: (key: string) => number = () => 0,
): Promise<LookupResult> {
	const result: LookupResult = { found: new Map(), failed: new Map(), calls: 0 };
	const { endpoint, field } = LOOKUP_CALLS[kind];
	const chunks: string[][] = [];
	for (let start = 0; start < keys.length; start += LOOKUP_MAX_IDS) chunks.push(keys.slice(start, start + LOOKUP_MAX_IDS));
	const { concurrency } = await getRequestSettings.call(ctx);
	await runPool(chunks.length, concurrency, async (index) => {
		const chunk = chunks[index];
		result.calls++;
		try {
			const response = await apiRequest.call(ctx, {
				method: 'POST',
				endpoint,
				body: { [field]: chunk },
				requestClass: 'persons',
				idempotent: true,
				itemIndex: itemIndexOf(chunk[0]),
			});
			const answer = response.body.results;
			if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
				throw new NodeOperationError(ctx.getNode(), `PostHog's answer to ${endpoint} has no "results" object`, {
					description: 'The answer did not look like PostHog\'s. Check Region / Host in the credential.',
				});
			}
			const asked = new Set(chunk);
			for (const [key, person] of Object.entries(answer as IDataObject)) {
				const own = idKey(kind, key);
				if (asked.has(own) && isPerson(person)) result.found.set(own, person);
			}
		} catch (error) {
			for (const key of chunk) result.failed.set(key, error as Error);
		}
	});
	return result;
}

/** Keys to look up per kind, each with the first input item that asked for it (for error messages). */
export type LookupKeys = Record<IdKind, Map<string, number>>;

export function lookupKeys(): LookupKeys {
	return { distinctId: new Map(), uuid: new Map() };
}

export function addLookupKey(keys: LookupKeys, kind: IdKind, key: string, itemIndex: number): void {
	if (!keys[kind].has(key)) keys[kind].set(key, itemIndex);
}

/** `lookUpPersons` for every kind of `keys` (distinct IDs first, then UUIDs). */
export async function lookUpAll(ctx: IExecuteFunctions, keys: LookupKeys): Promise<Record<IdKind, LookupResult>> {
	const byKind = (kind: IdKind) => lookUpPersons(ctx, kind, [...keys[kind].keys()], (key) => keys[kind].get(key) ?? 0);
	const distinctId = await byKind('distinctId');
	return { distinctId, uuid: await byKind('uuid') };
}

/**
 * PostHog's batch look-ups list at most 10 distinct IDs per person. For persons that show 10,
 * the whole list is read with `GET persons/{uuid}/` so that a receipt names every distinct ID
 * that went with the person; when that read fails, `distinctIdsComplete` is false on the person.
 * Returns the number of requests made.
 */
export async function completeDistinctIds(ctx: IExecuteFunctions, persons: IDataObject[]): Promise<number> {
	const capped = persons.filter(
		(person) => Array.isArray(person.distinct_ids) && person.distinct_ids.length >= LOOKUP_DISTINCT_IDS_CAP,
	);
	const { concurrency } = await getRequestSettings.call(ctx);
	await runPool(capped.length, concurrency, async (index) => {
		const person = capped[index];
		try {
			const response = await apiRequest.call(ctx, {
				method: 'GET',
				endpoint: `persons/${encodeURIComponent(String(person.uuid))}/`,
				requestClass: 'persons',
				idempotent: true,
				acceptStatus: [404],
			});
			const all = response.body.distinct_ids;
			if (response.statusCode === 200 && Array.isArray(all) && all.every((id) => typeof id === 'string')) {
				person.distinct_ids = all;
			} else {
				person.distinctIdsComplete = false;
			}
		} catch {
			person.distinctIdsComplete = false;
		}
	});
	return capped.length;
}

// ------------------------------------------------------------------------------------------------ Person field

/** The person of a per-item operation as the user gave it: a numeric ID / UUID, or a distinct ID. */
export interface PersonRef {
	mode: 'id' | 'distinctId';
	value: string;
}

/**
 * A person's page in PostHog: `…/person/<distinct ID, URL-encoded>` (how PostHog links persons)
 * or `…/persons/<UUID>`.
 */
export const PERSON_URL_PATTERN = '^\\s*https?://[^\\s]+/(person|persons)/([^/?#\\s]+)';

/** "By URL": `…/person/<distinct ID>` (URL-encoded) is a distinct ID, `…/persons/<UUID>` an ID. */
function personFromUrl(ctx: IExecuteFunctions, raw: unknown, itemIndex: number): PersonRef {
	const text = String(raw ?? '').trim();
	const match = new RegExp(PERSON_URL_PATTERN).exec(text);
	if (!match) {
		throw new NodeOperationError(ctx.getNode(), `"${text}" is not the address of a person in PostHog`, {
			itemIndex,
			description:
				'Open the person in PostHog and copy the address: it contains /person/ followed by a distinct ID (or /persons/ followed by the UUID), e.g. https://us.posthog.com/project/1/person/user-42.',
		});
	}
	let segment: string;
	try {
		segment = decodeURIComponent(match[2]);
	} catch {
		segment = match[2];
	}
	if (match[1] === 'persons') return { mode: 'id', value: checkPersonId(ctx.getNode(), segment, itemIndex) };
	return { mode: 'distinctId', value: segment };
}

/**
 * Reads and checks the Person field (resource locator) of one item, without sending anything:
 * "From List" and "By ID" must be a numeric ID or a UUID; "By URL" is read like PostHog builds
 * its person links; "By Distinct ID" is used exactly as given (not trimmed) and must not be empty.
 */
export function readPersonRef(ctx: IExecuteFunctions, itemIndex: number, parameter = 'person'): PersonRef {
	const locator = ctx.getNodeParameter(parameter, itemIndex) as INodeParameterResourceLocator | string | number;
	const mode = typeof locator === 'object' && locator !== null ? locator.mode : 'id';
	const raw = typeof locator === 'object' && locator !== null ? locator.value : locator;
	if (mode === 'url') return personFromUrl(ctx, raw, itemIndex);
	if (mode !== 'distinctId') return { mode: 'id', value: checkPersonId(ctx.getNode(), raw, itemIndex) };
	const value = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
	if (typeof value !== 'string' || value === '') {
		throw new NodeOperationError(ctx.getNode(), value === '' || value === undefined || value === null ? 'No distinct ID given' : 'The distinct ID is not text', {
			itemIndex,
			description: 'Fill in the Person field with the distinct ID your app sends to PostHog.',
		});
	}
	return { mode: 'distinctId', value };
}

export function personNotFound(ctx: IExecuteFunctions, distinctId: string, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `No person with the distinct ID "${distinctId}" in this project`, {
		itemIndex,
		description: 'Check the distinct ID (it is case-sensitive and used exactly as given, spaces included) and the Project ID of the credential.',
	});
}

/**
 * Resolves the distinct IDs among `refs` (one per item) in batched look-ups and returns, per
 * item, the `{id}` for `/persons/{id}/...` (a distinct ID becomes the person's UUID) or the error
 * for that item (no such person, or the look-up call failed).
 */
export async function resolvePersonRefs(
	ctx: IExecuteFunctions,
	refs: Map<number, PersonRef>,
): Promise<{ ids: Map<number, string | Error>; calls: number }> {
	const firstItem = new Map<string, number>();
	for (const [itemIndex, ref] of refs) {
		if (ref.mode === 'distinctId' && !firstItem.has(ref.value)) firstItem.set(ref.value, itemIndex);
	}
	const lookup = await lookUpPersons(ctx, 'distinctId', [...firstItem.keys()], (key) => firstItem.get(key) ?? 0);
	const ids = new Map<number, string | Error>();
	for (const [itemIndex, ref] of refs) {
		if (ref.mode === 'id') {
			ids.set(itemIndex, ref.value);
			continue;
		}
		const person = lookup.found.get(ref.value);
		const failure = lookup.failed.get(ref.value);
		if (person) ids.set(itemIndex, String(person.uuid));
		else if (failure) ids.set(itemIndex, failure);
		else ids.set(itemIndex, personNotFound(ctx, ref.value, itemIndex));
	}
	return { ids, calls: lookup.calls };
}

const resolvedByExecution = new WeakMap<object, Map<string, Promise<Map<number, string | Error>>>>();

/**
 * The `{id}` for `/persons/{id}/...` of one item's Person field. The first call of an execution
 * resolves the distinct IDs of all input items at once (batched look-ups, 200 per call), so an
 * operation that calls this per item makes ceil(N/200) look-ups instead of N.
 */
export async function resolvePersonId(this: IExecuteFunctions, itemIndex: number, parameter = 'person'): Promise<string> {
	const ref = readPersonRef(this, itemIndex, parameter);
	if (ref.mode === 'id') return ref.value;
	let byParameter = resolvedByExecution.get(this);
	if (!byParameter) {
		byParameter = new Map();
		resolvedByExecution.set(this, byParameter);
	}
	let resolved = byParameter.get(parameter);
	if (!resolved) {
		const refs = new Map<number, PersonRef>();
		const count = this.getInputData().length;
		for (let index = 0; index < count; index++) {
			try {
				const other = readPersonRef(this, index, parameter);
				if (other.mode === 'distinctId') refs.set(index, other);
			} catch {
				// that item reports its own error when its turn comes
			}
		}
		refs.set(itemIndex, ref);
		resolved = resolvePersonRefs(this, refs).then((result) => result.ids);
		byParameter.set(parameter, resolved);
	}
	const outcome = (await resolved).get(itemIndex);
	if (typeof outcome === 'string') return outcome;
	throw outcome ?? personNotFound(this, ref.value, itemIndex);
}
