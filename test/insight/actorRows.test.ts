/** Actor rows (arrays aligned with `columns`) to one record per person. */
import { actorRowsToRecords } from '../../nodes/PostHogPersons/actions/insight/actorRows';

const person = (id: string) => ({
	created_at: '2024-01-02T10:00:00Z',
	is_identified: true,
	properties: { email: `${id}@example.com` },
	distinct_ids: [`user-${id}`],
	id,
});

test('person fields first in a fixed order, then the other columns by name', () => {
	const { records, missing, duplicates } = actorRowsToRecords(
		['actor', 'event_count', 'matched_recordings'],
		[[person('a'), 3, [{ session_id: 's1', events: [] }]]],
	);
	expect(records).toEqual([
		{ id: 'a', distinct_ids: ['user-a'], properties: { email: 'a@example.com' }, created_at: '2024-01-02T10:00:00Z', is_identified: true, event_count: 3, matched_recordings: [{ session_id: 's1', events: [] }] },
	]);
	expect(Object.keys(records[0])).toEqual(['id', 'distinct_ids', 'properties', 'created_at', 'is_identified', 'event_count', 'matched_recordings']);
	expect([missing, duplicates]).toEqual([0, 0]);
});

test('a person PostHog could not load stays, with its ID only, and is counted', () => {
	const { records, missing } = actorRowsToRecords(['event_count', 'actor'], [[2, { id: 'gone' }], [1, person('b')]]);
	expect(records[0]).toEqual({ id: 'gone', event_count: 2 });
	expect(records[1].id).toBe('b');
	expect(missing).toBe(1);
});

test('a person repeated on a later page is dropped; a bare ID cell becomes {id}', () => {
	const { records, duplicates } = actorRowsToRecords(['actor'], [[person('a')], ['raw-id'], [person('a')]]);
	expect(records.map((record) => record.id)).toEqual(['a', 'raw-id']);
	expect(duplicates).toBe(1);
});
