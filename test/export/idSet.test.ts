/**
 * The set of person IDs that de-duplicates exported persons, against a plain `Set<string>`:
 * a seeded random mix of adds and lookups (UUIDs in any case, repeats, strings that are almost
 * UUIDs), growth across many rehashes, the nil and max UUIDs, `size`.
 */
import { IdSet } from '../../nodes/PostHogPersons/helpers/idSet';
import { isUuid } from '../../nodes/PostHogPersons/helpers/validation';
import { Random } from '../../sandbox/util/prng';

/** What the reference set holds for an ID: UUIDs compare case-insensitively, other strings as given. */
function referenceKey(id: string): string {
	return isUuid(id) ? `uuid:${id.toLowerCase()}` : `text:${id}`;
}

/** A reference `Set<string>` with the same rules, to compare against. */
class ReferenceSet {
	private readonly keys = new Set<string>();
	get size(): number {
		return this.keys.size;
	}
	has(id: string): boolean {
		return this.keys.has(referenceKey(id));
	}
	add(id: string): void {
		this.keys.add(referenceKey(id));
	}
}

/** A random lower-case UUID: half version 4, half version 7 from a few timestamps (shared prefixes). */
function randomUuid(rng: Random): string {
	return rng.chance(0.5) ? rng.uuid4() : rng.uuid7(1_718_000_000_000 + rng.int(50));
}

/** The same UUID in upper case, lower case or a random mix. */
function caseVariant(rng: Random, id: string): string {
	const pick = rng.next();
	if (pick < 0.3) return id.toUpperCase();
	if (pick < 0.6) return id.toLowerCase();
	return [...id].map((char) => (rng.chance(0.5) ? char.toUpperCase() : char.toLowerCase())).join('');
}

/** Hex positions of a canonical UUID (everything but the dashes). */
const HEX_POSITIONS = [...Array(36).keys()].filter((i) => ![8, 13, 18, 23].includes(i));

/**
 * Characters that are not hex digits. Some have a code above 255 whose low byte is a hex digit
 * ('İ' is U+0130, low byte '0'; 'Ł' U+0141, 'A'; 'š' U+0161, 'a'), or are hex digits in another
 * script (fullwidth '０', Arabic-Indic '٣').
 */
const NOT_HEX = ['g', 'G', 'z', ' ', '-', '_', '/', ':', '@', '`', '\u0000', '\u00ff', 'İ', 'Ł', 'š', '０', '٣'];

/** A string that is almost a UUID (or not at all), derived from `id`. */
function nearMiss(rng: Random, id: string): string {
	switch (rng.int(10)) {
		case 0: {
			const position = rng.pick(HEX_POSITIONS);
			return id.slice(0, position) + rng.pick(NOT_HEX) + id.slice(position + 1);
		}
		case 1: {
			// A dash moved one place left or right.
			const dash = rng.pick([8, 13, 18, 23]);
			const chars = [...id];
			const other = rng.chance(0.5) ? dash - 1 : dash + 1;
			[chars[dash], chars[other]] = [chars[other], chars[dash]];
			return chars.join('');
		}
		case 2:
			return id.slice(0, 35); // 35 characters
		case 3:
			return id + rng.hex(1); // 37 characters
		case 4:
			return rng.hex(1) + id.slice(1) + rng.hex(1);
		case 5:
			return id.replace(/-/g, ''); // 32 hex digits, no dashes
		case 6:
			return `{${id}}`;
		case 7:
			return ` ${id.slice(1)}`;
		case 8:
			return '';
		default:
			return rng.hex(rng.int(40));
	}
}

