import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/**
 * The "Simplify" form of a person (list item, single person or look-up result): its UUID as `id`,
 * its distinct IDs, the `email` and `name` person properties (null when unset) and `created_at`.
 */
export function simplifyPerson(person: IDataObject): IDataObject {
	const properties = (person.properties ?? {}) as IDataObject;
	return {
		id: person.uuid ?? person.id ?? null,
		distinct_ids: person.distinct_ids ?? [],
		email: properties.email ?? null,
		name: properties.name ?? null,
		created_at: person.created_at ?? null,
	};
}

/** A person as the item's Simplify option asks for: simplified, or as PostHog sent it. */
export function personOutput(ctx: IExecuteFunctions, itemIndex: number, person: IDataObject): IDataObject {
	return ctx.getNodeParameter('simplify', itemIndex, false) ? simplifyPerson(person) : person;
}
