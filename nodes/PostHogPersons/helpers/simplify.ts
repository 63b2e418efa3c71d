import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

const NONE: IDataObject[] = [];

/**
 * A new empty array, made without an array literal: for builders of per-row records, which avoid
 * literals (see listItem in actions/person/personsQuery.ts).
 */
export function emptyList(): IDataObject[] {
	return NONE.slice();
}

/**
 * The "Simplify" form of a person (list item, single person or look-up result): its UUID as `id`,
 * its distinct IDs, the `email` and `name` person properties (null when unset) and `created_at`.
 */
export function simplifyPerson(person: IDataObject): IDataObject {
	const properties = (person.properties ?? {}) as IDataObject;
	// by assignment, not as a literal: runs for every person of every page (see listItem in
	// actions/person/personsQuery.ts)
	const simple: IDataObject = {};
	simple.id = person.uuid ?? person.id ?? null;
	simple.distinct_ids = person.distinct_ids ?? emptyList();
	simple.email = properties.email ?? null;
	simple.name = properties.name ?? null;
	simple.created_at = person.created_at ?? null;
	return simple;
}

/** A person as the item's Simplify option asks for: simplified, or as PostHog sent it. */
export function personOutput(ctx: IExecuteFunctions, itemIndex: number, person: IDataObject): IDataObject {
	return ctx.getNodeParameter('simplify', itemIndex, false) ? simplifyPerson(person) : person;
}
