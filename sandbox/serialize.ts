// Person representations (posthog/api/person.py serializers and serialized_actors.get_serialized_people).

import { sortDistinctIds, type SandboxPerson, type SandboxStore } from './store';
import { drfIso } from './util/time';
import { pyTruthy } from './util/pyjson';

export function personName(person: SandboxPerson): unknown {
	for (const key of ['email', 'name', 'username']) {
		const v = person.properties[key];
		if (pyTruthy(v)) return v;
	}
	if (person.distinctIds.length) return sortDistinctIds(person.distinctIds)[0];
	return String(person.id);
}

/** Persons-list item (not PersonSerializer): `id` is the UUID, plus `type`, `is_identified`, `matched_recordings`, `value_at_data_point`. */
export function serializeListItem(person: SandboxPerson): Record<string, unknown> {
	return {
		type: 'person',
		id: person.uuid,
		uuid: person.uuid,
		created_at: drfIso(person.createdAt),
		last_seen_at: person.lastSeenAt === null ? null : drfIso(person.lastSeenAt),
		properties: person.properties,
		is_identified: person.isIdentified,
		name: personName(person),
		distinct_ids: person.distinctIds.slice(0, 1000),
		matched_recordings: [],
		value_at_data_point: null,
	};
}

/** PersonSerializer / PersonRecord (retrieve): `id` is the integer primary key. */
export function serializePerson(person: SandboxPerson, distinctIds: string[] = person.distinctIds): Record<string, unknown> {
	return {
		id: person.id,
		name: personName(person),
		distinct_ids: sortDistinctIds(distinctIds),
		properties: person.properties,
		created_at: drfIso(person.createdAt),
		uuid: person.uuid,
		last_seen_at: person.lastSeenAt === null ? null : drfIso(person.lastSeenAt),
	};
}

/** MinimalPersonSerializer (batch look-ups): the first 10 distinct ids, then sorted like PersonSerializer. */
export function serializeMinimalPerson(person: SandboxPerson): Record<string, unknown> {
	return serializePerson(person, person.distinctIds.slice(0, 10));
}

/** Actor cell of an ActorsQuery row. */
export function serializeActor(store: SandboxStore, uuid: string): Record<string, unknown> {
	const person = store.personsByUuid.get(uuid);
	if (!person) return { id: uuid };
	return {
		id: person.uuid,
		distinct_ids: person.distinctIds.slice(0, 1000),
		properties: person.properties,
		is_identified: person.isIdentified,
		created_at: drfIso(person.createdAt),
	};
}