describe('IdSet', () => {
	it('agrees with a reference Set over 200,000 random operations', () => {
		const rng = new Random(20240611);
		const ids = new IdSet();
		const reference = new ReferenceSet();
		const uuids: string[] = [];
		const others: string[] = [];
		const check = (id: string, step: number) => {
			const expected = reference.has(id);
			if (ids.has(id) !== expected) throw new Error(`step ${step}: has(${JSON.stringify(id)}) should be ${expected}`);
		};
		const add = (id: string, step: number) => {
			if (ids.add(id) !== ids) throw new Error(`step ${step}: add does not return the set`);
			reference.add(id);
			if (ids.size !== reference.size) throw new Error(`step ${step}: size ${ids.size}, expected ${reference.size}`);
		};
		
		for (let step = 0; step < 200_000; step++) {
			const kind = rng.next();
			let id: string;
			if (kind < 0.3 || uuids.length === 0) {
				id = caseVariant(rng, randomUuid(rng));
				uuids.push(id);
			} else if (kind < 0.6) {
				id = caseVariant(rng, rng.pick(uuids));
			} else if (kind < 0.8) {
				id = nearMiss(rng, rng.pick(uuids));
				others.push(id);
			} else {
				id = rng.chance(0.5) ? rng.pick(others.length ? others : uuids) : caseVariant(rng, rng.pick(uuids));
			}
			// Lookups and adds in every order: has-then-add of the same string (the usual pattern),
			// sometimes added twice, add alone, has alone, and has of one string then add of another.
			const op = rng.next();
			if (op < 0.4) {
				check(id, step);
				add(id, step);
				if (op < 0.1) add(id, step);
			} else if (op < 0.6) {
				add(id, step);
			} else if (op < 0.8) {
				check(id, step);
			} else {
				check(id, step);
				const other = caseVariant(rng, rng.pick(uuids));
				add(other, step);
				check(id, step);
				add(id, step);
			}
			check(id, step);
		}

		// Enough distinct UUIDs for a dozen rehashes and several chunks of keys.
		expect(reference.size).toBeGreaterThan(60_000);
		expect(ids.size).toBe(reference.size);
		const wrong = [
			...uuids.flatMap((id) => [id.toUpperCase(), id.toLowerCase()]),
			...others,
			...Array.from({ length: 10_000 }, () => randomUuid(rng)),
		].filter((id) => ids.has(id) !== reference.has(id));
		expect(wrong).toEqual([]);
	});

	it('keeps every UUID through growth, including ones that differ in a single word', () => {
		const ids = new IdSet();
		const all: string[] = [];
		// Same first 96 bits, only the last word differs; then only the second, only the third word.
		for (let i = 0; i < 20_000; i++) all.push(`0190a1b2-c3d4-7000-8000-0000${i.toString(16).padStart(8, '0')}`);
		for (let i = 0; i < 20_000; i++) {
			const word = i.toString(16).padStart(8, '0');
			all.push(`0190a1b2-${word.slice(0, 4)}-${word.slice(4)}-8000-000000000000`);
		}
		for (let i = 0; i < 20_000; i++) {
			const word = i.toString(16).padStart(8, '0');
			all.push(`0190a1b2-c3d4-7000-${word.slice(0, 4)}-${word.slice(4)}ffffffff`);
		}
		const distinct = new Set(all);
		expect(distinct.size).toBe(60_000);
		for (const id of all) {
			if (ids.has(id)) throw new Error(`${id} found before it was added`);
			// Added twice: the second add follows the one that may have grown the index.
			ids.add(id).add(id);
		}
		expect(ids.size).toBe(60_000);
		expect(all.filter((id) => !ids.has(id) || !ids.has(id.toUpperCase()))).toEqual([]);
		expect(ids.has('0190a1b2-c3d4-7000-8000-0000ffffffff')).toBe(false);
	});

	it('holds the nil and the max UUID, each once whatever the case', () => {
		const nil = '00000000-0000-0000-0000-000000000000';
		const max = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
		const ids = new IdSet();
		expect(ids.size).toBe(0);
		expect(ids.has(nil)).toBe(false);
		expect(ids.has(max)).toBe(false);

		ids.add(nil);
		expect(ids.has(nil)).toBe(true);
		expect(ids.has(max)).toBe(false);
		expect(ids.size).toBe(1);

		ids.add(max).add(max.toUpperCase()).add('FFFFFFFF-ffff-FFFF-ffff-FFFFffffFFFF');
		expect(ids.has(max.toUpperCase())).toBe(true);
		expect(ids.size).toBe(2);

		// Strings that are not UUIDs are never one of them.
		for (const other of ['', '0', nil.replace(/-/g, ''), `${nil} `, max.slice(1), max.replace(/f$/, 'g')]) {
			expect(ids.has(other)).toBe(false);
		}
		expect(ids.size).toBe(2);
	});

	it('keeps other strings apart, exactly as given', () => {
		const ids = new IdSet();
		const uuid = '0190a1b2-c3d4-7e5f-8a6b-9c7d8e9f0a1b';
		const others = ['', 'user@example.com', 'USER@example.com', uuid.replace('e', 'g'), uuid.replace('e', 'G')];
		for (const other of others) ids.add(other);
		expect(ids.size).toBe(others.length);
		expect(ids.has(uuid)).toBe(false);
		ids.add(uuid);
		expect(ids.size).toBe(others.length + 1);
		for (const other of others) expect(ids.has(other)).toBe(true);
		expect(ids.has('user@EXAMPLE.com')).toBe(false);
		// 'İ' is U+0130: its low byte is the digit '0', but it is not one.
		expect(ids.has(uuid.replace('0', 'İ'))).toBe(false);
		expect(ids.has(uuid.replace('a', 'š'))).toBe(false);
	});
});
